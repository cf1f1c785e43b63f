// A LISTEN that survives the database: one pooled connection held while listening, re-established
// after a lost connection (every `retryMs`), released with UNLISTEN on stop. The worker's services
// that react to NOTIFY (approved commands, test e-mail requests) use it; the live feed has its own.
import type pg from "pg";
import type { Logger } from "@/server/logger";

export interface PersistentListen {
  /** resolves once the first LISTEN is in place */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function listenPersistently(opts: {
  pool: pg.Pool;
  channel: string;
  log: Logger;
  /** what is listened for, in the log lines ("approved commands", "test e-mail requests") */
  what: string;
  onNotification(payload: string | undefined): void;
  /** after each (re)established LISTEN: catch up on what was notified while nobody listened */
  onListening?(): void;
  retryMs?: number;
}): PersistentListen {
  const { log, channel, what } = opts;
  let client: pg.PoolClient | null = null;
  let release: ((err?: Error) => void) | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));

  const onNotification = (n: pg.Notification) => {
    if (n.channel === channel && !stopped) opts.onNotification(n.payload);
  };
  const scheduleListen = () => {
    if (!stopped && !retryTimer) retryTimer = setTimeout(() => void listen(), opts.retryMs ?? 2_000);
  };

  async function listen(): Promise<void> {
    retryTimer = undefined;
    if (stopped || client) return;
    let c: pg.PoolClient;
    try {
      c = await opts.pool.connect();
    } catch (err) {
      log.warn({ err: (err as Error).message }, `cannot listen for ${what}; retrying`);
      return scheduleListen();
    }
    const lost = (err: Error) => {
      if (client !== c) return;
      release?.(err);
      log.warn({ err: err.message }, `the listener for ${what} lost its connection; reconnecting`);
      scheduleListen();
    };
    const ended = () => lost(new Error("connection ended"));
    client = c;
    release = (err) => {
      client = null;
      release = null;
      c.off("notification", onNotification);
      c.off("error", lost);
      c.off("end", ended);
      c.release(err);
    };
    c.on("error", lost);
    c.on("end", ended);
    c.on("notification", onNotification);
    if (stopped) return release();
    try {
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      return lost(err as Error);
    }
    if (client !== c) return;
    log.info(`listening for ${what}`);
    readyResolve();
    opts.onListening?.();
  }

  void listen();

  return {
    ready,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      const c = client;
      const done = release;
      if (c && done) {
        await c.query(`UNLISTEN ${channel}`).then(
          () => done(),
          (err: Error) => done(err),
        );
      }
    },
  };
}
