import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { TelemetryStore } from "../../src/server/telemetry/store";
import { compactTelemetry } from "../../src/server/telemetry/compaction";
import { makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
const pool = getPool();
let org: TestOrg;
let systemId: string;
let pumpId: string;
let flowId: number;
let tempId: number;

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
  const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! }, include: { components: true } });
  systemId = sys.id;
  pumpId = sys.components[0]!.id;
  flowId = (await db.metric.findUniqueOrThrow({ where: { key: "flow_rate" } })).id;
  tempId = (await db.metric.findUniqueOrThrow({ where: { key: "water_temperature" } })).id;
});

async function rows(sql: string, params: unknown[]) {
  return (await pool.query(sql, params)).rows;
}

const HOUR = 3_600_000;
// Live data takes the fast path (plain INSERT, rollups aggregated in the process), history the general
// one (ON CONFLICT, rollups from the rows inserted); both must give the same answers.
const modes = [
  { mode: "history", base: Date.parse("2026-11-02T08:00:00.000Z") },
  { mode: "live data", base: Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR },
];

describe.each(modes)("telemetry store ($mode)", ({ mode, base: t0 }) => {
  it("stores once per (series, ts): duplicates are counted and the first value stays", async () => {
    const store = new TelemetryStore(pool);
    const t = t0;
    const first = await store.store(systemId, [
      { metricId: flowId, componentId: pumpId, ts: t, value: 9.8 },
      { metricId: flowId, componentId: pumpId, ts: t, value: 111 }, // same key in one batch
      { metricId: tempId, componentId: null, ts: t, value: 14.5 },
    ]);
    expect(first).toEqual({ accepted: 2, duplicates: 1 });
    const other = new TelemetryStore(pool);
    const again = await other.store(systemId, [{ metricId: flowId, componentId: pumpId, ts: t, value: 222 }]);
    expect(again).toEqual({ accepted: 0, duplicates: 1 });
    const fresh = await other.store(systemId, [{ metricId: flowId, componentId: pumpId, ts: t + 1, value: 223 }]);
    expect(fresh).toEqual({ accepted: 1, duplicates: 0 });
    // live data without duplicates takes the fast path; a duplicate sends the batch to the general one
    expect(other.batches).toEqual(mode === "live data" ? { fresh: 1, general: 1 } : { fresh: 0, general: 2 });
    const stored = await rows(
      `SELECT r.value FROM telemetry_reading r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1 AND s.metric_id = $2 AND r.ts = $3`,
      [systemId, flowId, new Date(t)],
    );
    expect(stored).toEqual([{ value: 9.8 }]);
  });

  it("keeps exact float64 values and millisecond timestamps", async () => {
    const store = new TelemetryStore(pool);
    const t = t0 + HOUR + 1;
    const values = [0.1 + 0.2, 5e-324, 1.7976931348623157e308 / 1e300, -0, 123456789.12345679];
    await store.store(systemId, values.map((v, i) => ({ metricId: tempId, componentId: pumpId, ts: t + i, value: v })));
    const back = await rows(
      `SELECT (extract(epoch FROM r.ts) * 1000)::int8 AS t, r.value FROM telemetry_reading r JOIN series s ON s.id = r.series_id
        WHERE s.system_id = $1 AND s.component_id = $2 AND s.metric_id = $3 AND r.ts BETWEEN $4 AND $5 ORDER BY r.ts`,
      [systemId, pumpId, tempId, new Date(t), new Date(t + 10)],
    );
    expect(back.map((r) => Number(r.t))).toEqual(values.map((_, i) => t + i));
    expect(back.map((r) => r.value)).toEqual(values);
    expect(Object.is(back[3]!.value, -0)).toBe(true);
  });

  it("maintains 1-minute and 1-hour rollups and the latest value, also across batches and out of order", async () => {
    const store = new TelemetryStore(pool);
    const base = t0;
    const sys2 = await makeOrg(db, { systems: 1 });
    const s2 = await db.treatmentSystem.findUniqueOrThrow({ where: { code: sys2.systemCodes[0]! } });
    // minute 0: 1, 5, 3 (in two batches, out of order); minute 1: 10
    await store.store(s2.id, [
      { metricId: flowId, componentId: null, ts: base + 30_000, value: 5 },
      { metricId: flowId, componentId: null, ts: base + 61_000, value: 10 },
    ]);
    await store.store(s2.id, [
      { metricId: flowId, componentId: null, ts: base + 10_000, value: 1 },
      { metricId: flowId, componentId: null, ts: base + 50_000, value: 3 },
      { metricId: flowId, componentId: null, ts: base + 30_000, value: 99 }, // duplicate: ignored everywhere
    ]);
    // a batch without duplicates, after one with: counts once, and the later value becomes the latest
    await store.store(s2.id, [{ metricId: flowId, componentId: null, ts: base + 62_000, value: 4 }]);
    const m = await rows(
      `SELECT (extract(epoch FROM bucket) * 1000)::int8 AS b, min, max, sum, count, last FROM telemetry_rollup_1m r JOIN series s ON s.id = r.series_id
        WHERE s.system_id = $1 ORDER BY bucket`,
      [s2.id],
    );
    expect(m.map((r) => ({ ...r, b: Number(r.b) }))).toEqual([
      { b: base, min: 1, max: 5, sum: 9, count: 3, last: 3 },
      { b: base + 60_000, min: 4, max: 10, sum: 14, count: 2, last: 4 },
    ]);
    const h = await rows(
      `SELECT min, max, sum, count, last FROM telemetry_rollup_1h r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1`,
      [s2.id],
    );
    expect(h).toEqual([{ min: 1, max: 10, sum: 23, count: 5, last: 4 }]);
    const latest = await rows(`SELECT l.value FROM series_latest l JOIN series s ON s.id = l.series_id WHERE s.system_id = $1`, [s2.id]);
    expect(latest).toEqual([{ value: 4 }]);
    // an older reading arriving late changes the rollups but not the latest value
    await store.store(s2.id, [{ metricId: flowId, componentId: null, ts: base + 5_000, value: 0.5 }]);
    expect(await rows(`SELECT l.value FROM series_latest l JOIN series s ON s.id = l.series_id WHERE s.system_id = $1`, [s2.id])).toEqual([{ value: 4 }]);
    const m0 = await rows(
      `SELECT min, count, last FROM telemetry_rollup_1m r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1 AND r.bucket = $2`,
      [s2.id, new Date(base)],
    );
    expect(m0).toEqual([{ min: 0.5, count: 4, last: 3 }]);
  });

  it("stores a batch whose readings arrive in any order, spread over series", async () => {
    const o = await makeOrg(db, { systems: 1 });
    const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: o.systemCodes[0]! }, include: { components: true } });
    const comp = sys.components[0]!.id;
    const store = new TelemetryStore(pool);
    // interleaved series, times descending: the store sorts them itself
    const batch = Array.from({ length: 300 }, (_, i) => ({
      metricId: i % 2 ? flowId : tempId,
      componentId: i % 3 ? comp : null,
      ts: t0 + (300 - i) * 1000,
      value: i,
    }));
    expect(await store.store(sys.id, batch)).toEqual({ accepted: 300, duplicates: 0 });
    const stored = await rows(
      `SELECT s.metric_id, s.component_id, (extract(epoch FROM r.ts) * 1000)::int8 AS t, r.value FROM telemetry_reading r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1`,
      [sys.id],
    );
    const key = (m: number, c: string | null, t: number) => `${m}|${c}|${t}`;
    const got = new Map(stored.map((r) => [key(r.metric_id, r.component_id, Number(r.t)), r.value]));
    expect(got.size).toBe(300);
    for (const r of batch) expect(got.get(key(r.metricId, r.componentId, r.ts))).toBe(r.value);
    const rolled = await rows(
      `SELECT sum(count)::int AS n, sum(sum) AS total FROM telemetry_rollup_1h r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1`,
      [sys.id],
    );
    expect(rolled).toEqual([{ n: 300, total: (299 * 300) / 2 }]);
  });
});

describe("telemetry store", () => {
  it("creates time partitions on demand, for history and near future alike", async () => {
    const store = new TelemetryStore(pool);
    const old = Date.parse("2025-01-15T12:00:00.000Z");
    const soon = Date.now() + 60_000;
    const r = await store.store(systemId, [
      { metricId: flowId, componentId: null, ts: old, value: 1 },
      { metricId: flowId, componentId: null, ts: soon, value: 2 },
    ]);
    expect(r.accepted).toBe(2);
  });

  it.each(modes)("takes concurrent batches on the same series without deadlock or loss ($mode)", async ({ base: t0 }) => {
    const store = new TelemetryStore(pool);
    const base = t0 + 2 * HOUR;
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 500 }, (_, i) => ({ metricId: tempId, componentId: null, ts: base + ((i * 7 + b * 13) % 1000) * 1000, value: b })),
    );
    const results = await Promise.all(batches.map((batch) => store.store(systemId, batch)));
    const accepted = results.reduce((n, r) => n + r.accepted, 0);
    const where = `s.system_id = $1 AND s.metric_id = $2 AND s.component_id IS NULL`;
    const range = [systemId, tempId, new Date(base), new Date(base + 1000 * 1000)];
    const raw = await rows(`SELECT count(*)::int AS n FROM telemetry_reading r JOIN series s ON s.id = r.series_id WHERE ${where} AND r.ts >= $3 AND r.ts < $4`, range);
    const rolled = await rows(`SELECT sum(count)::int AS n FROM telemetry_rollup_1m r JOIN series s ON s.id = r.series_id WHERE ${where} AND r.bucket >= $3 AND r.bucket < $4`, range);
    expect(accepted).toBe(1000);
    expect(raw[0].n).toBe(1000);
    expect(rolled[0].n).toBe(1000);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(3000);
  });

  it("counts a repeat of an already compacted reading as a duplicate (rollups unchanged)", async () => {
    const o = await makeOrg(db, { systems: 1 });
    const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: o.systemCodes[0]! } });
    const store = new TelemetryStore(pool);
    const t = Date.parse("2026-11-06T03:15:00.250Z");
    await store.store(sys.id, [{ metricId: flowId, componentId: null, ts: t, value: 7.25 }]);
    const series = (await rows(`SELECT id FROM series WHERE system_id = $1`, [sys.id]))[0]!.id as number;
    const moved = await compactTelemetry(pool, { olderThan: new Date(t + 3_600_000), seriesIds: [series] });
    expect(moved.readings).toBe(1);
    expect(await rows(`SELECT count(*)::int AS n FROM telemetry_reading WHERE series_id = $1`, [series])).toEqual([{ n: 0 }]);
    const again = await store.store(sys.id, [
      { metricId: flowId, componentId: null, ts: t, value: 99 },
      { metricId: flowId, componentId: null, ts: t + 1, value: 8 },
    ]);
    expect(again).toEqual({ accepted: 1, duplicates: 1 });
    const rolled = await rows(`SELECT sum(count)::int AS n, max(max) AS hi FROM telemetry_rollup_1h WHERE series_id = $1`, [series]);
    expect(rolled).toEqual([{ n: 2, hi: 8 }]);
  });
});
