// The rules editor's procedures (issue 4: "edit alert rules: manager+"): the filtered list, edits and
// new rules with their validation, the compliance rule guard, roles, audit, the engine's reload signal
// and organisation isolation.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { RULES_CHANGED_CHANNEL } from "../../src/server/telemetry/alerts/lifecycle";
import { callerAs, makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();
const pool = getPool();
let org: TestOrg;
let other: TestOrg;
let systemId: string;
let metric: Record<string, number>;

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; fields: string[] }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const issues = (err.cause as { issues?: { path: PropertyKey[] }[] } | undefined)?.issues ?? [];
    return { code: err.code, message: err.message, fields: issues.map((i) => i.path.map(String).join(".")) };
  }
  throw new Error("expected the call to fail");
}

/** Collects the rule ids announced on the engine's reload channel while `fn` runs. */
async function announced(fn: () => Promise<unknown>): Promise<string[]> {
  const client = await pool.connect();
  const ids: string[] = [];
  const onNotification = (n: { channel: string; payload?: string }) => {
    if (n.channel === RULES_CHANGED_CHANNEL && n.payload) ids.push(n.payload);
  };
  client.on("notification", onNotification);
  try {
    await client.query(`LISTEN ${RULES_CHANGED_CHANNEL}`);
    await fn();
    // a round trip on the listening connection delivers what was notified before it
    await client.query("SELECT 1");
    return ids;
  } finally {
    client.off("notification", onNotification);
    await client.query(`UNLISTEN ${RULES_CHANGED_CHANNEL}`);
    client.release();
  }
}

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 2 }), makeOrg(db, { systems: 1 })]);
  systemId = (await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } })).id;
  metric = Object.fromEntries((await db.metric.findMany({ where: { key: { in: ["flow_rate", "uv_intensity", "filter_dp"] } } })).map((m) => [m.key, m.id]));
});

async function makeRule(over: Record<string, unknown> = {}) {
  return db.alertRule.create({
    data: { organizationId: org.organizationId, name: `Flow high ${uid()}`, systemId, metricId: metric.flow_rate!, kind: "threshold_hi", threshold: 15, deadband: 0.5, severity: "minor", ...over },
  });
}

describe("alerts.rules.list", () => {
  it("filters by system (with the organisation-wide rules), metric and kind, and shows only the caller's organisation", async () => {
    const onSystem = await makeRule({ name: "A flow high" });
    const orgWide = await makeRule({ name: "B UV low", systemId: null, metricId: metric.uv_intensity!, kind: "threshold_lo", threshold: 40 });
    const otherSystem = await makeRule({
      name: "C dP rate",
      systemId: (await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[1]! } })).id,
      metricId: metric.filter_dp!,
      kind: "rate_of_change",
      threshold: 0.005,
      deadband: 0.001,
      params: { windowSec: 900 },
    });
    const foreign = await db.alertRule.create({
      data: { organizationId: other.organizationId, name: "Foreign", metricId: metric.flow_rate!, kind: "threshold_hi", threshold: 10, severity: "major" },
    });
    const viewer = callerAs(db, org.users.viewer);
    const ids = async (input?: Parameters<typeof viewer.alerts.rules.list>[0]) => (await viewer.alerts.rules.list(input)).map((r) => r.id).sort();

    expect(await ids()).toEqual([onSystem.id, orgWide.id, otherSystem.id].sort());
    expect(await ids({ systemCode: org.systemCodes[0]! })).toEqual([onSystem.id, orgWide.id].sort());
    expect(await ids({ metricKey: "filter_dp" })).toEqual([otherSystem.id]);
    expect(await ids({ kind: "threshold_lo" })).toEqual([orgWide.id]);
    expect(await ids({ systemCode: org.systemCodes[0]!, kind: "threshold_hi" })).toEqual([onSystem.id]);
    expect(await ids()).not.toContain(foreign.id);

    const rate = (await viewer.alerts.rules.list({ metricKey: "filter_dp" }))[0]!;
    expect(rate).toMatchObject({
      name: "C dP rate",
      kind: "rate_of_change",
      threshold: 0.005,
      windowSec: 900,
      gate: null,
      system: { code: org.systemCodes[1]! },
      metric: { key: "filter_dp", unit: "bar", minValid: 0, maxValid: 10 },
    });
    expect(rate).not.toHaveProperty("params");
    expect(rate).not.toHaveProperty("organizationId");
    await db.alertRule.deleteMany({ where: { id: { in: [onSystem.id, orgWide.id, otherSystem.id, foreign.id] } } });
  });
});

describe("alerts.rules.update", () => {
  it("lets managers edit (audited, engine told), not viewers or technicians", async () => {
    const rule = await makeRule();
    for (const role of ["viewer", "technician"] as const) {
      expect((await failure(callerAs(db, org.users[role]).alerts.rules.update({ id: rule.id, threshold: 16 }))).code).toBe("FORBIDDEN");
    }
    let updated: Awaited<ReturnType<ReturnType<typeof callerAs>["alerts"]["rules"]["update"]>> | undefined;
    const ids = await announced(async () => {
      updated = await callerAs(db, org.users.manager).alerts.rules.update({ id: rule.id, threshold: 18.5, deadband: 1, onDelaySec: 30, offDelaySec: 60, severity: "major", name: " Flow very high " });
    });
    expect(ids).toContain(rule.id);
    expect(updated).toMatchObject({ id: rule.id, name: "Flow very high", threshold: 18.5, deadband: 1, onDelaySec: 30, offDelaySec: 60, severity: "major", enabled: true });
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityType: "alert_rule", entityId: rule.id, action: "alert_rule.update" } });
    expect(audit.details).toMatchObject({ before: { threshold: 15, severity: "minor" }, after: { threshold: 18.5, severity: "major" } });
  });

  it("validates: field errors from the schema, the metric's range and the deadband from the domain, nothing written", async () => {
    const rule = await makeRule();
    const manager = callerAs(db, org.users.manager);
    const schema = await failure(manager.alerts.rules.update({ id: rule.id, onDelaySec: -5, offDelaySec: 1.5, deadband: -1 }));
    expect(schema.code).toBe("BAD_REQUEST");
    expect(schema.fields.sort()).toEqual(["deadband", "offDelaySec", "onDelaySec"]);
    const range = await failure(manager.alerts.rules.update({ id: rule.id, threshold: 250 }));
    expect(range.code).toBe("BAD_REQUEST");
    expect(range.message).toBe("A limit of 250 is outside the valid range of Flow rate (0 to 100 m3/h): no reading can cross it.");
    // the merged rule is checked: a deadband as wide as the range, with the stored threshold
    expect((await failure(manager.alerts.rules.update({ id: rule.id, deadband: 100 }))).message).toMatch(/deadband must be narrower/);
    expect(await db.alertRule.findUniqueOrThrow({ where: { id: rule.id } })).toMatchObject({ threshold: 15, deadband: 0.5, onDelaySec: 0 });
    expect(await db.auditLog.count({ where: { entityId: rule.id } })).toBe(0);
  });

  it("lets only an admin switch a compliance rule off; managers may still tune it", async () => {
    const rule = await makeRule({ name: "UV below setpoint", metricId: metric.uv_intensity!, kind: "threshold_lolo", threshold: 40, severity: "critical", isCompliance: true });
    const manager = callerAs(db, org.users.manager);
    const refused = await failure(manager.alerts.rules.update({ id: rule.id, enabled: false }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/"UV below setpoint" is a compliance rule.*only an admin may switch it off/);
    expect((await db.alertRule.findUniqueOrThrow({ where: { id: rule.id } })).enabled).toBe(true);
    expect((await manager.alerts.rules.update({ id: rule.id, offDelaySec: 30 })).offDelaySec).toBe(30);
    expect((await callerAs(db, org.users.admin).alerts.rules.update({ id: rule.id, enabled: false })).enabled).toBe(false);
    // switching it back on is never refused
    expect((await manager.alerts.rules.update({ id: rule.id, enabled: true })).enabled).toBe(true);
  });

  it("cannot reach another organisation's rule", async () => {
    const rule = await makeRule();
    expect((await failure(callerAs(db, other.users.admin).alerts.rules.update({ id: rule.id, threshold: 20 }))).code).toBe("NOT_FOUND");
    expect((await db.alertRule.findUniqueOrThrow({ where: { id: rule.id } })).threshold).toBe(15);
  });
});

describe("alerts.rules.create", () => {
  it("creates a rule for one system or the whole organisation (managers; audited; engine told)", async () => {
    const manager = callerAs(db, org.users.manager);
    let created: Awaited<ReturnType<typeof manager.alerts.rules.create>> | undefined;
    const ids = await announced(async () => {
      created = await manager.alerts.rules.create({
        name: "Filter dP rising fast",
        systemCode: org.systemCodes[0]!,
        metricKey: "filter_dp",
        componentType: "filter",
        kind: "rate_of_change",
        threshold: 0.01,
        deadband: 0.002,
        onDelaySec: 120,
        offDelaySec: 120,
        severity: "warning",
        windowSec: 600,
      });
    });
    expect(ids).toContain(created!.id);
    expect(created).toMatchObject({
      name: "Filter dP rising fast",
      kind: "rate_of_change",
      threshold: 0.01,
      componentType: "filter",
      windowSec: 600,
      isCompliance: false,
      enabled: true,
      system: { code: org.systemCodes[0]! },
      metric: { key: "filter_dp" },
    });
    const row = await db.alertRule.findUniqueOrThrow({ where: { id: created!.id } });
    expect(row).toMatchObject({ organizationId: org.organizationId, systemId, metricId: metric.filter_dp!, params: { windowSec: 600 } });
    expect(await db.auditLog.count({ where: { entityId: created!.id, action: "alert_rule.create" } })).toBe(1);

    // defaults: deadband 0, no delays, enabled; windowSec is ignored for other kinds
    const orgWide = await callerAs(db, org.users.admin).alerts.rules.create({ name: "Flow high anywhere", systemCode: null, metricKey: "flow_rate", kind: "threshold_hi", threshold: 20, severity: "major", windowSec: 60 });
    expect(orgWide).toMatchObject({ system: null, componentType: null, deadband: 0, onDelaySec: 0, offDelaySec: 0, enabled: true, windowSec: null });
  });

  it("validates with clear messages and writes nothing; viewers and technicians may not", async () => {
    const manager = callerAs(db, org.users.manager);
    const count = () => db.alertRule.count({ where: { organizationId: org.organizationId } });
    const before = await count();
    const base = { name: "x", systemCode: org.systemCodes[0]!, metricKey: "flow_rate", kind: "threshold_hi" as const, threshold: 10, severity: "major" as const };

    const schema = await failure(manager.alerts.rules.create({ ...base, name: "  ", kind: "sideways" as never, onDelaySec: 90_000 }));
    expect(schema.fields.sort()).toEqual(["kind", "name", "onDelaySec"]);
    expect((await failure(manager.alerts.rules.create({ ...base, metricKey: "no_such_metric" }))).message).toBe('Metric "no_such_metric" is not in the catalogue: pick one of the list.');
    expect((await failure(manager.alerts.rules.create({ ...base, systemCode: other.systemCodes[0]! }))).message).toMatch(/is not one of your organisation's systems/);
    expect((await failure(manager.alerts.rules.create({ ...base, threshold: -3 }))).message).toMatch(/outside the valid range of Flow rate/);
    expect((await failure(manager.alerts.rules.create({ ...base, kind: "stale", threshold: 3 }))).message).toMatch(/stale rule waits 10 s/);
    for (const role of ["viewer", "technician"] as const) {
      expect((await failure(callerAs(db, org.users[role]).alerts.rules.create(base))).code).toBe("FORBIDDEN");
    }
    expect(await count()).toBe(before);
  });
});
