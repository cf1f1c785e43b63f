/**
 * The pure alert-rule evaluation core (ISA-18.2 / IEC 62682 basic and enhanced alarms, domain.md §4.2):
 * one condition per (rule, series), fed with committed batches (`onSample`) and with the passing of
 * time (`onTick`). No I/O: the alert engine keeps the JSON state per condition and writes alerts for the
 * transitions returned here.
 *
 * Model, for every kind:
 *   - the measured quantity q is the value (thresholds), the rate in units/min (rate_of_change), the
 *     robust z-score (baseline_deviation) or the seconds without data (stale): always in the units of
 *     `rule.threshold`, and that is what `Transition.value` carries;
 *   - q classifies as violated, normal, or inside the deadband; the deadband keeps the previous
 *     condition, so a value hovering at the limit does not chatter;
 *   - the held condition must last onDelaySec before a raise and offDelaySec (normal) before a clear.
 *     Values are sample-and-hold: a timer completes on a later sample or on a tick even when no new
 *     value arrived. A raise or clear is stamped with the instant its delay completed, not with the
 *     call's time, so a transition deferred to the next call (at most one per call) keeps its time.
 */

export type RuleKind = "threshold_hi" | "threshold_lo" | "threshold_hihi" | "threshold_lolo" | "rate_of_change" | "baseline_deviation" | "stale";

export const RULE_KINDS: readonly RuleKind[] = ["threshold_hi", "threshold_lo", "threshold_hihi", "threshold_lolo", "rate_of_change", "baseline_deviation", "stale"];

export const DEFAULT_RATE_WINDOW_SEC = 60;

export interface RuleSpec {
  kind: RuleKind;
  /** thresholds: the limit (metric units); rate_of_change: max |rate| in units per minute;
   *  baseline_deviation: k, the robust z-score limit (|x - median| / (1.4826 * MAD)); stale: seconds without data */
  threshold: number;
  /** hysteresis in the same units as `threshold` (0 = none) */
  deadband: number;
  onDelaySec: number;
  offDelaySec: number;
  /** rate_of_change: the window the rate is measured over, seconds (default 60) */
  windowSec?: number;
}

/** One committed batch of one series: its newest value and the batch's extremes. ts = epoch ms of `last`. */
export interface Sample {
  ts: number;
  last: number;
  min: number;
  max: number;
}

export interface Baseline {
  median: number;
  mad: number;
}

/** JSON-serialisable, opaque to callers. */
export interface ConditionState {
  /** raised (after delays) */
  active: boolean;
  /** the held condition, deadband applied: true = violated */
  violated: boolean;
  /** epoch ms since which `violated` has its value; null before the first evaluation */
  since: number | null;
  /** q of the newest evaluated sample (held until the next one) */
  held: number | null;
  /** the newest q that violated the limit: the value reported when a raise completes inside the deadband */
  lastViolating: number | null;
  /** newest sample time used for persistence */
  lastTs: number | null;
  /** newest data time known (initialState's lastSeenTs included), for stale */
  seenTs: number | null;
  /** an excursion inside a batch (onDelay 0), raised at the next step */
  spike: { at: number; value: number } | null;
  /** time of the last transition */
  changedAt: number | null;
  /** rate_of_change: [ts, value], oldest first, bounded (see RATE_HISTORY_STEPS) */
  history: [number, number][];
}

export type Transition = { kind: "raise"; at: number; value: number } | { kind: "clear"; at: number; value: number | null };

type Verdict = "violated" | "normal" | "hold";

/** Robust z-score scale: 1.4826 * MAD estimates σ for normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;
/** A rate_of_change history keeps about this many points per window (plus the reference point). */
const RATE_HISTORY_STEPS = 16;
const RATE_HISTORY_MAX = 4 * RATE_HISTORY_STEPS;

export function initialState(lastSeenTs?: number): ConditionState {
  return {
    active: false,
    violated: false,
    since: null,
    held: null,
    lastViolating: null,
    lastTs: null,
    seenTs: lastSeenTs !== undefined && Number.isFinite(lastSeenTs) ? lastSeenTs : null,
    spike: null,
    changedAt: null,
    history: [],
  };
}

/**
 * The state of a condition known to be raised (an open alert after a restart): active and violated
 * since `raisedAt`, holding `value`; the next samples or ticks clear it the usual way.
 */
export function restoreActiveState(raisedAt: number, value: number | null, lastSeenTs?: number): ConditionState {
  return { ...initialState(lastSeenTs), active: true, violated: true, since: raisedAt, changedAt: raisedAt, held: value, lastViolating: value };
}

export function isActive(state: ConditionState): boolean {
  return state.active;
}

const isHigh = (kind: RuleKind) => kind === "threshold_hi" || kind === "threshold_hihi";
const isLow = (kind: RuleKind) => kind === "threshold_lo" || kind === "threshold_lolo";
const isThreshold = (kind: RuleKind) => isHigh(kind) || isLow(kind);
const deadbandOf = (rule: RuleSpec) => (Number.isFinite(rule.deadband) && rule.deadband > 0 ? rule.deadband : 0);
const delayMs = (sec: number) => (Number.isFinite(sec) && sec > 0 ? sec * 1000 : 0);

function classify(rule: RuleSpec, q: number): Verdict {
  const t = rule.threshold;
  const d = deadbandOf(rule);
  switch (rule.kind) {
    case "threshold_hi":
    case "threshold_hihi":
      return q > t ? "violated" : q < t - d ? "normal" : "hold";
    case "threshold_lo":
    case "threshold_lolo":
      return q < t ? "violated" : q > t + d ? "normal" : "hold";
    case "rate_of_change":
      return Math.abs(q) > t ? "violated" : Math.abs(q) <= t - d ? "normal" : "hold";
    case "baseline_deviation":
      return q > t ? "violated" : q <= t - d ? "normal" : "hold";
    case "stale":
      return q > t ? "violated" : "normal";
  }
}

/** Applies a verdict taken at time t to the held condition (mutates the copy it is given). */
function apply(s: ConditionState, verdict: Verdict, t: number): void {
  if (s.since === null) {
    s.violated = verdict === "violated";
    s.since = t;
  } else if (verdict === "violated" && !s.violated) {
    s.violated = true;
    s.since = t;
  } else if (verdict === "normal" && s.violated) {
    s.violated = false;
    s.since = t;
  }
}

function copy(s: ConditionState): ConditionState {
  return { ...s, spike: s.spike && { ...s.spike }, history: s.history.map(([t, v]) => [t, v]) };
}

/** Completes whatever is due at time t: at most one transition (mutates s). */
function step(rule: RuleSpec, s: ConditionState, t: number): Transition | null {
  const notBefore = (at: number) => (s.changedAt !== null && at < s.changedAt ? s.changedAt : at);
  if (!s.active) {
    if (s.spike) {
      const at = notBefore(s.spike.at);
      const value = s.spike.value;
      s.spike = null;
      s.active = true;
      s.changedAt = at;
      // a clear has to wait for normal after the excursion, not before it
      if (!s.violated && s.since !== null && s.since < at) s.since = at;
      return { kind: "raise", at, value };
    }
    if (s.violated && s.since !== null && t - s.since >= delayMs(rule.onDelaySec)) {
      const at = notBefore(s.since + delayMs(rule.onDelaySec));
      s.active = true;
      s.changedAt = at;
      return { kind: "raise", at, value: raiseValue(rule, s, at) };
    }
    return null;
  }
  if (!s.violated && s.since !== null && t - s.since >= delayMs(rule.offDelaySec)) {
    const at = notBefore(s.since + delayMs(rule.offDelaySec));
    s.active = false;
    s.changedAt = at;
    s.lastViolating = null;
    return { kind: "clear", at, value: rule.kind === "stale" ? null : s.held };
  }
  return null;
}

function raiseValue(rule: RuleSpec, s: ConditionState, at: number): number {
  if (rule.kind === "stale") return s.seenTs === null ? rule.threshold : (at - s.seenTs) / 1000;
  if (s.held !== null && classify(rule, s.held) === "violated") return s.held;
  // raised while the value sits inside the deadband: report the excursion that started it
  return s.lastViolating ?? s.held ?? rule.threshold;
}

/** The rate (units/min) from the value held about `windowSec` before the sample; keeps the history bounded (mutates s). */
function rateOf(rule: RuleSpec, s: ConditionState, sample: Sample): number | null {
  const windowMs = delayMs(rule.windowSec ?? DEFAULT_RATE_WINDOW_SEC) || DEFAULT_RATE_WINDOW_SEC * 1000;
  const cutoff = sample.ts - windowMs;
  let refIndex = -1;
  for (let i = s.history.length - 1; i >= 0; i--) {
    if (s.history[i]![0] <= cutoff) {
      refIndex = i;
      break;
    }
  }
  let rate: number | null = null;
  if (refIndex >= 0) {
    const [refTs, refValue] = s.history[refIndex]!;
    rate = (sample.last - refValue) / ((sample.ts - refTs) / 60_000);
    s.history = s.history.slice(refIndex);
  }
  const newest = s.history[s.history.length - 1];
  if (!newest || sample.ts - newest[0] >= windowMs / RATE_HISTORY_STEPS) s.history.push([sample.ts, sample.last]);
  if (s.history.length > RATE_HISTORY_MAX) s.history = s.history.slice(s.history.length - RATE_HISTORY_MAX);
  return rate;
}

/** A new sample for the series. Returns the next state and at most one transition. */
export function onSample(rule: RuleSpec, state: ConditionState, sample: Sample, baseline?: Baseline | null): { state: ConditionState; transition: Transition | null } {
  if (!Number.isFinite(sample.ts) || !Number.isFinite(sample.last)) return { state, transition: null };
  if (rule.kind === "baseline_deviation" && !(baseline && Number.isFinite(baseline.median) && Number.isFinite(baseline.mad) && baseline.mad > 0)) {
    return { state, transition: null };
  }
  const s = copy(state);
  if (s.seenTs === null || sample.ts > s.seenTs) s.seenTs = sample.ts;

  const late = s.lastTs !== null && sample.ts <= s.lastTs;
  if (late) {
    // Late data never moves persistence back in time; only a within-batch excursion of an
    // undelayed threshold raises, and not one older than the last transition.
    const extreme = isHigh(rule.kind) ? sample.max : sample.min;
    if (
      isThreshold(rule.kind) &&
      delayMs(rule.onDelaySec) === 0 &&
      !s.active &&
      !s.spike &&
      (s.changedAt === null || sample.ts > s.changedAt) &&
      classify(rule, extreme) === "violated"
    ) {
      s.spike = { at: sample.ts, value: extreme };
      s.lastViolating = extreme;
      if (s.held !== null && classify(rule, s.held) === "hold") {
        s.violated = true;
        s.since = sample.ts;
      } else if (!s.violated) {
        s.since = s.lastTs; // normal is only known from the newest sample on
      }
      return { state: s, transition: step(rule, s, s.lastTs!) };
    }
    return { state: s, transition: null };
  }

  // What was due under the value held so far (sample-and-hold up to this sample).
  const due = rule.kind === "stale" ? (s.active ? step(rule, s, sample.ts) : null) : step(rule, s, sample.ts);
  s.lastTs = sample.ts;

  switch (rule.kind) {
    case "stale":
      // data arrived: the condition is normal (a pending raise is cancelled); onSample never raises stale
      apply(s, "normal", sample.ts);
      s.held = 0;
      break;
    case "rate_of_change": {
      const rate = rateOf(rule, s, sample);
      if (rate !== null) {
        const verdict = classify(rule, rate);
        apply(s, verdict, sample.ts);
        s.held = rate;
        if (verdict === "violated") s.lastViolating = rate;
      }
      break;
    }
    case "baseline_deviation": {
      const z = Math.abs(sample.last - baseline!.median) / (MAD_TO_SIGMA * baseline!.mad);
      const verdict = classify(rule, z);
      apply(s, verdict, sample.ts);
      s.held = z;
      if (verdict === "violated") s.lastViolating = z;
      break;
    }
    default: {
      // A batch's extreme is a real excursion: it raises at once when there is no on-delay, and it
      // restarts the off-delay of an active alert; persistence itself runs on `last`.
      const extreme = isHigh(rule.kind) ? sample.max : sample.min;
      const verdict = classify(rule, sample.last);
      if (Number.isFinite(extreme) && classify(rule, extreme) === "violated" && (s.active || delayMs(rule.onDelaySec) === 0)) {
        apply(s, "violated", sample.ts);
        s.lastViolating = extreme;
        if (!s.active && verdict !== "violated" && !s.spike) s.spike = { at: sample.ts, value: extreme };
      }
      apply(s, verdict, sample.ts);
      s.held = sample.last;
      if (verdict === "violated") s.lastViolating = sample.last;
    }
  }
  if (due) return { state: s, transition: due };
  const transition = rule.kind === "stale" && !s.active ? null : step(rule, s, sample.ts);
  return { state: s, transition };
}

/** Time passes without data (called about once a second): completes on/off delays (the last value holds) and detects stale data. */
export function onTick(rule: RuleSpec, state: ConditionState, now: number): { state: ConditionState; transition: Transition | null } {
  if (!Number.isFinite(now)) return { state, transition: null };
  const s = copy(state);
  if (rule.kind === "stale" && s.seenTs !== null) {
    const age = (now - s.seenTs) / 1000;
    if (classify(rule, age) === "violated") {
      if (!s.violated || s.since === null) {
        s.violated = true;
        s.since = now;
      }
      s.held = age;
    }
  }
  return { state: s, transition: step(rule, s, now) };
}

const KIND_LABEL: Record<RuleKind, string> = {
  threshold_hi: "hi",
  threshold_hihi: "hihi",
  threshold_lo: "lo",
  threshold_lolo: "lolo",
  rate_of_change: "rate of change",
  baseline_deviation: "baseline deviation",
  stale: "stale",
};

/** Short, stable number text: 4 significant digits below 1000, whole numbers above. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const r = Math.abs(v) >= 1000 ? Math.round(v) : Number(v.toPrecision(4));
  return String(Object.is(r, -0) ? 0 : r);
}

function withUnit(v: number, unit: string): string {
  if (!unit || unit === "1" || unit === "bool") return formatValue(v);
  return unit === "%" ? `${formatValue(v)}%` : `${formatValue(v)} ${unit}`;
}

/** A one-line message for an alert, e.g. "UV intensity 31.2 W/m2 below 40 W/m2 (lo)". */
export function describeCondition(rule: RuleSpec, value: number | null, metric: { name: string; unit: string }): string {
  const label = KIND_LABEL[rule.kind];
  const v = value !== null && Number.isFinite(value) ? value : null;
  switch (rule.kind) {
    case "threshold_hi":
    case "threshold_hihi":
    case "threshold_lo":
    case "threshold_lolo": {
      const dir = isHigh(rule.kind) ? "above" : "below";
      const limit = withUnit(rule.threshold, metric.unit);
      return v === null ? `${metric.name} ${dir} ${limit} (${label})` : `${metric.name} ${withUnit(v, metric.unit)} ${dir} ${limit} (${label})`;
    }
    case "rate_of_change": {
      const unit = `${metric.unit && metric.unit !== "1" ? metric.unit : "units"}/min`;
      const limit = `${formatValue(rule.threshold)} ${unit}`;
      if (v === null) return `${metric.name} changing faster than ${limit} (${label})`;
      return `${metric.name} ${v < 0 ? "falling" : "rising"} at ${formatValue(Math.abs(v))} ${unit}, more than ${limit} (${label})`;
    }
    case "baseline_deviation":
      return v === null
        ? `${metric.name} more than ${formatValue(rule.threshold)} robust σ from its baseline (${label})`
        : `${metric.name} ${formatValue(v)} robust σ from its baseline, more than ${formatValue(rule.threshold)} (${label})`;
    case "stale":
      return v === null
        ? `${metric.name}: no data for more than ${formatValue(rule.threshold)} s (${label})`
        : `${metric.name}: no data for ${formatValue(Math.round(v))} s, more than ${formatValue(rule.threshold)} s (${label})`;
  }
}

// ---- rule rows ------------------------------------------------------------------------------------

/**
 * A gate on another series of the same system: the rule only means something while the gate is open
 * (e.g. "low flow" only while the lamp is on, "UV intensity low" only while water flows). The engine
 * evaluates it with the other series' latest value; this module only defines it.
 */
export interface RuleGate {
  metricKey: string;
  /** open while that value > above */
  above?: number;
  /** open while that value < below */
  below?: number;
}

/** The kind-specific part of an AlertRule row (`params` JSON). */
export interface RuleParams {
  windowSec?: number;
  when?: RuleGate;
}

/** Whether a gate is open for the gating series' latest value (no value: closed). */
export function isGateOpen(gate: RuleGate | undefined, value: number | null | undefined): boolean {
  if (!gate) return true;
  if (value === null || value === undefined || !Number.isFinite(value)) return false;
  if (gate.above !== undefined && !(value > gate.above)) return false;
  if (gate.below !== undefined && !(value < gate.below)) return false;
  return true;
}

/** Reads a row's `params` JSON defensively (unknown fields are ignored). */
export function parseRuleParams(params: unknown): RuleParams {
  const out: RuleParams = {};
  if (!params || typeof params !== "object" || Array.isArray(params)) return out;
  const p = params as Record<string, unknown>;
  if (typeof p.windowSec === "number" && Number.isFinite(p.windowSec) && p.windowSec > 0) out.windowSec = p.windowSec;
  const when = p.when as Record<string, unknown> | undefined;
  if (when && typeof when === "object" && typeof when.metricKey === "string") {
    const gate: RuleGate = { metricKey: when.metricKey };
    if (typeof when.above === "number") gate.above = when.above;
    if (typeof when.below === "number") gate.below = when.below;
    out.when = gate;
  }
  return out;
}

/** The RuleSpec of an AlertRule row (threshold null: no limit, the rule never violates). */
export function ruleSpecFromRow(row: { kind: RuleKind; threshold: number | null; deadband: number; onDelaySec: number; offDelaySec: number; params?: unknown }): RuleSpec {
  const params = parseRuleParams(row.params);
  return {
    kind: row.kind,
    threshold: row.threshold ?? (row.kind === "threshold_lo" || row.kind === "threshold_lolo" ? -Infinity : Infinity),
    deadband: row.deadband,
    onDelaySec: row.onDelaySec,
    offDelaySec: row.offDelaySec,
    ...(params.windowSec !== undefined ? { windowSec: params.windowSec } : {}),
  };
}
