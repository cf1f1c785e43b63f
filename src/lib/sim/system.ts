// One simulated treatment unit: initial state, one process step (environment -> events ->
// control -> physics -> integration) and the emission of due readings. Degradation and failure
// injection follow domain.md §7; every injected or natural event is labelled with ground truth.
import {
  filterDpBar,
  headToBar,
  lampUvcPower,
  massForResistanceFactor,
  sensorIntensityWm2,
  solveHydraulics,
  speedForFlow,
  type Levers,
  type UnitParams,
} from "@/lib/physics";
import type { SystemConfig } from "./config";
import { demand, initialEnv, localHour, rawTurbidity, stepEnv, tssFromTurbidity, waterTemperature, waterUvt } from "./environment";
import { between, createStream, exponential, hashUniform, normal, seedFrom, uniform, weibullRemaining, weighted, type RngStream } from "./random";
import { driftRate, measure, type SamplingOptions, type SeriesDef } from "./series";
import type { FilterRuntime, InjectionRequest, LampRuntime, PlannedFailure, PumpFailureMode, SensorFaultMode, SensorRuntime, SystemState } from "./state";
import type { FailureMode, LabelSeverity, MaintenanceMode, SimLabel, SimSink } from "./types";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** "Never" that survives JSON (Infinity does not). */
export const NEVER = Number.MAX_SAFE_INTEGER;

// Control (estimates): tank hysteresis; the lamp strikes before the pump [S20], and the pump waits
// until the lamp is warm (its UV output at 95 %, the permissive a validated controller gives before
// water flows: about 3 warm-up time constants, at least 2 min; an amalgam lamp ≈ 9 min), so a start
// sends no water through a cold reactor; the lamp goes off after 8 min without flow (no-flow
// overheating, §1.5; the alarm table warns at 10 min).
const LEVEL_LOW = 0.35;
const LEVEL_HIGH = 0.92;
const LAMP_PRESTART_MS = 2 * 60_000;
const LAMP_OFF_AFTER_MS = 8 * 60_000;
/** Warm-up factor 1 − e^(−t/τ) reaches 0.95 at t = τ·ln 20. */
function prestartMs(lamp: { warmupTauMin: number }): number {
  return Math.max(LAMP_PRESTART_MS, Math.ceil(lamp.warmupTauMin * Math.log(20) * 60_000));
}
/** Life lost per lamp start [h] (domain.md §7: 0.5–2 h, estimate). */
const LAMP_START_PENALTY_H = 1;
const MIN_SPEED = 0.3;

// Reliability (domain.md §2.5; η for bearings and the progression windows are estimates).
const WEIBULL = {
  seal: { beta: 1.4, eta: 25_000 },
  bearing: { beta: 1.3, eta: 40_000 },
  lampBeta: 4,
  lampEtaFactor: 1.1,
  ballast: { beta: 1, eta: 50_000 },
  sensor: { beta: 1, eta: 20_000 },
} as const;
const PROGRESSION_DAYS: Record<PumpFailureMode, [number, number]> = { seal_leak: [14, 42], bearing_wear: [21, 56], impeller_wear: [30, 90] };

/** Relative frequency of injected failure modes (loosely after the §2.4 shares). */
export const INJECTION_WEIGHTS: Readonly<Record<InjectionRequest["mode"], number>> = {
  seal_leak: 0.18,
  bearing_wear: 0.18,
  impeller_wear: 0.06,
  lamp_burnout: 0.12,
  ballast_failure: 0.07,
  filter_clog: 0.12,
  sensor_fault: 0.22,
  sleeve_water_ingress: 0.05,
};

const SENSOR_FAULT_WEIGHTS: Record<SensorFaultMode, number> = { sensor_drift: 0.35, sensor_stuck: 0.2, sensor_spikes: 0.25, sensor_dropout: 0.2 };

export interface SimulationOptions {
  /** Scales natural hazards (1 = the §2.5 Weibull parameters). */
  hazardMultiplier: number;
  /** Injected failures per system per 30 days (Poisson; 0 = natural failures only). */
  injectedFailuresPerMonth: number;
}

export interface SystemContext {
  index: number;
  cfg: SystemConfig;
  series: SeriesDef[];
  /** For each series, the index of its sensor in state.sensors, or -1. */
  seriesSensor: number[];
  sampling: SamplingOptions;
  options: SimulationOptions;
  seed: number | string;
}

// ---------------------------------------------------------------------------------------------
// Labels

const iso = (ms: number) => new Date(ms).toISOString();

interface LabelInput {
  component: string;
  mode: FailureMode | MaintenanceMode;
  kind: SimLabel["kind"];
  severity: LabelSeverity;
  injected: boolean;
  startMs: number;
  failureAtMs?: number;
  endMs?: number;
  failureCode?: string;
  cause?: string;
  remedy?: string;
  details?: SimLabel["details"];
}

function openLabel(ctx: SystemContext, st: SystemState, sink: SimSink, input: LabelInput): string {
  const id = `${ctx.cfg.code}/${input.component}/${input.mode}/${input.startMs}`;
  const label: SimLabel = {
    id,
    system: ctx.cfg.code,
    component: input.component,
    mode: input.mode,
    kind: input.kind,
    severity: input.severity,
    injected: input.injected,
    ...(input.failureCode ? { failureCode: input.failureCode } : {}),
    ...(input.cause ? { cause: input.cause } : {}),
    ...(input.remedy ? { remedy: input.remedy } : {}),
    start: iso(input.startMs),
    ...(input.failureAtMs !== undefined ? { failureAt: iso(input.failureAtMs) } : {}),
    ...(input.endMs !== undefined ? { end: iso(input.endMs) } : {}),
    ...(input.details ? { details: input.details } : {}),
  };
  if (input.endMs === undefined) st.labels[id] = label;
  sink.label({ ...label });
  return id;
}

function closeLabel(st: SystemState, sink: SimSink, id: string | null, endMs: number, details?: SimLabel["details"]): void {
  if (!id) return;
  const label = st.labels[id];
  if (!label) return;
  delete st.labels[id];
  sink.label({ ...label, end: iso(endMs), ...(details ? { details: { ...label.details, ...details } } : {}) });
}

function maintenance(ctx: SystemContext, st: SystemState, sink: SimSink, component: string, mode: MaintenanceMode, t: number, details?: SimLabel["details"]): void {
  openLabel(ctx, st, sink, {
    component,
    mode,
    kind: "maintenance",
    severity: "incipient",
    injected: false,
    startMs: t,
    endMs: t,
    remedy: mode === "sleeve_cleaning" ? "CLN" : mode === "sensor_recalibration" ? "ADJ" : "RPL",
    details,
  });
}

// ---------------------------------------------------------------------------------------------
// Initial state

function sampleLampLife(rng: RngStream, ratedLifeH: number, effectiveAgeH: number, m: number): number {
  return effectiveAgeH + weibullRemaining(rng, WEIBULL.lampBeta, WEIBULL.lampEtaFactor * ratedLifeH, effectiveAgeH, m);
}

/** The latest time ≤ t in the series origin + (k + phase)·period, k ≥ 0 (else origin). */
function lastCycle(origin: number, period: number, phase: number, t: number): number {
  const k = Math.floor((t - origin) / period - phase);
  return k < 0 ? origin : origin + (k + phase) * period;
}

function pumpFailure(mode: PumpFailureMode, onsetMs: number, failAtMs: number, rng: RngStream, injected: boolean): PlannedFailure {
  const failAt = Math.round(failAtMs);
  const lockAtMs = mode === "seal_leak" ? Math.round(failAt + between(rng, 1, 6) * HOUR) : failAt;
  return { mode, onsetMs: Math.round(onsetMs), failAtMs: failAt, lockAtMs, endMs: null, injected, labelId: null };
}

function naturalPumpFailure(ctx: SystemContext, mode: "seal_leak" | "bearing_wear", from: number, ageH: number, rng: RngStream): PlannedFailure {
  const w = mode === "seal_leak" ? WEIBULL.seal : WEIBULL.bearing;
  const failAt = from + weibullRemaining(rng, w.beta, w.eta, ageH, ctx.options.hazardMultiplier) * HOUR;
  const [lo, hi] = PROGRESSION_DAYS[mode];
  return pumpFailure(mode, failAt - between(rng, lo, hi) * DAY, failAt, rng, false);
}

function nextSensorFault(ctx: SystemContext, from: number, rng: RngStream): number {
  return from + exponential(rng, WEIBULL.sensor.eta / ctx.options.hazardMultiplier) * HOUR;
}

function nextInjection(ctx: SystemContext, from: number, rng: RngStream): number {
  const rate = ctx.options.injectedFailuresPerMonth;
  return rate > 0 ? from + exponential(rng, (30 * DAY) / rate) : NEVER;
}

/** Fresh state at `start`: wear parts, counters and pending failures as they would be after years of service. */
export function initSystemState(ctx: SystemContext, start: number): SystemState {
  const { cfg, seed } = ctx;
  const root = seedFrom(seed, cfg.code);
  const rng = { env: createStream(seedFrom(root, "env")), event: createStream(seedFrom(root, "event")), noise: createStream(seedFrom(root, "noise")) };
  const ev = rng.event;
  const anchor = (...keys: (string | number)[]) => hashUniform(seed, cfg.code, ...keys);
  const m = ctx.options.hazardMultiplier;
  const since = Math.max(0, start - cfg.commissionedAt);
  const running = cfg.status === "operating" || cfg.status === "commissioning";
  const onFraction = running ? 0.85 : 0.05;

  // Sleeves are cleaned quarterly (estimate) on a schedule anchored to commissioning.
  const sleevePeriod = 90 * DAY;
  const lastSleeveClean = lastCycle(cfg.commissionedAt, sleevePeriod, anchor("sleeve"), start);

  const lamps: LampRuntime[] = cfg.lamps.map((lamp, i) => {
    const cycle = (lamp.params.ratedLifeH / 0.85) * HOUR;
    const installed = lastCycle(cfg.commissionedAt, cycle, anchor("lamp", i), start);
    const hours = ((start - installed) / HOUR) * onFraction;
    const starts = Math.round((hours / 24) * 1.5);
    return {
      hours,
      starts,
      lifeH: sampleLampLife(ev, lamp.params.ratedLifeH, hours + starts * LAMP_START_PENALTY_H, m),
      spread: Math.min(1.15, Math.max(0.85, 1 + 0.05 * normal(ev))),
      on: running,
      onSinceMs: running ? start - HOUR : null,
      failed: null,
      failureLabelId: null,
      replaceAtMs: null,
      ballastFailAtMs: start + weibullRemaining(ev, WEIBULL.ballast.beta, WEIBULL.ballast.eta, 0, m) * HOUR,
      sleeveCleanMs: Math.max(installed, lastSleeveClean),
      ingress: null,
    };
  });

  const env = initialEnv(rng.env);
  const meanTemp = cfg.climate.waterTempMeanC;
  const meanFlow = cfg.demandFraction * cfg.ratedFlowM3h * onFraction;
  let tss = tssFromTurbidity(cfg.climate.rawTurbidityNtu) * 1.3; // rain adds about a third on average
  const filters: FilterRuntime[] = cfg.filters.map((f, j) => {
    const massPerDay = (f.captureFraction * tss * meanFlow * 24) / 1000;
    tss *= 1 - f.captureFraction;
    // Terminal ΔP is judged at the highest running flow (refilling the tank).
    const terminalFactor = f.params.dpTerminalBar / Math.max(1e-6, filterDpBar(f.params.rf0, 0.95 * cfg.maxFlowM3h, meanTemp));
    const terminalMass = massForResistanceFactor(f.params, terminalFactor);
    const maxAgeMs = between(ev, 180, 365) * DAY;
    if (f.kind === "media") {
      const backwashed = start - anchor("backwash", j) * 72 * HOUR;
      return { massKg: anchor("media", j) * 0.8 * terminalMass, installedMs: cfg.commissionedAt, maxAgeMs: NEVER, replaceAtMs: null, lastBackwashMs: backwashed, clogLabelId: null };
    }
    const cycle = Math.min(maxAgeMs, massPerDay > 0 ? (terminalMass / massPerDay) * DAY : maxAgeMs);
    const installed = lastCycle(cfg.commissionedAt, cycle, anchor("filter", j), start);
    return {
      massKg: Math.min(0.95 * terminalMass, (massPerDay * (start - installed)) / DAY),
      installedMs: installed,
      maxAgeMs,
      replaceAtMs: null,
      lastBackwashMs: installed,
      clogLabelId: null,
    };
  });

  const ageH = since / HOUR;
  const failures: PlannedFailure[] = [];
  if (cfg.pump) failures.push(naturalPumpFailure(ctx, "seal_leak", start, ageH, ev));
  if (cfg.motor) failures.push(naturalPumpFailure(ctx, "bearing_wear", start, ageH, ev));

  const sensorCodes = [...new Set(Object.values(cfg.sensors).filter((c): c is string => c !== null))];
  const sensors: SensorRuntime[] = sensorCodes.map((code) => ({
    code,
    nextFaultMs: nextSensorFault(ctx, start, ev),
    fault: null,
    gain: 1 + 0.003 * normal(ev),
    offset: code === cfg.sensors.temperature ? 0.15 * normal(ev) : code === cfg.sensors.uvt ? 0.3 * normal(ev) : code === cfg.sensors.turbidity ? 0.005 * normal(ev) : 0,
  }));

  // Energy counter: average power since commissioning, estimated as pump energy per m³ at a
  // typical refill flow (about twice the mean demand) times the mean demand, plus lamps and
  // auxiliaries; from here on it is integrated exactly.
  const params = cfg.params;
  const meanDemand = running ? cfg.demandFraction * cfg.ratedFlowM3h : 0;
  const refillFlow = Math.min(0.95 * cfg.maxFlowM3h, Math.max(cfg.minFlowM3h, 2 * meanDemand));
  const typical = { waterTempC: meanTemp, uvtPct: 95, filters: cfg.filters.map(() => ({ resistanceFactor: 2 })) };
  const refill = solveHydraulics(params, { ...typical, speed: Math.min(1, speedForFlow(params, typical, refillFlow)) });
  const pumpKw = refill.pumpSpecificEnergyKwhM3 === null ? 0 : refill.pumpSpecificEnergyKwhM3 * Math.min(meanDemand, refill.flowM3h);
  const lampKw = cfg.lamps.reduce((sum, l) => sum + l.params.powerW / l.params.ballastEta, 0) / 1000;
  const avgKw = pumpKw + lampKw * onFraction + (cfg.status === "maintenance" ? 0 : params.auxiliaryPowerKw);

  const state: SystemState = {
    t: start,
    rng,
    env,
    tankLevel: between(ev, 0.4, 0.9),
    pumpOn: false,
    pumpOffSinceMs: start - HOUR,
    lockUntilMs: 0,
    speed: 0,
    baseVibration: between(ev, 0.5, 1.1),
    failures,
    lamps,
    filters,
    sensors,
    windowCleanMs: lastSleeveClean,
    nextSleeveCleanMs: lastSleeveClean + sleevePeriod * between(ev, 0.85, 1.15),
    nextInjectionMs: nextInjection(ctx, start, ev),
    energyKwh: avgKw * ageH,
    out: {
      flowM3h: 0,
      pressureBar: 0,
      pumpPowerKw: 0,
      uvPowerKw: 0,
      speedPct: 0,
      vibrationMmS: 0,
      waterTempC: meanTemp,
      turbidityNtu: 0,
      uvtPct: cfg.climate.uvtMeanPct,
      uvIntensityWm2: 0,
      filterDpBar: cfg.filters.map(() => 0),
      lampOn: cfg.lamps.map(() => 0),
      lampHours: lamps.map((l) => l.hours),
      energyKwh: 0,
      demandM3h: 0,
      tankLevel: 0,
    },
    series: ctx.series.map((s) => {
      const interval = ctx.sampling[s.cls];
      return { nextDue: Math.ceil(start / interval) * interval, lastTs: -1, last: -1 };
    }),
    labels: {},
    pendingInjections: [],
  };
  evaluate(ctx, state, 0);
  return state;
}

// ---------------------------------------------------------------------------------------------
// Events

function failLamp(ctx: SystemContext, st: SystemState, sink: SimSink, i: number, t: number, kind: "burnout" | "ballast", injected: boolean): void {
  const lamp = st.lamps[i];
  const cfgLamp = ctx.cfg.lamps[i];
  if (!lamp || !cfgLamp || lamp.failed) return;
  lamp.failed = kind;
  lamp.on = false;
  lamp.onSinceMs = null;
  const rng = st.rng.event;
  lamp.replaceAtMs = t + (kind === "burnout" ? between(rng, 4, 48) : between(rng, 24, 120)) * HOUR;
  lamp.failureLabelId = openLabel(ctx, st, sink, {
    component: kind === "ballast" && cfgLamp.ballast ? cfgLamp.ballast : cfgLamp.code,
    mode: kind === "burnout" ? "lamp_burnout" : "ballast_failure",
    kind: "failure",
    severity: "critical",
    injected,
    startMs: t,
    failureAtMs: t,
    failureCode: kind === "burnout" ? "LAF" : "BRD",
    cause: kind === "burnout" ? (injected ? "UNK" : "AGE") : "ELF",
    details: { lampHours: Math.round(lamp.hours) },
  });
}

function startSensorFault(ctx: SystemContext, st: SystemState, sink: SimSink, k: number, t: number, injected: boolean, forced?: SensorFaultMode): void {
  const sensor = st.sensors[k];
  if (!sensor || sensor.fault) return;
  const rng = st.rng.event;
  const drawn = weighted(rng, SENSOR_FAULT_WEIGHTS);
  const mode = forced ?? drawn;
  const seriesIndex = ctx.seriesSensor.indexOf(k);
  const series = ctx.series[seriesIndex];
  const hours =
    mode === "sensor_drift" ? between(rng, 5, 30) * 24 : mode === "sensor_stuck" ? between(rng, 2, 72) : mode === "sensor_spikes" ? between(rng, 1, 7) * 24 : between(rng, 0.2, 24);
  const dead = mode === "sensor_stuck" && uniform(rng) < 0.4;
  const rate = mode === "sensor_drift" && series ? driftRate(series, rng) : 0;
  const probability = mode === "sensor_spikes" ? between(rng, 0.01, 0.08) : mode === "sensor_dropout" ? between(rng, 0.5, 1) : 0;
  const endMs = Math.round(t + hours * HOUR);
  const critical = sensor.code === ctx.cfg.sensors.uvIntensity && (mode === "sensor_stuck" || mode === "sensor_dropout");
  const labelId = openLabel(ctx, st, sink, {
    component: sensor.code,
    mode,
    kind: "sensor_fault",
    severity: critical ? "critical" : mode === "sensor_spikes" ? "incipient" : "degraded",
    injected,
    startMs: t,
    failureAtMs: t,
    failureCode: mode === "sensor_drift" ? "DRF" : mode === "sensor_dropout" ? "BRD" : "ERO",
    cause: mode === "sensor_drift" ? "CAL" : "ELF",
    details: {
      ...(series ? { metric: series.metric } : {}),
      ...(mode === "sensor_drift" ? { driftPerDay: Number(rate.toPrecision(3)), driftKind: series?.drift ?? "gain" } : {}),
      ...(mode === "sensor_stuck" ? { stuckAt: dead ? "range minimum" : "last value" } : {}),
      ...(probability > 0 ? { probability: Number(probability.toFixed(3)) } : {}),
    },
  });
  sensor.fault = { mode, startMs: t, endMs, labelId, rate, stuckValue: null, dead, probability };
}

function activePumpFailure(st: SystemState, mode: PumpFailureMode, t: number): boolean {
  return st.failures.some((f) => f.mode === mode && f.onsetMs <= t);
}

function inject(ctx: SystemContext, st: SystemState, sink: SimSink, t: number, request?: InjectionRequest): void {
  const rng = st.rng.event;
  const cfg = ctx.cfg;
  const drawn = weighted(rng, INJECTION_WEIGHTS);
  const mode = request?.mode ?? drawn;
  const wanted = request?.component;
  const pick = <T>(items: T[]): T | undefined => items[Math.floor(uniform(rng) * items.length)];
  const lampMatches = (i: number) => !wanted || cfg.lamps[i]?.code === wanted || cfg.lamps[i]?.sleeve === wanted || cfg.lamps[i]?.ballast === wanted;
  switch (mode) {
    case "seal_leak":
    case "bearing_wear":
    case "impeller_wear": {
      const component = mode === "bearing_wear" ? cfg.motor : cfg.pump;
      if (!component || activePumpFailure(st, mode, t)) return;
      const [lo, hi] = PROGRESSION_DAYS[mode];
      const days = between(rng, lo, hi);
      st.failures.push(pumpFailure(mode, t, t + (request?.progressionDays ?? days) * DAY, rng, true));
      return;
    }
    case "lamp_burnout":
    case "ballast_failure": {
      const candidates = st.lamps.map((l, i) => i).filter((i) => !st.lamps[i]?.failed && lampMatches(i) && (mode === "lamp_burnout" || cfg.lamps[i]?.ballast));
      const i = pick(candidates);
      if (i !== undefined) failLamp(ctx, st, sink, i, t, mode === "lamp_burnout" ? "burnout" : "ballast", true);
      return;
    }
    case "filter_clog": {
      const filter = st.filters[0];
      const filterCfg = cfg.filters[0];
      if (!filter || !filterCfg || filter.clogLabelId || st.env.tssUntilMs > 0) return;
      const multiplier = between(rng, 8, 25);
      const days = between(rng, 1, 4);
      st.env.tssMultiplier = multiplier;
      st.env.tssUntilMs = t + days * DAY;
      filter.clogLabelId = openLabel(ctx, st, sink, {
        component: filterCfg.code,
        mode: "filter_clog",
        kind: "failure",
        severity: "degraded",
        injected: true,
        startMs: t,
        failureCode: "PLU",
        cause: "CLO",
        details: { solidsMultiplier: Number(multiplier.toFixed(1)), disturbanceDays: Number(days.toFixed(2)) },
      });
      return;
    }
    case "sensor_fault": {
      const k = pick(st.sensors.map((s, k) => k).filter((k) => !st.sensors[k]?.fault && (!wanted || st.sensors[k]?.code === wanted)));
      if (k !== undefined) startSensorFault(ctx, st, sink, k, t, true, request?.sensorFault);
      return;
    }
    case "sleeve_water_ingress": {
      const i = pick(st.lamps.map((l, i) => i).filter((i) => !st.lamps[i]?.ingress && !st.lamps[i]?.failed && lampMatches(i)));
      const lamp = i === undefined ? undefined : st.lamps[i];
      const lampCfg = i === undefined ? undefined : cfg.lamps[i];
      if (!lamp || !lampCfg) return;
      const delayMin = between(rng, 10, 15);
      const factor = between(rng, 0.4, 0.6);
      const endMs = t + between(rng, 2, 10) * DAY;
      const labelId = openLabel(ctx, st, sink, {
        component: lampCfg.sleeve ?? lampCfg.code,
        mode: "sleeve_water_ingress",
        kind: "failure",
        severity: "degraded",
        injected: true,
        startMs: t,
        failureCode: "FOU",
        cause: "INS",
        details: { dropAfterMin: Number(delayMin.toFixed(1)), outputFactor: Number(factor.toFixed(2)) },
      });
      lamp.ingress = { labelId, endMs, delayMin, factor };
      return;
    }
  }
}

function replaceFilter(ctx: SystemContext, st: SystemState, sink: SimSink, j: number, t: number, reason: string): void {
  const filter = st.filters[j];
  const filterCfg = ctx.cfg.filters[j];
  if (!filter || !filterCfg) return;
  maintenance(ctx, st, sink, filterCfg.code, "filter_replacement", t, { reason, massKg: Number(filter.massKg.toFixed(3)) });
  closeLabel(st, sink, filter.clogLabelId, t);
  filter.clogLabelId = null;
  filter.massKg = 0;
  filter.installedMs = t;
  filter.maxAgeMs = between(st.rng.event, 180, 365) * DAY;
  filter.replaceAtMs = null;
}

function handleEvents(ctx: SystemContext, st: SystemState, sink: SimSink, t: number): void {
  const cfg = ctx.cfg;
  const rng = st.rng.event;

  for (const request of st.pendingInjections.splice(0)) inject(ctx, st, sink, t, request);
  if (t >= st.nextInjectionMs) {
    inject(ctx, st, sink, t);
    st.nextInjectionMs = nextInjection(ctx, t, rng);
  }

  // Pump failures: onset (label) -> functional failure -> lock-out -> repair.
  for (const f of st.failures.slice()) {
    if (f.labelId === null && t >= f.onsetMs) {
      const component = (f.mode === "bearing_wear" ? cfg.motor : cfg.pump) ?? "pump-1";
      f.labelId = openLabel(ctx, st, sink, {
        component,
        mode: f.mode,
        kind: "failure",
        severity: f.mode === "impeller_wear" ? "degraded" : "critical",
        injected: f.injected,
        startMs: f.onsetMs,
        failureAtMs: f.failAtMs,
        failureCode: f.mode === "seal_leak" ? "ELP" : f.mode === "bearing_wear" ? "VIB" : "LOO",
        cause: f.mode === "bearing_wear" ? "FAT" : "WEA",
      });
    }
    if (f.endMs === null && t >= f.failAtMs) {
      const repairH = f.mode === "impeller_wear" ? between(rng, 24, 168) : between(rng, 12, 72);
      f.endMs = Math.round(Math.max(f.lockAtMs, f.failAtMs) + repairH * HOUR);
    }
    if (f.endMs !== null && f.mode !== "impeller_wear" && t >= f.lockAtMs && t < f.endMs) st.lockUntilMs = Math.max(st.lockUntilMs, f.endMs);
    if (f.endMs !== null && t >= f.endMs) {
      closeLabel(st, sink, f.labelId, f.endMs);
      // The repaired part is new: pending failures of this mode go, the natural clock restarts.
      st.failures = st.failures.filter((other) => other !== f && !(other.mode === f.mode && other.onsetMs > t));
      if (f.mode !== "impeller_wear") st.failures.push(naturalPumpFailure(ctx, f.mode, t, 0, rng));
    }
  }

  // Lamps and ballasts.
  for (let i = 0; i < st.lamps.length; i++) {
    const lamp = st.lamps[i]!;
    const lampCfg = cfg.lamps[i];
    if (!lampCfg) continue;
    if (!lamp.failed && lamp.hours + lamp.starts * LAMP_START_PENALTY_H >= lamp.lifeH) failLamp(ctx, st, sink, i, t, "burnout", false);
    if (!lamp.failed && t >= lamp.ballastFailAtMs) failLamp(ctx, st, sink, i, t, "ballast", false);
    if (!lamp.failed && lamp.replaceAtMs === null && lamp.hours >= lampCfg.params.ratedLifeH) lamp.replaceAtMs = t + between(rng, 0, 7) * DAY;
    if (lamp.replaceAtMs !== null && t >= lamp.replaceAtMs) {
      if (lamp.failed === "ballast") {
        lamp.ballastFailAtMs = t + weibullRemaining(rng, WEIBULL.ballast.beta, WEIBULL.ballast.eta, 0, ctx.options.hazardMultiplier) * HOUR;
      } else {
        maintenance(ctx, st, sink, lampCfg.code, "lamp_replacement", t, { reason: lamp.failed ? "burnout" : "rated life", lampHours: Math.round(lamp.hours), sleeveCleaned: true });
        lamp.hours = 0;
        lamp.starts = 0;
        lamp.lifeH = sampleLampLife(rng, lampCfg.params.ratedLifeH, 0, ctx.options.hazardMultiplier);
        lamp.spread = Math.min(1.15, Math.max(0.85, 1 + 0.05 * normal(rng)));
        lamp.sleeveCleanMs = t;
      }
      closeLabel(st, sink, lamp.failureLabelId, t);
      lamp.failureLabelId = null;
      lamp.failed = null;
      lamp.replaceAtMs = null;
    }
    if (lamp.ingress && t >= lamp.ingress.endMs) {
      closeLabel(st, sink, lamp.ingress.labelId, t);
      lamp.ingress = null;
    }
  }

  // Quarterly sleeve and sensor-window cleaning (also fixes a leaking sleeve seal).
  if (t >= st.nextSleeveCleanMs && cfg.lamps.length > 0) {
    for (const lamp of st.lamps) {
      lamp.sleeveCleanMs = t;
      if (lamp.ingress) closeLabel(st, sink, lamp.ingress.labelId, t);
      lamp.ingress = null;
    }
    st.windowCleanMs = t;
    maintenance(ctx, st, sink, cfg.lamps[0]?.sleeve ?? cfg.reactor ?? cfg.lamps[0]!.code, "sleeve_cleaning", t);
    st.nextSleeveCleanMs = t + 90 * DAY * between(rng, 0.85, 1.15);
  }

  // Filters: cartridges are changed at terminal ΔP (after a call-out delay) or at their maximum
  // age [F1]; media filters backwash at terminal ΔP or every 72 h, with a ripening spike [F8].
  for (let j = 0; j < st.filters.length; j++) {
    const filter = st.filters[j]!;
    const f = cfg.filters[j];
    if (!f) continue;
    const dp = st.out.filterDpBar[j] ?? 0;
    if (f.kind === "media") {
      if (dp >= f.params.dpTerminalBar || t - filter.lastBackwashMs >= 72 * HOUR) {
        filter.massKg *= 0.05;
        filter.lastBackwashMs = t;
        st.lockUntilMs = Math.max(st.lockUntilMs, t + 10 * 60_000);
        st.env.ripening = 3;
      }
      continue;
    }
    if (filter.replaceAtMs === null) {
      if (dp >= f.params.dpTerminalBar) filter.replaceAtMs = t + between(rng, 2, 72) * HOUR;
      else if (t - filter.installedMs >= filter.maxAgeMs) filter.replaceAtMs = t + between(rng, 0, 48) * HOUR;
    }
    if (filter.replaceAtMs !== null && t >= filter.replaceAtMs) replaceFilter(ctx, st, sink, j, t, dp >= f.params.dpTerminalBar * 0.95 ? "terminal ΔP" : "service age");
  }
  if (st.env.tssUntilMs > 0 && t >= st.env.tssUntilMs) {
    st.env.tssUntilMs = 0;
    const first = st.filters[0];
    // A clog that never reached terminal ΔP ends with the disturbance; otherwise at the change.
    if (first && first.replaceAtMs === null) {
      closeLabel(st, sink, first.clogLabelId, t);
      first.clogLabelId = null;
    }
  }

  // Sensors: natural faults (transducer Weibull β = 1) and their end (repair / recalibration).
  for (let k = 0; k < st.sensors.length; k++) {
    const sensor = st.sensors[k]!;
    if (sensor.fault && t >= sensor.fault.endMs) {
      closeLabel(st, sink, sensor.fault.labelId, sensor.fault.endMs);
      if (sensor.fault.mode === "sensor_drift") maintenance(ctx, st, sink, sensor.code, "sensor_recalibration", t);
      sensor.fault = null;
      sensor.nextFaultMs = nextSensorFault(ctx, t, rng);
    }
    if (!sensor.fault && t >= sensor.nextFaultMs) startSensorFault(ctx, st, sink, k, t, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Control, physics, integration

function control(ctx: SystemContext, st: SystemState, t: number): void {
  const { cfg } = ctx;
  let want: boolean;
  if (cfg.status === "maintenance") want = false;
  else if (cfg.status === "standby") {
    const h = localHour(t, cfg.climate.utcOffsetHours);
    want = h >= 10 && h < 10.25; // daily 15-minute exercise run (estimate)
  } else want = st.pumpOn ? st.tankLevel < LEVEL_HIGH : st.tankLevel < LEVEL_LOW;
  if (t < st.lockUntilMs) want = false;

  if (want) {
    // No working lamp: this controller only alarms (it does not stop production).
    let warm = true;
    for (let i = 0; i < st.lamps.length; i++) {
      const lamp = st.lamps[i]!;
      if (lamp.failed) continue;
      if (!lamp.on) {
        lamp.on = true;
        lamp.onSinceMs = t;
        lamp.starts += 1;
      }
      if (lamp.onSinceMs === null || t - lamp.onSinceMs < prestartMs(cfg.lamps[i]!.params)) warm = false;
    }
    if (!st.pumpOn && warm) st.pumpOn = true;
  } else {
    if (st.pumpOn) {
      st.pumpOn = false;
      st.pumpOffSinceMs = t;
    }
    if (t - st.pumpOffSinceMs >= LAMP_OFF_AFTER_MS) {
      for (const lamp of st.lamps) {
        lamp.on = false;
        lamp.onSinceMs = null;
      }
    }
  }
}

function filterLevers(st: SystemState): { massKg: number }[] {
  const out = new Array<{ massKg: number }>(st.filters.length);
  for (let j = 0; j < st.filters.length; j++) out[j] = { massKg: st.filters[j]!.massKg };
  return out;
}

const weeksBetween = (from: number, to: number) => Math.max(0, to - from) / (7 * DAY);

function progress(f: PlannedFailure, t: number): number {
  if (t < f.onsetMs) return 0;
  return Math.min(1, (t - f.onsetMs) / Math.max(1, f.failAtMs - f.onsetMs));
}

// Worn-pump parameters, quantised to 1e-4 so that results never depend on what was cached.
const wornParams = new WeakMap<SystemConfig, { wear: number; params: UnitParams }>();

function effectiveParams(cfg: SystemConfig, wear: number): UnitParams {
  const q = Math.round(wear * 1e4) / 1e4;
  if (q <= 0) return cfg.params;
  const cached = wornParams.get(cfg);
  if (cached && cached.wear === q) return cached.params;
  const p = cfg.params.pump;
  const params = { ...cfg.params, pump: { ...p, h0M: p.h0M * (1 - q), hBepM: p.hBepM * (1 - q), etaBep: p.etaBep * (1 - 1.5 * q) } };
  wornParams.set(cfg, { wear: q, params });
  return params;
}

/** Physics at st.t, outputs, and integration of the state over the step `dtMs` that ends at st.t. */
function evaluate(ctx: SystemContext, st: SystemState, dtMs: number): void {
  const { cfg } = ctx;
  const t = st.t;
  const climate = cfg.climate;
  const tempC = waterTemperature(st.env, climate, t);
  const uvt = waterUvt(st.env, climate, t);
  const raw = rawTurbidity(st.env, climate);
  const producing = cfg.status === "operating" || cfg.status === "commissioning";
  const demandM3h = producing ? demand(st.env, climate, t, cfg.demandFraction * cfg.ratedFlowM3h) : 0;

  let leak = 0;
  let bearing = 0;
  let impeller = 0;
  for (const f of st.failures) {
    const x = progress(f, t);
    if (f.mode === "seal_leak") leak = Math.max(leak, t >= f.failAtMs ? 0.15 : 0.02 * x * x);
    else if (f.mode === "bearing_wear") bearing = Math.max(bearing, x ** 3);
    else impeller = Math.max(impeller, x);
  }
  const years = Math.max(0, t - cfg.commissionedAt) / (365.25 * DAY);
  const wear = Math.min(0.05, 0.01 * years) + 0.12 * impeller;
  const params = effectiveParams(cfg, wear);
  const levers: Levers = {
    speed: 0,
    waterTempC: tempC,
    uvtPct: uvt,
    filters: filterLevers(st),
    leakM3h: leak * cfg.params.pump.qBepM3h,
  };

  let speed = 0;
  const speedSetpoint = st.setpoints?.pumpSpeedPct;
  if (st.pumpOn && speedSetpoint !== undefined) {
    // A speed setpoint from the platform: the VFD holds it while the pump runs; the tank's hysteresis
    // still starts and stops the pump.
    speed = speedSetpoint / 100;
  } else if (st.pumpOn) {
    const target =
      cfg.status === "standby"
        ? 0.4 * cfg.ratedFlowM3h
        : Math.min(0.95 * cfg.maxFlowM3h, Math.max(cfg.minFlowM3h, demandM3h * 1.05 + (LEVEL_HIGH - st.tankLevel) * cfg.tankVolumeM3));
    speed = Math.min(1, Math.max(MIN_SPEED, speedForFlow(params, levers, target)));
  }
  st.speed = speed;
  levers.speed = speed;
  const hyd = solveHydraulics(params, levers);

  // UV: each lamp's own age, start count, sleeve fouling and spread; the ballast's power level.
  const dimming = st.setpoints?.uvPowerPct === undefined ? 1 : st.setpoints.uvPowerPct / 100;
  let uvcMw = 0;
  let lampW = 0;
  for (let i = 0; i < st.lamps.length; i++) {
    const lamp = st.lamps[i]!;
    const lampCfg = cfg.lamps[i];
    if (!lampCfg || !lamp.on || lamp.failed) continue;
    const minutesOn = lamp.onSinceMs === null ? Infinity : (t - lamp.onSinceMs) / 60_000;
    const ingress = lamp.ingress && minutesOn > lamp.ingress.delayMin ? lamp.ingress.factor : 1;
    const r = lampUvcPower(
      lampCfg.params,
      { on: true, hours: lamp.hours, minutesOn, dimming, fouling: Math.exp(-climate.sleeveFoulingPerWeek * weeksBetween(lamp.sleeveCleanMs, t)), extraFactor: lamp.spread * ingress },
      tempC,
      params.uv.sleeveTransmittance,
    );
    uvcMw += r.uvcMw;
    lampW += r.electricalW;
  }
  const windowFactor = Math.exp(-climate.windowFoulingPerMonth * (weeksBetween(st.windowCleanMs, t) / 4.348));
  const intensity = sensorIntensityWm2(params.uv.geometry, uvcMw, uvt, windowFactor);

  const running = speed > 0;
  const pumpKw = running ? hyd.pumpPowerKw * (1 + 0.05 * bearing) : cfg.status === "maintenance" ? 0 : 0.01; // VFD standby
  const vibration = running ? st.baseVibration * speed ** 1.5 + 6 * bearing * speed ** 1.5 : 0.02;
  let pass = 1;
  for (const f of cfg.filters) pass *= 1 - f.captureFraction;
  const pressure = running ? hyd.dischargePressureBar : cfg.status === "maintenance" ? 0 : headToBar(params.hydraulics.hStaticM) * 0.9;

  // Integrate over the step that ends now.
  const dtH = dtMs / HOUR;
  if (dtH > 0) {
    st.tankLevel = Math.min(1, Math.max(0, st.tankLevel + ((hyd.flowM3h - demandM3h) * dtH) / cfg.tankVolumeM3));
    let tss = tssFromTurbidity(raw);
    for (let j = 0; j < st.filters.length; j++) {
      const capture = cfg.filters[j]?.captureFraction ?? 0;
      st.filters[j]!.massKg += (capture * tss * hyd.flowM3h * dtH) / 1000;
      tss *= 1 - capture;
    }
    for (const lamp of st.lamps) if (lamp.on && !lamp.failed) lamp.hours += dtH;
    st.energyKwh += (pumpKw + lampW / 1000 + (cfg.status === "maintenance" ? 0 : params.auxiliaryPowerKw)) * dtH;
  }

  const o = st.out;
  o.flowM3h = hyd.flowM3h;
  o.pressureBar = pressure;
  o.pumpPowerKw = pumpKw;
  o.uvPowerKw = lampW / 1000;
  o.speedPct = speed * 100;
  o.vibrationMmS = vibration;
  o.waterTempC = tempC;
  o.turbidityNtu = raw * pass * (1 + st.env.ripening);
  o.uvtPct = uvt;
  o.uvIntensityWm2 = intensity;
  for (let j = 0; j < hyd.filters.length; j++) o.filterDpBar[j] = hyd.filters[j]!.dpBar;
  for (let i = 0; i < st.lamps.length; i++) {
    const lamp = st.lamps[i]!;
    o.lampOn[i] = lamp.on && !lamp.failed ? 1 : 0;
    o.lampHours[i] = lamp.hours;
  }
  o.energyKwh = st.energyKwh;
  o.demandM3h = demandM3h;
  o.tankLevel = st.tankLevel;
}

/** Advances one process step of `dtMs` (environment -> events -> control -> physics). */
export function stepSystem(ctx: SystemContext, st: SystemState, sink: SimSink, dtMs: number): void {
  st.t += dtMs;
  stepEnv(st.env, ctx.cfg.climate, st.t, dtMs, st.rng.env);
  handleEvents(ctx, st, sink, st.t);
  control(ctx, st, st.t);
  evaluate(ctx, st, dtMs);
}

// ---------------------------------------------------------------------------------------------
// Readings

function emit(ctx: SystemContext, st: SystemState, sink: SimSink, i: number, ts: number, trueValue: number): void {
  const def = ctx.series[i]!;
  const rt = st.series[i]!;
  if (ts <= rt.lastTs) return;
  const sensor = st.sensors[ctx.seriesSensor[i] ?? -1] ?? null;
  const value = measure(def, sensor, trueValue, ts, st.rng.noise);
  if (value === null) return;
  rt.lastTs = ts;
  rt.last = value;
  sink.reading(ctx.index, def.component === undefined ? { metric: def.metric, value, ts } : { metric: def.metric, component: def.component, value, ts });
}

/** Emits every reading due at or before `limit` from the current state (sample and hold). */
export function emitDue(ctx: SystemContext, st: SystemState, sink: SimSink, limit: number): void {
  for (let i = 0; i < ctx.series.length; i++) {
    const rt = st.series[i]!;
    if (rt.nextDue > limit) continue;
    const def = ctx.series[i]!;
    const interval = ctx.sampling[def.cls];
    const value = def.read(st.out);
    while (rt.nextDue <= limit) {
      const ts = rt.nextDue;
      rt.nextDue += interval;
      emit(ctx, st, sink, i, ts, value);
    }
  }
}

/** Status series (lamp_on) also report at the step where they change. */
export function emitChanges(ctx: SystemContext, st: SystemState, sink: SimSink): void {
  for (let i = 0; i < ctx.series.length; i++) {
    const def = ctx.series[i]!;
    if (!def.onChange) continue;
    const value = def.read(st.out);
    const rt = st.series[i]!;
    if (rt.lastTs >= 0 && value !== rt.last) emit(ctx, st, sink, i, st.t, value);
  }
}

/** Runs the system up to `until` (inclusive), emitting readings and labels. */
export function advanceSystem(ctx: SystemContext, st: SystemState, sink: SimSink, until: number, stepMs: number): void {
  for (;;) {
    emitDue(ctx, st, sink, Math.min(until, st.t + stepMs - 1));
    if (st.t + stepMs > until) return;
    stepSystem(ctx, st, sink, stepMs);
    emitChanges(ctx, st, sink);
  }
}
