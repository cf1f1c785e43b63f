/**
 * Scheduled telemetry upkeep in the worker process: compaction of raw readings older than a day
 * (storage goal: ~13 bytes/reading) and the per-series baselines of the statistical alarms every hour,
 * retention per metric every six hours. A run that is still going is not started twice; errors are
 * logged and the next run tries again.
 */
import type pg from "pg";
import type { Logger } from "@/server/logger";
import { compactTelemetry } from "@/server/telemetry/compaction";
import { applyRetention } from "@/server/telemetry/retention";
import { computeBaselines } from "@/server/telemetry/baselines";

export interface MaintenanceOptions {
  firstRunDelayMs?: number;
  compactEveryMs?: number;
  retentionEveryMs?: number;
  /** Raw readings older than this are compacted. */
  compactAfterMs?: number;
  /** Recompute series baselines on every run (default true). */
  baselines?: boolean;
  /** Days of hourly rollups a baseline covers (default 14). */
  baselineWindowDays?: number;
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
        await compactAndRetain();
        if (opts.baselines !== false && !stopped) await updateBaselines();
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const compactAndRetain = async () => {
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
    }
  };

  // separate from compaction: a failing compaction must not hold the baselines back, nor the reverse
  const updateBaselines = async () => {
    try {
      const started = Date.now();
      const series = await computeBaselines(pool, { windowDays: opts.baselineWindowDays });
      if (series > 0) log.info({ series, tookMs: Date.now() - started }, "series baselines updated");
    } catch (err) {
      log.warn({ err: (err as Error).message }, "series baselines failed; retrying at the next run");
    }
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
