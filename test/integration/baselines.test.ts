// Series baselines (median / MAD of hourly means) computed from telemetry_rollup_1h in the real
// PostgreSQL. Every test writes rollups for series of its own, in 2090 where no other test writes, and
// scopes the computation to them (or to that window) so files running in parallel do not interfere.
import { afterAll, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { computeBaselines } from "../../src/server/telemetry/baselines";
import { makeOrg, testDb, uid } from "./helpers";

const db = testDb();
const pool = getPool();
const H = 3_600_000;
const D = 86_400_000;

afterAll(async () => {
  await db.$disconnect();
});

/** Series of their own: one system, one metric of the given kind per series. */
async function makeSeries(kinds: ("gauge" | "counter")[]): Promise<number[]> {
  const org = await makeOrg(db, { systems: 1 });
  const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } });
  const ids: number[] = [];
  for (const kind of kinds) {
    const metric = await db.metric.create({
      data: { key: `test_${uid()}`, name: "Test metric", unit: "1", minValid: -1e9, maxValid: 1e9, kind, organizationId: org.organizationId },
    });
    ids.push((await db.series.create({ data: { systemId: system.id, metricId: metric.id } })).id);
  }
  return ids;
}

/** Hourly rollups with the given hourly means; count varies so that mean = sum / count is what is read. */
async function writeHours(seriesId: number, hours: { bucket: number; mean: number }[]) {
  const buckets = hours.map((h) => h.bucket);
  await pool.query("SELECT ecomate_ensure_partitions('telemetry_rollup_1h', $1, $2)", [new Date(Math.min(...buckets)), new Date(Math.max(...buckets))]);
  await pool.query(
    `INSERT INTO telemetry_rollup_1h (series_id, bucket, min, max, sum, count, last, last_ts)
     SELECT $1, timestamptz 'epoch' + b * interval '1 millisecond', m - 1, m + 1, m * c, c, m,
            timestamptz 'epoch' + (b + 3599000) * interval '1 millisecond'
       FROM unnest($2::int8[], $3::float8[], $4::int[]) AS x(b, m, c)`,
    [seriesId, buckets, hours.map((h) => h.mean), hours.map((_, i) => 10 + (i % 7) * 13)],
  );
}

async function baselineOf(seriesId: number) {
  const { rows } = await pool.query<{ median: number; mad: number; mean: number; stddev: number; count: number; window_days: number; updated_at: Date }>(
    "SELECT median, mad, mean, stddev, count, window_days, updated_at FROM series_baseline WHERE series_id = $1",
    [seriesId],
  );
  return rows[0] ?? null;
}

const sampleStddev = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

describe("computeBaselines", () => {
  it("writes median, MAD, mean, stddev and count of the hourly means over the window's whole hours", async () => {
    const now = new Date("2090-03-15T10:30:00Z");
    const to = Date.parse("2090-03-15T10:00:00Z"); // the running hour (10:00) is left out
    const [a, few, counter] = await makeSeries(["gauge", "gauge", "counter"]);
    // a: 1..29 at to-30h .. to-2h and an outlier 1000 at to-1h; plus rows outside the window
    const values = [...Array.from({ length: 29 }, (_, i) => i + 1), 1000];
    await writeHours(a!, [
      ...values.map((mean, i) => ({ bucket: to - (30 - i) * H, mean })),
      { bucket: to, mean: 1e6 },
      { bucket: to - 14 * D - H, mean: -1e6 },
    ]);
    // 23 hours: not enough
    await writeHours(few!, Array.from({ length: 23 }, (_, i) => ({ bucket: to - (i + 1) * H, mean: i })));
    // a counter is never baselined
    await writeHours(counter!, values.map((mean, i) => ({ bucket: to - (30 - i) * H, mean })));

    expect(await computeBaselines(pool, { now, seriesIds: [a!, few!, counter!] })).toBe(1);
    const b = await baselineOf(a!);
    expect(b).toMatchObject({ median: 15.5, mad: 7.5, count: 30, window_days: 14 });
    expect(b!.mean).toBeCloseTo(1435 / 30, 10);
    expect(b!.stddev).toBeCloseTo(sampleStddev(values), 9);
    expect(b!.updated_at.getTime()).toBe(now.getTime());
    expect(await baselineOf(few!)).toBeNull();
    expect(await baselineOf(counter!)).toBeNull();

    // a one-day window: to-24h .. to-1h holds 7..29 and 1000
    expect(await computeBaselines(pool, { now, seriesIds: [a!], windowDays: 1 })).toBe(1);
    expect(await baselineOf(a!)).toMatchObject({ median: 18.5, mad: 6, count: 24, window_days: 1 });
  });

  it("includes the window's first hour, excludes the hour before it, and replaces an existing baseline", async () => {
    const now = new Date("2090-06-01T00:00:00Z"); // on the hour: the window is [now - 14 d, now)
    const to = now.getTime();
    const [s] = await makeSeries(["gauge"]);
    await pool.query("INSERT INTO series_baseline (series_id, median, mad, mean, stddev, count, window_days, updated_at) VALUES ($1, 99, 99, 99, 99, 99, 99, now())", [s]);
    await writeHours(s!, [
      ...Array.from({ length: 24 }, (_, i) => ({ bucket: to - (i + 1) * H, mean: 5 })),
      { bucket: to - 14 * D, mean: 5 },
      { bucket: to - 14 * D - H, mean: 500 },
      { bucket: to, mean: 500 },
    ]);
    expect(await computeBaselines(pool, { now, seriesIds: [s!] })).toBe(1);
    expect(await baselineOf(s!)).toEqual({ median: 5, mad: 0, mean: 5, stddev: 0, count: 25, window_days: 14, updated_at: now });
  });

  it("without a series filter, updates every series with enough data in the window", async () => {
    // 2090-09: no other test writes rollups there
    const now = new Date("2090-09-10T12:00:00Z");
    const [x, y] = await makeSeries(["gauge", "gauge"]);
    await writeHours(x!, Array.from({ length: 48 }, (_, i) => ({ bucket: now.getTime() - (i + 1) * H, mean: i % 2 === 0 ? 1 : 3 })));
    await writeHours(y!, Array.from({ length: 24 }, (_, i) => ({ bucket: now.getTime() - (i + 1) * H, mean: i })));
    expect(await computeBaselines(pool, { now })).toBe(2);
    expect(await baselineOf(x!)).toMatchObject({ median: 2, mad: 1, mean: 2, count: 48 });
    // 0..23: median 11.5, deviations 0.5 .. 11.5 twice each: MAD 6
    expect(await baselineOf(y!)).toMatchObject({ median: 11.5, mad: 6, mean: 11.5, count: 24 });
    expect(await computeBaselines(pool, { now, seriesIds: [] })).toBe(0);
  });
});
