// Shared by the prediction tests: hourly readings written through the real telemetry store for a
// test system's components, and the filter/flow/temperature shapes the degradation models see.
import { viscosityRatio } from "../../src/lib/physics";
import { getPool } from "../../src/server/db";
import { TelemetryStore, type StoreReading } from "../../src/server/telemetry/store";
import { testDb } from "./helpers";

const db = testDb();
const store = new TelemetryStore(getPool());
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The start of the current hour: the last complete hour of data is the one before. */
export const thisHour = () => new Date(Math.floor(Date.now() / HOUR) * HOUR);

const metricIds = new Map<string, number>();
export async function metricId(key: string): Promise<number> {
  if (!metricIds.has(key)) metricIds.set(key, (await db.metric.findUniqueOrThrow({ where: { key } })).id);
  return metricIds.get(key)!;
}

/** Deterministic noise in [-0.5, 0.5). */
export function noise(i: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

export interface HourlySeries {
  metric: string;
  /** a component code of the system, or null for a system-level series */
  component: string | null;
  /** the hour's value; null leaves the hour out */
  value: (t: number, i: number) => number | null;
}

/** One reading per hour (at half past) for each series, for the `hours` complete hours before `end`. */
export async function writeHours(target: { systemId: string; ids: Record<string, string> }, end: Date, hours: number, series: HourlySeries[]): Promise<void> {
  const readings: StoreReading[] = [];
  for (const s of series) {
    const metric = await metricId(s.metric);
    for (let i = 0; i < hours; i++) {
      const t = end.getTime() - (hours - i) * HOUR;
      const v = s.value(t, i);
      if (v !== null) readings.push({ metricId: metric, componentId: s.component ? target.ids[s.component]! : null, ts: t + 30 * 60_000, value: v });
    }
  }
  await store.store(target.systemId, readings);
}

/** Flow through the day (5–10 m³/h), stopped from 02:00 to 04:00 UTC. */
export const dailyFlow = (t: number) => {
  const h = new Date(t).getUTCHours();
  return h >= 2 && h < 4 ? 0 : 7.5 + 2.5 * Math.sin((2 * Math.PI * h) / 24);
};
export const dailyTemp = (t: number) => 15 + 5 * Math.cos((2 * Math.PI * new Date(t).getUTCHours()) / 24);

/**
 * Filter ΔP whose normalised value (8 m³/h, 20 °C) rises exponentially and reaches 1 bar `crossInDays`
 * after `at`; what the gauge reads is scaled by the hour's flow and viscosity (ΔP ∝ Q·μ(T)), and
 * reads a little offset while the pump is stopped. With the flow meter ft-1, the probe tt-1 and filter-1.
 */
export function clogging(at: Date, crossInDays: number): HourlySeries[] {
  const k = Math.log(1 / 0.3) / (14 + crossInDays); // 0.3 bar 14 days before `at`
  const normalised = (t: number) => Math.exp(k * ((t - at.getTime()) / DAY - crossInDays));
  return [
    { metric: "flow_rate", component: "ft-1", value: (t) => dailyFlow(t) },
    { metric: "water_temperature", component: "tt-1", value: (t) => dailyTemp(t) },
    {
      metric: "filter_dp",
      component: "filter-1",
      value: (t, i) => {
        const q = dailyFlow(t);
        return q === 0 ? 0.02 : normalised(t) * (q / 8) * viscosityRatio(dailyTemp(t)) * (1 + 0.1 * noise(i));
      },
    },
  ];
}
