import type { ComponentType, FailureCodeKind } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { assertCanEdit, auditWorkOrder, loadOrder, type OrderForChange, type Tx, type WorkOrderUser } from "./access";
import { CLOCK_SKEW_MS } from "./log-labour";
import { CLOSABLE_FROM, label } from "./rules";

export interface CloseWorkOrderInput {
  id: string;
  failureModeCode?: string;
  failureCauseCode?: string;
  remedyCode?: string;
  downtimeStart?: Date;
  downtimeEnd?: Date;
  note?: string;
  completedAt?: Date;
}

const KIND_NAME: Record<FailureCodeKind, string> = { mode: "failure mode", cause: "failure cause", remedy: "remedy" };

/** Resolves a failure code and checks it fits the order's component type (generic codes fit all). */
async function resolveCode(tx: Tx, kind: FailureCodeKind, code: string | undefined, order: OrderForChange): Promise<string | null> {
  if (!code) return null;
  const found = await tx.failureCode.findUnique({ where: { kind_code: { kind, code } }, select: { id: true, name: true, componentType: true } });
  if (!found) throw new AppError("BAD_REQUEST", `Unknown ${KIND_NAME[kind]} code "${code}"; pick one from the failure-code list (maintenance.workOrder.failureCodes).`);
  // an order on the whole system has no component type to check the code against
  const type: ComponentType | null = order.component?.type ?? null;
  if (found.componentType && type && found.componentType !== type) {
    throw new AppError(
      "BAD_REQUEST",
      `The ${KIND_NAME[kind]} ${code} (${found.name}) is for ${found.componentType} components, but ${order.component!.code} is a ${type}; pick a generic code or one for ${type}.`,
    );
  }
  return found.id;
}

/**
 * Finishes an order with its ISO 14224 close-out: failure mode, cause and remedy, and the downtime it
 * caused (MTBF/MTTR are computed from these). A failure that was fixed must say what failed.
 * Closing a done order again with the same codes succeeds without writing (offline replay).
 */
export async function closeWorkOrder(db: Db, user: WorkOrderUser, input: CloseWorkOrderInput): Promise<{ id: string; status: "done" }> {
  const { downtimeStart, downtimeEnd } = input;
  if ((downtimeStart === undefined) !== (downtimeEnd === undefined)) {
    throw new AppError("BAD_REQUEST", `Give both downtimeStart and downtimeEnd, or neither (got only ${downtimeStart ? "downtimeStart" : "downtimeEnd"}).`);
  }
  if (downtimeStart && downtimeEnd && downtimeEnd < downtimeStart) {
    throw new AppError("BAD_REQUEST", `downtimeEnd (${downtimeEnd.toISOString()}) is before downtimeStart (${downtimeStart.toISOString()}); the system cannot come back before it stopped.`);
  }
  const now = Date.now();
  if (input.completedAt && input.completedAt.getTime() > now + CLOCK_SKEW_MS) {
    throw new AppError("BAD_REQUEST", `completedAt ${input.completedAt.toISOString()} is in the future; give the time the work was finished.`);
  }
  const note = input.note?.trim() || null;
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
    assertCanEdit(user, order);
    const modeId = await resolveCode(tx, "mode", input.failureModeCode, order);
    const causeId = await resolveCode(tx, "cause", input.failureCauseCode, order);
    const remedyId = await resolveCode(tx, "remedy", input.remedyCode, order);
    if (order.status === "done") {
      const same = order.failureModeId === modeId && order.failureCauseId === causeId && order.remedyId === remedyId;
      if (same) return { id: order.id, status: "done" as const };
      throw new AppError("CONFLICT", `${label(order.number)} is already done with other failure codes; a manager can reopen it to change the close-out.`, { workOrderId: order.id });
    }
    if (!CLOSABLE_FROM.includes(order.status)) {
      throw new AppError("CONFLICT", `${label(order.number)} is ${order.status}; only an open, in-progress or on-hold order can be closed.`, { workOrderId: order.id });
    }
    // a predictive order that found a failure (a cause, or downtime) is a failure record like a corrective one
    const foundFailure = order.type === "corrective" || (order.type === "predictive" && (causeId !== null || downtimeStart !== undefined));
    if (foundFailure && !modeId) {
      throw new AppError(
        "BAD_REQUEST",
        order.type === "corrective"
          ? "A corrective work order needs a failure mode to close (e.g. ELP external leakage)"
          : "A predictive work order that found a failure needs a failure mode to close (e.g. ELP external leakage)",
        { workOrderId: order.id },
      );
    }
    const completedAt = input.completedAt ?? new Date(now);
    await tx.workOrder.update({
      where: { id: order.id },
      data: {
        status: "done",
        completedAt,
        closedById: user.id,
        failureModeId: modeId,
        failureCauseId: causeId,
        remedyId,
        downtimeStart: downtimeStart ?? null,
        downtimeEnd: downtimeEnd ?? null,
      },
    });
    await tx.workOrderStatusChange.create({ data: { workOrderId: order.id, fromStatus: order.status, toStatus: "done", userId: user.id, note } });
    await auditWorkOrder(tx, user, order.id, "close", {
      from: order.status,
      failureMode: input.failureModeCode ?? null,
      failureCause: input.failureCauseCode ?? null,
      remedy: input.remedyCode ?? null,
      downtimeStart: downtimeStart?.toISOString() ?? null,
      downtimeEnd: downtimeEnd?.toISOString() ?? null,
      completedAt: completedAt.toISOString(),
      note,
    });
    return { id: order.id, status: "done" as const };
  });
}

/** Managers reopen a done order (done -> open), saying why; the close-out stays until it is closed again. */
export async function reopenWorkOrder(db: Db, user: WorkOrderUser, input: { id: string; note: string }): Promise<{ id: string; status: "open" }> {
  const note = input.note.trim();
  if (!note) throw new AppError("BAD_REQUEST", "Say why the work order is reopened (the note is kept in its history).");
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
    if (order.status !== "done") throw new AppError("CONFLICT", `${label(order.number)} is ${order.status}, not done; only a done order can be reopened.`, { workOrderId: order.id });
    await tx.workOrder.update({ where: { id: order.id }, data: { status: "open", completedAt: null, closedById: null } });
    await tx.workOrderStatusChange.create({ data: { workOrderId: order.id, fromStatus: "done", toStatus: "open", userId: user.id, note } });
    await auditWorkOrder(tx, user, order.id, "reopen", { note });
    return { id: order.id, status: "open" as const };
  });
}
