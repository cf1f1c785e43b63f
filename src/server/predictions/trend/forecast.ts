/**
 * When will a slowly drifting series reach its limit, and how likely is that within a horizon?
 * A Theil–Sen line through the hourly values (on log v for "log"), extrapolated from `now`. Pure.
 *
 * Choices worth knowing:
 * - x is days since `now`, so the intercept is the level at `now`; for "log" the line is
 *   log v = a + b·d, i.e. v = level·e^(b·d), and it crosses the limit at d = ln(limit/level)/b.
 * - The trend heads to the limit only when the slope's whole confidence interval points at it (a
 *   significant trend). Otherwise the noise of a flat series would give a finite remaining life, and
 *   a short one whenever the level sits near the limit. rulLowHours (the steepest plausible slope)
 *   still says how soon it could happen, and the risk still counts it.
 * - Risk: the slope is normal around the Theil–Sen slope with sd = interval width/(2z); the level is
 *   uncertain by ≈ residualSd/√n at the centre of the data (where the line is pinned down best), and
 *   the slope's uncertainty acts over the lever arm from that centre, not from `now`: extrapolating
 *   from the window's end also carries the slope error over half the window. Noise of one hour is
 *   not counted: the limit is about the state of the unit, not about one noisy hourly mean.
 *   A linear path reaches the limit within the horizon iff it is beyond it now or at the horizon; the
 *   risk is the larger of those two probabilities (a slight under-estimate of their union, and never
 *   falling as the horizon grows).
 */
import { normalCdf, normalQuantile } from "./normal";
import type { Forecast, ForecastOptions, TrendSample } from "./specs";
import { theilSen } from "./theil-sen";

const MS_PER_HOUR = 3.6e6;
const MS_PER_DAY = 86.4e6;
// MAD × 1.4826 estimates σ for normal residuals while a few spikes barely move it
const MAD_TO_SD = 1.4826;

function median(values: Float64Array): number {
  const sorted = values.slice().sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function checkOptions(opts: ForecastOptions): void {
  const bad = (what: string) => {
    throw new Error(`forecastCrossing: ${what}`);
  };
  if (!Number.isFinite(opts.limit)) bad(`limit must be a finite number, got ${opts.limit}`);
  if (opts.transform === "log" && !(opts.limit > 0)) bad(`a "log" trend needs a limit above 0, got ${opts.limit}`);
  if (opts.direction !== "rising" && opts.direction !== "falling") bad(`direction must be "rising" or "falling", got ${String(opts.direction)}`);
  if (!Number.isFinite(opts.now)) bad(`now must be epoch milliseconds, got ${opts.now}`);
  if (!(Number.isFinite(opts.horizonHours) && opts.horizonHours >= 0)) bad(`horizonHours must be 0 or more, got ${opts.horizonHours}`);
  if (opts.minPoints !== undefined && !(opts.minPoints >= 0)) bad(`minPoints must be 0 or more, got ${opts.minPoints}`);
  if (opts.minSpanHours !== undefined && !(opts.minSpanHours >= 0)) bad(`minSpanHours must be 0 or more, got ${opts.minSpanHours}`);
  if (opts.confidence !== undefined && !(opts.confidence > 0 && opts.confidence < 1)) bad(`confidence must be strictly between 0 and 1, got ${opts.confidence}`);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function forecastCrossing(samples: TrendSample[], opts: ForecastOptions): Forecast {
  checkOptions(opts);
  const log = opts.transform === "log";
  const minPoints = opts.minPoints ?? 24;
  const minSpanHours = opts.minSpanHours ?? 48;
  const confidence = opts.confidence ?? 0.9;
  const { limit, direction, now, horizonHours } = opts;

  const usable = samples.filter((s) => Number.isFinite(s.t) && Number.isFinite(s.v) && (!log || s.v > 0)).sort((p, q) => p.t - q.t);
  const points = usable.length;
  const dropped = samples.length - points;
  const leftOut = dropped > 0 ? ` (${plural(dropped, "value")} left out as ${log ? "missing or not above zero" : "missing"})` : "";
  // a line needs two points whatever minPoints says
  if (points < Math.max(2, minPoints)) {
    return { ok: false, points, reason: `only ${plural(points, "usable hourly value")}${leftOut}; ${Math.max(2, minPoints)} are needed for a trend` };
  }
  const spanHours = (usable[points - 1]!.t - usable[0]!.t) / MS_PER_HOUR;
  if (spanHours < minSpanHours || spanHours === 0) {
    const covered = spanHours === 0 ? "all usable values are from the same moment" : `the usable values cover only ${plural(Math.round(spanHours * 10) / 10, "hour")}`;
    return { ok: false, points, reason: `${covered}; a trend needs values spread over ${minSpanHours > 0 ? `at least ${plural(minSpanHours, "hour")}` : "some time"}` };
  }

  const xs = usable.map((s) => (s.t - now) / MS_PER_DAY);
  const ys = usable.map((s) => (log ? Math.log(s.v) : s.v));
  const fit = theilSen(xs, ys, confidence);
  const { intercept: a, slope: b, slopeLow: bLow, slopeHigh: bHigh } = fit;

  const residuals = new Float64Array(points);
  for (let i = 0; i < points; i++) residuals[i] = ys[i]! - (a + b * xs[i]!);
  const centre = median(residuals);
  for (let i = 0; i < points; i++) residuals[i] = Math.abs(residuals[i]! - centre);
  const residualSd = MAD_TO_SD * median(residuals);

  const level = log ? Math.exp(a) : a;
  // for "log" the derivative of level·e^(b·d) at d = 0 is level·b
  const perDay = (s: number) => (log ? level * s : s);
  const rising = direction === "rising";
  const alreadyPast = rising ? level >= limit : level <= limit;
  const yLimit = log ? Math.log(limit) : limit;
  const heads = (s: number) => (rising ? s > 0 : s < 0);
  const hoursToLimit = (s: number): number | null => {
    if (alreadyPast) return 0;
    return heads(s) ? Math.max(0, ((yLimit - a) / s) * 24) : null;
  };
  // the steeper bound crosses first
  const [steep, shallow] = rising ? [bHigh, bLow] : [bLow, bHigh];
  const rulLowHours = hoursToLimit(steep);
  const rulHighHours = hoursToLimit(shallow);
  const rulHours = alreadyPast ? 0 : heads(shallow) ? hoursToLimit(b) : null;

  let riskWithinHorizon = 1;
  if (!alreadyPast) {
    const z = normalQuantile(0.5 + confidence / 2);
    const slopeSd = (bHigh - bLow) / (2 * z);
    // the level is a median of n offsets: sd √(π/2)·σ/√n for normal scatter (a mean would have σ/√n)
    const levelSd = (Math.sqrt(Math.PI / 2) * residualSd) / Math.sqrt(points);
    let xMean = 0;
    for (const x of xs) xMean += x / points;
    const beyondAt = (days: number) => {
      const mean = a + b * days;
      const sd = Math.hypot(levelSd, slopeSd * (days - xMean));
      const gap = rising ? mean - yLimit : yLimit - mean;
      if (sd > 0) return normalCdf(gap / sd);
      return gap > 0 ? 1 : gap < 0 ? 0 : 0.5;
    };
    riskWithinHorizon = Math.max(beyondAt(0), beyondAt(horizonHours / 24));
  }

  return {
    ok: true,
    points,
    spanHours,
    level,
    slopePerDay: perDay(b),
    slopeLowPerDay: perDay(bLow),
    slopeHighPerDay: perDay(bHigh),
    limit,
    direction,
    alreadyPast,
    rulHours,
    rulLowHours,
    rulHighHours,
    riskWithinHorizon,
    horizonHours,
    residualSd,
  };
}
