// Preventive schedules against the real database: time-based calendar (exactly once per due date, also
// with two runners racing), lead time, one open order at a time, meters and conditions computed from
// readings written by the real telemetry store, counter resets (a new UV lamp, a rolled-over energy
// meter), bad input, roles and organisation isolation.
// The runner is called with fixed times far from the wall clock, scoped to each test's organisation.
import { describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { TelemetryStore, type StoreReading } from "../../src/server/telemetry/store";
import { runDueSchedules } from "../../src/server/maintenance/schedules/run-due-schedules";
import { listSchedules } from "../../src/server/maintenance/schedules/list-schedules";
import { assessSchedule, scheduleRowSelect } from "../../src/server/maintenance/schedules/assess-schedule";
import { callerAs, makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
const pool = getPool();
const store = new TelemetryStore(pool);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

async function metricId(key: string): Promise<number> {
  return (await db.metric.findUniqueOrThrow({ where: { key } })).id;
}

async function systemOf(org: TestOrg, i = 0) {
  return db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[i]! }, include: { components: true } });
}

async function addComponent(systemId: string, code: string, type: "lamp" | "filter" | "sensor") {
  return db.component.create({ data: { systemId, code, type, name: code } });
}

const run = (org: TestOrg, now: Date) => runDueSchedules(db, now, { organizationId: org.organizationId });
const closeOrder = (id: string) => db.workOrder.update({ where: { id }, data: { status: "done", completedAt: new Date() } });

describe("time-based schedules", () => {
  it("opens one order per due date, also for two runners racing, and the next one on the next due date", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const manager = callerAs(db, org.users.manager);
    // 08:00 in Berlin (CET); 30 days later it is summer time: still 08:00 local, 06:00 UTC
    const due = new Date("2031-03-10T07:00:00.000Z");
    const s = await manager.maintenance.schedule.create({
      name: "Quarterly pump inspection",
      systemCode: org.systemCodes[0]!,
      componentCode: "pump-1",
      kind: "time",
      workOrderType: "inspection",
      priority: "high",
      intervalDays: 30,
      nextDueAt: due,
      checklist: ["Check seal for leaks", "Measure vibration"],
    });
    expect(s).toMatchObject({ kind: "time", nextDueAt: due, intervalDays: 30, component: { code: "pump-1" }, checklist: ["Check seal for leaks", "Measure vibration"] });

    // two runners at the same moment: exactly one order
    const [a, b] = await Promise.all([run(org, due), run(org, due)]);
    expect([...a.created, ...b.created]).toHaveLength(1);
    expect([...a.failed, ...b.failed]).toEqual([]);
    const first = [...a.created, ...b.created][0]!;
    expect(first).toMatchObject({ scheduleId: s.id, scheduleName: "Quarterly pump inspection", kind: "time", scheduleDueAt: due, dueAt: due });
    // and again, twice in a row and twice at once: nothing more
    expect((await run(org, due)).created).toEqual([]);
    const again = await Promise.all([run(org, due), run(org, due)]);
    expect(again.flatMap((r) => r.created)).toEqual([]);

    const orders = await db.workOrder.findMany({ where: { scheduleId: s.id }, include: { statusHistory: true } });
    expect(orders).toHaveLength(1);
    const wo = orders[0]!;
    const system = await systemOf(org);
    expect(wo).toMatchObject({
      id: first.workOrderId,
      organizationId: org.organizationId,
      type: "inspection",
      priority: "high",
      status: "open",
      title: "Quarterly pump inspection",
      systemId: system.id,
      componentId: system.components.find((c) => c.code === "pump-1")!.id,
      requestedById: null,
      scheduleDueAt: due,
      dueAt: due,
      checklist: [
        { label: "Check seal for leaks", done: false },
        { label: "Measure vibration", done: false },
      ],
    });
    expect(wo.statusHistory.map((h) => ({ from: h.fromStatus, to: h.toStatus, note: h.note, userId: h.userId }))).toEqual([
      { from: null, to: "open", note: "opened by schedule Quarterly pump inspection", userId: null },
    ]);
    const next = new Date("2031-04-09T06:00:00.000Z");
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).nextDueAt).toEqual(next);

    // the order is done; the next due date opens the next order, once
    await closeOrder(wo.id);
    expect((await run(org, new Date(next.getTime() - 1))).created).toEqual([]);
    const second = await Promise.all([run(org, next), run(org, next)]);
    expect(second.flatMap((r) => r.created).map((c) => c.scheduleDueAt)).toEqual([next]);
    expect((await run(org, next)).created).toEqual([]);
    expect(await db.workOrder.count({ where: { scheduleId: s.id } })).toBe(2);
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).nextDueAt).toEqual(new Date("2031-05-09T06:00:00.000Z"));
  });

  it("opens the order lead-time days before the due date, due on the due date", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const due = new Date("2031-07-01T06:00:00.000Z");
    const s = await callerAs(db, org.users.admin).maintenance.schedule.create({
      name: "UV sleeve cleaning",
      systemCode: org.systemCodes[0]!,
      kind: "time",
      intervalDays: 90,
      leadTimeDays: 7,
      nextDueAt: due,
    });
    expect(s.opensAt).toEqual(new Date("2031-06-24T06:00:00.000Z"));
    expect((await run(org, new Date("2031-06-24T05:59:59.999Z"))).created).toEqual([]);
    const r = await run(org, new Date("2031-06-24T06:00:00.000Z"));
    expect(r.created).toHaveLength(1);
    expect(r.created[0]).toMatchObject({ scheduleDueAt: due, dueAt: due });
    expect((await db.workOrder.findUniqueOrThrow({ where: { id: r.created[0]!.workOrderId } })).dueAt).toEqual(due);
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).nextDueAt).toEqual(new Date("2031-09-29T06:00:00.000Z"));
  });

  it("never opens a second order while one is open, in progress or on hold; late dates are skipped, not piled up", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const due = new Date("2031-01-05T09:00:00.000Z");
    const s = await callerAs(db, org.users.manager).maintenance.schedule.create({ name: "Daily walk-round", systemCode: org.systemCodes[0]!, kind: "time", intervalDays: 1, nextDueAt: due });
    const first = (await run(org, due)).created[0]!;
    for (const status of ["open", "in_progress", "on_hold", "requested"] as const) {
      await db.workOrder.update({ where: { id: first.workOrderId }, data: { status } });
      expect((await run(org, new Date(due.getTime() + 3 * DAY))).created).toEqual([]);
    }
    const [view] = await listSchedules(db, org.organizationId, {}, new Date(due.getTime() + DAY + 12 * HOUR));
    expect(view).toMatchObject({ hasOpenOrder: true, due: true, progressPercent: 150, lastOrder: { id: first.workOrderId, status: "requested" } });
    await closeOrder(first.workOrderId);
    // three days late: one order for the pending due date (6 Jan), then the calendar moves past now
    const late = await run(org, new Date(due.getTime() + 3 * DAY));
    expect(late.created.map((c) => c.scheduleDueAt)).toEqual([new Date("2031-01-06T09:00:00.000Z")]);
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).nextDueAt).toEqual(new Date("2031-01-09T09:00:00.000Z"));
    expect((await run(org, new Date(due.getTime() + 10 * DAY))).created).toEqual([]);
  });

  it("runs now for a manager: orders for the caller's organisation only", async () => {
    const a = await makeOrg(db, { systems: 1 });
    const b = await makeOrg(db, { systems: 1 });
    const past = new Date(Date.now() - DAY);
    const sa = await callerAs(db, a.users.manager).maintenance.schedule.create({ name: "Overdue A", systemCode: a.systemCodes[0]!, kind: "time", intervalDays: 30, nextDueAt: past });
    const sb = await callerAs(db, b.users.manager).maintenance.schedule.create({ name: "Overdue B", systemCode: b.systemCodes[0]!, kind: "time", intervalDays: 30, nextDueAt: past });
    await expect(callerAs(db, b.users.technician).maintenance.schedule.runNow()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const r = await callerAs(db, b.users.manager).maintenance.schedule.runNow();
    expect(r.created.map((c) => c.scheduleId)).toEqual([sb.id]);
    expect(await db.workOrder.count({ where: { scheduleId: sa.id } })).toBe(0);
    const audit = await db.auditLog.findFirst({ where: { entityId: sb.id, action: "schedule.trigger" } });
    expect(audit).toMatchObject({ userId: b.users.manager.id, organizationId: b.organizationId });
  });
});

describe("meter-based schedules", () => {
  it("opens a lamp-hours order when the counter reaches the threshold less the lead time at the 7-day rate", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const lamp = await addComponent(system.id, "lamp-1", "lamp");
    const lampHours = await metricId("lamp_hours");
    // a lamp burning around the clock: 1000 h at T0, +1 h per hour, a reading every 10 minutes for 11 days
    const t0 = Date.parse("2026-03-01T00:00:00.000Z");
    const readings: StoreReading[] = [];
    for (let t = t0; t <= t0 + 11 * DAY; t += 10 * MIN) readings.push({ metricId: lampHours, componentId: lamp.id, ts: t, value: 1000 + (t - t0) / HOUR });
    await store.store(system.id, readings);

    const s = await callerAs(db, org.users.manager).maintenance.schedule.create({
      name: "Replace UV lamp",
      systemCode: org.systemCodes[0]!,
      componentCode: "lamp-1",
      kind: "meter",
      meterMetricKey: "lamp_hours",
      meterInterval: 200,
      lastMeterValue: 1100,
      leadTimeDays: 2,
    });
    // rate 24 h/day -> 48 h lead: the order opens at 1252 h (T0 + 252 h), due at 1300 h
    const before = new Date(t0 + 250 * HOUR + MIN);
    expect((await run(org, before)).created).toEqual([]);
    const [view] = await listSchedules(db, org.organizationId, {}, before);
    expect(view!.meter).toMatchObject({ value: 1250, unit: "h", ratePerDay: 24, threshold: 1300, sourceMetric: "lamp_hours" });
    expect(view!.progressPercent).toBe(75);
    expect(view!.nextDueAt).toEqual(new Date(before.getTime() + Math.round((50 / 24) * DAY)));

    const now = new Date(t0 + 252 * HOUR + MIN);
    const r = await Promise.all([run(org, now), run(org, now)]);
    const created = r.flatMap((x) => x.created);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ scheduleId: s.id, kind: "meter", dueAt: new Date(now.getTime() + 2 * DAY) });
    const wo = await db.workOrder.findUniqueOrThrow({ where: { id: created[0]!.workOrderId } });
    expect(wo).toMatchObject({ componentId: lamp.id, type: "preventive", status: "open", title: "Replace UV lamp" });
    expect(wo.description).toMatch(/lamp_hours at 1252 h; service due at 1300 h/);
    const after = await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } });
    expect(after.lastMeterValue).toBe(1300);
    // the next service is due at 1500 h: nothing more now, even with the order closed
    await closeOrder(wo.id);
    expect((await run(org, new Date(t0 + 11 * DAY))).created).toEqual([]);
  });

  it("computes running hours from pump speed rollups and pumped volume from flow", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const pump = system.components.find((c) => c.code === "pump-1")!;
    const ft = await addComponent(system.id, "ft-1", "sensor");
    const speed = await metricId("pump_speed");
    const flow = await metricId("flow_rate");
    const t0 = Date.parse("2026-04-06T00:00:00.000Z");
    const readings: StoreReading[] = [];
    // hours 0-2 running; hour 3 running for its first 30 minutes; hour 4 stopped except one minute
    // that started (0 then 60: half a minute); hour 5 (the current hour) running for 20 minutes so far
    for (let m = 0; m < 5 * 60 + 20; m++) {
      const hour = Math.floor(m / 60);
      const inHour = m % 60;
      const running = hour <= 2 || (hour === 3 && inHour < 30) || hour === 5;
      readings.push({ metricId: speed, componentId: pump.id, ts: t0 + m * MIN + 30_000, value: running ? 80 : 0 });
      if (hour === 4 && inHour === 10) readings.push({ metricId: speed, componentId: pump.id, ts: t0 + m * MIN + 50_000, value: 60 });
      // flow: 10 m3/h for two hours, 12 m3/h in the current hour
      if (hour <= 1) readings.push({ metricId: flow, componentId: ft.id, ts: t0 + m * MIN + 15_000, value: 10 });
      if (hour === 5) readings.push({ metricId: flow, componentId: ft.id, ts: t0 + m * MIN + 15_000, value: 12 });
    }
    await store.store(system.id, readings);
    const now = new Date(t0 + 5 * HOUR + 20 * MIN);
    const manager = callerAs(db, org.users.manager);
    const running = await manager.maintenance.schedule.create({
      name: "Pump service",
      systemCode: org.systemCodes[0]!,
      componentCode: "pump-1",
      kind: "meter",
      meterMetricKey: "running_hours",
      meterInterval: 4,
      lastMeterValue: 0,
    });
    const volume = await manager.maintenance.schedule.create({
      name: "Flow meter check",
      systemCode: org.systemCodes[0]!,
      kind: "meter",
      meterMetricKey: "pumped_volume",
      meterInterval: 50,
      lastMeterValue: 0,
    });
    const views = await listSchedules(db, org.organizationId, {}, now);
    const rv = views.find((v) => v.id === running.id)!;
    const vv = views.find((v) => v.id === volume.id)!;
    const hours = 3 + 0.5 + 0.5 / 60 + 20 / 60;
    expect(rv.meter?.value).toBeCloseTo(hours, 10);
    expect(rv.meter).toMatchObject({ unit: "h", sourceMetric: "pump_speed" });
    expect(vv.meter?.value).toBeCloseTo(10 * 2 + 12 * (20 / 60), 10); // 24 m3
    expect(vv.meter).toMatchObject({ unit: "m3", sourceMetric: "flow_rate" });
    expect(vv.progressPercent).toBe(48);
    // 3.84 h of 4: not yet; 20 minutes later (more running in the current hour) it is due
    expect((await run(org, now)).created).toEqual([]);
    const more: StoreReading[] = [];
    for (let m = 5 * 60 + 20; m < 5 * 60 + 40; m++) more.push({ metricId: speed, componentId: pump.id, ts: t0 + m * MIN + 30_000, value: 80 });
    await store.store(system.id, more);
    const later = await run(org, new Date(t0 + 5 * HOUR + 40 * MIN));
    expect(later.created.map((c) => c.scheduleId)).toEqual([running.id]);
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: running.id } })).lastMeterValue).toBe(4);
  });
});

// Readings after the wall clock (2031 on): a schedule created now has its baseline before them.
describe("counter resets", () => {
  const resetAudits = (scheduleId: string) => db.auditLog.findMany({ where: { entityId: scheduleId, action: "schedule.meter_reset" } });
  const stored = (id: string) => db.maintenanceSchedule.findUniqueOrThrow({ where: { id } });

  it("a new UV lamp restarts the lamp-hours interval: one order near 9,000 h on each lamp, the reset in the schedule's history", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const lamp = await addComponent(system.id, "lamp-1", "lamp");
    const lampHours = await metricId("lamp_hours");
    // the old lamp at 8,900 h, burning around the clock, a reading every hour; replaced at 9,010 h,
    // 20 minutes past the hour; the new lamp counts from 0, a reading every hour
    const t0 = Date.parse("2031-01-06T00:00:00.000Z");
    const replaced = t0 + 110 * HOUR + 20 * MIN;
    const readings: StoreReading[] = [];
    for (let k = 0; k <= 110; k++) readings.push({ metricId: lampHours, componentId: lamp.id, ts: t0 + k * HOUR, value: 8900 + k });
    for (let k = 0; k <= 9000; k++) readings.push({ metricId: lampHours, componentId: lamp.id, ts: replaced + k * HOUR, value: k });
    await store.store(system.id, readings);

    const s = await callerAs(db, org.users.manager).maintenance.schedule.create({
      name: "Replace UV lamp",
      systemCode: org.systemCodes[0]!,
      componentCode: "lamp-1",
      kind: "meter",
      meterMetricKey: "lamp_hours",
      meterInterval: 9000,
      lastMeterValue: 0,
      leadTimeDays: 1,
    });
    // 24 h/day, one day's lead: the order opens at 8,976 h
    expect((await run(org, new Date(t0 + 75 * HOUR + MIN))).created).toEqual([]);
    const firstAt = new Date(t0 + 76 * HOUR + MIN);
    const first = (await Promise.all([run(org, firstAt), run(org, firstAt)])).flatMap((r) => r.created);
    expect(first).toHaveLength(1);
    expect(await stored(s.id)).toMatchObject({ lastMeterValue: 9000, meterBaselineAt: firstAt });

    // the lead time left the baseline (9,000 h) above the counter (8,990 h): no reset
    const below = new Date(t0 + 90 * HOUR + MIN);
    const quiet = await run(org, below);
    expect(quiet).toMatchObject({ created: [], meterResets: [], failed: [] });
    const [waiting] = await listSchedules(db, org.organizationId, {}, below);
    expect(waiting).toMatchObject({ counterReset: null, progressPercent: 0, meter: { value: 8990, threshold: 18_000 } });
    await closeOrder(first[0]!.workOrderId);

    // the lamp is replaced: one reading of the new lamp is no proof yet (a ballast may send 0 once)
    expect((await run(org, new Date(replaced + 30 * MIN))).meterResets).toEqual([]);
    expect(await stored(s.id)).toMatchObject({ lastMeterValue: 9000 });

    // the next reading confirms it: the list counts from the new lamp before the runner stored anything
    const confirmed = new Date(replaced + HOUR + MIN);
    const [seen] = await listSchedules(db, org.organizationId, {}, confirmed);
    expect(seen).toMatchObject({
      counterReset: { at: new Date(replaced), from: 9010, to: 0, pending: true },
      meter: { value: 1, threshold: 9000 },
      progressPercent: 0,
      due: false,
    });
    expect(await stored(s.id)).toMatchObject({ lastMeterValue: 9000, meterBaselineAt: firstAt });

    // the runner stores it once, also with two runners racing, and writes it into the history
    const runs = await Promise.all([run(org, confirmed), run(org, confirmed)]);
    expect(runs.flatMap((r) => r.created)).toEqual([]);
    expect(runs.flatMap((r) => r.meterResets)).toEqual([
      { organizationId: org.organizationId, scheduleId: s.id, reset: { at: new Date(replaced), from: 9010, to: 0 }, baselineAt: new Date(replaced + MIN) },
    ]);
    expect((await run(org, new Date(replaced + 2 * HOUR + MIN))).meterResets).toEqual([]);
    expect(await stored(s.id)).toMatchObject({ lastMeterValue: 0, meterBaselineAt: new Date(replaced + MIN) });
    const audits = await resetAudits(s.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ organizationId: org.organizationId, actorType: "system", entityType: "maintenance_schedule" });
    expect(audits[0]!.details).toMatchObject({
      message: `counter reset detected at ${new Date(replaced).toISOString()} (from 9010 h to 0 h): interval restarted`,
      previousBaseline: 9000,
      baseline: 0,
    });
    const [after] = await listSchedules(db, org.organizationId, {}, new Date(replaced + 2 * HOUR + MIN));
    expect(after).toMatchObject({ counterReset: { at: new Date(replaced), from: 9010, pending: false }, meter: { value: 2, threshold: 9000 } });

    // the new lamp: nothing until 8,976 h, then exactly one order (before the fix: 17,976 h)
    expect((await run(org, new Date(replaced + 4000 * HOUR + MIN))).created).toEqual([]);
    expect((await run(org, new Date(replaced + 8975 * HOUR + MIN))).created).toEqual([]);
    const secondAt = new Date(replaced + 8976 * HOUR + MIN);
    const second = (await Promise.all([run(org, secondAt), run(org, secondAt)])).flatMap((r) => r.created);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ scheduleId: s.id, dueAt: new Date(secondAt.getTime() + DAY) });
    expect((await db.workOrder.findUniqueOrThrow({ where: { id: second[0]!.workOrderId } })).description).toMatch(/lamp_hours at 8976 h; service due at 9000 h/);
    expect((await run(org, new Date(replaced + 8990 * HOUR + MIN))).created).toEqual([]);
    expect(await db.workOrder.count({ where: { scheduleId: s.id } })).toBe(2);
    expect(await resetAudits(s.id)).toHaveLength(1);
  });

  it("does not restart for float noise, a re-sent older reading or a ballast sending 0 once", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const lamp = await addComponent(system.id, "lamp-1", "lamp");
    const lampHours = await metricId("lamp_hours");
    const t0 = Date.parse("2031-02-03T00:00:00.000Z");
    const at = (m: number) => t0 + m * 10 * MIN;
    const hoursAt = (m: number) => 1000 + (m * 10) / 60;
    const readings: StoreReading[] = [];
    for (let m = 0; m <= 2 * 144; m++) {
      let value = hoursAt(m);
      if (m === 30) value -= 1e-9; // float noise
      if (m === 60) value = hoursAt(30); // an older value sent again: 5 h back
      if (m === 100) value = 0; // the ballast boots and sends 0 before it has read its hours
      readings.push({ metricId: lampHours, componentId: lamp.id, ts: at(m), value });
    }
    await store.store(system.id, readings);
    const s = await callerAs(db, org.users.manager).maintenance.schedule.create({
      name: "Replace UV lamp",
      systemCode: org.systemCodes[0]!,
      componentCode: "lamp-1",
      kind: "meter",
      meterMetricKey: "lamp_hours",
      meterInterval: 9000,
      lastMeterValue: 1000,
    });
    // right after each, and long after all of them
    for (const m of [31, 61, 100, 101, 102, 288]) {
      const now = new Date(at(m) + MIN);
      expect(await run(org, now)).toMatchObject({ created: [], meterResets: [], failed: [] });
      const [view] = await listSchedules(db, org.organizationId, {}, now);
      expect(view!.counterReset).toBeNull();
      expect(view!.meter!.threshold).toBe(10_000);
    }
    const [end] = await listSchedules(db, org.organizationId, {}, new Date(at(288) + MIN));
    expect(end!.progressPercent).toBe(0.5); // 48 h of 9,000
    expect(await stored(s.id)).toMatchObject({ lastMeterValue: 1000 });
    expect(await resetAudits(s.id)).toEqual([]);
  });

  it("restarts a rolled-over energy meter, also on a row without meterBaselineAt, and the assessment sees it first", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const energy = await metricId("energy");
    // a whole-system meter at 96,000 kWh, 50 kWh an hour, read every 15 minutes; it rolls over at 100,000
    const t0 = Date.parse("2031-03-03T00:00:00.000Z");
    const readings: StoreReading[] = [];
    for (let q = 0; q <= 4 * 300; q++) readings.push({ metricId: energy, componentId: null, ts: t0 + q * 15 * MIN, value: (96_000 + q * 12.5) % 100_000 });
    await store.store(system.id, readings);
    const created = await callerAs(db, org.users.manager).maintenance.schedule.create({
      name: "Meter-based pump service",
      systemCode: org.systemCodes[0]!,
      kind: "meter",
      meterMetricKey: "energy",
      meterInterval: 10_000,
      lastMeterValue: 95_000,
    });
    // a schedule stored before meterBaselineAt existed
    await db.maintenanceSchedule.update({ where: { id: created.id }, data: { meterBaselineAt: null } });

    const before = new Date(t0 + 60 * HOUR + MIN); // 99,000 kWh
    const [early] = await listSchedules(db, org.organizationId, {}, before);
    expect(early).toMatchObject({ meter: { value: 99_000, threshold: 105_000 }, progressPercent: 40, counterReset: null });

    // rolled over after 80 h; at 4,000 kWh on the new count
    const now = new Date(t0 + 160 * HOUR + MIN);
    const row = await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: created.id }, select: scheduleRowSelect });
    const a = await assessSchedule(db, row, now);
    const rolledAt = new Date(t0 + 80 * HOUR);
    expect(a).toMatchObject({
      kind: "meter",
      due: false,
      baseline: { value: 0, at: new Date(rolledAt.getTime() + MIN), restartedBy: { at: rolledAt, from: 99_987.5, to: 0 } },
      evaluation: { threshold: 10_000 },
      progress: 0.4,
    });
    // the rate comes from the new count only (1,200 kWh/day), not a negative one across the rollover
    expect(a.kind === "meter" && a.meter?.ratePerDay).toBeCloseTo(1200, 6);
    expect(await stored(created.id)).toMatchObject({ lastMeterValue: 95_000, meterBaselineAt: null });

    const r = await run(org, now);
    expect(r.meterResets.map((x) => x.reset)).toEqual([{ at: rolledAt, from: 99_987.5, to: 0 }]);
    expect(await stored(created.id)).toMatchObject({ lastMeterValue: 0, meterBaselineAt: new Date(rolledAt.getTime() + MIN) });
    const [audit] = await resetAudits(created.id);
    expect(audit!.details).toMatchObject({
      message: `counter reset detected at ${rolledAt.toISOString()} (from 99987.50 kWh to 0 kWh): interval restarted`,
      previousBaseline: 95_000,
      previousBaselineAt: (await stored(created.id)).createdAt.toISOString(),
    });
    // 10,000 kWh on the new count: 200 h after the rollover
    expect((await run(org, new Date(t0 + 279 * HOUR + MIN))).created).toEqual([]);
    const due = await run(org, new Date(t0 + 280 * HOUR + MIN));
    expect(due.created.map((c) => c.scheduleId)).toEqual([created.id]);
    expect(await stored(created.id)).toMatchObject({ lastMeterValue: 10_000 });
  });

  it("leaves running hours alone: a pump that stops and runs on slower is no reset", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const pump = system.components.find((c) => c.code === "pump-1")!;
    const speed = await metricId("pump_speed");
    const t0 = Date.parse("2031-04-07T00:00:00.000Z");
    // 80 % for 2 h, stopped for 1 h, then 60 %: a "drop" that stays down, were pump_speed a counter
    const readings: StoreReading[] = [];
    for (let m = 0; m < 5 * 60; m++) readings.push({ metricId: speed, componentId: pump.id, ts: t0 + m * MIN + 30_000, value: m < 120 ? 80 : m < 180 ? 0 : 60 });
    await store.store(system.id, readings);
    const s = await callerAs(db, org.users.manager).maintenance.schedule.create({
      name: "Pump service",
      systemCode: org.systemCodes[0]!,
      componentCode: "pump-1",
      kind: "meter",
      meterMetricKey: "running_hours",
      meterInterval: 2,
      lastMeterValue: 1,
    });
    const now = new Date(t0 + 3 * HOUR + 30 * MIN); // 2.5 h run: 75 % of the way from 1 h to 3 h
    const row = await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id }, select: scheduleRowSelect });
    const a = await assessSchedule(db, row, now);
    expect(a).toMatchObject({ kind: "meter", due: false, meter: { reset: null }, baseline: { value: 1, restartedBy: null } });
    expect(a.progress).toBeCloseTo(0.75, 10);
    expect(await run(org, now)).toMatchObject({ created: [], meterResets: [] });
    const due = await run(org, new Date(t0 + 4 * HOUR + MIN));
    expect(due.created.map((c) => c.scheduleId)).toEqual([s.id]);
    expect(await stored(s.id)).toMatchObject({ lastMeterValue: 3 });
    expect(await resetAudits(s.id)).toEqual([]);
  });

  it("sets meterBaselineAt with the baseline; an edit that sends the baseline back keeps its time", async () => {
    const org = await makeOrg(db, { systems: 1 });
    await addComponent((await systemOf(org)).id, "lamp-1", "lamp");
    const m = callerAs(db, org.users.manager);
    const before = Date.now();
    const s = await m.maintenance.schedule.create({ name: "Lamp", systemCode: org.systemCodes[0]!, componentCode: "lamp-1", kind: "meter", meterMetricKey: "lamp_hours", meterInterval: 9000, lastMeterValue: 120 });
    const setAt = (await stored(s.id)).meterBaselineAt!;
    expect(setAt.getTime()).toBeGreaterThanOrEqual(before);
    // the edit form sends every field back, the baseline included
    await m.maintenance.schedule.update({ id: s.id, name: "UV lamp", lastMeterValue: 120, meterInterval: 8000 });
    expect(await stored(s.id)).toMatchObject({ name: "UV lamp", lastMeterValue: 120, meterBaselineAt: setAt });
    await new Promise((r) => setTimeout(r, 5));
    await m.maintenance.schedule.update({ id: s.id, lastMeterValue: 300 });
    const moved = await stored(s.id);
    expect(moved.lastMeterValue).toBe(300);
    expect(moved.meterBaselineAt!.getTime()).toBeGreaterThan(setAt.getTime());
    await m.maintenance.schedule.update({ id: s.id, kind: "time", intervalDays: 30 });
    expect(await stored(s.id)).toMatchObject({ lastMeterValue: null, meterBaselineAt: null });
  });
});

describe("condition-based schedules", () => {
  async function filterSystem() {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const filter = await addComponent(system.id, "filter-1", "filter");
    const s = await callerAs(db, org.users.manager).maintenance.schedule.create({
      name: "Change cartridge filter",
      systemCode: org.systemCodes[0]!,
      componentCode: "filter-1",
      kind: "condition",
      conditionMetricKey: "filter_dp",
      conditionOp: ">",
      conditionThreshold: 1,
      conditionHoldMinutes: 30,
      leadTimeDays: 1,
    });
    return { org, system, filter, s };
  }
  // three readings a minute; null: no reading
  const dpReadings = async (systemId: string, componentId: string, t0: number, minutes: number, value: (minute: number, k: number) => number | null) => {
    const dp = await metricId("filter_dp");
    const readings: StoreReading[] = [];
    for (let m = 0; m < minutes; m++) {
      for (let k = 0; k < 3; k++) {
        const v = value(m, k);
        if (v !== null) readings.push({ metricId: dp, componentId, ts: t0 + m * MIN + k * 20_000, value: v });
      }
    }
    await store.store(systemId, readings);
  };

  it("opens one order when filter ΔP > 1 bar has held for 30 minutes", async () => {
    const { org, system, filter, s } = await filterSystem();
    const t0 = Date.parse("2026-05-04T10:00:00.000Z");
    await dpReadings(system.id, filter.id, t0, 45, () => 1.3);
    expect((await run(org, new Date(t0 + 29 * MIN + 59_000))).created).toEqual([]);
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).conditionSince).toEqual(new Date(t0));
    const [view] = await listSchedules(db, org.organizationId, {}, new Date(t0 + 15 * MIN));
    expect(view).toMatchObject({ condition: { holding: true, heldMinutes: 15, hasData: true }, progressPercent: 50, nextDueAt: new Date(t0 + 30 * MIN) });

    const heldAt = new Date(t0 + 30 * MIN);
    const r = await Promise.all([run(org, heldAt), run(org, heldAt)]);
    const created = r.flatMap((x) => x.created);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ scheduleId: s.id, kind: "condition", scheduleDueAt: heldAt, dueAt: new Date(heldAt.getTime() + DAY) });
    // the same hold never opens a second order, also once the first is done
    expect((await run(org, new Date(t0 + 35 * MIN))).created).toEqual([]);
    await closeOrder(created[0]!.workOrderId);
    expect((await run(org, new Date(t0 + 45 * MIN))).created).toEqual([]);
    expect(await db.workOrder.count({ where: { scheduleId: s.id } })).toBe(1);
  });

  it("is broken by a dip below the threshold or a gap in the data, and held again after 30 unbroken minutes", async () => {
    const { org, system, filter, s } = await filterSystem();
    const t0 = Date.parse("2026-05-05T10:00:00.000Z");
    // minute 12 dips below 1 bar for one reading; minute 50 has no data at all
    await dpReadings(system.id, filter.id, t0, 90, (m, k) => (m === 50 ? null : m === 12 && k === 1 ? 0.95 : 1.4));
    expect((await run(org, new Date(t0 + 30 * MIN))).created).toEqual([]);
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).conditionSince).toEqual(new Date(t0 + 13 * MIN));
    expect((await run(org, new Date(t0 + 42 * MIN + 59_000))).created).toEqual([]);
    const r = await run(org, new Date(t0 + 43 * MIN));
    expect(r.created.map((c) => c.scheduleDueAt)).toEqual([new Date(t0 + 43 * MIN)]);
    await closeOrder(r.created[0]!.workOrderId);
    // the gap at minute 50 ends that hold; a new one completes 30 minutes after it (minute 81)
    expect((await run(org, new Date(t0 + 80 * MIN + 59_000))).created).toEqual([]);
    expect((await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).conditionSince).toEqual(new Date(t0 + 51 * MIN));
    const again = await run(org, new Date(t0 + 81 * MIN));
    expect(again.created.map((c) => c.scheduleDueAt)).toEqual([new Date(t0 + 81 * MIN)]);
  });
});

describe("schedule input and permissions", () => {
  it("refuses a schedule without the interval or threshold its kind needs, naming the field", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const m = callerAs(db, org.users.manager);
    const base = { name: "Bad", systemCode: org.systemCodes[0]! };
    await expect(m.maintenance.schedule.create({ ...base, kind: "time" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/intervalDays/) });
    await expect(m.maintenance.schedule.create({ ...base, kind: "meter", meterMetricKey: "lamp_hours" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/meterInterval/),
    });
    await expect(m.maintenance.schedule.create({ ...base, kind: "meter", meterInterval: 100 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/meterMetricKey/) });
    await expect(
      m.maintenance.schedule.create({ ...base, kind: "condition", conditionMetricKey: "filter_dp", conditionOp: ">", conditionHoldMinutes: 30 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/conditionThreshold/) });
    await expect(m.maintenance.schedule.create({ ...base, kind: "time", intervalDays: 7, leadTimeDays: 7 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/leadTimeDays/),
    });
    // unknown metrics, and a gauge where a counter is needed
    await expect(m.maintenance.schedule.create({ ...base, kind: "meter", meterMetricKey: "no_such_metric", meterInterval: 5 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Unknown metric "no_such_metric"/),
    });
    await expect(
      m.maintenance.schedule.create({ ...base, kind: "condition", conditionMetricKey: "nope", conditionOp: ">", conditionThreshold: 1, conditionHoldMinutes: 5 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/Unknown metric "nope"/) });
    await expect(m.maintenance.schedule.create({ ...base, kind: "meter", meterMetricKey: "flow_rate", meterInterval: 5 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not a counter/),
    });
    await expect(m.maintenance.schedule.create({ ...base, systemCode: "NOPE-99", kind: "time", intervalDays: 7 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(m.maintenance.schedule.create({ ...base, componentCode: "uv-9", kind: "time", intervalDays: 7 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.maintenanceSchedule.count({ where: { organizationId: org.organizationId } })).toBe(0);

    // an update is checked as a whole: clearing the interval is refused and changes nothing
    const s = await m.maintenance.schedule.create({ ...base, name: "Weekly", kind: "time", intervalDays: 7, nextDueAt: new Date("2031-01-01T00:00:00.000Z") });
    await expect(m.maintenance.schedule.update({ id: s.id, intervalDays: null })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/intervalDays/) });
    await expect(m.maintenance.schedule.update({ id: s.id, kind: "meter" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/meterMetricKey/) });
    expect(await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ kind: "time", intervalDays: 7 });
    // a new interval keeps the calendar: previous due (25 Dec) + 14 days
    const updated = await m.maintenance.schedule.update({ id: s.id, intervalDays: 14, name: "Fortnightly" });
    expect(updated).toMatchObject({ name: "Fortnightly", intervalDays: 14, nextDueAt: new Date("2031-01-08T00:00:00.000Z") });
    const paused = await m.maintenance.schedule.setActive({ id: s.id, active: false });
    expect(paused.active).toBe(false);
    expect((await runDueSchedules(db, new Date("2031-02-01T00:00:00.000Z"), { organizationId: org.organizationId })).created).toEqual([]);
    await m.maintenance.schedule.delete({ id: s.id });
    await expect(m.maintenance.schedule.get({ id: s.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lets everyone read schedules but only managers and admins change them; organisations are isolated", async () => {
    const a = await makeOrg(db, { systems: 1 });
    const b = await makeOrg(db, { systems: 1 });
    const s = await callerAs(db, a.users.manager).maintenance.schedule.create({ name: "Monthly", systemCode: a.systemCodes[0]!, kind: "time", intervalDays: 30 });
    expect((await callerAs(db, a.users.viewer).maintenance.schedule.list()).map((x) => x.id)).toEqual([s.id]);
    expect((await callerAs(db, a.users.viewer).maintenance.schedule.get({ id: s.id })).recentOrders).toEqual([]);
    for (const role of ["viewer", "technician"] as const) {
      const c = callerAs(db, a.users[role]);
      await expect(c.maintenance.schedule.create({ name: "x", systemCode: a.systemCodes[0]!, kind: "time", intervalDays: 3 })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.maintenance.schedule.update({ id: s.id, name: "y" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.maintenance.schedule.setActive({ id: s.id, active: false })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.maintenance.schedule.delete({ id: s.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(callerAs(db, null).maintenance.schedule.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    const other = callerAs(db, b.users.admin);
    expect(await other.maintenance.schedule.list()).toEqual([]);
    await expect(other.maintenance.schedule.get({ id: s.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.maintenance.schedule.update({ id: s.id, name: "stolen" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.maintenance.schedule.setActive({ id: s.id, active: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.maintenance.schedule.delete({ id: s.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // another organisation's system is not found either
    await expect(other.maintenance.schedule.create({ name: "x", systemCode: a.systemCodes[0]!, kind: "time", intervalDays: 3 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const options = await other.maintenance.schedule.options();
    expect(options.systems.map((x) => x.code)).toEqual([b.systemCodes[0]]);
    expect(options.meterMetrics.map((x) => x.key)).toEqual(expect.arrayContaining(["running_hours", "pumped_volume", "lamp_hours", "energy"]));
    expect(await db.maintenanceSchedule.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ name: "Monthly", active: true });
  });
});
