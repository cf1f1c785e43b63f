/**
 * Two weeks of telemetry for the demo's degradation models (src/server/predictions/trend/specs.ts),
 * so that a fresh demo predicts at once instead of saying "not enough data" for two days. Written
 * through the telemetry store, as a device's readings would be: raw readings, 1-minute and 1-hour
 * rollups and the latest values, in one statement (all or nothing).
 *
 * - NBG-03 filter-2, the 5 µm polishing cartridge (filter-1 of an HX-20 is the sand media filter,
 *   backwashed, not changed): ΔP at the reference flow and 20 °C grows exponentially (domain.md
 *   §3.1) from 0.35 to 0.75 bar, so it reaches 1 bar about 5 days after the seed. What the gauge
 *   reads is that times Q/Q_ref · μ(T)/μ(20 °C) with the flow's daily cycle and the water
 *   temperature's, so only the normalised trend is smooth. filter-1 stays flat: a healthy peer.
 * - LIS-02's UV sensor falls linearly from 1.25× its validated setpoint (operating limit min of
 *   uv_intensity) and crosses it a week after the seed; the water flows all the time (lamp on).
 * - NBG-04's pump runs with a steady 1.2 mm/s at the motor bearings: healthy, nothing to do.
 *
 * The series are the simulator's (src/lib/sim/series.ts): flow on ft-1, temperature on tt-1,
 * UV intensity on uvsensor-1, vibration on motor-1, speed on pump-1. No history for NBG-01/NBG-02:
 * the browser journeys assert on their live values. Deterministic for a given `now`.
 */
import type pg from "pg";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { viscosityRatio } from "@/lib/physics";
import { mulberry32 } from "@/lib/random";
import { TelemetryStore, type StoreReading } from "@/server/telemetry/store";
import { DEMO_ORG } from "./demo-fleet";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const HISTORY_DAYS = 14;
/** A reading every 15 minutes: four per hourly rollup, 1,344 per series. */
export const HISTORY_STEP_MS = 15 * MINUTE;
const HISTORY_SEED = 0x5eed_d14;

/** Filter ΔP is modelled at the reference flow the filter model normalises to: 80 % of the validated maximum. */
const REF_FLOW_SHARE_OF_MAX = 0.8;
export const FILTER_DP_START_BAR = 0.35;
export const FILTER_DP_NOW_BAR = 0.75;
const HEALTHY_MEDIA_DP_BAR = 0.28;
export const UV_START_FACTOR = 1.25;
/** Days after the seed at which the UV sensor reaches the setpoint at the seeded rate. */
export const UV_DAYS_TO_SETPOINT = 7;
export const HEALTHY_VIBRATION_MM_S = 1.2;

export const DEGRADATION_DEMO = {
  filter: { system: "NBG-03", clogging: "filter-2", healthy: "filter-1", flow: "ft-1", temperature: "tt-1" },
  uv: { system: "LIS-02", sensor: "uvsensor-1", flow: "ft-1" },
  pump: { system: "NBG-04", pump: "pump-1", motor: "motor-1" },
} as const;

/** What the readings are generated from: read from the seeded systems, so they match the limits the models use. */
export interface HistoryPlan {
  filter: { flowMaxM3h: number; longitude: number };
  uv: { setpointWm2: number; flowMaxM3h: number; longitude: number };
  pump: { longitude: number };
}

export type HistoryKey = "filterDp" | "mediaDp" | "filterFlow" | "filterTemperature" | "uvIntensity" | "uvFlow" | "vibration" | "pumpSpeed";

/** The readings of each series: epoch ms and value, oldest first. */
export type HistoryValues = Record<HistoryKey, { ts: number; value: number }[]>;

const HISTORY_SERIES: readonly { key: HistoryKey; part: keyof typeof DEGRADATION_DEMO; component: string; metric: string }[] = [
  { key: "filterDp", part: "filter", component: DEGRADATION_DEMO.filter.clogging, metric: "filter_dp" },
  { key: "mediaDp", part: "filter", component: DEGRADATION_DEMO.filter.healthy, metric: "filter_dp" },
  { key: "filterFlow", part: "filter", component: DEGRADATION_DEMO.filter.flow, metric: "flow_rate" },
  { key: "filterTemperature", part: "filter", component: DEGRADATION_DEMO.filter.temperature, metric: "water_temperature" },
  { key: "uvIntensity", part: "uv", component: DEGRADATION_DEMO.uv.sensor, metric: "uv_intensity" },
  { key: "uvFlow", part: "uv", component: DEGRADATION_DEMO.uv.flow, metric: "flow_rate" },
  { key: "vibration", part: "pump", component: DEGRADATION_DEMO.pump.motor, metric: "vibration" },
  { key: "pumpSpeed", part: "pump", component: DEGRADATION_DEMO.pump.pump, metric: "pump_speed" },
];

/** 0 at 04:00 and 1 at 16:00 local solar time: demand, and the water warming through the day. */
function dayShape(ts: number, longitude: number): number {
  const solarHour = ts / HOUR + longitude / 15;
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (solarHour - 4)) / 24);
}

const round = (v: number, decimals: number) => Number(v.toFixed(decimals));

/**
 * The readings, pure: every HISTORY_STEP_MS for HISTORY_DAYS up to `now` (the last one at or just
 * before it). Same plan, same `now`, same readings.
 */
export function buildDegradationHistory(plan: HistoryPlan, now: number): HistoryValues {
  const rand = mulberry32(HISTORY_SEED);
  const gauss = () => {
    // Box–Muller; 1 − u keeps the logarithm finite
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const out = Object.fromEntries(HISTORY_SERIES.map((s) => [s.key, []])) as unknown as HistoryValues;
  const end = Math.floor(now / HISTORY_STEP_MS) * HISTORY_STEP_MS;
  const steps = (HISTORY_DAYS * DAY) / HISTORY_STEP_MS;

  const refFlow = REF_FLOW_SHARE_OF_MAX * plan.filter.flowMaxM3h;
  const growthPerDay = Math.log(FILTER_DP_NOW_BAR / FILTER_DP_START_BAR) / HISTORY_DAYS;
  const uvNowFactor = 1 + ((UV_START_FACTOR - 1) * UV_DAYS_TO_SETPOINT) / (HISTORY_DAYS + UV_DAYS_TO_SETPOINT);
  const uvFallPerDay = (UV_START_FACTOR - uvNowFactor) / HISTORY_DAYS;

  for (let i = steps - 1; i >= 0; i--) {
    const ts = end - i * HISTORY_STEP_MS;
    const days = (ts - end) / DAY; // (−14, 0]

    // NBG-03: ΔP ∝ Q·μ(T) on top of the clogging trend (`clogged`: the ΔP at the reference flow and 20 °C)
    const f = dayShape(ts, plan.filter.longitude);
    const flow = refFlow * (0.62 + 0.33 * f + 0.015 * gauss());
    const temperature = 10 + 4 * f + 0.05 * gauss();
    const conditions = (flow / refFlow) * viscosityRatio(temperature);
    const clogged = FILTER_DP_NOW_BAR * Math.exp(growthPerDay * days);
    out.filterFlow.push({ ts, value: round(flow, 3) });
    out.filterTemperature.push({ ts, value: round(temperature, 2) });
    out.filterDp.push({ ts, value: round(clogged * conditions * (1 + 0.01 * gauss()) + 0.003 * gauss(), 3) });
    out.mediaDp.push({ ts, value: round(HEALTHY_MEDIA_DP_BAR * conditions * (1 + 0.01 * gauss()) + 0.003 * gauss(), 3) });

    // LIS-02: lamp ageing and sleeve fouling, a straight line down to the setpoint
    const u = dayShape(ts, plan.uv.longitude);
    const uvFactor = uvNowFactor - uvFallPerDay * days;
    out.uvIntensity.push({ ts, value: round(plan.uv.setpointWm2 * uvFactor * (1 + 0.008 * gauss()), 2) });
    out.uvFlow.push({ ts, value: round(plan.uv.flowMaxM3h * (0.45 + 0.35 * u + 0.015 * gauss()), 3) });

    // NBG-04: a healthy pump, speed following demand
    const p = dayShape(ts, plan.pump.longitude);
    out.pumpSpeed.push({ ts, value: round(65 + 20 * p + 0.5 * gauss(), 1) });
    out.vibration.push({ ts, value: round(HEALTHY_VIBRATION_MM_S * (0.96 + 0.08 * p) * (1 + 0.05 * gauss()), 3) });
  }
  return out;
}

export interface DegradationHistoryResult {
  systems: string[];
  series: number;
  readings: number;
  from: Date;
  to: Date;
  tookMs: number;
}

async function loadSystem(db: Db, organizationId: string, code: string) {
  const system = await db.treatmentSystem.findFirst({
    where: { organizationId, code },
    select: { id: true, code: true, site: { select: { longitude: true } }, limits: { select: { metricKey: true, min: true, max: true } }, components: { select: { id: true, code: true } } },
  });
  if (!system) throw new AppError("NOT_FOUND", `Degradation history: the demo organisation "${DEMO_ORG.slug}" has no system ${code}; seed the demo fleet first.`);
  return system;
}

function limitOf(system: Awaited<ReturnType<typeof loadSystem>>, metricKey: string, bound: "min" | "max"): number {
  const value = system.limits.find((l) => l.metricKey === metricKey)?.[bound] ?? null;
  if (value === null || !(value > 0)) {
    throw new AppError("BAD_REQUEST", `Degradation history: system ${system.code} has no operating limit ${bound} for ${metricKey}, which its history is scaled to.`);
  }
  return value;
}

/**
 * Writes the history for the demo organisation, ending at `now` (default: the current time). Only
 * for a freshly seeded fleet: a system that already has any of these series is refused (CONFLICT),
 * so the history is never written twice.
 */
export async function seedDegradationHistory(db: Db, pool: pg.Pool, opts: { now?: Date } = {}): Promise<DegradationHistoryResult> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw new AppError("BAD_REQUEST", "Degradation history: `now` is not a valid time.");

  const org = await db.organization.findUnique({ where: { slug: DEMO_ORG.slug }, select: { id: true } });
  if (!org) throw new AppError("NOT_FOUND", `Degradation history: the demo organisation "${DEMO_ORG.slug}" is not seeded; seed the demo fleet first.`);
  const metricKeys = [...new Set(HISTORY_SERIES.map((s) => s.metric))];
  const [filter, uv, pump, metricRows] = await Promise.all([
    loadSystem(db, org.id, DEGRADATION_DEMO.filter.system),
    loadSystem(db, org.id, DEGRADATION_DEMO.uv.system),
    loadSystem(db, org.id, DEGRADATION_DEMO.pump.system),
    db.metric.findMany({ where: { key: { in: metricKeys }, builtIn: true }, select: { id: true, key: true } }),
  ]);
  const systems = { filter, uv, pump };
  const plan: HistoryPlan = {
    filter: { flowMaxM3h: limitOf(systems.filter, "flow_rate", "max"), longitude: systems.filter.site.longitude ?? 0 },
    uv: { setpointWm2: limitOf(systems.uv, "uv_intensity", "min"), flowMaxM3h: limitOf(systems.uv, "flow_rate", "max"), longitude: systems.uv.site.longitude ?? 0 },
    pump: { longitude: systems.pump.site.longitude ?? 0 },
  };

  const metrics = new Map(metricRows.map((m) => [m.key, m.id]));
  for (const key of metricKeys) {
    if (!metrics.has(key)) throw new AppError("NOT_FOUND", `Degradation history: the built-in metric ${key} is missing; run the migrations (ecomate db migrate) first.`);
  }

  const systemIds = Object.values(systems).map((s) => s.id);
  const existing = await db.series.findFirst({
    where: { systemId: { in: systemIds }, metricId: { in: [...metrics.values()] } },
    select: { system: { select: { code: true } }, metric: { select: { key: true } } },
  });
  if (existing) {
    throw new AppError(
      "CONFLICT",
      `Degradation history: system ${existing.system.code} already has ${existing.metric.key} telemetry; the history is written only right after a fresh seed.`,
    );
  }

  const values = buildDegradationHistory(plan, now.getTime());
  const groups = new Map<string, StoreReading[]>(systemIds.map((id) => [id, []]));
  for (const s of HISTORY_SERIES) {
    const system = systems[s.part];
    const componentId = system.components.find((c) => c.code === s.component)?.id;
    if (!componentId) throw new AppError("NOT_FOUND", `Degradation history: system ${system.code} has no component ${s.component}.`);
    const metricId = metrics.get(s.metric)!;
    const readings = groups.get(system.id)!;
    for (const r of values[s.key]) readings.push({ metricId, componentId, ts: r.ts, value: r.value });
  }

  // one statement: either the whole history is there or none of it
  const store = new TelemetryStore(pool);
  const { accepted } = await store.storeBatch([...groups].map(([systemId, readings]) => ({ systemId, readings })));
  const all = values.filterDp;
  return {
    systems: Object.values(systems).map((s) => s.code),
    series: HISTORY_SERIES.length,
    readings: accepted,
    from: new Date(all[0]!.ts),
    to: new Date(all[all.length - 1]!.ts),
    tookMs: Math.round(performance.now() - started),
  };
}
