/**
 * A year of hourly booster-pump telemetry for the demo fleet, so that the failure-risk model
 * (src/server/predictions/risk) has history to learn from on a fresh demo: flow, discharge pressure,
 * pump power and speed, motor vibration and water temperature, one reading per hour on the
 * simulator's series (ft-1, pt-1, pump-1, motor-1, tt-1), made by the pump-set simulator around the
 * failures the seeded maintenance history already holds: a motor bearing order (VIB) is preceded by
 * weeks of rising vibration, a seal leak (ELP) mostly by nothing, as in the field (domain.md §2.4).
 *
 * Left out: NBG-01 and NBG-02 (the browser journeys assert on their live values), and the last two
 * weeks of the three systems the degradation history writes (degradation-history.ts), so no hour
 * holds readings of both. Written through the telemetry store in one statement; refused when the
 * pump series already hold data older than the degradation history (written once, on a fresh seed).
 */
import type pg from "pg";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { mulberry32 } from "@/lib/random";
import { HOUR_MS, type PumpMetric } from "@/server/predictions/risk/pump-history";
import { simulatePumpHistory, type PumpFailureMode } from "@/server/predictions/risk/simulate-pump-history";
import { TelemetryStore, type StoreReading } from "@/server/telemetry/store";
import { DEGRADATION_DEMO, HISTORY_DAYS } from "./degradation-history";
import { DEMO_ORG } from "./demo-fleet";

const DAY_MS = 86_400_000;
export const PUMP_HISTORY_DAYS = 365;
const SKIPPED_SYSTEMS = new Set(["NBG-01", "NBG-02"]);
const DEGRADATION_SYSTEMS: ReadonlySet<string> = new Set(Object.values(DEGRADATION_DEMO).map((d) => d.system));
/** Where each metric lives, as the live simulator reports it (src/lib/sim/series.ts). */
export const PUMP_SERIES_AT: Record<PumpMetric, string> = {
  flow_rate: "ft-1",
  pump_pressure: "pt-1",
  power: "pump-1",
  pump_speed: "pump-1",
  vibration: "motor-1",
  water_temperature: "tt-1",
};
/** The maintenance history's failure modes (ISO 14224 codes) as the simulator's. */
const MODE_OF_CODE: Record<string, PumpFailureMode> = { VIB: "bearing", ELP: "seal", LOO: "impeller" };

export interface PumpHistoryResult {
  systems: string[];
  failures: number;
  readings: number;
  from: Date;
  to: Date;
  tookMs: number;
}

export async function seedPumpHistory(db: Db, pool: pg.Pool, opts: { now?: Date } = {}): Promise<PumpHistoryResult> {
  const started = performance.now();
  const end = Math.floor((opts.now ?? new Date()).getTime() / HOUR_MS) * HOUR_MS;
  const from = end - PUMP_HISTORY_DAYS * DAY_MS;
  const org = await db.organization.findUnique({ where: { slug: DEMO_ORG.slug }, select: { id: true } });
  if (!org) throw new AppError("NOT_FOUND", `Pump history: the demo organisation "${DEMO_ORG.slug}" is not seeded; seed the demo fleet first.`);
  const systems = await db.treatmentSystem.findMany({
    where: { organizationId: org.id, code: { notIn: [...SKIPPED_SYSTEMS] } },
    select: {
      id: true,
      code: true,
      limits: { where: { metricKey: "flow_rate" }, select: { max: true } },
      components: { select: { id: true, code: true } },
    },
    orderBy: { code: "asc" },
  });
  const metrics = new Map((await db.metric.findMany({ where: { key: { in: Object.keys(PUMP_SERIES_AT) }, builtIn: true }, select: { id: true, key: true } })).map((m) => [m.key, m.id]));

  const earlier = await db.$queryRaw<{ code: string }[]>`
    SELECT y.code FROM telemetry_rollup_1h r JOIN series s ON s.id = r.series_id JOIN "system" y ON y.id = s.system_id
     WHERE y.organization_id = ${org.id} AND r.bucket < ${new Date(end - (HISTORY_DAYS + 1) * DAY_MS)} LIMIT 1`;
  if (earlier.length) throw new AppError("CONFLICT", `Pump history: system ${earlier[0]!.code} already has telemetry older than two weeks; the history is written only right after a fresh seed.`);

  const rand = mulberry32(0x9a7_2026);
  const groups: { systemId: string; readings: StoreReading[] }[] = [];
  let failures = 0;
  for (const system of systems) {
    const pump = system.components.find((c) => c.code === "pump-1");
    if (!pump) continue;
    // the systems with a degradation history stop where it starts
    const until = DEGRADATION_SYSTEMS.has(system.code) ? end - HISTORY_DAYS * DAY_MS : end;
    const hours = (until - from) / HOUR_MS;
    const setIds = system.components.filter((c) => c.code === "pump-1" || c.code === "motor-1" || c.code === "vfd-1").map((c) => c.id);
    const orders = await db.workOrder.findMany({
      where: { componentId: { in: setIds }, type: "corrective", failureModeId: { not: null }, createdAt: { gte: new Date(from), lt: new Date(until) } },
      select: { createdAt: true, downtimeStart: true, downtimeEnd: true, completedAt: true, failureMode: { select: { code: true } } },
      orderBy: { createdAt: "asc" },
    });
    const given = orders.flatMap((o) => {
      const mode = MODE_OF_CODE[o.failureMode!.code];
      const at = Math.floor(((o.downtimeStart ?? o.createdAt).getTime() - from) / HOUR_MS);
      const back = o.downtimeEnd ?? o.completedAt;
      return mode && at >= 0 && at < hours ? [{ at, mode, ...(back ? { until: Math.max(at + 1, Math.ceil((back.getTime() - from) / HOUR_MS)) } : {}) }] : [];
    });
    failures += given.length;
    const maxFlow = system.limits[0]?.max ?? null;
    const history = simulatePumpHistory({ start: from, hours, rand, failures: given, ...(maxFlow ? { profile: { ratedFlow: 0.8 * maxFlow } } : {}) });
    const readings: StoreReading[] = [];
    for (const [metric, componentCode] of Object.entries(PUMP_SERIES_AT) as [PumpMetric, string][]) {
      const componentId = system.components.find((c) => c.code === componentCode)?.id;
      const metricId = metrics.get(metric);
      if (!componentId || metricId === undefined) continue;
      const values = history.series[metric];
      for (let h = 0; h < hours; h++) {
        const v = values[h]!;
        // mid-hour, as the hour's one reading: its rollup is the hour's mean
        if (Number.isFinite(v)) readings.push({ metricId, componentId, ts: from + h * HOUR_MS + HOUR_MS / 2, value: Math.round(v * 1000) / 1000 });
      }
    }
    groups.push({ systemId: system.id, readings });
  }
  const store = new TelemetryStore(pool);
  const { accepted } = await store.storeBatch(groups);
  return {
    systems: systems.filter((s) => s.components.some((c) => c.code === "pump-1")).map((s) => s.code),
    failures,
    readings: accepted,
    from: new Date(from),
    to: new Date(end),
    tookMs: Math.round(performance.now() - started),
  };
}
