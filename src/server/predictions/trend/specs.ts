/**
 * Degradation models that follow a slow trend of one telemetry series towards a limit and say when
 * it will be reached (remaining life) and how likely that is within a horizon (failure risk): the
 * physics of domain.md made operational. Pure data; forecast.ts fits the trend, run-predictions.ts
 * scores every matching component and the workflow acts on the result.
 *
 * - Cartridge filter ΔP (domain.md §3.1–3.2): change at ≈ 1 bar terminal ΔP. ΔP grows roughly
 *   exponentially with the deposited mass, so the trend is fitted on log(ΔP); ΔP ∝ Q·μ(T), so each
 *   hour is first normalised to the system's reference flow and 20 °C, or a cold day or a busy hour
 *   would look like clogging.
 * - UV intensity (§1.5): lamp ageing and sleeve fouling lower the sensor's reading until it falls
 *   below the validated setpoint (the system's operating limit for uv_intensity): off-spec water.
 *   Only hours with water flowing count.
 * - Pump vibration (§2.4, ISO 10816-3 class I): bearing wear raises RMS velocity; alarm at the C/D
 *   boundary, 4.5 mm/s. Only hours with the pump running count.
 */
import type { ComponentType, Priority } from "@/generated/prisma/enums";

export type TrendDirection = "rising" | "falling";

/** One hourly value of the watched series (the hour's mean), after normalisation. */
export interface TrendSample {
  /** epoch ms of the hour's start */
  t: number;
  v: number;
}

export interface ForecastOptions {
  limit: number;
  direction: TrendDirection;
  /** epoch ms: the fitted level and the remaining life are as of this time */
  now: number;
  horizonHours: number;
  /** "log": fit log(v) (exponential growth or decay); needs v > 0 */
  transform?: "linear" | "log";
  /** fewer usable hours than this: no forecast (default 24) */
  minPoints?: number;
  /** a shorter span of time than this: no forecast (default 48 h) */
  minSpanHours?: number;
  /** two-sided confidence of the slope interval (default 0.9) */
  confidence?: number;
}

export type Forecast =
  | {
      ok: false;
      /** for people: "only 10 hourly values in the last 14 days; 24 are needed" */
      reason: string;
      points: number;
    }
  | {
      ok: true;
      points: number;
      spanHours: number;
      /** the fitted value at `now`, in the metric's unit */
      level: number;
      /** rate of change at `now`, metric units per day (for "log": the derivative at now) */
      slopePerDay: number;
      /** the slope's confidence interval at `now` (metric units per day) */
      slopeLowPerDay: number;
      slopeHighPerDay: number;
      limit: number;
      direction: TrendDirection;
      /** the fitted level is already at or past the limit */
      alreadyPast: boolean;
      /** hours from `now` until the limit at the fitted slope: 0 when already past, null when the trend does not head to the limit */
      rulHours: number | null;
      /** the earliest and latest crossing within the slope's interval (null: never at that bound) */
      rulLowHours: number | null;
      rulHighHours: number | null;
      /** probability (0..1) that the limit is reached within `horizonHours` */
      riskWithinHorizon: number;
      horizonHours: number;
      /** robust spread of the values around the trend (metric units, or log units for "log") */
      residualSd: number;
    };

export type LimitSource =
  | { kind: "fixed"; value: number; source: string }
  /** the system's validated operating limit for the metric (operating_limit.min or .max) */
  | { kind: "operating_limit"; bound: "min" | "max"; fallback: number; source: string };

export interface DegradationSpec {
  /** the model's key in predictive_model (with `version`) */
  key: string;
  version: number;
  name: string;
  /** components of these types are scored, on the series of `metric` they (or their system) report */
  componentTypes: ComponentType[];
  metric: string;
  direction: TrendDirection;
  limit: LimitSource;
  transform: "linear" | "log";
  /** flow/temperature normalisation of filter ΔP (see the module comment) */
  normalise: "filter_dp_flow_temperature" | null;
  /** only hours when this series' hourly minimum was above the value count (unit running) */
  runningOnly: { metric: string; above: number } | null;
  /** days of hourly rollups the trend is fitted on */
  windowDays: number;
  horizonHours: number;
  /** act (predictive work order + parts) when the remaining life is at most this, or the risk at least that */
  actWhen: { rulHoursAtMost: number; riskAtLeast: number };
  workOrder: { title: string; priority: Priority; checklist: string[] };
  /** request the component's bill-of-materials parts for the replacement */
  partsFromBom: boolean;
  /** after a dismissed (cancelled) predictive order for the same component and model, no new one for this long */
  cooldownDays: number;
}

export const DEGRADATION_SPECS: readonly DegradationSpec[] = [
  {
    key: "filter-dp-trend",
    version: 1,
    name: "Cartridge filter clogging (ΔP trend to terminal ΔP)",
    componentTypes: ["filter"],
    metric: "filter_dp",
    direction: "rising",
    limit: { kind: "fixed", value: 1.0, source: "domain.md §3.2: change cartridges at ≈ 1 bar (15 psi) terminal ΔP" },
    transform: "log",
    normalise: "filter_dp_flow_temperature",
    runningOnly: { metric: "flow_rate", above: 0.5 },
    windowDays: 14,
    horizonHours: 14 * 24,
    actWhen: { rulHoursAtMost: 7 * 24, riskAtLeast: 0.8 },
    workOrder: {
      title: "Replace filter cartridges before ΔP reaches 1 bar",
      priority: "medium",
      checklist: ["Isolate and depressurise the filter housing", "Replace the cartridges", "Check ΔP at normal flow after restart"],
    },
    partsFromBom: true,
    cooldownDays: 7,
  },
  {
    key: "uv-intensity-trend",
    version: 1,
    name: "UV intensity decline (lamp ageing, sleeve fouling) to the validated setpoint",
    componentTypes: ["uv_sensor"],
    metric: "uv_intensity",
    direction: "falling",
    limit: { kind: "operating_limit", bound: "min", fallback: 40, source: "the system's validated UV-intensity setpoint (operating limit)" },
    transform: "linear",
    normalise: null,
    // lamp_on reports only its changes (no hourly rollup in a steady hour): flowing water says the lamp is on
    runningOnly: { metric: "flow_rate", above: 0.5 },
    windowDays: 14,
    horizonHours: 14 * 24,
    actWhen: { rulHoursAtMost: 10 * 24, riskAtLeast: 0.8 },
    workOrder: {
      title: "Clean the quartz sleeve or replace the UV lamp before intensity falls below the validated setpoint",
      priority: "high",
      checklist: ["Clean the quartz sleeve and check the UV sensor window", "If intensity stays low, replace the lamp and reset the lamp-hour counter", "Confirm intensity above the setpoint at design flow"],
    },
    partsFromBom: true,
    cooldownDays: 3,
  },
  {
    key: "pump-vibration-trend",
    version: 1,
    name: "Pump bearing wear (vibration trend to ISO 10816-3 zone D)",
    componentTypes: ["pump", "motor"],
    metric: "vibration",
    direction: "rising",
    limit: { kind: "fixed", value: 4.5, source: "domain.md §2.4: ISO 10816-3 class I, C/D boundary 4.5 mm/s RMS" },
    transform: "linear",
    normalise: null,
    runningOnly: { metric: "pump_speed", above: 1 },
    windowDays: 14,
    horizonHours: 21 * 24,
    actWhen: { rulHoursAtMost: 14 * 24, riskAtLeast: 0.8 },
    workOrder: {
      title: "Inspect pump bearings: vibration is rising towards 4.5 mm/s",
      priority: "high",
      checklist: ["Measure vibration at the bearing housings", "Check alignment, mounting and lubrication", "Replace bearings if zone C/D is confirmed"],
    },
    partsFromBom: false,
    cooldownDays: 7,
  },
];
