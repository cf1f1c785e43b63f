import type { Prisma } from "@/generated/prisma/client";
import type { Priority } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { assertCanEdit, assertCanWork, auditWorkOrder, loadOrder, type WorkOrderUser } from "./access";
import { label, mergeChecklist, parseChecklist, type ChecklistItem } from "./rules";

export interface UpdateWorkOrderInput {
  id: string;
  title?: string;
  description?: string | null;
  priority?: Priority;
  dueAt?: Date | null;
  componentCode?: string | null;
}

/** Edits an order's own fields (edit rights: rules.ts). Only the fields given change. */
export async function updateWorkOrder(db: Db, user: WorkOrderUser, input: UpdateWorkOrderInput): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
    assertCanEdit(user, order);
    const data: Prisma.WorkOrderUncheckedUpdateInput = {};
    const changes: Record<string, { from: Prisma.InputJsonValue | null; to: Prisma.InputJsonValue | null }> = {};
    if (input.title !== undefined) {
      const title = input.title.trim();
      if (!title) throw new AppError("BAD_REQUEST", "The title cannot be empty; say what is to be done.");
      data.title = title;
      changes.title = { from: order.title, to: title };
    }
    if (input.description !== undefined) {
      data.description = input.description?.trim() || null;
      changes.description = { from: order.description, to: data.description };
    }
    if (input.priority !== undefined) {
      data.priority = input.priority;
      changes.priority = { from: order.priority, to: input.priority };
    }
    if (input.dueAt !== undefined) {
      data.dueAt = input.dueAt;
      changes.dueAt = { from: order.dueAt?.toISOString() ?? null, to: input.dueAt?.toISOString() ?? null };
    }
    if (input.componentCode !== undefined) {
      let componentId: string | null = null;
      if (input.componentCode !== null) {
        const component = await tx.component.findFirst({ where: { systemId: order.systemId, code: input.componentCode }, select: { id: true } });
        if (!component) throw new AppError("NOT_FOUND", `System ${order.system.code} has no component "${input.componentCode}" (${label(order.number)} stays on its system).`);
        componentId = component.id;
      }
      data.componentId = componentId;
      changes.component = { from: order.component?.code ?? null, to: input.componentCode };
    }
    if (Object.keys(data).length === 0) return { id: order.id };
    await tx.workOrder.update({ where: { id: order.id }, data });
    await auditWorkOrder(tx, user, order.id, "update", changes);
    return { id: order.id };
  });
}

/** Ticks (or unticks) one checklist item: part of doing the work, so any technician on an open order may. */
export async function setChecklistItem(db: Db, user: WorkOrderUser, input: { id: string; index: number; done: boolean }): Promise<{ id: string; checklist: ChecklistItem[] }> {
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
    assertCanWork(user, order);
    const checklist = parseChecklist(order.checklist);
    const item = checklist[input.index];
    if (!item) {
      throw new AppError("BAD_REQUEST", `${label(order.number)} has ${checklist.length} checklist item(s) (index 0 to ${checklist.length - 1}); there is no item ${input.index}.`);
    }
    if (item.done === input.done) return { id: order.id, checklist };
    item.done = input.done;
    await tx.workOrder.update({ where: { id: order.id }, data: { checklist: checklist as unknown as Prisma.InputJsonValue } });
    await auditWorkOrder(tx, user, order.id, "checklist_item", { index: input.index, label: item.label, done: input.done });
    return { id: order.id, checklist };
  });
}

/** Replaces the checklist's items, keeping the done flags of labels that stay. */
export async function setChecklist(db: Db, user: WorkOrderUser, input: { id: string; items: string[] }): Promise<{ id: string; checklist: ChecklistItem[] }> {
  const labels = input.items.map((l) => l.trim()).filter(Boolean);
  return db.$transaction(async (tx) => {
    const order = await loadOrder(tx, user.organizationId, input.id, { lock: true });
    assertCanEdit(user, order);
    const before = parseChecklist(order.checklist);
    const checklist = mergeChecklist(before, labels);
    await tx.workOrder.update({ where: { id: order.id }, data: { checklist: checklist as unknown as Prisma.InputJsonValue } });
    await auditWorkOrder(tx, user, order.id, "checklist", { from: before.map((i) => i.label), to: labels });
    return { id: order.id, checklist };
  });
}
