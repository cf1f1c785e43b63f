/**
 * Minute-by-minute UV compliance of one system (domain.md §5.2): for each minute, whether the water
 * delivered was treated within validated conditions, why not, how much water passed and the
 * calculated dose; consecutive off-spec minutes with the same reasons become one ledger event.
 * Pure: the worker's job, the backfill and the tests feed it the same per-minute inputs (averages of
 * the 1-minute rollups), so live and history take one code path (design.md).
 *
 * Rules, in order of the §5.2 list:
 * - no_data: a required signal is missing (flow, UV intensity, lamp status, and UVT on a unit with a
 *   UVT analyser) while the unit delivers water. We cannot show that this water was treated, so it
 *   counts as off-spec: conservative, and the same answer a regulator would give. When the flow
 *   itself is missing, the water delivered is estimated from the flow measured around the gap
 *   (interpolated, or held from the last measurement while nothing newer has arrived), up to
 *   `maxBridgeMs`; without a flow measured before the gap there is no evidence of delivery.
 * - lamp_off: any lamp off (or switched) during the minute.
 * - warming_up: a lamp struck less than the time it needs to reach 95 % of its output (the twin's
 *   threshold in offSpecReasons, with the lamp's warm-up constant τ_w: about 9 min for amalgam).
 * - sensor_below_setpoint: UV intensity below the validated setpoint (setpoint approach, §1.3 A).
 * - dose_below_required: validated calculated dose below the required dose (calculated-dose
 *   approach, §1.3 B). Only with a measured UVT; without one the setpoint approach alone decides.
 * - flow_above_max, uvt_below_min: outside the validated flow or UVT.
 * - sensor_out_of_calibration: the duty UV sensor failed its last calibration check, or (calculated-
 *   dose approach only) the online UVT analyser did; until a check passes (calibration-rules.ts).
 * A minute without delivery (flow 0) is never off-spec: no water left the unit.
 */
import { lampWarmupFactor, reactorDose, sensorIntensityWm2, type OffSpecReason, type UnitParams } from "@/lib/physics";

export type ComplianceReason = OffSpecReason | "no_data" | "sensor_out_of_calibration";

/** Reasons in the order they are listed and stored. */
export const COMPLIANCE_REASONS: readonly ComplianceReason[] = [
  "no_data",
  "lamp_off",
  "warming_up",
  "sensor_below_setpoint",
  "dose_below_required",
  "flow_above_max",
  "uvt_below_min",
  // (last: stored reason strings of earlier combinations keep their order)
  "sensor_out_of_calibration",
];

export const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A lamp below this share of its warm output is warming up (as offSpecReasons in src/lib/physics/unit.ts). */
export const WARM_OUTPUT_FRACTION = 0.95;

/** How long a slow or state signal's last value stands in for missing minutes. */
export interface HoldMinutes {
  flow: number;
  intensity: number;
  /** lamp status is reported each minute and on change (src/lib/sim/series.ts) */
  lamp: number;
  uvt: number;
  temperature: number;
}

export const DEFAULT_HOLD_MINUTES: HoldMinutes = { flow: 0, intensity: 0, lamp: 10, uvt: 15, temperature: 15 };
/** Gaps in the flow up to this long are bridged with an estimated flow (see no_data above). */
export const DEFAULT_MAX_BRIDGE_MS = 24 * HOUR_MS;

/** One system's minute averages over consecutive minutes from `start`; null = no reading that minute. */
export interface MinuteSeries {
  /** epoch ms of the first minute (minute-aligned) */
  start: number;
  flowM3h: (number | null)[];
  intensityWm2: (number | null)[];
  /** null: the system has no UVT analyser (setpoint approach only) */
  uvtPct: (number | null)[] | null;
  /** per lamp: the minute's average of lamp_on (1 = on for every reading of the minute) */
  lampOn: (number | null)[][];
  waterTempC?: (number | null)[];
  /** the last flow measured before `start` and the first after the series, for gaps at the edges */
  flowBefore?: { t: number; value: number } | null;
  flowAfter?: { t: number; value: number } | null;
  /** when the duty UV sensor / the UVT analyser was out of calibration: [from, to) in epoch ms, to null while it lasts */
  outOfCalibration?: { uvSensor: readonly Interval[]; uvtAnalyser: readonly Interval[] };
}

export interface Interval {
  from: number;
  to: number | null;
}

const inAny = (intervals: readonly Interval[] | undefined, t: number) => intervals?.some((iv) => t >= iv.from && (iv.to === null || t < iv.to)) ?? false;

export interface EvaluationOptions {
  /** the unit's physics with its validated limits in `compliance` (resolveSystemConfig / unitParamsFromTwin) */
  params: UnitParams;
  /** the evaluated window [from, to), minute-aligned, inside the series; earlier minutes only give context */
  from: number;
  to: number;
  hold?: Partial<HoldMinutes>;
  maxBridgeMs?: number;
  /**
   * The series starts when monitoring began: a lamp whose first known status is "on" was already on
   * (when it was struck is not known, and water before monitoring is not judged). Otherwise a lamp
   * first seen on after unknown minutes counts as just struck (conservative: a device back from a gap).
   */
  monitoringStartsAtSeries?: boolean;
}

export interface MinuteResult {
  t: number;
  /** water delivered in the minute [m³]: Q·Δt, estimated when the flow was missing */
  volumeM3: number;
  delivering: boolean;
  /** the flow was estimated (missing reading) */
  flowEstimated: boolean;
  /** every required signal was known */
  complete: boolean;
  /** empty: on spec (or no water delivered) */
  reasons: ComplianceReason[];
  /** validated calculated dose (RED / VF) [mJ/cm²]; null without flow, UV intensity or UVT */
  doseMjCm2: number | null;
}

export interface LedgerEvent {
  /** reasons joined with "," in COMPLIANCE_REASONS order */
  reason: string;
  reasons: ComplianceReason[];
  startedAt: number;
  endedAt: number;
  minutes: number;
  volumeM3: number;
  minDoseMjCm2: number | null;
}

export interface IntervalSummary {
  minutes: number;
  completeMinutes: number;
  /** complete minutes / minutes (1 for an empty window) */
  dataCompleteness: number;
  runMinutes: number;
  treatedVolumeM3: number;
  /** part of treatedVolumeM3 that was estimated over missing flow readings */
  estimatedVolumeM3: number;
  offSpecVolumeM3: number;
  offSpecMinutes: number;
  /** delivering minutes within validated conditions / delivering minutes; null without delivery */
  validatedFraction: number | null;
  minDoseMjCm2: number | null;
  avgDoseMjCm2: number | null;
  p5DoseMjCm2: number | null;
  maxFlowM3h: number | null;
  minUvtPct: number | null;
  minIntensityWm2: number | null;
  minWaterTempC: number | null;
  maxWaterTempC: number | null;
  /** per reason: off-spec minutes and volume (a minute with two reasons counts for both) */
  byReason: Partial<Record<ComplianceReason, { minutes: number; volumeM3: number }>>;
}

export interface Evaluation {
  minutes: MinuteResult[];
  events: LedgerEvent[];
  summary: IntervalSummary;
}

/**
 * Validated calculated dose [mJ/cm²] from measured flow, UV intensity and UVT: the UV-C power the
 * sensor reading implies (inverting the wall-sensor model, which is linear in UV power), through
 * the reactor's RED model, divided by the validation factor (domain.md §1.3 B, §1.4). A fouled
 * sensor window reads low and lowers this dose: errors go the safe way.
 */
export function calculatedDose(params: UnitParams, flowM3h: number, intensityWm2: number, uvtPct: number): number | null {
  if (!(flowM3h > 0) || !(intensityWm2 >= 0) || !(uvtPct > 0)) return null;
  const perMw = sensorIntensityWm2(params.uv.geometry, 1, uvtPct);
  if (!(perMw > 0)) return null;
  const red = reactorDose(params.uv.geometry, intensityWm2 / perMw, uvtPct, flowM3h, params.uv).redMjCm2;
  return red === null ? null : red / params.compliance.validationFactor;
}

/** The last known value stands for up to `minutes` missing minutes after it. */
function held(values: readonly (number | null)[], minutes: number): (number | null)[] {
  const out = new Array<number | null>(values.length);
  let last: number | null = null;
  let age = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? null;
    if (v !== null) {
      last = v;
      age = 0;
      out[i] = v;
    } else {
      age++;
      out[i] = age <= minutes ? last : null;
    }
  }
  return out;
}

/** Flow for every minute: measured, else estimated over the gap (see the module comment); null = no evidence. */
function estimatedFlow(series: MinuteSeries, measured: readonly (number | null)[], maxBridgeMs: number): (number | null)[] {
  const n = measured.length;
  const out = new Array<number | null>(n).fill(null);
  let prev: { t: number; value: number } | null = series.flowBefore ?? null;
  let i = 0;
  while (i < n) {
    const v = measured[i];
    if (v != null) {
      out[i] = v;
      prev = { t: series.start + i * MINUTE_MS, value: v };
      i++;
      continue;
    }
    let j = i;
    while (j < n && measured[j] == null) j++;
    const next = j < n ? { t: series.start + j * MINUTE_MS, value: measured[j]! } : (series.flowAfter ?? null);
    for (let k = i; k < j; k++) {
      const t = series.start + k * MINUTE_MS;
      if (!prev) continue;
      if (next && next.t - prev.t <= maxBridgeMs) out[k] = prev.value + ((next.value - prev.value) * (t - prev.t)) / (next.t - prev.t);
      else if (!next && t - prev.t <= maxBridgeMs) out[k] = prev.value;
    }
    i = j;
  }
  return out;
}

/** Linear interpolation between order statistics (as numpy's default); `sorted` ascending, non-empty. */
export function percentile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)]!;
  return a + (h - lo) * (b - a);
}

const sameReasons = (a: readonly ComplianceReason[], b: readonly ComplianceReason[]) => a.length === b.length && a.every((r, i) => r === b[i]);

/** Consecutive off-spec minutes with the same reasons, as ledger events. */
export function mergeEvents(minutes: readonly MinuteResult[]): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  let open: LedgerEvent | null = null;
  for (const m of minutes) {
    if (m.reasons.length === 0) {
      open = null;
      continue;
    }
    if (open && open.endedAt === m.t && sameReasons(open.reasons, m.reasons)) {
      open.endedAt = m.t + MINUTE_MS;
      open.minutes++;
      open.volumeM3 += m.volumeM3;
      if (m.doseMjCm2 !== null) open.minDoseMjCm2 = open.minDoseMjCm2 === null ? m.doseMjCm2 : Math.min(open.minDoseMjCm2, m.doseMjCm2);
      continue;
    }
    open = {
      reason: m.reasons.join(","),
      reasons: [...m.reasons],
      startedAt: m.t,
      endedAt: m.t + MINUTE_MS,
      minutes: 1,
      volumeM3: m.volumeM3,
      minDoseMjCm2: m.doseMjCm2,
    };
    events.push(open);
  }
  return events;
}

/** Evaluates [from, to) of a system's minute series. */
export function evaluateMinutes(series: MinuteSeries, options: EvaluationOptions): Evaluation {
  const { params } = options;
  const limits = params.compliance;
  const hold = { ...DEFAULT_HOLD_MINUTES, ...options.hold };
  const n = series.flowM3h.length;
  const flowMeasured = held(series.flowM3h, hold.flow);
  const flow = estimatedFlow(series, flowMeasured, options.maxBridgeMs ?? DEFAULT_MAX_BRIDGE_MS);
  const intensity = held(series.intensityWm2, hold.intensity);
  const uvt = series.uvtPct ? held(series.uvtPct, hold.uvt) : null;
  const temperature = series.waterTempC ? held(series.waterTempC, hold.temperature) : null;
  const lamps = series.lampOn.map((l) => held(l, hold.lamp));
  const tauMin = params.uv.lamp.warmupTauMin;

  // per lamp: since when it has been on without a break (-Infinity: already on when the series starts)
  const onSince = lamps.map(() => null as number | null);
  const seen = lamps.map(() => false);
  const minutes: MinuteResult[] = [];
  const doses: number[] = [];
  const summary: IntervalSummary = {
    minutes: 0,
    completeMinutes: 0,
    dataCompleteness: 1,
    runMinutes: 0,
    treatedVolumeM3: 0,
    estimatedVolumeM3: 0,
    offSpecVolumeM3: 0,
    offSpecMinutes: 0,
    validatedFraction: null,
    minDoseMjCm2: null,
    avgDoseMjCm2: null,
    p5DoseMjCm2: null,
    maxFlowM3h: null,
    minUvtPct: null,
    minIntensityWm2: null,
    minWaterTempC: null,
    maxWaterTempC: null,
    byReason: {},
  };
  let onSpecRunMinutes = 0;
  const min = (a: number | null, b: number) => (a === null ? b : Math.min(a, b));
  const max = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));

  for (let i = 0; i < n; i++) {
    const t = series.start + i * MINUTE_MS;
    let lampsKnown = lamps.length > 0;
    let lampsOn = true;
    let minutesOn = Infinity;
    for (let k = 0; k < lamps.length; k++) {
      const v = lamps[k]![i] ?? null;
      if (v === null) {
        lampsKnown = false;
        continue; // an unknown minute neither starts nor breaks a run
      }
      // on for every reading of the minute; a lamp switched during it counts as off
      const on = v >= 1 - 1e-9;
      if (on && onSince[k] === null) onSince[k] = i === 0 || (options.monitoringStartsAtSeries && !seen[k]) ? -Infinity : t;
      seen[k] = true;
      if (!on) onSince[k] = null;
      if (!on) lampsOn = false;
      else minutesOn = Math.min(minutesOn, (t - onSince[k]!) / MINUTE_MS);
    }
    if (t < options.from || t >= options.to) continue;

    const q = flowMeasured[i] ?? null;
    const qUsed = flow[i] ?? null;
    const s = intensity[i] ?? null;
    const u = uvt ? (uvt[i] ?? null) : null;
    const delivering = qUsed !== null && qUsed > 0;
    const complete = q !== null && s !== null && lampsKnown && (uvt === null || u !== null);
    const volumeM3 = delivering ? qUsed / 60 : 0;
    const dose = q !== null && s !== null && u !== null ? calculatedDose(params, q, s, u) : null;

    const reasons: ComplianceReason[] = [];
    if (delivering) {
      if (!complete) reasons.push("no_data");
      if (lampsKnown && !lampsOn) reasons.push("lamp_off");
      else if (lampsKnown && lampWarmupFactor(tauMin, minutesOn) < WARM_OUTPUT_FRACTION) reasons.push("warming_up");
      if (limits.sensorSetpointWm2 !== undefined && s !== null && s < limits.sensorSetpointWm2) reasons.push("sensor_below_setpoint");
      if (dose !== null && dose < limits.requiredDoseMjCm2) reasons.push("dose_below_required");
      if (limits.maxFlowM3h !== undefined && q !== null && q > limits.maxFlowM3h) reasons.push("flow_above_max");
      if (limits.minUvtPct !== undefined && u !== null && u < limits.minUvtPct) reasons.push("uvt_below_min");
      // a minute that began while the instrument was out of calibration (the UVT analyser only matters to the calculated dose)
      const cal = series.outOfCalibration;
      if (inAny(cal?.uvSensor, t) || (uvt !== null && inAny(cal?.uvtAnalyser, t))) reasons.push("sensor_out_of_calibration");
    }
    minutes.push({ t, volumeM3, delivering, flowEstimated: delivering && q === null, complete, reasons, doseMjCm2: dose });

    summary.minutes++;
    if (complete) summary.completeMinutes++;
    const tw = temperature ? (temperature[i] ?? null) : null;
    if (tw !== null) {
      summary.minWaterTempC = min(summary.minWaterTempC, tw);
      summary.maxWaterTempC = max(summary.maxWaterTempC, tw);
    }
    if (!delivering) continue;
    summary.runMinutes++;
    summary.treatedVolumeM3 += volumeM3;
    if (q === null) summary.estimatedVolumeM3 += volumeM3;
    else summary.maxFlowM3h = max(summary.maxFlowM3h, q);
    if (u !== null) summary.minUvtPct = min(summary.minUvtPct, u);
    if (s !== null) summary.minIntensityWm2 = min(summary.minIntensityWm2, s);
    if (dose !== null) doses.push(dose);
    if (reasons.length === 0) {
      onSpecRunMinutes++;
      continue;
    }
    summary.offSpecMinutes++;
    summary.offSpecVolumeM3 += volumeM3;
    for (const r of reasons) {
      const b = (summary.byReason[r] ??= { minutes: 0, volumeM3: 0 });
      b.minutes++;
      b.volumeM3 += volumeM3;
    }
  }

  summary.dataCompleteness = summary.minutes === 0 ? 1 : summary.completeMinutes / summary.minutes;
  summary.validatedFraction = summary.runMinutes === 0 ? null : onSpecRunMinutes / summary.runMinutes;
  if (doses.length > 0) {
    let sum = 0;
    for (const d of doses) sum += d;
    summary.avgDoseMjCm2 = sum / doses.length;
    doses.sort((a, b) => a - b);
    summary.minDoseMjCm2 = doses[0]!;
    summary.p5DoseMjCm2 = percentile(doses, 0.05);
  }
  return { minutes, events: mergeEvents(minutes), summary };
}
