import type { WorkOrderStatus } from "@/generated/prisma/enums";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { actorOf, assertCanWork, auditWorkOrder, loadOrder, type OrderForChange, type Tx, type WorkOrderUser } from "./access";
import { approvalDecision, approvalRefusal, awaitsApproval, canMove, label, STATUS_TRANSITIONS } from "./rules";

/**
 * Moves an order along the status machine (rules.ts). Setting the status it already has succeeds
 * without writing anything, so a phone replaying its offline queue cannot fail or double-log.
 *
 * A predictive order awaiting approval is decided here too: approving (-> open) or dismissing
 * (-> cancelled, with the reason as the note) is for managers and admins, and decides the parts
 * requests the prediction opened with it in the same transaction: one decision, not several.
 */
export async function setWorkOrderStatus(
  db: Db,
  user: WorkOrderUser,
  input: { id: string; status: WorkOrderStatus; note?: string },
): Promise<{ id: string; status: WorkOrderStatus }> {
  if (input.status === "done") {
    throw new AppError("BAD_REQUEST", "A work order is finished with close (it records the failure codes and downtime), not by setting the status to done.");
  }
  const note = input.note?.trim() || null;
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
    assertCanWork(user, order);
    if (order.status === input.status) return { id: order.id, status: order.status };
    const refusal = approvalRefusal(user, order);
    if (refusal) throw new AppError("FORBIDDEN", refusal, { workOrderId: order.id });
    if (!canMove(order.status, input.status)) {
      const allowed = STATUS_TRANSITIONS[order.status];
      const options = allowed.length ? `it can go to ${allowed.join(", ")}` : order.status === "done" ? "a manager can reopen it" : "it cannot change any more";
      throw new AppError("CONFLICT", `${label(order.number)} is ${order.status}; it cannot go to ${input.status} (${options}).`, { workOrderId: order.id });
    }
    const decision = awaitsApproval(order) ? approvalDecision(input.status) : null;
    if (decision === "dismiss" && !note) {
      // the reason is what the prediction job shows when it holds back the next order (its cooldown)
      throw new AppError(
        "BAD_REQUEST",
        `Dismissing predictive work order ${label(order.number)} needs a reason: say why the prediction is not acted on (e.g. "cartridges changed yesterday").`,
        { workOrderId: order.id, field: "note" },
      );
    }
    const firstStart = input.status === "in_progress" && !order.startedAt;
    await tx.workOrder.update({
      where: { id: order.id },
      data: {
        status: input.status,
        ...(firstStart ? { startedAt: new Date() } : {}),
        ...(decision === "approve" ? { approvalStatus: "approved", approvedById: user.id } : decision === "dismiss" ? { approvalStatus: "rejected" } : {}),
      },
    });
    await tx.workOrderStatusChange.create({ data: { workOrderId: order.id, fromStatus: order.status, toStatus: input.status, userId: user.id, note } });
    const partsRequests = decision ? await decideLinkedPartsRequests(tx, user, order, decision, note) : undefined;
    await auditWorkOrder(tx, user, order.id, "set_status", { from: order.status, to: input.status, note, ...(decision ? { decision, partsRequests } : {}) });
    return { id: order.id, status: input.status };
  });
}

/**
 * Approves or cancels the order's parts requests that are still only requested (those a manager
 * already handled on the parts page keep their state), each with its own audit entry. The rows are
 * locked like changePartsRequest locks them, so a decision on the parts page cannot interleave.
 */
async function decideLinkedPartsRequests(tx: Tx, user: WorkOrderUser, order: OrderForChange, decision: "approve" | "dismiss", note: string | null): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM parts_request
    WHERE work_order_id = ${order.id} AND organization_id = ${user.organizationId} AND status = 'requested'
    ORDER BY created_at, id
    FOR UPDATE`;
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return ids;
  const now = new Date();
  await tx.partsRequest.updateMany({
    where: { id: { in: ids } },
    data: decision === "approve" ? { status: "approved", approvedById: user.id, approvedAt: now } : { status: "cancelled" },
  });
  for (const id of ids) {
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: decision === "approve" ? "parts_request.approve" : "parts_request.cancel",
      entityType: "parts_request",
      entityId: id,
      details: { from: "requested", workOrder: order.number, note, via: `work_order.${decision}` },
    });
  }
  return ids;
}
