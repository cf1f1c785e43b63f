// npm run bench:storage — bytes per reading on disk, indexes included, of telemetry older than a day
// after compaction, against a plain narrow table holding the same rows, in the same run
// (shared/docs/benchmarks.md; goal <= 16 bytes/reading).
//   flags: --readings N (default 4,000,000) --series S (default 200) --seed K (default 42) --samples M (default 50)
// Works in a scratch database of its own (from DATABASE_URL's server, else postgresql://postgres@127.0.0.1:5432),
// dropped at the end.
import pg from "pg";
import { compactTelemetry } from "../../src/server/telemetry/compaction";
import { readPoints } from "../../src/server/telemetry/points";
import { figure, flag, machineLine, mulberry32, progress, scratchDatabase, runBench } from "./common";
import { copySlots, formatDuration, slotTime, slotValue, type DataSpec } from "./telemetry-data";

const readings = Math.round(flag("readings", 4_000_000));
const seriesCount = Math.round(flag("series", 200));
const seed = Math.round(flag("seed", 42));
const samples = Math.round(flag("samples", 50));

const bitsOf = (v: number) => {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(v);
  return b.toString("hex");
};

async function relationBytes(pool: pg.Pool, parents: string[]): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c
      WHERE c.oid = ANY ($1::regclass[]) OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = ANY ($1::regclass[]))`,
    [parents],
  );
  return Number(rows[0]!.bytes);
}

async function main() {
  console.log(machineLine());
  const slots = Math.ceil(readings / seriesCount);
  // A Monday long past: 1 Hz with ±50 ms jitter fills ~5.6 h of one weekly partition per 4 M readings.
  const spec: DataSpec = { seed, series: seriesCount, firstSeriesId: 1, start: Date.parse("2026-01-05T00:00:00.000Z"), intervalMs: 1000, jitterMs: 50 };
  const total = slots * seriesCount;
  const end = slotTime(spec, 1, slots) + 1000;
  console.log(
    `data: ${total} readings, ${seriesCount} series at ~1 Hz (±${spec.jitterMs} ms jitter), noisy float64 gauges (incompressible: the worst case), ` +
      `${new Date(spec.start).toISOString()} .. ${new Date(end).toISOString()}, seed ${seed}`,
  );
  console.log("method: a size is deterministic for a seed, so one measurement (no rounds): pg_total_relation_size after compaction and VACUUM ANALYZE");

  const scratch = await scratchDatabase("ecomate_bench_storage");
  const pool = new pg.Pool({ connectionString: scratch.url, max: 3 });
  pool.on("error", () => undefined);
  try {
    await pool.query("SELECT ecomate_ensure_partitions('telemetry_reading', $1, $2)", [new Date(spec.start - 3600_000), new Date(end + 3600_000)]);
    await pool.query(`CREATE TABLE plain_reading (series_id integer NOT NULL, ts timestamptz(3) NOT NULL, value double precision NOT NULL,
                        PRIMARY KEY (series_id, ts))`);

    // The same rows, in the same (time-major) order, into both.
    const client = await pool.connect();
    let loadMs = 0;
    try {
      const step = Math.max(1, Math.floor(500_000 / seriesCount));
      for (const table of ["telemetry_reading", "plain_reading"]) {
        const t0 = performance.now();
        for (let i = 0; i < slots; i += step) {
          await copySlots(client, table, spec, i, Math.min(slots, i + step));
          progress(`load ${table}: ${Math.min(slots, i + step) * seriesCount}/${total} readings`);
        }
        if (table === "telemetry_reading") loadMs = performance.now() - t0;
      }
    } finally {
      client.release();
    }
    progress("");

    const c0 = performance.now();
    const compacted = await compactTelemetry(pool, {
      olderThan: new Date(Date.now() - 86_400_000),
      onProgress: (p) => progress(`compaction: ${p.readings}/${total} readings`),
    });
    const compactMs = performance.now() - c0;
    progress("");
    if (compacted.readings !== total) throw new Error(`compaction moved ${compacted.readings} readings, expected ${total}`);
    await pool.query("VACUUM ANALYZE");

    const compactBytes = await relationBytes(pool, ["telemetry_compact", "telemetry_reading"]);
    const plainBytes = await relationBytes(pool, ["plain_reading"]);
    const detail = await pool.query<{ heap: string; toast: string; indexes: string; rows: string }>(
      `SELECT sum(pg_relation_size(c.oid)) AS heap, sum(coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)) AS toast,
              sum(pg_indexes_size(c.oid)) AS indexes, sum(c.reltuples) AS rows
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telemetry_compact'::regclass`,
    );
    const rawLeft = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_reading");

    // Read back through the transparent path: every reading against the plain table, bit for bit ...
    const ids = Array.from({ length: seriesCount }, (_, k) => k + 1);
    const check = await pool.query<{ n: string; bad: string }>(
      `SELECT count(*) AS n,
              count(*) FILTER (WHERE p.series_id IS NULL OR t.series_id IS NULL OR float8send(p.value) <> float8send(t.value)) AS bad
         FROM plain_reading p
         FULL JOIN telemetry_points($1::int[], $2, $3) t ON t.series_id = p.series_id AND t.ts = p.ts`,
      [ids, new Date(spec.start - 3600_000), new Date(end + 3600_000)],
    );
    // ... and a sample of windows through readPoints against the generator itself.
    const rand = mulberry32(seed);
    let sampled = 0;
    let sampleBad = 0;
    for (let k = 0; k < samples; k++) {
      const s = 1 + Math.floor(rand() * seriesCount);
      const i0 = Math.floor(rand() * Math.max(1, slots - 600));
      const i1 = Math.min(slots, i0 + 1 + Math.floor(rand() * 600));
      const from = new Date(slotTime(spec, s, i0));
      const to = new Date(slotTime(spec, s, i1 - 1) + 1);
      const got = await readPoints(pool, [s], from, to);
      const want = Array.from({ length: i1 - i0 }, (_, j) => ({ t: slotTime(spec, s, i0 + j), v: bitsOf(slotValue(spec, s, i0 + j)) }));
      sampled += want.length;
      const same = got.length === want.length && got.every((p, j) => p.ts.getTime() === want[j]!.t && bitsOf(p.value) === want[j]!.v);
      if (!same) sampleBad++;
    }

    const perReading = compactBytes / total;
    const plainPerReading = plainBytes / total;
    const n = Number(check.rows[0]!.n);
    const bad = Number(check.rows[0]!.bad);
    const d = detail.rows[0]!;
    figure("storage_compact", perReading, "bytes/reading", 2);
    figure("storage_plain_baseline", plainPerReading, "bytes/reading", 2);
    figure("ratio", perReading / plainPerReading, "x", 3);
    figure("compact_heap", Number(d.heap) / total, "bytes/reading", 3);
    figure("compact_toast", Number(d.toast) / total, "bytes/reading (TOAST table and its index)", 3);
    figure("compact_indexes", Number(d.indexes) / total, "bytes/reading", 3);
    figure("compact_rows", Number(d.rows), "rows (series x hour)");
    figure("raw_rows_left", rawLeft.rows[0]!.n, "rows");
    figure("load_copy", total / (loadMs / 1000), "readings/s (binary COPY into telemetry_reading)");
    figure("compaction", total / (compactMs / 1000), `readings/s (${formatDuration(compactMs)}; ${compacted.truncatedPartitions.length} week(s) copied + truncated, ${compacted.droppedPartitions.length} dropped)`);
    figure("read_back_bit_exact", n - bad, `of ${total} readings (telemetry_points vs plain table, float8send)`);
    figure("read_back_samples_bit_exact", samples - sampleBad, `of ${samples} windows (${sampled} readings, readPoints vs generator)`);
    const ok = bad === 0 && n === total && sampleBad === 0;
    console.log(
      `summary: compacted telemetry takes ${perReading.toFixed(2)} bytes/reading on disk incl. indexes and TOAST ` +
        `(goal <= 16: ${perReading <= 16 ? "met" : "NOT met"}) vs ${plainPerReading.toFixed(2)} for a plain narrow table ` +
        `(${(perReading / plainPerReading).toFixed(3)} x), ${total} readings, ${seriesCount} series; ` +
        `read back ${ok ? "bit-exact" : "WITH MISMATCHES"} through telemetry_points; one ${machineLine().split(";")[0]!.replace("machine: ", "")} machine`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await pool.end();
    await scratch.drop();
  }
}

runBench(main);
