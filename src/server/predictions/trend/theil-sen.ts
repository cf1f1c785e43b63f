/**
 * Theil–Sen line: the slope is the median of all pairwise slopes, the intercept the median of
 * y − slope·x. Up to ~29 % of the points can be wild (a stuck sensor hour, a backwash spike) before
 * the slope moves, where one such point drags a least-squares line. Pure: no I/O.
 *
 * Slope interval after Sen (1968), "Estimates of the regression coefficient based on Kendall's tau",
 * JASA 63: with Kendall's S approximately normal, Var S = n(n − 1)(2n + 5)/18 and C = z·√Var S, the
 * interval runs from the M1-th to the (M2 + 1)-th of the N sorted pairwise slopes,
 * M1 = (N − C)/2, M2 = (N + C)/2. Ties are ignored: the tie correction only lowers Var S, so leaving it
 * out makes the interval slightly wider (conservative), and hourly means rarely tie. Fractional ranks
 * are interpolated between neighbouring slopes, so the interval widens smoothly with the confidence.
 */
import { normalQuantile } from "./normal";

export interface TheilSenFit {
  slope: number;
  intercept: number;
  /** two-sided `confidence` interval of the slope */
  slopeLow: number;
  slopeHigh: number;
  /** points used */
  n: number;
}

// n(n − 1)/2 slopes are kept in memory: 3000 points are 4.5 M slopes (36 MB). Two weeks of hourly
// values are 336; more than this is a caller feeding raw readings instead of hourly rollups.
const MAX_POINTS = 3000;

/** Value at 1-based fractional rank r of the first `count` entries of a sorted array (clamped to 1..count). */
function atRank(sorted: Float64Array, count: number, r: number): number {
  const clamped = Math.min(count, Math.max(1, r));
  const lo = Math.floor(clamped);
  const frac = clamped - lo;
  const below = sorted[lo - 1]!;
  return frac === 0 || lo >= count ? below : below + frac * (sorted[lo]! - below);
}

function medianOfSorted(sorted: Float64Array, count: number): number {
  return atRank(sorted, count, (count + 1) / 2);
}

export function theilSen(xs: number[], ys: number[], confidence = 0.9): TheilSenFit {
  const n = xs.length;
  if (ys.length !== n) throw new Error(`theilSen: ${n} x values but ${ys.length} y values; they must pair up`);
  if (n > MAX_POINTS) throw new Error(`theilSen: ${n} points is more than ${MAX_POINTS}; fit hourly rollups, not raw readings`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`theilSen: confidence must be strictly between 0 and 1, got ${confidence}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
      throw new Error(`theilSen: point ${i} is not a finite number (x ${xs[i]}, y ${ys[i]})`);
    }
  }

  const slopes = new Float64Array((n * (n - 1)) / 2);
  let count = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = xs[i]!;
    const yi = ys[i]!;
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xi;
      // equal x: no slope to learn from the pair
      if (dx !== 0) slopes[count++] = (ys[j]! - yi) / dx;
    }
  }
  if (count === 0) throw new Error(`theilSen: needs at least two distinct x values, got ${n} point(s)`);
  const sorted = slopes.subarray(0, count).sort();
  const slope = medianOfSorted(sorted, count);

  const offsets = new Float64Array(n);
  for (let i = 0; i < n; i++) offsets[i] = ys[i]! - slope * xs[i]!;
  offsets.sort();
  const intercept = medianOfSorted(offsets, n);

  const z = normalQuantile(0.5 + confidence / 2);
  const c = z * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const slopeLow = atRank(sorted, count, (count - c) / 2);
  const slopeHigh = atRank(sorted, count, (count + c) / 2 + 1);

  return { slope, intercept, slopeLow, slopeHigh, n };
}
