// The order as the technician expects to see it: the server's data with the entries still waiting
// in the offline queue laid over it (a status change, ticks, rows marked "waiting to send"), and
// the entries the server refused, to be shown until dismissed. Pure (optimistic.test.ts).
import type { FailedSend } from "@/lib/offline-queue/queue";
import { entriesOf, isCreate, type OrderEntry, type WorkOrderEntry, type WorkOrderEntryInputs, type WorkOrderEntryMeta } from "./entries";
import { transitionsAfterPending, type PriorityName, type WorkOrderStatusName, type WorkOrderTypeName } from "./format";

export interface PendingRow<K extends keyof WorkOrderEntryInputs> {
  clientKey: string;
  createdAt: number;
  input: WorkOrderEntryInputs[K];
  meta: WorkOrderEntryMeta[K] | undefined;
  /** set when the server refused it for good */
  failed: FailedSend | null;
  attempts: number;
  lastError: string | null;
}

export interface ServerOrder {
  id: string;
  status: WorkOrderStatusName;
  checklist: readonly { label: string; done: boolean }[];
  allowedTransitions: readonly string[];
  canEdit: boolean;
  labourMinutes: number;
}

export interface OrderView {
  status: WorkOrderStatusName;
  /** the status shown is a change not yet on the server */
  statusPending: boolean;
  allowedTransitions: readonly string[];
  checklist: { label: string; done: boolean; pending: boolean }[];
  labour: PendingRow<"logLabour">[];
  parts: PendingRow<"usePart">[];
  comments: PendingRow<"comment">[];
  /** a close-out waiting to be sent (null: none) */
  close: PendingRow<"close"> | null;
  /** the most recent close-out the server refused, if it was not dismissed */
  closeRefused: PendingRow<"close"> | null;
  /** labour on the server plus labour waiting to be sent */
  labourMinutes: number;
  waitingMinutes: number;
  /** every refused entry of this order */
  failed: OrderEntry[];
  /** entries of this order not yet on the server (not refused) */
  waiting: number;
}

function row<K extends OrderEntry["kind"]>(e: OrderEntry & { kind: K }): PendingRow<K> {
  return {
    clientKey: e.clientKey,
    createdAt: e.createdAt,
    input: e.input as WorkOrderEntryInputs[K],
    meta: e.meta as WorkOrderEntryMeta[K] | undefined,
    failed: e.failed,
    attempts: e.attempts,
    lastError: e.lastError,
  };
}

function ofKind<K extends OrderEntry["kind"]>(entries: readonly OrderEntry[], kind: K): (OrderEntry & { kind: K })[] {
  return entries.filter((e): e is OrderEntry & { kind: K } => e.kind === kind);
}

/** `entries`: the queue's entries (any order's; only `order`'s are used), oldest first. */
export function orderView(order: ServerOrder, entries: readonly WorkOrderEntry[]): OrderView {
  const mine = entriesOf(entries, order.id);
  const waiting = mine.filter((e) => !e.failed);

  const statusChanges = ofKind(waiting, "setStatus");
  const closes = ofKind(waiting, "close");
  const lastStatus = statusChanges.at(-1) ?? null;
  const lastClose = closes.at(-1) ?? null;
  // whichever was typed last decides what the technician sees
  let status = order.status;
  if (lastStatus && (!lastClose || lastStatus.createdAt > lastClose.createdAt)) status = lastStatus.input.status;
  else if (lastClose) status = "done";
  const statusPending = lastStatus !== null || lastClose !== null;

  const ticks = ofKind(waiting, "setChecklistItem");
  const checklist = order.checklist.map((item, index) => {
    const tick = ticks.filter((t) => t.input.index === index).at(-1);
    return { label: item.label, done: tick ? tick.input.done : item.done, pending: tick !== undefined };
  });

  const labour = ofKind(mine, "logLabour").map((e) => row(e));
  const waitingMinutes = labour.filter((l) => !l.failed).reduce((sum, l) => sum + l.input.minutes, 0);
  const refusedCloses = ofKind(mine, "close").filter((e) => e.failed);

  return {
    status,
    statusPending,
    allowedTransitions: statusPending ? transitionsAfterPending(status, order.canEdit) : order.allowedTransitions,
    checklist,
    labour,
    parts: ofKind(mine, "usePart").map((e) => row(e)),
    comments: ofKind(mine, "comment").map((e) => row(e)),
    close: lastClose ? row(lastClose) : null,
    closeRefused: refusedCloses.length ? row(refusedCloses.at(-1)!) : null,
    labourMinutes: order.labourMinutes + waitingMinutes,
    waitingMinutes,
    failed: mine.filter((e) => e.failed),
    waiting: waiting.length,
  };
}

/** "Offline — 2 entries and 1 photo saved on this phone, they will be sent when the connection returns". */
export function bannerText(online: boolean, entries: number, photos = 0): string | null {
  const waiting = entries + photos;
  const parts = [
    entries ? `${entries} ${entries === 1 ? "entry" : "entries"}` : null,
    photos ? `${photos} ${photos === 1 ? "photo" : "photos"}` : null,
  ].filter(Boolean);
  const what = parts.join(" and ");
  if (!online) {
    if (waiting === 0) return "Offline — what you enter is saved on this phone and sent when the connection returns";
    return `Offline — ${what} saved on this phone, ${waiting === 1 ? "it" : "they"} will be sent when the connection returns`;
  }
  if (waiting === 0) return null;
  return `Sending ${what} saved on this phone…`;
}

/** A new work order written on this phone, as its card shows it until the server has it. */
export interface PendingCreateView {
  clientKey: string;
  title: string;
  systemCode: string;
  systemName: string | null;
  componentCode: string | null;
  componentName: string | null;
  type: WorkOrderTypeName;
  priority: PriorityName;
  dueAt: Date | null;
  checklistSteps: number;
  assigneeId: string | null;
  /** sends that got no answer, and why the last one did not get through */
  attempts: number;
  lastError: string | null;
}

/**
 * The new work orders waiting on this phone, in the order they will be sent, which is the order
 * their numbers will follow. Refused ones are left to the banner's refused list.
 */
export function pendingCreates(entries: readonly WorkOrderEntry[]): PendingCreateView[] {
  return entries
    .filter(isCreate)
    .filter((e) => !e.failed)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((e) => ({
      clientKey: e.clientKey,
      title: e.input.title,
      systemCode: e.input.systemCode,
      systemName: e.meta?.systemName ?? null,
      componentCode: e.input.componentCode ?? null,
      componentName: e.meta?.componentName ?? null,
      type: e.input.type,
      priority: e.input.priority ?? "medium",
      dueAt: e.input.dueAt ?? null,
      checklistSteps: e.input.checklist?.length ?? 0,
      assigneeId: e.input.assigneeId ?? null,
      attempts: e.attempts,
      lastError: e.lastError,
    }));
}
