/**
 * What every work-order use case shares: the caller, loading an order of the caller's organisation
 * (another organisation's order is simply not found), the rights checks and the audit entry.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { RoleName } from "@/lib/roles";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { editRefusal, workRefusal, type RightsOrder } from "./rules";

export type Tx = Prisma.TransactionClient;
type DbOrTx = Db | Tx;

/** The signed-in caller (SessionUser fits). */
export interface WorkOrderUser {
  id: string;
  email: string;
  role: RoleName;
  organizationId: string;
}

export const actorOf = (user: WorkOrderUser): Actor => ({ type: "user", userId: user.id, label: user.email });

const orderForChange = {
  id: true,
  number: true,
  organizationId: true,
  type: true,
  status: true,
  title: true,
  description: true,
  priority: true,
  dueAt: true,
  systemId: true,
  componentId: true,
  assigneeId: true,
  requestedById: true,
  closedById: true,
  startedAt: true,
  checklist: true,
  failureModeId: true,
  failureCauseId: true,
  remedyId: true,
  downtimeStart: true,
  downtimeEnd: true,
  assignee: { select: { name: true } },
  system: { select: { siteId: true, code: true } },
  component: { select: { type: true, code: true } },
} satisfies Prisma.WorkOrderSelect;

export type OrderForChange = Prisma.WorkOrderGetPayload<{ select: typeof orderForChange }>;

/**
 * Loads an order of the caller's organisation for a change. In a transaction the row is locked
 * (FOR UPDATE) so two concurrent changes of one order apply one after the other.
 */
export async function loadOrder(db: DbOrTx, organizationId: string, id: string, opts: { lock?: boolean } = {}): Promise<OrderForChange> {
  if (opts.lock) await (db as Tx).$queryRaw`SELECT 1 FROM work_order WHERE id = ${id} AND organization_id = ${organizationId} FOR UPDATE`;
  const order = await db.workOrder.findFirst({ where: { id, organizationId }, select: orderForChange });
  if (!order) throw notFound("Work order", id);
  return order;
}

export const rightsOf = (order: OrderForChange): RightsOrder => ({
  number: order.number,
  status: order.status,
  assigneeId: order.assigneeId,
  requestedById: order.requestedById,
  closedById: order.closedById,
  assigneeName: order.assignee?.name ?? null,
});

export function assertCanWork(user: WorkOrderUser, order: OrderForChange): void {
  const refusal = workRefusal(user, rightsOf(order));
  if (refusal) throw new AppError("FORBIDDEN", refusal, { workOrderId: order.id });
}

export function assertCanEdit(user: WorkOrderUser, order: OrderForChange): void {
  const refusal = editRefusal(user, rightsOf(order));
  if (refusal) throw new AppError("FORBIDDEN", refusal, { workOrderId: order.id });
}

export async function auditWorkOrder(tx: Tx, user: WorkOrderUser, workOrderId: string, action: string, details?: Prisma.InputJsonValue): Promise<void> {
  await recordAudit(tx, actorOf(user), { organizationId: user.organizationId, action: `work_order.${action}`, entityType: "work_order", entityId: workOrderId, details });
}

/** An active user of the organisation who can carry out work (technician and above). */
export async function findAssignee(db: DbOrTx, organizationId: string, userId: string): Promise<{ id: string; name: string }> {
  const user = await db.user.findFirst({ where: { id: userId, organizationId, active: true }, select: { id: true, name: true, role: true } });
  if (!user) throw notFound("User", userId);
  if (user.role === "viewer") throw new AppError("BAD_REQUEST", `${user.name} is a viewer and cannot carry out work orders; assign a technician or manager.`);
  return { id: user.id, name: user.name };
}

/** True for Postgres unique violations (Prisma P2002), the race of two replays with one clientKey. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}
