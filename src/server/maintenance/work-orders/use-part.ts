import { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { assertCanWork, auditWorkOrder, isUniqueViolation, loadOrder, type Tx, type WorkOrderUser } from "./access";
import { sameOrderOrConflict } from "./log-labour";
import { isTerminal, label } from "./rules";
import { requestReorderIfLow, type ReorderRequest } from "@/server/maintenance/parts/request-reorder";

async function stockAt(tx: Tx | Db, siteId: string, partId: string): Promise<Prisma.Decimal> {
  const level = await tx.stockLevel.findUnique({ where: { siteId_partId: { siteId, partId } }, select: { quantity: true } });
  return level?.quantity ?? new Prisma.Decimal(0);
}

/**
 * Takes parts from the stock of the order's site and books them on the order at the part's current
 * unit cost, in one transaction: stock, movement ("used") and usage change together or not at all.
 */
export async function usePart(
  db: Db,
  user: WorkOrderUser,
  input: { id: string; partId: string; quantity: number; clientKey: string },
): Promise<{ id: string; duplicate: boolean; stockLeft: number; reorder?: ReorderRequest }> {
  // stock is kept to 3 decimals (numeric(12,3)); round once here so stock and usage agree
  const quantity = new Prisma.Decimal(input.quantity).toDecimalPlaces(3);
  if (!quantity.isFinite() || quantity.lte(0)) throw new AppError("BAD_REQUEST", `The quantity must be more than 0 (at most 3 decimals); got ${input.quantity}.`);
  const duplicate = async (existing: { id: string; workOrderId: string; siteId: string; partId: string }) => {
    const result = sameOrderOrConflict(existing, input.id, "part usage", input.clientKey);
    return { ...result, stockLeft: (await stockAt(db, existing.siteId, existing.partId)).toNumber() };
  };
  const usageKey = { id: true, workOrderId: true, siteId: true, partId: true } as const;
  try {
    const outcome = await db.$transaction(async (tx) => {
      const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
      const existing = await tx.partUsage.findUnique({ where: { clientKey: input.clientKey }, select: usageKey });
      if (existing) return { kind: "duplicate" as const, existing };
      assertCanWork(user, order);
      if (isTerminal(order.status)) {
        throw new AppError("CONFLICT", `${label(order.number)} is ${order.status}; parts can be booked only on an order that is still open (a manager can reopen it).`);
      }
      const part = await tx.part.findFirst({ where: { id: input.partId, organizationId: user.organizationId }, select: { id: true, partNumber: true, unit: true, unitCost: true } });
      if (!part) throw notFound("Part", input.partId);
      const siteId = order.system.siteId;
      // the stock check and the decrement are one statement, so two technicians cannot both take the last one
      const taken = await tx.stockLevel.updateMany({ where: { siteId, partId: part.id, quantity: { gte: quantity } }, data: { quantity: { decrement: quantity } } });
      if (taken.count === 0) {
        const available = await stockAt(tx, siteId, part.id);
        throw new AppError(
          "BAD_REQUEST",
          `Not enough ${part.partNumber} in stock at this site: requested ${quantity.toString()} ${part.unit}, available ${available.toString()} ${part.unit}. Book what was taken, or ask for a parts request.`,
          { partNumber: part.partNumber, requested: quantity.toNumber(), available: available.toNumber() },
        );
      }
      await tx.stockMovement.create({ data: { siteId, partId: part.id, delta: quantity.neg(), reason: "used", workOrderId: order.id, userId: user.id } });
      const usage = await tx.partUsage.create({
        data: { workOrderId: order.id, partId: part.id, siteId, quantity, unitCost: part.unitCost, userId: user.id, clientKey: input.clientKey },
        select: { id: true },
      });
      const left = await stockAt(tx, siteId, part.id);
      // the shelf went below its reorder point: ask for more now, not when the last one is gone
      const reorder = await requestReorderIfLow(tx, { organizationId: user.organizationId, siteId, partId: part.id });
      await auditWorkOrder(tx, user, order.id, "use_part", { usageId: usage.id, partNumber: part.partNumber, quantity: quantity.toNumber(), stockLeft: left.toNumber(), reorderRequestId: reorder?.id ?? null });
      return { kind: "created" as const, result: { id: usage.id, duplicate: false, stockLeft: left.toNumber(), ...(reorder ? { reorder } : {}) } };
    });
    return outcome.kind === "duplicate" ? await duplicate(outcome.existing) : outcome.result;
  } catch (err) {
    const existing = isUniqueViolation(err) ? await db.partUsage.findUnique({ where: { clientKey: input.clientKey }, select: usageKey }) : null;
    if (existing) return duplicate(existing);
    throw err;
  }
}

/**
 * Puts a booked part back into the site's stock (movement "returned") and removes it from the order.
 * Only while the order is not done: a finished order's costs are its record.
 */
export async function returnPart(db: Db, user: WorkOrderUser, usageId: string): Promise<{ id: string; stockLeft: number }> {
  return db.$transaction(async (tx) => {
    const usage = await tx.partUsage.findFirst({
      where: { id: usageId, workOrder: { organizationId: user.organizationId } },
      select: { id: true, workOrderId: true, siteId: true, partId: true, quantity: true, part: { select: { partNumber: true } } },
    });
    if (!usage) throw notFound("Part usage", usageId);
    const order = await loadOrder(tx, user.organizationId, usage.workOrderId, { lock: true });
    assertCanWork(user, order);
    if (order.status === "done") {
      throw new AppError("CONFLICT", `${label(order.number)} is done; parts cannot be returned from a finished order (a manager can reopen it).`);
    }
    await tx.stockLevel.upsert({
      where: { siteId_partId: { siteId: usage.siteId, partId: usage.partId } },
      create: { siteId: usage.siteId, partId: usage.partId, quantity: usage.quantity },
      update: { quantity: { increment: usage.quantity } },
    });
    await tx.stockMovement.create({ data: { siteId: usage.siteId, partId: usage.partId, delta: usage.quantity, reason: "returned", workOrderId: order.id, userId: user.id } });
    await tx.partUsage.delete({ where: { id: usage.id } });
    const left = await stockAt(tx, usage.siteId, usage.partId);
    await auditWorkOrder(tx, user, order.id, "return_part", { usageId: usage.id, partNumber: usage.part.partNumber, quantity: usage.quantity.toNumber(), stockLeft: left.toNumber() });
    return { id: usage.id, stockLeft: left.toNumber() };
  });
}
