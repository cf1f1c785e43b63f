// The measurement layer: which series a system reports, how often, with what noise, and how a
// faulty sensor distorts them. Values are clamped to the catalogue's valid range (the ingest
// rejects anything outside it) and rounded to the instrument's resolution.
import { BUILT_IN_METRICS } from "@/lib/metric-catalogue";
import type { SystemConfig } from "./config";
import { between, normal, uniform, type RngStream } from "./random";
import type { ProcessOutputs, SensorFault, SensorRuntime } from "./state";

/**
 * Sampling periods [ms]. Defaults: 10 s for flow, pressure, pump power and speed and UV intensity
 * (domain.md §4.1 suggests 1 s; 10 s keeps a 30-day backfill near 1.7 M readings per system);
 * 60 s for the slow signals (temperature, UVT, turbidity, filter ΔP, vibration, lamp status, UV
 * power, energy); 5 min for the lamp-hours counter.
 */
export interface SamplingOptions {
  fastMs: number;
  slowMs: number;
  counterMs: number;
}

export const DEFAULT_SAMPLING: SamplingOptions = { fastMs: 10_000, slowMs: 60_000, counterMs: 300_000 };

export type SeriesClass = keyof SamplingOptions;

type DriftKind = "gain" | "offset";

export interface SeriesDef {
  metric: string;
  component?: string;
  cls: SeriesClass;
  /** The sensor component whose faults apply, or null (derived or VFD-reported values). */
  sensor: string | null;
  read(out: ProcessOutputs): number;
  /** Gaussian noise σ = rel·|value| + abs. */
  noise: { rel: number; abs: number };
  decimals: number;
  min: number;
  max: number;
  /** How a drift fault acts and the size of a spike, in metric units. */
  drift: DriftKind;
  spikeScale: number;
  /** Readings below this read exactly 0 (a flow meter's low-flow cut-off). */
  zeroBelow?: number;
  /** Also report at the step where the value changes (lamp status). */
  onChange?: boolean;
}

const RANGES = new Map(BUILT_IN_METRICS.map((m) => [m.key, m]));

function def(metric: string, rest: Omit<SeriesDef, "metric" | "min" | "max">): SeriesDef {
  const range = RANGES.get(metric);
  if (!range) throw new Error(`metric ${metric} is not in the built-in catalogue`);
  return { metric, min: range.min, max: range.max, ...rest };
}

/** The series one system reports; only for components it has. */
export function buildSeries(config: SystemConfig): SeriesDef[] {
  const s = config.sensors;
  const out: SeriesDef[] = [];
  if (s.flow) out.push(def("flow_rate", { component: s.flow, cls: "fastMs", sensor: s.flow, read: (o) => o.flowM3h, noise: { rel: 0.005, abs: 0.005 }, decimals: 3, drift: "gain", spikeScale: 8, zeroBelow: 0.02 }));
  if (s.pressure) out.push(def("pump_pressure", { component: s.pressure, cls: "fastMs", sensor: s.pressure, read: (o) => o.pressureBar, noise: { rel: 0.003, abs: 0.004 }, decimals: 3, drift: "gain", spikeScale: 4 }));
  if (config.pump) {
    out.push(def("power", { component: config.pump, cls: "fastMs", sensor: null, read: (o) => o.pumpPowerKw, noise: { rel: 0.005, abs: 0.002 }, decimals: 3, drift: "gain", spikeScale: 1 }));
    out.push(def("pump_speed", { component: config.pump, cls: "fastMs", sensor: null, read: (o) => o.speedPct, noise: { rel: 0, abs: 0.05 }, decimals: 1, drift: "gain", spikeScale: 10 }));
  }
  if (s.uvIntensity) out.push(def("uv_intensity", { component: s.uvIntensity, cls: "fastMs", sensor: s.uvIntensity, read: (o) => o.uvIntensityWm2, noise: { rel: 0.01, abs: 0.05 }, decimals: 2, drift: "gain", spikeScale: 80 }));
  config.filters.forEach((f, i) => {
    out.push(def("filter_dp", { component: f.code, cls: "slowMs", sensor: null, read: (o) => o.filterDpBar[i] ?? 0, noise: { rel: 0.01, abs: 0.003 }, decimals: 3, drift: "offset", spikeScale: 0.5 }));
  });
  const vibrationOn = config.motor ?? config.pump;
  if (vibrationOn) out.push(def("vibration", { component: vibrationOn, cls: "slowMs", sensor: null, read: (o) => o.vibrationMmS, noise: { rel: 0.06, abs: 0.01 }, decimals: 3, drift: "gain", spikeScale: 3 }));
  if (config.reactor && config.lamps.length > 0) out.push(def("power", { component: config.reactor, cls: "slowMs", sensor: null, read: (o) => o.uvPowerKw, noise: { rel: 0.005, abs: 0.001 }, decimals: 3, drift: "gain", spikeScale: 0.1 }));
  if (s.temperature) out.push(def("water_temperature", { component: s.temperature, cls: "slowMs", sensor: s.temperature, read: (o) => o.waterTempC, noise: { rel: 0, abs: 0.05 }, decimals: 2, drift: "offset", spikeScale: 30 }));
  if (s.turbidity) out.push(def("turbidity", { component: s.turbidity, cls: "slowMs", sensor: s.turbidity, read: (o) => o.turbidityNtu, noise: { rel: 0.02, abs: 0.005 }, decimals: 3, drift: "offset", spikeScale: 15 }));
  if (s.uvt) out.push(def("uvt", { component: s.uvt, cls: "slowMs", sensor: s.uvt, read: (o) => o.uvtPct, noise: { rel: 0, abs: 0.15 }, decimals: 2, drift: "offset", spikeScale: 30 }));
  config.lamps.forEach((lamp, i) => {
    out.push(def("lamp_on", { component: lamp.code, cls: "slowMs", sensor: null, read: (o) => o.lampOn[i] ?? 0, noise: { rel: 0, abs: 0 }, decimals: 0, drift: "offset", spikeScale: 0, onChange: true }));
    out.push(def("lamp_hours", { component: lamp.code, cls: "counterMs", sensor: null, read: (o) => o.lampHours[i] ?? 0, noise: { rel: 0, abs: 0 }, decimals: 2, drift: "offset", spikeScale: 0 }));
  });
  out.push(def("energy", { cls: "slowMs", sensor: null, read: (o) => o.energyKwh, noise: { rel: 0, abs: 0 }, decimals: 3, drift: "offset", spikeScale: 0 }));
  return out;
}

/** Drift rate per day for a new drift fault on this series (sign included). */
export function driftRate(series: SeriesDef, rng: RngStream): number {
  switch (series.metric) {
    case "water_temperature":
      return (uniform(rng) < 0.5 ? -1 : 1) * between(rng, 0.05, 0.2); // °C/day
    case "turbidity":
      return between(rng, 0.01, 0.05); // NTU/day: fouled optics read high
    case "uvt":
      return -between(rng, 0.2, 0.8); // %UVT/day: fouled cell reads low
    case "uv_intensity":
      return -between(rng, 0.005, 0.02); // relative/day: calibration loss reads low
    default:
      return (uniform(rng) < 0.5 ? -1 : 1) * between(rng, 0.005, 0.02); // relative/day
  }
}

const DRIFT_CAP: Record<DriftKind, number> = { gain: 0.4, offset: Infinity };
const OFFSET_CAP: Record<string, number> = { water_temperature: 3, turbidity: 1, uvt: 10 };

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r; // no -0 in JSON
}

function applyFault(series: SeriesDef, fault: SensorFault, value: number, ts: number, rng: RngStream): number | null {
  switch (fault.mode) {
    case "sensor_drift": {
      const days = Math.max(0, ts - fault.startMs) / 86_400_000;
      if (series.drift === "gain") {
        const g = Math.max(-DRIFT_CAP.gain, Math.min(DRIFT_CAP.gain, fault.rate * days));
        return value * (1 + g);
      }
      const cap = OFFSET_CAP[series.metric] ?? Infinity;
      return value + Math.max(-cap, Math.min(cap, fault.rate * days));
    }
    case "sensor_stuck":
      if (fault.stuckValue === null) fault.stuckValue = fault.dead ? series.min : value;
      return fault.stuckValue;
    case "sensor_spikes":
      if (uniform(rng) < fault.probability) return value + (uniform(rng) < 0.5 ? -1 : 1) * between(rng, 0.3, 1) * series.spikeScale;
      return value;
    case "sensor_dropout":
      return uniform(rng) < fault.probability ? null : value;
  }
}

/**
 * One measured value for a series at `ts`: noise, static calibration, an active fault, the
 * low-flow cut-off, clamping to the valid range and rounding. null = no reading (dropout).
 */
export function measure(series: SeriesDef, sensor: SensorRuntime | null, trueValue: number, ts: number, rng: RngStream): number | null {
  let value = trueValue;
  const sigma = series.noise.rel * Math.abs(value) + series.noise.abs;
  if (sigma > 0) value += sigma * normal(rng);
  if (sensor) {
    value = series.drift === "gain" ? value * sensor.gain : value + sensor.offset;
    if (sensor.fault && ts >= sensor.fault.startMs && ts < sensor.fault.endMs) {
      const faulty = applyFault(series, sensor.fault, value, ts, rng);
      if (faulty === null) return null;
      value = faulty;
    }
  }
  if (series.zeroBelow !== undefined && Math.abs(value) < series.zeroBelow) value = 0;
  return round(Math.min(series.max, Math.max(series.min, value)), series.decimals);
}

/** Nominal readings per second of one system's series at these sampling periods. */
export function nominalRate(series: readonly SeriesDef[], sampling: SamplingOptions): number {
  return series.reduce((sum, s) => sum + 1000 / sampling[s.cls], 0);
}

/** Sampling periods scaled so that the given series produce about `readingsPerSecond` in total. */
export function samplingForRate(series: readonly SeriesDef[], readingsPerSecond: number, base: SamplingOptions = DEFAULT_SAMPLING): SamplingOptions {
  if (!(readingsPerSecond > 0)) throw new RangeError("the reading rate must be positive");
  const factor = nominalRate(series, base) / readingsPerSecond;
  const scale = (ms: number) => Math.max(1, Math.round(ms * factor));
  return { fastMs: scale(base.fastMs), slowMs: scale(base.slowMs), counterMs: scale(base.counterMs) };
}
