/**
 * The compliance job in the worker process: every few minutes the open site-local day of every
 * system in service is recomputed from the 1-minute rollups (off-spec volume is a ledger kept up to
 * date, not a guess made at month end), and recent days without a final record are closed
 * (src/server/compliance/run-compliance.ts). A run still going is not started twice here; several
 * workers may run it at once (each system-day is written under its own lock, and equal rows are left
 * as they are). Then the calibration alerts of every instrument are brought up to date (failed:
 * a compliance alarm; overdue: a warning). Errors are logged and the next run tries again.
 */
import type { Logger } from "@/server/logger";
import { getDb } from "@/server/db";
import { syncCalibrationAlerts } from "@/server/compliance/calibration-checks";
import { runCompliance } from "@/server/compliance/run-compliance";

export interface ComplianceScheduleOptions {
  /** First run after start (default 30 s: the page shows today soon after a restart). */
  firstRunDelayMs?: number;
  /** Between runs (default 5 min). */
  everyMs?: number;
}

export function scheduleCompliance(log: Logger, opts: ComplianceScheduleOptions = {}): { stop(): void; runNow(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;

  const run = (): Promise<void> => {
    if (running || stopped) return running ?? Promise.resolve();
    running = (async () => {
      try {
        const started = Date.now();
        const r = await runCompliance(getDb(), new Date());
        const changed = r.computed.filter((d) => d.changed);
        if (changed.length > 0 || r.failed.length > 0) {
          log.info(
            {
              computed: r.computed.length,
              changed: changed.map((d) => ({ system: d.system, day: d.day, status: d.status, final: d.final, offSpecM3: d.offSpecVolumeM3 })),
              failed: r.failed.length,
              tookMs: Date.now() - started,
            },
            "compliance days computed",
          );
        }
        for (const f of r.failed) log.warn({ system: f.system, day: f.day, err: f.message }, "compliance day failed; retrying at the next run");
        // instruments out of calibration (a compliance alarm) or with their check overdue (a warning)
        await syncCalibrationAlerts(getDb(), new Date());
      } catch (err) {
        log.warn({ err: (err as Error).message }, "compliance run failed; retrying at the next run");
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const first = setTimeout(() => void run(), opts.firstRunDelayMs ?? 30_000);
  const every = setInterval(() => void run(), opts.everyMs ?? 5 * 60_000);
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
