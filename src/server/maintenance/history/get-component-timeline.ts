import type { AlertState, Priority, Severity, WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";
import { getPool, type Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import type { Scope } from "@/server/scope";
import { FINE_WINDOW_DAYS } from "./window-rows";

export const DEFAULT_TIMELINE_DAYS = 90;
export const MAX_TIMELINE_DAYS = 3 * 366;
/** Buckets per series at most: a phone-width chart has no use for more. */
export const TIMELINE_POINTS = 400;
const MAX_EVENTS = 500;
const DAY = 86_400_000;

export type TimelineEvent =
  | {
      kind: "work_order";
      id: string;
      number: number;
      title: string;
      type: WorkOrderType;
      status: WorkOrderStatus;
      priority: Priority;
      /** downtime start, else when it was opened */
      at: Date;
      /** completion; null while open */
      end: Date | null;
      failureMode: { code: string; name: string } | null;
      downtime: { start: Date; end: Date | null } | null;
    }
  | { kind: "alert"; id: string; severity: Severity; state: AlertState; message: string; at: Date; end: Date | null };

export interface TimelineSeries {
  seriesId: number;
  metric: { key: string; name: string; unit: string; kind: "gauge" | "counter" | "boolean" };
  /** bucket starts, epoch ms; the other arrays are index-aligned */
  t: number[];
  min: number[];
  max: number[];
  avg: number[];
}

export interface ComponentTimeline {
  component: {
    id: string;
    code: string;
    name: string;
    type: string;
    status: string;
    installedAt: Date | null;
    system: { code: string; name: string };
    /** the site's time zone, for display */
    timeZone: string;
  };
  from: Date;
  to: Date;
  /** newest first */
  events: TimelineEvent[];
  /** true when there were more than MAX_EVENTS work orders or alerts and the oldest were left out */
  truncated: boolean;
  readings: { source: "1m" | "1h"; widthMs: number; series: TimelineSeries[] };
}

/**
 * One component's history between from and to (default: the last 90 days): its work orders, its alerts
 * and its readings as rollup buckets (1-minute rollups up to two days, 1-hour ones beyond, binned to at
 * most TIMELINE_POINTS per series).
 */
export async function getComponentTimeline(
  db: Db,
  scope: Scope,
  input: { componentId: string; from?: Date; to?: Date; now?: Date },
): Promise<ComponentTimeline> {
  const to = input.to ?? input.now ?? new Date();
  const from = input.from ?? new Date(to.getTime() - DEFAULT_TIMELINE_DAYS * DAY);
  if (!(from < to)) throw new AppError("BAD_REQUEST", `Timeline range is empty: "from" (${from.toISOString()}) must be before "to" (${to.toISOString()}).`);
  if (to.getTime() - from.getTime() > MAX_TIMELINE_DAYS * DAY) {
    throw new AppError("BAD_REQUEST", `Timeline range is too long: at most ${MAX_TIMELINE_DAYS} days, got ${from.toISOString()} to ${to.toISOString()}.`);
  }
  const component = await db.component.findFirst({
    where: { id: input.componentId, ...("all" in scope ? {} : { system: { organizationId: scope.organizationId } }) },
    select: {
      id: true,
      code: true,
      name: true,
      type: true,
      status: true,
      installedAt: true,
      system: { select: { code: true, name: true, site: { select: { timeZone: true } } } },
      series: { select: { id: true, metric: { select: { key: true, name: true, unit: true, kind: true } } } },
    },
  });
  if (!component) throw notFound("Component", input.componentId);

  const [orders, alerts, readings] = await Promise.all([
    // opened before `to` and not finished before `from`: overlapping the range
    db.workOrder.findMany({
      where: { componentId: component.id, createdAt: { lt: to }, OR: [{ completedAt: null }, { completedAt: { gte: from } }] },
      select: {
        id: true,
        number: true,
        title: true,
        type: true,
        status: true,
        priority: true,
        createdAt: true,
        completedAt: true,
        downtimeStart: true,
        downtimeEnd: true,
        failureMode: { select: { code: true, name: true } },
      },
      orderBy: { createdAt: "desc" },
      take: MAX_EVENTS + 1,
    }),
    db.alert.findMany({
      where: { componentId: component.id, raisedAt: { lt: to }, OR: [{ clearedAt: null }, { clearedAt: { gte: from } }] },
      select: { id: true, severity: true, state: true, message: true, raisedAt: true, clearedAt: true },
      orderBy: { raisedAt: "desc" },
      take: MAX_EVENTS + 1,
    }),
    readTimelineSeries(component.series, from, to),
  ]);
  const events: TimelineEvent[] = [
    ...orders.slice(0, MAX_EVENTS).map(
      (o): TimelineEvent => ({
        kind: "work_order",
        id: o.id,
        number: o.number,
        title: o.title,
        type: o.type,
        status: o.status,
        priority: o.priority,
        at: o.downtimeStart ?? o.createdAt,
        end: o.completedAt,
        failureMode: o.failureMode,
        downtime: o.downtimeStart ? { start: o.downtimeStart, end: o.downtimeEnd } : null,
      }),
    ),
    ...alerts.slice(0, MAX_EVENTS).map(
      (a): TimelineEvent => ({ kind: "alert", id: a.id, severity: a.severity, state: a.state, message: a.message, at: a.raisedAt, end: a.clearedAt }),
    ),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    component: {
      id: component.id,
      code: component.code,
      name: component.name,
      type: component.type,
      status: component.status,
      installedAt: component.installedAt,
      system: { code: component.system.code, name: component.system.name },
      timeZone: component.system.site.timeZone,
    },
    from,
    to,
    events,
    truncated: orders.length > MAX_EVENTS || alerts.length > MAX_EVENTS,
    readings,
  };
}

async function readTimelineSeries(
  series: { id: number; metric: TimelineSeries["metric"] }[],
  from: Date,
  to: Date,
): Promise<ComponentTimeline["readings"]> {
  const span = to.getTime() - from.getTime();
  const source = span <= FINE_WINDOW_DAYS * DAY ? "1m" : "1h";
  const res = source === "1m" ? 60_000 : 3_600_000;
  const widthMs = Math.max(res, Math.ceil(span / TIMELINE_POINTS / res) * res);
  const out: TimelineSeries[] = series
    .map((s) => ({ seriesId: s.id, metric: s.metric, t: [] as number[], min: [] as number[], max: [] as number[], avg: [] as number[] }))
    .sort((a, b) => a.metric.key.localeCompare(b.metric.key));
  if (out.length === 0) return { source, widthMs, series: out };
  const { rows } = await getPool().query<{ series_id: number; t: Date; min: number; max: number; avg: number }>(
    `SELECT series_id, date_bin(make_interval(secs => $1), bucket, timestamptz '1970-01-01 00:00:00+00') AS t,
            min(min) AS min, max(max) AS max, sum(sum) / sum(count) AS avg
       FROM ${source === "1m" ? "telemetry_rollup_1m" : "telemetry_rollup_1h"}
      WHERE series_id = ANY($2::int[]) AND bucket >= $3 AND bucket < $4
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [widthMs / 1000, out.map((s) => s.seriesId), from, to],
  );
  const byId = new Map(out.map((s) => [s.seriesId, s]));
  for (const r of rows) {
    const s = byId.get(r.series_id)!;
    s.t.push(r.t.getTime());
    s.min.push(r.min);
    s.max.push(r.max);
    s.avg.push(r.avg);
  }
  return { source, widthMs, series: out };
}
