// Multivariate anomaly detector: PCA on standardised training rows, Hotelling T² (distance inside the
// model plane) plus Q/SPE (distance from it), one combined index, a trailing mean over a short window
// and a threshold taken from honest (out-of-fold) training scores. Pure code: the CLI (`ecomate detect`)
// and, later, the live pipeline use the same fit/score (design.md: one code path for live and history).
// Method and limits: docs/predictions.md, "Anomaly detection (ecomate detect)".
import { PCA } from "ml-pca";
import { AppError } from "@/server/errors";

export const DETECTOR_KIND = "pca-t2-q";
export const DETECTOR_VERSION = 1;

/** A row of sensor values in the order of the model's `columns`; null = missing. */
export type SensorRow = readonly (number | null)[];

export interface DetectorOptions {
  /** share of the standardised variance the kept components explain (default 0.9) */
  varianceToKeep?: number;
  /** rows in the trailing mean of the combined index (default 5) */
  window?: number;
  /** consecutive rows above the threshold before a row is flagged (default 3) */
  persistence?: number;
  /** quantile of the smoothed training scores the threshold starts from (default 0.995) */
  quantile?: number;
  /** factor on that quantile (default 1.25) */
  margin?: number;
  /** contiguous blocks for the out-of-fold training scores (default 5) */
  folds?: number;
}

export interface DetectorModel {
  kind: typeof DETECTOR_KIND;
  version: typeof DETECTOR_VERSION;
  /** every input column, in the order rows carry them */
  columns: string[];
  /** indexes into `columns` of the columns the PCA uses */
  used: number[];
  ignored: { column: string; reason: string }[];
  /** training median per column (null when ignored): replaces missing cells */
  medians: (number | null)[];
  /** per used column */
  means: number[];
  scales: number[];
  /** kept components, each a unit vector over the used columns */
  loadings: number[][];
  eigenvalues: number[];
  /** training mean of Q; the combined index divides by it */
  qMean: number;
  /** on the smoothed combined index; the published score is smoothed / threshold */
  threshold: number;
  window: number;
  persistence: number;
  training: { rows: number; components: number; explainedVariance: number; thresholdFrom: "out-of-fold" | "in-sample"; quantile: number; margin: number };
}

export interface FitResult {
  model: DetectorModel;
  /** facts worth telling the user (imputed cells, ignored columns, few rows); the caller decides where */
  notes: string[];
}

export interface RowScore {
  /** smoothed combined index / threshold: 0 = like the training rows on average, 1 = the alarm line */
  score: number;
  anomaly: 0 | 1;
}

const DEFAULTS: Required<DetectorOptions> = { varianceToKeep: 0.9, window: 5, persistence: 3, quantile: 0.995, margin: 1.25, folds: 5 };

// Floors in standardised units (a used column has variance 1): below them a direction is numerical
// noise, and dividing by it would turn rounding into alarms.
const VARIANCE_FLOOR = 1e-3;

interface Core {
  means: number[];
  scales: number[];
  loadings: number[][];
  eigenvalues: number[];
  qMean: number;
  explainedVariance: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Standardises the (imputed, used-column) training rows and fits the PCA. */
function fitCore(x: number[][], varianceToKeep: number): Core {
  const n = x.length;
  const p = x[0]!.length;
  const means = new Array<number>(p).fill(0);
  const scales = new Array<number>(p).fill(0);
  for (const r of x) for (let j = 0; j < p; j++) means[j]! += r[j]!;
  for (let j = 0; j < p; j++) means[j]! /= n;
  for (const r of x) for (let j = 0; j < p; j++) scales[j]! += (r[j]! - means[j]!) ** 2;
  // a column constant inside a fold (but not overall) gets scale 1: it then only counts when it moves
  for (let j = 0; j < p; j++) scales[j] = Math.sqrt(scales[j]! / Math.max(1, n - 1)) || 1;
  const z = x.map((r) => r.map((v, j) => (v - means[j]!) / scales[j]!));

  const pca = new PCA(z, { center: false, scale: false });
  const eig = pca.getEigenvalues();
  const vectors = pca.getEigenvectors();
  const total = eig.reduce((a, b) => a + b, 0) || 1;
  // keep the fewest components reaching the variance share, but leave a residual space when there is
  // more than one column (Q watches the correlations) and never keep a direction of ~zero variance
  const maxK = Math.max(1, Math.min(p > 1 ? p - 1 : 1, eig.filter((l) => l > VARIANCE_FLOOR).length));
  let k = 0;
  let cumulative = 0;
  while (k < maxK && (k === 0 || cumulative / total < varianceToKeep)) cumulative += eig[k++]!;
  const loadings: number[][] = [];
  for (let c = 0; c < k; c++) loadings.push(Array.from({ length: p }, (_, j) => vectors.get(j, c)));
  const eigenvalues = eig.slice(0, k).map((l) => Math.max(l, VARIANCE_FLOOR));

  const core: Core = { means, scales, loadings, eigenvalues, qMean: 1, explainedVariance: cumulative / total };
  let qSum = 0;
  for (const r of x) qSum += t2q(core, r).q;
  core.qMean = Math.max(qSum / n, VARIANCE_FLOOR * p);
  return core;
}

/** T² and Q of one row of used-column values (already imputed). */
function t2q(core: Pick<Core, "means" | "scales" | "loadings" | "eigenvalues">, values: ArrayLike<number>): { t2: number; q: number } {
  const p = core.means.length;
  const z = new Float64Array(p);
  let norm2 = 0;
  for (let j = 0; j < p; j++) {
    z[j] = (values[j]! - core.means[j]!) / core.scales[j]!;
    norm2 += z[j]! * z[j]!;
  }
  let t2 = 0;
  let explained = 0;
  for (let c = 0; c < core.loadings.length; c++) {
    const w = core.loadings[c]!;
    let t = 0;
    for (let j = 0; j < p; j++) t += w[j]! * z[j]!;
    t2 += (t * t) / core.eigenvalues[c]!;
    explained += t * t;
  }
  // the loadings are orthonormal, so the residual's squared norm is what the projection leaves
  return { t2, q: Math.max(0, norm2 - explained) };
}

/** The combined index: 1 on average over the training rows for each of its two halves. */
function combined(core: Core | DetectorModel, values: ArrayLike<number>): number {
  const { t2, q } = t2q(core, values);
  const k = core.loadings.length;
  // no residual space (a single column): T² alone
  if (core.means.length <= k) return t2 / k;
  return 0.5 * (t2 / k + q / core.qMean);
}

function trailingMean(values: number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/**
 * Fits the detector on anomaly-free rows. Missing cells take the column's training median; columns
 * constant or empty in the training rows are ignored (they carry no variance to model).
 */
export function fitDetector(columns: readonly string[], trainRows: readonly SensorRow[], options: DetectorOptions = {}): FitResult {
  const o = { ...DEFAULTS, ...options };
  const n = trainRows.length;
  if (n < 2) throw new AppError("BAD_REQUEST", `The detector needs at least 2 training rows (got ${n}).`);
  const notes: string[] = [];
  const ignored: DetectorModel["ignored"] = [];
  const medians: (number | null)[] = [];
  const used: number[] = [];
  let imputed = 0;
  for (let j = 0; j < columns.length; j++) {
    const present: number[] = [];
    for (const r of trainRows) {
      const v = r[j];
      if (v === null || v === undefined) continue;
      if (!Number.isFinite(v)) throw new AppError("BAD_REQUEST", `Column "${columns[j]}" has a value that is not a finite number in the training rows.`);
      present.push(v);
    }
    if (present.length === 0) {
      medians.push(null);
      ignored.push({ column: columns[j]!, reason: "empty in every training row" });
      continue;
    }
    imputed += n - present.length;
    const m = median(present);
    medians.push(m);
    const lo = Math.min(...present);
    const hi = Math.max(...present);
    if (hi - lo <= 1e-12 * Math.max(1, Math.abs(m))) {
      ignored.push({ column: columns[j]!, reason: `constant (${m}) in the training rows` });
      continue;
    }
    used.push(j);
  }
  for (const i of ignored) notes.push(`column "${i.column}" ignored: ${i.reason}`);
  if (used.length === 0) {
    throw new AppError("BAD_REQUEST", "No column varies in the training rows: every sensor column is constant or empty, so there is nothing to learn. Give more or other training rows.");
  }
  if (imputed > 0) notes.push(`${imputed} missing cell(s) in the training rows replaced by the column's training median`);
  const p = used.length;
  if (n <= p) {
    notes.push(`only ${n} training rows for ${p} columns: the model keeps at most ${n - 1} component(s) and the threshold rests on few rows; give at least ${10 * p} for a dependable threshold`);
  }

  const x = trainRows.map((r) => used.map((j) => r[j] ?? medians[j]!));
  const core = fitCore(x, o.varianceToKeep);

  // Threshold from out-of-fold scores: in-sample Q is optimistically small (the PCA was fitted to those
  // very rows), so score each contiguous block with a model fitted on the others. Contiguous blocks
  // keep slow drift inside the training period honest as well.
  const foldSize = Math.floor(n / o.folds);
  const outOfFold = o.folds >= 2 && foldSize >= Math.max(20, 2 * p);
  const raw: number[] = [];
  if (outOfFold) {
    for (let f = 0; f < o.folds; f++) {
      const start = f * foldSize;
      const end = f === o.folds - 1 ? n : start + foldSize;
      const foldCore = fitCore([...x.slice(0, start), ...x.slice(end)], o.varianceToKeep);
      for (let i = start; i < end; i++) raw.push(combined(foldCore, x[i]!));
    }
  } else {
    for (const r of x) raw.push(combined(core, r));
    notes.push(`threshold from in-sample training scores (${n} rows are too few for ${o.folds} out-of-fold blocks of ${Math.max(20, 2 * p)}); expect more false alarms`);
  }
  const smoothed = trailingMean(raw, o.window);
  const threshold = Math.max(quantile(smoothed, o.quantile) * o.margin, 1e-9);

  const model: DetectorModel = {
    kind: DETECTOR_KIND,
    version: DETECTOR_VERSION,
    columns: [...columns],
    used,
    ignored,
    medians,
    means: core.means,
    scales: core.scales,
    loadings: core.loadings,
    eigenvalues: core.eigenvalues,
    qMean: core.qMean,
    threshold,
    window: o.window,
    persistence: o.persistence,
    training: { rows: n, components: core.loadings.length, explainedVariance: core.explainedVariance, thresholdFrom: outOfFold ? "out-of-fold" : "in-sample", quantile: o.quantile, margin: o.margin },
  };
  return { model, notes };
}

export interface Scorer {
  /** scores the next row in time order */
  push(row: SensorRow): RowScore;
  /** feeds history (e.g. the last training rows) into the smoothing window without scoring it */
  prime(rows: readonly SensorRow[]): void;
  /** missing cells replaced by training medians so far */
  readonly imputedCells: number;
}

/**
 * A stateful scorer for rows arriving in time order: the live pipeline keeps one per system, the CLI
 * one per file. State is the smoothing window and the run of rows above the threshold.
 */
export function createScorer(model: DetectorModel): Scorer {
  const values = new Float64Array(model.used.length);
  const ring = new Float64Array(model.window);
  let filled = 0;
  let next = 0;
  let sum = 0;
  let run = 0;
  let imputedCells = 0;
  const rawOf = (row: SensorRow): number => {
    if (row.length !== model.columns.length) throw new AppError("BAD_REQUEST", `A row has ${row.length} values; the model expects ${model.columns.length} (${model.columns.join(", ")}).`);
    for (let i = 0; i < model.used.length; i++) {
      const j = model.used[i]!;
      const v = row[j];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        values[i] = model.medians[j]!;
        imputedCells++;
      } else values[i] = v;
    }
    return combined(model, values);
  };
  const add = (raw: number) => {
    if (filled === model.window) sum -= ring[next]!;
    else filled++;
    ring[next] = raw;
    sum += raw;
    next = (next + 1) % model.window;
    return sum / filled;
  };
  return {
    push(row) {
      const smoothed = add(rawOf(row));
      const score = smoothed / model.threshold;
      run = score > 1 ? run + 1 : 0;
      return { score, anomaly: run >= model.persistence ? 1 : 0 };
    },
    prime(rows) {
      for (const r of rows) add(rawOf(r));
      imputedCells = 0;
    },
    get imputedCells() {
      return imputedCells;
    },
  };
}

/** Scores rows in time order; `history` (rows just before them, e.g. the training tail) primes the window. */
export function scoreRows(model: DetectorModel, rows: readonly SensorRow[], history: readonly SensorRow[] = []): { scores: RowScore[]; imputedCells: number } {
  const scorer = createScorer(model);
  scorer.prime(history.slice(Math.max(0, history.length - (model.window - 1))));
  const scores = rows.map((r) => scorer.push(r));
  return { scores, imputedCells: scorer.imputedCells };
}

/** Checks a model read back from JSON before it is used (the live pipeline stores models). */
export function parseDetectorModel(json: unknown): DetectorModel {
  const m = json as Partial<DetectorModel> | null;
  if (!m || m.kind !== DETECTOR_KIND || m.version !== DETECTOR_VERSION || !Array.isArray(m.columns) || !Array.isArray(m.used) || !Array.isArray(m.loadings) || typeof m.threshold !== "number") {
    throw new AppError("BAD_REQUEST", `Not a ${DETECTOR_KIND} detector model of version ${DETECTOR_VERSION}.`);
  }
  return m as DetectorModel;
}
