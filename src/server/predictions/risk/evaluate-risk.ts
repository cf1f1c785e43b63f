/**
 * How good a binary risk model is on held-out rows: `scores` are its predicted probabilities of the
 * positive class (the pump set fails within the horizon), `labels` what happened, 0 or 1. Pure, and
 * at most O(n log n) (two typed-array sorts), so a year of hourly rows of a fleet (~1M) is fine.
 *
 * A row is flagged (the model raises an alarm) when its score is >= the threshold.
 *
 * Undefined metrics: `auc` returns null (does not throw) when the labels hold one class only, so a
 * report can still give the other numbers; recall and F1 (and so `precisionRecallAt`,
 * `bestF1Threshold` and `evaluateRisk`) throw without a positive row; precision is null when no row
 * is flagged. Mismatched lengths, no rows, a label other than 0/1 or a score outside [0, 1] throw.
 */

export interface PrecisionRecall {
  /** share of flagged rows that are positive; null when no row is flagged */
  precision: number | null;
  /** share of positive rows that are flagged */
  recall: number;
  /** 2 TP / (2 TP + FP + FN): 0 when nothing positive is flagged */
  f1: number;
}

export interface RiskEvaluation extends PrecisionRecall {
  n: number;
  positives: number;
  baseRate: number;
  /** null when the labels hold one class only */
  auc: number | null;
  brier: number;
  logLoss: number;
  threshold: number;
  accuracy: number;
}

/** Checks the labels: a non-empty list of 0 and 1. Returns how many are 1. */
function countPositives(labels: ArrayLike<number>): number {
  if (labels.length === 0) throw new Error("no rows to evaluate");
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y === 1) positives++;
    else if (y !== 0) throw new Error(`label of row ${i} is ${y}: labels must be 0 or 1`);
  }
  return positives;
}

/** Checks scores against labels (same length, probabilities in [0, 1]); returns the positives. */
function checkRows(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (scores.length !== labels.length) throw new Error(`${scores.length} scores but ${labels.length} labels: one of each per row`);
  const positives = countPositives(labels);
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`score of row ${i} is ${p}: scores must be probabilities in [0, 1]`);
  }
  return positives;
}

function checkThreshold(threshold: number): void {
  if (Number.isNaN(threshold)) throw new Error("the threshold is NaN");
}

function requirePositives(positives: number, what: string): void {
  if (positives === 0) throw new Error(`no positive rows: ${what} is undefined`);
}

/** Share of rows labelled 1. */
export function baseRate(labels: ArrayLike<number>): number {
  return countPositives(labels) / labels.length;
}

/** The scores of the positive and of the negative rows, each sorted ascending. */
function scoresByClass(scores: ArrayLike<number>, labels: ArrayLike<number>, positives: number): { pos: Float64Array; neg: Float64Array } {
  const pos = new Float64Array(positives);
  const neg = new Float64Array(labels.length - positives);
  let a = 0;
  let b = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos[a++] = scores[i]!;
    else neg[b++] = scores[i]!;
  }
  return { pos: pos.sort(), neg: neg.sort() };
}

/**
 * Area under the ROC curve: the chance that a random positive row scores above a random negative
 * one, a tie counting one half (the Mann-Whitney rank statistic). Null when every label is the same:
 * the area is undefined then, and a report can still show the rest.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const positives = checkRows(scores, labels);
  return aucOf(scores, labels, positives);
}

function aucOf(scores: ArrayLike<number>, labels: ArrayLike<number>, positives: number): number | null {
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const { pos, neg } = scoresByClass(scores, labels, positives);
  // for each positive (ascending) the negatives below it and those equal to it; both pointers only move up
  let below = 0;
  let upTo = 0;
  // counts of pairs: whole and half numbers below 2^53 for any n that fits in memory, so exact
  let wins = 0;
  for (let k = 0; k < pos.length; k++) {
    const v = pos[k]!;
    while (below < neg.length && neg[below]! < v) below++;
    if (upTo < below) upTo = below;
    while (upTo < neg.length && neg[upTo]! <= v) upTo++;
    wins += below + 0.5 * (upTo - below);
  }
  return wins / (positives * negatives);
}

/** Mean squared difference between score and label (0 is perfect; always 0.25 for a score of 0.5). */
export function brier(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkRows(scores, labels);
  return brierOf(scores, labels);
}

function brierOf(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (scores[i]! - labels[i]!) ** 2;
  return sum / scores.length;
}

const EPSILON = 1e-15;

/**
 * Mean negative log-likelihood of the labels (natural log). Scores are clipped to [1e-15, 1 - 1e-15]
 * (as scikit-learn does), so one confident miss costs ~34.5 instead of Infinity.
 */
export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkRows(scores, labels);
  return logLossOf(scores, labels);
}

function logLossOf(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, scores[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / scores.length;
}

/** Share of rows where the flag (score >= threshold) matches the label. */
export function accuracyAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): number {
  checkRows(scores, labels);
  checkThreshold(threshold);
  return accuracyOf(scores, labels, threshold);
}

function accuracyOf(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): number {
  let right = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= threshold === (labels[i] === 1)) right++;
  return right / scores.length;
}

/** Precision, recall and F1 of flagging score >= threshold. Throws without a positive row. */
export function precisionRecallAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): PrecisionRecall {
  const positives = checkRows(scores, labels);
  checkThreshold(threshold);
  requirePositives(positives, "recall");
  return precisionRecallOf(scores, labels, threshold, positives);
}

function precisionRecallOf(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number, positives: number): PrecisionRecall {
  let truePositives = 0;
  let flagged = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! < threshold) continue;
    flagged++;
    if (labels[i] === 1) truePositives++;
  }
  return {
    precision: flagged === 0 ? null : truePositives / flagged,
    recall: truePositives / positives,
    f1: f1Of(truePositives, flagged - truePositives, positives),
  };
}

/** F1 from true and false positives: 2 TP / (2 TP + FP + FN), with FN = positives - TP. */
function f1Of(truePositives: number, falsePositives: number, positives: number): number {
  return (2 * truePositives) / (truePositives + falsePositives + positives);
}

/**
 * The threshold with the highest F1 on these rows (pick it on held-out data, not on the training
 * rows), and that F1: the threshold is one of the scores, flagging score >= it. Of equally good
 * thresholds the highest, which raises the fewest alarms. Throws without a positive row.
 */
export function bestF1Threshold(scores: ArrayLike<number>, labels: ArrayLike<number>): { threshold: number; f1: number } {
  const positives = checkRows(scores, labels);
  requirePositives(positives, "F1");
  const { pos, neg } = scoresByClass(scores, labels, positives);
  // lower the threshold through the distinct scores, from the highest, counting what it flags
  let p = pos.length - 1;
  let q = neg.length - 1;
  let truePositives = 0;
  let falsePositives = 0;
  // at least one positive, so the first threshold beats -1
  let best = -1;
  let bestThreshold = 0;
  while (p >= 0 || q >= 0) {
    const t = Math.max(p >= 0 ? pos[p]! : -Infinity, q >= 0 ? neg[q]! : -Infinity);
    while (p >= 0 && pos[p] === t) {
      truePositives++;
      p--;
    }
    while (q >= 0 && neg[q] === t) {
      falsePositives++;
      q--;
    }
    const f1 = f1Of(truePositives, falsePositives, positives);
    if (f1 > best) {
      best = f1;
      bestThreshold = t;
    }
  }
  return { threshold: bestThreshold, f1: best };
}

/** Every metric above at once, the rows checked once. Throws without a positive row (recall is undefined). */
export function evaluateRisk(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): RiskEvaluation {
  const positives = checkRows(scores, labels);
  checkThreshold(threshold);
  requirePositives(positives, "recall");
  return {
    n: labels.length,
    positives,
    baseRate: positives / labels.length,
    auc: aucOf(scores, labels, positives),
    brier: brierOf(scores, labels),
    logLoss: logLossOf(scores, labels),
    threshold,
    accuracy: accuracyOf(scores, labels, threshold),
    ...precisionRecallOf(scores, labels, threshold, positives),
  };
}
