// The entries a technician records on an order while possibly offline: what is sent (the
// contract's inputs of maintenance.workOrder.*) and what the page shows until the server has it.
import type { inferRouterInputs } from "@trpc/server";
import type { PhotoInput } from "@/lib/offline-queue/photos";
import type { QueueEntry } from "@/lib/offline-queue/queue";
import type { AppRouter } from "@/server/api/root";
import { defaultQueryFor } from "./filters";
import { dueDateFromInput, type PriorityName, type WorkOrderTypeName } from "./format";

type WorkOrderInputs = inferRouterInputs<AppRouter>["maintenance"]["workOrder"];

/** The inputs of the queued procedures (maintenance.workOrder.*), as the router declares them. */
export interface WorkOrderEntryInputs {
  setStatus: WorkOrderInputs["setStatus"];
  setChecklistItem: WorkOrderInputs["setChecklistItem"];
  logLabour: WorkOrderInputs["logLabour"];
  usePart: WorkOrderInputs["usePart"];
  comment: WorkOrderInputs["comment"];
  close: WorkOrderInputs["close"];
  /** a new order: it has no id until the server has it */
  createWorkOrder: WorkOrderInputs["create"];
}

/** What the page shows for an entry the server does not have yet. */
export interface WorkOrderEntryMeta {
  setStatus: { orderLabel: string };
  setChecklistItem: { orderLabel: string; label: string };
  logLabour: { orderLabel: string; userName: string };
  usePart: { orderLabel: string; userName: string; partNumber: string; name: string; unit: string };
  comment: { orderLabel: string; userName: string };
  close: { orderLabel: string; failureMode: string | null; failureCause: string | null; remedy: string | null };
  createWorkOrder: { systemName: string | null; componentName: string | null };
}

export type WorkOrderEntryKind = keyof WorkOrderEntryInputs;

export type WorkOrderEntry = {
  [K in WorkOrderEntryKind]: QueueEntry<K, WorkOrderEntryInputs[K], WorkOrderEntryMeta[K]>;
}[WorkOrderEntryKind];

/** An entry typed on an order the server already has (it carries the order's id). */
export type OrderEntry = Exclude<WorkOrderEntry, { kind: "createWorkOrder" }>;
/** A new work order written on the phone and not yet on the server. */
export type CreateEntry = Extract<WorkOrderEntry, { kind: "createWorkOrder" }>;

/** Kinds the server de-duplicates by clientKey: the key travels in the input. */
export const KEYED: ReadonlySet<WorkOrderEntryKind> = new Set(["logLabour", "usePart", "comment", "createWorkOrder"]);

export const ENTRY_NOUN: Record<WorkOrderEntryKind, string> = {
  setStatus: "status change",
  setChecklistItem: "checklist tick",
  logLabour: "labour entry",
  usePart: "part used",
  comment: "comment",
  close: "close-out",
  createWorkOrder: "new work order",
};

export function isCreate(e: WorkOrderEntry): e is CreateEntry {
  return e.kind === "createWorkOrder";
}

/** The order an entry was typed on; null for a new order, which gets its id from the server. */
export function orderIdOf(e: WorkOrderEntry): string | null {
  return isCreate(e) ? null : e.input.id;
}

/** The entries of one order, oldest first. */
export function entriesOf(entries: readonly WorkOrderEntry[], orderId: string): OrderEntry[] {
  return entries.filter((e): e is OrderEntry => orderIdOf(e) === orderId);
}

// ---- a new work order ----

/** What the new-work-order form holds, as typed. */
export interface NewWorkOrderValues {
  system: string;
  /** "" for the whole system */
  component: string;
  type: WorkOrderTypeName;
  priority: PriorityName;
  title: string;
  description: string;
  /** yyyy-mm-dd from a date input, or "" */
  due: string;
  /** a user id, or "" for nobody */
  assignee: string;
  /** one checklist step per line; empty lines are dropped */
  lines: readonly string[];
}

export type NewWorkOrderEntry =
  | { ok: true; input: Omit<WorkOrderEntryInputs["createWorkOrder"], "clientKey">; meta: WorkOrderEntryMeta["createWorkOrder"] }
  | { ok: false; errors: Record<string, string> };

/**
 * The queue entry for what the form holds, or what to fix first (by field). The names of the system
 * and component travel as meta, so the waiting card reads like the order will once it is sent.
 */
export function newWorkOrderEntry(
  values: NewWorkOrderValues,
  names: { systems: readonly { code: string; name: string }[]; components: readonly { code: string; name: string }[] },
): NewWorkOrderEntry {
  const errors: Record<string, string> = {};
  const title = values.title.trim();
  if (!values.system) errors.system = "Pick the system the work is on.";
  if (!title) errors.title = "Give the work order a title: what needs doing.";
  const dueAt = values.due ? dueDateFromInput(values.due) : null;
  if (values.due && !dueAt) errors.dueAt = "Not a valid date.";
  if (Object.keys(errors).length) return { ok: false, errors };
  const description = values.description.trim();
  const checklist = values.lines.map((l) => l.trim()).filter(Boolean);
  return {
    ok: true,
    input: {
      systemCode: values.system,
      ...(values.component ? { componentCode: values.component } : {}),
      type: values.type,
      priority: values.priority,
      title,
      ...(description ? { description } : {}),
      ...(dueAt ? { dueAt } : {}),
      ...(values.assignee ? { assigneeId: values.assignee } : {}),
      ...(checklist.length ? { checklist } : {}),
    },
    meta: {
      systemName: names.systems.find((s) => s.code === values.system)?.name ?? null,
      componentName: values.component ? (names.components.find((c) => c.code === values.component)?.name ?? null) : null,
    },
  };
}

/**
 * A photo taken on an order, kept on the phone until it is uploaded: a queue of its own (the photo
 * outbox, sent by fetch as multipart rather than tRPC), so it is not a WorkOrderEntry.
 */
export type PhotoEntry = QueueEntry<"photo", PhotoInput, { orderLabel: string }>;

/** The photos of one order, oldest first. */
export function photosOf(entries: readonly PhotoEntry[], orderId: string): PhotoEntry[] {
  return entries.filter((e) => e.input.id === orderId);
}

/**
 * "My work orders" for this role, spelled as the list page would redirect to it: a technician's own
 * (?mine=1), everyone else's list. Prefetched and navigated to without the redirect's round trip.
 */
export function myWorkOrdersHref(role: string): string {
  const query = defaultQueryFor(role, false);
  return query ? `/work-orders?${query}` : "/work-orders";
}
