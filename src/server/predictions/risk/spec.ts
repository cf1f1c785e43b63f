/**
 * The pump-set failure-risk model: what it predicts, how it is trained, when it acts. Unlike the
 * degradation trends (fixed parameters), it is learnt from the organisation's own history (its
 * telemetry and its corrective work orders), so each training makes a new version of the model row
 * with the trained trees as its artifact.
 */
import type { BoostingOptions } from "@/server/predictions/rul/gradient-boosting";

export const PUMP_RISK = {
  key: "pump-failure-risk",
  name: "Booster pump set failure risk (gradient-boosted trees on hourly telemetry)",
  algorithm: "gradient_boosted_trees",
  /** the probability is of a failure within this many hours */
  horizonHours: 7 * 24,
  /** hours of history the features of one hour look back: 30 days of baseline, a week of change, a day of means */
  lookbackHours: 30 * 24 + 7 * 24 + 24,
  /** at most this much history is trained on */
  trainingDays: 365,
  /** the last share of the trained span is held out to evaluate (a split in time, as the model is used) */
  holdoutFraction: 0.25,
  /** negatives kept for training (weighted back): failures are rare, hours are many */
  negativeRate: 0.1,
  boosting: { loss: "logistic", trees: 200, learningRate: 0.08, maxDepth: 5, minLeaf: 40, lambda: 1, subsample: 0.5, colsample: 0.9, bins: 64, seed: 7 } satisfies Partial<BoostingOptions> & { loss: "logistic" },
  /** training needs at least this many failures with telemetry before the holdout and in it */
  minTrainingFailures: 5,
  minHoldoutFailures: 2,
  /** a trained model is put in force only if it ranks held-out hours this well (ROC AUC) */
  minHoldoutAuc: 0.65,
  /** the action threshold, picked on the holdout (best F1), stays within these bounds */
  thresholdBounds: [0.2, 0.9] as const,
  /** an hour is scored only if this share of its last 24 hours has pump data */
  minCoverage: 0.5,
  cooldownDays: 7,
  workOrder: {
    title: "Inspect booster pump set: failure likely within 7 days",
    priority: "high" as const,
    checklist: [
      "Listen to and measure vibration at the motor and pump bearings",
      "Check the mechanical seal and the casing for leaks",
      "Check suction: strainer, tank level, air in the line (cavitation)",
      "Replace the worn part found; record what was found in the close-out",
    ],
  },
  /** retrain this often in the worker */
  retrainEveryDays: 7,
  /** a version still "training" after this long belongs to a process that died: it neither blocks a new training nor is followed by the page */
  abandonTrainingAfterHours: 2,
} as const;
