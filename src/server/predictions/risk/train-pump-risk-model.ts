/**
 * The training job of the pump-set failure-risk model for one organisation: reads every pump set's
 * history (hourly rollups and work orders, up to a year), trains (train-pump-risk.ts) and stores the
 * result as a new version of the model row, with its progress visible while it runs (status
 * "training", progress 0..1) so the page can show it.
 *
 * A model that passes its held-out check is put in force (status "active") and the version it
 * replaces retired, in one transaction; one that does not stays a "candidate" (its scores are not
 * acted on); a training that cannot run (too few failures) or fails is stored "failed" with the
 * reason, so a manager sees why there is no model. Only one training per organisation at a time: a
 * second one finds the first's row still training and is refused.
 */
import { gzipSync } from "node:zlib";
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { isUniqueViolation } from "@/server/maintenance/work-orders/access";
import { boostedTreesToJSON } from "@/server/predictions/rul/gradient-boosting";
import { PUMP_FEATURES } from "./features";
import { HOUR_MS } from "./pump-history";
import { listPumpSets, readPumpHistory } from "./read-pump-history";
import { PUMP_RISK } from "./spec";
import { trainPumpRisk, type RiskTrainingOptions } from "./train-pump-risk";

const DAY_MS = 86_400_000;
const STALE_TRAINING_MS = PUMP_RISK.abandonTrainingAfterHours * HOUR_MS;

export interface TrainModelResult {
  modelId: string;
  version: number;
  status: "active" | "candidate" | "failed";
  message: string;
}

/** The artifact: the trees and the threshold they act at, gzipped JSON. */
export interface RiskArtifact {
  format: "ecomate-boosted-trees@1";
  features: string[];
  threshold: number;
  horizonHours: number;
  trees: ReturnType<typeof boostedTreesToJSON>;
}

export interface TrainingOptions {
  training?: Partial<RiskTrainingOptions>;
  trainingDays?: number;
  /** 0..1 as the row's progress moves (the CLI prints it) */
  onProgress?: (share: number) => void;
}

/** Trains and waits for the outcome (the worker, the CLI, tests). */
export async function trainPumpRiskModel(db: Db, organizationId: string, now: Date, actor: Actor, opts: TrainingOptions = {}): Promise<TrainModelResult> {
  return (await beginPumpRiskTraining(db, organizationId, now, actor, opts)).finished;
}

/**
 * Creates the new version's row ("training") and returns it at once with the outcome to come: the
 * page's "Train now" answers with the version and then follows the row's progress. Refused with
 * CONFLICT while another training of the organisation runs.
 */
export async function beginPumpRiskTraining(
  db: Db,
  organizationId: string,
  now: Date,
  actor: Actor,
  opts: TrainingOptions = {},
): Promise<{ modelId: string; version: number; finished: Promise<TrainModelResult> }> {
  const row = await startTraining(db, organizationId, now);
  const finished = runTraining(db, row, organizationId, now, actor, opts);
  // a caller that does not wait must not see an unhandled rejection: the row says "failed" and why
  finished.catch(() => undefined);
  return { modelId: row.id, version: row.version, finished };
}

async function runTraining(db: Db, row: { id: string; version: number }, organizationId: string, now: Date, actor: Actor, opts: TrainingOptions): Promise<TrainModelResult> {
  const progress = progressWriter(db, row.id, opts.onProgress);
  try {
    const sets = await listPumpSets(db, { organizationId });
    const from = new Date(Math.floor((now.getTime() - (opts.trainingDays ?? PUMP_RISK.trainingDays) * DAY_MS) / HOUR_MS) * HOUR_MS);
    const histories = [];
    for (const [i, set] of sets.entries()) {
      histories.push(await readPumpHistory(db, set, from, now));
      progress.set((0.1 * (i + 1)) / sets.length);
    }
    const result = await trainPumpRisk(histories, { ...opts.training, onProgress: (share) => progress.set(0.1 + 0.85 * share) });
    await progress.flush();
    if (!result.ok) return await finish(db, row, actor, { status: "failed", message: result.reason, evaluation: { reason: result.reason, trainingFailures: result.trainingFailures, holdoutFailures: result.holdoutFailures } });
    const artifact: RiskArtifact = {
      format: "ecomate-boosted-trees@1",
      features: PUMP_FEATURES.map((f) => f.name),
      threshold: result.threshold,
      horizonHours: PUMP_RISK.horizonHours,
      trees: boostedTreesToJSON(result.model),
    };
    return await finish(db, row, actor, {
      status: result.usable ? "active" : "candidate",
      message: result.verdict,
      evaluation: { ...result.evaluation, verdict: result.verdict } as unknown as Prisma.InputJsonObject,
      artifact: gzipSync(JSON.stringify(artifact)),
    });
  } catch (err) {
    await progress.flush();
    const message = `training failed: ${(err as Error).message}`;
    await finish(db, row, actor, { status: "failed", message, evaluation: { reason: message } }).catch(() => undefined);
    throw err;
  }
}

/** The new version's row, status "training"; refused while another training of the organisation runs. */
async function startTraining(db: Db, organizationId: string, now: Date): Promise<{ id: string; version: number }> {
  const running = await db.predictiveModel.findFirst({
    where: { organizationId, key: PUMP_RISK.key, status: "training", createdAt: { gt: new Date(now.getTime() - STALE_TRAINING_MS) } },
    select: { version: true, createdAt: true },
  });
  if (running) throw new AppError("CONFLICT", `the failure-risk model is already being trained (version ${running.version}, started ${running.createdAt.toISOString()}); wait for it to finish`);
  const last = await db.predictiveModel.findFirst({ where: { organizationId, key: PUMP_RISK.key }, orderBy: { version: "desc" }, select: { version: true } });
  try {
    return await db.predictiveModel.create({
      data: {
        organizationId,
        key: PUMP_RISK.key,
        version: (last?.version ?? 0) + 1,
        name: PUMP_RISK.name,
        kind: "failure_risk",
        componentType: "pump",
        algorithm: PUMP_RISK.algorithm,
        params: {
          horizonHours: PUMP_RISK.horizonHours,
          holdoutFraction: PUMP_RISK.holdoutFraction,
          negativeRate: PUMP_RISK.negativeRate,
          trainingDays: PUMP_RISK.trainingDays,
          cooldownDays: PUMP_RISK.cooldownDays,
          boosting: { ...PUMP_RISK.boosting },
        },
        featureSpec: { features: PUMP_FEATURES.map((f) => ({ ...f })) },
        status: "training",
        progress: 0,
      },
      select: { id: true, version: true },
    });
  } catch (err) {
    // two trainings started at once: the second loses the race for the version number
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "the failure-risk model is already being trained; wait for it to finish");
    throw err;
  }
}

async function finish(
  db: Db,
  row: { id: string; version: number },
  actor: Actor,
  outcome: { status: "active" | "candidate" | "failed"; message: string; evaluation: Prisma.InputJsonObject; artifact?: Buffer },
): Promise<TrainModelResult> {
  await db.$transaction(async (tx) => {
    const model = await tx.predictiveModel.update({
      where: { id: row.id },
      data: {
        status: outcome.status,
        progress: null,
        evaluation: outcome.evaluation,
        ...(outcome.artifact ? { artifact: new Uint8Array(outcome.artifact), trainedAt: new Date() } : {}),
      },
      select: { organizationId: true, key: true },
    });
    // the version it replaces stops scoring; older candidates and failures stay as they were
    if (outcome.status === "active") {
      await tx.predictiveModel.updateMany({ where: { organizationId: model.organizationId, key: model.key, status: "active", id: { not: row.id } }, data: { status: "retired" } });
    }
    await recordAudit(tx, actor, {
      organizationId: model.organizationId,
      action: "predictive_model.train",
      entityType: "predictive_model",
      entityId: row.id,
      details: { key: model.key, version: row.version, status: outcome.status, message: outcome.message },
    });
  });
  return { modelId: row.id, version: row.version, status: outcome.status, message: outcome.message };
}

/**
 * Progress to the model row: at most every 2 % and 300 ms, one write at a time. The training yields
 * to the event loop between trees, so the writes go out while it runs; flush() waits for the last.
 */
function progressWriter(db: Db, id: string, onProgress?: (share: number) => void) {
  let written = 0;
  let lastAt = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const write = (value: number) => {
    onProgress?.(value);
    written = value;
    lastAt = Date.now();
    chain = chain.then(() => db.predictiveModel.update({ where: { id }, data: { progress: value } })).catch(() => undefined);
  };
  return {
    set(value: number) {
      if (value - written >= 0.02 && Date.now() - lastAt >= 300) write(value);
    },
    flush: () => chain,
  };
}

/**
 * The worker's weekly training: every organisation with pump sets whose newest failure-risk version
 * (whatever became of it) is older than PUMP_RISK.retrainEveryDays, or that has none, trains now,
 * one after the other. A failed training is therefore retried a week later, not every hour.
 */
export async function trainDueRiskModels(db: Db, now: Date, actor: Actor): Promise<{ organizationId: string; result: TrainModelResult | { error: string } }[]> {
  const organisations = await db.organization.findMany({
    where: { systems: { some: { status: { not: "decommissioned" }, components: { some: { type: "pump", status: "active" } } } } },
    select: { id: true, predictiveModels: { where: { key: PUMP_RISK.key }, orderBy: { version: "desc" }, take: 1, select: { createdAt: true } } },
  });
  const due = organisations.filter((o) => {
    const newest = o.predictiveModels[0];
    return !newest || now.getTime() - newest.createdAt.getTime() >= PUMP_RISK.retrainEveryDays * DAY_MS;
  });
  const out: { organizationId: string; result: TrainModelResult | { error: string } }[] = [];
  for (const o of due) {
    try {
      out.push({ organizationId: o.id, result: await trainPumpRiskModel(db, o.id, now, actor) });
    } catch (err) {
      out.push({ organizationId: o.id, result: { error: (err as Error).message } });
    }
  }
  return out;
}
