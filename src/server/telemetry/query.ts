import type pg from "pg";
import { AppError } from "@/server/errors";

/** One chart bucket: [t, t + width). avg = sum / count; last = the value with the latest ts. */
export interface ChartBucket {
  t: Date;
  min: number;
  max: number;
  avg: number;
  count: number;
  last: number;
}

export type ChartSource = "raw" | "1m" | "1h";

export interface ChartPlan {
  source: ChartSource;
  /** bucket width in ms: a multiple of the source's resolution */
  widthMs: number;
  /** the buckets cover [from, to): whole buckets aligned to the epoch (UTC) */
  from: Date;
  to: Date;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const EPOCH = "timestamptz '1970-01-01 00:00:00+00'";
export const MAX_CHART_POINTS = 10_000;

/**
 * Which stored resolution answers a chart of [from, to) with at most `points` buckets: the coarsest
 * one that still gives at least half the points asked for (1 h rollups from ~3 weeks up, 1 min
 * rollups from ~8 h, raw readings below), so a 7-day chart of ~1,000 points reads ~10,000 one-minute
 * rows and never a raw reading. The bucket width is the span / points rounded up to a multiple of the
 * source's resolution; buckets are aligned to the epoch so they are whole source buckets.
 */
export function planChart(from: Date, to: Date, points = 1000): ChartPlan {
  const span = to.getTime() - from.getTime();
  if (!(span > 0)) throw new AppError("BAD_REQUEST", `chart: from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  if (!Number.isInteger(points) || points < 1 || points > MAX_CHART_POINTS) {
    throw new AppError("BAD_REQUEST", `chart: points must be an integer from 1 to ${MAX_CHART_POINTS}, got ${points}`);
  }
  const source: ChartSource = span / HOUR >= points / 2 ? "1h" : span / MINUTE >= points / 2 ? "1m" : "raw";
  const res = source === "1h" ? HOUR : source === "1m" ? MINUTE : 1;
  let width = Math.max(res, Math.ceil(span / points / res) * res);
  const start = (w: number) => Math.floor(from.getTime() / w) * w;
  const end = (w: number) => Math.ceil(to.getTime() / w) * w;
  // Alignment may add a bucket at either end; widen until the count fits.
  while ((end(width) - start(width)) / width > points) width += res;
  return { source, widthMs: width, from: new Date(start(width)), to: new Date(end(width)) };
}

/**
 * A series' chart over [from, to): up to `points` buckets of min, max, avg, count and last, read from
 * the resolution planChart picks (raw readings, compacted ones included, or the 1-minute / 1-hour
 * rollups). The first and last bucket are whole, so they may reach beyond from / to. Empty buckets are
 * left out.
 */
export async function querySeriesChart(
  pool: pg.Pool | pg.ClientBase,
  input: { seriesId: number; from: Date; to: Date; points?: number },
): Promise<ChartBucket[]> {
  const plan = planChart(input.from, input.to, input.points ?? 1000);
  const width = `${plan.widthMs} milliseconds`;
  const sql =
    plan.source === "raw"
      ? `SELECT date_bin($1::interval, ts, ${EPOCH}) AS t, min(value) AS min, max(value) AS max,
                sum(value) / count(*) AS avg, count(*)::int AS count, (array_agg(value ORDER BY ts DESC))[1] AS last
           FROM telemetry_points(ARRAY[$2::int], $3, $4)
          GROUP BY 1 ORDER BY 1`
      : `SELECT date_bin($1::interval, bucket, ${EPOCH}) AS t, min(min) AS min, max(max) AS max,
                sum(sum) / sum(count) AS avg, sum(count)::int AS count, (array_agg(last ORDER BY last_ts DESC))[1] AS last
           FROM ${plan.source === "1m" ? "telemetry_rollup_1m" : "telemetry_rollup_1h"}
          WHERE series_id = $2 AND bucket >= $3 AND bucket < $4
          GROUP BY 1 ORDER BY 1`;
  const { rows } = await pool.query<ChartBucket>(sql, [width, input.seriesId, plan.from, plan.to]);
  return rows;
}
