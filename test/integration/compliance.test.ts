// UV compliance against the real PostgreSQL: a day of minute readings stored through the telemetry
// store, the worker's run and the backfill, the records and the ledger against hand-computed volumes,
// idempotence, the month verdict at 4.9 % and 5.1 %, the router's roles and organisations, the CSV.
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { getPool } from "../../src/server/db";
import { TelemetryStore, type StoreReading } from "../../src/server/telemetry/store";
import { runCompliance, backfillCompliance } from "../../src/server/compliance/run-compliance";
import { localDay } from "../../src/server/compliance/calendar";
import { handleComplianceCsv } from "../../src/server/compliance/csv";
import { callerAs, errorOf, makeOrg, testDb, type TestOrg } from "./helpers";
import { makeUvUnit } from "./uv-unit-fixture";

const db = testDb();
const store = new TelemetryStore(getPool());
const MIN = 60_000;

let org: TestOrg;
let other: TestOrg;
let metricIds: Record<"flow_rate" | "uv_intensity" | "lamp_on" | "water_temperature" | "uvt", number>;

/** A UV unit of the org's site (see uv-unit-fixture.ts). */
const makeUvSystem = (commissionedAt: Date, opts: { uvtAnalyser?: boolean; registeredAt?: Date } = {}) => makeUvUnit(db, org, commissionedAt, opts);

interface Minute {
  q: number;
  s: number;
  lamp: number;
  uvt?: number;
}

/** One reading per series per minute (at :30) from `start` (epoch ms, minute-aligned); null = the device said nothing. */
async function storeMinutes(system: { id: string; components: Record<string, string> }, start: number, minutes: (Minute | null)[]): Promise<void> {
  const readings: StoreReading[] = [];
  minutes.forEach((m, i) => {
    if (!m) return;
    const ts = start + i * MIN + 30_000;
    readings.push(
      { metricId: metricIds.flow_rate, componentId: system.components["ft-1"]!, ts, value: m.q },
      { metricId: metricIds.uv_intensity, componentId: system.components["uvsensor-1"]!, ts, value: m.s },
      { metricId: metricIds.lamp_on, componentId: system.components["lamp-1"]!, ts, value: m.lamp },
      { metricId: metricIds.water_temperature, componentId: system.components["tt-1"]!, ts, value: 12 },
    );
    if (m.uvt !== undefined) readings.push({ metricId: metricIds.uvt, componentId: system.components["uvt-1"]!, ts, value: m.uvt });
  });
  for (let i = 0; i < readings.length; i += 4000) await store.store(system.id, readings.slice(i, i + 4000));
}

/** Every compliance row of a system in March 2026, as stored (ids and computedAt included). */
async function snapshot(systemId: string) {
  const records = await db.complianceRecord.findMany({ where: { systemId, day: { lt: new Date("2026-04-01T00:00:00Z") } }, orderBy: { day: "asc" } });
  const events = await db.offSpecEvent.findMany({ where: { systemId, startedAt: { lt: new Date("2026-04-01T00:00:00Z") } }, orderBy: [{ startedAt: "asc" }, { id: "asc" }] });
  return { records, events };
}

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
  const metrics = await db.metric.findMany({ where: { key: { in: ["flow_rate", "uv_intensity", "lamp_on", "water_temperature", "uvt"] } } });
  metricIds = Object.fromEntries(metrics.map((m) => [m.key, m.id])) as typeof metricIds;
});

// ---- a day of readings, hand-computed ----------------------------------------------------------------
//
// 10 March 2026 in Europe/Berlin (CET): 2026-03-09T23:00Z to 2026-03-10T23:00Z, 1,440 minutes, with an
// hour of readings before it (lamp on). 6 m³/h = 0.1 m³ a minute, except:
//   02:00–03:00  pump stopped (flow 0): no water, nothing off-spec
//   10:00–10:10  UV sensor 40 W/m² < setpoint 48          -> sensor_below_setpoint, 10 min, 1.0 m³
//   14:00–14:05  lamp off (sensor 0)                      -> lamp_off + sensor_below_setpoint, 5 min, 0.5 m³
//   14:05–14:08  the lamp warms up (τ_w 0.75 min: 2.25 min) -> warming_up, 3 min, 0.3 m³
//   18:00–18:04  flow 13 m³/h > 12                         -> flow_above_max, 4 min, 4 × 13/60 m³
//   20:00–20:06  the device is silent (flow 6 on both sides) -> no_data, 6 min, 0.6 m³ (estimated)
// Delivered: 1,380 minutes, 1,376 × 0.1 + 4 × 13/60 = 138.4667 m³; off-spec 28 minutes, 2.4 + 0.8667 = 3.2667 m³.

const DAY_START = Date.parse("2026-03-09T23:00:00.000Z");
const local = (hh: number, mm = 0) => hh * 60 + mm;
const within = (m: number, from: number, minutes: number) => m >= from && m < from + minutes;

function dayMinute(m: number): Minute | null {
  if (within(m, local(20), 6)) return null;
  const lampOff = within(m, local(14), 5);
  return {
    q: within(m, local(2), 60) ? 0 : within(m, local(18), 4) ? 13 : 6,
    s: lampOff ? 0 : within(m, local(10), 10) ? 40 : 100,
    lamp: lampOff ? 0 : 1,
  };
}

describe("compliance of a day of readings", () => {
  let unit: Awaited<ReturnType<typeof makeUvSystem>>;
  const NOW = new Date("2026-03-11T01:30:00.000Z"); // 02:30 on the 11th in Berlin: the 10th closed at 01:00Z

  beforeAll(async () => {
    // commissioned and registered on 1 March (local midnight): the scheduled run keeps its days from then
    unit = await makeUvSystem(new Date("2026-02-28T23:00:00.000Z"), { registeredAt: new Date("2026-02-28T23:00:00.000Z") });
    await storeMinutes(unit, DAY_START - 60 * MIN, Array.from({ length: 60 + 1440 }, (_, i) => dayMinute(i - 60)));
  });

  it("the worker's run writes the day's record and ledger with the hand-computed volumes", async () => {
    const run = await runCompliance(db, NOW, { organizationId: org.organizationId, systemCode: unit.code });
    expect(run.failed).toEqual([]);
    // the last week (4–11 March), the 11th still open
    expect(run.computed.map((d) => d.day)).toEqual(["2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11"]);

    const record = await db.complianceRecord.findUniqueOrThrow({ where: { systemId_day: { systemId: unit.id, day: new Date("2026-03-10T00:00:00Z") } } });
    expect(record.organizationId).toBe(org.organizationId);
    expect(record.treatedVolumeM3).toBeCloseTo(137.6 + 52 / 60, 9);
    expect(record.offSpecVolumeM3).toBeCloseTo(2.4 + 52 / 60, 9);
    expect(record.offSpecMinutes).toBe(28);
    expect(record.dataCompleteness).toBeCloseTo(1434 / 1440, 12);
    expect(record.validatedFraction).toBeCloseTo(1352 / 1380, 12);
    expect(record.status).toBe("off_spec");
    // no UVT analyser: the setpoint approach, no calculated dose
    expect(record.minDoseMjCm2).toBeNull();
    expect(record.details).toMatchObject({ final: true, runHours: 23, events: 5, eventMinutes: 28, maxFlowM3h: 13, minIntensityWm2: 0, doseApproach: "setpoint", minutes: 1440 });

    const events = await db.offSpecEvent.findMany({ where: { systemId: unit.id, startedAt: { gte: new Date(DAY_START), lt: new Date(DAY_START + 1440 * MIN) } }, orderBy: { startedAt: "asc" } });
    const at = (m: number) => new Date(DAY_START + m * MIN);
    expect(events.map((e) => [e.reason, e.startedAt, e.endedAt])).toEqual([
      ["sensor_below_setpoint", at(local(10)), at(local(10, 10))],
      ["lamp_off,sensor_below_setpoint", at(local(14)), at(local(14, 5))],
      ["warming_up", at(local(14, 5)), at(local(14, 8))],
      ["flow_above_max", at(local(18)), at(local(18, 4))],
      ["no_data", at(local(20)), at(local(20, 6))],
    ]);
    const volumes = events.map((e) => e.volumeM3);
    [1.0, 0.5, 0.3, 52 / 60, 0.6].forEach((v, i) => expect(volumes[i]).toBeCloseTo(v, 9));

    // days without readings are incomplete, not compliant; the open day says so too
    const quiet = await db.complianceRecord.findUniqueOrThrow({ where: { systemId_day: { systemId: unit.id, day: new Date("2026-03-05T00:00:00Z") } } });
    expect(quiet).toMatchObject({ status: "incomplete", dataCompleteness: 0, treatedVolumeM3: 0 });
  });

  it("judges the day monitoring began from that minute: the morning's off-spec water before registration is history", async () => {
    // commissioned at midnight, registered at 12:00 local: the sensor dip at 10:00 is not EcoMate's to call
    const noon = await makeUvSystem(new Date(DAY_START), { registeredAt: new Date(DAY_START + local(12) * MIN) });
    // and the device is silent from 11:58 to 12:05: water flowed before registration, but EcoMate's
    // evidence starts at noon, so 12:00–12:05 are minutes without evidence of delivery, not off-spec
    const silent = (m: number) => m >= local(11, 58) && m < local(12, 5);
    await storeMinutes(noon, DAY_START - 60 * MIN, [
      ...Array.from({ length: 60 }, () => ({ q: 6, s: 100, lamp: 1 })),
      ...Array.from({ length: 1440 }, (_, m) => (silent(m) ? null : dayMinute(m))),
    ]);
    const r = await runCompliance(db, NOW, { organizationId: org.organizationId, systemCode: noon.code });
    expect(r.computed.map((d) => d.day)).toEqual(["2026-03-10", "2026-03-11"]);
    const day = await db.complianceRecord.findUniqueOrThrow({ where: { systemId_day: { systemId: noon.id, day: new Date("2026-03-10T00:00:00Z") } } });
    expect((day.details as { evaluatedFrom: string }).evaluatedFrom).toBe(new Date(DAY_START + local(12) * MIN).toISOString());
    // from 12:00 (the lamp first seen on at 12:05 was already on: monitoring began with it lit): lamp
    // off at 14:00 for 5 min (0.5 m³), warming up 3 (0.3), flow 13 m³/h for 4 (4 × 13/60), silent at 20:00 for 6 (0.6)
    expect(day.offSpecMinutes).toBe(18);
    expect(day.offSpecVolumeM3).toBeCloseTo(0.5 + 0.3 + 0.6 + (4 * 13) / 60, 9);
    // the 720 minutes from noon less the first 5: 711 at 6 m³/h (the 6 silent ones at 20:00 estimated at 6), 4 at 13 m³/h
    expect(day.treatedVolumeM3).toBeCloseTo(711 * 0.1 + (4 * 13) / 60, 9);
    const events = await db.offSpecEvent.findMany({ where: { systemId: noon.id, startedAt: { lt: new Date(DAY_START + 1440 * MIN) } } });
    expect(events.every((e) => e.startedAt.getTime() >= DAY_START + local(12) * MIN)).toBe(true);
  });

  it("the scheduled run leaves days from before a system was registered to a backfill", async () => {
    const imported = await makeUvSystem(new Date("2026-02-28T23:00:00.000Z")); // registered now, in November
    await storeMinutes(imported, DAY_START, [dayMinute(0)]);
    const run = await runCompliance(db, NOW, { organizationId: org.organizationId, systemCode: imported.code });
    expect(run.computed).toEqual([]);
    // nor does the month report count them as missing: EcoMate did not monitor the unit then
    const api = callerAs(db, org.users.viewer);
    const before = await api.compliance.month({ systemCode: imported.code, month: "2026-03" });
    const registered = (await db.treatmentSystem.findUniqueOrThrow({ where: { id: imported.id } })).createdAt;
    expect(before.monitoredSince).toBe(localDay(Math.ceil(registered.getTime() / MIN) * MIN, "Europe/Berlin"));
    expect(before.days).toEqual([]);
    expect(before.totals.days).toEqual({ compliant: 0, offSpec: 0, incomplete: 0, missing: 0 });
    const back = await backfillCompliance(db, { organizationId: org.organizationId }, { from: "2026-03-10", to: "2026-03-10", systemCode: imported.code }, NOW);
    expect(back.computed.map((d) => [d.day, d.status])).toEqual([["2026-03-10", "incomplete"]]);
    // a backfilled day is reported, and only that day
    const after = await api.compliance.month({ systemCode: imported.code, month: "2026-03" });
    expect(after.days.map((d) => [d.day, d.status])).toEqual([["2026-03-10", "incomplete"]]);
    const fleetRow = (await api.compliance.fleet({ month: "2026-03" })).find((r) => r.system.code === imported.code)!;
    expect(fleetRow.totals.days).toEqual({ compliant: 0, offSpec: 0, incomplete: 1, missing: 0 });
  });

  it("is idempotent: running again, or two backfills at once, leaves the very same rows", async () => {
    const before = await snapshot(unit.id);
    expect(before.events.length).toBeGreaterThanOrEqual(5);
    const again = await runCompliance(db, NOW, { organizationId: org.organizationId, systemCode: unit.code });
    // the final days are not recomputed; the open day is, and nothing changed in it
    expect(again.computed.map((d) => [d.day, d.changed])).toEqual([["2026-03-11", false]]);
    expect(await snapshot(unit.id)).toEqual(before);
    const later = new Date("2026-03-12T12:00:00.000Z");
    const [a, b] = await Promise.all([
      backfillCompliance(db, { organizationId: org.organizationId }, { from: "2026-03-10", to: "2026-03-10", systemCode: unit.code }, later),
      backfillCompliance(db, { organizationId: org.organizationId }, { from: "2026-03-10", to: "2026-03-10", systemCode: unit.code }, later),
    ]);
    expect([...a.computed, ...b.computed].map((d) => d.status)).toEqual(["off_spec", "off_spec"]);
    expect(await snapshot(unit.id)).toEqual(before);
  });

  it("month: the day rows, the totals and the verdict, with the neighbouring days counted conservatively", async () => {
    const m = await callerAs(db, org.users.viewer).compliance.month({ systemCode: unit.code, month: "2026-03" });
    expect(m.header).toMatchObject({ maxValidatedFlowM3h: 12, minValidatedUvtPct: 85, sensorSetpointWm2: 48, requiredDoseMjCm2: 40, nsfClass: "A", doseApproach: "setpoint", targetOrganism: "virus" });
    expect(m.header.system.site.timeZone).toBe("Europe/Berlin");
    expect(m.days).toHaveLength(31);
    const row = (day: string) => m.days.find((d) => d.day === day)!;
    expect(row("2026-03-10")).toMatchObject({ status: "off_spec", final: true, runHours: 23, offSpecEvents: 5, offSpecMinutes: 28, maxFlowM3h: 13 });
    expect(row("2026-03-10").volumeM3).toBeCloseTo(137.6 + 52 / 60, 9);
    expect(row("2026-03-01").status).toBe("missing");
    // the 9th has the hour of readings before the 10th: 6 m³, the first 3 minutes of it a lamp just seen on
    // (warming up, 0.3 m³); 60 of 1,440 minutes with data: incomplete
    expect(row("2026-03-09")).toMatchObject({ status: "incomplete", offSpecMinutes: 3 });
    expect(row("2026-03-09").volumeM3).toBeCloseTo(6, 9);
    // the 11th, open until 01:28Z (now less the ingest lag): the device has been silent since midnight,
    // so its last flow is held: 148 minutes × 0.1 m³ delivered, all of it off-spec as no data
    expect(row("2026-03-11")).toMatchObject({ status: "incomplete", final: false, offSpecMinutes: 148 });
    expect(row("2026-03-11").offSpecVolumeM3).toBeCloseTo(14.8, 9);
    const delivered = 137.6 + 52 / 60 + 6 + 14.8;
    const offSpec = 2.4 + 52 / 60 + 0.3 + 14.8;
    expect(m.totals.deliveredM3).toBeCloseTo(delivered, 9);
    expect(m.totals.offSpecM3).toBeCloseTo(offSpec, 9);
    expect(m.totals.offSpecPct).toBeCloseTo((100 * offSpec) / delivered, 9);
    // 11.5 % measured: not compliant, whatever the missing days might add
    expect(m.totals.verdict).toBe("not_compliant");
    expect(m.totals.days).toEqual({ compliant: 0, offSpec: 1, incomplete: 7, missing: 23 }); // 4–11 March computed, the rest never

    const ledger = await callerAs(db, org.users.viewer).compliance.events({ systemCode: unit.code, from: new Date(DAY_START), to: new Date(DAY_START + 1440 * MIN) });
    expect(ledger.timeZone).toBe("Europe/Berlin");
    expect(ledger.events.map((e) => [e.minutes, e.reasons.map((r) => r.code)])).toEqual([
      [10, ["sensor_below_setpoint"]],
      [5, ["lamp_off", "sensor_below_setpoint"]],
      [3, ["warming_up"]],
      [4, ["flow_above_max"]],
      [6, ["no_data"]],
    ]);
    expect(ledger.events[4]!.reasons[0]!.label).toMatch(/no data/i);
  });

  it("CSV: the monthly operating log with the validated limits in its header rows and one row per day", async () => {
    const res = await handleComplianceCsv({ db, user: org.users.viewer, systemCode: unit.code, file: "2026-03.csv" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${unit.code}-2026-03-uv-operating-log.csv"`);
    const rows = parse(await res.text(), { relax_column_count: true, skip_empty_lines: false }) as string[][];
    const header = new Map(rows.filter((r) => r.length === 2).map((r) => [r[0], r[1]]));
    expect(header.get("max_validated_flow_m3h")).toBe("12.00");
    expect(header.get("min_validated_uvt_pct")).toBe("85.0");
    expect(header.get("required_dose_mj_cm2")).toBe("40.0");
    expect(header.get("month")).toBe("2026-03");
    const table = rows.findIndex((r) => r[0] === "date");
    expect(rows[table]).toContain("off_spec_volume_m3");
    const days = rows.slice(table + 1).filter((r) => r.length > 1);
    expect(days).toHaveLength(31);
    const tenth = days.find((r) => r[0] === "2026-03-10")!;
    expect(tenth.slice(1, 4)).toEqual(["off_spec", "23.00", "138.467"]);
    expect(tenth[rows[table]!.indexOf("off_spec_volume_m3")]).toBe("3.267");

    for (const user of [null, other.users.admin]) expect((await handleComplianceCsv({ db, user, systemCode: unit.code, file: "2026-03.csv" })).status).toBe(404);
    const bad = await handleComplianceCsv({ db, user: org.users.viewer, systemCode: unit.code, file: "March.csv" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("YYYY-MM.csv");
  });

  it("router: every role reads, signed-out callers and other organisations do not; a bad month names the format", async () => {
    for (const role of ["viewer", "technician", "manager", "admin"] as const) {
      const fleet = await callerAs(db, org.users[role]).compliance.fleet({ month: "2026-03" });
      expect(fleet.map((r) => r.system.code)).toContain(unit.code);
    }
    expect((await errorOf(callerAs(db, null).compliance.fleet())).code).toBe("UNAUTHORIZED");
    expect((await errorOf(callerAs(db, other.users.admin).compliance.month({ systemCode: unit.code, month: "2026-03" }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerAs(db, other.users.admin).compliance.events({ systemCode: unit.code, from: new Date(DAY_START), to: new Date(DAY_START + MIN) }))).code).toBe("NOT_FOUND");
    expect((await callerAs(db, other.users.admin).compliance.fleet({ month: "2026-03" })).map((r) => r.system.code)).not.toContain(unit.code);
    const bad = await errorOf(callerAs(db, org.users.viewer).compliance.month({ systemCode: unit.code, month: "2026-3" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toContain("YYYY-MM");
    // without a month each system shows its site's current month
    const current = await callerAs(db, org.users.viewer).compliance.fleet();
    expect(current.find((r) => r.system.code === unit.code)!.month).toMatch(/^\d{4}-\d{2}$/);
  });
});

// ---- the calculated dose, with an online UVT analyser ------------------------------------------------
//
// S 100 W/m², UVT 90 %: the §6.3 reactor (k_cal 1.2) gives RED = 41.37 mJ/cm² at 10 m³/h and 37.61 at
// 11 m³/h (src/server/compliance/evaluate.test.ts derives both by hand).

describe("a unit with an online UVT analyser", () => {
  it("judges the calculated dose from the stored UVT and reports the day's doses", async () => {
    const unit = await makeUvSystem(new Date("2026-04-01T00:00:00.000Z"), { uvtAnalyser: true });
    const start = Date.parse("2026-04-14T22:00:00.000Z"); // 15 April, local midnight (CEST)
    // an hour of context, then 30 minutes: 10 m³/h except 11 m³/h for minutes 10–12
    const minutes = Array.from({ length: 90 }, (_, i): Minute => ({ q: i >= 70 && i < 73 ? 11 : 10, s: 100, lamp: 1, uvt: 90 }));
    await storeMinutes(unit, start - 60 * MIN, minutes);
    const r = await backfillCompliance(db, { organizationId: org.organizationId }, { from: "2026-04-15", to: "2026-04-15", systemCode: unit.code }, new Date("2026-04-17T00:00:00Z"));
    expect(r.failed).toEqual([]);
    const record = await db.complianceRecord.findUniqueOrThrow({ where: { systemId_day: { systemId: unit.id, day: new Date("2026-04-15T00:00:00Z") } } });
    expect(record.minDoseMjCm2).toBeCloseTo(37.6089, 3);
    expect(record.avgDoseMjCm2).toBeCloseTo((27 * 41.3698 + 3 * 37.6089) / 30, 3);
    expect(record.details).toMatchObject({ doseApproach: "calculated", minUvtPct: 90, events: 2 });
    const events = await db.offSpecEvent.findMany({ where: { systemId: unit.id }, orderBy: { startedAt: "asc" } });
    expect(events[0]).toMatchObject({ reason: "dose_below_required", startedAt: new Date(start + 10 * MIN), endedAt: new Date(start + 13 * MIN) });
    expect(events[0]!.minDoseMjCm2).toBeCloseTo(37.6089, 3);
    expect(events[0]!.volumeM3).toBeCloseTo(0.55, 9);
    // after the 30 minutes the device is silent: its last flow is held for the rest of the day (no data)
    expect(events[1]).toMatchObject({ reason: "no_data", startedAt: new Date(start + 30 * MIN) });
    const m = await callerAs(db, org.users.viewer).compliance.month({ systemCode: unit.code, month: "2026-04" });
    expect(m.header.doseApproach).toBe("calculated");
    // 30 doses, the 3 lowest at 37.61: the 5th percentile (h = 29 × 0.05 = 1.45) falls among them
    expect(m.days.find((d) => d.day === "2026-04-15")!.p5DoseMjCm2).toBeCloseTo(37.6089, 3);
  });
});

// ---- the monthly 5 % rule -----------------------------------------------------------------------------
//
// Two units commissioned on 31 January 2026 (so January is that one day): 1,000 minutes at 6 m³/h
// (100 m³), the rest stopped; the UV sensor below its setpoint for 49 or 51 of the running minutes.

describe("the month's verdict", () => {
  const JAN31 = Date.parse("2026-01-30T23:00:00.000Z");

  async function unitWithLowMinutes(lowMinutes: number, commissioned = JAN31) {
    const unit = await makeUvSystem(new Date(commissioned), { registeredAt: new Date(commissioned) });
    const minutes = Array.from({ length: 60 + 1440 }, (_, i): Minute => {
      const m = i - 60;
      return { q: m >= 0 && m < 1000 ? 6 : 0, s: m >= 100 && m < 100 + lowMinutes ? 40 : 100, lamp: 1 };
    });
    await storeMinutes(unit, JAN31 - 60 * MIN, minutes);
    const r = await backfillCompliance(db, { organizationId: org.organizationId }, { from: "2026-01-31", to: "2026-01-31", systemCode: unit.code }, new Date("2026-02-02T00:00:00Z"));
    expect(r.failed).toEqual([]);
    return unit;
  }

  it("is 'at risk' at 4.9 % off-spec and 'not compliant' at 5.1 %; a day without a record makes 4.9 % 'incomplete'", async () => {
    const [below, above, gap] = await Promise.all([unitWithLowMinutes(49), unitWithLowMinutes(51), unitWithLowMinutes(49, JAN31 - 24 * 60 * MIN)]);
    const api = callerAs(db, org.users.viewer);
    const a = await api.compliance.month({ systemCode: below.code, month: "2026-01" });
    const b = await api.compliance.month({ systemCode: above.code, month: "2026-01" });
    expect(a.days.map((d) => d.day)).toEqual(["2026-01-31"]);
    expect(a.totals.deliveredM3).toBeCloseTo(100, 9);
    expect(a.totals.offSpecPct).toBeCloseTo(4.9, 9);
    expect(a.totals.verdict).toBe("at_risk");
    expect(b.totals.offSpecPct).toBeCloseTo(5.1, 9);
    expect(b.totals.verdict).toBe("not_compliant");
    const fleet = await api.compliance.fleet({ month: "2026-01" });
    const verdicts = new Map(fleet.map((r) => [r.system.code, r.totals.verdict]));
    expect(verdicts.get(below.code)).toBe("at_risk");
    expect(verdicts.get(above.code)).toBe("not_compliant");
    // commissioned on the 30th, no record for it: the same 4.9 % cannot be called compliant
    const c = await api.compliance.month({ systemCode: gap.code, month: "2026-01" });
    expect(c.days.map((d) => [d.day, d.status])).toEqual([
      ["2026-01-30", "missing"],
      ["2026-01-31", "off_spec"],
    ]);
    expect(c.totals.offSpecPct).toBeCloseTo(4.9, 9);
    expect(c.totals.verdict).toBe("incomplete");
  });
});
