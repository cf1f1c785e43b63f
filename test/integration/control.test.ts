import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { getPool } from "../../src/server/db";
import { TelemetryStore } from "../../src/server/telemetry/store";
import { solveOperatingPoint, unitParamsFromTwin, type UnitParams } from "../../src/lib/physics";
import { toPhysicsLevers, type TwinLevers } from "../../src/lib/twin/levers";
import { optimiseSetpoints, type OptimiseInput } from "../../src/lib/control/optimise";
import { ADVISORY_MESSAGE, COMMANDS_CHANNEL, type CommandReason } from "../../src/server/control/commands";
import { runAutonomy } from "../../src/server/control/autonomy";
import { callerAs, errorOf, makeOrg, testDb, uid, type TestOrg } from "./helpers";
import { AQ, instrumentReadings, makeAqUv10 } from "./twin-fixtures";

const db = testDb();
const pool = getPool();

// The state the units run in (what their stored readings describe): clear water and a lamp with
// plenty of dose at 70 % pump speed, so the optimiser can dim it.
const STATE: TwinLevers = {
  speed: 0.7,
  uvtPct: 93,
  waterTempC: 14,
  filterLoad: [1.4, 1.2],
  lampHours: 3000,
  fouling: 0.9,
  dimming: 1,
  lampOn: true,
  hStaticM: 15,
  leakM3h: 0,
};
const DEFAULT_SAFE = { pump_speed: { min: 30, max: 100 }, uv_power: { min: 50, max: 100 } };

let a: TestOrg;
let b: TestOrg;
/** a's systems: lifecycle tests, autonomy tests, one without readings. */
let code: string;
let autoCode: string;
let quietCode: string;
let bCode: string;
const systemIds = new Map<string, string>();
const deviceIds = new Map<string, string>();
let params: UnitParams;
let listener: pg.Client;
const notified: string[] = [];
const waiters: { id: string; resolve: () => void }[] = [];

/** Resolves once `id` was announced on ecomate_commands (before or after this call). */
function notification(id: string): Promise<void> {
  if (notified.includes(id)) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ id, resolve }));
}

/** The AQ-UV10 of the seed on a makeOrg system (model twin parameters, components, limits) and a device. */
async function makeUnit(systemCode: string, withReadings: boolean): Promise<void> {
  const { components: ids, ...system } = await makeAqUv10(db, systemCode);
  const deviceId = `ctl-${uid()}`;
  await db.device.create({
    data: { id: deviceId, organizationId: system.organizationId, systemId: system.id, name: `${systemCode} gateway`, tokenHash: randomBytes(32).toString("hex"), tokenPrefix: "ctl" },
  });
  systemIds.set(systemCode, system.id);
  deviceIds.set(systemCode, deviceId);
  if (!withReadings) return;

  // What the instruments report in STATE, stored through the product's telemetry store.
  const readings = await instrumentReadings(db, params, STATE, (c) => ids.get(c)!);
  await new TelemetryStore(pool).store(system.id, readings);
}

/** The optimiser's answer for STATE, computed here from the seed's parameters, not by the server. */
function expectedSuggestion(safe = DEFAULT_SAFE) {
  const input: OptimiseInput = {
    params,
    levers: STATE,
    demandM3h: solveOperatingPoint(params, toPhysicsLevers(STATE)).flowM3h,
    safe,
    limits: AQ.limits.map((l) => ({ metric: l.metricKey, min: l.min ?? null, max: l.max ?? null })),
  };
  return optimiseSetpoints(input);
}

const setLevel = (org: TestOrg, systemCode: string, level: "off" | "advisory" | "supervised" | "autonomous") =>
  callerAs(db, org.users.manager).control.setAutonomy({ systemCode, level });

beforeAll(async () => {
  const cartridge = { rf0: 0.15, mcKg: 6, meKg: 12, dpTerminalBar: 1 };
  params = unitParamsFromTwin(AQ.twin, {
    filters: [cartridge, cartridge],
    lampCount: 1,
    lampType: "amalgam",
    compliance: { requiredDoseMjCm2: 40, maxFlowM3h: 12, minUvtPct: 85, sensorSetpointWm2: 48 },
  });
  [a, b] = await Promise.all([makeOrg(db, { systems: 3 }), makeOrg(db, { systems: 1 })]);
  [code, autoCode, quietCode] = a.systemCodes as [string, string, string];
  bCode = b.systemCodes[0]!;
  await makeUnit(code, true);
  await makeUnit(autoCode, true);
  await makeUnit(quietCode, false);
  await makeUnit(bCode, true);

  listener = new pg.Client({ connectionString: inject("databaseUrl") });
  await listener.connect();
  listener.on("notification", (msg) => {
    if (msg.channel !== COMMANDS_CHANNEL || !msg.payload) return;
    notified.push(msg.payload);
    for (const w of waiters.filter((x) => x.id === msg.payload)) w.resolve();
  });
  await listener.query(`LISTEN ${COMMANDS_CHANNEL}`);
});

afterAll(async () => {
  await listener?.end();
});

describe("control.state", () => {
  it("with autonomy off: default setpoints from the live levers, the device, no suggestion and why", async () => {
    const state = await callerAs(db, a.users.viewer).control.state({ systemCode: code });
    expect(state.autonomyLevel).toBe("off");
    expect(state.suggestion).toBeNull();
    expect(state.suggestionNote).toBe(`Autonomy is off for ${code}: a manager can set it to advisory or above to see the optimiser's suggestion.`);
    expect(state.setpoints).toHaveLength(2);
    expect(state.setpoints[0]).toMatchObject({ key: "pump_speed", unit: "%", minSafe: 30, maxSafe: 100, source: "default", updatedAt: null });
    expect(state.setpoints[0]!.value).toBeCloseTo(70, 9);
    expect(state.setpoints[1]).toMatchObject({ key: "uv_power", unit: "%", value: 100, minSafe: 50, maxSafe: 100, source: "default", updatedAt: null });
    expect(state.device).toEqual({ id: deviceIds.get(code), name: `${code} gateway` });
    expect(state.commands).toEqual([]);
    expect(state.demandM3h).toBeCloseTo(solveOperatingPoint(params, toPhysicsLevers(STATE)).flowM3h, 9);
    expect(state).toMatchObject({ canApprove: false, canSetAutonomy: false, canPropose: false });
  });

  it("in advisory mode: the optimiser's suggestion for the live state, the same as the physics gives for the readings' state", async () => {
    await setLevel(a, code, "advisory");
    const state = await callerAs(db, a.users.technician).control.state({ systemCode: code });
    const expected = expectedSuggestion();
    expect(expected.feasible).toBe(true);
    expect(expected.setpoints.map((s) => s.key)).toEqual(["uv_power"]);
    const s = state.suggestion!;
    expect(s.feasible).toBe(true);
    expect(s.setpoints).toHaveLength(1);
    expect(s.setpoints[0]).toMatchObject({ key: "uv_power", unit: "%", current: 100, value: expected.setpoints[0]!.value });
    expect(s.savings.pct!).toBeCloseTo(expected.savings.pct!, 6);
    expect(s.savings.pct!).toBeGreaterThan(3);
    expect(s.after.uv.validatedDoseMjCm2!).toBeGreaterThanOrEqual(46 - 1e-9);
    expect(s.checks.map((c) => c.name)).toEqual(expected.checks.map((c) => c.name));
    expect(state.suggestionNote).toBeNull();
    expect(state).toMatchObject({ canApprove: false, canSetAutonomy: false, canPropose: true });
    // A manager sees the same, and may set the level but not approve in advisory mode.
    expect(await callerAs(db, a.users.manager).control.state({ systemCode: code })).toMatchObject({ canApprove: false, canSetAutonomy: true });
  });

  it("without live readings there is no suggestion, and the note says why", async () => {
    await setLevel(a, quietCode, "advisory");
    const state = await callerAs(db, a.users.viewer).control.state({ systemCode: quietCode });
    expect(state.suggestion).toBeNull();
    expect(state.demandM3h).toBeNull();
    expect(state.suggestionNote).toBe(`No live flow on ${quietCode}: the optimiser needs fresh flow or pump-speed readings (newer than 15 min) with the pump running.`);
  });
});

describe("roles", () => {
  it("viewers cannot propose; technicians cannot approve, set autonomy or propose values of their own", async () => {
    expect((await errorOf(callerAs(db, a.users.viewer).control.propose({ systemCode: code, source: "optimiser", setpoints: [{ key: "uv_power", value: 80 }] }))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerAs(db, a.users.technician).control.setAutonomy({ systemCode: code, level: "autonomous" }))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerAs(db, a.users.technician).control.approve({ id: "anything" }))).code).toBe("FORBIDDEN");
    const manual = await errorOf(callerAs(db, a.users.technician).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "uv_power", value: 80 }] }));
    expect(manual.code).toBe("FORBIDDEN");
    expect(manual.message).toContain("Only managers and admins may propose setpoints of their own");
    expect(await db.deviceCommand.count({ where: { systemId: systemIds.get(code) } })).toBe(0);
  });
});

describe("the command lifecycle", () => {
  it("refuses proposals while autonomy is off, and a system without a device", async () => {
    await setLevel(a, code, "off");
    const off = await errorOf(callerAs(db, a.users.technician).control.propose({ systemCode: code, source: "optimiser", setpoints: [{ key: "uv_power", value: 80 }] }));
    expect(off.code).toBe("BAD_REQUEST");
    expect(off.message).toBe(`autonomy is off for ${code}; a manager can set it to advisory or above`);
    await setLevel(a, code, "advisory");

    await db.device.update({ where: { id: deviceIds.get(quietCode)! }, data: { revokedAt: new Date() } });
    const noDevice = await errorOf(callerAs(db, a.users.manager).control.propose({ systemCode: quietCode, source: "manual", setpoints: [{ key: "uv_power", value: 80 }] }));
    expect(noDevice.code).toBe("BAD_REQUEST");
    expect(noDevice.message).toBe(`${quietCode} has no device to send commands to: register a device first`);
    expect((await callerAs(db, a.users.viewer).control.state({ systemCode: quietCode })).device).toBeNull();
  });

  it("refuses a value outside the safe range (the defaults when nothing is stored, else the stored range) and stores nothing", async () => {
    const before = await db.deviceCommand.count({ where: { systemId: systemIds.get(code)! } });
    const high = await errorOf(callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "pump_speed", value: 110 }] }));
    expect(high.code).toBe("BAD_REQUEST");
    expect(high.message).toBe(`pump_speed 110 % is outside its safe range of 30–100 % on ${code}`);
    const dim = await errorOf(callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "uv_power", value: 45 }] }));
    expect(dim.message).toBe(`uv_power 45 % is outside its safe range of 50–100 % on ${code}`);

    await db.setpoint.create({ data: { systemId: systemIds.get(code)!, key: "pump_speed", value: 70, unit: "%", minSafe: 40, maxSafe: 90, source: "manual" } });
    const stored = await errorOf(callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "pump_speed", value: 95 }] }));
    expect(stored.message).toBe(`pump_speed 95 % is outside its safe range of 40–90 % on ${code}`);
    const state = await callerAs(db, a.users.viewer).control.state({ systemCode: code });
    expect(state.setpoints[0]).toMatchObject({ key: "pump_speed", value: 70, minSafe: 40, maxSafe: 90, source: "manual" });
    await db.setpoint.deleteMany({ where: { systemId: systemIds.get(code)! } });
    expect(await db.deviceCommand.count({ where: { systemId: systemIds.get(code)! } })).toBe(before);
  });

  it("takes the optimiser's suggestion from a technician (advisory): proposed for an hour, with the checks as its reason; approval refused in advisory mode", async () => {
    const suggestion = (await callerAs(db, a.users.technician).control.state({ systemCode: code })).suggestion!;
    const t0 = Date.now();
    const [cmd] = await callerAs(db, a.users.technician).control.propose({
      systemCode: code,
      source: "optimiser",
      setpoints: suggestion.setpoints.map((s) => ({ key: s.key, value: s.value })),
      reason: "clear water this week",
    });
    const t1 = Date.now();
    expect(cmd).toMatchObject({ key: "uv_power", value: suggestion.setpoints[0]!.value, unit: "%", status: "proposed", proposedBy: a.users.technician.name, proposedByUserId: a.users.technician.id, approvedByName: null, deviceId: deviceIds.get(code), canCancel: true });
    expect(cmd!.expiresAt.getTime()).toBeGreaterThanOrEqual(t0 + 3_600_000);
    expect(cmd!.expiresAt.getTime()).toBeLessThanOrEqual(t1 + 3_600_000);
    const reason = cmd!.reason as unknown as CommandReason;
    expect(reason.source).toBe("optimiser");
    expect(reason.proposedBy).toEqual({ type: "user", userId: a.users.technician.id, email: a.users.technician.email });
    expect(reason.note).toBe("clear water this week");
    expect(reason.checks.every((c) => c.ok)).toBe(true);
    expect(reason.checks.find((c) => c.name === "dose")!.detail).toMatch(/^Validated dose \d+\.\d mJ\/cm² ≥ 46\.0 mJ\/cm²/);
    expect(reason.after!.uv.validatedDoseMjCm2).toBeCloseTo(suggestion.after.uv.validatedDoseMjCm2!, 9);
    expect(reason.before!.totalPowerKw).toBeCloseTo(suggestion.before.totalPowerKw, 9);
    expect(reason.setpoints).toEqual([{ key: "uv_power", current: 100, value: suggestion.setpoints[0]!.value }]);

    const audit = await db.auditLog.findFirst({ where: { entityId: cmd!.id, action: "command.propose" } });
    expect(audit).toMatchObject({ actorType: "user", userId: a.users.technician.id, organizationId: a.organizationId });

    const refused = await errorOf(callerAs(db, a.users.manager).control.approve({ id: cmd!.id }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toBe(ADVISORY_MESSAGE);
    expect((await db.deviceCommand.findUniqueOrThrow({ where: { id: cmd!.id } })).status).toBe("proposed");
  });

  it("refuses optimiser proposals that are not the optimiser's current suggestion", async () => {
    const stale = await errorOf(callerAs(db, a.users.technician).control.propose({ systemCode: code, source: "optimiser", setpoints: [{ key: "uv_power", value: 90 }] }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toMatch(/^The optimiser now suggests uv_power \d+(\.\d)? % for .* \(you sent 90 %\)/);
    const partial = await errorOf(callerAs(db, a.users.technician).control.propose({ systemCode: code, source: "optimiser", setpoints: [{ key: "pump_speed", value: 70 }] }));
    expect(partial.code).toBe("BAD_REQUEST");
    expect(partial.message).toContain("go together: propose uv_power (you sent pump_speed)");
  });

  it("in supervised mode a manager approves: approved for ten minutes, announced on ecomate_commands, audited; a second approval is a conflict", async () => {
    await setLevel(a, code, "supervised");
    const [cmd] = await callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "uv_power", value: 80 }] });
    expect(cmd!.reason).toMatchObject({ source: "manual" });
    const heard = notification(cmd!.id);
    const t0 = Date.now();
    const approved = await callerAs(db, a.users.manager).control.approve({ id: cmd!.id });
    const t1 = Date.now();
    await heard;
    expect(approved).toMatchObject({ id: cmd!.id, status: "approved", approvedByName: a.users.manager.name, value: 80 });
    expect(approved.approvedAt!.getTime()).toBeGreaterThanOrEqual(t0);
    expect(approved.expiresAt.getTime()).toBeGreaterThanOrEqual(t0 + 600_000);
    expect(approved.expiresAt.getTime()).toBeLessThanOrEqual(t1 + 600_000);
    const row = await db.deviceCommand.findUniqueOrThrow({ where: { id: cmd!.id } });
    expect(row.approvedById).toBe(a.users.manager.id);
    expect(await db.auditLog.count({ where: { entityId: cmd!.id, action: "command.approve", userId: a.users.manager.id } })).toBe(1);

    const again = await errorOf(callerAs(db, a.users.manager).control.approve({ id: cmd!.id }));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toBe(`Command ${cmd!.id} is approved: only a proposed command can be approved.`);

    // A new proposal for the same key supersedes the approved one, in the same transaction.
    const [next] = await callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "uv_power", value: 85 }] });
    const old = await db.deviceCommand.findUniqueOrThrow({ where: { id: cmd!.id } });
    expect(old.status).toBe("cancelled");
    expect(old.ackMessage).toBe(`superseded by command ${next!.id}`);
    // The technician's earlier, still proposed uv_power proposal is superseded too.
    const proposed = await db.deviceCommand.findMany({ where: { systemId: systemIds.get(code), setpointKey: "uv_power", status: { in: ["proposed", "approved"] } } });
    expect(proposed.map((c) => c.id)).toEqual([next!.id]);
  });

  it("checks the safe range again at approval", async () => {
    const [cmd] = await callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "uv_power", value: 60 }] });
    await db.setpoint.create({ data: { systemId: systemIds.get(code)!, key: "uv_power", value: 100, unit: "%", minSafe: 70, maxSafe: 100, source: "manual" } });
    const refused = await errorOf(callerAs(db, a.users.admin).control.approve({ id: cmd!.id }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toBe(`uv_power 60 % is outside its safe range of 70–100 % on ${code}: the command cannot be approved`);
    expect((await db.deviceCommand.findUniqueOrThrow({ where: { id: cmd!.id } })).status).toBe("proposed");
    await db.setpoint.deleteMany({ where: { systemId: systemIds.get(code)! } });
  });

  it("expires a proposal nobody approved within its hour instead of approving it", async () => {
    const [cmd] = await callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "pump_speed", value: 72 }] });
    const past = new Date(Date.now() - 1000);
    await db.deviceCommand.update({ where: { id: cmd!.id }, data: { expiresAt: past } });
    const listed = (await callerAs(db, a.users.viewer).control.state({ systemCode: code })).commands.find((c) => c.id === cmd!.id)!;
    expect(listed.status).toBe("expired");
    expect(listed.canCancel).toBe(false);
    const refused = await errorOf(callerAs(db, a.users.manager).control.approve({ id: cmd!.id }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toBe(`Command ${cmd!.id} expired at ${past.toISOString()}: a proposal not approved within an hour is stale; propose again.`);
    expect((await db.deviceCommand.findUniqueOrThrow({ where: { id: cmd!.id } })).status).toBe("expired");
  });

  it("cancels: the proposer or a manager, only while proposed or approved", async () => {
    const [mine] = await callerAs(db, a.users.manager).control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "pump_speed", value: 75 }] });
    const forbidden = await errorOf(callerAs(db, a.users.technician).control.cancel({ id: mine!.id }));
    expect(forbidden.code).toBe("FORBIDDEN");
    expect(forbidden.message).toBe(`Command ${mine!.id} was proposed by someone else: only they or a manager can cancel it.`);
    const viewerState = await callerAs(db, a.users.technician).control.state({ systemCode: code });
    expect(viewerState.commands.find((c) => c.id === mine!.id)!.canCancel).toBe(false);

    // The technician cancels their own proposal.
    await setLevel(a, code, "advisory");
    const suggestion = (await callerAs(db, a.users.technician).control.state({ systemCode: code })).suggestion!;
    const [own] = await callerAs(db, a.users.technician).control.propose({ systemCode: code, source: "optimiser", setpoints: suggestion.setpoints.map((s) => ({ key: s.key, value: s.value })) });
    const cancelled = await callerAs(db, a.users.technician).control.cancel({ id: own!.id });
    expect(cancelled).toMatchObject({ id: own!.id, status: "cancelled", ackMessage: `cancelled by ${a.users.technician.email}`, canCancel: false });
    expect(await db.auditLog.count({ where: { entityId: own!.id, action: "command.cancel", userId: a.users.technician.id } })).toBe(1);
    const twice = await errorOf(callerAs(db, a.users.technician).control.cancel({ id: own!.id }));
    expect(twice.code).toBe("CONFLICT");
    expect(twice.message).toBe(`Command ${own!.id} is cancelled: only a proposed or approved command can be cancelled.`);

    // A manager cancels an approved command of someone else's.
    await setLevel(a, code, "supervised");
    await callerAs(db, a.users.manager).control.approve({ id: mine!.id });
    expect(await callerAs(db, a.users.admin).control.cancel({ id: mine!.id })).toMatchObject({ status: "cancelled" });
  });
});

describe("runAutonomy", () => {
  it("acts only in autonomous mode: proposes and approves at once within the safe ranges, announced and audited, and not again within 30 min", async () => {
    const sysId = systemIds.get(autoCode)!;
    await setLevel(a, autoCode, "supervised");
    const idle = await runAutonomy(db, new Date());
    expect(idle.systems.find((s) => s.system === autoCode)).toBeUndefined();
    expect(await db.deviceCommand.count({ where: { systemId: sysId } })).toBe(0);

    // A validated range above the optimiser's free choice: the command keeps to it.
    const free = expectedSuggestion().setpoints[0]!.value;
    const floor = Math.ceil(free) + 3;
    await db.setpoint.create({ data: { systemId: sysId, key: "uv_power", value: 100, unit: "%", minSafe: floor, maxSafe: 100, source: "manual" } });
    const expected = expectedSuggestion({ ...DEFAULT_SAFE, uv_power: { min: floor, max: 100 } });
    expect(expected.setpoints).toEqual([{ key: "uv_power", unit: "%", current: 100, value: floor }]);
    expect(expected.savings.pct!).toBeGreaterThan(3);

    await setLevel(a, autoCode, "autonomous");
    const now = new Date();
    const run = await runAutonomy(db, now);
    const action = run.systems.find((s) => s.system === autoCode)!;
    expect(action).toMatchObject({ action: "proposed", organizationId: a.organizationId });
    expect(action.savingsPct!).toBeCloseTo(expected.savings.pct!, 6);
    expect(action.commandIds).toHaveLength(1);
    const id = action.commandIds[0]!;
    await notification(id);
    const cmd = await db.deviceCommand.findUniqueOrThrow({ where: { id } });
    expect(cmd).toMatchObject({
      systemId: sysId,
      deviceId: deviceIds.get(autoCode),
      setpointKey: "uv_power",
      value: floor,
      unit: "%",
      status: "approved",
      proposedBy: "optimiser",
      approvedById: null,
    });
    expect(cmd.approvedAt!.getTime()).toBe(now.getTime());
    expect(cmd.expiresAt.getTime()).toBe(now.getTime() + 600_000);
    expect(cmd.reason).toMatchObject({ source: "optimiser", proposedBy: { type: "optimiser" } });
    const audits = await db.auditLog.findMany({ where: { entityId: id }, orderBy: { action: "desc" } });
    expect(audits.map((x) => [x.action, x.actorType, x.actor, x.userId])).toEqual([
      ["command.propose", "system", "optimiser", null],
      ["command.approve", "system", "optimiser", null],
    ]);
    const listed = (await callerAs(db, a.users.viewer).control.state({ systemCode: autoCode })).commands;
    expect(listed[0]).toMatchObject({ id, proposedBy: "optimiser", proposedByUserId: null, approvedByName: null, status: "approved" });

    const later = await runAutonomy(db, new Date(now.getTime() + 5 * 60_000));
    expect(later.systems.find((s) => s.system === autoCode)).toMatchObject({ action: "skipped" });
    expect(later.systems.find((s) => s.system === autoCode)!.detail).toContain(`cooling down: command ${id} for uv_power is approved`);
    expect(await db.deviceCommand.count({ where: { systemId: sysId } })).toBe(1);
  });

  it("does nothing for another organisation's system in supervised mode, and skips a system without live flow", async () => {
    await setLevel(b, bCode, "supervised");
    await db.device.update({ where: { id: deviceIds.get(quietCode)! }, data: { revokedAt: null } });
    await setLevel(a, quietCode, "autonomous");
    const run = await runAutonomy(db, new Date());
    expect(run.systems.find((s) => s.system === bCode)).toBeUndefined();
    expect(run.systems.find((s) => s.system === quietCode)).toMatchObject({ action: "skipped", detail: "no live flow", commandIds: [] });
    await setLevel(a, quietCode, "off");
    expect(await db.deviceCommand.count({ where: { systemId: { in: [systemIds.get(bCode)!, systemIds.get(quietCode)!] } } })).toBe(0);
  });
});

describe("runAutonomy in two workers at once", () => {
  it("sends one command, not two: the second waits for the system lock and then sees the first", async () => {
    await setLevel(b, bCode, "autonomous");
    const now = new Date();
    const runs = await Promise.all([runAutonomy(db, now), runAutonomy(db, now)]);
    const actions = runs.map((r) => r.systems.find((s) => s.system === bCode)!);
    expect(actions.map((x) => x.action).sort()).toEqual(["proposed", "skipped"]);
    expect(actions.find((x) => x.action === "skipped")!.detail).toMatch(/^cooling down: command \S+ for uv_power is approved/);
    const commands = await db.deviceCommand.findMany({ where: { systemId: systemIds.get(bCode)! } });
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ organizationId: b.organizationId, status: "approved", proposedBy: "optimiser", value: expectedSuggestion().setpoints[0]!.value });
    await setLevel(b, bCode, "off");
  });
});

describe("organisations", () => {
  it("never shows or changes another organisation's system or commands", async () => {
    const bManager = callerAs(db, b.users.manager);
    const aCommand = await db.deviceCommand.findFirstOrThrow({ where: { systemId: systemIds.get(code) } });
    expect((await errorOf(bManager.control.state({ systemCode: code }))).code).toBe("NOT_FOUND");
    expect((await errorOf(bManager.control.setAutonomy({ systemCode: code, level: "autonomous" }))).code).toBe("NOT_FOUND");
    expect((await errorOf(bManager.control.propose({ systemCode: code, source: "manual", setpoints: [{ key: "uv_power", value: 80 }] }))).code).toBe("NOT_FOUND");
    const approve = await errorOf(bManager.control.approve({ id: aCommand.id }));
    expect(approve.code).toBe("NOT_FOUND");
    expect(approve.message).toBe(`Command "${aCommand.id}" was not found`);
    expect((await errorOf(bManager.control.cancel({ id: aCommand.id }))).code).toBe("NOT_FOUND");
    expect(await db.deviceCommand.findUniqueOrThrow({ where: { id: aCommand.id } })).toEqual(aCommand);
    const bCommands = (await bManager.control.state({ systemCode: bCode })).commands;
    expect(bCommands.map((c) => c.deviceId)).toEqual([deviceIds.get(bCode)]);
  });
});
