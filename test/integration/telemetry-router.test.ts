import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { TelemetryStore } from "../../src/server/telemetry/store";
import { callerAs, makeOrg, testDb, type TestOrg, errorOf } from "./helpers";

const db = testDb();
const pool = getPool();
let a: TestOrg;
let b: TestOrg;
let systemA: string;
let systemB: string;
let flowSeries: number;
let tempSeries: number;
let otherSeries: number;

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Aligned to 24 s, 2 min and 2 h buckets (epoch-aligned), so the expected buckets are easy to read.
const base = Date.parse("2026-11-02T08:00:00.000Z");

async function seriesId(systemId: string, metricKey: string): Promise<number> {
  const s = await db.series.findFirstOrThrow({ where: { systemId, metric: { key: metricKey } }, select: { id: true } });
  return s.id;
}


beforeAll(async () => {
  [a, b] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
  const sysA = await db.treatmentSystem.findUniqueOrThrow({ where: { code: a.systemCodes[0]! }, include: { components: true } });
  const sysB = await db.treatmentSystem.findUniqueOrThrow({ where: { code: b.systemCodes[0]! } });
  systemA = sysA.id;
  systemB = sysB.id;
  const pump = sysA.components[0]!.id;
  const flow = (await db.metric.findUniqueOrThrow({ where: { key: "flow_rate" } })).id;
  const temp = (await db.metric.findUniqueOrThrow({ where: { key: "water_temperature" } })).id;
  const store = new TelemetryStore(pool);
  await store.store(systemA, [
    // minute 0: 1, 5, 3; minute 1: 10, 4; two hours later: 7
    { metricId: flow, componentId: pump, ts: base + 10_000, value: 1 },
    { metricId: flow, componentId: pump, ts: base + 30_000, value: 5 },
    { metricId: flow, componentId: pump, ts: base + 50_000, value: 3 },
    { metricId: flow, componentId: pump, ts: base + 61_000, value: 10 },
    { metricId: flow, componentId: pump, ts: base + 62_000, value: 4 },
    { metricId: flow, componentId: pump, ts: base + 2 * HOUR + 5 * MIN, value: 7 },
    { metricId: temp, componentId: null, ts: base, value: 14.5 },
  ]);
  await store.store(systemB, [{ metricId: flow, componentId: null, ts: base, value: 2 }]);
  flowSeries = await seriesId(systemA, "flow_rate");
  tempSeries = await seriesId(systemA, "water_temperature");
  otherSeries = await seriesId(systemB, "flow_rate");
  await db.operatingLimit.create({ data: { systemId: systemA, metricKey: "flow_rate", min: 1.5, max: 12, source: "test" } });
});

describe("telemetry.series", () => {
  it("lists the system's series with metric, component, latest value and limit, system level first", async () => {
    const series = await callerAs(db, a.users.viewer).telemetry.series({ systemCode: a.systemCodes[0]! });
    expect(series).toEqual([
      {
        id: tempSeries,
        component: null,
        metric: { key: "water_temperature", name: "Water temperature", unit: "degC", kind: "gauge" },
        latest: { value: 14.5, ts: new Date(base) },
        limit: null,
      },
      {
        id: flowSeries,
        component: { code: "pump-1", name: "Booster pump" },
        metric: { key: "flow_rate", name: "Flow rate", unit: "m3/h", kind: "gauge" },
        latest: { value: 7, ts: new Date(base + 2 * HOUR + 5 * MIN) },
        limit: { min: 1.5, max: 12 },
      },
    ]);
  });

  it("answers NOT_FOUND for another organisation's system, UNAUTHORIZED when signed out", async () => {
    expect((await errorOf(callerAs(db, a.users.admin).telemetry.series({ systemCode: b.systemCodes[0]! }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerAs(db, null).telemetry.series({ systemCode: a.systemCodes[0]! }))).code).toBe("UNAUTHORIZED");
  });
});

describe("telemetry.chart", () => {
  const code = () => a.systemCodes[0]!;

  it("reads raw readings for a short span: 24 s buckets of min, max, avg, count", async () => {
    const chart = await callerAs(db, a.users.viewer).telemetry.chart({
      systemCode: code(),
      seriesIds: [flowSeries],
      from: new Date(base),
      to: new Date(base + 2 * MIN),
      points: 5,
    });
    expect(chart.source).toBe("raw");
    expect(chart.widthMs).toBe(24_000);
    expect(chart.series).toEqual([
      {
        seriesId: flowSeries,
        t: [base, base + 24_000, base + 48_000],
        min: [1, 5, 3],
        max: [1, 5, 10],
        avg: [1, 5, 17 / 3],
        count: [1, 1, 3],
      },
    ]);
  });

  it("reads 1-minute rollups from ~hours up (ISO strings accepted)", async () => {
    const chart = await callerAs(db, a.users.viewer).telemetry.chart({
      systemCode: code(),
      seriesIds: [flowSeries],
      from: new Date(base).toISOString(),
      to: new Date(base + 3 * HOUR).toISOString(),
      points: 100,
    });
    expect(chart.source).toBe("1m");
    expect(chart.widthMs).toBe(2 * MIN);
    expect(chart.from).toEqual(new Date(base));
    expect(chart.series[0]).toEqual({
      seriesId: flowSeries,
      t: [base, base + 2 * HOUR + 4 * MIN],
      min: [1, 7],
      max: [10, 7],
      avg: [23 / 5, 7],
      count: [5, 1],
    });
  });

  it("reads 1-hour rollups for a month, several series in one answer", async () => {
    const chart = await callerAs(db, a.users.viewer).telemetry.chart({
      systemCode: code(),
      seriesIds: [flowSeries, tempSeries],
      from: new Date(base - 15 * DAY),
      to: new Date(base + 15 * DAY),
    });
    expect(chart.source).toBe("1h");
    expect(chart.widthMs).toBe(2 * HOUR); // 720 h / 600 points, rounded up to whole hours
    expect(chart.series).toEqual([
      { seriesId: flowSeries, t: [base, base + 2 * HOUR], min: [1, 7], max: [10, 7], avg: [23 / 5, 7], count: [5, 1] },
      { seriesId: tempSeries, t: [base], min: [14.5], max: [14.5], avg: [14.5], count: [1] },
    ]);
  });

  it("answers NOT_FOUND for another organisation's system or series", async () => {
    const viewer = callerAs(db, a.users.viewer);
    const range = { from: new Date(base), to: new Date(base + HOUR) };
    const other = await errorOf(viewer.telemetry.chart({ systemCode: b.systemCodes[0]!, seriesIds: [otherSeries], ...range }));
    expect(other.code).toBe("NOT_FOUND");
    // a series of another system, asked for under one's own system code
    const foreign = await errorOf(viewer.telemetry.chart({ systemCode: code(), seriesIds: [flowSeries, otherSeries], ...range }));
    expect(foreign.code).toBe("NOT_FOUND");
    expect(foreign.message).toContain(String(otherSeries));
  });

  it("refuses a bad range or request with BAD_REQUEST and says what is wrong", async () => {
    const viewer = callerAs(db, a.users.viewer);
    const ask = (over: Partial<Parameters<typeof viewer.telemetry.chart>[0]>) =>
      errorOf(viewer.telemetry.chart({ systemCode: code(), seriesIds: [flowSeries], from: new Date(base), to: new Date(base + HOUR), ...over }));

    const reversed = await ask({ from: new Date(base + HOUR), to: new Date(base) });
    expect(reversed.code).toBe("BAD_REQUEST");
    expect(reversed.message).toMatch(/"from" \(2026-11-02T09:00:00\.000Z\) must be before "to" \(2026-11-02T08:00:00\.000Z\)/);
    const empty = await ask({ to: new Date(base) });
    expect(empty.code).toBe("BAD_REQUEST");
    expect(empty.message).toMatch(/must be before/);
    const tooLong = await ask({ from: new Date(base - 20 * 366 * DAY) });
    expect(tooLong.code).toBe("BAD_REQUEST");
    expect(tooLong.message).toMatch(/too long/);
    for (const bad of [{ from: "yesterday" }, { points: 5000 }, { points: 0 }, { seriesIds: [] }, { seriesIds: Array.from({ length: 25 }, (_, i) => i + 1) }]) {
      expect((await ask(bad)).code).toBe("BAD_REQUEST");
    }
  });
});

describe("telemetry.fleetHealth", () => {
  it("gives each system of the organisation its newest reading, limited latest values and open alerts", async () => {
    const now = new Date();
    const mk = (state: "active_unacknowledged" | "cleared", severity: "major" | "warning", shelvedUntil: Date | null = null) =>
      db.alert.create({
        data: { organizationId: a.organizationId, systemId: systemA, severity, state, message: "test", raisedAt: now, shelvedUntil },
        select: { id: true },
      });
    const open = await mk("active_unacknowledged", "major");
    await mk("cleared", "major");
    await mk("active_unacknowledged", "warning", new Date(now.getTime() + HOUR)); // shelved: not shown
    const health = await callerAs(db, a.users.viewer).telemetry.fleetHealth();
    expect(Math.abs(health.at.getTime() - Date.now())).toBeLessThan(60_000);
    expect(health.systems).toEqual([
      {
        systemId: systemA,
        systemCode: a.systemCodes[0]!,
        lastReadingAt: new Date(base + 2 * HOUR + 5 * MIN),
        limits: [{ metricKey: "flow_rate", min: 1.5, max: 12 }],
        latest: [{ seriesId: flowSeries, metricKey: "flow_rate", value: 7, ts: new Date(base + 2 * HOUR + 5 * MIN) }],
        openAlerts: [{ id: open.id, severity: "major" }],
      },
    ]);
    const other = await callerAs(db, b.users.viewer).telemetry.fleetHealth();
    expect(other.systems.map((s) => s.systemId)).toEqual([systemB]);
  });
});
