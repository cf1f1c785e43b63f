// npm run bench:query — latency of a 7-day chart of one series (~1,000 points) through querySeriesChart,
// with 100 M readings stored, against a naive date_bin GROUP BY over the same series' raw rows in a plain
// table, in the same run (shared/docs/benchmarks.md; goal p95 <= 50 ms).
//   flags: --readings N (default 100,000,000; e.g. 5e6 for a quick run) --series S (200) --days D (8)
//          --rounds R (100) --warmup W (20) --baseline-series B (10) --seed K (42) --rebuild
// The data set lives in its own database, ecomate_bench_query, kept between runs; it is (re)built when
// missing, when a flag that shapes it differs, or with --rebuild. A build resumes where it stopped
// (day by day), with progress and an ETA on stderr.
import os from "node:os";
import pg from "pg";
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists } from "../../src/server/db/migrate";
import { prepareDatabase } from "../../src/server/db/prepare";
import { compactTelemetry } from "../../src/server/telemetry/compaction";
import { planChart, querySeriesChart, type ChartBucket } from "../../src/server/telemetry/query";
import { adminDatabaseUrl, figure, flag, machineLine, mulberry32, progress, stats, runBench } from "./common";
import { copySlots, formatDuration, type DataSpec } from "./telemetry-data";

const DB_NAME = "ecomate_bench_query";
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const EPOCH = "timestamptz '1970-01-01 00:00:00+00'";

const readings = Math.round(flag("readings", 100_000_000));
const seriesCount = Math.round(flag("series", 200));
const days = Math.round(flag("days", 8));
const rounds = Math.round(flag("rounds", 100));
const warmup = Math.round(flag("warmup", 20));
const baselineSeries = Math.min(seriesCount, Math.round(flag("baseline-series", 10)));
const seed = Math.round(flag("seed", 42));
const rebuild = process.argv.includes("--rebuild");

interface Meta {
  spec: DataSpec & { readings: number; days: number; baselineSeries: number; end: number };
  loadedDays: number;
  baseline: boolean;
  rollupDays: number;
  compacted: boolean;
  complete: boolean;
  buildMs: number;
  builtAt?: string;
}

async function readMeta(pool: pg.Pool): Promise<Meta | null> {
  const found = await pool.query("SELECT to_regclass('bench_meta') AS t");
  if (!found.rows[0].t) return null;
  const { rows } = await pool.query<{ value: Meta }>("SELECT value FROM bench_meta WHERE key = 'state'");
  return rows[0]?.value ?? null;
}

async function writeMeta(q: Pick<pg.ClientBase, "query">, meta: Meta) {
  await q.query(
    "INSERT INTO bench_meta (key, value) VALUES ('state', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [JSON.stringify(meta)],
  );
}

/** The first slot whose nominal time is at or after t. */
const slotAt = (spec: DataSpec, t: number) => Math.max(0, Math.ceil((t - spec.start) / spec.intervalMs));

function eta(done: number, total: number, startedAt: number): string {
  const elapsed = performance.now() - startedAt;
  if (done === 0) return "";
  return `, ${formatDuration(elapsed)} elapsed, ETA ${formatDuration((elapsed / done) * (total - done))}`;
}

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    await c.query("SET LOCAL work_mem = '256MB'");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Builds (or finishes building) the data set; returns its state. */
async function build(admin: string): Promise<{ pool: pg.Pool; meta: Meta; reused: boolean }> {
  const url = databaseUrl(admin, DB_NAME);
  const wanted = { readings, series: seriesCount, days, seed, baselineSeries };
  let pool: pg.Pool | undefined;
  let meta: Meta | null = null;
  if (!rebuild && !(await createDatabaseIfMissing(admin, DB_NAME))) {
    pool = new pg.Pool({ connectionString: url, max: 2 });
    meta = await readMeta(pool);
    const same = meta && Object.entries(wanted).every(([k, v]) => (meta!.spec as unknown as Record<string, number>)[k] === v);
    if (!same) {
      progress(`bench database ${DB_NAME} holds another data set (${meta ? `${meta.spec.readings} readings` : "no state"}): rebuilding`);
      await pool.end();
      pool = undefined;
      meta = null;
    }
  }
  if (!pool) {
    await dropDatabaseIfExists(admin, DB_NAME);
    await createDatabaseIfMissing(admin, DB_NAME);
    await prepareDatabase(url);
    pool = new pg.Pool({ connectionString: url, max: 2 });
    await pool.query("CREATE TABLE bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)");
    const end = Math.floor(Date.now() / HOUR) * HOUR;
    const start = end - days * DAY;
    // Spacing that yields the asked number of readings over the days (1.38 s for the defaults).
    const intervalMs = (seriesCount * days * DAY) / readings;
    const jitterMs = Math.min(50, Math.max(0, (intervalMs - 2) / 2));
    meta = {
      spec: { seed, series: seriesCount, firstSeriesId: 1, start, intervalMs, jitterMs, readings, days, baselineSeries, end },
      loadedDays: 0,
      baseline: false,
      rollupDays: 0,
      compacted: false,
      complete: false,
      buildMs: 0,
    };
    await writeMeta(pool, meta);
  }
  pool.on("error", () => undefined);
  const m = meta!;
  if (m.complete) return { pool, meta: m, reused: true };

  const spec = m.spec;
  const startedAt = performance.now();
  const save = async (q: Pick<pg.ClientBase, "query">) => {
    m.buildMs += performance.now() - savedAt;
    savedAt = performance.now();
    await writeMeta(q, m);
  };
  let savedAt = performance.now();
  const total = slotAt(spec, spec.end) * spec.series;
  console.error(
    `building ${DB_NAME}: ${total} readings, ${spec.series} series every ${spec.intervalMs.toFixed(3)} ms over ${days} days ` +
      `(resuming at day ${m.loadedDays}/${days})`,
  );
  await pool.query("SELECT ecomate_ensure_partitions(t, $1, $2) FROM unnest(ARRAY['telemetry_reading', 'telemetry_rollup_1m', 'telemetry_rollup_1h']) AS t", [
    new Date(spec.start - HOUR),
    new Date(spec.end + HOUR),
  ]);

  // 1. raw readings, one transaction per day (a partly loaded day is rolled back and redone)
  const perCopy = Math.max(1, Math.floor(1_000_000 / spec.series));
  const loadStarted = performance.now();
  const loadedBefore = slotAt(spec, spec.start + m.loadedDays * DAY) * spec.series;
  for (let d = m.loadedDays; d < days; d++) {
    const from = slotAt(spec, spec.start + d * DAY);
    const to = slotAt(spec, spec.start + (d + 1) * DAY);
    await inTransaction(pool, async (c) => {
      for (let i = from; i < to; i += perCopy) {
        await copySlots(c, "telemetry_reading", spec, i, Math.min(to, i + perCopy));
        const done = Math.min(to, i + perCopy) * spec.series;
        progress(`load: ${done}/${total} readings (day ${d + 1}/${days})${eta(done - loadedBefore, total - loadedBefore, loadStarted)}`);
      }
      m.loadedDays = d + 1;
      await save(c);
    });
  }

  // 2. the baseline: the raw rows of a few series in a plain narrow table (before compaction moves them)
  if (!m.baseline) {
    progress(`baseline: copying the raw rows of series 1..${spec.baselineSeries} into bench_baseline_raw`);
    await inTransaction(pool, async (c) => {
      await c.query("DROP TABLE IF EXISTS bench_baseline_raw");
      await c.query(`CREATE TABLE bench_baseline_raw (series_id integer NOT NULL, ts timestamptz(3) NOT NULL, value double precision NOT NULL)`);
      await c.query("INSERT INTO bench_baseline_raw SELECT series_id, ts, value FROM telemetry_reading WHERE series_id <= $1 ORDER BY series_id, ts", [
        spec.baselineSeries,
      ]);
      await c.query("ALTER TABLE bench_baseline_raw ADD PRIMARY KEY (series_id, ts)");
      m.baseline = true;
      await save(c);
    });
  }

  // 3. rollups computed in SQL from the raw rows, a day at a time
  const rollStarted = performance.now();
  const rollFirst = m.rollupDays;
  for (let d = m.rollupDays; d < days; d++) {
    const from = new Date(spec.start + d * DAY);
    const to = new Date(spec.start + (d + 1) * DAY);
    await inTransaction(pool, async (c) => {
      // the day's edges: readings jittered across midnight belong to the neighbour day's buckets
      const lo = d === 0 ? new Date(spec.start - HOUR) : from;
      const hi = d === days - 1 ? new Date(spec.end + HOUR) : to;
      await c.query(
        `INSERT INTO telemetry_rollup_1m (series_id, bucket, min, max, sum, count, last, last_ts)
         SELECT series_id, date_bin('1 minute', ts, ${EPOCH}), min(value), max(value), sum(value), count(*)::int,
                (array_agg(value ORDER BY ts DESC))[1], max(ts)
           FROM telemetry_reading WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2`,
        [lo, hi],
      );
      await c.query(
        `INSERT INTO telemetry_rollup_1h (series_id, bucket, min, max, sum, count, last, last_ts)
         SELECT series_id, date_bin('1 hour', bucket, ${EPOCH}), min(min), max(max), sum(sum), sum(count)::int,
                (array_agg(last ORDER BY last_ts DESC))[1], max(last_ts)
           FROM telemetry_rollup_1m WHERE bucket >= $1 AND bucket < $2 GROUP BY 1, 2`,
        [lo, hi],
      );
      m.rollupDays = d + 1;
      await save(c);
    });
    progress(`rollups: day ${d + 1}/${days}${eta(d + 1 - rollFirst, days - rollFirst, rollStarted)}`);
  }

  // 4. compaction of everything older than a day (resumable by itself)
  if (!m.compacted) {
    const older = slotAt(spec, spec.end - DAY) * spec.series;
    const compStarted = performance.now();
    await compactTelemetry(pool, {
      olderThan: new Date(spec.end - DAY),
      onProgress: (p) => progress(`compaction: ${p.readings}/~${older} readings${eta(p.readings, older, compStarted)}`),
    });
    m.compacted = true;
    await save(pool);
  }
  progress("vacuum analyze");
  await pool.query("VACUUM ANALYZE");
  m.complete = true;
  m.builtAt = new Date().toISOString();
  await save(pool);
  progress(`built in ${formatDuration(m.buildMs)} (this run ${formatDuration(performance.now() - startedAt)})`);
  return { pool, meta: m, reused: false };
}

const naiveSql = `SELECT date_bin($1::interval, ts, ${EPOCH}) AS t, min(value) AS min, max(value) AS max, avg(value) AS avg,
                         count(*)::int AS count, (array_agg(value ORDER BY ts DESC))[1] AS last
                    FROM bench_baseline_raw WHERE series_id = $2 AND ts >= $3 AND ts < $4
                   GROUP BY 1 ORDER BY 1`;

function sameChart(a: ChartBucket[], b: ChartBucket[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i]!;
      return (
        x.t.getTime() === y.t.getTime() &&
        x.min === y.min &&
        x.max === y.max &&
        x.count === y.count &&
        x.last === y.last &&
        Math.abs(x.avg - y.avg) <= 1e-9 * Math.max(1, Math.abs(y.avg))
      );
    })
  );
}

async function main() {
  console.log(machineLine());
  const admin = adminDatabaseUrl();
  const { pool, meta, reused } = await build(admin);
  try {
    const spec = meta.spec;
    const sizes = await pool.query<{ raw: string; compact: string; r1m: string; r1h: string; db: string }>(
      `SELECT (SELECT count(*) FROM telemetry_reading) AS raw,
              (SELECT coalesce(sum(cardinality(ts_offsets)), 0) FROM telemetry_compact) AS compact,
              (SELECT count(*) FROM telemetry_rollup_1m) AS r1m, (SELECT count(*) FROM telemetry_rollup_1h) AS r1h,
              pg_size_pretty(pg_database_size(current_database())) AS db`,
    );
    const z = sizes.rows[0]!;
    const stored = Number(z.raw) + Number(z.compact);
    console.log(
      `data: ${stored} readings stored (${z.raw} raw in the last day, ${z.compact} compacted), ${spec.series} series every ` +
        `${(spec.intervalMs / 1000).toFixed(2)} s over ${spec.days} days; rollups ${z.r1m} x 1 min, ${z.r1h} x 1 h; database ${z.db}; ` +
        `baseline table: raw rows of series 1..${spec.baselineSeries}`,
    );
    console.log(`build: ${reused ? `reused (built ${meta.builtAt} in ${formatDuration(meta.buildMs)})` : `built in ${formatDuration(meta.buildMs)}`}`);

    const rand = mulberry32(seed);
    const pick = () => {
      const seriesId = 1 + Math.floor(rand() * spec.baselineSeries);
      const to = spec.end - Math.floor(rand() * (DAY / MINUTE)) * MINUTE;
      return { seriesId, from: new Date(to - 7 * DAY), to: new Date(to) };
    };
    const ours = async (w: ReturnType<typeof pick>) => querySeriesChart(pool, { ...w, points: 1000 });
    const naive = async (w: ReturnType<typeof pick>) => {
      const plan = planChart(w.from, w.to, 1000);
      return (await pool.query<ChartBucket>(naiveSql, [`${plan.widthMs} milliseconds`, w.seriesId, plan.from, plan.to])).rows;
    };
    const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
      const t0 = performance.now();
      const out = await fn();
      return [performance.now() - t0, out];
    };

    // The two answer the same question: same buckets, counts, min, max, last; avg to rounding.
    const probe = pick();
    const [a, b] = [await ours(probe), await naive(probe)];
    const plan = planChart(probe.from, probe.to, 1000);
    const matches = sameChart(a, b);

    // Each kind measured in a phase of its own: the naive scans read ~25 MB per query and would evict
    // the rollup pages the chart query reads if the two alternated.
    const measure = async (label: string, run: (w: ReturnType<typeof pick>) => Promise<unknown>): Promise<number[]> => {
      for (let i = 0; i < warmup; i++) {
        await run(pick());
        progress(`${label}: warm-up ${i + 1}/${warmup}`);
      }
      const out: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const w = pick();
        out.push((await time(() => run(w)))[0]);
        progress(`${label}: round ${i + 1}/${rounds}`);
      }
      return out;
    };
    const loadBefore = os.loadavg()[0]!;
    const tOurs = await measure("chart", ours);
    // a 1-hour chart of compacted data (raw resolution, read through telemetry_points)
    const tShort = await measure("chart 1h compacted", (w) => {
      const hourEnd = spec.end - 2 * DAY - (w.to.getTime() % (4 * DAY));
      const end = Math.floor(hourEnd / MINUTE) * MINUTE;
      return querySeriesChart(pool, { seriesId: w.seriesId, from: new Date(end - HOUR), to: new Date(end), points: 1000 });
    });
    const tNaive = await measure("naive", naive);
    const loadAfter = os.loadavg()[0]!;
    progress("");
    const o = stats(tOurs);
    const n = stats(tNaive);
    const s = stats(tShort);
    console.log(`window: 7 days, ${a.length} points (${plan.source} source, ${plan.widthMs / MINUTE}-minute buckets), random series of 1..${spec.baselineSeries} and window end within the last day; warm cache; ${rounds} rounds after ${warmup} warm-up, each kind in its own phase; load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end (other work on the machine adds noise)`);
    figure("chart_7d_p95", o.p95, "ms", 2);
    figure("chart_7d_median", o.median, "ms", 2);
    figure("chart_7d_min", o.min, "ms", 2);
    figure("chart_7d_max", o.max, "ms", 2);
    figure("baseline_naive_p95", n.p95, "ms (date_bin GROUP BY over the raw rows of the same series and window, plain table)", 2);
    figure("baseline_naive_median", n.median, "ms", 2);
    figure("baseline_naive_min", n.min, "ms", 2);
    figure("baseline_naive_max", n.max, "ms", 2);
    figure("ratio_p95", o.p95 / n.p95, "x", 4);
    figure("chart_1h_compacted_p95", s.p95, "ms (1-hour window of compacted data, raw resolution via telemetry_points)", 2);
    figure("chart_1h_compacted_median", s.median, "ms", 2);
    console.log(`chart_matches_baseline: ${matches ? "yes" : "NO"} (${a.length} vs ${b.length} buckets; count, min, max, last equal, avg to 1e-9)`);
    console.log(
      `summary: 7-day chart of one series (~1,000 points) with ${stored} readings stored: p95 ${o.p95.toFixed(2)} ms ` +
        `(median ${o.median.toFixed(2)}; goal <= 50 ms: ${o.p95 <= 50 ? "met" : "NOT met"}) vs naive GROUP BY over raw rows p95 ${n.p95.toFixed(2)} ms ` +
        `(${(o.p95 / n.p95).toFixed(4)} x); everything (benchmark, database) on this one ${machineLine().split(";")[0]!.replace("machine: ", "")} machine`,
    );
    if (!matches) process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

runBench(main);
