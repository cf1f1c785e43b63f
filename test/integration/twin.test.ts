import { ZodError } from "zod";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { TelemetryStore } from "../../src/server/telemetry/store";
import { solveOperatingPoint, unitParamsFromTwin, type UnitParams } from "../../src/lib/physics";
import { defaultLevers, toPhysicsLevers, type TwinLevers } from "../../src/lib/twin/levers";
import { callerAs, errorOf, makeOrg, testDb, type TestOrg } from "./helpers";
import { AQ, instrumentReadings, makeAqUv10 } from "./twin-fixtures";

const db = testDb();
const pool = getPool();
// The system's own overrides and required dose differ from the model's, so the test sees both.
const SYSTEM_TWIN = { hStaticM: 18, kCal: 1.1 };
const REQUIRED_DOSE = 42;

let a: TestOrg;
let b: TestOrg;
let code: string;
let systemId: string;
let expected: UnitParams;

// The state the unit is "in": what its stored readings describe.
const STATE: TwinLevers = {
  speed: 0.95,
  uvtPct: 90,
  waterTempC: 11,
  filterLoad: [3, 1.5],
  lampHours: 6500,
  fouling: 0.75,
  dimming: 1,
  lampOn: true,
  hStaticM: 18,
  leakM3h: 0,
};

/** The AQ-UV10 of the seed on a makeOrg system, with the system's own twin parameters and required dose. */
const makeUnit = (systemCode: string) => makeAqUv10(db, systemCode, { twinParameters: SYSTEM_TWIN, requiredDoseMjCm2: REQUIRED_DOSE });

beforeAll(async () => {
  [a, b] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
  code = a.systemCodes[0]!;
  const made = await makeUnit(code);
  systemId = made.id;
  await makeUnit(b.systemCodes[0]!);

  // Independently of the twin's builder: the seed's keys through the physics package's own mapping.
  const cartridge = { rf0: 0.15, mcKg: 6, meKg: 12, dpTerminalBar: 1 };
  expected = unitParamsFromTwin(
    { ...AQ.twin, ...SYSTEM_TWIN },
    { filters: [cartridge, cartridge], lampCount: 1, lampType: "amalgam", compliance: { requiredDoseMjCm2: REQUIRED_DOSE, maxFlowM3h: 12, minUvtPct: 85, sensorSetpointWm2: 48 } },
  );

  // What the instruments report in STATE, stored through the product's telemetry store.
  const readings = [
    ...(await instrumentReadings(db, expected, STATE, (c) => made.components.get(c)!)),
    // a series the twin does not read: part of the record, no effect on the levers
    { metricId: (await db.metric.findUniqueOrThrow({ where: { key: "vibration" } })).id, componentId: made.components.get("motor-1")!, ts: Date.now() - 60_000, value: 1.2 },
  ];
  await new TelemetryStore(pool).store(systemId, readings);
});

describe("twin.state", () => {
  it("keeps the record (system, telemetry, alerts, predictions) and adds the system's physics parameters", async () => {
    const state = await callerAs(db, a.users.viewer).twin.state({ systemCode: code });
    expect(state.system.code).toBe(code);
    expect(state.telemetry).toHaveLength(11);
    expect(state.openAlerts).toEqual([]);
    expect(state.predictions).toEqual([]);
    expect(state.params).toEqual(expected);
    expect(state.params.hydraulics.hStaticM).toBe(18);
    expect(state.params.uv.kCal).toBe(1.1);
    expect(state.params.compliance.requiredDoseMjCm2).toBe(42);
    expect(state.filterCodes).toEqual(["filter-1", "filter-2"]);
    expect(state.lampCount).toBe(1);
    expect(state.limits).toEqual(
      [...AQ.limits].sort((x, y) => x.metricKey.localeCompare(y.metricKey)).map((l) => ({ metric: l.metricKey, min: l.min ?? null, max: l.max ?? null, source: l.source })),
    );
    expect(state.components).toContainEqual({ code: "filter-2", type: "filter", name: "Cartridge filter 1 µm" });
    expect(state.components).toHaveLength(AQ.components.length);
    expect(state.canSimulate).toBe(false);
    expect((await callerAs(db, a.users.technician).twin.state({ systemCode: code })).canSimulate).toBe(true);
  });

  it("estimates the live levers from the stored readings: they agree with the simulated state", async () => {
    const state = await callerAs(db, a.users.viewer).twin.state({ systemCode: code });
    const live = state.live.levers;
    for (const key of ["speed", "uvtPct", "waterTempC", "lampHours", "fouling", "dimming", "hStaticM", "leakM3h"] as const) {
      expect(live[key], key).toBeCloseTo(STATE[key], 9);
    }
    expect(live.filterLoad[0]).toBeCloseTo(3, 9);
    expect(live.filterLoad[1]).toBeCloseTo(1.5, 9);
    expect(live.lampOn).toBe(true);
    expect(state.live.sources).toMatchObject({ speed: "measured", uvtPct: "measured", filterLoad: "estimated", fouling: "estimated", hStaticM: "default" });
    expect(state.live.notes).toEqual([]);
    expect(state.outcomeNow).toEqual(solveOperatingPoint(expected, toPhysicsLevers(live)));
    expect(state.outcomeNow.flowM3h).toBeCloseTo(solveOperatingPoint(expected, toPhysicsLevers(STATE)).flowM3h, 9);
  });

  it("is NOT_FOUND for another organisation's system", async () => {
    expect((await errorOf(callerAs(db, a.users.admin).twin.state({ systemCode: b.systemCodes[0]! }))).code).toBe("NOT_FOUND");
  });
});

describe("twin.simulate", () => {
  it("gives exactly what solveOperatingPoint gives with the same parameters, and no warning at the design point", async () => {
    const levers = defaultLevers(expected);
    const sim = await callerAs(db, a.users.technician).twin.simulate({ systemCode: code, levers });
    expect(sim.outcome).toEqual(solveOperatingPoint(expected, toPhysicsLevers(levers)));
    expect(sim.outcome.flowM3h).toBeCloseTo(10, 9);
    expect(sim.warnings).toEqual([]);
    const other = await callerAs(db, a.users.technician).twin.simulate({ systemCode: code, levers: STATE });
    expect(other.outcome).toEqual(solveOperatingPoint(expected, toPhysicsLevers(STATE)));
  });

  it("warns in plain words for high flow and low UVT", async () => {
    const levers = { ...defaultLevers(expected), speed: 1.15, uvtPct: 80 };
    const sim = await callerAs(db, a.users.manager).twin.simulate({ systemCode: code, levers });
    expect(sim.outcome.flowM3h).toBeGreaterThan(12);
    expect(sim.outcome.compliance.onSpec).toBe(false);
    expect(sim.warnings).toContain(`Flow ${sim.outcome.flowM3h.toFixed(2)} m³/h is above the validated maximum of 12.00 m³/h.`);
    expect(sim.warnings).toContain("UVT 80.0 % is below the validated minimum of 85.0 %.");
  });

  it("refuses a viewer, a wrong filter count (naming the count), an out-of-range lever (naming it), another organisation's system", async () => {
    const levers = defaultLevers(expected);
    expect((await errorOf(callerAs(db, a.users.viewer).twin.simulate({ systemCode: code, levers }))).code).toBe("FORBIDDEN");
    const count = await errorOf(callerAs(db, a.users.technician).twin.simulate({ systemCode: code, levers: { ...levers, filterLoad: [1] } }));
    expect(count.code).toBe("BAD_REQUEST");
    expect(count.message).toMatch(/has 2 filters \(filter-1, filter-2\): filterLoad needs 2 values/);
    const uvt = await errorOf(callerAs(db, a.users.technician).twin.simulate({ systemCode: code, levers: { ...levers, uvtPct: 120 } }));
    expect(uvt.code).toBe("BAD_REQUEST");
    expect(uvt.cause).toBeInstanceOf(ZodError);
    expect((uvt.cause as ZodError).issues.map((i) => [i.path.join("."), i.message])).toEqual([["levers.uvtPct", "Water UV transmittance (uvtPct) must be a number from 50 to 100 %."]]);
    expect((await errorOf(callerAs(db, a.users.admin).twin.simulate({ systemCode: b.systemCodes[0]!, levers }))).code).toBe("NOT_FOUND");
  });
});

describe("twin.sweep", () => {
  it("sweeps speed: flow and power rise, the validated dose falls; each point is the model's", async () => {
    const levers = defaultLevers(expected);
    const sweep = await callerAs(db, a.users.technician).twin.sweep({ systemCode: code, levers, lever: "speed", from: 0.7, to: 1.2, steps: 11 });
    expect(sweep.lever).toBe("speed");
    expect(sweep.points.map((p) => p.value)).toEqual(Array.from({ length: 11 }, (_, i) => (i === 10 ? 1.2 : 0.7 + (0.5 * i) / 10)));
    for (let i = 1; i < sweep.points.length; i++) {
      const [prev, cur] = [sweep.points[i - 1]!, sweep.points[i]!];
      expect(cur.flowM3h).toBeGreaterThan(prev.flowM3h);
      expect(cur.totalPowerKw).toBeGreaterThan(prev.totalPowerKw);
      expect(cur.validatedDoseMjCm2!).toBeLessThan(prev.validatedDoseMjCm2!);
    }
    const at = solveOperatingPoint(expected, toPhysicsLevers({ ...levers, speed: sweep.points[4]!.value }));
    expect(sweep.points[4]).toEqual({
      value: sweep.points[4]!.value,
      flowM3h: at.flowM3h,
      validatedDoseMjCm2: at.uv.validatedDoseMjCm2,
      sensorIntensityWm2: at.uv.sensorIntensityWm2,
      totalPowerKw: at.totalPowerKw,
      specificEnergyKwhM3: at.specificEnergyKwhM3,
      dischargePressureBar: at.dischargePressureBar,
      filterDpTotalBar: at.filterDpTotalBar,
      onSpec: at.compliance.onSpec,
    });
    // past the validated maximum flow the unit is off-spec
    expect(sweep.points[0]!.onSpec).toBe(true);
    expect(sweep.points.at(-1)!.onSpec).toBe(false);
  });

  it("sweeps UVT: the dose and the sensor reading rise with it, the flow does not change", async () => {
    const sweep = await callerAs(db, a.users.technician).twin.sweep({ systemCode: code, levers: STATE, lever: "uvtPct", from: 60, to: 100, steps: 5 });
    const flows = new Set(sweep.points.map((p) => p.flowM3h));
    expect(flows.size).toBe(1);
    for (let i = 1; i < sweep.points.length; i++) {
      expect(sweep.points[i]!.validatedDoseMjCm2!).toBeGreaterThan(sweep.points[i - 1]!.validatedDoseMjCm2!);
      expect(sweep.points[i]!.sensorIntensityWm2).toBeGreaterThan(sweep.points[i - 1]!.sensorIntensityWm2);
    }
  });

  it("refuses a viewer, too few steps, and a range outside the lever's, naming the field", async () => {
    const levers = defaultLevers(expected);
    expect((await errorOf(callerAs(db, a.users.viewer).twin.sweep({ systemCode: code, levers, lever: "speed", from: 0, to: 1, steps: 5 }))).code).toBe("FORBIDDEN");
    const steps = await errorOf(callerAs(db, a.users.technician).twin.sweep({ systemCode: code, levers, lever: "speed", from: 0, to: 1, steps: 1 }));
    expect(steps.code).toBe("BAD_REQUEST");
    expect((steps.cause as ZodError).issues[0]!.path).toEqual(["steps"]);
    const range = await errorOf(callerAs(db, a.users.technician).twin.sweep({ systemCode: code, levers, lever: "speed", from: 0, to: 2, steps: 5 }));
    expect(range.code).toBe("BAD_REQUEST");
    expect((range.cause as ZodError).issues.map((i) => [i.path.join("."), i.message])).toEqual([["to", "Pump speed (speed) sweeps from 0 to 1.2 × rated; to is 2."]]);
  });
});

describe("twin.scenarios", () => {
  const scenarioCount = () => db.scenario.count({ where: { systemId } });
  // each test starts from a system without scenarios (counts and list order stay exact)
  beforeEach(async () => {
    await db.scenario.deleteMany({ where: { systemId } });
  });

  it("saves with the outcome the server computes, lists newest first with the author, and audits", async () => {
    const tech = callerAs(db, a.users.technician);
    const levers = { ...STATE, speed: 0.85 };
    // an outcome sent along is not part of the input: the server's own is stored
    const saved = await tech.twin.scenarios.save({ systemCode: code, name: "  Slower pump  ", levers, outcome: { flowM3h: 999 } } as never);
    const out = solveOperatingPoint(expected, toPhysicsLevers(levers));
    expect(saved).toMatchObject({ systemCode: code, name: "Slower pump", userId: a.users.technician.id, userName: a.users.technician.name, levers, canDelete: true });
    expect(saved.summary).toEqual({
      flowM3h: out.flowM3h,
      validatedDoseMjCm2: out.uv.validatedDoseMjCm2,
      sensorIntensityWm2: out.uv.sensorIntensityWm2,
      totalPowerKw: out.totalPowerKw,
      specificEnergyKwhM3: out.specificEnergyKwhM3,
      dischargePressureBar: out.dischargePressureBar,
      filterDpTotalBar: out.filterDpTotalBar,
      onSpec: out.compliance.onSpec,
    });
    const row = await db.scenario.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row).toMatchObject({ organizationId: a.organizationId, systemId, userId: a.users.technician.id, name: "Slower pump", levers });
    expect((row.outcomes as { outcome: unknown }).outcome).toEqual(JSON.parse(JSON.stringify(out)));
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "scenario.save", entityType: "scenario", entityId: saved.id } });
    expect(audit).toMatchObject({ organizationId: a.organizationId, userId: a.users.technician.id, actorType: "user" });

    const later = await callerAs(db, a.users.manager).twin.scenarios.save({ systemCode: code, name: "Summer peak", levers: { ...STATE, speed: 1.1, waterTempC: 24 } });
    const list = await callerAs(db, a.users.viewer).twin.scenarios.list({ systemCode: code });
    expect(list.map((s) => s.id)).toEqual([later.id, saved.id]);
    expect(list.map((s) => s.userName)).toEqual([a.users.manager.name, a.users.technician.name]);
    expect(list.map((s) => s.canDelete)).toEqual([false, false]);
    expect(list[1]!.levers).toEqual(levers);
    const techList = await tech.twin.scenarios.list({ systemCode: code });
    expect(techList.map((s) => s.canDelete)).toEqual([false, true]);
  });

  it("refuses a viewer's save (FORBIDDEN) and stores nothing", async () => {
    const before = await scenarioCount();
    const err = await errorOf(callerAs(db, a.users.viewer).twin.scenarios.save({ systemCode: code, name: "Mine", levers: STATE }));
    expect(err.code).toBe("FORBIDDEN");
    expect(await scenarioCount()).toBe(before);
  });

  it("refuses bad input naming the field (UVT 120, wrong filter count, empty name) and stores nothing", async () => {
    const tech = callerAs(db, a.users.technician);
    const before = await scenarioCount();
    const uvt = await errorOf(tech.twin.scenarios.save({ systemCode: code, name: "Murky", levers: { ...STATE, uvtPct: 120 } }));
    expect(uvt.code).toBe("BAD_REQUEST");
    expect((uvt.cause as ZodError).issues.map((i) => i.path.join("."))).toEqual(["levers.uvtPct"]);
    expect(uvt.message).toContain("uvtPct");
    const count = await errorOf(tech.twin.scenarios.save({ systemCode: code, name: "Three filters", levers: { ...STATE, filterLoad: [1, 1, 1] } }));
    expect(count.code).toBe("BAD_REQUEST");
    expect(count.message).toMatch(/filterLoad needs 2 values, one per filter, but 3 were sent/);
    const name = await errorOf(tech.twin.scenarios.save({ systemCode: code, name: "   ", levers: STATE }));
    expect(name.code).toBe("BAD_REQUEST");
    expect((name.cause as ZodError).issues.map((i) => [i.path.join("."), i.message])).toEqual([["name", "Give the scenario a name."]]);
    const long = await errorOf(tech.twin.scenarios.save({ systemCode: code, name: "x".repeat(121), levers: STATE }));
    expect((long.cause as ZodError).issues.map((i) => i.path.join("."))).toEqual(["name"]);
    expect(await scenarioCount()).toBe(before);
  });

  it("lets the author delete their own, not another's; managers delete any; audits the delete", async () => {
    const tech = callerAs(db, a.users.technician);
    const manager = callerAs(db, a.users.manager);
    const own = await tech.twin.scenarios.save({ systemCode: code, name: "Own", levers: STATE });
    const theirs = await manager.twin.scenarios.save({ systemCode: code, name: "Manager's", levers: STATE });
    const another = await tech.twin.scenarios.save({ systemCode: code, name: "Another of the technician's", levers: STATE });

    const refused = await errorOf(tech.twin.scenarios.delete({ id: theirs.id }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toBe(`Scenario "Manager's" was saved by ${a.users.manager.name}: only they or a manager can delete it.`);
    expect(await db.scenario.count({ where: { id: theirs.id } })).toBe(1);

    expect(await tech.twin.scenarios.delete({ id: own.id })).toEqual({ id: own.id });
    expect(await db.scenario.count({ where: { id: own.id } })).toBe(0);
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "scenario.delete", entityId: own.id } });
    expect(audit.userId).toBe(a.users.technician.id);

    expect(await manager.twin.scenarios.delete({ id: another.id })).toEqual({ id: another.id });
    expect(await callerAs(db, a.users.admin).twin.scenarios.delete({ id: theirs.id })).toEqual({ id: theirs.id });
    expect(await scenarioCount()).toBe(0);
    expect((await errorOf(manager.twin.scenarios.delete({ id: theirs.id }))).code).toBe("NOT_FOUND");
  });

  it("keeps organisations apart: another organisation's system and scenarios are not found", async () => {
    const mine = await callerAs(db, a.users.technician).twin.scenarios.save({ systemCode: code, name: "Private", levers: STATE });
    const adminB = callerAs(db, b.users.admin);
    expect((await errorOf(adminB.twin.scenarios.list({ systemCode: code }))).code).toBe("NOT_FOUND");
    expect((await errorOf(adminB.twin.scenarios.save({ systemCode: code, name: "Intruder", levers: STATE }))).code).toBe("NOT_FOUND");
    expect((await errorOf(adminB.twin.scenarios.delete({ id: mine.id }))).code).toBe("NOT_FOUND");
    expect(await db.scenario.count({ where: { id: mine.id } })).toBe(1);
    expect(await adminB.twin.scenarios.list({ systemCode: b.systemCodes[0]! })).toEqual([]);
    expect(await scenarioCount()).toBe(1);
  });
});
