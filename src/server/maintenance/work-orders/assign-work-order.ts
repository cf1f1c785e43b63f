import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { auditWorkOrder, findAssignee, loadOrder, type WorkOrderUser } from "./access";
import { isTerminal, label } from "./rules";

export interface AssignmentResult {
  id: string;
  assigneeId: string | null;
  assignee: string | null;
}

/** Managers assign an order to anyone of the organisation who can carry it out, or unassign it (null). */
export async function assignWorkOrder(db: Db, user: WorkOrderUser, input: { id: string; assigneeId: string | null }): Promise<AssignmentResult> {
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
    const assignee = input.assigneeId ? await findAssignee(tx, user.organizationId, input.assigneeId) : null;
    if (order.assigneeId === input.assigneeId) return { id: order.id, assigneeId: order.assigneeId, assignee: assignee?.name ?? null };
    await tx.workOrder.update({ where: { id: order.id }, data: { assigneeId: input.assigneeId } });
    await auditWorkOrder(tx, user, order.id, "assign", { from: order.assigneeId, to: input.assigneeId });
    return { id: order.id, assigneeId: input.assigneeId, assignee: assignee?.name ?? null };
  });
}

/** A technician takes an unassigned order. Taking one's own order again is a no-op. */
export async function takeWorkOrder(db: Db, user: WorkOrderUser, id: string): Promise<AssignmentResult> {
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, id, { lock: true });
    const me = await findAssignee(tx, user.organizationId, user.id);
    if (order.assigneeId === user.id) return { id: order.id, assigneeId: user.id, assignee: me.name };
    if (order.assigneeId) {
      throw new AppError("CONFLICT", `${label(order.number)} is already assigned to ${order.assignee?.name ?? "someone else"}; ask a manager to reassign it.`, { workOrderId: order.id });
    }
    if (isTerminal(order.status)) throw new AppError("CONFLICT", `${label(order.number)} is ${order.status}; there is nothing left to take on.`, { workOrderId: order.id });
    await tx.workOrder.update({ where: { id: order.id }, data: { assigneeId: user.id } });
    await auditWorkOrder(tx, user, order.id, "take", { from: null, to: user.id });
    return { id: order.id, assigneeId: user.id, assignee: me.name };
  });
}
