import { beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { getPool } from "../../src/server/db";
import { listWorkOrderWindowRows } from "../../src/server/maintenance/history/window-rows";
import { callerAs, makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
const H = 3_600_000;
// The failure: downtime from 10 March 2025 12:00 UTC, completed 6 hours later.
const E = Date.parse("2025-03-10T12:00:00.000Z");
const at = (hours: number) => new Date(E + hours * H);

let org: TestOrg;
let systemId: string;
let pumpId: string;
let failureId: string;
let preventiveId: string;
let flowSeries: number;
let tempSeries: number;

const isCode = (code: TRPCError["code"]) => (e: unknown) => e instanceof TRPCError && e.code === code;

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
  const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! }, include: { components: true } });
  systemId = sys.id;
  pumpId = sys.components[0]!.id;
  const vib = await db.failureCode.findUniqueOrThrow({ where: { kind_code: { kind: "mode", code: "VIB" } } });
  const failure = await db.workOrder.create({
    data: {
      organizationId: org.organizationId, type: "corrective", status: "done", title: "Pump vibrates", systemId, componentId: pumpId,
      failureModeId: vib.id, createdAt: at(0.25), downtimeStart: at(0), downtimeEnd: at(6), completedAt: at(6),
    },
  });
  failureId = failure.id;
  const preventive = await db.workOrder.create({
    data: { organizationId: org.organizationId, type: "preventive", status: "done", title: "Grease bearings", systemId, componentId: pumpId, createdAt: at(-72), completedAt: at(-71) },
  });
  preventiveId = preventive.id;
  await db.alert.create({
    data: { organizationId: org.organizationId, systemId, componentId: pumpId, severity: "major", message: "Vibration high", raisedAt: at(-2), clearedAt: at(7), state: "cleared" },
  });

  const [flow, temp] = await Promise.all([
    db.metric.findUniqueOrThrow({ where: { key: "flow_rate" } }),
    db.metric.findUniqueOrThrow({ where: { key: "water_temperature" } }),
  ]);
  flowSeries = (await db.series.create({ data: { systemId, componentId: pumpId, metricId: flow.id } })).id;
  tempSeries = (await db.series.create({ data: { systemId, componentId: null, metricId: temp.id } })).id;
  const pool = getPool();
  await pool.query("SELECT ecomate_ensure_partitions('telemetry_rollup_1h', $1, $2)", [at(-24 * 60), at(48)]);
  await pool.query("SELECT ecomate_ensure_partitions('telemetry_rollup_1m', $1, $2)", [at(-24 * 60), at(48)]);
  // Hourly rollups from 8 days before to 2 days after, two readings each: avg = the bucket's offset from the event in hours.
  await pool.query(
    `INSERT INTO telemetry_rollup_1h (series_id, bucket, min, max, sum, count, last, last_ts)
     SELECT s, $2::timestamptz + k * interval '1 hour', k - 1, k + 1, 2 * k, 2, k, $2::timestamptz + k * interval '1 hour'
       FROM unnest($1::int[]) AS s, generate_series(-192, 47) AS k`,
    [[flowSeries, tempSeries], at(0)],
  );
  // Minute rollups from 13 h before to 19 h after: avg = offset in minutes / 60.
  await pool.query(
    `INSERT INTO telemetry_rollup_1m (series_id, bucket, min, max, sum, count, last, last_ts)
     SELECT $1, $2::timestamptz + k * interval '1 minute', k / 60.0, k / 60.0, k / 60.0, 1, k / 60.0, $2::timestamptz + k * interval '1 minute'
       FROM generate_series(-13 * 60, 19 * 60 - 1) AS k`,
    [flowSeries, at(0)],
  );
});

describe("maintenance.history.workOrderWindows", () => {
  it("joins 7 days before the downtime start to 1 day after completion from the 1-hour rollups", async () => {
    const w = await callerAs(db, org.users.viewer).maintenance.history.workOrderWindows({ id: failureId });
    expect(w.workOrder).toMatchObject({ title: "Pump vibrates", component: "pump-1", failureMode: { code: "VIB" }, eventAt: at(0), completedAt: at(6) });
    // [E − 168 h, E + 6 h + 24 h): 8.25 days, longer than 2 days -> 1-hour buckets
    expect(w.window).toEqual({ from: at(-168), to: at(30), beforeDays: 7, afterDays: 1, resolution: "1h" });
    // the order's component's series first, then the system-level one
    expect(w.series.map((s) => [s.seriesId, s.component, s.metric.key])).toEqual([
      [flowSeries, "pump-1", "flow_rate"],
      [tempSeries, null, "water_temperature"],
    ]);
    const flow = w.series[0]!;
    expect(flow.t).toHaveLength(168 + 30);
    expect(flow.t[0]).toEqual(at(-168));
    expect(flow.t.at(-1)).toEqual(at(29));
    expect(flow.offsetHours[0]).toBe(-168);
    // avg = sum / count of the rollup, which the data set made equal to the offset
    expect(flow.avg).toEqual(flow.offsetHours);
    expect(flow.min[0]).toBe(-169);
    expect(flow.max[0]).toBe(-167);
    expect(flow.phase.filter((p) => p === "before")).toHaveLength(168);
    expect(flow.phase.filter((p) => p === "during")).toHaveLength(6);
    expect(flow.phase.filter((p) => p === "after")).toHaveLength(24);
  });

  it("reads the 1-minute rollups when the window is two days or shorter", async () => {
    const w = await callerAs(db, org.users.viewer).maintenance.history.workOrderWindows({ id: failureId, beforeDays: 0.5, afterDays: 0.5 });
    // [E − 12 h, E + 6 h + 12 h) = 30 h
    expect(w.window).toMatchObject({ from: at(-12), to: at(18), resolution: "1m" });
    const flow = w.series.find((s) => s.seriesId === flowSeries)!;
    expect(flow.t).toHaveLength(30 * 60);
    expect(flow.offsetHours[0]).toBe(-12);
    expect(flow.avg[0]).toBeCloseTo(-12, 12);
    expect(flow.offsetHours[1]).toBeCloseTo(-12 + 1 / 60, 12);
    // no minute rollups for the temperature: an empty series, still listed
    expect(w.series.find((s) => s.seriesId === tempSeries)!.t).toEqual([]);
  });

  it("refuses another organisation's order, and windows out of range", async () => {
    const other = await makeOrg(db, { systems: 1 });
    await expect(callerAs(db, other.users.viewer).maintenance.history.workOrderWindows({ id: failureId })).rejects.toSatisfy(isCode("NOT_FOUND"));
    await expect(callerAs(db, org.users.viewer).maintenance.history.workOrderWindows({ id: failureId, beforeDays: 365 })).rejects.toSatisfy(isCode("BAD_REQUEST"));
    await expect(callerAs(db, null).maintenance.history.workOrderWindows({ id: failureId })).rejects.toSatisfy(isCode("UNAUTHORIZED"));
  });
});

describe("listWorkOrderWindowRows (training data)", () => {
  it("returns flat rows for many orders, filtered to failures, with the offset from each event", async () => {
    const scope = { organizationId: org.organizationId };
    const all = await listWorkOrderWindowRows(scope, {});
    expect(new Set(all.map((r) => r.workOrderId))).toEqual(new Set([failureId, preventiveId]));
    const failures = await listWorkOrderWindowRows(scope, { withFailureMode: true, beforeDays: 1, afterDays: 0 });
    expect(new Set(failures.map((r) => r.workOrderId))).toEqual(new Set([failureId]));
    // [E − 24 h, E + 6 h) = 30 h -> minute rollups; only the flow series has them, from −13 h on
    expect(failures).toHaveLength(19 * 60);
    expect(failures[0]).toEqual({
      workOrderId: failureId,
      workOrderNumber: expect.any(Number),
      type: "corrective",
      failureMode: "VIB",
      system: org.systemCodes[0],
      component: "pump-1",
      seriesId: flowSeries,
      seriesComponent: "pump-1",
      metric: "flow_rate",
      bucket: at(-13),
      resolution: "1m",
      min: -13,
      max: -13,
      avg: -13,
      count: 1,
      offsetHours: -13,
      phase: "before",
    });
    // the preventive order 72 h before: its window [E − 72 h − 7 d, E − 71 h + 1 d) from the hourly rollups
    const preventive = await listWorkOrderWindowRows(scope, { types: ["preventive"] });
    const temp = preventive.filter((r) => r.metric === "water_temperature");
    expect(temp[0]).toMatchObject({ bucket: at(-192), offsetHours: -120, resolution: "1h", failureMode: null });
    expect(temp.at(-1)).toMatchObject({ bucket: at(-48), offsetHours: 24, phase: "after" });
    // another organisation's scope sees none of it
    const other = await makeOrg(db, { systems: 1 });
    expect(await listWorkOrderWindowRows({ organizationId: other.organizationId }, { workOrderIds: [failureId] })).toEqual([]);
  });
});

describe("maintenance.history.componentTimeline", () => {
  it("lists the component's work orders and alerts newest first, with its readings binned from the rollups", async () => {
    const api = callerAs(db, org.users.viewer);
    const t = await api.maintenance.history.componentTimeline({ componentId: pumpId, from: at(-240), to: at(24) });
    expect(t.component).toMatchObject({ code: "pump-1", system: { code: org.systemCodes[0] }, timeZone: "Europe/Berlin" });
    expect(t.events.map((e) => [e.kind, e.at])).toEqual([
      ["work_order", at(0)],
      ["alert", at(-2)],
      ["work_order", at(-72)],
    ]);
    expect(t.events[0]).toMatchObject({ kind: "work_order", failureMode: { code: "VIB" }, downtime: { start: at(0), end: at(6) } });
    // 264 h from the hourly rollups: ceil(264 / 400) = 1 h buckets; the data starts at −192 h
    expect(t.readings.source).toBe("1h");
    expect(t.readings.widthMs).toBe(H);
    // component series only (the system-level temperature is not the pump's)
    expect(t.readings.series.map((s) => s.metric.key)).toEqual(["flow_rate"]);
    expect(t.readings.series[0]!.t).toHaveLength(192 + 24);
    // 60 days -> 4-hour bins: the bin [−4 h, 0) holds offsets −4..−1, avg −2.5
    const long = await api.maintenance.history.componentTimeline({ componentId: pumpId, from: at(-60 * 24), to: at(0) });
    expect(long.readings.widthMs).toBe(4 * H);
    const s = long.readings.series[0]!;
    expect(s.t.at(-1)).toBe(at(-4).getTime());
    expect(s.avg.at(-1)).toBeCloseTo(-2.5, 12);
    expect(s.min.at(-1)).toBe(-5);
    // only events overlapping the range
    const narrow = await api.maintenance.history.componentTimeline({ componentId: pumpId, from: at(8), to: at(24) });
    expect(narrow.events).toEqual([]);
  });

  it("does not show another organisation's component", async () => {
    const other = await makeOrg(db, { systems: 1 });
    await expect(callerAs(db, other.users.viewer).maintenance.history.componentTimeline({ componentId: pumpId })).rejects.toSatisfy(isCode("NOT_FOUND"));
  });
});
