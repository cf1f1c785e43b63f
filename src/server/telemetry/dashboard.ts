// What the dashboards read: a system's series with latest values and limits, charts of several series
// in one call, and the fleet's health.
import { getPool, type Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import type { Scope } from "@/server/scope";
import { planChart, querySeriesChart, type ChartSource } from "@/server/telemetry/query";

export const MAX_CHART_SERIES = 24;
export const MAX_CHART_POINTS_UI = 2000;
// 10 years of 1-hour rollups is ~88,000 rows per series: the most one request may read.
const MAX_CHART_SPAN_MS = 3660 * 86_400_000;

export interface SeriesSummary {
  id: number;
  /** null: the system-level series */
  component: { code: string; name: string } | null;
  metric: { key: string; name: string; unit: string; kind: "gauge" | "counter" | "boolean" };
  latest: { value: number; ts: Date } | null;
  /** the system's validated operating limit for this metric, if any */
  limit: { min: number | null; max: number | null } | null;
}

export interface SeriesChart {
  seriesId: number;
  /** bucket starts, epoch ms (UTC); the other arrays are index-aligned with it */
  t: number[];
  min: number[];
  max: number[];
  avg: number[];
  count: number[];
}

export interface ChartResult {
  /** which stored resolution answered: raw readings, 1-minute or 1-hour rollups */
  source: ChartSource;
  /** bucket width in ms */
  widthMs: number;
  /** the range asked for */
  from: Date;
  to: Date;
  series: SeriesChart[];
}

export interface SystemHealthInput {
  systemId: string;
  systemCode: string;
  /** the newest reading of any series of the system */
  lastReadingAt: Date | null;
  limits: { metricKey: string; min: number | null; max: number | null }[];
  /** latest values of the series that have a limit */
  latest: { seriesId: number; metricKey: string; value: number; ts: Date }[];
  /** active, unshelved alerts */
  openAlerts: { id: string; severity: "critical" | "major" | "minor" | "warning" }[];
}

export interface FleetHealth {
  /** when this was read (the server's clock): the reference for "offline" until the browser's clock takes over */
  at: Date;
  systems: SystemHealthInput[];
}

async function findSystemId(db: Db, scope: Scope, systemCode: string): Promise<string> {
  const where = "all" in scope ? { code: systemCode } : { code: systemCode, organizationId: scope.organizationId };
  const system = await db.treatmentSystem.findFirst({ where, select: { id: true } });
  if (!system) throw notFound("System", systemCode);
  return system.id;
}

/** Every series of a system with its metric, component and latest value, system level first. */
export async function listSystemSeries(db: Db, scope: Scope, systemCode: string): Promise<SeriesSummary[]> {
  const systemId = await findSystemId(db, scope, systemCode);
  const [rows, limits] = await Promise.all([
    db.series.findMany({
      where: { systemId },
      select: {
        id: true,
        component: { select: { code: true, name: true } },
        metric: { select: { key: true, name: true, unit: true, kind: true } },
        latest: { select: { value: true, ts: true } },
      },
    }),
    db.operatingLimit.findMany({ where: { systemId }, select: { metricKey: true, min: true, max: true } }),
  ]);
  const limitOf = new Map(limits.map((l) => [l.metricKey, { min: l.min, max: l.max }]));
  const summaries = rows.map((r) => ({
    id: r.id,
    component: r.component ? { code: r.component.code, name: r.component.name } : null,
    metric: r.metric,
    latest: r.latest ? { value: r.latest.value, ts: r.latest.ts } : null,
    limit: limitOf.get(r.metric.key) ?? null,
  }));
  const order = (s: SeriesSummary) => `${s.component ? `1${s.component.code}` : "0"}\u0000${s.metric.key}`;
  return summaries.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * Chart buckets of several series of one system over [from, to), all from the one resolution
 * `planChart` picks for the span, as column arrays so a dashboard of 12 week-long charts is one
 * compact answer.
 */
export async function getSeriesCharts(
  db: Db,
  scope: Scope,
  input: { systemCode: string; seriesIds: number[]; from: Date; to: Date; points: number },
): Promise<ChartResult> {
  const { from, to, points } = input;
  if (!(to.getTime() > from.getTime())) {
    throw new AppError("BAD_REQUEST", `Chart range is empty: "from" (${from.toISOString()}) must be before "to" (${to.toISOString()}).`);
  }
  if (to.getTime() - from.getTime() > MAX_CHART_SPAN_MS) {
    throw new AppError("BAD_REQUEST", `Chart range is too long: at most ${MAX_CHART_SPAN_MS / 86_400_000} days, got ${from.toISOString()} to ${to.toISOString()}.`);
  }
  const plan = planChart(from, to, points);
  const systemId = await findSystemId(db, scope, input.systemCode);
  const ids = [...new Set(input.seriesIds)];
  const owned = await db.series.findMany({ where: { systemId, id: { in: ids } }, select: { id: true } });
  if (owned.length !== ids.length) {
    const known = new Set(owned.map((s) => s.id));
    const missing = ids.filter((id) => !known.has(id));
    throw new AppError("NOT_FOUND", `Series ${missing.join(", ")} not found on system "${input.systemCode}"`);
  }
  const pool = getPool();
  const series = await Promise.all(
    ids.map(async (seriesId): Promise<SeriesChart> => {
      const buckets = await querySeriesChart(pool, { seriesId, from, to, points });
      const chart: SeriesChart = { seriesId, t: [], min: [], max: [], avg: [], count: [] };
      for (const b of buckets) {
        chart.t.push(b.t.getTime());
        chart.min.push(b.min);
        chart.max.push(b.max);
        chart.avg.push(b.avg);
        chart.count.push(b.count);
      }
      return chart;
    }),
  );
  return { source: plan.source, widthMs: plan.widthMs, from, to, series };
}

/** What the fleet page needs to colour each system: newest reading, latest values against limits, open alerts. */
export async function getFleetHealth(db: Db, scope: Scope): Promise<FleetHealth> {
  const org = "all" in scope ? {} : { organizationId: scope.organizationId };
  const now = new Date();
  const [systems, latest, alerts] = await Promise.all([
    db.treatmentSystem.findMany({
      where: org,
      select: { id: true, code: true, limits: { select: { metricKey: true, min: true, max: true } } },
      orderBy: { code: "asc" },
    }),
    db.seriesLatest.findMany({
      where: { series: { system: org } },
      select: { seriesId: true, ts: true, value: true, series: { select: { systemId: true, metric: { select: { key: true } } } } },
    }),
    db.alert.findMany({
      where: {
        ...org,
        state: { in: ["active_unacknowledged", "active_acknowledged"] },
        OR: [{ shelvedUntil: null }, { shelvedUntil: { lte: now } }],
      },
      select: { id: true, systemId: true, severity: true },
    }),
  ]);
  const bySystem = new Map<string, SystemHealthInput>();
  for (const s of systems) {
    bySystem.set(s.id, { systemId: s.id, systemCode: s.code, lastReadingAt: null, limits: s.limits, latest: [], openAlerts: [] });
  }
  for (const l of latest) {
    const h = bySystem.get(l.series.systemId);
    if (!h) continue;
    if (!h.lastReadingAt || l.ts > h.lastReadingAt) h.lastReadingAt = l.ts;
    if (h.limits.some((lim) => lim.metricKey === l.series.metric.key)) {
      h.latest.push({ seriesId: l.seriesId, metricKey: l.series.metric.key, value: l.value, ts: l.ts });
    }
  }
  for (const a of alerts) bySystem.get(a.systemId)?.openAlerts.push({ id: a.id, severity: a.severity });
  return { at: now, systems: [...bySystem.values()] };
}
