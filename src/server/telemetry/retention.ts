import type pg from "pg";
import { COMPACT_BUCKET_MS } from "./compaction";
import { dropPartition, listPartitions, withClient, type TelemetryTable } from "./partition-maintenance";

/**
 * Retention per metric (metric.raw_retention_days, rollup_1m_retention_days, rollup_1h_retention_days;
 * null = keep forever). Raw readings (telemetry_reading and telemetry_compact) with ts < now - raw days
 * go; a rollup goes when its whole bucket is older than now - its days.
 *
 * Cheap first: a partition whose whole range is past the longest retention of every metric is dropped
 * (a catalogue change, no per-row work); what remains past a shorter retention is deleted by series and
 * time range, per metric, through the primary keys.
 */

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  /** Only these metrics' rows (tests): no partition is dropped then. */
  metricIds?: number[];
  /** How long dropping a partition may wait for its table lock (default 1000 ms). */
  lockTimeoutMs?: number;
}

export interface RetentionResult {
  droppedPartitions: string[];
  deleted: { raw: number; compactRows: number; compactTrimmed: number; rollup1m: number; rollup1h: number };
}

interface MetricRetention {
  id: number;
  raw: number;
  r1m: number;
  r1h: number | null;
  series: number[];
}

const cutoffOf = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

export async function applyRetention(pool: pg.Pool, now: Date, opts: RetentionOptions = {}): Promise<RetentionResult> {
  const result: RetentionResult = { droppedPartitions: [], deleted: { raw: 0, compactRows: 0, compactTrimmed: 0, rollup1m: 0, rollup1h: 0 } };
  const { rows: metrics } = await pool.query<MetricRetention>(
    `SELECT m.id, m.raw_retention_days AS raw, m.rollup_1m_retention_days AS r1m, m.rollup_1h_retention_days AS r1h,
            coalesce(array_agg(s.id ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL), '{}') AS series
       FROM metric m LEFT JOIN series s ON s.metric_id = m.id
      GROUP BY m.id ORDER BY m.id`,
  );
  if (metrics.length === 0) return result;

  if (!opts.metricIds) {
    // A partition may go when no metric keeps anything in it: its end is before the earliest cutoff.
    const longest = (pick: (m: MetricRetention) => number | null): number | null =>
      metrics.some((m) => pick(m) === null) ? null : Math.max(...metrics.map((m) => pick(m)!));
    const plan: [TelemetryTable, number | null][] = [
      ["telemetry_reading", longest((m) => m.raw)],
      ["telemetry_compact", longest((m) => m.raw)],
      ["telemetry_rollup_1m", longest((m) => m.r1m)],
      ["telemetry_rollup_1h", longest((m) => m.r1h)],
    ];
    await withClient(pool, async (client) => {
      for (const [table, days] of plan) {
        if (days === null) continue;
        const cutoff = cutoffOf(now, days).getTime();
        for (const p of await listPartitions(client, table)) {
          if (p.to.getTime() > cutoff) break;
          if (await dropPartition(client, table, p.name, { lockTimeoutMs: opts.lockTimeoutMs })) result.droppedPartitions.push(p.name);
        }
      }
    });
  }

  const wanted = opts.metricIds ? new Set(opts.metricIds) : undefined;
  for (const m of metrics) {
    if (wanted && !wanted.has(m.id)) continue;
    if (m.series.length === 0) continue;
    const raw = cutoffOf(now, m.raw);
    const deleted = await pool.query("DELETE FROM telemetry_reading WHERE series_id = ANY ($1::int[]) AND ts < $2", [m.series, raw]);
    result.deleted.raw += deleted.rowCount ?? 0;
    const whole = await pool.query(
      "DELETE FROM telemetry_compact WHERE series_id = ANY ($1::int[]) AND bucket <= $2::timestamptz - interval '1 hour'",
      [m.series, raw],
    );
    result.deleted.compactRows += whole.rowCount ?? 0;
    result.deleted.compactTrimmed += await trimCompactHour(pool, m.series, raw);
    const r1m = await pool.query(
      "DELETE FROM telemetry_rollup_1m WHERE series_id = ANY ($1::int[]) AND bucket <= $2::timestamptz - interval '1 minute'",
      [m.series, cutoffOf(now, m.r1m)],
    );
    result.deleted.rollup1m += r1m.rowCount ?? 0;
    if (m.r1h !== null) {
      const r1h = await pool.query(
        "DELETE FROM telemetry_rollup_1h WHERE series_id = ANY ($1::int[]) AND bucket <= $2::timestamptz - interval '1 hour'",
        [m.series, cutoffOf(now, m.r1h)],
      );
      result.deleted.rollup1h += r1h.rowCount ?? 0;
    }
  }
  return result;
}

/**
 * The compact hour that holds the cutoff keeps only its readings at or after it (one row per series);
 * a row left empty is deleted. Returns the readings removed.
 */
async function trimCompactHour(pool: pg.Pool, seriesIds: number[], cutoff: Date): Promise<number> {
  const bucket = new Date(Math.floor(cutoff.getTime() / COMPACT_BUCKET_MS) * COMPACT_BUCKET_MS);
  const keepFrom = cutoff.getTime() - bucket.getTime();
  if (keepFrom === 0) return 0;
  return withClient(pool, async (client) => {
    await client.query("BEGIN");
    try {
      const { rows } = await client.query<{ removed: number }>(
        `WITH old AS (
           SELECT series_id, bucket, cardinality(ts_offsets) AS n FROM telemetry_compact
            WHERE series_id = ANY ($1::int[]) AND bucket = $2 AND ts_offsets[1] < $3
            FOR UPDATE),
         kept AS (
           UPDATE telemetry_compact c SET (ts_offsets, vals) = (
             SELECT array_agg(u.o ORDER BY u.o), array_agg(u.v ORDER BY u.o)
               FROM unnest(c.ts_offsets, c.vals) AS u(o, v) WHERE u.o >= $3)
             FROM old WHERE c.series_id = old.series_id AND c.bucket = old.bucket
           RETURNING c.series_id, old.n - coalesce(cardinality(c.ts_offsets), 0) AS removed)
         SELECT coalesce(sum(removed), 0)::int AS removed FROM kept`,
        [seriesIds, bucket, keepFrom],
      );
      await client.query("DELETE FROM telemetry_compact WHERE series_id = ANY ($1::int[]) AND bucket = $2 AND ts_offsets IS NULL", [seriesIds, bucket]);
      await client.query("COMMIT");
      return rows[0]?.removed ?? 0;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  });
}
