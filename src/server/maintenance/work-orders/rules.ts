/**
 * The work-order rules that need no database: the status machine, who may work on or edit an order,
 * and how an alert's severity becomes a priority. Pure, so the UI contract (allowedTransitions,
 * canEdit) and the enforcement come from the same code.
 */
import type { Priority, Severity, WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";
import { hasRole, type RoleName } from "@/lib/roles";
import { approvalDecision, awaitsApproval, STATUS_TRANSITIONS } from "@/lib/work-order-status";

export { approvalDecision, awaitsApproval, STATUS_TRANSITIONS };

/** Statuses an order may be closed from (a requested order is opened first). */
export const CLOSABLE_FROM: readonly WorkOrderStatus[] = ["open", "in_progress", "on_hold"];

export function isTerminal(status: WorkOrderStatus): boolean {
  return status === "done" || status === "cancelled";
}

export function canMove(from: WorkOrderStatus, to: WorkOrderStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

export const label = (number: number): string => `WO-${number}`;

export interface RightsUser {
  id: string;
  role: RoleName;
}

export interface RightsOrder {
  number: number;
  status: WorkOrderStatus;
  /** needed to tell a predictive order awaiting approval from an ordinary request */
  type?: WorkOrderType;
  assigneeId: string | null;
  requestedById: string | null;
  /** who closed it: their close stays theirs to replay or correct */
  closedById?: string | null;
  assigneeName?: string | null;
}

const isOwn = (user: RightsUser, order: RightsOrder) =>
  order.assigneeId === user.id || order.requestedById === user.id || (order.closedById != null && order.closedById === user.id);

/**
 * Why `user` may not work on the order (status, labour, parts, comments, checklist ticks), or null
 * when they may. Technicians help on any open order of their organisation, but a finished order is
 * its owner's record: only they (or a manager) may touch it afterwards.
 */
export function workRefusal(user: RightsUser, order: RightsOrder): string | null {
  if (hasRole(user.role, "manager")) return null;
  if (!hasRole(user.role, "technician")) return `Viewers cannot change work orders; ask a technician or manager.`;
  if (isTerminal(order.status) && !isOwn(user, order)) {
    return `${label(order.number)} is ${order.status} and is not your order; ask a manager to change it.`;
  }
  return null;
}

/**
 * Why `user` may not edit the order itself (title, checklist, photos, close-out), or null when they
 * may: technicians edit orders assigned to them, created by them or unassigned (contracts.md roles);
 * managers and admins edit anything in their organisation.
 */
export function editRefusal(user: RightsUser, order: RightsOrder): string | null {
  const work = workRefusal(user, order);
  if (work) return work;
  if (hasRole(user.role, "manager")) return null;
  if (isOwn(user, order) || order.assigneeId === null) return null;
  const who = order.assigneeName ? ` to ${order.assigneeName}` : " to someone else";
  return `${label(order.number)} is assigned${who}; only they or a manager can edit or close it.`;
}

/**
 * The statuses this caller can move the order to next. Besides `setStatus` moves this lists `done`
 * when the caller may close the order and `open` for a done order a manager may reopen, so the UI can
 * offer exactly the buttons that will work.
 */
export function allowedTransitionsFor(user: RightsUser, order: RightsOrder): WorkOrderStatus[] {
  if (workRefusal(user, order)) return [];
  if (awaitsApproval(order)) return approvalRefusal(user, order) ? [] : [...STATUS_TRANSITIONS[order.status]];
  const next: WorkOrderStatus[] = [...STATUS_TRANSITIONS[order.status]];
  if (CLOSABLE_FROM.includes(order.status) && !editRefusal(user, order)) next.push("done");
  if (order.status === "done" && hasRole(user.role, "manager")) next.push("open");
  return next;
}

/**
 * Why `user` may not approve or dismiss the order, or null when they may (or when the order awaits
 * no approval). Only managers and admins decide on what a model proposed (contracts.md roles).
 */
export function approvalRefusal(user: RightsUser, order: Pick<RightsOrder, "number" | "status" | "type">): string | null {
  if (!awaitsApproval(order) || hasRole(user.role, "manager")) return null;
  return `Predictive work orders are approved by a manager or admin: ${label(order.number)} waits for their decision to approve or dismiss it (you are signed in as ${user.role}).`;
}

/** Alert severity -> work-order priority (createFromAlert). */
export const PRIORITY_OF_SEVERITY: Readonly<Record<Severity, Priority>> = {
  critical: "urgent",
  major: "high",
  minor: "medium",
  warning: "low",
};

/**
 * Rewrites a checklist, keeping the done flag of every label that stays (matched by text; a label
 * listed twice keeps the flags of its earlier copies in order).
 */
export function mergeChecklist(current: readonly ChecklistItem[], labels: readonly string[]): ChecklistItem[] {
  const pool = new Map<string, boolean[]>();
  for (const item of current) pool.set(item.label, [...(pool.get(item.label) ?? []), item.done]);
  return labels.map((l) => ({ label: l, done: pool.get(l)?.shift() ?? false }));
}

export interface ChecklistItem {
  label: string;
  done: boolean;
}

/** Reads the stored checklist JSON defensively (older rows, hand edits). */
export function parseChecklist(value: unknown): ChecklistItem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => {
    if (typeof v === "string") return [{ label: v, done: false }];
    if (v && typeof v === "object" && typeof (v as { label?: unknown }).label === "string") {
      return [{ label: (v as { label: string }).label, done: (v as { done?: unknown }).done === true }];
    }
    return [];
  });
}
