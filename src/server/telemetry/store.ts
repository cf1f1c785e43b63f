import type pg from "pg";
import { float8ArrayBinary, int4ArrayBinary, timestamptzArrayBinary } from "@/server/telemetry/pg-binary";
import type { SeriesSummary } from "@/server/telemetry/live-publisher";

/** A reading ready to store: validated against the catalogue of its system. */
export interface StoreReading {
  metricId: number;
  componentId: string | null;
  /** epoch milliseconds */
  ts: number;
  value: number;
}

export interface StoreResult {
  accepted: number;
  duplicates: number;
}

const WEEK_MS = 7 * 86_400_000;

/** Thrown when the database cannot take the write now (down, restarting, overloaded): retry later. */
export class StorageUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super(`storage unavailable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "StorageUnavailableError";
  }
}

// Connection-level failures and server states where a retry is the right answer.
const RETRYABLE_SQLSTATE = /^(08|53|57P|58)|^40001$|^40P01$/;
const RETRYABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH"]);

export function isRetryableDbError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && (RETRYABLE_SQLSTATE.test(e.code) || RETRYABLE_ERRNO.has(e.code))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    e?.message ?? "",
  );
}

/**
 * The telemetry store: batched, set-based, idempotent on (series, ts): the first value stays.
 * One transaction per batch writes the readings, merges the 1-minute and 1-hour rollups
 * (min, max, sum, count, last) and the latest value per series; a caller may report readings as
 * accepted only after this resolves (the commit).
 */
export class TelemetryStore {
  /** system id -> component id ("" for the system level) -> metric id -> series id */
  private readonly seriesIds = new Map<string, Map<string, Map<number, number>>>();
  private readonly partitions = new Set<string>();
  /** Batches written by each path since start (for metrics and tests). */
  readonly batches = { fresh: 0, general: 0 };

  /**
   * @param onBatch called with what each batch holds per series as it is written, before its commit
   *   (the alert engine and the live feed listen to it): alarms must not wait for the WAL flush of a
   *   busy database (bench:alerts), and a batch that fails to commit is sent again by its device or
   *   redelivered by the broker, so what was announced will be stored. Never awaited, never allowed to
   *   fail the write.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly onBatch?: (summaries: SeriesSummary[]) => void,
  ) {}

  private announce(rows: SortedRows): void {
    if (!this.onBatch) return;
    try {
      const r = rollupRows(rows, Infinity);
      const out: SeriesSummary[] = [];
      for (let i = 0; i < r.series.length; i++) {
        out.push({ seriesId: r.series[i]!, ts: r.lastTs[i]!, last: r.last[i]!, min: r.min[i]!, max: r.max[i]!, count: r.count[i]! });
      }
      this.onBatch(out);
    } catch {
      // the announcement is best effort; the readings are stored
    }
  }

  private cachedSeries(systemId: string, componentId: string | null, metricId: number): number | undefined {
    return this.seriesIds.get(systemId)?.get(componentId ?? "")?.get(metricId);
  }

  private cacheSeries(systemId: string, componentId: string | null, metricId: number, id: number): void {
    let bySystem = this.seriesIds.get(systemId);
    if (!bySystem) this.seriesIds.set(systemId, (bySystem = new Map()));
    let byComponent = bySystem.get(componentId ?? "");
    if (!byComponent) bySystem.set(componentId ?? "", (byComponent = new Map()));
    byComponent.set(metricId, id);
  }

  /**
   * The series id of each (component, metric) pair of a system, in the order given, creating
   * missing series (concurrent creators converge on one row each).
   */
  async resolveSeries(systemId: string, pairs: { componentId: string | null; metricId: number }[]): Promise<Int32Array> {
    const ids = new Int32Array(pairs.length);
    let missing: { componentId: string | null; metricId: number }[] | undefined;
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i]!;
      const id = this.cachedSeries(systemId, p.componentId, p.metricId);
      if (id === undefined) (missing ??= []).push(p);
      else ids[i] = id;
    }
    if (!missing) return ids;
    const components = missing.map((m) => m.componentId);
    const metrics = missing.map((m) => m.metricId);
    await this.pool.query(
      `INSERT INTO series (system_id, component_id, metric_id)
       SELECT $1, c, m FROM unnest($2::text[], $3::int[]) AS x(c, m)
       ON CONFLICT DO NOTHING`,
      [systemId, components, metrics],
    );
    const { rows } = await this.pool.query<{ id: number; component_id: string | null; metric_id: number }>(
      `SELECT s.id, s.component_id, s.metric_id FROM series s
         JOIN unnest($2::text[], $3::int[]) AS x(c, m) ON s.component_id IS NOT DISTINCT FROM x.c AND s.metric_id = x.m
        WHERE s.system_id = $1`,
      [systemId, components, metrics],
    );
    for (const r of rows) this.cacheSeries(systemId, r.component_id, r.metric_id, r.id);
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i]!;
      const id = this.cachedSeries(systemId, p.componentId, p.metricId);
      if (id === undefined) throw new Error(`series for metric ${p.metricId} of system ${systemId} could not be created`);
      ids[i] = id;
    }
    return ids;
  }

  /** Makes sure raw and rollup partitions exist for [fromMs, toMs]. Cached per week. */
  async ensurePartitions(fromMs: number, toMs: number): Promise<void> {
    const first = Math.floor(fromMs / WEEK_MS);
    const last = Math.floor(toMs / WEEK_MS);
    let needed = false;
    for (let w = first; w <= last; w++) if (!this.partitions.has(String(w))) needed = true;
    if (!needed) return;
    const from = new Date(fromMs);
    const to = new Date(toMs);
    await this.pool.query(
      `SELECT ecomate_ensure_partitions('telemetry_reading', $1, $2),
              ecomate_ensure_partitions('telemetry_rollup_1m', $1, $2),
              ecomate_ensure_partitions('telemetry_rollup_1h', $1, $2)`,
      [from, to],
    );
    for (let w = first; w <= last; w++) this.partitions.add(String(w));
  }

  /** Stores readings of one system in one transaction. Resolves after the commit. */
  async store(systemId: string, readings: StoreReading[]): Promise<StoreResult> {
    return this.storeBatch([{ systemId, readings }]);
  }

  /** Stores readings of several systems in one transaction (the MQTT worker batches messages). */
  async storeBatch(groups: { systemId: string; readings: StoreReading[] }[]): Promise<StoreResult> {
    const total = groups.reduce((n, g) => n + g.readings.length, 0);
    if (total === 0) return { accepted: 0, duplicates: 0 };
    try {
      try {
        return await this.storeOnce(groups, total);
      } catch (err) {
        // 23514: no partition for a row — the partition cache is stale (e.g. retention dropped one).
        if ((err as { code?: string }).code !== "23514") throw err;
        this.partitions.clear();
        return await this.storeOnce(groups, total);
      }
    } catch (err) {
      if (isRetryableDbError(err)) throw new StorageUnavailableError(err);
      throw err;
    }
  }

  private async storeOnce(groups: { systemId: string; readings: StoreReading[] }[], total: number): Promise<StoreResult> {
    const series = new Int32Array(total);
    const ts = new Float64Array(total);
    const values = new Float64Array(total);
    let minTs = Infinity;
    let maxTs = -Infinity;
    let i = 0;
    for (const { systemId, readings } of groups) {
      series.set(await this.resolveSeries(systemId, readings), i);
      for (const r of readings) {
        if (r.ts < minTs) minTs = r.ts;
        if (r.ts > maxTs) maxTs = r.ts;
        ts[i] = r.ts;
        values[i] = r.value;
        i++;
      }
    }
    await this.ensurePartitions(minTs, maxTs);
    // A fixed order keeps row locks in one order across concurrent batches (no deadlocks) and index
    // inserts local; the order is stable, so the first of two readings with the same key comes first.
    const rows = sortedRows(series, ts, values);
    this.announce(rows);

    // Fast path, for live data (nothing of it can be compacted yet): a plain INSERT, with rollups and
    // latest values aggregated here. A duplicate anywhere makes the whole statement fail (23505) and
    // leaves nothing behind; the batch then takes the general path, which sorts duplicates out.
    if (minTs >= Date.now() - FRESH_WINDOW_MS && !hasRepeatedKey(rows)) {
      try {
        await this.pool.query({ name: "ecomate_store_fresh", text: STORE_FRESH_SQL, values: freshValues(rows) });
        this.batches.fresh++;
        return { accepted: total, duplicates: 0 };
      } catch (err) {
        if ((err as { code?: string }).code !== "23505") throw err;
      }
    }

    // General path, one statement: atomic on its own (no BEGIN/COMMIT round trips). Rollups and the
    // latest value are merged from the rows actually inserted, so a duplicate never counts twice.
    const { rows: result } = await this.pool.query<{ accepted: number }>({
      name: "ecomate_store_readings",
      text: STORE_SQL,
      values: [int4ArrayBinary(rows.s), timestamptzArrayBinary(rows.t), float8ArrayBinary(rows.v)],
    });
    this.batches.general++;
    const accepted = result[0]?.accepted ?? 0;

    return { accepted, duplicates: total - accepted };
  }
}

/** Readings as columns, sorted by (series, ts). */
export interface SortedRows {
  s: Int32Array;
  /** epoch ms */
  t: Float64Array;
  v: Float64Array;
}

/**
 * Sorts readings by (series, ts), stable: a counting sort on the series (a batch has few), then each
 * series' run by time, which devices usually send in order already.
 */
export function sortedRows(series: Int32Array, ts: Float64Array, values: Float64Array): SortedRows {
  const n = series.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(series[i]!, (counts.get(series[i]!) ?? 0) + 1);
  const start = new Map<number, number>();
  let at = 0;
  for (const id of [...counts.keys()].sort((a, b) => a - b)) {
    start.set(id, at);
    at += counts.get(id)!;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const pos = start.get(series[i]!)!;
    order[pos] = i;
    start.set(series[i]!, pos + 1);
  }
  // runs of one series: sort by time where they are not in order yet (Array sort is stable)
  for (let lo = 0; lo < n; ) {
    const id = series[order[lo]!]!;
    let hi = lo + 1;
    let ordered = true;
    while (hi < n && series[order[hi]!] === id) {
      if (ts[order[hi]!]! < ts[order[hi - 1]!]!) ordered = false;
      hi++;
    }
    if (!ordered) order.set(Array.from(order.subarray(lo, hi)).sort((a, b) => ts[a]! - ts[b]!), lo);
    lo = hi;
  }
  const out: SortedRows = { s: new Int32Array(n), t: new Float64Array(n), v: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const j = order[k]!;
    out.s[k] = series[j]!;
    out.t[k] = ts[j]!;
    out.v[k] = values[j]!;
  }
  return out;
}

/**
 * Readings newer than this cannot have been compacted (compaction takes data older than a day and the
 * general path checks the compact form for anything older than 20 hours): two hours of margin for
 * clock skew between this process and the database.
 */
const FRESH_WINDOW_MS = 18 * 3_600_000;

/** Is any (series, ts) there twice? */
export function hasRepeatedKey(rows: SortedRows): boolean {
  for (let i = 1; i < rows.s.length; i++) if (rows.s[i] === rows.s[i - 1] && rows.t[i] === rows.t[i - 1]) return true;
  return false;
}

export interface RollupRows {
  series: number[];
  /** bucket start, epoch ms (date_bin from the epoch) */
  bucket: number[];
  min: number[];
  max: number[];
  sum: number[];
  count: number[];
  /** the value at the latest ts of the bucket, and that ts */
  last: number[];
  lastTs: number[];
}

/**
 * Rollups (min, max, sum, count, last) of sorted rows in buckets of `widthMs` from the epoch — the
 * figures the general path computes in SQL. `widthMs` Infinity: one row per series (the latest value).
 */
export function rollupRows(rows: SortedRows, widthMs: number): RollupRows {
  const out: RollupRows = { series: [], bucket: [], min: [], max: [], sum: [], count: [], last: [], lastTs: [] };
  let k = -1;
  for (let i = 0; i < rows.s.length; i++) {
    const s = rows.s[i]!;
    const t = rows.t[i]!;
    const v = rows.v[i]!;
    const bucket = widthMs === Infinity ? 0 : Math.floor(t / widthMs) * widthMs;
    if (k >= 0 && out.series[k] === s && out.bucket[k] === bucket) {
      if (v < out.min[k]!) out.min[k] = v;
      if (v > out.max[k]!) out.max[k] = v;
      out.sum[k]! += v;
      out.count[k]!++;
      // rows are in time order within a series: the later one is the last
      out.last[k] = v;
      out.lastTs[k] = t;
    } else {
      k++;
      out.series.push(s);
      out.bucket.push(bucket);
      out.min.push(v);
      out.max.push(v);
      out.sum.push(v);
      out.count.push(1);
      out.last.push(v);
      out.lastTs.push(t);
    }
  }
  return out;
}

function rollupValues(r: RollupRows): Buffer[] {
  return [
    int4ArrayBinary(r.series),
    timestamptzArrayBinary(r.bucket),
    float8ArrayBinary(r.min),
    float8ArrayBinary(r.max),
    float8ArrayBinary(r.sum),
    int4ArrayBinary(r.count),
    float8ArrayBinary(r.last),
    timestamptzArrayBinary(r.lastTs),
  ];
}

function freshValues(rows: SortedRows): Buffer[] {
  const latest = rollupRows(rows, Infinity);
  return [
    int4ArrayBinary(rows.s),
    timestamptzArrayBinary(rows.t),
    float8ArrayBinary(rows.v),
    ...rollupValues(rollupRows(rows, 60_000)),
    ...rollupValues(rollupRows(rows, 3_600_000)),
    int4ArrayBinary(latest.series),
    timestamptzArrayBinary(latest.lastTs),
    float8ArrayBinary(latest.last),
  ];
}

const MERGE_ROLLUP = `
  ON CONFLICT (series_id, bucket) DO UPDATE SET
    min = least(r.min, excluded.min),
    max = greatest(r.max, excluded.max),
    sum = r.sum + excluded.sum,
    count = r.count + excluded.count,
    last = CASE WHEN excluded.last_ts >= r.last_ts THEN excluded.last ELSE r.last END,
    last_ts = greatest(r.last_ts, excluded.last_ts)`;
const MERGE_LATEST = `
  ON CONFLICT (series_id) DO UPDATE SET ts = excluded.ts, value = excluded.value WHERE excluded.ts >= l.ts`;

const rollupMerge = (table: string, width: string) => `
  INSERT INTO ${table} AS r (series_id, bucket, min, max, sum, count, last, last_ts)
  SELECT series_id, date_bin('${width}', ts, timestamptz 'epoch'), min(value), max(value), sum(value), count(*),
         -- the value at the latest ts without a sort: arrays compare element by element
         (max(ARRAY[extract(epoch FROM ts)::float8, value]))[2], max(ts)
    FROM ins GROUP BY 1, 2 ORDER BY 1, 2${MERGE_ROLLUP}`;

export const STORE_SQL = `
WITH x AS (
  SELECT s, ts, v FROM unnest($1::int[], $2::timestamptz[], $3::float8[]) AS u(s, ts, v)
), ins AS (
  INSERT INTO telemetry_reading (series_id, ts, value)
  SELECT s, ts, v FROM x
   -- data older than a day may already be compacted (telemetry_compact): a repeat of it is a duplicate too
   WHERE x.ts >= now() - interval '20 hours'
      OR NOT EXISTS (
        SELECT 1 FROM telemetry_compact c
         WHERE c.series_id = x.s AND c.bucket = date_bin('1 hour', x.ts, timestamptz 'epoch')
           AND (extract(epoch FROM x.ts - c.bucket) * 1000)::int4 = ANY (c.ts_offsets))
  ON CONFLICT DO NOTHING
  RETURNING series_id, ts, value
), m AS (${rollupMerge("telemetry_rollup_1m", "1 minute")}
), h AS (${rollupMerge("telemetry_rollup_1h", "1 hour")}
), l AS (
  INSERT INTO series_latest AS l (series_id, ts, value)
  SELECT DISTINCT ON (series_id) series_id, ts, value FROM ins ORDER BY series_id, ts DESC${MERGE_LATEST}
)
SELECT count(*)::int AS accepted FROM ins`;

const freshRollup = (table: string, p: number) => `
  INSERT INTO ${table} AS r (series_id, bucket, min, max, sum, count, last, last_ts)
  SELECT * FROM unnest($${p}::int[], $${p + 1}::timestamptz[], $${p + 2}::float8[], $${p + 3}::float8[], $${p + 4}::float8[],
                       $${p + 5}::int[], $${p + 6}::float8[], $${p + 7}::timestamptz[])${MERGE_ROLLUP}`;

/**
 * The fast path: readings with no key repeated and none old enough to be compacted; rollups and
 * latest values come aggregated (rollupRows). No ON CONFLICT on the readings: a duplicate fails the
 * statement (23505), which is cheaper than speculative insertion for every row of every batch.
 * Same shape as STORE_SQL — the main query reads `ins`, so readings are written first and the
 * rollups and latest values after them, in the same order on both paths: concurrent batches on the
 * two paths take their locks in one order (no deadlocks).
 */
export const STORE_FRESH_SQL = `
WITH ins AS (
  INSERT INTO telemetry_reading (series_id, ts, value)
  SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::float8[])
  RETURNING 1
), m AS (${freshRollup("telemetry_rollup_1m", 4)}
), h AS (${freshRollup("telemetry_rollup_1h", 12)}
), l AS (
  INSERT INTO series_latest AS l (series_id, ts, value)
  SELECT * FROM unnest($20::int[], $21::timestamptz[], $22::float8[])${MERGE_LATEST}
)
SELECT count(*)::int AS accepted FROM ins`;
