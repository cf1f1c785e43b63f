// The trend chart's data: uPlot wants one x array with every series aligned to it, so the hourly
// values and the few points of the fitted line are merged on one time axis (seconds) and each leaves
// gaps (null) where the other has a point. Pure.

export interface TrendPoint {
  /** epoch ms */
  t: number;
  v: number;
}

/** [x in seconds, hourly values, fitted line] */
export type TrendPlotData = [number[], (number | null)[], (number | null)[]];

export function trendPlotData(samples: readonly TrendPoint[], fitted: readonly TrendPoint[]): TrendPlotData {
  const byTime = new Map<number, { s: number | null; f: number | null }>();
  for (const p of samples) if (Number.isFinite(p.t) && Number.isFinite(p.v)) byTime.set(p.t, { s: p.v, f: byTime.get(p.t)?.f ?? null });
  for (const p of fitted) if (Number.isFinite(p.t) && Number.isFinite(p.v)) byTime.set(p.t, { s: byTime.get(p.t)?.s ?? null, f: p.v });
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return [times.map((t) => t / 1000), times.map((t) => byTime.get(t)!.s), times.map((t) => byTime.get(t)!.f)];
}

/**
 * The y range: the values, the line and the limit, padded by a tenth of the spread, so the distance
 * to the limit is always in view.
 */
export function trendYRange(samples: readonly TrendPoint[], fitted: readonly TrendPoint[], limit: number | null): [number, number] {
  const values = [...samples, ...fitted].map((p) => p.v).filter(Number.isFinite);
  if (limit !== null && Number.isFinite(limit)) values.push(limit);
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  lo -= pad;
  hi += pad;
  // a quantity that cannot be negative (ΔP, intensity, vibration) does not get a negative axis from padding alone
  if (lo < 0 && Math.min(...values) >= 0) lo = 0;
  return [lo, hi];
}
