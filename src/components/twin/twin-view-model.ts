// What the twin page shows, computed from the physics outcome, the live record and the levers.
// Pure and browser-safe, so the slider path stays a few microseconds and is unit-tested.
import type { OffSpecReason, UnitOutcome } from "@/lib/physics";

export type Better = "higher" | "lower" | null;

export interface FigureDef {
  key: string;
  label: string;
  unit: string;
  digits: number;
  /** which way is an improvement (for the colour of a change), null when neither */
  better: Better;
  value(outcome: UnitOutcome): number | null;
}

/** The figures of the what-if panel, in reading order. */
export const FIGURES: readonly FigureDef[] = [
  { key: "flow", label: "Flow delivered", unit: "m³/h", digits: 2, better: null, value: (o) => o.flowM3h },
  { key: "dose", label: "Validated UV dose", unit: "mJ/cm²", digits: 1, better: "higher", value: (o) => o.uv.validatedDoseMjCm2 },
  { key: "logCredit", label: "Log credit", unit: "log", digits: 2, better: "higher", value: (o) => o.uv.logCredit },
  { key: "sensor", label: "UV sensor reading", unit: "W/m²", digits: 1, better: "higher", value: (o) => o.uv.sensorIntensityWm2 },
  { key: "pressure", label: "Discharge pressure", unit: "bar", digits: 2, better: null, value: (o) => o.dischargePressureBar },
  { key: "filterDp", label: "Filter ΔP (all)", unit: "bar", digits: 2, better: "lower", value: (o) => o.filterDpTotalBar },
  { key: "power", label: "Power (pump + UV)", unit: "kW", digits: 2, better: "lower", value: (o) => o.totalPowerKw },
  { key: "energy", label: "Energy per m³", unit: "kWh/m³", digits: 3, better: "lower", value: (o) => o.specificEnergyKwhM3 },
];

export interface FigureRow {
  key: string;
  label: string;
  unit: string;
  text: string;
  /** the change against the reference ("now"), e.g. "+1.2"; null when equal or not comparable */
  delta: string | null;
  /** "good" | "bad" | "neutral" for the change, by the figure's `better` */
  tone: "good" | "bad" | "neutral";
}

export function formatNumber(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The figures of `outcome`, each with its change against `reference` (the unit as it runs now). */
export function figureRows(outcome: UnitOutcome, reference: UnitOutcome | null): FigureRow[] {
  return FIGURES.map((f) => {
    const v = f.value(outcome);
    const r = reference ? f.value(reference) : null;
    let delta: string | null = null;
    let tone: FigureRow["tone"] = "neutral";
    if (v !== null && r !== null && Number.isFinite(v) && Number.isFinite(r)) {
      const d = v - r;
      const shown = formatNumber(Math.abs(d), f.digits);
      if (Number(shown.replace(/,/g, "")) !== 0) {
        delta = `${d > 0 ? "+" : "−"}${shown}`;
        if (f.better) tone = (d > 0) === (f.better === "higher") ? "good" : "bad";
      }
    }
    return { key: f.key, label: f.label, unit: f.unit, text: formatNumber(v, f.digits), delta, tone };
  });
}

export const OFF_SPEC_TEXT: Record<OffSpecReason, string> = {
  lamp_off: "the UV lamp is off",
  warming_up: "the lamp is still warming up",
  sensor_below_setpoint: "the UV sensor reads below its validated setpoint",
  dose_below_required: "the validated dose is below the required dose",
  flow_above_max: "the flow is above the validated maximum",
  uvt_below_min: "the UVT is below the validated minimum",
};

export interface Verdict {
  onSpec: boolean;
  title: string;
  detail: string;
}

/** One sentence a manager can act on: is the water treated within validated conditions? */
export function complianceVerdict(outcome: UnitOutcome, requiredDose: number): Verdict {
  if (outcome.flowM3h <= 1e-6) {
    return { onSpec: true, title: "No water delivered", detail: outcome.deadHead ? "The pump cannot overcome the static head at this speed." : "The pump is stopped." };
  }
  if (outcome.compliance.onSpec) {
    const ratio = outcome.compliance.doseRatio;
    return {
      onSpec: true,
      title: "Within validated conditions",
      detail: ratio === null ? "" : `Dose ${formatNumber(outcome.uv.validatedDoseMjCm2, 1)} mJ/cm², ${formatNumber(ratio * 100, 0)} % of the required ${formatNumber(requiredDose, 0)}.`,
    };
  }
  const reasons = outcome.compliance.reasons.map((r) => OFF_SPEC_TEXT[r]);
  const sentence = reasons.join("; ");
  return { onSpec: false, title: "Off-spec: this water would count against the 5 % monthly budget", detail: sentence.charAt(0).toUpperCase() + sentence.slice(1) + "." };
}

export type ComponentLevel = "ok" | "watch" | "warning" | "critical" | "idle";

export interface ComponentState {
  level: ComponentLevel;
  reasons: string[];
}

export interface TwinAlertLike {
  severity: string;
  message: string;
  component: string | null;
}

export interface TwinPredictionLike {
  kind: string;
  score: number;
  rulHours: number | null;
  component: string | null;
}

const LEVEL_RANK: Record<ComponentLevel, number> = { ok: 0, idle: 1, watch: 2, warning: 3, critical: 4 };

function raise(map: Map<string, ComponentState>, code: string, level: ComponentLevel, reason: string) {
  const s = map.get(code) ?? { level: "ok", reasons: [] };
  if (LEVEL_RANK[level] > LEVEL_RANK[s.level]) s.level = level;
  s.reasons.push(reason);
  map.set(code, s);
}

/** Failure risk at or above this is shown as "watch" on the component (the model acts from 50 %). */
export const RISK_WATCH = 0.5;
/** Remaining life below two weeks is shown as "watch". */
export const RUL_WATCH_HOURS = 14 * 24;

/**
 * The state each component of the 3D model shows: open alerts (critical → red, major → orange,
 * others → amber), predictions (amber) and what the physics says at the shown levers (filters at
 * terminal ΔP, an off-spec reactor, a dead-headed pump). System-level alerts go on the controller.
 */
export function componentStates(input: {
  codes: readonly string[];
  alerts: readonly TwinAlertLike[];
  predictions: readonly TwinPredictionLike[];
  outcome: UnitOutcome;
  filterCodes: readonly string[];
  lampCodes: readonly string[];
}): Map<string, ComponentState> {
  const map = new Map<string, ComponentState>();
  for (const code of input.codes) map.set(code, { level: "ok", reasons: [] });
  for (const a of input.alerts) {
    const level: ComponentLevel = a.severity === "critical" ? "critical" : a.severity === "major" ? "warning" : "watch";
    raise(map, a.component && map.has(a.component) ? a.component : "plc-1", level, a.message);
  }
  for (const p of input.predictions) {
    if (!p.component || !map.has(p.component)) continue;
    if (p.kind === "failure_risk" && p.score >= RISK_WATCH) raise(map, p.component, "watch", `Failure risk ${formatNumber(p.score * 100, 0)} % within 7 days`);
    if (p.rulHours !== null && p.rulHours < RUL_WATCH_HOURS) raise(map, p.component, "watch", `About ${formatNumber(p.rulHours / 24, 0)} days of life left`);
  }
  const o = input.outcome;
  o.filters.forEach((f, i) => {
    const code = input.filterCodes[i];
    if (code && f.atTerminal) raise(map, code, "warning", `ΔP ${formatNumber(f.dpBar, 2)} bar: at its terminal ΔP, change or backwash`);
  });
  if (o.deadHead) raise(map, "pump-1", "warning", "Dead head: the pump cannot overcome the static head");
  else if (o.belowMinFlow && o.flowM3h > 0) raise(map, "pump-1", "watch", "Below the pump's minimum continuous flow");
  if (!o.uv.lampsOn) {
    for (const code of input.lampCodes) raise(map, code, "idle", "Lamp off");
  }
  if (o.flowM3h > 1e-6 && !o.compliance.onSpec) {
    raise(map, "uv-1", "critical", `Off-spec: ${o.compliance.reasons.map((r) => OFF_SPEC_TEXT[r]).join("; ")}`);
  }
  if (o.speed === 0) raise(map, "pump-1", "idle", "Stopped");
  return map;
}

/** The short value pinned on a component in the 3D view. */
export function componentLabel(code: string, outcome: UnitOutcome, filterCodes: readonly string[]): string | null {
  if (code === "pump-1") return `${formatNumber(outcome.flowM3h, 1)} m³/h · ${formatNumber(outcome.dischargePressureBar, 1)} bar`;
  const fi = filterCodes.indexOf(code);
  if (fi >= 0) return `ΔP ${formatNumber(outcome.filters[fi]?.dpBar ?? null, 2)} bar`;
  if (code === "uv-1") return outcome.uv.validatedDoseMjCm2 === null ? `${formatNumber(outcome.uv.sensorIntensityWm2, 0)} W/m²` : `${formatNumber(outcome.uv.validatedDoseMjCm2, 0)} mJ/cm²`;
  if (code === "motor-1") return `${formatNumber(outcome.pumpPowerKw, 2)} kW`;
  return null;
}

export const LEVEL_COLOURS: Record<ComponentLevel, string | null> = {
  ok: null,
  idle: "#64748b",
  watch: "#f59e0b",
  warning: "#f97316",
  critical: "#dc2626",
};
