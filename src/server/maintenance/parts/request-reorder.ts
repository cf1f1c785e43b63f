/**
 * The automatic reorder: after stock of a part at a site went down (used on a work order, adjusted)
 * or was received short, open a parts request when the stock is at or below its reorder point and
 * nothing for that part and site is already on its way (requested, approved or ordered).
 *
 * Call it inside the transaction that changed the stock, after the change:
 *   await requestReorderIfLow(tx, { organizationId, siteId, partId });
 * The stock row is locked (FOR UPDATE) so two concurrent callers open one request, not two.
 */
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "@/server/audit";
import { isBelowReorder, PENDING_REQUEST_STATUSES, reorderAmount } from "./parts-rules";

type Tx = Prisma.TransactionClient;

export const REORDER_REASON = "below reorder point";

export interface ReorderRequest {
  id: string;
  quantity: number;
}

export async function requestReorderIfLow(tx: Tx, ref: { organizationId: string; siteId: string; partId: string }): Promise<ReorderRequest | null> {
  await tx.$queryRaw`SELECT 1 FROM stock_level WHERE site_id = ${ref.siteId} AND part_id = ${ref.partId} FOR UPDATE`;
  const level = await tx.stockLevel.findFirst({
    // both the part and the site must be the organisation's: never reorder across organisations
    where: { siteId: ref.siteId, partId: ref.partId, part: { organizationId: ref.organizationId }, site: { organizationId: ref.organizationId } },
    select: { quantity: true, reorderPoint: true, reorderQuantity: true },
  });
  if (!level) return null;
  const quantity = level.quantity.toNumber();
  const point = level.reorderPoint.toNumber();
  const amount = reorderAmount(point, level.reorderQuantity.toNumber());
  if (!isBelowReorder(quantity, point, level.reorderQuantity.toNumber())) return null;
  const pending = await tx.partsRequest.findFirst({
    where: { organizationId: ref.organizationId, siteId: ref.siteId, partId: ref.partId, status: { in: [...PENDING_REQUEST_STATUSES] } },
    select: { id: true },
  });
  if (pending) return null;
  const request = await tx.partsRequest.create({
    data: { organizationId: ref.organizationId, siteId: ref.siteId, partId: ref.partId, quantity: amount, status: "requested", reason: REORDER_REASON, requestedById: null },
    select: { id: true },
  });
  await recordAudit(tx, { type: "system", label: "reorder" }, {
    organizationId: ref.organizationId,
    action: "parts_request.create",
    entityType: "parts_request",
    entityId: request.id,
    details: { reason: REORDER_REASON, quantity: amount, stock: quantity, reorderPoint: point },
  });
  return { id: request.id, quantity: amount };
}
