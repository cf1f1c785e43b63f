/**
 * The default alarm set of one treatment system (domain.md §4.3), with deadbands and delays from the
 * ISA-TR18.2.3 starting values of §4.2 (deadband as a share of the signal's operating range). Limits
 * come from the system's operating limits (validation report, manufacturer, site permit); where a
 * system has none the rule is left out rather than guessed, except for the fixed limits of §4.3
 * (filter ΔP, turbidity, vibration).
 *
 * Delays: the §4.2 table gives 15 s for flow and pressure, 60 s for temperature-like signals. Signals
 * the units report once a minute (ΔP, turbidity, UVT, vibration; src/lib/sim/series.ts) get 120 s:
 * under sample-and-hold a delay shorter than the reporting period would let one reading raise.
 * Compliance alarms have no on-delay: every off-spec excursion is an event to record (§5.2).
 */
import type { Prisma } from "@/generated/prisma/client";
import type { ComponentType, Severity } from "@/generated/prisma/enums";
import type { RuleKind, RuleParams } from "./rules";

export interface DefaultAlertRule {
  /** Stable within a system, e.g. "uv_intensity_lolo". */
  key: string;
  name: string;
  metricKey: string;
  /** Narrows the rule to series of this component type; null: every series of the metric. */
  componentType: ComponentType | null;
  kind: RuleKind;
  threshold: number;
  deadband: number;
  onDelaySec: number;
  offDelaySec: number;
  severity: Severity;
  /** Off-spec / compliance alarms are never shelved (§4.3). */
  isCompliance: boolean;
  params: RuleParams | null;
}

/** What the defaults need to know about a system: its model's rating, operating limits and components. */
export interface DefaultRuleSystem {
  ratedFlowM3h: number;
  limits: readonly { metricKey: string; min?: number | null; max?: number | null }[];
  components: readonly { code: string; type: ComponentType; attributes?: Record<string, unknown> | null }[];
  /** Twin parameters; `dpTerminalBar` is the filter's terminal ΔP. */
  twin?: Record<string, unknown> | null;
}

/** §4.3 fixed limits. */
export const FILTER_DP_WARNING_BAR = 0.7; // 10 psi [F1][F2]
export const FILTER_DP_TERMINAL_BAR = 1.0; // 15 psi
export const TURBIDITY_WARNING_NTU = 1; // [S31][S32]
export const TURBIDITY_ALARM_NTU = 5; // [S33]
export const VIBRATION_ZONE_C_MMS = 1.8; // ISO 10816-1 class I, B/C boundary [P24]
export const VIBRATION_ZONE_D_MMS = 4.5; // C/D boundary
/** Below this share of the rated flow the unit counts as not flowing (§4.3 "Q < 5 %"). */
export const NO_FLOW_SHARE = 0.05;
export const STALE_AFTER_SEC = 120;
const DEFAULT_LAMP_LIFE_H = 12_000;

// Deadband shares of the operating range (§4.2): flow 5 %, pressure 2 %, generic 2 %.
const FLOW_DEADBAND = 0.05;
const PRESSURE_DEADBAND = 0.02;
const GENERIC_DEADBAND = 0.02;
// Operating ranges where the signal has no validated span: UVT analyser 50–100 % (§4.1), drinking-water
// turbidimeter 0–10 NTU, vibration transmitter 0–10 mm/s.
const UVT_SPAN = 50;
const TURBIDITY_SPAN = 10;
const VIBRATION_SPAN = 10;

const FAST_DELAY_SEC = 15;
const SLOW_DELAY_SEC = 120;
/** Filter ΔP rate: measured over 15 min, alarmed above 0.3 bar/h held longer than the window. */
const DP_RATE_WINDOW_SEC = 900;
const DP_RATE_BAR_PER_MIN = 0.005;

const round = (v: number, decimals = 4) => Number(v.toFixed(decimals));

function finite(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** The default alert rules of one system (without organizationId / systemId / metricId). */
export function defaultRulesFor(system: DefaultRuleSystem): DefaultAlertRule[] {
  const limit = (key: string) => system.limits.find((l) => l.metricKey === key);
  const rated = system.ratedFlowM3h;
  const noFlow = round(NO_FLOW_SHARE * rated);
  const flowing: RuleParams = { when: { metricKey: "flow_rate", above: noFlow } };
  const has = (type: ComponentType) => system.components.some((c) => c.type === type);
  const rules: DefaultAlertRule[] = [];
  const add = (r: Omit<DefaultAlertRule, "params"> & { params?: RuleParams | null }) => rules.push({ ...r, params: r.params ?? null });

  // UV intensity against the validated sensor setpoint S_sp; the operating range is taken as 0..2 S_sp
  // (a new lamp reads about twice the setpoint: §4.3 puts off-spec near 50 % of the reference).
  const uvSetpoint = finite(limit("uv_intensity")?.min);
  if (uvSetpoint !== null && uvSetpoint > 0) {
    const deadband = round(GENERIC_DEADBAND * 2 * uvSetpoint);
    // only while water flows: an idle unit switches its lamp off (§4.3 lamp status)
    add({ key: "uv_intensity_lolo", name: "UV intensity below validated setpoint (off-spec)", metricKey: "uv_intensity", componentType: "uv_sensor", kind: "threshold_lolo", threshold: uvSetpoint, deadband, onDelaySec: 0, offDelaySec: FAST_DELAY_SEC, severity: "critical", isCompliance: true, params: flowing });
    add({ key: "uv_intensity_lo", name: "UV intensity within 10 % of setpoint", metricKey: "uv_intensity", componentType: "uv_sensor", kind: "threshold_lo", threshold: round(1.1 * uvSetpoint), deadband, onDelaySec: FAST_DELAY_SEC, offDelaySec: FAST_DELAY_SEC, severity: "minor", isCompliance: false, params: flowing });
  }

  // Flow: the operating range is 0..Q_max validated.
  const qMax = finite(limit("flow_rate")?.max);
  const flowRange = qMax ?? 1.5 * rated; // a mag meter's range is 0–1.5 Q_rated (§4.1)
  const flowDeadband = round(FLOW_DEADBAND * flowRange);
  if (qMax !== null) {
    add({ key: "flow_rate_hi", name: "Flow above validated maximum (off-spec)", metricKey: "flow_rate", componentType: null, kind: "threshold_hi", threshold: qMax, deadband: flowDeadband, onDelaySec: 0, offDelaySec: FAST_DELAY_SEC, severity: "major", isCompliance: true });
  }
  // Lamp on with no flow heats the water (§4.3 [S38]); the lamp runs on 8 min after the pump stops.
  add({ key: "flow_rate_lo_lamp_on", name: "No flow while the lamp is on", metricKey: "flow_rate", componentType: null, kind: "threshold_lo", threshold: noFlow, deadband: flowDeadband, onDelaySec: 600, offDelaySec: FAST_DELAY_SEC, severity: "warning", isCompliance: false, params: { when: { metricKey: "lamp_on", above: 0.5 } } });

  const uvtMin = finite(limit("uvt")?.min);
  if (uvtMin !== null) {
    add({ key: "uvt_lolo", name: "UVT below validated minimum (off-spec)", metricKey: "uvt", componentType: null, kind: "threshold_lolo", threshold: uvtMin, deadband: round(GENERIC_DEADBAND * UVT_SPAN), onDelaySec: 0, offDelaySec: SLOW_DELAY_SEC, severity: "major", isCompliance: true });
  }

  // Filter ΔP: the operating range is 0..terminal ΔP.
  if (has("filter")) {
    const terminal = finite(system.twin?.dpTerminalBar) ?? FILTER_DP_TERMINAL_BAR;
    const warning = round(Math.min(FILTER_DP_WARNING_BAR, 0.7 * terminal));
    const dpDeadband = round(PRESSURE_DEADBAND * terminal);
    add({ key: "filter_dp_hi", name: "Filter ΔP high (plan replacement or backwash)", metricKey: "filter_dp", componentType: "filter", kind: "threshold_hi", threshold: warning, deadband: dpDeadband, onDelaySec: SLOW_DELAY_SEC, offDelaySec: SLOW_DELAY_SEC, severity: "warning", isCompliance: false });
    add({ key: "filter_dp_hihi", name: "Filter ΔP at terminal (replace or backwash now)", metricKey: "filter_dp", componentType: "filter", kind: "threshold_hihi", threshold: terminal, deadband: dpDeadband, onDelaySec: SLOW_DELAY_SEC, offDelaySec: SLOW_DELAY_SEC, severity: "major", isCompliance: false });
    // A pump start or stop steps ΔP, which shows as a fast rate for exactly one window: the on-delay
    // is longer than the window (plus two readings), so only a sustained rise or fall alarms.
    add({ key: "filter_dp_roc", name: "Filter ΔP changing fast (fouling event or breakthrough)", metricKey: "filter_dp", componentType: "filter", kind: "rate_of_change", threshold: DP_RATE_BAR_PER_MIN, deadband: round(0.2 * DP_RATE_BAR_PER_MIN), onDelaySec: DP_RATE_WINDOW_SEC + 2 * 60, offDelaySec: SLOW_DELAY_SEC, severity: "warning", isCompliance: false, params: { windowSec: DP_RATE_WINDOW_SEC, ...flowing } });
  }

  const turbidityWarning = finite(limit("turbidity")?.max) ?? TURBIDITY_WARNING_NTU;
  const turbidityDeadband = round(GENERIC_DEADBAND * TURBIDITY_SPAN);
  add({ key: "turbidity_hi", name: "UV feed turbidity high", metricKey: "turbidity", componentType: null, kind: "threshold_hi", threshold: turbidityWarning, deadband: turbidityDeadband, onDelaySec: SLOW_DELAY_SEC, offDelaySec: SLOW_DELAY_SEC, severity: "warning", isCompliance: false });
  add({ key: "turbidity_hihi", name: "UV feed turbidity very high", metricKey: "turbidity", componentType: null, kind: "threshold_hihi", threshold: Math.max(TURBIDITY_ALARM_NTU, turbidityWarning), deadband: turbidityDeadband, onDelaySec: SLOW_DELAY_SEC, offDelaySec: SLOW_DELAY_SEC, severity: "major", isCompliance: false });

  const pMax = finite(limit("pump_pressure")?.max);
  if (pMax !== null) {
    add({ key: "pump_pressure_hi", name: "Discharge pressure above system maximum", metricKey: "pump_pressure", componentType: null, kind: "threshold_hi", threshold: pMax, deadband: round(PRESSURE_DEADBAND * pMax), onDelaySec: FAST_DELAY_SEC, offDelaySec: FAST_DELAY_SEC, severity: "major", isCompliance: false });
  }

  if (has("pump") || has("motor")) {
    const vibrationDeadband = round(GENERIC_DEADBAND * VIBRATION_SPAN);
    add({ key: "vibration_hi", name: "Pump vibration in zone C (ISO 10816 class I)", metricKey: "vibration", componentType: null, kind: "threshold_hi", threshold: VIBRATION_ZONE_C_MMS, deadband: vibrationDeadband, onDelaySec: SLOW_DELAY_SEC, offDelaySec: SLOW_DELAY_SEC, severity: "warning", isCompliance: false });
    add({ key: "vibration_hihi", name: "Pump vibration in zone D (damage likely)", metricKey: "vibration", componentType: null, kind: "threshold_hihi", threshold: VIBRATION_ZONE_D_MMS, deadband: vibrationDeadband, onDelaySec: SLOW_DELAY_SEC, offDelaySec: SLOW_DELAY_SEC, severity: "major", isCompliance: false });
  }

  // Lamp hours: a counter (reset at replacement, which clears the alert), so no deadband or delay.
  const lampLives = system.components.filter((c) => c.type === "lamp").map((c) => finite(c.attributes?.ratedLifeH) ?? DEFAULT_LAMP_LIFE_H);
  if (lampLives.length > 0) {
    const life = Math.min(...lampLives);
    add({ key: "lamp_hours_hi", name: "Lamp nearing end of rated life (90 %)", metricKey: "lamp_hours", componentType: "lamp", kind: "threshold_hi", threshold: round(0.9 * life), deadband: 0, onDelaySec: 0, offDelaySec: 0, severity: "warning", isCompliance: false });
    add({ key: "lamp_hours_hihi", name: "Lamp past rated life", metricKey: "lamp_hours", componentType: "lamp", kind: "threshold_hihi", threshold: life, deadband: 0, onDelaySec: 0, offDelaySec: 0, severity: "major", isCompliance: false });
  }

  // The flow meter reports every 10 s: two minutes without it means the gateway or the link is down.
  add({ key: "device_offline", name: "Device offline (no data for 2 min)", metricKey: "flow_rate", componentType: null, kind: "stale", threshold: STALE_AFTER_SEC, deadband: 0, onDelaySec: 0, offDelaySec: 0, severity: "major", isCompliance: false });

  return rules;
}

/** The rows to create for one system; metrics missing from `metricIds` are an error (the catalogue is seeded first). */
export function toAlertRuleRows(
  rules: readonly DefaultAlertRule[],
  target: { organizationId: string; systemId: string; metricIds: ReadonlyMap<string, number> },
): Prisma.AlertRuleCreateManyInput[] {
  return rules.map((r) => {
    const metricId = target.metricIds.get(r.metricKey);
    if (metricId === undefined) throw new Error(`default alert rule ${r.key}: metric ${r.metricKey} is not in the catalogue`);
    return {
      organizationId: target.organizationId,
      systemId: target.systemId,
      name: r.name,
      metricId,
      componentType: r.componentType,
      kind: r.kind,
      threshold: r.threshold,
      deadband: r.deadband,
      onDelaySec: r.onDelaySec,
      offDelaySec: r.offDelaySec,
      severity: r.severity,
      isCompliance: r.isCompliance,
      ...(r.params ? { params: r.params as Prisma.InputJsonObject } : {}),
    };
  });
}
