import type pg from "pg";

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

/**
 * Array literals built by hand: faster than pg's generic conversion for thousands of values, and
 * exact — String() is the shortest round-trip form of a float64, except that it drops the sign of -0.
 */
const floatText = (v: number) => (Object.is(v, -0) ? "-0" : String(v));
export function float8Array(values: number[]): string {
  return `{${values.map(floatText).join(",")}}`;
}
export function intArray(values: number[]): string {
  return `{${values.join(",")}}`;
}

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
  private readonly seriesIds = new Map<string, number>();
  private readonly partitions = new Set<string>();

  constructor(private readonly pool: pg.Pool) {}

  private static seriesKey(systemId: string, componentId: string | null, metricId: number): string {
    return `${systemId}|${componentId ?? ""}|${metricId}`;
  }

  /** Series ids for the (component, metric) pairs of a system, creating missing series. */
  async resolveSeries(systemId: string, pairs: { componentId: string | null; metricId: number }[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing: { componentId: string | null; metricId: number }[] = [];
    for (const p of pairs) {
      const key = TelemetryStore.seriesKey(systemId, p.componentId, p.metricId);
      if (out.has(key)) continue;
      const id = this.seriesIds.get(key);
      if (id !== undefined) out.set(key, id);
      else {
        out.set(key, -1);
        missing.push(p);
      }
    }
    if (missing.length) {
      const components = missing.map((m) => m.componentId);
      const metrics = missing.map((m) => m.metricId);
      // Insert what is new, then read all of them back (concurrent creators converge on one row each).
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
      for (const r of rows) {
        const key = TelemetryStore.seriesKey(systemId, r.component_id, r.metric_id);
        this.seriesIds.set(key, r.id);
        out.set(key, r.id);
      }
    }
    return out;
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
    let minTs = Infinity;
    let maxTs = -Infinity;
    const rows: { s: number; t: number; v: number }[] = [];
    for (const { systemId, readings } of groups) {
      const series = await this.resolveSeries(systemId, readings);
      for (const r of readings) {
        if (r.ts < minTs) minTs = r.ts;
        if (r.ts > maxTs) maxTs = r.ts;
        rows.push({ s: series.get(TelemetryStore.seriesKey(systemId, r.componentId, r.metricId))!, t: r.ts, v: r.value });
      }
    }
    await this.ensurePartitions(minTs, maxTs);
    // A fixed order keeps row locks in one order across concurrent batches (no deadlocks);
    // a stable sort keeps the first of two readings with the same (series, ts).
    rows.sort((a, b) => a.s - b.s || a.t - b.t);

    // One statement: atomic on its own (no BEGIN/COMMIT round trips). Rollups and the latest value are
    // merged from the rows actually inserted, so a duplicate never counts twice.
    const { rows: result } = await this.pool.query<{ accepted: number }>({
      name: "ecomate_store_readings",
      text: STORE_SQL,
      values: [intArray(rows.map((r) => r.s)), intArray(rows.map((r) => r.t)), float8Array(rows.map((r) => r.v))],
    });
    const accepted = result[0]?.accepted ?? 0;
    return { accepted, duplicates: total - accepted };
  }
}

const rollupMerge = (table: string, width: string) => `
  INSERT INTO ${table} AS r (series_id, bucket, min, max, sum, count, last, last_ts)
  SELECT series_id, date_bin('${width}', ts, timestamptz 'epoch'), min(value), max(value), sum(value), count(*),
         -- the value at the latest ts without a sort: arrays compare element by element
         (max(ARRAY[extract(epoch FROM ts)::float8, value]))[2], max(ts)
    FROM ins GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (series_id, bucket) DO UPDATE SET
    min = least(r.min, excluded.min),
    max = greatest(r.max, excluded.max),
    sum = r.sum + excluded.sum,
    count = r.count + excluded.count,
    last = CASE WHEN excluded.last_ts >= r.last_ts THEN excluded.last ELSE r.last END,
    last_ts = greatest(r.last_ts, excluded.last_ts)`;

export const STORE_SQL = `
WITH x AS (
  SELECT s, timestamptz 'epoch' + t * interval '1 millisecond' AS ts, v
    FROM unnest($1::int[], $2::int8[], $3::float8[]) AS u(s, t, v)
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
  SELECT DISTINCT ON (series_id) series_id, ts, value FROM ins ORDER BY series_id, ts DESC
  ON CONFLICT (series_id) DO UPDATE SET ts = excluded.ts, value = excluded.value WHERE excluded.ts >= l.ts
)
SELECT count(*)::int AS accepted FROM ins`;
