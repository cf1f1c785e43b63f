/**
 * The failure-risk model's training set: the feature rows and labels of every kept hour of a set of
 * pump histories (features.ts), optionally within a time window (a time split trains on the past and
 * tests on the later hours). Failures are rare (about one per unit-year against 8,760 hours), so all
 * positive rows are kept and only a seeded random share of the negatives, each weighted by the
 * inverse of that share: the weighted set has the class balance of the full one, so the predicted
 * probabilities stay calibrated. Pure.
 */
import { mulberry32 } from "@/lib/random";
import { labelRows, pumpFeatures, PUMP_FEATURE_INDEX, PUMP_FEATURES } from "./features";
import { HOUR_MS, type PumpHistory } from "./pump-history";

export interface TrainingSetOptions {
  /** a row is positive when a failure starts within this many hours after it */
  horizonHours: number;
  /** share of negative rows kept, (0, 1]; 1 keeps every row with weight 1 */
  negativeRate: number;
  seed: number;
  /** only hours whose start (epoch ms) is in [fromMs, toMs) */
  fromMs?: number;
  toMs?: number;
  /**
   * only hours with at least this share of their last 24 h holding pump data (coverage_24h): the
   * scorer skips the others, so the model neither learns from nor is judged on them (default 0)
   */
  minCoverage?: number;
}

export interface TrainingSet {
  /** row-major, `features` values per row */
  x: Float64Array;
  /** 0 or 1 */
  y: Float64Array;
  w: Float64Array;
  features: number;
  rows: number;
  positives: number;
  /** where each row comes from: index in `histories` and hour in that history */
  source: { history: Int32Array; hour: Int32Array };
}

const COVERAGE = PUMP_FEATURE_INDEX.coverage_24h;

export function buildTrainingSet(histories: PumpHistory[], options: TrainingSetOptions): TrainingSet {
  return buildTrainingSets(histories, options, [{ fromMs: options.fromMs, toMs: options.toMs, negativeRate: options.negativeRate }])[0]!;
}

/**
 * Several sets from one featurisation of each history, e.g. the training rows before a split
 * (sampled) and the holdout after it (every hour): each window takes its own hours and negative
 * rate; the sampling draws are the same as building each set on its own.
 */
export function buildTrainingSets(
  histories: PumpHistory[],
  options: Omit<TrainingSetOptions, "fromMs" | "toMs" | "negativeRate">,
  windows: { fromMs?: number; toMs?: number; negativeRate: number }[],
): TrainingSet[] {
  for (const w of windows) if (!(w.negativeRate > 0 && w.negativeRate <= 1)) throw new Error(`buildTrainingSet: negativeRate must be in (0, 1], got ${w.negativeRate}`);
  const width = PUMP_FEATURES.length;
  const minCoverage = options.minCoverage ?? 0;
  const picks = windows.map(() => ({ rand: mulberry32(options.seed), parts: [] as Part[], rows: 0 }));
  histories.forEach((history, index) => {
    const ranges = windows.map((w) => hourRange(history, w.fromMs, w.toMs));
    const first = Math.min(...ranges.map((r) => r[0]));
    const last = Math.max(...ranges.map((r) => r[1]));
    const features = pumpFeatures(history, first, Math.max(first, last));
    const labels = labelRows(history, features.hours, options.horizonHours);
    windows.forEach((w, k) => {
      const [from, to] = ranges[k]!;
      const pick = picks[k]!;
      const picked: number[] = [];
      for (let r = from - first; r < to - first; r++) {
        if (labels.keep[r] === 0) continue;
        if (minCoverage > 0 && !(features.x[r * width + COVERAGE]! >= minCoverage)) continue;
        if (labels.y[r] === 1 || w.negativeRate === 1 || pick.rand() < w.negativeRate) picked.push(r);
      }
      const x = new Float64Array(picked.length * width);
      picked.forEach((r, i) => x.set(features.x.subarray(r * width, (r + 1) * width), i * width));
      pick.parts.push({ x, y: picked.map((r) => labels.y[r]!), history: index, hours: picked.map((r) => features.hours[r]!) });
      pick.rows += picked.length;
    });
  });
  return windows.map((w, k) => assemble(picks[k]!.parts, picks[k]!.rows, 1 / w.negativeRate));
}

interface Part {
  x: Float64Array;
  y: number[];
  history: number;
  hours: number[];
}

function assemble(parts: Part[], rows: number, negativeWeight: number): TrainingSet {
  const width = PUMP_FEATURES.length;
  const set: TrainingSet = {
    x: new Float64Array(rows * width),
    y: new Float64Array(rows),
    w: new Float64Array(rows),
    features: width,
    rows,
    positives: 0,
    source: { history: new Int32Array(rows), hour: new Int32Array(rows) },
  };
  let row = 0;
  for (const part of parts) {
    set.x.set(part.x, row * width);
    part.y.forEach((y, i) => {
      set.y[row + i] = y;
      set.w[row + i] = y === 1 ? 1 : negativeWeight;
      set.source.history[row + i] = part.history;
      set.source.hour[row + i] = part.hours[i]!;
      set.positives += y;
    });
    row += part.y.length;
  }
  return set;
}

/** The hours h of a history with start + h·HOUR_MS in [fromMs, toMs), as a range from..to-1. */
function hourRange(history: PumpHistory, fromMs = -Infinity, toMs = Infinity): [number, number] {
  const clamp = (h: number) => Math.min(history.hours, Math.max(0, h));
  const from = clamp(Math.ceil((fromMs - history.start) / HOUR_MS));
  const to = clamp(Math.ceil((toMs - history.start) / HOUR_MS));
  return [from, Math.max(from, to)];
}
