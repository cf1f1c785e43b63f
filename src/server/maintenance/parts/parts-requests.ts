/**
 * Parts requests: technicians (and up) ask for parts for a site, optionally for a work order;
 * managers approve or reject, then mark them ordered and received. Receiving adds the quantity to
 * the site's stock (movement "received"). Status changes follow REQUEST_TRANSITIONS; each is written
 * under the request's row lock with its audit entry, so two people acting at once cannot both win.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { PartsRequestStatus } from "@/generated/prisma/enums";
import { hasRole, type RoleName } from "@/lib/roles";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { partsActor, type PartsUser } from "./manage-parts";
import { addReceivedStock } from "./manage-stock";
import { transitionRefusal, type PartsRequestAction } from "./parts-rules";
import { requestReorderIfLow, REORDER_REASON } from "./request-reorder";

type Tx = Prisma.TransactionClient;

export interface PartsRequestUser extends PartsUser {
  role: RoleName;
}

export interface PartsRequestView {
  id: string;
  status: PartsRequestStatus;
  quantity: number;
  reason: string | null;
  /** opened by the automatic reorder (stock at or below the reorder point) */
  automatic: boolean;
  part: { id: string; partNumber: string; name: string; unit: string };
  site: { id: string; code: string; name: string };
  workOrder: { id: string; number: number; title: string } | null;
  requestedBy: { id: string; name: string } | null;
  approvedBy: { id: string; name: string } | null;
  createdAt: Date;
  approvedAt: Date | null;
  orderedAt: Date | null;
  receivedAt: Date | null;
}

const requestSelect = {
  id: true,
  status: true,
  quantity: true,
  reason: true,
  requestedById: true,
  createdAt: true,
  approvedAt: true,
  orderedAt: true,
  receivedAt: true,
  part: { select: { id: true, partNumber: true, name: true, unit: true } },
  site: { select: { id: true, code: true, name: true } },
  workOrder: { select: { id: true, number: true, title: true } },
  requestedBy: { select: { id: true, name: true } },
  approvedBy: { select: { id: true, name: true } },
} satisfies Prisma.PartsRequestSelect;

type RequestRow = Prisma.PartsRequestGetPayload<{ select: typeof requestSelect }>;

function toView(r: RequestRow): PartsRequestView {
  return {
    id: r.id,
    status: r.status,
    quantity: r.quantity.toNumber(),
    reason: r.reason,
    automatic: r.requestedById === null && r.reason === REORDER_REASON,
    part: r.part,
    site: r.site,
    workOrder: r.workOrder,
    requestedBy: r.requestedBy,
    approvedBy: r.approvedBy,
    createdAt: r.createdAt,
    approvedAt: r.approvedAt,
    orderedAt: r.orderedAt,
    receivedAt: r.receivedAt,
  };
}

export interface PartsRequestFilter {
  status?: PartsRequestStatus[];
  siteId?: string;
  partId?: string;
  requestedById?: string;
  limit?: number;
}

export async function listPartsRequests(db: Db, organizationId: string, filter: PartsRequestFilter = {}): Promise<PartsRequestView[]> {
  const rows = await db.partsRequest.findMany({
    where: {
      organizationId,
      ...(filter.status?.length ? { status: { in: filter.status } } : {}),
      ...(filter.siteId ? { siteId: filter.siteId } : {}),
      ...(filter.partId ? { partId: filter.partId } : {}),
      ...(filter.requestedById ? { requestedById: filter.requestedById } : {}),
    },
    select: requestSelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(filter.limit ?? 100, 1), 500),
  });
  return rows.map(toView);
}

export async function createPartsRequest(
  db: Db,
  user: PartsRequestUser,
  input: { partId: string; siteId: string; quantity: number; reason?: string | null; workOrderId?: string | null },
): Promise<PartsRequestView> {
  if (!(input.quantity > 0)) throw new AppError("BAD_REQUEST", `quantity must be above 0 (got ${input.quantity}).`, { field: "quantity" });
  const [part, site, workOrder] = await Promise.all([
    db.part.findFirst({ where: { id: input.partId, organizationId: user.organizationId }, select: { id: true, partNumber: true } }),
    db.site.findFirst({ where: { id: input.siteId, organizationId: user.organizationId }, select: { id: true, code: true } }),
    input.workOrderId ? db.workOrder.findFirst({ where: { id: input.workOrderId, organizationId: user.organizationId }, select: { id: true, number: true } }) : null,
  ]);
  if (!part) throw notFound("Part", input.partId);
  if (!site) throw notFound("Site", input.siteId);
  if (input.workOrderId && !workOrder) throw notFound("Work order", input.workOrderId);
  const id = await db.$transaction((tx) =>
    insertPartsRequest(tx, partsActor(user), {
      organizationId: user.organizationId,
      part,
      site,
      quantity: input.quantity,
      reason: input.reason?.trim() || null,
      workOrder,
      predictionId: null,
      requestedById: user.id,
    }),
  );
  return toView(await db.partsRequest.findUniqueOrThrow({ where: { id }, select: requestSelect }));
}

/**
 * The one insert of a new request (status requested) with its audit entry, inside the caller's
 * transaction: a person's request above, or the prediction workflow's (no requester, the platform as
 * actor). Part, site and work order must already be checked to belong to the organisation.
 */
export async function insertPartsRequest(
  tx: Tx,
  actor: Actor,
  r: {
    organizationId: string;
    part: { id: string; partNumber: string };
    site: { id: string; code: string };
    quantity: number;
    reason: string | null;
    workOrder: { id: string; number: number } | null;
    predictionId: string | null;
    requestedById: string | null;
  },
): Promise<string> {
  const row = await tx.partsRequest.create({
    data: {
      organizationId: r.organizationId,
      partId: r.part.id,
      siteId: r.site.id,
      quantity: r.quantity,
      reason: r.reason,
      workOrderId: r.workOrder?.id ?? null,
      predictionId: r.predictionId,
      requestedById: r.requestedById,
    },
    select: { id: true },
  });
  await recordAudit(tx, actor, {
    organizationId: r.organizationId,
    action: "parts_request.create",
    entityType: "parts_request",
    entityId: row.id,
    details: { part: r.part.partNumber, site: r.site.code, quantity: r.quantity, workOrder: r.workOrder?.number ?? null, ...(r.predictionId ? { predictionId: r.predictionId } : {}) },
  });
  return row.id;
}

/**
 * Moves a request along: approve / reject / order / receive (managers and admins), cancel (managers,
 * or the technician who asked while it is still only requested). Receiving adds the stock.
 */
export async function changePartsRequest(db: Db, user: PartsRequestUser, id: string, action: PartsRequestAction, note?: string | null): Promise<PartsRequestView> {
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM parts_request WHERE id = ${id} AND organization_id = ${user.organizationId} FOR UPDATE`;
    const request = await tx.partsRequest.findFirst({
      where: { id, organizationId: user.organizationId },
      select: { id: true, status: true, partId: true, siteId: true, quantity: true, requestedById: true },
    });
    if (!request) throw notFound("Parts request", id);
    assertMayChange(user, action, request);
    const refusal = transitionRefusal(action, request.status);
    if (refusal) throw new AppError("CONFLICT", `${refusal} (request ${id})`);
    const now = new Date();
    await tx.partsRequest.update({ where: { id }, data: { ...changeData(action, user, now) } });
    if (action === "receive") await receiveRequest(tx, user, request);
    await recordAudit(tx, partsActor(user), {
      organizationId: user.organizationId,
      action: `parts_request.${action}`,
      entityType: "parts_request",
      entityId: id,
      details: { from: request.status, note: note?.trim() || null },
    });
  });
  return toView(await db.partsRequest.findUniqueOrThrow({ where: { id }, select: requestSelect }));
}

function assertMayChange(user: PartsRequestUser, action: PartsRequestAction, request: { status: PartsRequestStatus; requestedById: string | null }): void {
  if (hasRole(user.role, "manager")) return;
  const ownCancel = action === "cancel" && request.requestedById === user.id && request.status === "requested";
  if (ownCancel) return;
  const what = action === "cancel" ? "cancel another person's request, or one already approved" : `${action} parts requests`;
  throw new AppError("FORBIDDEN", `Only managers and admins may ${what}; you are signed in as ${user.role}.`);
}

function changeData(action: PartsRequestAction, user: PartsRequestUser, now: Date): Prisma.PartsRequestUncheckedUpdateInput {
  switch (action) {
    case "approve":
      return { status: "approved", approvedById: user.id, approvedAt: now };
    case "reject":
      return { status: "rejected" };
    case "order":
      return { status: "ordered", orderedAt: now };
    case "receive":
      return { status: "received", receivedAt: now };
    case "cancel":
      return { status: "cancelled" };
  }
}

async function receiveRequest(tx: Tx, user: PartsRequestUser, r: { id: string; partId: string; siteId: string; quantity: { toNumber(): number } }): Promise<void> {
  await addReceivedStock(tx, user, { partId: r.partId, siteId: r.siteId, quantity: r.quantity.toNumber(), partsRequestId: r.id });
  // still at or below the reorder point after this delivery: the next request is opened at once
  await requestReorderIfLow(tx, { organizationId: user.organizationId, siteId: r.siteId, partId: r.partId });
}
