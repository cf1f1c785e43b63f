// Calibration checks against the real database: recording a check judges it, audits it and, when it
// changes when the duty UV sensor was out of calibration, recomputes the compliance days it touches
// (the water delivered meanwhile becomes off-spec, and stops being so from a passing check); the
// instruments' state; roles, organisations and bad input.
import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { addDays, dayStart, localDay } from "../../src/server/compliance/calendar";
import { syncCalibrationAlerts } from "../../src/server/compliance/calibration-checks";
import { handleComplianceCsv } from "../../src/server/compliance/csv";
import { backfillCompliance } from "../../src/server/compliance/run-compliance";
import { TelemetryStore, type StoreReading } from "../../src/server/telemetry/store";
import { callerAs, errorOf, makeOrg, testDb, type TestOrg } from "./helpers";
import { makeUvUnit, type UvUnit } from "./uv-unit-fixture";

const db = testDb();
const store = new TelemetryStore(getPool());
const MIN = 60_000;
const TZ = "Europe/Berlin";

let org: TestOrg;
let other: TestOrg;
let unit: UvUnit;
// yesterday in Berlin, and 09:00 local on it
let day: string;
let nine: number;

/** 6 m³/h (0.1 m³ a minute), sensor 100 W/m², lamp on, one reading per minute from 09:00 to 12:00 local; then the pump stops (10 minutes of flow 0). */
async function storeMorning(): Promise<void> {
  const metrics = await db.metric.findMany({ where: { key: { in: ["flow_rate", "uv_intensity", "lamp_on", "water_temperature"] } } });
  const id = Object.fromEntries(metrics.map((m) => [m.key, m.id])) as Record<string, number>;
  const readings: StoreReading[] = [];
  for (let i = 0; i < 190; i++) {
    const ts = nine + i * MIN + 30_000;
    readings.push(
      { metricId: id.flow_rate!, componentId: unit.components["ft-1"]!, ts, value: i < 180 ? 6 : 0 },
      { metricId: id.uv_intensity!, componentId: unit.components["uvsensor-1"]!, ts, value: 100 },
      { metricId: id.lamp_on!, componentId: unit.components["lamp-1"]!, ts, value: 1 },
      { metricId: id.water_temperature!, componentId: unit.components["tt-1"]!, ts, value: 12 },
    );
  }
  await store.store(unit.id, readings);
}

const record = () => db.complianceRecord.findUniqueOrThrow({ where: { systemId_day: { systemId: unit.id, day: new Date(`${day}T00:00:00Z`) } } });
const calibrationEvents = async () =>
  (await db.offSpecEvent.findMany({ where: { systemId: unit.id, reason: "sensor_out_of_calibration" }, orderBy: { startedAt: "asc" } })).map((e) => ({
    from: (e.startedAt.getTime() - nine) / MIN,
    to: e.endedAt === null ? null : (e.endedAt.getTime() - nine) / MIN,
    volumeM3: e.volumeM3,
  }));

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
  // registered three days ago, so yesterday is monitored
  const registered = new Date(Date.now() - 3 * 86_400_000);
  unit = await makeUvUnit(db, org, registered, { registeredAt: registered });
  day = addDays(localDay(new Date(), TZ), -1);
  nine = dayStart(day, TZ).getTime() + 9 * 60 * MIN;
  await storeMorning();
  const r = await backfillCompliance(db, { organizationId: org.organizationId }, { from: day, to: day, systemCode: unit.code });
  expect(r.failed).toEqual([]);
});

describe("calibration checks", () => {
  it("a failed UV sensor check makes the water from then on off-spec; a passing one ends it; a drift changes nothing", async () => {
    const base = await record();
    // the lamp's first minutes are a warm-up (its status was unknown before 09:00): the only off-spec so far
    expect(base.offSpecMinutes).toBeLessThan(5);
    expect(await calibrationEvents()).toEqual([]);
    const tech = callerAs(db, org.users.technician);
    const today = localDay(new Date(), TZ);

    // 11:00: the duty sensor reads 30 W/m² where three reference readings average 40: −25 %
    const failed = await tech.compliance.recordCalibration({
      systemCode: unit.code,
      componentCode: "uvsensor-1",
      checkedAt: new Date(nine + 120 * MIN),
      instrumentReading: 30,
      referenceReadings: [39, 40, 41],
      note: "window fouled",
    });
    expect(failed.check).toMatchObject({ componentCode: "uvsensor-1", instrument: "uv_sensor", instrumentReading: 30, reference: 40, deviation: -0.25, result: "fail", note: "window fouled" });
    expect(failed.status.state).toBe("failed");
    // yesterday and today (still open) were recomputed
    expect(failed.recomputedDays).toEqual([day, today]);
    // a critical compliance alarm for the manager, which cannot be shelved
    const alarm = await db.alert.findFirstOrThrow({ where: { conditionKey: `calibration:${unit.components["uvsensor-1"]}` } });
    expect(alarm).toMatchObject({
      severity: "critical",
      isCompliance: true,
      state: "active_unacknowledged",
      componentId: unit.components["uvsensor-1"],
      ruleId: null,
      message: `uvsensor-1 of ${unit.code} failed its calibration check (−25.0 % against the reference): water counts as off-spec until a check passes.`,
    });
    const fleetCalibration = async () => (await callerAs(db, org.users.viewer).compliance.fleet()).find((r) => r.system.code === unit.code)!.calibration;
    expect(await fleetCalibration()).toEqual({ instruments: 1, failed: 1, due: 0 });
    expect((await errorOf(callerAs(db, org.users.manager).alerts.shelve({ id: alarm.id, minutes: 60, reason: "calibrating" }))).code).toBe("BAD_REQUEST");
    const out = await record();
    expect(out.offSpecMinutes).toBe(base.offSpecMinutes + 60);
    expect(out.offSpecVolumeM3).toBeCloseTo(base.offSpecVolumeM3 + 6, 9);
    // the event runs to the last minute of water (12:00), as one ledger event
    expect(await calibrationEvents()).toEqual([{ from: 120, to: 180, volumeM3: expect.closeTo(6, 9) as number }]);

    // 11:30: recalibrated, the check passes; 11:00–11:30 stays off-spec
    const passed = await tech.compliance.recordCalibration({ systemCode: unit.code, componentCode: "uvsensor-1", checkedAt: new Date(nine + 150 * MIN), instrumentReading: 40.5, referenceReadings: [40] });
    expect(passed.check.result).toBe("pass");
    expect(passed.recomputedDays).toEqual([day, today]);
    expect((await record()).offSpecMinutes).toBe(base.offSpecMinutes + 30);
    expect(await fleetCalibration()).toEqual({ instruments: 1, failed: 0, due: 0 });
    // the alarm clears (still to be acknowledged: ISA-18.2)
    expect((await db.alert.findUniqueOrThrow({ where: { id: alarm.id } })).state).toBe("cleared_unacknowledged");
    expect(await calibrationEvents()).toEqual([{ from: 120, to: 150, volumeM3: expect.closeTo(3, 9) as number }]);

    // now: 15 % high is drifting, still in calibration: no day is recomputed
    const drift = await tech.compliance.recordCalibration({ systemCode: unit.code, componentCode: "uvsensor-1", instrumentReading: 46, referenceReadings: [40] });
    expect(drift.check.result).toBe("drift");
    expect(drift.recomputedDays).toEqual([]);

    // the state the page shows: the latest check rules; the history newest first, each with who did it
    const cal = await callerAs(db, org.users.viewer).compliance.calibration({ systemCode: unit.code });
    expect(cal.instruments).toHaveLength(1);
    expect(cal.instruments[0]).toMatchObject({ componentCode: "uvsensor-1", instrument: "uv_sensor", intervalDays: 30, status: { state: "drift" } });
    expect(cal.instruments[0]!.last!.id).toBe(drift.check.id);
    expect(cal.checks.map((c) => c.result)).toEqual(["drift", "pass", "fail"]);
    expect(cal.checks[0]!.by).toBe(org.users.technician.name);
    // the month's operating log lists the checks before the day table
    const res = await handleComplianceCsv({ db, user: org.users.viewer, systemCode: unit.code, file: `${day.slice(0, 7)}.csv` });
    const lines = (await res.text()).split(/\r?\n/);
    const table = lines.indexOf("checked_at,instrument,component,reading,reference,deviation,result,checked_by");
    expect(table).toBeGreaterThan(0);
    expect(lines.slice(table + 1, table + 3)).toEqual([
      `${new Date(nine + 120 * MIN).toISOString()},uv_sensor,uvsensor-1,30.00,40.00,-25.00 %,fail,${org.users.technician.name}`,
      `${new Date(nine + 150 * MIN).toISOString()},uv_sensor,uvsensor-1,40.50,40.00,1.25 %,pass,${org.users.technician.name}`,
    ]);
    expect(lines.findIndex((l) => l.startsWith("date,"))).toBeGreaterThan(table);
    // every check is audited with its readings and result
    const audits = await db.auditLog.findMany({ where: { organizationId: org.organizationId, action: "calibration_check.record" }, orderBy: [{ at: "asc" }, { id: "asc" }] });
    expect(audits.map((a) => (a.details as { result: string }).result)).toEqual(["fail", "pass", "drift"]);
    expect(audits[0]).toMatchObject({ userId: org.users.technician.id, entityId: failed.check.id });
  });

  it("notes a check on the instrument's open inspection order, which the card lists", async () => {
    const sensor = unit.components["uvsensor-1"]!;
    const wo = await db.workOrder.create({
      data: { organizationId: org.organizationId, type: "inspection", status: "open", title: "UV sensor check against the reference sensor", systemId: unit.id, componentId: sensor, dueAt: new Date() },
    });
    const done = await db.workOrder.create({ data: { organizationId: org.organizationId, type: "inspection", status: "done", title: "Last month's check", systemId: unit.id, componentId: sensor } });
    const tech = callerAs(db, org.users.technician);
    const card = await tech.compliance.calibration({ systemCode: unit.code });
    expect(card.instruments[0]!.openWorkOrders).toEqual([{ id: wo.id, number: wo.number, dueAt: wo.dueAt }]);
    const r = await tech.compliance.recordCalibration({ systemCode: unit.code, componentCode: "uvsensor-1", instrumentReading: 46, referenceReadings: [40] });
    expect(r.notedOnWorkOrders).toEqual([wo.number]);
    const comments = await db.workOrderComment.findMany({ where: { workOrderId: { in: [wo.id, done.id] } } });
    expect(comments.map((c) => [c.workOrderId, c.userId, c.body])).toEqual([
      [wo.id, org.users.technician.id, "Calibration check of uvsensor-1 recorded: drifting (still in calibration), duty 46 W/m² against 40 W/m² (+15.0 %)."],
    ]);
    await db.workOrder.deleteMany({ where: { id: { in: [wo.id, done.id] } } });
  });

  it("the worker's pass raises a warning for an overdue check once, and clears it when a check is recorded", async () => {
    const key = `calibration-due:${unit.components["uvsensor-1"]}`;
    const later = new Date(Date.now() + 40 * 86_400_000);
    const scope = { organizationId: org.organizationId };
    expect((await syncCalibrationAlerts(db, later, scope)).instruments).toBe(1);
    await syncCalibrationAlerts(db, later, scope);
    const due = await db.alert.findMany({ where: { conditionKey: key } });
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({ severity: "warning", isCompliance: false, state: "active_unacknowledged", repeatCount: 0 });
    expect(due[0]!.message).toMatch(new RegExp(`^The calibration check of uvsensor-1 on ${unit.code} was due on \\d{4}-\\d{2}-\\d{2} \\(monthly\\)\\.$`));
    // today the last check (the drift) is recent: nothing is overdue
    await syncCalibrationAlerts(db, new Date(), scope);
    expect((await db.alert.findUniqueOrThrow({ where: { id: due[0]!.id } })).state).toBe("cleared_unacknowledged");
    // and no alarm for a failed check came back
    expect(await db.alert.count({ where: { conditionKey: `calibration:${unit.components["uvsensor-1"]}`, state: "active_unacknowledged" } })).toBe(0);
  });

  it("finds an online UVT analyser by its code or its series, and judges it against the lab", async () => {
    const uvt = await db.component.create({ data: { systemId: unit.id, code: "uvt-1", type: "sensor", name: "Online UVT analyser" } });
    const tech = callerAs(db, org.users.technician);
    // a new instrument never checked is due
    expect((await tech.compliance.fleet()).find((r) => r.system.code === unit.code)!.calibration).toEqual({ instruments: 2, failed: 0, due: 1 });
    const cal = await tech.compliance.calibration({ systemCode: unit.code });
    expect(cal.instruments.map((i) => [i.componentCode, i.instrument, i.status.state])).toEqual([
      ["uvsensor-1", "uv_sensor", "drift"],
      ["uvt-1", "uvt_analyser", "never_checked"],
    ]);
    const r = await tech.compliance.recordCalibration({ systemCode: unit.code, componentCode: "uvt-1", instrumentReading: 92.5, referenceReadings: [90] });
    expect(r.check).toMatchObject({ instrument: "uvt_analyser", deviation: 2.5, result: "fail" });
    await db.calibrationCheck.deleteMany({ where: { componentId: uvt.id } });
    await db.component.delete({ where: { id: uvt.id } });
  });

  it("refuses bad input with what was wrong, and writes nothing", async () => {
    const tech = callerAs(db, org.users.technician);
    const before = await db.calibrationCheck.count({ where: { systemId: unit.id } });
    const cases: [Parameters<typeof tech.compliance.recordCalibration>[0], RegExp][] = [
      [{ systemCode: unit.code, componentCode: "uvsensor-1", instrumentReading: 40, referenceReadings: [0] }, /Calibration check of uvsensor-1: a reference sensor reading must be above 0 W\/m² \(got 0\)/],
      [{ systemCode: unit.code, componentCode: "pump-1", instrumentReading: 40, referenceReadings: [40] }, /"pump-1" of .* is not a monitoring instrument .*; its instruments are: uvsensor-1\./],
      [{ systemCode: unit.code, componentCode: "uvsensor-1", instrumentReading: 40, referenceReadings: [] }, /Enter at least one reference reading/],
      [{ systemCode: unit.code, componentCode: "uvsensor-1", instrumentReading: 40, referenceReadings: [40, 40, 40, 40] }, /At most 3 reference readings/],
      [{ systemCode: unit.code, componentCode: "uvsensor-1", instrumentReading: Number.NaN, referenceReadings: [40] }, /instrument reading must be a/i],
      [{ systemCode: unit.code, componentCode: "uvsensor-1", checkedAt: new Date(Date.now() + 3_600_000), instrumentReading: 40, referenceReadings: [40] }, /is in the future; enter when the readings were taken/],
      [{ systemCode: unit.code, componentCode: "uvsensor-1", checkedAt: new Date(Date.now() - 500 * 86_400_000), instrumentReading: 40, referenceReadings: [40] }, /more than 400 days ago/],
    ];
    for (const [input, message] of cases) {
      const err = await errorOf(tech.compliance.recordCalibration(input));
      expect(err.code, String(message)).toBe("BAD_REQUEST");
      expect(err.message).toMatch(message);
    }
    expect(await db.calibrationCheck.count({ where: { systemId: unit.id } })).toBe(before);
    // and the table itself keeps to 1–3 finite reference readings, whoever writes to it
    const row = { systemId: unit.id, componentId: unit.components["uvsensor-1"]!, instrument: "uv_sensor" as const, checkedAt: new Date(), instrumentReading: 40, deviation: 0, result: "pass" as const, userId: org.users.technician.id };
    await expect(db.calibrationCheck.create({ data: { ...row, referenceReadings: [] } })).rejects.toThrow(/calibration_check_reference_count/);
    await expect(db.calibrationCheck.create({ data: { ...row, referenceReadings: [40, 40, 40, 40] } })).rejects.toThrow(/calibration_check_reference_count/);
    await expect(
      getPool().query(
        `INSERT INTO calibration_check (id, system_id, component_id, instrument, checked_at, instrument_reading, reference_readings, deviation, result, user_id)
         VALUES ('bad-nan', $1, $2, 'uv_sensor', now(), 40, '{NaN}', 0, 'pass', $3)`,
        [row.systemId, row.componentId, row.userId],
      ),
    ).rejects.toThrow(/calibration_check_finite/);
    expect(await db.calibrationCheck.count({ where: { systemId: unit.id } })).toBe(before);
  });

  it("viewers read but do not record; another organisation finds nothing", async () => {
    const input = { systemCode: unit.code, componentCode: "uvsensor-1", instrumentReading: 40, referenceReadings: [40] };
    expect((await errorOf(callerAs(db, org.users.viewer).compliance.recordCalibration(input))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerAs(db, other.users.manager).compliance.recordCalibration(input))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerAs(db, other.users.viewer).compliance.calibration({ systemCode: unit.code }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerAs(db, null).compliance.calibration({ systemCode: unit.code }))).code).toBe("UNAUTHORIZED");
  });
});
