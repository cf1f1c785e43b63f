import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { assertCanWork, auditWorkOrder, isUniqueViolation, loadOrder, type WorkOrderUser } from "./access";
import { sameOrderOrConflict, type Idempotent } from "./log-labour";

export const MAX_COMMENT = 4000;

/** Adds a comment to an order, once per clientKey. */
export async function commentOnWorkOrder(db: Db, user: WorkOrderUser, input: { id: string; body: string; clientKey: string }): Promise<Idempotent> {
  const body = input.body.trim();
  if (!body) throw new AppError("BAD_REQUEST", "A comment needs some text.");
  if (body.length > MAX_COMMENT) throw new AppError("BAD_REQUEST", `A comment is at most ${MAX_COMMENT} characters (this one has ${body.length}).`);
  try {
    return await db.$transaction(async (tx) => {
      const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
      const existing = await tx.workOrderComment.findUnique({ where: { clientKey: input.clientKey }, select: { id: true, workOrderId: true } });
      if (existing) return sameOrderOrConflict(existing, order.id, "comment", input.clientKey);
      assertCanWork(user, order);
      const comment = await tx.workOrderComment.create({ data: { workOrderId: order.id, userId: user.id, body, clientKey: input.clientKey }, select: { id: true } });
      await auditWorkOrder(tx, user, order.id, "comment", { commentId: comment.id });
      return { id: comment.id, duplicate: false };
    });
  } catch (err) {
    const existing = isUniqueViolation(err) ? await db.workOrderComment.findUnique({ where: { clientKey: input.clientKey }, select: { id: true, workOrderId: true } }) : null;
    if (existing) return sameOrderOrConflict(existing, input.id, "comment", input.clientKey);
    throw err;
  }
}
