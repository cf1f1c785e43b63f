// A persistent outbox for what a technician types on site: every entry is written to the store
// before it is sent, and leaves the store only once the server has answered (issue 5). Pure: the
// store, the sender and the clock are passed in, so the rules below are unit-tested without a
// browser (queue.test.ts); src/lib/offline-queue/idb-store.ts is the IndexedDB store.

export interface FailedSend {
  message: string;
  /** the HTTP status of the refusal, when there was one */
  httpStatus: number | null;
  at: number;
}

export interface QueueEntry<K extends string = string, I = unknown, M = unknown> {
  /** chosen when the entry is typed; the server stores an entry with a known key only once */
  clientKey: string;
  kind: K;
  input: I;
  /** what the page needs to show the entry before the server has it (never sent) */
  meta?: M;
  /** ms since the epoch, strictly increasing in enqueue order: the send order */
  createdAt: number;
  /** send attempts that did not get an answer (network down, server error) */
  attempts: number;
  /** why the last attempt did not get through (null: not tried yet, or no failure) */
  lastError: string | null;
  /** not before this time (ms) unless forced: the backoff */
  nextAttemptAt: number;
  /** refused for good (a 4xx that will never succeed): kept, to be shown, until dismissed */
  failed: FailedSend | null;
}

/** Where entries live between page loads (IndexedDB in the browser, a Map in tests). */
export interface QueueStore {
  all(): Promise<QueueEntry[]>;
  put(entry: QueueEntry): Promise<void>;
  delete(clientKey: string): Promise<void>;
}

export type SendOutcome =
  | { status: "sent"; result?: unknown }
  /** no answer, or an answer that may change (offline, timeout, 5xx, 429): try again later */
  | { status: "retry"; message: string }
  /** the server refused the entry and will refuse it again (400, 403, 404, 409...) */
  | { status: "rejected"; message: string; httpStatus: number | null };

export type Sender = (entry: QueueEntry) => Promise<SendOutcome>;

export interface OfflineQueueOptions {
  store: QueueStore;
  send: Sender;
  now?: () => number;
  /** delay before attempt n+1 after n unanswered attempts */
  backoffMs?: (attempts: number) => number;
  /**
   * Called after the server accepted an entry and before it leaves the store, e.g. to refetch the
   * data that now contains it, so an optimistic row is replaced rather than blinking out.
   */
  onSent?: (entry: QueueEntry, result: unknown) => Promise<void> | void;
}

export const RETRY_INTERVAL_MS = 15_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/** 15 s, 30 s, 1 min, 2 min, 4 min, then every 5 min. */
export function defaultBackoffMs(attempts: number): number {
  return Math.min(RETRY_INTERVAL_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

function byCreation(a: QueueEntry, b: QueueEntry): number {
  return a.createdAt - b.createdAt || (a.clientKey < b.clientKey ? -1 : a.clientKey > b.clientKey ? 1 : 0);
}

export interface FlushResult {
  sent: number;
  rejected: number;
  /** entries still waiting (not failed) after this flush */
  waiting: number;
}

export class OfflineQueue {
  private readonly store: QueueStore;
  private readonly send: Sender;
  private readonly now: () => number;
  private readonly backoffMs: (attempts: number) => number;
  private readonly onSent: OfflineQueueOptions["onSent"];
  private entries: QueueEntry[] = [];
  private snapshot: readonly QueueEntry[] = [];
  private readonly listeners = new Set<() => void>();
  private loaded: Promise<void> | null = null;
  private running: Promise<FlushResult> | null = null;
  private rerun: { force: boolean } | null = null;
  private lastCreatedAt = 0;
  // store reads and writes with their in-memory update, one at a time, so a reload never drops
  // an entry that was enqueued while the store was being read
  private chain: Promise<unknown> = Promise.resolve();

  constructor(options: OfflineQueueOptions) {
    this.store = options.store;
    this.send = options.send;
    this.now = options.now ?? Date.now;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.onSent = options.onSent;
  }

  /** Reads what an earlier page (or another tab) left in the store. Safe to call more than once. */
  load(): Promise<void> {
    this.loaded ??= this.reload();
    return this.loaded;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private reload(): Promise<void> {
    return this.exclusive(async () => {
      const stored = await this.store.all();
      this.entries = [...stored].sort(byCreation);
      for (const e of this.entries) this.lastCreatedAt = Math.max(this.lastCreatedAt, e.createdAt);
      this.publish();
    });
  }

  /** Every entry, oldest first: waiting ones and refused ones (`failed` set). Stable between changes. */
  getSnapshot = (): readonly QueueEntry[] => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private publish(): void {
    this.snapshot = [...this.entries];
    for (const l of this.listeners) l();
  }

  /**
   * Saves an entry, then starts sending. Resolves once the entry is in the store (it survives a
   * reload from then on). The same clientKey twice is one entry: the first one is returned.
   */
  async enqueue<K extends string, I, M = unknown>(item: { clientKey: string; kind: K; input: I; meta?: M }): Promise<QueueEntry<K, I, M>> {
    await this.load();
    const { entry, added } = await this.exclusive(async () => {
      const existing = this.entries.find((e) => e.clientKey === item.clientKey);
      if (existing) return { entry: existing as QueueEntry<K, I, M>, added: false };
      // strictly increasing, so two entries typed in the same millisecond keep their order
      const now = this.now();
      const createdAt = Math.max(now, this.lastCreatedAt + 1);
      this.lastCreatedAt = createdAt;
      const fresh: QueueEntry<K, I, M> = { ...item, createdAt, attempts: 0, lastError: null, nextAttemptAt: now, failed: null };
      await this.store.put(fresh);
      this.entries = [...this.entries, fresh].sort(byCreation);
      this.publish();
      return { entry: fresh, added: true };
    });
    if (added) void this.flush();
    return entry;
  }

  /** Removes a refused entry once the user has seen it. Waiting entries cannot be dismissed. */
  async dismiss(clientKey: string): Promise<boolean> {
    await this.load();
    return this.exclusive(async () => {
      const entry = this.entries.find((e) => e.clientKey === clientKey);
      if (!entry?.failed) return false;
      await this.remove(clientKey);
      return true;
    });
  }

  /**
   * Sends waiting entries oldest first, one at a time. Stops at the first entry without an answer
   * (the later ones wait behind it, so the server sees them in the order they were typed); refused
   * entries are marked and skipped. `force` ignores the backoff (the connection just came back).
   * Concurrent calls share one run, which goes round once more if something was asked meanwhile.
   */
  flush(options: { force?: boolean } = {}): Promise<FlushResult> {
    const force = options.force ?? false;
    if (this.running) {
      this.rerun = { force: force || (this.rerun?.force ?? false) };
      return this.running;
    }
    const run = async (): Promise<FlushResult> => {
      const total: FlushResult = { sent: 0, rejected: 0, waiting: 0 };
      let again: { force: boolean } | null = { force };
      while (again) {
        this.rerun = null;
        const pass = await this.pass(again.force);
        total.sent += pass.sent;
        total.rejected += pass.rejected;
        total.waiting = pass.waiting;
        again = this.rerun;
      }
      return total;
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(force: boolean): Promise<FlushResult> {
    await this.load();
    // another tab may have added or sent entries since
    await this.reload();
    const result: FlushResult = { sent: 0, rejected: 0, waiting: 0 };
    for (const entry of [...this.entries]) {
      if (entry.failed) continue;
      if (!force && entry.nextAttemptAt > this.now()) break;
      let outcome: SendOutcome;
      try {
        outcome = await this.send(entry);
      } catch (err) {
        outcome = { status: "retry", message: err instanceof Error ? err.message : String(err) };
      }
      if (outcome.status === "sent") {
        try {
          await this.onSent?.(entry, outcome.result);
        } catch {
          // the entry is on the server; a failed refresh must not send it again
        }
        await this.exclusive(() => this.remove(entry.clientKey));
        result.sent++;
        continue;
      }
      if (outcome.status === "rejected") {
        await this.replace({ ...entry, failed: { message: outcome.message, httpStatus: outcome.httpStatus, at: this.now() } });
        result.rejected++;
        continue;
      }
      const attempts = entry.attempts + 1;
      await this.replace({ ...entry, attempts, lastError: outcome.message, nextAttemptAt: this.now() + this.backoffMs(attempts) });
      break;
    }
    result.waiting = this.entries.filter((e) => !e.failed).length;
    return result;
  }

  /** (inside exclusive) */
  private async remove(clientKey: string): Promise<void> {
    await this.store.delete(clientKey);
    this.entries = this.entries.filter((e) => e.clientKey !== clientKey);
    this.publish();
  }

  private replace(entry: QueueEntry): Promise<void> {
    return this.exclusive(async () => {
      await this.store.put(entry);
      this.entries = this.entries.map((e) => (e.clientKey === entry.clientKey ? entry : e));
      this.publish();
    });
  }
}

/** A store in memory: for tests, and for browsers without IndexedDB (entries then last one page). */
export function memoryStore(initial: QueueEntry[] = []): QueueStore & { data: Map<string, QueueEntry> } {
  const data = new Map(initial.map((e) => [e.clientKey, structuredClone(e)]));
  return {
    data,
    async all() {
      return [...data.values()].map((e) => structuredClone(e));
    },
    async put(entry) {
      data.set(entry.clientKey, structuredClone(entry));
    },
    async delete(clientKey) {
      data.delete(clientKey);
    },
  };
}
