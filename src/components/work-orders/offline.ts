"use client";

// What a technician records on an order (status, checklist ticks, labour, parts, comments,
// close-out) and the new work orders they write go through the offline queue
// (src/lib/offline-queue): saved on the phone first, then sent, so nothing typed in a plant room
// without signal is lost. Photos go through a second
// OfflineQueue with the same rules (the photo outbox): large, sent by fetch, and never in the way
// of the entries typed after them.

import { useEffect, useMemo, useSyncExternalStore } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { startAutoRetry } from "@/lib/offline-queue/auto-retry";
import { idbQueueStore } from "@/lib/offline-queue/idb-store";
import { newClientKey, outcomeFromError } from "@/lib/offline-queue/outcome";
import { outboxRefusal, PHOTO_HEAD_BYTES, photoRefusal, photoSender, type UploadedPhoto } from "@/lib/offline-queue/photos";
import { OfflineQueue, type QueueEntry, type Sender, type SendOutcome } from "@/lib/offline-queue/queue";
import { KEYED, type OrderEntry, type PhotoEntry, type WorkOrderEntry, type WorkOrderEntryInputs, type WorkOrderEntryMeta } from "./entries";
import { formatBytes } from "./format";

// A client of its own, without batching: each entry is one request with its own answer, so one
// refused entry never fails the others, and its HTTP status says whether to try again.
let client: ReturnType<typeof createTRPCClient<AppRouter>> | null = null;
function queueClient() {
  client ??= createTRPCClient<AppRouter>({ links: [httpLink({ url: "/api/trpc", transformer: superjson })] });
  return client;
}

async function sendEntry(entry: QueueEntry): Promise<SendOutcome> {
  // the browser knows it has no network: no point waiting for a request to fail
  if (typeof navigator !== "undefined" && navigator.onLine === false) return { status: "retry", message: "This phone is offline" };
  const { outcome, error } = await sendToServer(entry);
  if (entry.kind === "createWorkOrder") newOrderAnswers.answer(entry.clientKey, outcome, error);
  return outcome;
}

async function sendToServer(entry: QueueEntry): Promise<{ outcome: SendOutcome; error?: unknown }> {
  const e = entry as WorkOrderEntry;
  const wo = queueClient().maintenance.workOrder;
  try {
    let result: unknown;
    switch (e.kind) {
      case "setStatus":
        result = await wo.setStatus.mutate(e.input);
        break;
      case "setChecklistItem":
        result = await wo.setChecklistItem.mutate(e.input);
        break;
      case "logLabour":
        result = await wo.logLabour.mutate(e.input);
        break;
      case "usePart":
        result = await wo.usePart.mutate(e.input);
        break;
      case "comment":
        result = await wo.comment.mutate(e.input);
        break;
      case "close":
        result = await wo.close.mutate(e.input);
        break;
      case "createWorkOrder":
        result = await wo.create.mutate(e.input);
        break;
      default:
        return { outcome: { status: "rejected", message: `This app version cannot send “${(e as QueueEntry).kind}” entries`, httpStatus: null } };
    }
    return { outcome: { status: "sent", result } };
  } catch (err) {
    return { outcome: outcomeFromError(err), error: err };
  }
}

// ---- a new work order, written in the form and waiting for its answer ----

/** What became of a new work order the form just saved. */
export type NewOrderAnswer =
  /** on the server; `order` is null when another tab sent it and this one did not see the answer */
  | { status: "created"; order: { id: string; number: number } | null }
  /** refused for good: `error` is the tRPC error, with the field errors to show on the form */
  | { status: "refused"; error: unknown }
  /** kept on the phone and sent when the connection returns */
  | { status: "saved"; reason: string | null };

/** How long the form waits for the server before saying the order is kept on the phone. */
export const CREATE_ANSWER_WAIT_MS = 15_000;

/**
 * The answers the new-work-order form waits for, by clientKey. The sender passes every create's
 * outcome through `answer` (with the tRPC error, whose field errors go next to the form's fields);
 * `submit` saves the order in the queue and waits. Only this tab's sends are seen: an order sent by
 * another tab is found gone from the queue when the flush is over.
 */
export class NewOrderAnswers {
  private readonly waiters = new Map<string, (answer: NewOrderAnswer) => void>();

  answer(clientKey: string, outcome: SendOutcome, error: unknown): void {
    const waiter = this.waiters.get(clientKey);
    if (!waiter) return;
    if (outcome.status === "sent") waiter({ status: "created", order: outcome.result as { id: string; number: number } });
    else if (outcome.status === "rejected") waiter({ status: "refused", error: error ?? new Error(outcome.message) });
    // no answer: the flush that tried it ends, and standingOf says so
  }

  async submit(queue: OfflineQueue, entry: { clientKey: string; input: WorkOrderEntryInputs["createWorkOrder"]; meta: WorkOrderEntryMeta["createWorkOrder"] }, waitMs: number): Promise<NewOrderAnswer> {
    const { clientKey } = entry;
    // an earlier submit of this form that was refused and is still listed: this one replaces it
    await queue.dismiss(clientKey);
    const answered = new Promise<NewOrderAnswer>((resolve) => this.waiters.set(clientKey, resolve));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await queue.enqueue({ ...entry, kind: "createWorkOrder" });
      // the technician is waiting: entries in backoff before it go now rather than hold it back
      const flushed = queue.flush({ force: true }).then(() => standingOf(queue, clientKey));
      const timedOut = new Promise<NewOrderAnswer>((resolve) => {
        timer = setTimeout(() => resolve({ status: "saved", reason: "No answer from the server yet" }), waitMs);
      });
      const answer = await Promise.race([answered, flushed, timedOut]);
      // the form shows the refusal itself: it leaves the queue (and the banner) once marked
      if (answer.status === "refused") void whenSettled(queue, clientKey).then(() => queue.dismiss(clientKey));
      return answer;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(clientKey);
    }
  }
}

const newOrderAnswers = new NewOrderAnswers();

/** Where the create entry stands once a flush is over. */
function standingOf(queue: OfflineQueue, clientKey: string): NewOrderAnswer {
  const entry = queue.getSnapshot().find((e) => e.clientKey === clientKey);
  if (!entry) return { status: "created", order: null };
  if (entry.failed) return { status: "refused", error: new Error(entry.failed.message) };
  return { status: "saved", reason: entry.lastError };
}

/** Resolves once the entry is marked refused or has left the queue. */
function whenSettled(queue: OfflineQueue, clientKey: string): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const check = () => {
      const entry = queue.getSnapshot().find((e) => e.clientKey === clientKey);
      if (entry && !entry.failed) return;
      unsubscribe();
      resolve();
    };
    unsubscribe = queue.subscribe(check);
    check();
  });
}

// The message "saved on this phone" the form leaves for the list it navigates to: one at a time,
// for this page's life.
let savedOffline: string | null = null;
export const noteSavedOffline = (clientKey: string | null): void => void (savedOffline = clientKey);
export const savedOfflineNote = (): string | null => savedOffline;

// Per query cache, what refreshes it after an entry was sent; counted, because every mounted user
// of the queue registers it and one refetch per cache is enough.
const refreshers = new Map<QueryClient, { users: number; refresh: () => Promise<unknown> }>();
// how long a sent entry waits for the refreshed order before it leaves the queue
const REFRESH_WAIT_MS = 5_000;

async function refreshOrders(): Promise<void> {
  const refreshes = [...refreshers.values()].map((r) => r.refresh());
  await Promise.race([Promise.allSettled(refreshes), new Promise((r) => setTimeout(r, REFRESH_WAIT_MS))]);
}

/** Registers this query cache's refresh for as long as the component using a queue is mounted. */
function useRefreshAfterSend(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    const current = refreshers.get(queryClient);
    if (current) current.users++;
    else refreshers.set(queryClient, { users: 1, refresh: () => queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter()) });
    return () => {
      const r = refreshers.get(queryClient);
      if (r && --r.users === 0) refreshers.delete(queryClient);
    };
  }, [queryClient, trpc]);
}

type UserQueue = { queue: OfflineQueue; persistent: boolean };
const queues = new Map<string, UserQueue>();

/** A queue of the signed-in user (one per user, kind and tab), retrying on its own once started. */
function queueFor(userId: string, name: "offline" | "photos", send: Sender, onSent?: (entry: QueueEntry, result: unknown) => void): UserQueue {
  const id = `${name}:${userId}`;
  let q = queues.get(id);
  if (!q) {
    const store = idbQueueStore(userId, name);
    const queue = new OfflineQueue({
      store,
      send,
      onSent: async (entry, result) => {
        onSent?.(entry, result);
        await refreshOrders();
      },
    });
    q = { queue, persistent: store.persistent };
    queues.set(id, q);
    void queue.load();
    startAutoRetry(queue, {
      window,
      document,
      setInterval: (fn, ms) => window.setInterval(fn, ms),
      clearInterval: (id) => window.clearInterval(id as number),
      isOnline: () => navigator.onLine,
    });
  }
  return q;
}

const NO_ENTRIES: readonly QueueEntry[] = [];
const noop = () => () => undefined;

export interface WorkOrderQueue {
  /** every entry of this user, oldest first: waiting ones and refused ones (`failed`) */
  entries: readonly WorkOrderEntry[];
  /** false when entries live only as long as the page (no IndexedDB) */
  persistent: boolean;
  /** an entry on an order the server has (a new order goes through submitNewWorkOrder) */
  enqueue<K extends OrderEntry["kind"]>(kind: K, input: Omit<WorkOrderEntryInputs[K], "clientKey">, meta: WorkOrderEntryMeta[K]): Promise<OrderEntry>;
  /**
   * Saves a new work order on the phone under the key the form got when it was opened, sends it
   * (and whatever waits before it) at once, and says what became of it within `waitMs`. A refusal
   * leaves the queue, since the form shows it; the same key may then be submitted again. Throws
   * when the phone cannot keep it (storage full, no IndexedDB quota).
   */
  submitNewWorkOrder(
    clientKey: string,
    input: Omit<WorkOrderEntryInputs["createWorkOrder"], "clientKey">,
    meta: WorkOrderEntryMeta["createWorkOrder"],
    waitMs?: number,
  ): Promise<NewOrderAnswer>;
  dismiss(clientKey: string): Promise<boolean>;
  retryNow(): void;
}

/**
 * The signed-in user's queue for React: entries re-render the page as they change, and each sent
 * entry refetches the work-order queries (so an optimistic row becomes the real one).
 */
export function useWorkOrderQueue(userId: string): WorkOrderQueue {
  const q = typeof window === "undefined" ? null : queueFor(userId, "offline", sendEntry);
  const entries = useSyncExternalStore(
    q ? q.queue.subscribe : noop,
    q ? q.queue.getSnapshot : () => NO_ENTRIES,
    () => NO_ENTRIES,
  ) as readonly WorkOrderEntry[];
  useRefreshAfterSend();

  return useMemo<WorkOrderQueue>(
    () => ({
      entries,
      persistent: q?.persistent ?? true,
      async enqueue(kind, input, meta) {
        if (!q) throw new Error("Entries can only be saved in the browser");
        const clientKey = newClientKey();
        const full = KEYED.has(kind) ? { ...input, clientKey } : input;
        return (await q.queue.enqueue({ clientKey, kind, input: full, meta })) as OrderEntry;
      },
      async submitNewWorkOrder(clientKey, input, meta, waitMs = CREATE_ANSWER_WAIT_MS) {
        if (!q) throw new Error("Work orders can only be saved in the browser");
        return newOrderAnswers.submit(q.queue, { clientKey, input: { ...input, clientKey }, meta }, waitMs);
      },
      dismiss: (clientKey) => (q ? q.queue.dismiss(clientKey) : Promise.resolve(false)),
      retryNow: () => void q?.queue.flush({ force: true }),
    }),
    [entries, q],
  );
}

// ---- photos ----

/** A photo this tab uploaded: its bytes, to show the server's attachment from them (no reload, no blink). */
export interface SentPhoto {
  clientKey: string;
  file: Blob;
}

interface PhotoActivity {
  /** the photo being uploaded right now, if any */
  uploading: string | null;
  /** by attachment id, the most recent ones */
  sent: ReadonlyMap<string, SentPhoto>;
}

// kept for the page's life; a few dozen disk-backed Blobs at most
const SENT_KEPT = 40;
let activity: PhotoActivity = { uploading: null, sent: new Map() };
const activityListeners = new Set<() => void>();
const subscribeActivity = (l: () => void) => (activityListeners.add(l), () => void activityListeners.delete(l));
const getActivity = () => activity;
const NO_ACTIVITY: PhotoActivity = { uploading: null, sent: new Map() };

function setActivity(change: Partial<PhotoActivity>): void {
  activity = { ...activity, ...change };
  for (const l of activityListeners) l();
}

const uploadPhoto = photoSender({ fetch: (url, init) => fetch(url, init), isOnline: () => navigator.onLine });

async function sendPhoto(entry: QueueEntry): Promise<SendOutcome> {
  setActivity({ uploading: entry.clientKey });
  try {
    return await uploadPhoto(entry);
  } finally {
    setActivity({ uploading: null });
  }
}

function rememberSent(entry: QueueEntry, result: unknown): void {
  const { clientKey, file } = (entry as PhotoEntry).input;
  const sent = new Map(activity.sent);
  sent.set((result as UploadedPhoto).id, { clientKey, file });
  while (sent.size > SENT_KEPT) sent.delete(sent.keys().next().value!);
  setActivity({ sent });
}

/** What the phone says when a photo cannot be kept: shown as it is. */
export class PhotoRefused extends Error {}

export interface PhotoOutbox {
  /** every photo of this user waiting or refused, oldest first */
  entries: readonly PhotoEntry[];
  /** false when photos live only as long as the page (no IndexedDB) */
  persistent: boolean;
  /** the client key of the photo being uploaded now */
  uploading: string | null;
  /** photos this tab uploaded, by attachment id */
  sent: ReadonlyMap<string, SentPhoto>;
  /** checks the file (type, size, room on the phone) and keeps it; throws PhotoRefused with the reason */
  add(orderId: string, orderLabel: string, file: File): Promise<PhotoEntry>;
  dismiss(clientKey: string): Promise<boolean>;
  retryNow(): void;
}

/** The signed-in user's photo outbox for React, like useWorkOrderQueue. */
export function usePhotoOutbox(userId: string): PhotoOutbox {
  const q = typeof window === "undefined" ? null : queueFor(userId, "photos", sendPhoto, rememberSent);
  const entries = useSyncExternalStore(
    q ? q.queue.subscribe : noop,
    q ? q.queue.getSnapshot : () => NO_ENTRIES,
    () => NO_ENTRIES,
  ) as readonly PhotoEntry[];
  const { uploading, sent } = useSyncExternalStore(subscribeActivity, getActivity, () => NO_ACTIVITY);
  useRefreshAfterSend();

  return useMemo<PhotoOutbox>(
    () => ({
      entries,
      persistent: q?.persistent ?? true,
      uploading,
      sent,
      async add(orderId, orderLabel, file) {
        if (!q) throw new PhotoRefused("Photos can only be kept in the browser");
        const head = new Uint8Array(await file.slice(0, PHOTO_HEAD_BYTES).arrayBuffer());
        const refusal =
          photoRefusal(file, head, formatBytes) ??
          outboxRefusal(
            (q.queue.getSnapshot() as readonly PhotoEntry[]).map((e) => e.input.file),
            file.size,
            formatBytes,
          );
        if (refusal) throw new PhotoRefused(refusal);
        const clientKey = newClientKey();
        const input = { id: orderId, clientKey, file, fileName: file.name || "photo" };
        try {
          return (await q.queue.enqueue({ clientKey, kind: "photo", input, meta: { orderLabel } })) as PhotoEntry;
        } catch (err) {
          const quota = err instanceof DOMException && err.name === "QuotaExceededError";
          throw new PhotoRefused(
            quota
              ? "This phone has no room left to keep the photo: free some storage or let the waiting photos upload, then take it again."
              : `The photo could not be kept on this phone (${(err as Error).message}); take it again.`,
          );
        }
      },
      dismiss: (clientKey) => (q ? q.queue.dismiss(clientKey) : Promise.resolve(false)),
      retryNow: () => void q?.queue.flush({ force: true }),
    }),
    [entries, q, uploading, sent],
  );
}

function subscribeOnline(onChange: () => void) {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  // some webviews change navigator.onLine without firing the events: look now and then as well
  const poll = window.setInterval(onChange, 5_000);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
    window.clearInterval(poll);
  };
}

/** navigator.onLine, live; true on the server and during hydration. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine, () => true);
}
