import type { ApprovalStatus, Priority, WorkOrderType } from "@/generated/prisma/enums";
import { hasRole } from "@/lib/roles";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { auditWorkOrder, findAssignee, isUniqueViolation, type Tx, type WorkOrderUser } from "./access";
import { PRIORITY_OF_SEVERITY } from "./rules";

export interface CreateWorkOrderInput {
  systemCode: string;
  componentCode?: string;
  type: WorkOrderType;
  priority?: Priority;
  title: string;
  description?: string;
  dueAt?: Date;
  assigneeId?: string;
  checklist?: string[];
  /** chosen by the phone when the form was opened: a replay of the same order creates nothing */
  clientKey?: string;
}

export const MAX_TITLE = 200;

type CreatedOrder = { id: string; number: number };

/**
 * The order already stored under a clientKey. Another organisation's order with that key is a
 * conflict that says nothing about it: neither its id nor its number nor that it is an order.
 */
async function storedUnderKey(db: Db | Tx, user: WorkOrderUser, clientKey: string): Promise<CreatedOrder | null> {
  const existing = await db.workOrder.findUnique({ where: { clientKey }, select: { id: true, number: true, organizationId: true } });
  if (!existing) return null;
  if (existing.organizationId !== user.organizationId) {
    throw new AppError("CONFLICT", `The clientKey "${clientKey}" is already in use; generate a new key for each new work order.`);
  }
  return { id: existing.id, number: existing.number };
}

/**
 * Opens a work order on a system (and optionally one of its components) of the caller's organisation.
 * With a clientKey it is created once: the phone's offline queue replaying it after a lost answer
 * (issue 5) gets the stored order back, with nothing written.
 */
export async function createWorkOrder(db: Db, user: WorkOrderUser, input: CreateWorkOrderInput): Promise<CreatedOrder> {
  const title = input.title.trim();
  if (!title) throw new AppError("BAD_REQUEST", "A work order needs a title saying what is to be done.");
  if (input.assigneeId && input.assigneeId !== user.id && !hasRole(user.role, "manager")) {
    throw new AppError("FORBIDDEN", "Technicians may assign a new work order only to themselves; a manager assigns it to someone else.");
  }
  const { clientKey } = input;
  try {
    return await db.$transaction(async (tx) => {
      if (clientKey) {
        // two replays of one order at once queue here, so the second finds the first's row rather
        // than burning a work-order number on a unique violation
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`work_order_create:${clientKey}`}))`;
        // before the checks below: a replay must not fail because the system or assignee changed since
        const stored = await storedUnderKey(tx, user, clientKey);
        if (stored) return stored;
      }
      return await insertNewOrder(tx, user, input, title);
    });
  } catch (err) {
    const stored = clientKey && isUniqueViolation(err) ? await storedUnderKey(db, user, clientKey) : null;
    if (stored) return stored;
    throw err;
  }
}

async function insertNewOrder(tx: Tx, user: WorkOrderUser, input: CreateWorkOrderInput, title: string): Promise<CreatedOrder> {
  const system = await tx.treatmentSystem.findFirst({ where: { code: input.systemCode, organizationId: user.organizationId }, select: { id: true } });
  if (!system) throw notFound("System", input.systemCode);
  let componentId: string | null = null;
  if (input.componentCode) {
    const component = await tx.component.findFirst({ where: { systemId: system.id, code: input.componentCode }, select: { id: true } });
    if (!component) throw new AppError("NOT_FOUND", `System ${input.systemCode} has no component "${input.componentCode}".`);
    componentId = component.id;
  }
  if (input.assigneeId) await findAssignee(tx, user.organizationId, input.assigneeId);
  const checklist = (input.checklist ?? []).map((l) => l.trim()).filter(Boolean).map((l) => ({ label: l, done: false }));
  const order = await insertOrder(tx, user, {
    type: input.type,
    priority: input.priority ?? "medium",
    title,
    description: input.description?.trim() || null,
    systemId: system.id,
    componentId,
    assigneeId: input.assigneeId ?? null,
    dueAt: input.dueAt ?? null,
    alertId: null,
    checklist,
    clientKey: input.clientKey ?? null,
  });
  await auditWorkOrder(tx, user, order.id, "create", { number: order.number, systemCode: input.systemCode, componentCode: input.componentCode ?? null, type: input.type, assigneeId: input.assigneeId ?? null });
  return order;
}

/**
 * The one insert of a new order with its first status-history row. `by.id` null: opened by the
 * platform (the prediction workflow), with no requester; the caller writes the audit entry.
 */
export async function insertOrder(
  tx: Tx,
  by: { id: string | null; organizationId: string },
  data: {
    type: WorkOrderType;
    priority: Priority;
    title: string;
    description: string | null;
    systemId: string;
    componentId: string | null;
    assigneeId: string | null;
    dueAt: Date | null;
    alertId: string | null;
    checklist: { label: string; done: boolean }[];
    clientKey?: string | null;
    predictionId?: string | null;
    /** default "open"; "requested" waits for a manager's approval */
    status?: "open" | "requested";
    approvalStatus?: ApprovalStatus;
    /** the status-history row's note */
    note?: string | null;
  },
): Promise<CreatedOrder> {
  const { status = "open", note = null, ...fields } = data;
  const order = await tx.workOrder.create({
    data: { ...fields, organizationId: by.organizationId, status, requestedById: by.id, checklist: data.checklist },
    select: { id: true, number: true },
  });
  await tx.workOrderStatusChange.create({ data: { workOrderId: order.id, fromStatus: null, toStatus: status, userId: by.id, note } });
  return order;
}

/**
 * A corrective order for an alert: title, system, component and priority come from the alert. One
 * alert gets one open order: asking again (a second technician, a double tap) returns the open one.
 */
export async function createWorkOrderFromAlert(db: Db, user: WorkOrderUser, alertId: string): Promise<{ id: string; number: number; created: boolean }> {
  return db.$transaction(async (tx) => {
    const alert = await tx.alert.findFirst({
      where: { id: alertId, organizationId: user.organizationId },
      select: { id: true, message: true, severity: true, systemId: true, componentId: true, value: true, raisedAt: true, system: { select: { code: true } }, component: { select: { code: true } } },
    });
    if (!alert) throw notFound("Alert", alertId);
    // serialises concurrent requests for the same alert, so the check below cannot race
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`work_order_from_alert:${alert.id}`}))`;
    const existing = await tx.workOrder.findFirst({
      where: { alertId: alert.id, organizationId: user.organizationId, status: { notIn: ["done", "cancelled"] } },
      orderBy: { number: "asc" },
      select: { id: true, number: true },
    });
    if (existing) return { ...existing, created: false };
    const where = alert.component ? `${alert.system.code} / ${alert.component.code}` : alert.system.code;
    const title = alert.message.length > MAX_TITLE ? `${alert.message.slice(0, MAX_TITLE - 1)}…` : alert.message;
    const order = await insertOrder(tx, user, {
      type: "corrective",
      priority: PRIORITY_OF_SEVERITY[alert.severity],
      title,
      description: `From the ${alert.severity} alert on ${where} raised ${alert.raisedAt.toISOString()}${alert.value !== null ? ` (value ${alert.value})` : ""}: ${alert.message}`,
      systemId: alert.systemId,
      componentId: alert.componentId,
      assigneeId: null,
      dueAt: null,
      alertId: alert.id,
      checklist: [],
    });
    await auditWorkOrder(tx, user, order.id, "create_from_alert", { number: order.number, alertId: alert.id, severity: alert.severity });
    return { ...order, created: true };
  });
}
