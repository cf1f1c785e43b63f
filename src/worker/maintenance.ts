/**
 * Scheduled telemetry upkeep in the worker process: compaction of raw readings older than a day
 * (storage goal: ~13 bytes/reading) and the per-series baselines of the statistical alarms every hour,
 * retention per metric every six hours. A run that is still going is not started twice; errors are
 * logged and the next run tries again. Preventive schedules are run every minute (runDueSchedules),
 * likewise never twice at once in this process; other workers are kept out by the schedule's row lock.
 * The degradation models score the fleet every hour on the hourly rollups (runPredictions; first a
 * few minutes after start, so a restart does not add to the backlog it is catching up on), never twice
 * at once here; another worker scoring at the same time opens no second order (an advisory lock per
 * component and model).
 */
import type pg from "pg";
import type { Logger } from "@/server/logger";
import { compactTelemetry } from "@/server/telemetry/compaction";
import { applyRetention } from "@/server/telemetry/retention";
import { computeBaselines } from "@/server/telemetry/baselines";
import { getDb } from "@/server/db";
import { runDueSchedules } from "@/server/maintenance/schedules/run-due-schedules";
import { trainDueRiskModels } from "@/server/predictions/risk/train-pump-risk-model";
import { runPredictions } from "@/server/predictions/run-predictions";

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
  /** Score the degradation models (default true). */
  predictions?: boolean;
  /** First prediction run after start (default a minute: the demo shows its forecasts at once). */
  predictionsFirstRunDelayMs?: number;
  /** Between prediction runs (default an hour). */
  predictionsEveryMs?: number;
}

export function scheduleTelemetryMaintenance(
  pool: pg.Pool,
  log: Logger,
  opts: MaintenanceOptions = {},
): { stop(): void; runNow(): Promise<void>; runPredictionsNow(): Promise<void> } {
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

  let schedulesRunning = false;
  const runSchedules = async () => {
    if (schedulesRunning || stopped) return;
    schedulesRunning = true;
    try {
      const r = await runDueSchedules(getDb(), new Date());
      if (r.created.length > 0) log.info({ created: r.created.map((c) => ({ schedule: c.scheduleId, workOrder: c.number, dueAt: c.scheduleDueAt })) }, "scheduled work orders opened");
      for (const m of r.meterResets) log.info({ schedule: m.scheduleId, at: m.reset.at, from: m.reset.from, to: m.reset.to }, "meter counter reset: schedule interval restarted from 0");
      for (const f of r.failed) log.warn({ schedule: f.scheduleId, err: f.message }, "schedule could not be run; retrying at the next run");
    } catch (err) {
      log.warn({ err: (err as Error).message }, "schedule runner failed; retrying in a minute");
    } finally {
      schedulesRunning = false;
    }
  };

  let predictionsRunning: Promise<void> | null = null;
  const runPredictionsOnce = (): Promise<void> => {
    if (predictionsRunning || stopped) return predictionsRunning ?? Promise.resolve();
    predictionsRunning = (async () => {
      // one worker of several scores per round: the others would only store duplicate predictions
      // (orders are safe either way: act-on-prediction locks per component and model)
      const lock = await pool.connect().catch((err: Error) => {
        log.warn({ err: err.message }, "prediction run skipped: no database connection; retrying at the next run");
        return null;
      });
      if (!lock) return void (predictionsRunning = null);
      try {
        const { rows } = await lock.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext('ecomate:predictions-run')) AS ok");
        if (!rows[0]?.ok) {
          log.debug("predictions are being scored by another worker");
          return;
        }
        // the failure-risk model learns first (weekly per organisation), so its scores are fresh
        for (const t of await trainDueRiskModels(getDb(), new Date(), { type: "system", label: "worker" })) {
          if ("error" in t.result) log.warn({ organizationId: t.organizationId, err: t.result.error }, "failure-risk training failed; retrying in a week");
          else log.info({ organizationId: t.organizationId, ...t.result }, "failure-risk model trained");
        }
        const started = Date.now();
        const r = await runPredictions(getDb(), new Date());
        log.info(
          {
            scored: r.scored,
            actions: r.actions,
            workOrders: r.workOrders.map((w) => ({ number: w.number, system: w.system, component: w.component, model: w.model })),
            skipped: r.skipped.length,
            failed: r.failed.length,
            tookMs: Date.now() - started,
          },
          "predictions scored",
        );
        for (const f of r.failed) log.warn({ system: f.system, component: f.component, model: f.model, err: f.message }, "prediction failed; retrying at the next run");
      } catch (err) {
        log.warn({ err: (err as Error).message }, "prediction run failed; retrying at the next run");
      } finally {
        await lock.query("SELECT pg_advisory_unlock(hashtext('ecomate:predictions-run'))").catch(() => undefined);
        lock.release();
        predictionsRunning = null;
      }
    })();
    return predictionsRunning;
  };

  const first = setTimeout(() => void run(), opts.firstRunDelayMs ?? 60_000);
  const every = setInterval(() => void run(), opts.compactEveryMs ?? 3_600_000);
  const schedules = setInterval(() => void runSchedules(), 60_000);
  const predicting = opts.predictions !== false;
  const firstPrediction = predicting ? setTimeout(() => void runPredictionsOnce(), opts.predictionsFirstRunDelayMs ?? 60_000) : null;
  const predictions = predicting ? setInterval(() => void runPredictionsOnce(), opts.predictionsEveryMs ?? 3_600_000) : null;
  for (const t of [first, every, schedules, firstPrediction, predictions]) t?.unref();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      clearInterval(schedules);
      if (firstPrediction) clearTimeout(firstPrediction);
      if (predictions) clearInterval(predictions);
    },
    runNow: run,
    runPredictionsNow: runPredictionsOnce,
  };
}
