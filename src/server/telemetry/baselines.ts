import type pg from "pg";

/**
 * Robust running statistics per series (series_baseline), the reference of the baseline_deviation
 * alarms (an "enhanced" statistical alarm, domain.md §4.2): median and MAD of the hourly means over a
 * window of whole UTC hours, plus mean and sample standard deviation for display. Set-based: one
 * statement reads telemetry_rollup_1h (hourly mean = sum / count) and upserts every series at once.
 *
 * Only gauges: a counter's level (energy, lamp hours) or a boolean has no meaningful baseline. A series
 * with fewer than `minPoints` hours in the window keeps the baseline it had (its updated_at shows its
 * age) and is not counted.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const DEFAULT_BASELINE_WINDOW_DAYS = 14;
/** A day of hourly means: fewer and the median is dominated by one daily cycle's position. */
export const DEFAULT_BASELINE_MIN_POINTS = 24;

export interface ComputeBaselinesOptions {
  /** Days of hourly rollups (default 14). */
  windowDays?: number;
  /** Only these series (tests, targeted reruns). */
  seriesIds?: number[];
  /** The window ends at the start of this instant's hour (default now): the running hour is partial. */
  now?: Date;
  /** Hourly points a series needs in the window (default 24). */
  minPoints?: number;
}

const UPSERT = `
WITH hourly AS (
  SELECT r.series_id, r.sum / r.count AS v
    FROM telemetry_rollup_1h r
   WHERE r.bucket >= $1 AND r.bucket < $2 AND r.count > 0
     AND ($3::int[] IS NULL OR r.series_id = ANY ($3::int[]))
), centre AS (
  SELECT series_id,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS median,
         avg(v) AS mean,
         coalesce(stddev_samp(v), 0) AS stddev,
         count(*)::int AS n
    FROM hourly
   GROUP BY series_id
  HAVING count(*) >= $4
), spread AS (
  SELECT h.series_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h.v - c.median)) AS mad
    FROM hourly h JOIN centre c ON c.series_id = h.series_id
   GROUP BY h.series_id
)
INSERT INTO series_baseline AS b (series_id, median, mad, mean, stddev, count, window_days, updated_at)
SELECT c.series_id, c.median, s.mad, c.mean, c.stddev, c.n, $5, $6
  FROM centre c
  JOIN spread s ON s.series_id = c.series_id
  -- readings carry no foreign key to series: skip anything orphaned, and everything but gauges
  JOIN series se ON se.id = c.series_id
  JOIN metric m ON m.id = se.metric_id AND m.kind = 'gauge'
ON CONFLICT (series_id) DO UPDATE
   SET median = excluded.median, mad = excluded.mad, mean = excluded.mean, stddev = excluded.stddev,
       count = excluded.count, window_days = excluded.window_days, updated_at = excluded.updated_at`;

/** Recomputes the baselines of every series with enough hourly data; returns how many were written. */
export async function computeBaselines(pool: pg.Pool, opts: ComputeBaselinesOptions = {}): Promise<number> {
  const windowDays = opts.windowDays ?? DEFAULT_BASELINE_WINDOW_DAYS;
  if (!Number.isInteger(windowDays) || windowDays < 1) throw new Error(`computeBaselines: windowDays must be a whole number of days >= 1, got ${windowDays}`);
  const minPoints = Math.max(1, opts.minPoints ?? DEFAULT_BASELINE_MIN_POINTS);
  const now = opts.now ?? new Date();
  if (opts.seriesIds && opts.seriesIds.length === 0) return 0;
  const to = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const from = to - windowDays * DAY_MS;
  const result = await pool.query(UPSERT, [new Date(from), new Date(to), opts.seriesIds ?? null, minPoints, windowDays, now]);
  return result.rowCount ?? 0;
}
