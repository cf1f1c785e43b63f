// How work orders read and look: statuses, priorities, types, durations, due dates and the one-tap
// status buttons. Colour is never the only cue: every colour comes with a label.

import { STATUS_TRANSITIONS, WORK_ORDER_STATUSES, type WorkOrderStatusName } from "@/lib/work-order-status";

export { WORK_ORDER_STATUSES, type WorkOrderStatusName };

/** What "open work" means in lists and on the board by default. */
export const OPEN_STATUSES: readonly WorkOrderStatusName[] = ["requested", "open", "in_progress", "on_hold"];

export const PRIORITIES = ["urgent", "high", "medium", "low"] as const;
export type PriorityName = (typeof PRIORITIES)[number];

export const WORK_ORDER_TYPES = ["corrective", "preventive", "predictive", "inspection"] as const;
export type WorkOrderTypeName = (typeof WORK_ORDER_TYPES)[number];

export const STATUS_LOOK: Record<WorkOrderStatusName, { label: string; badge: string }> = {
  requested: { label: "Requested", badge: "bg-violet-50 text-violet-900 ring-violet-600/30" },
  open: { label: "Open", badge: "bg-sky-50 text-sky-900 ring-sky-600/30" },
  in_progress: { label: "In progress", badge: "bg-amber-50 text-amber-900 ring-amber-600/40 font-semibold" },
  on_hold: { label: "On hold", badge: "bg-slate-100 text-slate-700 ring-slate-500/30" },
  done: { label: "Done", badge: "bg-emerald-50 text-emerald-800 ring-emerald-600/30" },
  cancelled: { label: "Cancelled", badge: "bg-slate-100 text-slate-500 ring-slate-400/30 line-through" },
};

export const PRIORITY_LOOK: Record<PriorityName, { label: string; symbol: string; badge: string }> = {
  urgent: { label: "Urgent", symbol: "◆", badge: "bg-red-600 text-white ring-red-700" },
  high: { label: "High", symbol: "▲", badge: "bg-orange-100 text-orange-900 ring-orange-500/50" },
  medium: { label: "Medium", symbol: "●", badge: "bg-amber-50 text-amber-900 ring-amber-500/40" },
  low: { label: "Low", symbol: "○", badge: "bg-slate-50 text-slate-700 ring-slate-400/40" },
};

export const TYPE_LABEL: Record<WorkOrderTypeName, string> = {
  corrective: "Corrective",
  preventive: "Preventive",
  predictive: "Predictive",
  inspection: "Inspection",
};

export function isStatus(value: string): value is WorkOrderStatusName {
  return (WORK_ORDER_STATUSES as readonly string[]).includes(value);
}

export function statusLabel(status: string): string {
  return isStatus(status) ? STATUS_LOOK[status].label : status.replace(/_/g, " ");
}

export function woLabel(number: number): string {
  return `WO-${number}`;
}

/** 45 → "45 min", 60 → "1 h", 90 → "1 h 30 min", 1440 → "24 h". */
export function formatMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** A quantity in its unit: "1 ea", "2.5 kg"; up to 3 decimals as stored. */
export function formatQuantity(quantity: number, unit: string): string {
  return `${quantity.toLocaleString("en-GB", { maximumFractionDigits: 3 })} ${unit}`;
}

export function formatMoney(amount: number): string {
  return `€${amount.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const DAY_MS = 86_400_000;

/**
 * The due date in words relative to now: "overdue by 3 d", "due in 5 h", "due in 2 d". Orders that
 * are done or cancelled are never overdue.
 */
export function dueText(dueAt: Date | null, now: number, status?: string): string {
  if (!dueAt) return "no due date";
  const diff = dueAt.getTime() - now;
  const finished = status === "done" || status === "cancelled";
  const span = (ms: number) => {
    const abs = Math.abs(ms);
    if (abs < 3_600_000) return `${Math.max(1, Math.round(abs / 60_000))} min`;
    if (abs < 2 * DAY_MS) return `${Math.round(abs / 3_600_000)} h`;
    return `${Math.round(abs / DAY_MS)} d`;
  };
  if (diff < 0) return finished ? `was due ${span(diff)} ago` : `overdue by ${span(diff)}`;
  return `due in ${span(diff)}`;
}

export interface StatusButton {
  to: WorkOrderStatusName;
  label: string;
  /** the main action of this status (shown filled) */
  primary: boolean;
  /** asks before doing it */
  confirm: string | null;
  /** not a setStatus: "close" opens the close-out form, "reopen" asks a manager for a note */
  action: "setStatus" | "close" | "reopen";
}

/** The buttons for the moves the server allows, in the order a technician needs them. */
export function statusButtons(from: WorkOrderStatusName, allowed: readonly string[]): StatusButton[] {
  const order: WorkOrderStatusName[] = ["in_progress", "open", "done", "on_hold", "cancelled"];
  const buttons: StatusButton[] = [];
  for (const to of order) {
    if (!allowed.includes(to)) continue;
    if (to === "done") {
      buttons.push({ to, label: "Close out…", primary: from === "in_progress", confirm: null, action: "close" });
    } else if (to === "open" && from === "done") {
      buttons.push({ to, label: "Reopen…", primary: false, confirm: null, action: "reopen" });
    } else if (to === "in_progress") {
      buttons.push({ to, label: from === "on_hold" ? "Resume work" : "Start work", primary: true, confirm: null, action: "setStatus" });
    } else if (to === "open") {
      buttons.push({ to, label: from === "requested" ? "Accept (open)" : "Back to open", primary: from === "requested", confirm: null, action: "setStatus" });
    } else if (to === "on_hold") {
      buttons.push({ to, label: "Put on hold", primary: false, confirm: null, action: "setStatus" });
    } else if (to === "cancelled") {
      buttons.push({ to, label: "Cancel order", primary: false, confirm: "Cancel this work order? It leaves the open lists.", action: "setStatus" });
    }
  }
  return buttons;
}

/** What the server would allow after a status change that is still waiting to be sent. */
export function transitionsAfterPending(status: WorkOrderStatusName, canEdit: boolean): WorkOrderStatusName[] {
  const next = [...STATUS_TRANSITIONS[status]];
  if (canEdit && (status === "open" || status === "in_progress" || status === "on_hold")) next.push("done");
  return next;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** A Date as the value of an `<input type="datetime-local">` (local time, minutes). */
export function toLocalInputValue(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The value of a datetime-local input as a Date (local time); null when empty or not a time. */
export function fromLocalInputValue(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi);
  // 2025-02-30 rolls over to March: not a date anyone meant
  if (date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date;
}

/** A due date picked as a day (`<input type="date">`) means the end of that day, local time. */
export function dueDateFromInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d] = m.map(Number) as [number, number, number, number];
  const date = new Date(y, mo - 1, d, 23, 59, 0, 0);
  if (date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toLocaleString("en-GB", { maximumFractionDigits: 1 })} MB`;
}
