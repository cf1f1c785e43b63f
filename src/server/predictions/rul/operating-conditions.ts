/**
 * Operating conditions and per-condition normalisation. In multi-condition fleets (C-MAPSS FD002 and
 * FD004: six altitude / Mach / throttle regimes) the regime moves most sensors far more than wear
 * does, so each sensor is turned into a z-score against the training rows of the same condition.
 * Condition columns are found from the data, not named: a column whose values fall into 2-10
 * tight, well separated clusters that each hold a real share of the rows, with noise inside each
 * cluster, is a regime setting.
 */

export interface ConditionModel {
  /** indexes (into the feature columns) of the columns that define the condition */
  conditionColumns: number[];
  /** per condition column: the value range, so distances weigh every column alike */
  scales: number[];
  /** centroids[c][k]: mean of condition column k in condition c */
  centroids: number[][];
  /**
   * indexes of the feature columns kept as sensors: every column that moves within a condition. Regime
   * shifts can make wear-carrying sensors look like settings too (FD002), so condition columns stay in.
   */
  sensors: number[];
  /** mean[c][s], std[c][s] of kept sensor s in condition c */
  mean: number[][];
  std: number[][];
}

const MAX_GROUPS = 10;
const GAP = 0.05; // a gap wider than 5 % of the range separates two regimes
const MIN_SHARE = 0.01; // each regime holds at least 1 % of the rows
const MAX_SPREAD = 0.02; // within a regime the std is under 2 % of the range

function finite(values: Float64Array): Float64Array {
  return values.filter((v) => Number.isFinite(v));
}

/**
 * Where a column splits into operating regimes: the cut points between its clusters (values below
 * cut k are in cluster k), or null when it does not look like a setting (a few tight clusters far apart).
 */
export function regimeCuts(values: Float64Array): number[] | null {
  const v = finite(values).sort();
  if (v.length < 20) return null;
  const range = v[v.length - 1]! - v[0]!;
  if (!(range > 0)) return null;
  const groups: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= v.length; i++) {
    if (i === v.length || v[i]! - v[i - 1]! > GAP * range) {
      groups.push([start, i]);
      start = i;
      if (groups.length > MAX_GROUPS) return null;
    }
  }
  if (groups.length < 2) return null;
  // A quantised sensor (C-MAPSS FD001 has one reading 21.60 or 21.61) also splits into far-apart
  // values. A real setting is read with noise: its regimes lie far apart compared to the smallest
  // step between its values. Settings read exactly (throttle 60/100) then follow from the noisy ones.
  let quantum = Infinity;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[i - 1]!) quantum = Math.min(quantum, v[i]! - v[i - 1]!);
  let minGap = Infinity;
  for (let g = 1; g < groups.length; g++) minGap = Math.min(minGap, v[groups[g]![0]]! - v[groups[g]![0] - 1]!);
  if (minGap < 10 * quantum) return null;
  for (const [a, b] of groups) {
    if (b - a < MIN_SHARE * v.length) return null;
    let m = 0;
    for (let i = a; i < b; i++) m += v[i]!;
    m /= b - a;
    let s = 0;
    for (let i = a; i < b; i++) s += (v[i]! - m) ** 2;
    if (Math.sqrt(s / (b - a)) > MAX_SPREAD * range) return null;
  }
  return groups.slice(1).map(([a]) => (v[a - 1]! + v[a]!) / 2);
}

export function isConditionColumn(values: Float64Array): boolean {
  return regimeCuts(values) !== null;
}

function nearest(centroids: number[][], scales: number[], columns: Float64Array[], conditionColumns: number[], row: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    let d = 0;
    for (let k = 0; k < conditionColumns.length; k++) {
      const v = columns[conditionColumns[k]!]![row]!;
      if (Number.isFinite(v)) d += ((v - centroids[c]![k]!) / scales[k]!) ** 2;
    }
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Condition of every row of `columns` (the same feature columns the model was fitted on). */
export function assignConditions(model: ConditionModel, columns: Float64Array[]): Int32Array {
  const n = columns[0]?.length ?? 0;
  const out = new Int32Array(n);
  if (model.centroids.length > 1) for (let r = 0; r < n; r++) out[r] = nearest(model.centroids, model.scales, columns, model.conditionColumns, r);
  return out;
}

/** Finds the conditions and the per-condition statistics of every sensor from the training columns. */
export function fitConditions(columns: Float64Array[]): ConditionModel {
  const n = columns[0]?.length ?? 0;
  const cuts = columns.map((c) => regimeCuts(c));
  let conditionColumns = cuts.map((c, i) => (c ? i : -1)).filter((i) => i >= 0);
  let centroids: number[][] = [[]];
  const scales: number[] = [];
  if (conditionColumns.length) {
    for (const k of conditionColumns) {
      const v = finite(columns[k]!);
      scales.push(v.reduce((a, b) => Math.max(a, b), -Infinity) - v.reduce((a, b) => Math.min(a, b), Infinity));
    }
    // a condition is a combination of clusters, one per setting column; in real regimes the
    // columns agree, so the combinations that hold a real share of the rows are the regimes
    const sums = new Map<string, { sum: number[]; count: number }>();
    for (let r = 0; r < n; r++) {
      const key = conditionColumns.map((k) => cuts[k]!.filter((cut) => columns[k]![r]! >= cut).length).join("|");
      const entry = sums.get(key) ?? { sum: conditionColumns.map(() => 0), count: 0 };
      conditionColumns.forEach((k, j) => (entry.sum[j]! += Number.isFinite(columns[k]![r]!) ? columns[k]![r]! : 0));
      entry.count++;
      sums.set(key, entry);
    }
    const kept = [...sums.values()].filter((e) => e.count >= MIN_SHARE * n);
    if (kept.length >= 2 && kept.length <= 3 * MAX_GROUPS) centroids = kept.map((e) => e.sum.map((s) => s / e.count));
    else conditionColumns = [];
  }
  const model: ConditionModel = { conditionColumns, scales, centroids, sensors: [], mean: [], std: [] };
  const condition = assignConditions(model, columns);
  const C = centroids.length;
  for (let f = 0; f < columns.length; f++) {
    const col = columns[f]!;
    const sum = new Float64Array(C);
    const sq = new Float64Array(C);
    const cnt = new Float64Array(C);
    for (let r = 0; r < n; r++) {
      const v = col[r]!;
      if (!Number.isFinite(v)) continue;
      const c = condition[r]!;
      sum[c]! += v;
      cnt[c]!++;
    }
    const mean = Array.from(sum, (s, c) => (cnt[c]! ? s / cnt[c]! : 0));
    for (let r = 0; r < n; r++) {
      const v = col[r]!;
      if (Number.isFinite(v)) sq[condition[r]!]! += (v - mean[condition[r]!]!) ** 2;
    }
    const std = Array.from(sq, (s, c) => (cnt[c]! > 1 ? Math.sqrt(s / (cnt[c]! - 1)) : 0));
    // a sensor that never moves within a condition carries no wear signal (C-MAPSS has seven such)
    const moving = std.some((s, c) => s > 1e-9 * Math.max(1, Math.abs(mean[c]!)));
    if (!moving) continue;
    model.sensors.push(f);
    model.mean.push(mean);
    model.std.push(std);
  }
  // mean/std indexed [sensor][condition] above; store as [condition][sensor] for reading
  model.mean = Array.from({ length: C }, (_x, c) => model.mean.map((m) => m[c]!));
  model.std = Array.from({ length: C }, (_x, c) => model.std.map((s) => s[c]!));
  return model;
}

/** The kept sensors as per-condition z-scores (NaN stays NaN), one Float64Array per sensor. */
export function normaliseSensors(model: ConditionModel, columns: Float64Array[]): Float64Array[] {
  const condition = assignConditions(model, columns);
  return model.sensors.map((f, s) => {
    const col = columns[f]!;
    const out = new Float64Array(col.length);
    for (let r = 0; r < col.length; r++) {
      const c = condition[r]!;
      const sd = model.std[c]![s]!;
      out[r] = sd > 0 ? (col[r]! - model.mean[c]![s]!) / sd : 0;
    }
    return out;
  });
}
