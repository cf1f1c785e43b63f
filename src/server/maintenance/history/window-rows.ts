/**
 * Work orders joined with telemetry in SQL: for each order, every series of its system over the window
 * [event − before, end + after], where event = downtime start ?? opened and end = completed ?? downtime
 * end ?? now, from the 1-minute rollups when the window is at most FINE_WINDOW_DAYS long and from the
 * 1-hour rollups otherwise. One row per (order, series, bucket): the training data of the predictive
 * models and the source of the work-order history view.
 */
import type pg from "pg";
import type { WorkOrderType } from "@/generated/prisma/enums";
import { getPool } from "@/server/db";
import { AppError } from "@/server/errors";
import type { Scope } from "@/server/scope";

export const DEFAULT_BEFORE_DAYS = 7;
export const DEFAULT_AFTER_DAYS = 1;
export const MAX_WINDOW_DAYS = 90;
/** Windows up to this long read 1-minute rollups (≤ 2,880 buckets per series); longer ones 1-hour rollups. */
export const FINE_WINDOW_DAYS = 2;
export const MAX_BULK_WORK_ORDERS = 5_000;

export type WindowResolution = "1m" | "1h";
/** where a bucket lies relative to the order: before the event, during the work (event to completion), after completion */
export type WindowPhase = "before" | "during" | "after";

export interface WindowRow {
  workOrderId: string;
  workOrderNumber: number;
  type: WorkOrderType;
  failureMode: string | null;
  system: string;
  /** the order's component (code), null for a system-level order */
  component: string | null;
  seriesId: number;
  /** the series' component (code), null for a system-level series */
  seriesComponent: string | null;
  metric: string;
  bucket: Date;
  resolution: WindowResolution;
  min: number;
  max: number;
  avg: number;
  count: number;
  /** bucket start − event time, hours (negative before the event) */
  offsetHours: number;
  phase: WindowPhase;
}

export interface WindowRowsFilter {
  workOrderIds?: string[];
  types?: WorkOrderType[];
  systemCode?: string;
  /** only orders with a failure mode (the failures) */
  withFailureMode?: boolean;
  /** event time from (inclusive) / to (exclusive) */
  from?: Date;
  to?: Date;
  beforeDays?: number;
  afterDays?: number;
  /** at most this many work orders, oldest event first (default and maximum MAX_BULK_WORK_ORDERS) */
  limit?: number;
  now?: Date;
}

export function checkWindowDays(beforeDays: number, afterDays: number): void {
  for (const [name, v] of [
    ["beforeDays", beforeDays],
    ["afterDays", afterDays],
  ] as const) {
    if (!(Number.isFinite(v) && v >= 0 && v <= MAX_WINDOW_DAYS)) {
      throw new AppError("BAD_REQUEST", `${name} must be a number of days from 0 to ${MAX_WINDOW_DAYS}, got ${v}.`);
    }
  }
}

interface RawRow {
  work_order_id: string;
  number: number;
  type: WorkOrderType;
  failure_mode: string | null;
  system: string;
  component: string | null;
  event_at: Date;
  end_at: Date;
  completed: boolean;
  series_id: number;
  series_component: string | null;
  metric: string;
  bucket: Date;
  min: number;
  max: number;
  avg: number;
  count: number;
  offset_hours: number;
  resolution: WindowResolution;
}

/** The windows of many work orders at once, as flat rows ordered by event, order, series and time. */
export async function listWorkOrderWindowRows(scope: Scope, filter: WindowRowsFilter = {}, pool: pg.Pool = getPool()): Promise<WindowRow[]> {
  const beforeDays = filter.beforeDays ?? DEFAULT_BEFORE_DAYS;
  const afterDays = filter.afterDays ?? DEFAULT_AFTER_DAYS;
  checkWindowDays(beforeDays, afterDays);
  const limit = filter.limit ?? MAX_BULK_WORK_ORDERS;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_BULK_WORK_ORDERS)) {
    throw new AppError("BAD_REQUEST", `limit must be a whole number of work orders from 1 to ${MAX_BULK_WORK_ORDERS}, got ${limit}.`);
  }
  const params: unknown[] = [filter.now ?? new Date(), beforeDays * 86_400, afterDays * 86_400, FINE_WINDOW_DAYS * 86_400, limit];
  const where: string[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (!("all" in scope)) where.push(`wo.organization_id = ${param(scope.organizationId)}`);
  if (filter.workOrderIds) where.push(`wo.id = ANY(${param(filter.workOrderIds)}::text[])`);
  if (filter.types?.length) where.push(`wo.type::text = ANY(${param(filter.types)}::text[])`);
  if (filter.systemCode) where.push(`sy.code = ${param(filter.systemCode)}`);
  if (filter.withFailureMode) where.push("wo.failure_mode_id IS NOT NULL");
  if (filter.from) where.push(`coalesce(wo.downtime_start, wo.created_at) >= ${param(filter.from)}`);
  if (filter.to) where.push(`coalesce(wo.downtime_start, wo.created_at) < ${param(filter.to)}`);

  const { rows } = await pool.query<RawRow>(
    `WITH w AS (
       SELECT wo.id, wo.number, wo.type::text AS type, wo.system_id, sy.code AS system, wc.code AS component, fm.code AS failure_mode,
              coalesce(wo.downtime_start, wo.created_at) AS event_at,
              greatest(coalesce(wo.completed_at, wo.downtime_end, $1::timestamptz), coalesce(wo.downtime_start, wo.created_at)) AS end_at,
              (wo.completed_at IS NOT NULL OR wo.downtime_end IS NOT NULL) AS completed
         FROM work_order wo
         JOIN "system" sy ON sy.id = wo.system_id
         LEFT JOIN component wc ON wc.id = wo.component_id
         LEFT JOIN failure_code fm ON fm.id = wo.failure_mode_id
        ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY event_at, wo.number
        LIMIT $5
     ), wf AS (
       SELECT w.*, w.event_at - make_interval(secs => $2) AS from_ts, w.end_at + make_interval(secs => $3) AS to_ts,
              (w.end_at + make_interval(secs => $3)) - (w.event_at - make_interval(secs => $2)) <= make_interval(secs => $4) AS fine
         FROM w
     )
     SELECT wf.id AS work_order_id, wf.number, wf.type, wf.failure_mode, wf.system, wf.component, wf.event_at, wf.end_at, wf.completed,
            s.id AS series_id, sc.code AS series_component, m.key AS metric,
            r.bucket, r.min, r.max, r.sum / r.count AS avg, r.count,
            (extract(epoch FROM r.bucket - wf.event_at) / 3600)::float8 AS offset_hours,
            CASE WHEN wf.fine THEN '1m' ELSE '1h' END AS resolution
       FROM wf
       JOIN series s ON s.system_id = wf.system_id
       JOIN metric m ON m.id = s.metric_id
       LEFT JOIN component sc ON sc.id = s.component_id
       JOIN LATERAL (
         SELECT x.bucket, x.min, x.max, x.sum, x.count FROM telemetry_rollup_1m x
          WHERE wf.fine AND x.series_id = s.id AND x.bucket >= wf.from_ts AND x.bucket < wf.to_ts
         UNION ALL
         SELECT y.bucket, y.min, y.max, y.sum, y.count FROM telemetry_rollup_1h y
          WHERE NOT wf.fine AND y.series_id = s.id AND y.bucket >= wf.from_ts AND y.bucket < wf.to_ts
       ) r ON true
      ORDER BY wf.event_at, wf.number, sc.code NULLS FIRST, m.key, r.bucket`,
    params,
  );
  return rows.map((r) => ({
    workOrderId: r.work_order_id,
    workOrderNumber: r.number,
    type: r.type,
    failureMode: r.failure_mode,
    system: r.system,
    component: r.component,
    seriesId: r.series_id,
    seriesComponent: r.series_component,
    metric: r.metric,
    bucket: r.bucket,
    resolution: r.resolution,
    min: r.min,
    max: r.max,
    avg: r.avg,
    count: r.count,
    offsetHours: r.offset_hours,
    phase: r.bucket < r.event_at ? "before" : r.completed && r.bucket >= r.end_at ? "after" : "during",
  }));
}

/** The window an order gets: [event − before, end + after], and the rollups that answer it. */
export function windowOf(eventAt: Date, endAt: Date, beforeDays: number, afterDays: number): { from: Date; to: Date; resolution: WindowResolution } {
  const from = new Date(eventAt.getTime() - beforeDays * 86_400_000);
  const to = new Date(Math.max(endAt.getTime(), eventAt.getTime()) + afterDays * 86_400_000);
  return { from, to, resolution: to.getTime() - from.getTime() <= FINE_WINDOW_DAYS * 86_400_000 ? "1m" : "1h" };
}
