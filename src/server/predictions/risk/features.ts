/**
 * The pump-set failure-risk model's features: one row per hour of a PumpHistory, describing hour h
 * from data at hours <= h only, so a row is the same whether the history ends at h or a year later
 * (the model is trained on history and scored on live data with the same numbers). Trailing windows
 * are the last 24 hours (h-23 .. h), clipped at the history's first hour; a window without data
 * gives NaN, which the trees send right. O(hours) per history: rolling sums, a monotone deque for
 * the maximum and the 30-day low. Pure.
 */
import type { PumpHistory } from "./pump-history";

export const PUMP_FEATURES = [
  // description: the short label people read on the page; the exact definitions are the functions below
  { name: "vib_24h", unit: "mm/s", description: "Vibration, mean of the last 24 h" },
  { name: "vib_max_24h", unit: "mm/s", description: "Vibration, highest hour of the last 24 h" },
  { name: "vib_change_7d", unit: "mm/s", description: "Vibration change over a week" },
  { name: "vib_vs_baseline", unit: "ratio", description: "Vibration against its low of the last 30 days" },
  { name: "power_24h", unit: "kW", description: "Power, mean of the last 24 h" },
  { name: "specific_energy_24h", unit: "kWh/m³", description: "Energy per m³ pumped, last 24 h" },
  { name: "pressure_24h", unit: "bar", description: "Discharge pressure, mean of the last 24 h" },
  { name: "pressure_cv_24h", unit: "ratio", description: "Discharge pressure fluctuation (std / mean), last 24 h" },
  { name: "flow_24h", unit: "m³/h", description: "Flow, mean of the last 24 h" },
  { name: "flow_change_7d", unit: "m³/h", description: "Flow change over a week" },
  { name: "speed_24h", unit: "%", description: "Pump speed, mean of the last 24 h" },
  { name: "starts_24h", unit: "count", description: "Pump starts in the last 24 h" },
  { name: "running_hours_since_renewal", unit: "h", description: "Running hours since the last service or repair" },
  { name: "hours_since_renewal", unit: "h", description: "Time since the last service or repair" },
  { name: "coverage_24h", unit: "ratio", description: "Share of the last 24 h with pump data" },
] as const;

export type PumpFeatureName = (typeof PUMP_FEATURES)[number]["name"];

/** Column of each feature in a row. */
export const PUMP_FEATURE_INDEX = Object.fromEntries(PUMP_FEATURES.map((f, i) => [f.name, i])) as Record<PumpFeatureName, number>;

const WIDTH = PUMP_FEATURES.length;
const DAY = 24;
const WEEK = 168;
/** A running hour: flow above this [m³/h], or, in an hour without flow data, power above RUNNING_POWER_KW. */
export const RUNNING_FLOW_M3H = 0.2;
export const RUNNING_POWER_KW = 0.05;
/**
 * The vibration baseline: the lowest 24-hour mean of the last 30 days. A bounded look-back, so a
 * row reads the same from a year of history (training) as from the five weeks the scorer reads; a
 * bearing that wears over weeks climbs away from it, a repaired one sets a new low.
 */
const BASELINE_WINDOW = 30 * DAY;

const RUNNING = 1;
const STOPPED = 0;
const UNKNOWN = -1;

export interface PumpFeatureRows {
  /** row-major, one row of PUMP_FEATURES.length values per hour */
  x: Float64Array;
  /** the hour index each row describes */
  hours: Int32Array;
}

/** Feature rows of hours fromHour .. toHour-1 (all hours by default). */
export function pumpFeatures(history: PumpHistory, fromHour = 0, toHour = history.hours): PumpFeatureRows {
  if (!(Number.isInteger(fromHour) && Number.isInteger(toHour) && 0 <= fromHour && fromHour <= toHour && toHour <= history.hours)) {
    throw new Error(`pumpFeatures: hours ${fromHour}..${toHour} are not within the history's 0..${history.hours}`);
  }
  // every window and counter runs from hour 0, so a row never depends on where the slice starts
  const n = toHour;
  // water temperature is not a feature: across a fleet it tells the site (and the season) rather than
  // the wear, and trees learnt "which unit failed before" from it (measured: the most important
  // feature on simulated fleets, with held-out ROC AUC no better for it)
  const { vibration, power, pump_pressure, flow_rate, pump_speed } = history.series;
  const state = runningStates(flow_rate, power, n);
  const vib = trailingMean(vibration, n, DAY);
  const flow = trailingMean(flow_rate, n, DAY);
  const renewal = sinceRenewal(history.renewals, history.runningHoursBeforeStart ?? 0, state, n);
  const columns: Record<PumpFeatureName, Float64Array> = {
    vib_24h: vib,
    vib_max_24h: trailingExtreme(vibration, n, DAY, true),
    vib_change_7d: weekChange(vib),
    vib_vs_baseline: ratioToTrailingMin(vib, n, BASELINE_WINDOW),
    power_24h: trailingMean(power, n, DAY),
    specific_energy_24h: trailingSpecificEnergy(power, flow_rate, state, n),
    pressure_24h: trailingMean(pump_pressure, n, DAY),
    pressure_cv_24h: trailingCv(pump_pressure, n, DAY),
    flow_24h: flow,
    flow_change_7d: weekChange(flow),
    speed_24h: trailingMean(pump_speed, n, DAY),
    starts_24h: trailingStarts(state, n),
    running_hours_since_renewal: renewal.runningHours,
    hours_since_renewal: renewal.hours,
    coverage_24h: trailingCoverage(vibration, power, n),
  };
  const rows = toHour - fromHour;
  const x = new Float64Array(rows * WIDTH);
  const hours = new Int32Array(rows);
  for (let r = 0; r < rows; r++) hours[r] = fromHour + r;
  PUMP_FEATURES.forEach((f, c) => {
    const column = columns[f.name];
    for (let r = 0; r < rows; r++) x[r * WIDTH + c] = column[fromHour + r]!;
  });
  return { x, hours };
}

/** Running, stopped or unknown per hour: flow decides, power only where the hour has no flow data. */
function runningStates(flow: Float64Array, power: Float64Array, n: number): Int8Array {
  const state = new Int8Array(n);
  for (let h = 0; h < n; h++) {
    const q = flow[h]!;
    const p = power[h]!;
    if (Number.isFinite(q)) state[h] = q > RUNNING_FLOW_M3H ? RUNNING : STOPPED;
    else if (Number.isFinite(p)) state[h] = p > RUNNING_POWER_KW ? RUNNING : STOPPED;
    else state[h] = UNKNOWN;
  }
  return state;
}

/** Mean of the finite values in each trailing window; NaN where the window has none. */
function trailingMean(v: Float64Array, n: number, window: number): Float64Array {
  const out = new Float64Array(n);
  let sum = 0;
  let count = 0;
  for (let h = 0; h < n; h++) {
    const x = v[h]!;
    if (Number.isFinite(x)) {
      sum += x;
      count++;
    }
    const old = h >= window ? v[h - window]! : NaN;
    if (Number.isFinite(old)) {
      sum -= old;
      count--;
    }
    // an empty window drops the rounding residue of the rolling sum
    if (count === 0) sum = 0;
    out[h] = count > 0 ? sum / count : NaN;
  }
  return out;
}

/**
 * The extreme finite value of each trailing window (monotone deque of hour indexes): the largest when
 * `largest`, else the smallest; NaN where the window has none.
 */
function trailingExtreme(v: Float64Array, n: number, window: number, largest: boolean): Float64Array {
  const out = new Float64Array(n);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let h = 0; h < n; h++) {
    const x = v[h]!;
    if (Number.isFinite(x)) {
      // a newer value at least as extreme makes the older ones irrelevant
      while (tail > head && (largest ? v[deque[tail - 1]!]! <= x : v[deque[tail - 1]!]! >= x)) tail--;
      deque[tail++] = h;
    }
    while (tail > head && deque[head]! <= h - window) head++;
    out[h] = tail > head ? v[deque[head]!]! : NaN;
  }
  return out;
}

/**
 * Standard deviation over mean of the finite values in each trailing window; NaN with fewer than
 * two values. The sums are taken about the series' first value, which keeps the variance of a
 * 5-bar signal with a 0.05-bar spread from cancelling away.
 */
function trailingCv(v: Float64Array, n: number, window: number): Float64Array {
  const out = new Float64Array(n);
  let ref = NaN;
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let h = 0; h < n; h++) {
    const x = v[h]!;
    if (Number.isFinite(x)) {
      if (Number.isNaN(ref)) ref = x;
      sum += x - ref;
      sumSq += (x - ref) ** 2;
      count++;
    }
    const old = h >= window ? v[h - window]! : NaN;
    if (Number.isFinite(old)) {
      sum -= old - ref;
      sumSq -= (old - ref) ** 2;
      count--;
    }
    if (count === 0) sum = sumSq = 0;
    const shift = sum / count;
    const mean = ref + shift;
    const variance = Math.max(0, sumSq / count - shift * shift);
    out[h] = count >= 2 && mean > 0 ? Math.sqrt(variance) / mean : NaN;
  }
  return out;
}

/** A trailing mean now minus the same a week earlier; NaN in the first week or where either is. */
function weekChange(mean: Float64Array): Float64Array {
  const out = new Float64Array(mean.length);
  for (let h = 0; h < mean.length; h++) out[h] = h >= WEEK ? mean[h]! - mean[h - WEEK]! : NaN;
  return out;
}

/**
 * Energy over volume [kWh/m³] of the running hours with both power and flow in each trailing window:
 * hourly means in kW and m³/h are kWh and m³, so the ratio of the sums weighs each hour by its volume.
 * Stopped hours are left out (standby power over no flow says nothing about the pump).
 */
function trailingSpecificEnergy(power: Float64Array, flow: Float64Array, state: Int8Array, n: number): Float64Array {
  const out = new Float64Array(n);
  const counts = (h: number) => state[h] === RUNNING && Number.isFinite(power[h]!) && Number.isFinite(flow[h]!);
  let kwh = 0;
  let m3 = 0;
  let count = 0;
  for (let h = 0; h < n; h++) {
    if (counts(h)) {
      kwh += power[h]!;
      m3 += flow[h]!;
      count++;
    }
    if (h >= DAY && counts(h - DAY)) {
      kwh -= power[h - DAY]!;
      m3 -= flow[h - DAY]!;
      count--;
    }
    if (count === 0) kwh = m3 = 0;
    out[h] = count > 0 ? kwh / m3 : NaN;
  }
  return out;
}

/**
 * Starts (an hour seen running after the last hour seen stopped, across gaps in the data) in each
 * trailing window; NaN where no hour of the window has flow or power data.
 */
function trailingStarts(state: Int8Array, n: number): Float64Array {
  const starts = new Uint8Array(n);
  let last: number = UNKNOWN;
  for (let h = 0; h < n; h++) {
    if (state[h] === RUNNING && last === STOPPED) starts[h] = 1;
    if (state[h] !== UNKNOWN) last = state[h]!;
  }
  const out = new Float64Array(n);
  let count = 0;
  let known = 0;
  for (let h = 0; h < n; h++) {
    count += starts[h]!;
    known += state[h] === UNKNOWN ? 0 : 1;
    if (h >= DAY) {
      count -= starts[h - DAY]!;
      known -= state[h - DAY] === UNKNOWN ? 0 : 1;
    }
    out[h] = known > 0 ? count : NaN;
  }
  return out;
}

/** Share of each trailing 24 hours with vibration or power data (hours before the history count as empty). */
function trailingCoverage(vibration: Float64Array, power: Float64Array, n: number): Float64Array {
  const has = (h: number) => (Number.isFinite(vibration[h]!) || Number.isFinite(power[h]!) ? 1 : 0);
  const out = new Float64Array(n);
  let count = 0;
  for (let h = 0; h < n; h++) {
    count += has(h);
    if (h >= DAY) count -= has(h - DAY);
    out[h] = count / DAY;
  }
  return out;
}

/** Each value over the lowest finite value of its trailing window; NaN where either is missing or the low is not above 0. */
function ratioToTrailingMin(v: Float64Array, n: number, window: number): Float64Array {
  const low = trailingExtreme(v, n, window, false);
  const out = new Float64Array(n);
  for (let h = 0; h < n; h++) out[h] = Number.isFinite(v[h]!) && low[h]! > 0 ? v[h]! / low[h]! : NaN;
  return out;
}

/**
 * The counters that restart at each renewal: hours and running hours since it. A renewal before the
 * history's first hour comes as a negative hour, with the running hours from it to the first hour
 * (`runningHoursBeforeStart`): the scorer reads five weeks, not the years since a pump was serviced.
 * Before any known renewal both are NaN (an unknown age), never a guess that would differ between a
 * year of history and a five-week window.
 */
function sinceRenewal(renewals: readonly number[], runningBeforeStart: number, state: Int8Array, n: number) {
  const hours = new Float64Array(n).fill(NaN);
  const runningHours = new Float64Array(n).fill(NaN);
  let next = 0;
  let renewedAt: number | null = null;
  let running = 0;
  for (let h = 0; h < n; h++) {
    while (next < renewals.length && renewals[next]! <= h) {
      renewedAt = renewals[next++]!;
      // only the last renewal before the first hour carries running hours into the history
      running = renewedAt < 0 && (next === renewals.length || renewals[next]! >= 0) ? runningBeforeStart : 0;
    }
    if (renewedAt === null) continue;
    if (state[h] === RUNNING) running++;
    hours[h] = h - renewedAt;
    runningHours[h] = running;
  }
  return { hours, runningHours };
}

export interface RowLabels {
  /** 1 when a failure starts within the horizon after the row's hour */
  y: Uint8Array;
  /** 0 for rows to leave out of training and scoring */
  keep: Uint8Array;
}

/**
 * Labels for feature rows: y = 1 when a failure's `at` falls in (h, h + horizonHours]. Hours inside a
 * failure's downtime [at, until) are not kept: the unit is down, so there is nothing to predict, and
 * the hour of the failure itself is already past. Every other hour is kept, including the last
 * `horizonHours` of the history, labelled 0 when no failure is known there although one may follow
 * after the history ends: with about one failure per unit-year this mislabels very few rows, and
 * dropping them would leave the most recent weeks out of every training set.
 */
export function labelRows(history: PumpHistory, hours: Int32Array, horizonHours: number): RowLabels {
  const failures = history.failures;
  const down = new Uint8Array(history.hours);
  for (const f of failures) down.fill(1, Math.max(0, f.at), Math.min(history.hours, f.until));
  const y = new Uint8Array(hours.length);
  const keep = new Uint8Array(hours.length);
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i]!;
    const next = failures[firstFailureAfter(failures, h)];
    y[i] = next !== undefined && next.at <= h + horizonHours ? 1 : 0;
    keep[i] = down[h] === 1 ? 0 : 1;
  }
  return { y, keep };
}

/** Index of the first failure with `at` > hour (failures sorted by `at`); failures.length when none. */
function firstFailureAfter(failures: PumpHistory["failures"], hour: number): number {
  let lo = 0;
  let hi = failures.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failures[mid]!.at > hour) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
