import type { LiveReading } from "@/lib/live-events";

/** One series' chart buckets as column arrays, as `telemetry.chart` answers them (t in epoch ms). */
export interface ChartColumns {
  t: number[];
  min: number[];
  max: number[];
  avg: number[];
  count: number[];
}

export const EMPTY_COLUMNS: ChartColumns = { t: [], min: [], max: [], avg: [], count: [] };

/**
 * The chart buckets with the live readings received since the fetch merged in: each reading goes into
 * the epoch-aligned bucket of `widthMs` it falls in, as the server would have bucketed it. Readings
 * before `since` (the end of the fetched range) are already in `base`. A live event carries the batch's
 * min, max, count and newest value but not its sum, so the average of a batch of several readings is
 * estimated from its midrange; the next fetch gives the exact one.
 */
export function mergeLiveReadings(base: ChartColumns, readings: readonly LiveReading[], widthMs: number, since: number): ChartColumns {
  const fresh = readings.filter((r) => r.ts >= since);
  if (fresh.length === 0) return base;
  const out: ChartColumns = { t: [...base.t], min: [...base.min], max: [...base.max], avg: [...base.avg], count: [...base.count] };
  for (const r of fresh) {
    const t = Math.floor(r.ts / widthMs) * widthMs;
    const mean = r.count > 1 ? (r.min + r.max) / 2 : r.value;
    const n = Math.max(1, r.count);
    const i = indexAtOrBefore(out.t, t);
    if (i >= 0 && out.t[i] === t) {
      const count = out.count[i]!;
      out.min[i] = Math.min(out.min[i]!, r.min);
      out.max[i] = Math.max(out.max[i]!, r.max);
      out.avg[i] = (out.avg[i]! * count + mean * n) / (count + n);
      out.count[i] = count + n;
    } else {
      const at = i + 1;
      out.t.splice(at, 0, t);
      out.min.splice(at, 0, r.min);
      out.max.splice(at, 0, r.max);
      out.avg.splice(at, 0, mean);
      out.count.splice(at, 0, n);
    }
  }
  return out;
}

/** The index of the last element <= t in an ascending array, -1 when there is none. */
function indexAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  if (hi < 0 || sorted[hi]! <= t) return hi;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

/** The spacing that counts as a gap: well over the series' usual spacing (its sampling may be sparser than the buckets). */
function gapThreshold(t: readonly number[], widthMs: number): number {
  if (t.length < 3) return Infinity;
  const steps: number[] = [];
  for (let i = 1; i < t.length; i++) steps.push(t[i]! - t[i - 1]!);
  steps.sort((a, b) => a - b);
  const median = steps[steps.length >> 1]!;
  return Math.max(2 * widthMs, 3 * median);
}

/**
 * uPlot's aligned data [x (s), max, min, avg]. A run of missing buckets (no readings, e.g. the device
 * was off) becomes a null so the line breaks there instead of bridging the gap. An empty chart still
 * gets its window's two ends, so the axes show the range asked for.
 */
export function toPlotData(cols: ChartColumns, widthMs: number, window: { from: number; to: number }): [number[], (number | null)[], (number | null)[], (number | null)[]] {
  const x: number[] = [];
  const hi: (number | null)[] = [];
  const lo: (number | null)[] = [];
  const avg: (number | null)[] = [];
  if (cols.t.length === 0) return [[window.from / 1000, window.to / 1000], [null, null], [null, null], [null, null]];
  const gap = gapThreshold(cols.t, widthMs);
  for (let i = 0; i < cols.t.length; i++) {
    const t = cols.t[i]!;
    if (i > 0 && t - cols.t[i - 1]! > gap) {
      x.push((cols.t[i - 1]! + widthMs) / 1000);
      hi.push(null);
      lo.push(null);
      avg.push(null);
    }
    x.push(t / 1000);
    hi.push(cols.max[i]!);
    lo.push(cols.min[i]!);
    avg.push(cols.avg[i]!);
  }
  return [x, hi, lo, avg];
}
