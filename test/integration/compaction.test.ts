// Compaction, the transparent read path, retention and the chart query against the real PostgreSQL.
// Tests in the shared database scope compaction and retention to their own series / metrics; what acts
// on whole partitions (truncate, drop) runs in a scratch database of its own at the end.
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists, migrateDatabase } from "../../src/server/db/migrate";
import { compactTelemetry, moveReadings } from "../../src/server/telemetry/compaction";
import { exportTelemetry } from "../../src/server/telemetry/export-telemetry";
import { listPartitions } from "../../src/server/telemetry/partition-maintenance";
import { readPoints, type Point } from "../../src/server/telemetry/points";
import { planChart, querySeriesChart } from "../../src/server/telemetry/query";
import { applyRetention } from "../../src/server/telemetry/retention";
import { makeOrg, testDb, uid } from "./helpers";

const db = testDb();
const pool = getPool();
const H = 3_600_000;
const M = 60_000;
const D = 86_400_000;

interface Reading {
  s: number;
  t: number;
  v: number;
}

const floatText = (v: number) => (Object.is(v, -0) ? "-0" : String(v));

/** The 64 bits of a float64, so -0 / 0 and every last bit are compared. */
function bits(v: number): string {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v);
  return b.getBigUint64(0).toString(16);
}

const asReadings = (points: Point[]) => points.map((p) => ({ s: p.seriesId, t: p.ts.getTime(), v: bits(p.value) }));
const expected = (rs: Reading[]) =>
  [...rs].sort((a, b) => a.s - b.s || a.t - b.t).map((r) => ({ s: r.s, t: r.t, v: bits(r.v) }));

async function ensure(q: Pick<pg.Pool, "query">, table: string, from: number, to: number) {
  await q.query("SELECT ecomate_ensure_partitions($1, $2, $3)", [table, new Date(from), new Date(to)]);
}

/** Raw readings written like the store writes them (exact text for every float64, -0 included). */
async function insertRaw(rs: Reading[], q: Pick<pg.Pool, "query"> = pool) {
  const ts = rs.map((r) => r.t);
  await ensure(q, "telemetry_reading", Math.min(...ts), Math.max(...ts));
  await q.query(
    `INSERT INTO telemetry_reading (series_id, ts, value)
     SELECT s, timestamptz 'epoch' + t * interval '1 millisecond', v FROM unnest($1::int[], $2::int8[], $3::float8[]) AS x(s, t, v)`,
    [`{${rs.map((r) => r.s).join(",")}}`, `{${ts.join(",")}}`, `{${rs.map((r) => floatText(r.v)).join(",")}}`],
  );
}

async function counts(ids: number[], q: Pick<pg.Pool, "query"> = pool) {
  const { rows } = await q.query<{ raw: number; compact: number; rows: number }>(
    `SELECT (SELECT count(*) FROM telemetry_reading WHERE series_id = ANY ($1))::int AS raw,
            (SELECT coalesce(sum(cardinality(ts_offsets)), 0) FROM telemetry_compact WHERE series_id = ANY ($1))::int AS compact,
            (SELECT count(*) FROM telemetry_compact WHERE series_id = ANY ($1))::int AS rows`,
    [ids],
  );
  return rows[0]!;
}

/** `count` series of their own: one system, one metric with the given retention, a component per series. */
async function makeSeries(count: number, retention: { raw?: number; r1m?: number; r1h?: number | null } = {}) {
  const org = await makeOrg(db, { systems: 1 });
  const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } });
  const metric = await db.metric.create({
    data: {
      key: `test_${uid()}`,
      name: "Test metric",
      unit: "1",
      minValid: -1e308,
      maxValid: 1e308,
      organizationId: org.organizationId,
      rawRetentionDays: retention.raw ?? 400,
      rollup1mRetentionDays: retention.r1m ?? 1825,
      rollup1hRetentionDays: retention.r1h ?? null,
    },
  });
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const component = await db.component.create({ data: { systemId: system.id, code: `c-${i}`, type: "sensor", name: `Sensor ${i}` } });
    ids.push((await db.series.create({ data: { systemId: system.id, componentId: component.id, metricId: metric.id } })).id);
  }
  return { ids, metricId: metric.id, systemCode: system.code, systemId: system.id };
}

/** Random finite float64s from random bit patterns: every exponent, subnormals included. */
function randomFloats(n: number): number[] {
  const out: number[] = [];
  const view = new DataView(new ArrayBuffer(8));
  while (out.length < n) {
    view.setBigUint64(0, randomBytes(8).readBigUInt64BE());
    const v = view.getFloat64(0);
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

const SPECIAL = [
  0,
  -0,
  0.1 + 0.2,
  5e-324, // smallest subnormal
  -5e-324,
  2.225073858507201e-308, // largest subnormal
  2.2250738585072014e-308, // smallest normal
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.EPSILON,
  1 + Number.EPSILON,
  1e-300,
  1e300,
  123456789.12345679,
  Math.PI,
  1 / 3,
  -1.5,
  2 ** 53,
  -(2 ** 53) - 2,
];

describe("compaction", () => {
  it("round-trips float64 values bit for bit and times to the millisecond", async () => {
    const { ids } = await makeSeries(2);
    const t0 = Date.parse("2026-03-02T00:00:00.000Z");
    const values = [...SPECIAL, ...randomFloats(2000)];
    const rs: Reading[] = [];
    values.forEach((v, i) => rs.push({ s: ids[0]!, t: t0 + i * 2_000 + (i % 7), v }));
    // hour edges: first and last millisecond of an hour
    rs.push({ s: ids[1]!, t: t0 + H, v: -0 }, { s: ids[1]!, t: t0 + 2 * H - 1, v: 5e-324 }, { s: ids[1]!, t: t0 + 2 * H, v: 0.30000000000000004 });
    await insertRaw(rs);
    const before = await readPoints(pool, ids, new Date(t0), new Date(t0 + 3 * H));
    expect(asReadings(before)).toEqual(expected(rs));

    const res = await compactTelemetry(pool, { olderThan: new Date(t0 + 3 * H), seriesIds: ids });
    expect(res.readings).toBe(rs.length);
    expect(await counts(ids)).toEqual({ raw: 0, compact: rs.length, rows: 2 + 2 });
    const after = await readPoints(pool, ids, new Date(t0), new Date(t0 + 3 * H));
    expect(asReadings(after)).toEqual(expected(rs));
    expect(Object.is(after.find((p) => p.seriesId === ids[1])!.value, -0)).toBe(true);
    // offsets are ms since the UTC hour, in time order
    const row = await pool.query("SELECT ts_offsets FROM telemetry_compact WHERE series_id = $1 AND bucket = $2", [ids[1], new Date(t0 + H)]);
    expect(row.rows[0].ts_offsets).toEqual([0, H - 1]);
  });

  it("moves only whole hours before the horizon and is idempotent", async () => {
    const { ids } = await makeSeries(3);
    const t0 = Date.parse("2026-03-09T10:00:00.000Z");
    const rs: Reading[] = [];
    for (const s of ids) for (let t = 0; t < 4 * H; t += 90_000) rs.push({ s, t: t0 + t, v: s * 1000 + t / 1000 });
    await insertRaw(rs);
    // 12:30: hours 10 and 11 go, 12 and 13 stay raw
    const first = await compactTelemetry(pool, { olderThan: new Date(t0 + 2.5 * H), seriesIds: ids, batchSeries: 2 });
    const perHour = H / 90_000;
    expect(first).toMatchObject({ readings: 3 * 2 * perHour, rows: 6, truncatedPartitions: [], droppedPartitions: [] });
    expect(await counts(ids)).toEqual({ raw: 3 * 2 * perHour, compact: 3 * 2 * perHour, rows: 6 });
    const again = await compactTelemetry(pool, { olderThan: new Date(t0 + 2.5 * H), seriesIds: ids });
    expect(again).toMatchObject({ readings: 0, rows: 0 });
    expect(asReadings(await readPoints(pool, ids, new Date(t0), new Date(t0 + 4 * H)))).toEqual(expected(rs));
  });

  it("is atomic: an aborted move leaves every reading where it was", async () => {
    const { ids } = await makeSeries(1);
    const t0 = Date.parse("2026-03-16T00:00:00.000Z");
    const rs = Array.from({ length: 100 }, (_, i) => ({ s: ids[0]!, t: t0 + i * 30_000, v: i / 7 }));
    await insertRaw(rs);
    await ensure(pool, "telemetry_compact", t0, t0 + H);
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const moved = await moveReadings(client, { seriesIds: ids, from: new Date(t0), to: new Date(t0 + 2 * H) });
      expect(moved).toEqual({ readings: 100, rows: 1 });
      expect(await counts(ids, client)).toEqual({ raw: 0, compact: 100, rows: 1 });
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    expect(await counts(ids)).toEqual({ raw: 100, compact: 0, rows: 0 });
    await expect(moveReadings(pool as unknown as pg.ClientBase, { seriesIds: ids, from: new Date(t0 + 1), to: new Date(t0 + H) })).rejects.toThrow(
      /not a whole hour/,
    );
  });

  it("survives a run that dies between chunks, and one killed inside a statement", async () => {
    const { ids } = await makeSeries(3);
    const t0 = Date.parse("2026-03-23T00:00:00.000Z");
    const rs: Reading[] = [];
    for (const s of ids) for (let t = 0; t < 3 * H; t += 10_000) rs.push({ s, t: t0 + t, v: Math.sin(t + s) });
    await insertRaw(rs);
    const want = expected(rs);
    const read = async () => asReadings(await readPoints(pool, ids, new Date(t0), new Date(t0 + 3 * H)));

    // 1. the process dies after the first committed chunk
    await expect(
      compactTelemetry(pool, {
        olderThan: new Date(t0 + 3 * H),
        seriesIds: ids,
        batchSeries: 1,
        onProgress: () => {
          throw new Error("power cut");
        },
      }),
    ).rejects.toThrow("power cut");
    const perSeries = (3 * H) / 10_000;
    expect(await counts(ids)).toEqual({ raw: 2 * perSeries, compact: perSeries, rows: 3 });
    expect(await read()).toEqual(want);

    // 2. the backend is killed while its DELETE waits for a row lock on the second series
    const blocker = await pool.connect();
    const app = `compaction-crash-${uid()}`;
    const victim = new pg.Pool({ connectionString: process.env.DATABASE_URL, application_name: app, max: 2 });
    victim.on("error", () => undefined);
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM telemetry_reading WHERE series_id = $1 AND ts = $2 FOR UPDATE", [ids[2], new Date(t0 + H)]);
      const run = compactTelemetry(victim, { olderThan: new Date(t0 + 3 * H), seriesIds: ids, batchSeries: 1 });
      const settled = run.then(
        () => "finished",
        (err: Error) => err.message,
      );
      // (a loaded machine may take seconds to move the first series and reach the lock)
      const deadline = Date.now() + 30_000;
      let killed = false;
      while (!killed && Date.now() < deadline) {
        const { rows } = await pool.query(
          "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [app],
        );
        killed = rows.length > 0;
        if (!killed) await new Promise((r) => setTimeout(r, 25));
      }
      expect(killed).toBe(true);
      expect(await settled).toMatch(/terminat/i);
      await blocker.query("ROLLBACK");
    } finally {
      blocker.release();
      await victim.end();
    }
    const mid = await counts(ids);
    expect(mid.raw + mid.compact).toBe(rs.length);
    expect(mid.raw).toBeGreaterThan(0);
    expect(await read()).toEqual(want);

    // 3. a rerun finishes the job
    await compactTelemetry(pool, { olderThan: new Date(t0 + 3 * H), seriesIds: ids });
    expect(await counts(ids)).toEqual({ raw: 0, compact: rs.length, rows: 9 });
    expect(await read()).toEqual(want);
  });

  it("reads late and repeated readings of a compacted hour, then merges them (the first value stays)", async () => {
    const { ids } = await makeSeries(1);
    const s = ids[0]!;
    const t0 = Date.parse("2026-03-30T06:00:00.000Z");
    const rs = Array.from({ length: 60 }, (_, i) => ({ s, t: t0 + i * M, v: i + 0.5 }));
    await insertRaw(rs);
    await compactTelemetry(pool, { olderThan: new Date(t0 + H), seriesIds: ids });
    const late = [
      { s, t: t0 + 30_500, v: -7.25 }, // new instant inside the compacted hour
      { s, t: t0 + 10 * M, v: 999 }, // same instant as a compacted reading: ignored
      { s, t: t0, v: 1e9 }, // the hour's first instant again: ignored
    ];
    await insertRaw(late);
    const want = expected([...rs, late[0]!]);
    expect(asReadings(await readPoints(pool, ids, new Date(t0), new Date(t0 + H)))).toEqual(want);
    expect(await counts(ids)).toEqual({ raw: 3, compact: 60, rows: 1 });

    const merged = await compactTelemetry(pool, { olderThan: new Date(t0 + H), seriesIds: ids });
    expect(merged).toMatchObject({ readings: 3, rows: 1 });
    expect(await counts(ids)).toEqual({ raw: 0, compact: 61, rows: 1 });
    expect(asReadings(await readPoints(pool, ids, new Date(t0), new Date(t0 + H)))).toEqual(want);
  });

  it("reads raw and compacted readings as one set, with exact [from, to) bounds on both sides", async () => {
    const { ids } = await makeSeries(2);
    const t0 = Date.parse("2026-04-06T00:00:00.000Z");
    const rs: Reading[] = [];
    for (const s of ids) for (let t = 0; t < 6 * H; t += 10 * M + 1) rs.push({ s, t: t0 + t, v: s + t / 1e7 });
    await insertRaw(rs);
    await compactTelemetry(pool, { olderThan: new Date(t0 + 3 * H), seriesIds: ids });
    expect((await counts(ids)).raw).toBe(rs.filter((r) => r.t >= t0 + 3 * H).length);
    const cases: [number, number][] = [
      [t0, t0 + 6 * H],
      [t0 + 20 * M + 2, t0 + 5 * H], // from on a compacted reading, to on an hour edge
      [t0 + 2 * H + 30 * M, t0 + 3 * H + 40 * M + 22], // across the boundary; to on a raw reading (excluded)
      [t0 + 3 * H + 1, t0 + 3 * H + 2], // nothing
      [t0 + 80 * M + 8, t0 + 80 * M + 9], // exactly one compacted reading
    ];
    for (const [from, to] of cases) {
      const got = await readPoints(pool, ids, new Date(from), new Date(to));
      expect(asReadings(got), `${new Date(from).toISOString()}..${new Date(to).toISOString()}`).toEqual(expected(rs.filter((r) => r.t >= from && r.t < to)));
    }
    expect(await readPoints(pool, [ids[1]!], new Date(t0), new Date(t0 + H))).toHaveLength(6);
  });

  it("exports the same CSV before and after compaction", async () => {
    const { ids, systemCode } = await makeSeries(3);
    const t0 = Date.parse("2026-04-13T00:00:00.000Z");
    const rs: Reading[] = [];
    for (const s of ids) for (let t = 0; t < 5 * H; t += (7 + s % 3) * 1000) rs.push({ s, t: t0 + t, v: t % 3 === 0 ? -0 : Math.cos(t) * 1e-3 });
    await insertRaw(rs);
    const csv = async () => {
      let text = "";
      const out = new Writable({
        write(chunk, _enc, cb) {
          text += String(chunk);
          cb();
        },
      });
      const { rows } = await exportTelemetry(pool, { systemCode, from: new Date(t0 + 17), to: new Date(t0 + 5 * H - 3000), resolution: "raw" }, out);
      return { rows, text };
    };
    const before = await csv();
    expect(before.rows).toBe(rs.filter((r) => r.t >= t0 + 17 && r.t < t0 + 5 * H - 3000).length);
    expect(before.text.split("\n")[1]).toMatch(/^2026-04-13T00:00:\d\d\.000Z,c-\d,test_\w+,-?[\d.e-]+$/);
    expect(before.text).toContain(",-0\n");
    await compactTelemetry(pool, { olderThan: new Date(t0 + 4 * H), seriesIds: ids });
    expect(await csv()).toEqual(before);
  });
});

describe("retention per metric", () => {
  it("deletes raw, compacted and rollup data past each metric's retention, and only that", async () => {
    const short = await makeSeries(2, { raw: 10, r1m: 20, r1h: 30 });
    const keep = await makeSeries(1, { raw: 400, r1m: 1825, r1h: null });
    const untouched = await makeSeries(1, { raw: 1, r1m: 1, r1h: 1 });
    const now = new Date("2026-06-15T12:30:00.000Z");
    const rawCut = now.getTime() - 10 * D; // 2026-06-05T12:30
    const all = [...short.ids, ...keep.ids, ...untouched.ids];
    const rs: Reading[] = [];
    for (const s of all) for (let t = now.getTime() - 15 * D; t < now.getTime(); t += 15 * M) rs.push({ s, t, v: t / 1e12 + s });
    await insertRaw(rs);
    // compact everything before 2026-06-06 so the cutoff falls inside a compacted hour
    await compactTelemetry(pool, { olderThan: new Date("2026-06-06T00:00:00Z"), seriesIds: all });
    // and a late raw reading older than the cutoff
    await insertRaw([{ s: short.ids[0]!, t: rawCut - 1, v: 42 }]);
    // rollups around their cutoffs (1m: 2026-05-26T12:30, 1h: 2026-05-16T12:30)
    const oneMin = [now.getTime() - 20 * D - 2 * M, now.getTime() - 20 * D - M, now.getTime() - 20 * D, now.getTime() - 20 * D + M];
    const oneHour = [Date.parse("2026-05-16T10:00:00Z"), Date.parse("2026-05-16T11:00:00Z"), Date.parse("2026-05-16T12:00:00Z"), Date.parse("2026-05-16T13:00:00Z")];
    await ensure(pool, "telemetry_rollup_1m", oneMin[0]!, oneMin[3]!);
    await ensure(pool, "telemetry_rollup_1h", oneHour[0]!, oneHour[3]!);
    for (const s of all) {
      for (const b of oneMin) await pool.query("INSERT INTO telemetry_rollup_1m VALUES ($1, $2, 1, 1, 1, 1, 1, $2)", [s, new Date(b)]);
      for (const b of oneHour) await pool.query("INSERT INTO telemetry_rollup_1h VALUES ($1, $2, 1, 1, 1, 1, 1, $2)", [s, new Date(b)]);
    }

    const res = await applyRetention(pool, now, { metricIds: [short.metricId, keep.metricId] });
    expect(res.droppedPartitions).toEqual([]);
    const from = new Date(now.getTime() - 16 * D);
    const points = asReadings(await readPoints(pool, all, from, now));
    const shortSet = new Set(short.ids);
    expect(points).toEqual(expected([...rs, { s: short.ids[0]!, t: rawCut - 1, v: 42 }].filter((r) => !shortSet.has(r.s) || r.t >= rawCut)));
    // the compacted hour holding the cutoff was trimmed: 12:30 and 12:45 stay
    const trimmed = await pool.query("SELECT ts_offsets FROM telemetry_compact WHERE series_id = $1 AND bucket = '2026-06-05T12:00:00Z'", [short.ids[0]]);
    expect(trimmed.rows).toEqual([{ ts_offsets: [30 * M, 45 * M] }]);
    expect(res.deleted.raw).toBe(1);
    expect(res.deleted.compactTrimmed).toBe(2 * 2);

    const buckets = async (table: string, s: number) =>
      (await pool.query<{ b: Date }>(`SELECT bucket AS b FROM ${table} WHERE series_id = $1 ORDER BY 1`, [s])).rows.map((r) => r.b.getTime());
    // 1m: a bucket goes when it ends at or before the cutoff; the one holding the cutoff stays
    expect(await buckets("telemetry_rollup_1m", short.ids[1]!)).toEqual(oneMin.slice(2));
    expect(await buckets("telemetry_rollup_1h", short.ids[1]!)).toEqual(oneHour.slice(2));
    expect(await buckets("telemetry_rollup_1m", keep.ids[0]!)).toEqual(oneMin);
    expect(await buckets("telemetry_rollup_1h", keep.ids[0]!)).toEqual(oneHour);
    expect(await buckets("telemetry_rollup_1m", untouched.ids[0]!)).toEqual(oneMin);

    const again = await applyRetention(pool, now, { metricIds: [short.metricId] });
    expect(again.deleted).toEqual({ raw: 0, compactRows: 0, compactTrimmed: 0, rollup1m: 0, rollup1h: 0 });
  });
});

describe("chart query", () => {
  it("picks the resolution: raw for short windows, 1-minute rollups up to days, 1-hour beyond", () => {
    const at = (iso: string) => new Date(iso);
    const week = planChart(at("2026-05-01T00:00:00Z"), at("2026-05-08T00:00:00Z"), 1000);
    expect(week).toEqual({ source: "1m", widthMs: 11 * M, from: at("2026-04-30T23:53:00Z"), to: at("2026-05-08T00:00:00Z") }); // 917 buckets
    expect(planChart(at("2026-05-01T00:00:00Z"), at("2026-05-01T01:00:00Z"))).toMatchObject({ source: "raw", widthMs: 3600 });
    expect(planChart(at("2026-05-01T00:00:00Z"), at("2026-05-01T12:00:00Z"))).toMatchObject({ source: "1m", widthMs: M });
    expect(planChart(at("2026-05-01T00:00:00Z"), at("2026-06-30T00:00:00Z"))).toMatchObject({ source: "1h", widthMs: 2 * H });
    for (const [f, t, n] of [["2026-05-01T00:00:07.123Z", "2026-05-08T13:00:00Z", 1000], ["2026-05-01T00:00:00Z", "2026-05-01T00:00:01Z", 7]] as const) {
      const p = planChart(at(f), at(t), n);
      expect((p.to.getTime() - p.from.getTime()) / p.widthMs).toBeLessThanOrEqual(n);
      expect(p.from.getTime()).toBeLessThanOrEqual(at(f).getTime());
      expect(p.to.getTime()).toBeGreaterThanOrEqual(at(t).getTime());
    }
    expect(() => planChart(at("2026-05-02T00:00:00Z"), at("2026-05-01T00:00:00Z"))).toThrow(/before/);
  });

  it("aggregates raw readings, compacted ones included", async () => {
    const { ids } = await makeSeries(1);
    const s = ids[0]!;
    const t0 = Date.parse("2026-05-04T09:00:00.000Z");
    // 10 minutes, 100 points: raw, 6 s buckets
    const rs = [
      { s, t: t0, v: 3 },
      { s, t: t0 + 1000, v: 5 },
      { s, t: t0 + 5999, v: 1 },
      { s, t: t0 + 7000, v: -2 },
      { s, t: t0 + 13_000, v: 0.5 },
      { s, t: t0 + H + 1000, v: 100 }, // outside the window, raw
    ];
    await insertRaw(rs);
    await compactTelemetry(pool, { olderThan: new Date(t0 + H), seriesIds: ids });
    expect(planChart(new Date(t0), new Date(t0 + 10 * M), 100)).toMatchObject({ source: "raw", widthMs: 6000 });
    const chart = await querySeriesChart(pool, { seriesId: s, from: new Date(t0), to: new Date(t0 + 10 * M), points: 100 });
    expect(chart).toEqual([
      { t: new Date(t0), min: 1, max: 5, avg: 3, count: 3, last: 1 },
      { t: new Date(t0 + 6000), min: -2, max: -2, avg: -2, count: 1, last: -2 },
      { t: new Date(t0 + 12_000), min: 0.5, max: 0.5, avg: 0.5, count: 1, last: 0.5 },
    ]);
  });

  it("aggregates 1-minute and 1-hour rollups", async () => {
    const { ids } = await makeSeries(1);
    const s = ids[0]!;
    // 12 hours, 100 points: 1m rollups in 8-minute buckets
    const t0 = Date.parse("2026-05-11T00:00:00.000Z");
    await ensure(pool, "telemetry_rollup_1m", t0, t0 + D);
    const minute = (i: number, min: number, max: number, sum: number, count: number, last: number) =>
      pool.query("INSERT INTO telemetry_rollup_1m VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [s, new Date(t0 + i * M), min, max, sum, count, last, new Date(t0 + i * M + 59_000)]);
    await minute(0, 1, 4, 10, 4, 2);
    await minute(7, 0, 9, 18, 2, 9);
    await minute(8, -1, 1, 0, 10, 1);
    await minute(9, 2, 2, 2, 1, 2);
    expect(planChart(new Date(t0), new Date(t0 + 12 * H), 100)).toMatchObject({ source: "1m", widthMs: 8 * M });
    expect(await querySeriesChart(pool, { seriesId: s, from: new Date(t0), to: new Date(t0 + 12 * H), points: 100 })).toEqual([
      { t: new Date(t0), min: 0, max: 9, avg: 28 / 6, count: 6, last: 9 },
      { t: new Date(t0 + 8 * M), min: -1, max: 2, avg: 2 / 11, count: 11, last: 2 },
    ]);

    // 60 days, 100 points: 1h rollups in 15-hour buckets (aligned to the epoch: 2026-03-02T09:00Z is one edge)
    const h0 = Date.parse("2026-03-02T09:00:00.000Z");
    await ensure(pool, "telemetry_rollup_1h", h0, h0 + 60 * D);
    const hour = (i: number, min: number, max: number, sum: number, count: number, last: number) =>
      pool.query("INSERT INTO telemetry_rollup_1h VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [s, new Date(h0 + i * H), min, max, sum, count, last, new Date(h0 + i * H + 1)]);
    await hour(0, 5, 6, 660, 120, 6);
    await hour(14, 4, 8, 360, 60, 4);
    await hour(15, 7, 7, 7, 1, 7);
    const plan = planChart(new Date(h0), new Date(h0 + 60 * D), 100);
    expect(plan).toMatchObject({ source: "1h", widthMs: 15 * H, from: new Date(h0) });
    expect(await querySeriesChart(pool, { seriesId: s, from: new Date(h0), to: new Date(h0 + 60 * D), points: 100 })).toEqual([
      { t: new Date(h0), min: 4, max: 8, avg: 1020 / 180, count: 180, last: 4 },
      { t: new Date(h0 + 15 * H), min: 7, max: 7, avg: 7, count: 1, last: 7 },
    ]);
  });
});

describe("whole partitions (scratch database)", () => {
  const adminUrl = process.env.ECOMATE_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const name = `ecomate_test_compaction_${process.pid}_${randomBytes(3).toString("hex")}`;
  let scratch: pg.Pool;
  let seriesIds: number[];

  beforeAll(async () => {
    await createDatabaseIfMissing(adminUrl, name);
    await migrateDatabase(databaseUrl(adminUrl, name));
    scratch = new pg.Pool({ connectionString: databaseUrl(adminUrl, name), max: 4 });
    // pool.end() resolves before its sockets close; DROP DATABASE ... WITH (FORCE) in afterAll may then
    // terminate a closing backend, whose FATAL message reaches the pool as an 'error' event. Without a
    // listener that event is an uncaught exception (it failed a CI run once).
    scratch.on("error", () => undefined);
    await scratch.query(`
      INSERT INTO organization (id, slug, name) VALUES ('o1', 'o1', 'Org');
      INSERT INTO site (id, organization_id, code, name, time_zone) VALUES ('s1', 'o1', 'S1', 'Site', 'UTC');
      INSERT INTO system_model (id, organization_id, code, manufacturer, name, rated_flow_m3h) VALUES ('m1', 'o1', 'M1', 'Acme', 'UV', 5);
      INSERT INTO system (id, organization_id, site_id, model_id, code, name, required_dose_mj_cm2) VALUES ('y1', 'o1', 's1', 'm1', 'Y-01', 'Unit', 40);
      INSERT INTO metric (id, key, name, unit, min_valid, max_valid, raw_retention_days, rollup_1m_retention_days, rollup_1h_retention_days)
        VALUES (1, 'flow', 'Flow', 'm3/h', 0, 100, 14, 40, 400), (2, 'temp', 'Temp', 'C', 0, 100, 7, 40, 400);
      INSERT INTO series (id, system_id, component_id, metric_id) VALUES (1, 'y1', NULL, 1), (2, 'y1', NULL, 2);`);
    seriesIds = [1, 2];
  });

  afterAll(async () => {
    await scratch?.end();
    await dropDatabaseIfExists(adminUrl, name);
  });

  it("copies whole old weeks, truncates and drops them; late readings recreate and rejoin them", async () => {
    // 2026-01-05 is a Monday: three weekly partitions, readings every 5 minutes
    const t0 = Date.parse("2026-01-05T00:00:00.000Z");
    const rs: Reading[] = [];
    for (const s of seriesIds) for (let t = 0; t < 21 * D; t += 5 * M) rs.push({ s, t: t0 + t, v: Math.sqrt(t) * s });
    await insertRaw(rs, scratch);
    const names = async (table: "telemetry_reading" | "telemetry_compact") => (await listPartitions(scratch, table)).map((p) => p.name);
    expect(await names("telemetry_reading")).toEqual(["telemetry_reading_p20260105", "telemetry_reading_p20260112", "telemetry_reading_p20260119"]);

    // a reader holding the table blocks the drop (not the compaction): the week is emptied and kept
    const reader = await scratch.connect();
    await reader.query("BEGIN");
    await reader.query("LOCK TABLE ONLY telemetry_reading IN ACCESS SHARE MODE");
    const horizon = new Date(t0 + 15 * D + 6 * H); // Tue 2026-01-20 06:00
    const first = await compactTelemetry(scratch, { olderThan: horizon, lockTimeoutMs: 100 });
    await reader.query("COMMIT");
    reader.release();
    expect(first.truncatedPartitions).toEqual(["telemetry_reading_p20260105", "telemetry_reading_p20260112"]);
    expect(first.droppedPartitions).toEqual([]);
    expect(first.readings).toBe(rs.filter((r) => r.t < horizon.getTime()).length);
    expect(await counts(seriesIds, scratch)).toMatchObject({ raw: rs.filter((r) => r.t >= horizon.getTime()).length, compact: first.readings });
    const all = async () => asReadings(await readPoints(scratch, seriesIds, new Date(t0), new Date(t0 + 21 * D)));
    expect(await all()).toEqual(expected(rs));

    const second = await compactTelemetry(scratch, { olderThan: horizon });
    expect(second).toMatchObject({ readings: 0, droppedPartitions: ["telemetry_reading_p20260105", "telemetry_reading_p20260112"] });
    expect(await names("telemetry_reading")).toEqual(["telemetry_reading_p20260119"]);
    expect(await names("telemetry_compact")).toEqual(["telemetry_compact_p20260101"]);

    // a late reading for a dropped week: the store recreates the partition; reads see it at once
    const late = { s: 1, t: t0 + 2 * D + 1234, v: -1 };
    await insertRaw([late, { s: 1, t: t0 + 2 * D, v: 777 } /* a repeat: the compacted value stays */], scratch);
    expect(await all()).toEqual(expected([...rs, late]));
    const third = await compactTelemetry(scratch, { olderThan: horizon });
    expect(third).toMatchObject({ readings: 2, rows: 1, droppedPartitions: ["telemetry_reading_p20260105"] });
    expect(await all()).toEqual(expected([...rs, late]));
  });

  it("drops whole partitions past every metric's retention and deletes the rest per metric", async () => {
    const now = new Date("2026-01-27T00:00:00.000Z");
    // raw: longest retention 14 days -> compact partitions ending by 2026-01-13 could go (none: monthly);
    // temp (7 days) loses its readings before 2026-01-20 row by row.
    await scratch.query("SELECT ecomate_ensure_partitions('telemetry_rollup_1m', '2025-10-01', '2026-01-27')");
    const res = await applyRetention(scratch, now);
    expect(res.droppedPartitions).toEqual(["telemetry_rollup_1m_p20251001", "telemetry_rollup_1m_p20251101"]);
    const left = asReadings(await readPoints(scratch, seriesIds, new Date("2025-12-01"), now));
    expect(left.filter((r) => r.s === 1)[0]!.t).toBe(now.getTime() - 14 * D);
    expect(left.filter((r) => r.s === 2)[0]!.t).toBe(now.getTime() - 7 * D);

    // a year later every partition is past every retention
    const later = await applyRetention(scratch, new Date("2027-03-01T00:00:00Z"));
    expect(later.droppedPartitions).toEqual(
      expect.arrayContaining(["telemetry_reading_p20260119", "telemetry_compact_p20260101", "telemetry_rollup_1m_p20251201", "telemetry_rollup_1m_p20260101"]),
    );
    expect(await readPoints(scratch, seriesIds, new Date("2025-12-01"), now)).toEqual([]);
  });
});
