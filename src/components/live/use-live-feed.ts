"use client";

import { useCallback, useEffect, useEffectEvent, useMemo, useSyncExternalStore } from "react";
import type { LiveAlertEvent, LiveReadingsEvent } from "@/lib/live-events";

/**
 * The browser side of the live feed (`GET /api/live?systems=<id>,<id>`, server-sent events; the wire
 * format is in src/lib/live-events.ts). One EventSource per page: every component that calls
 * `useLiveFeed(systemIds)` adds its systems to the page's one connection, which asks for the union
 * (alert events of the organisation always come, so `useLiveFeed([])` means "alerts only").
 * When the union changes the connection is reopened once for all the mounts and unmounts of a
 * render. On an error it is closed and reopened with exponential backoff and jitter (the browser's
 * own retry gives up for good on an HTTP error, and retries too eagerly when the server is down),
 * at once when the browser comes back online.
 */

export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface LiveEventMap {
  readings: LiveReadingsEvent;
  alert: LiveAlertEvent;
  /** the subscription is (again) in place; from generation 2 on, events may have been missed: refetch */
  ready: { generation: number };
}
export type LiveEventType = keyof LiveEventMap;

export interface LiveSnapshot {
  status: LiveStatus;
  /** times the subscription came up (`ready`); above 1 means events may have been missed meanwhile */
  generation: number;
  /** reconnect attempts since the last `ready` */
  attempt: number;
}

export interface LiveFeed extends LiveSnapshot {
  subscribe<K extends LiveEventType>(type: K, handler: (event: LiveEventMap[K]) => void): () => void;
}

const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
// Kept open briefly after the last user leaves: a remount (React's strict mode, a navigation to
// another page that follows the feed) reuses the connection.
const LINGER_MS = 2_000;
// /api/live serves at most this many systems per connection (MAX_LIVE_SYSTEMS in live-stream.ts).
const MAX_SYSTEMS = 50;

type Handlers = { [K in LiveEventType]: Set<(event: LiveEventMap[K]) => void> };

class LiveConnection {
  private source: EventSource | null = null;
  private openSystems: string | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private linger: ReturnType<typeof setTimeout> | null = null;
  private syncQueued = false;
  private users = 0;
  /** system id -> how many users asked for it */
  private readonly wanted = new Map<string, number>();
  private snapshot: LiveSnapshot = { status: "connecting", generation: 0, attempt: 0 };
  private readonly watchers = new Set<() => void>();
  private readonly handlers: Handlers = { readings: new Set(), alert: new Set(), ready: new Set() };

  getSnapshot = (): LiveSnapshot => this.snapshot;

  watch = (onChange: () => void): (() => void) => {
    this.watchers.add(onChange);
    return () => this.watchers.delete(onChange);
  };

  on<K extends LiveEventType>(type: K, handler: (event: LiveEventMap[K]) => void): () => void {
    const set = this.handlers[type] as Set<(event: LiveEventMap[K]) => void>;
    set.add(handler);
    return () => set.delete(handler);
  }

  acquire(systemIds: readonly string[]): void {
    for (const id of systemIds) this.wanted.set(id, (this.wanted.get(id) ?? 0) + 1);
    if (this.users++ === 0) {
      if (this.linger) clearTimeout(this.linger);
      this.linger = null;
      window.addEventListener("online", this.reconnectNow);
    }
    this.queueSync();
  }

  release(systemIds: readonly string[]): void {
    for (const id of systemIds) {
      const n = (this.wanted.get(id) ?? 0) - 1;
      if (n > 0) this.wanted.set(id, n);
      else this.wanted.delete(id);
    }
    if (--this.users > 0) {
      this.queueSync();
      return;
    }
    this.linger = setTimeout(() => {
      this.linger = null;
      window.removeEventListener("online", this.reconnectNow);
      this.close();
      this.openSystems = null;
      this.set({ status: "connecting", attempt: 0 });
    }, LINGER_MS);
  }

  private systemsKey(): string {
    const ids = [...this.wanted.keys()].sort();
    // beyond the server's limit the rest get no readings (their pages still get alerts)
    return ids.slice(0, MAX_SYSTEMS).join(",");
  }

  /** (Re)opens the connection when the systems asked for changed, once per burst of (un)mounts. */
  private queueSync(): void {
    if (this.syncQueued) return;
    this.syncQueued = true;
    queueMicrotask(() => {
      this.syncQueued = false;
      if (this.users === 0) return;
      const key = this.systemsKey();
      if (key !== this.openSystems || (!this.source && !this.retry)) this.open(key);
    });
  }

  private set(next: Partial<LiveSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...next };
    for (const w of this.watchers) w();
  }

  private emit<K extends LiveEventType>(type: K, event: LiveEventMap[K]): void {
    for (const h of this.handlers[type] as Set<(event: LiveEventMap[K]) => void>) h(event);
  }

  private emitFrame<K extends "readings" | "alert">(type: K, raw: string): void {
    let event: LiveEventMap[K];
    try {
      event = JSON.parse(raw) as LiveEventMap[K];
    } catch {
      return; // a malformed frame is dropped, the stream goes on
    }
    this.emit(type, event);
  }

  private open(systems: string): void {
    this.close();
    this.openSystems = systems;
    const source = new EventSource(`/api/live?systems=${systems.split(",").map(encodeURIComponent).join(",")}`);
    this.source = source;
    source.addEventListener("ready", () => {
      const generation = this.snapshot.generation + 1;
      this.set({ status: "live", generation, attempt: 0 });
      this.emit("ready", { generation });
    });
    source.addEventListener("readings", (e) => this.emitFrame("readings", (e as MessageEvent<string>).data));
    source.addEventListener("alert", (e) => this.emitFrame("alert", (e as MessageEvent<string>).data));
    source.addEventListener("error", () => {
      if (this.source !== source) return;
      this.close();
      const attempt = this.snapshot.attempt + 1;
      this.set({ status: this.snapshot.generation > 0 || attempt > 1 ? "reconnecting" : "connecting", attempt });
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
      this.retry = setTimeout(() => {
        this.retry = null;
        this.open(this.systemsKey());
      }, ceiling / 2 + Math.random() * (ceiling / 2));
    });
  }

  private close(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.source?.close();
    this.source = null;
  }

  private reconnectNow = (): void => {
    if (this.users > 0 && this.snapshot.status !== "live") this.open(this.systemsKey());
  };
}

let pageConnection: LiveConnection | null = null;

function connection(): LiveConnection {
  return (pageConnection ??= new LiveConnection());
}

const SERVER_SNAPSHOT: LiveSnapshot = { status: "connecting", generation: 0, attempt: 0 };

/**
 * Follows the live feed while mounted: readings of `systemIds` (system ids, not codes; [] for none)
 * and every alert event of the organisation, over the page's one connection.
 */
export function useLiveFeed(systemIds: readonly string[]): LiveFeed {
  // entries may be comma-separated lists; empty ones are dropped
  const key = [...new Set(systemIds.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean))].sort().join(",");
  useEffect(() => {
    const ids = key ? key.split(",") : [];
    const c = connection();
    c.acquire(ids);
    return () => c.release(ids);
  }, [key]);
  const snapshot = useSyncExternalStore(connection().watch, connection().getSnapshot, () => SERVER_SNAPSHOT);
  const subscribe = useCallback(
    <K extends LiveEventType>(type: K, handler: (event: LiveEventMap[K]) => void) => connection().on(type, handler),
    [],
  );
  return useMemo(() => ({ ...snapshot, subscribe }), [snapshot, subscribe]);
}

/** Calls `handler` for every `type` event of the feed; the latest handler is used without resubscribing. */
export function useLiveEvent<K extends LiveEventType>(feed: LiveFeed, type: K, handler: (event: LiveEventMap[K]) => void): void {
  const onEvent = useEffectEvent(handler);
  const { subscribe } = feed;
  useEffect(() => subscribe(type, (e) => onEvent(e)), [subscribe, type]);
}
