/**
 * What a schedule reads from telemetry: the meter of a meter-based schedule and the recent minutes of
 * a condition-based one. Reads rollups only (the raw readings are compacted after a day).
 *
 * Which series: the schedule's component when it reports the metric, else the system-level series,
 * else the system's only series of that metric (e.g. flow_rate on the flow transmitter ft-1). Several
 * candidates and no component to choose by: no meter (the list shows "no data").
 *
 * Counter resets (schedule-rules.ts, "counter resets") are found in the 1-minute rollups with one
 * query; the 1-hour rollups only narrow it down to the hours that can hold one, so a baseline set a
 * year ago costs ~9,000 hour rows, not 500,000 minute rows, every minute.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import {
  conditionWindowStart,
  DAY_MS,
  DERIVED_METERS,
  HOUR_MS,
  isDerivedMeter,
  latestCounterReset,
  METER_RATE_DAYS,
  MINUTE_MS,
  resetBaselineAt,
  resetSearchStart,
  RUNNING_SOURCE_METRICS,
  type CounterDrop,
  type CounterReset,
  type MinuteBucket,
} from "./schedule-rules";

type DbOrTx = Db | Prisma.TransactionClient;

export interface ScheduleTarget {
  organizationId: string;
  systemId: string;
  componentId: string | null;
}

export interface MeterReading {
  value: number;
  /** meter units per day over the last 7 days (or since the data began); null when unknown */
  ratePerDay: number | null;
  unit: string;
  seriesId: number;
  /** the metric the value comes from (running hours: pump_speed, power or flow_rate) */
  sourceMetric: string;
  /** counters read with `resets`: the latest reset since then (or in the last 7 days); else null */
  reset: CounterReset | null;
}

/** Look for counter resets since `since` (the schedule's baseline) that fell by more than `tolerance`. */
export interface ResetSearch {
  since: Date;
  tolerance: number;
}

/** The series the schedule reads for the first of `metricKeys` that has one (see the module comment). */
export async function findScheduleSeries(db: DbOrTx, target: ScheduleTarget, metricKeys: readonly string[]): Promise<{ seriesId: number; metricKey: string; unit: string } | null> {
  const rows = await db.series.findMany({
    where: {
      systemId: target.systemId,
      metric: { key: { in: [...metricKeys] }, OR: [{ organizationId: null }, { organizationId: target.organizationId }] },
    },
    select: { id: true, componentId: true, metric: { select: { key: true, unit: true } } },
  });
  const pick = (match: (r: (typeof rows)[number], key: string) => boolean) => {
    for (const key of metricKeys) {
      const hits = rows.filter((r) => r.metric.key === key && match(r, key));
      if (hits.length === 1) return { seriesId: hits[0]!.id, metricKey: key, unit: hits[0]!.metric.unit };
    }
    return null;
  };
  return (
    (target.componentId ? pick((r) => r.componentId === target.componentId) : null) ??
    pick((r) => r.componentId === null) ??
    // power of a whole system mixes pump and UV lamps: only a component's power says "running"
    pick((r, key) => key !== "power" || metricKeys.length === 1)
  );
}

/**
 * The meter of a meter-based schedule as of `now`; null while its telemetry has no data. With
 * `resets`, a counter is also searched for resets, and its rate is read from after the latest one.
 */
export async function readMeter(db: DbOrTx, target: ScheduleTarget, meterKey: string, now: Date, resets?: ResetSearch): Promise<MeterReading | null> {
  if (isDerivedMeter(meterKey)) {
    const source = await findScheduleSeries(db, target, meterKey === "running_hours" ? RUNNING_SOURCE_METRICS : ["flow_rate"]);
    if (!source) return null;
    const r = await readDerived(db, source.seriesId, meterKey, now);
    return r ? { ...r, unit: DERIVED_METERS[meterKey].unit, seriesId: source.seriesId, sourceMetric: source.metricKey, reset: null } : null;
  }
  const source = await findScheduleSeries(db, target, [meterKey]);
  if (!source) return null;
  // also the rate window: a reset before the baseline but within 7 days still bounds the rate
  const searchFrom = resets ? new Date(Math.min(resets.since.getTime(), now.getTime() - METER_RATE_DAYS * DAY_MS)) : null;
  const reset = resets && searchFrom ? await readCounterReset(db, source.seriesId, searchFrom, now, resets.tolerance) : null;
  const r = await readCounter(db, source.seriesId, now, reset ? resetBaselineAt(reset) : null);
  return r ? { ...r, unit: source.unit, seriesId: source.seriesId, sourceMetric: source.metricKey, reset } : null;
}

/**
 * A counter (lamp_hours, energy): its latest value in a complete minute before `now`. The rate is the
 * increase since the last value 7 days earlier (or the first value, for younger series) over the time
 * between the two readings, from 1-minute rollups. After a reset (`restartedAt`: the end of its
 * minute) only the new counter's values count: the old ones would give a negative rate.
 */
async function readCounter(db: DbOrTx, seriesId: number, now: Date, restartedAt: Date | null): Promise<{ value: number; ratePerDay: number | null } | null> {
  const then = new Date(Math.max(now.getTime() - METER_RATE_DAYS * DAY_MS, restartedAt?.getTime() ?? -Infinity));
  // the reset minute's own last value is already the new counter's
  const floor = restartedAt ? new Date(restartedAt.getTime() - MINUTE_MS) : null;
  const rows = await db.$queryRaw<{ value: number; at: Date; ref_value: number | null; ref_at: Date | null }[]>`
    SELECT latest.last AS value, latest.last_ts AS at, ref.last AS ref_value, ref.last_ts AS ref_at
      FROM (SELECT m.last, m.last_ts FROM telemetry_rollup_1m m
             WHERE m.series_id = ${seriesId}::int AND m.bucket <= ${now}::timestamptz - interval '1 minute'
             ORDER BY m.bucket DESC LIMIT 1) latest
      LEFT JOIN LATERAL (
        SELECT c.last, c.last_ts FROM (
          (SELECT t.last, t.last_ts, 0 AS pref FROM telemetry_rollup_1m t
            WHERE t.series_id = ${seriesId}::int AND t.bucket <= ${then}::timestamptz - interval '1 minute'
              AND t.bucket >= coalesce(${floor}::timestamptz, '-infinity')
            ORDER BY t.bucket DESC LIMIT 1)
          UNION ALL
          (SELECT f.last, f.last_ts, 1 AS pref FROM telemetry_rollup_1m f
            WHERE f.series_id = ${seriesId}::int AND f.bucket >= coalesce(${floor}::timestamptz, '-infinity')
            ORDER BY f.bucket ASC LIMIT 1)
        ) c ORDER BY c.pref LIMIT 1
      ) ref ON true`;
  const row = rows[0];
  if (!row) return null;
  const spanMs = row.ref_at ? row.at.getTime() - row.ref_at.getTime() : 0;
  const ratePerDay = row.ref_value !== null && spanMs >= HOUR_MS ? (row.value - row.ref_value) / (spanMs / DAY_MS) : null;
  // a counter that went backwards (replaced lamp, reset meter) has no meaningful rate
  return { value: row.value, ratePerDay: ratePerDay !== null && ratePerDay >= 0 ? ratePerDay : null };
}

/** Drops beyond the tolerance a search returns at most (newest first); resets are far rarer. */
const MAX_DROPS = 100;

/**
 * The latest reset of a counter series in the complete minutes from `since` (resetSearchStart) to
 * `now`, or null. One query:
 * - hours: complete 1-hour rollups from the one before `since` on, each with the previous hour's last
 *   value and the highest value of all later hours. An hour can hold a reset only if it ended clearly
 *   below both the previous hour's end and its own maximum (a reset that stays down does; a counter
 *   that only rises never does);
 * - minutes: the 1-minute rollups of those hours and of the current hour, each with the previous
 *   minute's last value (lag; for an hour's first minute the previous hour's last) and the highest
 *   value after it (the rest of its hour, then the later hours);
 * - the minutes that ended more than `tolerance` below the previous one, newest first.
 * latestCounterReset then keeps the newest that stayed down.
 */
export async function readCounterReset(db: DbOrTx, seriesId: number, since: Date, now: Date, tolerance: number): Promise<CounterReset | null> {
  const from = new Date(resetSearchStart(since));
  // hour buckets are UTC hours (rollups are aligned to the epoch), not the session's time zone
  const fromHour = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  const hourStart = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  const rows = await db.$queryRaw<{ bucket: Date; before: number; min: number; last: number; later: number | null }[]>`
    WITH hours AS (
      SELECT h.bucket, h.max, h.last,
             lag(h.last) OVER (ORDER BY h.bucket) AS prev_last,
             -- a running max from the end: a frame that only grows (1 FOLLOWING .. UNBOUNDED is quadratic)
             max(h.max) OVER (ORDER BY h.bucket DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS later_max
        FROM telemetry_rollup_1h h
       WHERE h.series_id = ${seriesId}::int AND h.bucket < ${hourStart}::timestamptz
         AND h.bucket >= coalesce((SELECT max(p.bucket) FROM telemetry_rollup_1h p
                                    WHERE p.series_id = ${seriesId}::int AND p.bucket < ${fromHour}::timestamptz), ${fromHour}::timestamptz)
    ), current_hour AS (
      SELECT m.bucket, m.min, m.max, m.last FROM telemetry_rollup_1m m
       WHERE m.series_id = ${seriesId}::int AND m.bucket >= ${hourStart}::timestamptz AND m.bucket <= ${now}::timestamptz - interval '1 minute'
    ), candidates AS (
      SELECT bucket, prev_last, greatest(later_max, (SELECT max(max) FROM current_hour)) AS later_max
        FROM hours
       WHERE bucket >= ${fromHour}::timestamptz AND last < greatest(prev_last, max) - ${tolerance}::float8
    ), minutes AS (
      SELECT m.bucket, m.min, m.max, m.last, c.bucket AS hour, c.prev_last AS hour_prev, c.later_max AS hour_later
        FROM candidates c
        JOIN telemetry_rollup_1m m ON m.series_id = ${seriesId}::int AND m.bucket >= c.bucket AND m.bucket < c.bucket + interval '1 hour'
      UNION ALL
      SELECT bucket, min, max, last, ${hourStart}::timestamptz, (SELECT last FROM hours ORDER BY bucket DESC LIMIT 1), NULL::float8
        FROM current_hour
    ), steps AS (
      SELECT bucket, min, last,
             lag(last, 1, hour_prev) OVER (PARTITION BY hour ORDER BY bucket) AS before,
             greatest(max(max) OVER (PARTITION BY hour ORDER BY bucket DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), hour_later) AS later
        FROM minutes
    )
    SELECT bucket, before, min, last, later FROM steps
     WHERE bucket >= ${from}::timestamptz AND last < before - ${tolerance}::float8
     ORDER BY bucket DESC LIMIT ${MAX_DROPS}::int`;
  const drops: CounterDrop[] = rows.map((r) => ({ bucket: r.bucket.getTime(), before: r.before, min: r.min, last: r.last, laterMax: r.later }));
  return latestCounterReset(drops, tolerance);
}

/**
 * Running hours or pumped volume since the series began, as of `now`, from rollups:
 * - complete hours come from the 1-hour rollups: an hour's readings stand for the whole hour
 *   (volume: its average flow x 1 h; running: min > 0 counts the hour);
 * - hours that were partly running (min <= 0 < max) and the current hour come from 1-minute rollups:
 *   a minute with min > 0 counts fully, one with only max > 0 counts half (it ran for part of it);
 *   volume per minute = its average flow / 60.
 * The rate is the increase over the last 7 days (or since the data began) per day.
 */
async function readDerived(db: DbOrTx, seriesId: number, key: "running_hours" | "pumped_volume", now: Date): Promise<{ value: number; ratePerDay: number | null } | null> {
  const hourStart = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  const since = new Date(now.getTime() - METER_RATE_DAYS * DAY_MS);
  const running = key === "running_hours";
  const rows = await db.$queryRaw<{ total: number | null; recent: number | null; first_at: Date | null }[]>`
    WITH hours AS (
      SELECT bucket, min, max, sum / count AS avg FROM telemetry_rollup_1h
       WHERE series_id = ${seriesId}::int AND bucket < ${hourStart}::timestamptz
    ), split AS (
      SELECT bucket FROM hours WHERE ${running}::boolean AND min <= 0 AND max > 0
    ), minutes AS (
      SELECT m.bucket, m.min, m.max, m.sum / m.count AS avg
        FROM split JOIN telemetry_rollup_1m m
          ON m.series_id = ${seriesId}::int AND m.bucket >= split.bucket AND m.bucket < split.bucket + interval '1 hour'
      UNION ALL
      SELECT m.bucket, m.min, m.max, m.sum / m.count AS avg FROM telemetry_rollup_1m m
       WHERE m.series_id = ${seriesId}::int AND m.bucket >= ${hourStart}::timestamptz AND m.bucket <= ${now}::timestamptz - interval '1 minute'
    ), parts AS (
      SELECT bucket, CASE WHEN ${running}::boolean THEN (CASE WHEN min > 0 THEN 1.0 ELSE 0.0 END) ELSE avg END AS amount
        FROM hours WHERE NOT (${running}::boolean AND min <= 0 AND max > 0)
      UNION ALL
      SELECT bucket, CASE WHEN ${running}::boolean THEN (CASE WHEN min > 0 THEN 1.0 WHEN max > 0 THEN 0.5 ELSE 0.0 END) ELSE avg END / 60.0 AS amount
        FROM minutes
    )
    SELECT sum(amount)::float8 AS total,
           (sum(amount) FILTER (WHERE bucket >= ${since}::timestamptz))::float8 AS recent,
           min(bucket) AS first_at
      FROM parts`;
  const row = rows[0];
  if (!row || row.total === null || !row.first_at) return null;
  const spanDays = Math.min(METER_RATE_DAYS, (now.getTime() - row.first_at.getTime()) / DAY_MS);
  const ratePerDay = spanDays * DAY_MS >= HOUR_MS ? (row.recent ?? 0) / spanDays : null;
  return { value: row.total, ratePerDay };
}

/** Complete 1-minute rollups of the condition's series from the evaluation window's start. */
export async function readConditionMinutes(
  db: DbOrTx,
  target: ScheduleTarget,
  metricKey: string,
  holdMinutes: number,
  now: Date,
): Promise<{ buckets: MinuteBucket[]; windowStart: number; seriesId: number | null }> {
  const windowStart = conditionWindowStart(now, holdMinutes);
  const source = await findScheduleSeries(db, target, [metricKey]);
  if (!source) return { buckets: [], windowStart, seriesId: null };
  const rows = await db.$queryRaw<{ bucket: Date; min: number; max: number }[]>`
    SELECT bucket, min, max FROM telemetry_rollup_1m
     WHERE series_id = ${source.seriesId}::int AND bucket >= ${new Date(windowStart)}::timestamptz AND bucket <= ${now}::timestamptz - interval '1 minute'
     ORDER BY bucket`;
  return { buckets: rows.map((r) => ({ bucket: r.bucket.getTime(), min: r.min, max: r.max })), windowStart, seriesId: source.seriesId };
}

