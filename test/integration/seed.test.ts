import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDbState, type Db } from "../../src/server/db";
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists } from "../../src/server/db/migrate";
import { prepareDatabase } from "../../src/server/db/prepare";
import { isDemoSeeded, seedDemo } from "../../src/server/seed";
import { DEMO_ORG } from "../../src/server/seed/demo-fleet";
import { BUILT_IN_METRICS } from "../../src/lib/metric-catalogue";
import { verifyCredentials } from "../../src/server/auth/verify-credentials";
import { listFleet } from "../../src/server/fleet/list-fleet";
import { CHEAP_HASH, uid } from "./helpers";

// The demo seed uses fixed codes and emails, so it gets a database of its own.
const admin = process.env.ECOMATE_ADMIN_DATABASE_URL!;
const name = `ecomate_seed_${uid()}`;
let state: ReturnType<typeof createDbState>;
let db: Db;

beforeAll(async () => {
  await createDatabaseIfMissing(admin, name);
  await prepareDatabase(databaseUrl(admin, name));
  state = createDbState(databaseUrl(admin, name), 4);
  db = state.db;
});

afterAll(async () => {
  await state?.db.$disconnect();
  await state?.pool.end();
  await dropDatabaseIfExists(admin, name);
});

describe("demo fleet seed", () => {
  it("loads a realistic fleet: 3+ sites, 12 systems of 3 models with component trees, BOMs, devices", async () => {
    expect(await isDemoSeeded(db)).toBe(false);
    const result = await seedDemo(db, { hashCost: CHEAP_HASH });
    const org = await db.organization.findUniqueOrThrow({ where: { slug: DEMO_ORG.slug } });
    const fleet = await listFleet(db, { organizationId: org.id });
    expect(fleet.length).toBeGreaterThanOrEqual(3);
    const systems = fleet.flatMap((s) => s.systems);
    expect(systems).toHaveLength(12);
    expect(new Set(systems.map((s) => s.model)).size).toBe(3);
    expect(new Set(fleet.map((s) => s.timeZone)).size).toBe(3);
    // every system has a pump, a UV reactor with lamp and sensor, a filter; a device each
    for (const code of systems.map((s) => s.code)) {
      const comps = await db.component.findMany({ where: { system: { code } }, select: { code: true, type: true, parentId: true, _count: { select: { bom: true } } } });
      const types = new Set(comps.map((c) => c.type));
      for (const t of ["pump", "motor", "filter", "uv_reactor", "lamp", "uv_sensor", "sleeve", "ballast", "tank"]) expect(types, `${code} has a ${t}`).toContain(t);
      expect(comps.find((c) => c.code === "lamp-1")?.parentId).toBeTruthy();
      expect(comps.filter((c) => c._count.bom > 0).length).toBeGreaterThan(5);
    }
    expect(result.devices.filter((d) => d.organization === DEMO_ORG.slug)).toHaveLength(12);
    // Class A units require 40 mJ/cm² (NSF/ANSI 55) and carry validated limits
    const uv10 = await db.treatmentSystem.findFirstOrThrow({ where: { model: { code: "AQ-UV10" } }, include: { limits: true } });
    expect(uv10.requiredDoseMjCm2).toBe(40);
    expect(uv10.nsfClass).toBe("A");
    expect(uv10.limits.find((l) => l.metricKey === "flow_rate")?.max).toBe(12);
    // the §4.3 alarm set per system: every system has a critical, compliance (never shelved) UV-intensity rule at its validated setpoint
    const uvRules = await db.alertRule.findMany({
      where: { metric: { key: "uv_intensity" }, kind: "threshold_lolo", severity: "critical", isCompliance: true, enabled: true },
      select: { threshold: true, organizationId: true, system: { select: { code: true, limits: { where: { metricKey: "uv_intensity" } } } } },
    });
    const allSystems = await db.treatmentSystem.findMany({ select: { code: true } });
    expect(uvRules.map((r) => r.system!.code).sort()).toEqual(allSystems.map((s) => s.code).sort());
    for (const r of uvRules) expect(r.threshold, r.system!.code).toBe(r.system!.limits[0]!.min);
    expect(await db.alertRule.count({ where: { systemId: uv10.id } })).toBe(16);
    expect(await db.alertRule.count({ where: { system: { code: "NBG-04" }, kind: "stale", severity: "major" } })).toBe(1);
    expect(await db.alertRule.count({ where: { organizationId: { not: org.id }, system: { organizationId: org.id } } })).toBe(0);
    // stock per site with reorder points; the metric catalogue of contracts.md
    expect(await db.stockLevel.count({ where: { site: { organizationId: org.id } } })).toBeGreaterThan(30);
    const keys = (await db.metric.findMany({ where: { builtIn: true }, select: { key: true } })).map((m) => m.key).sort();
    expect(keys).toEqual(BUILT_IN_METRICS.map((m) => m.key).sort());
  });

  it("creates one demo user per role with the documented passwords", async () => {
    for (const [role, password] of [["admin", "admin-demo-pass"], ["manager", "manager-demo-pass"], ["technician", "technician-demo-pass"], ["viewer", "viewer-demo-pass"]] as const) {
      const user = await verifyCredentials(db, `${role}@ecomate.local`, password);
      expect(user?.role).toBe(role);
    }
  });

  it("is all-or-nothing: seeding twice fails without adding anything", async () => {
    const before = await db.treatmentSystem.count();
    await expect(seedDemo(db, { hashCost: CHEAP_HASH })).rejects.toThrow();
    expect(await db.treatmentSystem.count()).toBe(before);
    expect(await isDemoSeeded(db)).toBe(true);
  });
});
