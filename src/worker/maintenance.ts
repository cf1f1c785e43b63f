/**
 * Scheduled telemetry upkeep in the worker process: compaction of raw readings older than a day
 * (storage goal: ~13 bytes/reading) every hour, retention per metric every six hours. A run that is
 * still going is not started twice; errors are logged and the next run tries again.
 */
import type pg from "pg";
import type { Logger } from "@/server/logger";
import { compactTelemetry } from "@/server/telemetry/compaction";
import { applyRetention } from "@/server/telemetry/retention";

export interface MaintenanceOptions {
  firstRunDelayMs?: number;
  compactEveryMs?: number;
  retentionEveryMs?: number;
  /** Raw readings older than this are compacted. */
  compactAfterMs?: number;
}

export function scheduleTelemetryMaintenance(pool: pg.Pool, log: Logger, opts: MaintenanceOptions = {}): { stop(): void; runNow(): Promise<void> } {
  const compactAfterMs = opts.compactAfterMs ?? 86_400_000;
  let running: Promise<void> | null = null;
  let lastRetention = 0;
  let stopped = false;

  const run = (): Promise<void> => {
    if (running || stopped) return running ?? Promise.resolve();
    running = (async () => {
      try {
        const started = Date.now();
        const c = await compactTelemetry(pool, { olderThan: new Date(Date.now() - compactAfterMs) });
        if (c.readings > 0 || c.droppedPartitions.length > 0) log.info({ ...c, tookMs: Date.now() - started }, "telemetry compacted");
        if (Date.now() - lastRetention >= (opts.retentionEveryMs ?? 6 * 3_600_000)) {
          const r = await applyRetention(pool, new Date());
          lastRetention = Date.now();
          const deleted = Object.values(r.deleted).reduce((a, b) => a + b, 0);
          if (deleted > 0 || r.droppedPartitions.length > 0) log.info(r, "telemetry retention applied");
        }
      } catch (err) {
        log.warn({ err: (err as Error).message }, "telemetry maintenance failed; retrying at the next run");
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const first = setTimeout(() => void run(), opts.firstRunDelayMs ?? 60_000);
  const every = setInterval(() => void run(), opts.compactEveryMs ?? 3_600_000);
  first.unref();
  every.unref();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
    },
    runNow: run,
  };
}
