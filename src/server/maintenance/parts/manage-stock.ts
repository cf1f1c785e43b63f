/**
 * Stock of parts per site: goods received, counted adjustments (with a reason), reorder points, and
 * the movements behind every change. Each change writes its movement, audit entry and any automatic
 * reorder in one transaction with the new quantity.
 */
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { getPartView, partsActor, type PartsUser, type PartView } from "./manage-parts";
import { movementReason, parseMovementReason } from "./parts-rules";
import { requestReorderIfLow, type ReorderRequest } from "./request-reorder";

type Tx = Prisma.TransactionClient;

export interface StockChange {
  part: PartView;
  /** the parts request opened because the stock is now at or below its reorder point */
  reorder: ReorderRequest | null;
}

/** The part and site of the caller's organisation, or NOT_FOUND naming which. */
async function loadPartAndSite(db: Db | Tx, organizationId: string, partId: string, siteId: string) {
  // one after the other: inside a transaction both would go to the same connection, and pg refuses
  // (deprecated, removed in pg 9) a query sent while another is running on it
  const part = await db.part.findFirst({ where: { id: partId, organizationId }, select: { id: true, partNumber: true } });
  const site = await db.site.findFirst({ where: { id: siteId, organizationId }, select: { id: true, code: true } });
  if (!part) throw notFound("Part", partId);
  if (!site) throw notFound("Site", siteId);
  return { part, site };
}

/** Locks the stock row of (site, part), creating it at zero first if the site never held the part. */
async function lockStock(tx: Tx, siteId: string, partId: string) {
  // INSERT ... ON CONFLICT DO NOTHING: two first receipts at once must not fail on the unique key
  await tx.stockLevel.createMany({ data: [{ siteId, partId }], skipDuplicates: true });
  await tx.$queryRaw`SELECT 1 FROM stock_level WHERE site_id = ${siteId} AND part_id = ${partId} FOR UPDATE`;
  return tx.stockLevel.findUniqueOrThrow({ where: { siteId_partId: { siteId, partId } }, select: { quantity: true } });
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Adds received goods to the locked stock of (site, part) with a "received" movement; in the caller's transaction. */
export async function addReceivedStock(
  tx: Tx,
  user: PartsUser,
  input: { partId: string; siteId: string; quantity: number; note?: string; partsRequestId?: string | null },
): Promise<void> {
  await lockStock(tx, input.siteId, input.partId);
  await tx.stockLevel.update({ where: { siteId_partId: { siteId: input.siteId, partId: input.partId } }, data: { quantity: { increment: input.quantity } } });
  await tx.stockMovement.create({
    data: {
      siteId: input.siteId,
      partId: input.partId,
      delta: input.quantity,
      reason: movementReason("received", input.note),
      userId: user.id,
      partsRequestId: input.partsRequestId ?? null,
    },
  });
}

/** Adds received goods to a site's stock (movement "received"). */
export async function receiveStock(db: Db, user: PartsUser, input: { partId: string; siteId: string; quantity: number; note?: string }): Promise<StockChange> {
  if (!(input.quantity > 0)) throw new AppError("BAD_REQUEST", `quantity must be above 0 to receive stock (got ${input.quantity}).`, { field: "quantity" });
  const { part, site } = await loadPartAndSite(db, user.organizationId, input.partId, input.siteId);
  const reorder = await db.$transaction(async (tx) => {
    await addReceivedStock(tx, user, { partId: part.id, siteId: site.id, quantity: input.quantity, note: input.note });
    await recordAudit(tx, partsActor(user), {
      organizationId: user.organizationId,
      action: "stock.receive",
      entityType: "part",
      entityId: part.id,
      details: { site: site.code, quantity: input.quantity, note: input.note ?? null },
    });
    // received short of the reorder point (nothing else pending): ask for the rest
    return requestReorderIfLow(tx, { organizationId: user.organizationId, siteId: site.id, partId: part.id });
  });
  return { part: await getPartView(db, user.organizationId, part.id), reorder };
}

/**
 * Corrects a site's stock, by a signed `delta` or to a counted `quantity`, with the person's reason
 * (movement "adjusted: <reason>"). Stock never goes below zero.
 */
export async function adjustStock(
  db: Db,
  user: PartsUser,
  input: { partId: string; siteId: string; delta?: number; countedQuantity?: number; reason: string },
): Promise<StockChange> {
  const reason = input.reason.trim();
  if (!reason) throw new AppError("BAD_REQUEST", "Say why the stock is adjusted (e.g. counted on the shelf, damaged); it is kept with the movement.", { field: "reason" });
  if ((input.delta === undefined) === (input.countedQuantity === undefined)) {
    throw new AppError("BAD_REQUEST", "Give either delta (the change, e.g. -2) or countedQuantity (what is on the shelf), not both.", { field: "delta" });
  }
  const { part, site } = await loadPartAndSite(db, user.organizationId, input.partId, input.siteId);
  const reorder = await db.$transaction(async (tx) => {
    const level = await lockStock(tx, site.id, part.id);
    const before = level.quantity.toNumber();
    const delta = round3(input.delta ?? input.countedQuantity! - before);
    if (delta === 0) throw new AppError("BAD_REQUEST", `The stock of ${part.partNumber} at ${site.code} is already ${before}; nothing to adjust.`, { field: "delta" });
    if (before + delta < 0) {
      throw new AppError("BAD_REQUEST", `The stock of ${part.partNumber} at ${site.code} is ${before}; taking ${-delta} would make it negative.`, { field: "delta" });
    }
    await tx.stockLevel.update({ where: { siteId_partId: { siteId: site.id, partId: part.id } }, data: { quantity: { increment: delta } } });
    await tx.stockMovement.create({ data: { siteId: site.id, partId: part.id, delta, reason: movementReason("adjusted", reason), userId: user.id } });
    await recordAudit(tx, partsActor(user), {
      organizationId: user.organizationId,
      action: "stock.adjust",
      entityType: "part",
      entityId: part.id,
      details: { site: site.code, from: before, delta, reason },
    });
    return requestReorderIfLow(tx, { organizationId: user.organizationId, siteId: site.id, partId: part.id });
  });
  return { part: await getPartView(db, user.organizationId, part.id), reorder };
}

/** Sets the reorder point and quantity (and bin) of a part at a site. */
export async function setReorderLevels(
  db: Db,
  user: PartsUser,
  input: { partId: string; siteId: string; reorderPoint: number; reorderQuantity: number; bin?: string | null },
): Promise<StockChange> {
  if (input.reorderPoint < 0) throw new AppError("BAD_REQUEST", "reorderPoint cannot be negative.", { field: "reorderPoint" });
  if (input.reorderQuantity < 0) throw new AppError("BAD_REQUEST", "reorderQuantity cannot be negative.", { field: "reorderQuantity" });
  const { part, site } = await loadPartAndSite(db, user.organizationId, input.partId, input.siteId);
  const reorder = await db.$transaction(async (tx) => {
    await lockStock(tx, site.id, part.id);
    await tx.stockLevel.update({
      where: { siteId_partId: { siteId: site.id, partId: part.id } },
      data: { reorderPoint: input.reorderPoint, reorderQuantity: input.reorderQuantity, ...(input.bin !== undefined ? { bin: input.bin?.trim() || null } : {}) },
    });
    await recordAudit(tx, partsActor(user), {
      organizationId: user.organizationId,
      action: "stock.set_reorder",
      entityType: "part",
      entityId: part.id,
      details: { site: site.code, reorderPoint: input.reorderPoint, reorderQuantity: input.reorderQuantity },
    });
    // a point raised above today's stock is a reorder now
    return requestReorderIfLow(tx, { organizationId: user.organizationId, siteId: site.id, partId: part.id });
  });
  return { part: await getPartView(db, user.organizationId, part.id), reorder };
}

export interface MovementView {
  id: string;
  at: Date;
  delta: number;
  kind: string;
  note: string | null;
  part: { id: string; partNumber: string; name: string; unit: string };
  site: { id: string; code: string };
  user: { id: string; name: string } | null;
  workOrder: { id: string; number: number } | null;
  partsRequestId: string | null;
}

/** Stock movements of the organisation, newest first. */
export async function listStockMovements(db: Db, organizationId: string, filter: { partId?: string; siteId?: string; limit?: number } = {}): Promise<MovementView[]> {
  const rows = await db.stockMovement.findMany({
    where: { part: { organizationId }, site: { organizationId }, ...(filter.partId ? { partId: filter.partId } : {}), ...(filter.siteId ? { siteId: filter.siteId } : {}) },
    select: {
      id: true,
      at: true,
      delta: true,
      reason: true,
      userId: true,
      workOrderId: true,
      partsRequestId: true,
      part: { select: { id: true, partNumber: true, name: true, unit: true } },
      site: { select: { id: true, code: true } },
    },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(filter.limit ?? 50, 1), 500),
  });
  // movements keep plain ids (no relations in the schema): names and numbers are looked up
  const userIds = [...new Set(rows.map((r) => r.userId).filter((x): x is string => !!x))];
  const orderIds = [...new Set(rows.map((r) => r.workOrderId).filter((x): x is string => !!x))];
  const [users, orders] = await Promise.all([
    userIds.length ? db.user.findMany({ where: { id: { in: userIds }, organizationId }, select: { id: true, name: true } }) : [],
    orderIds.length ? db.workOrder.findMany({ where: { id: { in: orderIds }, organizationId }, select: { id: true, number: true } }) : [],
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const orderById = new Map(orders.map((o) => [o.id, o]));
  return rows.map((r) => {
    const { kind, note } = parseMovementReason(r.reason);
    return {
      id: r.id,
      at: r.at,
      delta: r.delta.toNumber(),
      kind,
      note,
      part: r.part,
      site: r.site,
      user: r.userId ? (userById.get(r.userId) ?? null) : null,
      workOrder: r.workOrderId ? (orderById.get(r.workOrderId) ?? null) : null,
      partsRequestId: r.partsRequestId,
    };
  });
}

