import type pg from "pg";
import { dropPartition, listPartitions, quoteIdent, withClient, type Partition } from "./partition-maintenance";

/**
 * Compaction of raw telemetry (phase 1a): readings of whole UTC hours older than a horizon (a day in
 * production) move from telemetry_reading (a row of ~84 bytes per reading with its index) to
 * telemetry_compact (one row per series and hour holding two arrays: ~13 bytes per reading). Readers go
 * through telemetry_points / readPoints and never see the difference.
 *
 * Guarantees: a reading is in exactly one place after every committed transaction (moves are single
 * statements, DELETE ... RETURNING feeding the INSERT, or copy-then-TRUNCATE in one transaction), so a
 * crash at any point loses or duplicates nothing and a rerun carries on. Late readings for an hour that
 * is already compacted are stored raw by the store; telemetry_points hides any duplicate (the compacted
 * value wins) and the next run merges them into the hour's row (again keeping the compacted value).
 */

export const COMPACT_BUCKET_MS = 3_600_000;
const DAY_MS = 86_400_000;
const EPOCH = "timestamptz '1970-01-01 00:00:00+00'";
/** pg_advisory_lock(namespace, key): one compaction at a time per database. */
const LOCK_KEYS = [0x45434d54 /* "ECMT" */, 1] as const;

export interface CompactTelemetryOptions {
  /** Readings in hours that end at or before this instant are compacted (it is floored to the hour). */
  olderThan: Date;
  /** Series per statement (default 20: ~1.7 M readings per day at 1 Hz). */
  batchSeries?: number;
  /** Only these series (tests, targeted reruns). Partitions are then never truncated or dropped. */
  seriesIds?: number[];
  /** How long dropping an emptied raw partition may wait for its table lock (default 1000 ms). */
  lockTimeoutMs?: number;
  /** Called after each statement that moved readings; `committed` is false inside a whole-partition transaction. */
  onProgress?: (p: CompactProgress) => void | Promise<void>;
}

export interface CompactProgress {
  partition: string;
  readings: number;
  rows: number;
  committed: boolean;
}

export interface CompactTelemetryResult {
  /** readings moved (or merged) into telemetry_compact */
  readings: number;
  /** compact rows written (inserted or merged) */
  rows: number;
  /** raw partitions entirely older than the horizon, emptied by TRUNCATE after their copy */
  truncatedPartitions: string[];
  droppedPartitions: string[];
}

// Offsets are exact: extract(epoch ...) is numeric, and both times are whole milliseconds.
const grouped = (source: string) => `
  SELECT series_id, bucket,
         array_agg(((extract(epoch FROM ts) - extract(epoch FROM bucket)) * 1000)::integer ORDER BY ts) AS ts_offsets,
         array_agg(value ORDER BY ts) AS vals
    FROM (SELECT series_id, ts, value, date_bin(interval '1 hour', ts, ${EPOCH}) AS bucket FROM ${source}) s
   GROUP BY series_id, bucket`;

// On an hour that is already compacted (late readings), merge: union by offset, the compacted value wins.
const upsert = `
  INSERT INTO telemetry_compact AS t (series_id, bucket, ts_offsets, vals)
  SELECT series_id, bucket, ts_offsets, vals FROM grouped
  ON CONFLICT (series_id, bucket) DO UPDATE SET (ts_offsets, vals) = (
    SELECT array_agg(m.o ORDER BY m.o), array_agg(m.v ORDER BY m.o)
      FROM (SELECT DISTINCT ON (a.o) a.o, a.v
              FROM (SELECT u.o, u.v, 0 AS p FROM unnest(t.ts_offsets, t.vals) AS u(o, v)
                    UNION ALL
                    SELECT e.o, e.v, 1 FROM unnest(excluded.ts_offsets, excluded.vals) AS e(o, v)) a
             ORDER BY a.o, a.p) m)`;

interface ChunkResult {
  readings: number;
  rows: number;
}

/**
 * Moves the raw readings of `seriesIds` with from <= ts < to into telemetry_compact in one statement
 * (DELETE ... RETURNING feeding the INSERT). Both bounds must be whole hours (UTC). Runs on the caller's
 * client and transaction, so a caller can wrap it (tests abort it to prove atomicity). `table` may be a
 * partition of telemetry_reading, which spares the planner the others.
 */
export async function moveReadings(
  client: pg.ClientBase,
  input: { seriesIds: number[]; from: Date; to: Date; table?: string },
): Promise<ChunkResult> {
  assertHour(input.from);
  assertHour(input.to);
  const { rows } = await client.query<ChunkResult>(
    `WITH moved AS (
       DELETE FROM ${quoteIdent(input.table ?? "telemetry_reading")}
        WHERE series_id = ANY ($1::int[]) AND ts >= $2 AND ts < $3
       RETURNING series_id, ts, value),
     grouped AS (${grouped("moved")}),
     ins AS (${upsert} RETURNING 1)
     SELECT (SELECT count(*) FROM moved)::int AS readings, (SELECT count(*) FROM ins)::int AS rows`,
    [input.seriesIds, input.from, input.to],
  );
  return rows[0]!;
}

/** Copies (without deleting) raw readings into telemetry_compact; the caller truncates the source. */
async function copyReadings(client: pg.ClientBase, partition: string, seriesIds: number[], from: Date, to: Date): Promise<ChunkResult> {
  const { rows } = await client.query<ChunkResult>(
    `WITH grouped AS MATERIALIZED (${grouped(
      `${quoteIdent(partition)} WHERE series_id = ANY ($1::int[]) AND ts >= $2 AND ts < $3`,
    )}),
     ins AS (${upsert} RETURNING 1)
     SELECT (SELECT coalesce(sum(cardinality(ts_offsets)), 0) FROM grouped)::int AS readings, (SELECT count(*) FROM ins)::int AS rows`,
    [seriesIds, from, to],
  );
  return rows[0]!;
}

function assertHour(d: Date) {
  if (d.getTime() % COMPACT_BUCKET_MS !== 0) throw new Error(`compaction: ${d.toISOString()} is not a whole hour (UTC)`);
}

/**
 * Distinct series of a raw partition with a reading before `before` (of `only`, when given): a loose
 * index scan on its primary key, or one probe per series of `only`.
 */
async function seriesInPartition(client: pg.ClientBase, partition: string, before: Date, only?: number[]): Promise<number[]> {
  const p = quoteIdent(partition);
  if (only) {
    const { rows } = await client.query<{ id: number }>(
      `SELECT id FROM unnest($2::int[]) AS id WHERE EXISTS (SELECT 1 FROM ${p} WHERE series_id = id AND ts < $1) ORDER BY id`,
      [before, only],
    );
    return rows.map((r) => r.id);
  }
  // The time bound is checked per series (an index range ending at `before`), not inside the skip step,
  // where it would make the scan read every entry of a series that has none before it.
  const { rows } = await client.query<{ id: number }>(
    `WITH RECURSIVE s(id) AS (
       (SELECT series_id FROM ${p} ORDER BY series_id LIMIT 1)
       UNION ALL
       SELECT (SELECT series_id FROM ${p} WHERE series_id > s.id ORDER BY series_id LIMIT 1) FROM s WHERE s.id IS NOT NULL)
     SELECT id FROM s WHERE id IS NOT NULL AND EXISTS (SELECT 1 FROM ${p} WHERE series_id = s.id AND ts < $1)`,
    [before],
  );
  return rows.map((r) => r.id);
}

/** [from, to) cut into UTC days (the unit of one statement). */
function days(from: number, to: number): [Date, Date][] {
  const out: [Date, Date][] = [];
  for (let t = from; t < to; ) {
    const end = Math.min(to, Math.floor(t / DAY_MS) * DAY_MS + DAY_MS);
    out.push([new Date(t), new Date(end)]);
    t = end;
  }
  return out;
}

function batches(ids: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

// Each statement sorts up to batchSeries x a day of readings and aggregates them into arrays.
const SESSION_SETTINGS = ["SET LOCAL work_mem = '128MB'", "SET LOCAL jit = off"];

/**
 * Compacts every raw reading in hours that end at or before `olderThan` (all series, or `seriesIds`).
 * Idempotent and safe to rerun or kill at any point; runs one at a time per database (advisory lock).
 *
 * - A raw partition (a week) that lies entirely before the horizon is copied in one transaction that
 *   holds SHARE on it (late writers to that week wait; readers do not), then TRUNCATEd in the same
 *   transaction: no per-row delete, no vacuum. The emptied partition is then dropped when its table lock
 *   can be had within `lockTimeoutMs` (else on a later run).
 * - The partition that holds the horizon moves its older hours with DELETE ... RETURNING, one statement
 *   (= one transaction) per batch of series and UTC day.
 */
export async function compactTelemetry(pool: pg.Pool, opts: CompactTelemetryOptions): Promise<CompactTelemetryResult> {
  const horizon = Math.floor(opts.olderThan.getTime() / COMPACT_BUCKET_MS) * COMPACT_BUCKET_MS;
  const batchSize = Math.max(1, Math.floor(opts.batchSeries ?? 20));
  const only = opts.seriesIds ? [...new Set(opts.seriesIds)].sort((a, b) => a - b) : undefined;
  const result: CompactTelemetryResult = { readings: 0, rows: 0, truncatedPartitions: [], droppedPartitions: [] };
  if (only?.length === 0) return result;

  return withClient(pool, async (client) => {
    await client.query("SELECT pg_advisory_lock($1, $2)", [...LOCK_KEYS]);
    try {
      const partitions = (await listPartitions(client, "telemetry_reading")).filter((p) => p.from.getTime() < horizon);
      if (partitions.length === 0) return result;
      // Compact partitions for every hour we may write; autocommit, as the function asks.
      await client.query("SELECT ecomate_ensure_partitions('telemetry_compact', $1, $2)", [partitions[0]!.from, new Date(horizon - 1)]);

      const report = async (partition: string, chunk: ChunkResult, committed: boolean) => {
        if (chunk.readings === 0 && chunk.rows === 0) return;
        result.readings += chunk.readings;
        result.rows += chunk.rows;
        await opts.onProgress?.({ partition, readings: result.readings, rows: result.rows, committed });
      };

      for (const part of partitions) {
        const whole = part.to.getTime() <= horizon && !only;
        if (whole) {
          await compactWholePartition(client, part, batchSize, report);
          result.truncatedPartitions.push(part.name);
          continue;
        }
        const end = Math.min(part.to.getTime(), horizon);
        const ids = await seriesInPartition(client, part.name, new Date(end), only);
        for (const [from, to] of days(part.from.getTime(), end)) {
          for (const batch of batches(ids, batchSize)) {
            await client.query("BEGIN");
            try {
              for (const s of SESSION_SETTINGS) await client.query(s);
              const chunk = await moveReadings(client, { seriesIds: batch, from, to, table: part.name });
              await client.query("COMMIT");
              await report(part.name, chunk, true);
            } catch (err) {
              await client.query("ROLLBACK").catch(() => undefined);
              throw err;
            }
          }
        }
      }

      for (const name of result.truncatedPartitions) {
        if (await dropPartition(client, "telemetry_reading", name, { onlyIfEmpty: true, lockTimeoutMs: opts.lockTimeoutMs })) {
          result.droppedPartitions.push(name);
        }
      }
      return result;
    } finally {
      // (a dead connection releases its advisory lock by itself)
      await client.query("SELECT pg_advisory_unlock($1, $2)", [...LOCK_KEYS]).catch(() => undefined);
    }
  });
}

async function compactWholePartition(
  client: pg.ClientBase,
  part: Partition,
  batchSize: number,
  report: (partition: string, chunk: ChunkResult, committed: boolean) => Promise<void>,
): Promise<void> {
  await client.query("BEGIN");
  try {
    for (const s of SESSION_SETTINGS) await client.query(s);
    // SHARE: no writes to this week until we commit (late readings wait), reads go on.
    await client.query(`LOCK TABLE ${quoteIdent(part.name)} IN SHARE MODE`);
    const ids = await seriesInPartition(client, part.name, part.to);
    for (const [from, to] of days(part.from.getTime(), part.to.getTime())) {
      for (const batch of batches(ids, batchSize)) {
        await report(part.name, await copyReadings(client, part.name, batch, from, to), false);
      }
    }
    await client.query(`TRUNCATE ${quoteIdent(part.name)}`);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
