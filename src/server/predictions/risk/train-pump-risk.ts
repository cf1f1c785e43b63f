/**
 * Training the pump-set failure-risk model on histories (pure: the database job and the training
 * benchmark both call it). The split is in time, as the model is used: it learns from the earlier
 * part of the span and is judged on the last part (every hour of it, none sampled away), where it
 * also picks its action threshold (best F1). Failures are rare and hours many, so the training rows
 * keep every positive and a weighted sample of the negatives (training-set.ts).
 */
import { featureImportance, fitBoostedTreesAsync, predictProbability, type BoostedTrees, type BoostingOptions } from "@/server/predictions/rul/gradient-boosting";
import { bestF1Threshold, evaluateRisk, type RiskEvaluation } from "./evaluate-risk";
import { PUMP_FEATURES } from "./features";
import { HOUR_MS, type PumpHistory } from "./pump-history";
import { PUMP_RISK } from "./spec";
import { buildTrainingSets, type TrainingSet } from "./training-set";

export interface RiskTrainingOptions {
  horizonHours: number;
  holdoutFraction: number;
  negativeRate: number;
  boosting: Partial<BoostingOptions>;
  minTrainingFailures: number;
  minHoldoutFailures: number;
  minHoldoutAuc: number;
  thresholdBounds: readonly [number, number];
  /** hours with less of their last day covered by pump data are left out, as the scorer skips them */
  minCoverage: number;
  seed: number;
  /** 0..1 while training; the trees are almost all of the time */
  onProgress?: (share: number) => void;
}

export const defaultRiskTraining: RiskTrainingOptions = {
  horizonHours: PUMP_RISK.horizonHours,
  holdoutFraction: PUMP_RISK.holdoutFraction,
  negativeRate: PUMP_RISK.negativeRate,
  boosting: PUMP_RISK.boosting,
  minTrainingFailures: PUMP_RISK.minTrainingFailures,
  minHoldoutFailures: PUMP_RISK.minHoldoutFailures,
  minHoldoutAuc: PUMP_RISK.minHoldoutAuc,
  thresholdBounds: PUMP_RISK.thresholdBounds,
  minCoverage: PUMP_RISK.minCoverage,
  seed: 1,
};

export interface RiskEvaluationReport {
  /** the split: trained on [from, split), judged on [split, to) */
  from: string;
  split: string;
  to: string;
  pumpSets: number;
  trainingFailures: number;
  holdoutFailures: number;
  trainingRows: number;
  trainingPositives: number;
  holdout: RiskEvaluation & { threshold: number };
  /** the holdout's positive rate: what a model that knows nothing would say */
  baseRate: number;
  importance: { feature: string; share: number }[];
  trainSeconds: number;
}

export type RiskTrainingResult =
  | {
      ok: true;
      model: BoostedTrees;
      threshold: number;
      evaluation: RiskEvaluationReport;
      usable: boolean;
      verdict: string;
      /** the rows it learnt from and was judged on, and its scores there (the benchmark scores a baseline on the same rows) */
      sets: { train: TrainingSet; holdout: TrainingSet; holdoutScores: Float64Array };
    }
  | { ok: false; reason: string; trainingFailures: number; holdoutFailures: number };

function hasPumpData(h: PumpHistory): boolean {
  return h.series.vibration.some(Number.isFinite) || h.series.power.some(Number.isFinite);
}

/** Failures whose start lies in [fromMs, toMs). */
function failuresIn(histories: readonly PumpHistory[], fromMs: number, toMs: number): number {
  let n = 0;
  for (const h of histories) for (const f of h.failures) {
    const t = h.start + f.at * HOUR_MS;
    if (t >= fromMs && t < toMs) n++;
  }
  return n;
}

export async function trainPumpRisk(histories: readonly PumpHistory[], options: Partial<RiskTrainingOptions> = {}): Promise<RiskTrainingResult> {
  const o = { ...defaultRiskTraining, ...options };
  if (histories.length === 0) return { ok: false, reason: "no pump set has telemetry to learn from", trainingFailures: 0, holdoutFailures: 0 };
  const from = Math.min(...histories.map((h) => h.start));
  const to = Math.max(...histories.map((h) => h.start + h.hours * HOUR_MS));
  const split = Math.floor((to - (to - from) * o.holdoutFraction) / HOUR_MS) * HOUR_MS;
  // a set that never reported what the model reads teaches nothing: its failures do not count
  const withData = histories.filter(hasPumpData);
  const trainingFailures = failuresIn(withData, from, split);
  const holdoutFailures = failuresIn(withData, split, to);
  if (trainingFailures < o.minTrainingFailures || holdoutFailures < o.minHoldoutFailures) {
    return {
      ok: false,
      reason:
        `not enough failures in the history to learn from and to check on: ${trainingFailures} before ${new Date(split).toISOString().slice(0, 10)} ` +
        `(needs ${o.minTrainingFailures}) and ${holdoutFailures} after (needs ${o.minHoldoutFailures})`,
      trainingFailures,
      holdoutFailures,
    };
  }

  // hours the scorer would skip for lack of data are neither learnt from nor judged on
  const common = { horizonHours: o.horizonHours, seed: o.seed, minCoverage: o.minCoverage };
  const [train, test] = buildTrainingSets(withData, common, [
    { negativeRate: o.negativeRate, fromMs: from, toMs: split },
    { negativeRate: 1, fromMs: split, toMs: to },
  ]) as [TrainingSet, TrainingSet];
  const started = performance.now();
  const model = await fitBoostedTreesAsync(train.x, train.y, train.features, {
    ...o.boosting,
    loss: "logistic",
    weights: train.w,
    onTree: o.onProgress ? (done, total) => o.onProgress!(done / total) : undefined,
  });
  const trainSeconds = (performance.now() - started) / 1000;

  const scores = predictProbability(model, test.x);
  const best = bestF1Threshold(scores, test.y);
  const threshold = Math.min(o.thresholdBounds[1], Math.max(o.thresholdBounds[0], best?.threshold ?? 0.5));
  const holdout = { ...evaluateRisk(scores, test.y, threshold), threshold };
  const importance = Array.from(featureImportance(model), (share, i) => ({ feature: PUMP_FEATURES[i]!.name, share })).sort((a, b) => b.share - a.share);
  const evaluation: RiskEvaluationReport = {
    from: new Date(from).toISOString(),
    split: new Date(split).toISOString(),
    to: new Date(to).toISOString(),
    // the sets that reported anything the model reads
    pumpSets: withData.length,
    trainingFailures,
    holdoutFailures,
    trainingRows: train.rows,
    trainingPositives: train.positives,
    holdout,
    baseRate: holdout.baseRate,
    importance,
    trainSeconds,
  };
  const auc = holdout.auc;
  const usable = auc !== null && auc >= o.minHoldoutAuc;
  const verdict = usable
    ? `ranks held-out hours with ROC AUC ${auc.toFixed(2)} (at least ${o.minHoldoutAuc} needed)`
    : `ROC AUC on held-out hours is ${auc === null ? "undefined" : auc.toFixed(2)}, below the ${o.minHoldoutAuc} needed to act on its scores`;
  return { ok: true, model, threshold, evaluation, usable, verdict, sets: { train, holdout: test, holdoutScores: scores } };
}
