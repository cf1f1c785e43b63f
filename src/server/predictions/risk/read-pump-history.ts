/**
 * Reads pump sets and their histories from the database for the failure-risk model: the sets of an
 * organisation (each booster pump with its motor and drive), and one set's hourly means and
 * maintenance events on a PumpHistory grid. Hourly means come from the 1-hour rollups only, in one
 * query per set; events from its work orders, with the reliability module's definition of a failure
 * (a corrective order with a failure mode; it failed at its downtime start, else when it was opened).
 */
import type { Db } from "@/server/db";
import { systemsInService } from "../systems-in-service";
import { RUNNING_FLOW_M3H } from "./features";
import { HOUR_MS, PUMP_METRICS, type PumpHistory, type PumpMetric } from "./pump-history";

export interface PumpSet {
  systemId: string;
  systemCode: string;
  organizationId: string;
  siteId: string;
  siteCode: string;
  /** the pump component: predictions and work orders are about it */
  pumpId: string;
  pumpCode: string;
  /** the pump and every component below it (motor, drive): their orders and series count for the set */
  memberIds: string[];
  installedAt: Date | null;
}

/** The active pump sets of systems in service, by system code. */
export async function listPumpSets(db: Db, opts: { organizationId?: string; systemCode?: string } = {}): Promise<PumpSet[]> {
  const systems = await db.treatmentSystem.findMany({
    where: systemsInService(opts),
    select: {
      id: true,
      code: true,
      organizationId: true,
      siteId: true,
      site: { select: { code: true } },
      components: { where: { status: "active" }, select: { id: true, code: true, type: true, parentId: true, installedAt: true } },
    },
    orderBy: { code: "asc" },
  });
  const sets: PumpSet[] = [];
  for (const system of systems) {
    for (const pump of system.components.filter((c) => c.type === "pump").sort((a, b) => a.code.localeCompare(b.code))) {
      sets.push({
        systemId: system.id,
        systemCode: system.code,
        organizationId: system.organizationId,
        siteId: system.siteId,
        siteCode: system.site.code,
        pumpId: pump.id,
        pumpCode: pump.code,
        memberIds: descendants(system.components, pump.id),
        installedAt: pump.installedAt,
      });
    }
  }
  return sets;
}

function descendants(components: { id: string; parentId: string | null }[], rootId: string): string[] {
  const ids = [rootId];
  for (let i = 0; i < ids.length; i++) for (const c of components) if (c.parentId === ids[i]) ids.push(c.id);
  return ids;
}

export interface PumpEvents {
  renewals: Date[];
  failures: { at: Date; until: Date; mode: string | null }[];
}

/**
 * The set's maintenance events up to `to`: renewals (its installation and every completed order on
 * it other than an inspection) and failures (corrective orders with a failure mode).
 */
export async function readPumpEvents(db: Db, set: PumpSet, to: Date): Promise<PumpEvents> {
  const orders = await db.workOrder.findMany({
    where: { componentId: { in: set.memberIds }, createdAt: { lte: to }, status: { not: "cancelled" } },
    select: { type: true, status: true, createdAt: true, completedAt: true, downtimeStart: true, downtimeEnd: true, failureMode: { select: { code: true } } },
  });
  const renewals: Date[] = set.installedAt && set.installedAt <= to ? [set.installedAt] : [];
  const failures: PumpEvents["failures"] = [];
  for (const o of orders) {
    if (o.status === "done" && o.type !== "inspection" && o.completedAt && o.completedAt <= to) renewals.push(o.completedAt);
    if (o.type === "corrective" && o.failureMode) {
      const at = o.downtimeStart ?? o.createdAt;
      const until = o.downtimeEnd ?? o.completedAt ?? new Date(at.getTime() + HOUR_MS);
      failures.push({ at, until: until > at ? until : new Date(at.getTime() + HOUR_MS), mode: o.failureMode.code });
    }
  }
  renewals.sort((a, b) => a.getTime() - b.getTime());
  failures.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { renewals, failures };
}

/** Measured by transmitters anywhere on the line (ft-1, pt-1, tt-1), not by the pump set itself. */
const LINE_METRICS: ReadonlySet<PumpMetric> = new Set(["flow_rate", "pump_pressure", "water_temperature"]);

/**
 * Which series stands for each metric: the set's own (pump, motor or drive) first, then the
 * system-level one, then for the line's measurements a transmitter's (the simulator's flow is on
 * ft-1). Power is only ever the set's or the system's: the UV reactor's power says nothing of the pump.
 */
export async function pumpSeries(db: Db, set: PumpSet): Promise<Partial<Record<PumpMetric, number>>> {
  const rows = await db.series.findMany({
    where: { systemId: set.systemId, metric: { key: { in: [...PUMP_METRICS] } } },
    select: { id: true, componentId: true, metric: { select: { key: true } } },
    orderBy: { id: "asc" },
  });
  const chosen: Partial<Record<PumpMetric, number>> = {};
  for (const metric of PUMP_METRICS) {
    const of = rows.filter((r) => r.metric.key === metric);
    const pick =
      of.find((r) => r.componentId !== null && set.memberIds.includes(r.componentId)) ??
      of.find((r) => r.componentId === null) ??
      (LINE_METRICS.has(metric) ? of[0] : undefined);
    if (pick) chosen[metric] = pick.id;
  }
  return chosen;
}

/**
 * The set's history on the hour grid [from, to) (both floored to whole hours). Renewals before the
 * grid come as negative hours; the running hours between the last of them and the grid's start are
 * counted in SQL so the features can carry on from there without reading that far back hour by hour.
 */
export async function readPumpHistory(db: Db, set: PumpSet, from: Date, to: Date): Promise<PumpHistory> {
  const start = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  const end = Math.floor(to.getTime() / HOUR_MS) * HOUR_MS;
  if (end <= start) throw new Error(`empty history window: ${new Date(start).toISOString()} .. ${new Date(end).toISOString()}`);
  const hours = (end - start) / HOUR_MS;
  const series = await pumpSeries(db, set);
  const ev = await readPumpEvents(db, set, new Date(end));
  const arrays = Object.fromEntries(PUMP_METRICS.map((m) => [m, new Float64Array(hours).fill(NaN)])) as Record<PumpMetric, Float64Array>;

  const ids = PUMP_METRICS.map((m) => series[m] ?? null);
  const present = ids.filter((id): id is number => id !== null);
  if (present.length) {
    const rows = await db.$queryRaw<{ series_id: number; h: number; v: number }[]>`
      SELECT series_id, ((extract(epoch FROM bucket) * 1000 - ${start}::float8) / ${HOUR_MS}::float8)::int AS h, sum / count AS v
        FROM telemetry_rollup_1h
       WHERE series_id = ANY(${present}::int[]) AND bucket >= ${new Date(start)} AND bucket < ${new Date(end)} AND count > 0`;
    const metricOf = new Map(PUMP_METRICS.flatMap((m, i) => (ids[i] !== null ? [[ids[i]!, m] as const] : [])));
    for (const r of rows) arrays[metricOf.get(r.series_id)!][r.h] = r.v;
  }

  const toHour = (d: Date) => Math.floor((d.getTime() - start) / HOUR_MS);
  const renewals = ev.renewals.map(toHour);
  const lastBefore = ev.renewals.filter((d) => d.getTime() < start).at(-1) ?? null;
  const runningHoursBeforeStart = lastBefore ? await runningHoursBetween(db, series.flow_rate ?? null, lastBefore, new Date(start)) : 0;
  return {
    start,
    hours,
    series: arrays,
    renewals: [...new Set(renewals)].sort((a, b) => a - b),
    failures: ev.failures.filter((f) => f.at.getTime() < end).map((f) => ({ at: toHour(f.at), until: Math.max(toHour(f.at) + 1, Math.ceil((f.until.getTime() - start) / HOUR_MS)), ...(f.mode ? { mode: f.mode } : {}) })),
    runningHoursBeforeStart,
  };
}

/** Hours with a mean flow above RUNNING_FLOW_M3H in [from, to); 0 without a flow series. */
async function runningHoursBetween(db: Db, flowSeriesId: number | null, from: Date, to: Date): Promise<number> {
  if (flowSeriesId === null || to <= from) return 0;
  const [row] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM telemetry_rollup_1h
     WHERE series_id = ${flowSeriesId}::int AND bucket >= ${from} AND bucket < ${to} AND count > 0 AND sum / count > ${RUNNING_FLOW_M3H}::float8`;
  return row?.n ?? 0;
}
