import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { assertCanWork, auditWorkOrder, isUniqueViolation, loadOrder, type WorkOrderUser } from "./access";
import { label } from "./rules";

/** How far ahead of the server clock a phone's clock may be before a time counts as "in the future". */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface Idempotent {
  id: string;
  duplicate: boolean;
}

/**
 * The same clientKey twice is the same entry: a phone replaying its offline queue gets the first one
 * back. A key already used on another order is refused rather than silently attached there.
 */
export function sameOrderOrConflict(existing: { id: string; workOrderId: string }, workOrderId: string, what: string, clientKey: string): Idempotent {
  if (existing.workOrderId !== workOrderId) {
    throw new AppError("CONFLICT", `The ${what} key "${clientKey}" was already used on another work order; generate a new key per entry.`);
  }
  return { id: existing.id, duplicate: true };
}

export interface LogLabourInput {
  id: string;
  minutes: number;
  note?: string;
  startedAt?: Date;
  clientKey: string;
}

/** Records time spent on an order, once per clientKey. */
export async function logLabour(db: Db, user: WorkOrderUser, input: LogLabourInput): Promise<Idempotent> {
  if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > 1440) {
    throw new AppError("BAD_REQUEST", `Labour is whole minutes from 1 to 1440 (one day) per entry; got ${input.minutes}.`);
  }
  if (input.startedAt && input.startedAt.getTime() > Date.now() + CLOCK_SKEW_MS) {
    throw new AppError("BAD_REQUEST", `startedAt ${input.startedAt.toISOString()} is in the future; give the time the work started.`);
  }
  const note = input.note?.trim() || null;
  const find = () => db.labourEntry.findUnique({ where: { clientKey: input.clientKey }, select: { id: true, workOrderId: true } });
  try {
    return await db.$transaction(async (tx) => {
      const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
      const existing = await tx.labourEntry.findUnique({ where: { clientKey: input.clientKey }, select: { id: true, workOrderId: true } });
      if (existing) return sameOrderOrConflict(existing, order.id, "labour", input.clientKey);
      assertCanWork(user, order);
      const entry = await tx.labourEntry.create({
        data: { workOrderId: order.id, userId: user.id, minutes: input.minutes, note, startedAt: input.startedAt ?? null, clientKey: input.clientKey },
        select: { id: true },
      });
      await auditWorkOrder(tx, user, order.id, "log_labour", { entryId: entry.id, minutes: input.minutes, number: label(order.number) });
      return { id: entry.id, duplicate: false };
    });
  } catch (err) {
    // two replays of one entry racing on different orders' locks: the loser finds the winner's row
    const existing = isUniqueViolation(err) ? await find() : null;
    if (existing) return sameOrderOrConflict(existing, input.id, "labour", input.clientKey);
    throw err;
  }
}
