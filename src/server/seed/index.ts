import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import type { Db } from "@/server/db";
import { getPool, initDb } from "@/server/db";
import { hashPassword } from "@/server/auth/password";
import { ensureCatalogues } from "@/server/db/catalogues";
import { generateDeviceToken, hashDeviceToken, tokenPrefix } from "@/server/devices/device-token";
import { telemetryTopic } from "@/server/devices/manage-devices";
import { parseCoreEnv } from "@/server/env/core";
import { moduleLogger } from "@/server/logger";
import { defaultRulesFor, toAlertRuleRows } from "@/server/telemetry/alerts/default-rules";
import { seedDegradationHistory, type DegradationHistoryResult } from "./degradation-history";
import { seedCalibrationHistory } from "./calibration-history";
import { seedMaintenanceHistory, type SeededSystem } from "./maintenance-history";
import { seedPumpHistory, type PumpHistoryResult } from "./pump-history";
import { DEMO_MODELS, DEMO_ORG, DEMO_PARTS, DEMO_SITES, DEMO_SUPPLIERS, DEMO_USERS, SECOND_ORG, SECOND_ORG_SITES, type SiteSpec } from "./demo-fleet";
import { mulberry32 } from "@/lib/random";

export interface DemoDeviceCredential {
  id: string;
  token: string;
  system: string;
  organization: string;
  mqtt: { username: string; topic: string };
}

export interface SeedResult {
  organizations: number;
  sites: number;
  systems: number;
  components: number;
  users: number;
  devices: DemoDeviceCredential[];
  /** null: not asked for; `error`: the fleet is seeded but its telemetry history could not be written */
  telemetryHistory: DegradationHistoryResult | { error: string } | null;
  /** null: not asked for; `error`: the fleet is seeded but the pump history could not be written */
  pumpHistory: PumpHistoryResult | { error: string } | null;
}

export interface SeedOptions {
  hashCost?: { N: number; r: number; p: number };
  /**
   * Also write two weeks of telemetry for the degradation models (degradation-history.ts) through
   * the telemetry store on `pool` (the same database as `db`), once the seed has committed.
   */
  telemetryHistory?: {
    pool: pg.Pool;
    now?: Date;
    /** and a year of hourly pump telemetry for the failure-risk model to learn from (pump-history.ts) */
    pumpYear?: boolean;
  };
}


type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const log = moduleLogger("seed");

async function seedOrganization(
  tx: Tx,
  org: { slug: string; name: string },
  sites: SiteSpec[],
  users: { email: string; name: string; role: string; passwordHash: string }[],
  rand: () => number,
): Promise<{ systems: number; components: number; devices: DemoDeviceCredential[] }> {
  const organization = await tx.organization.create({ data: { slug: org.slug, name: org.name } });
  const organizationId = organization.id;

  const userIds = new Map<string, string>();
  for (const u of users) {
    const row = await tx.user.create({ data: { organizationId, email: u.email, name: u.name, role: u.role as never, passwordHash: u.passwordHash } });
    if (!userIds.has(u.role)) userIds.set(u.role, row.id);
  }

  const supplierIds = new Map<string, string>();
  for (const s of DEMO_SUPPLIERS) {
    const row = await tx.supplier.create({ data: { organizationId, ...s } });
    supplierIds.set(s.name, row.id);
  }
  const partIds = new Map<string, string>();
  for (const p of DEMO_PARTS) {
    const row = await tx.part.create({
      data: {
        organizationId,
        partNumber: p.partNumber,
        name: p.name,
        componentType: p.componentType as never,
        supplierId: supplierIds.get(p.supplier) ?? null,
        leadTimeDays: p.leadTimeDays,
        unitCost: p.unitCost,
      },
    });
    partIds.set(p.partNumber, row.id);
  }
  const unitCosts = new Map<string, number>(DEMO_PARTS.map((p) => [p.partNumber, p.unitCost]));
  const seededSystems: SeededSystem[] = [];

  const metricIds = new Map((await tx.metric.findMany({ where: { builtIn: true }, select: { id: true, key: true } })).map((m) => [m.key, m.id]));

  const modelIds = new Map<string, string>();
  const usedModels = new Set(sites.flatMap((s) => s.systems.map((sys) => sys.model)));
  for (const m of DEMO_MODELS.filter((m) => usedModels.has(m.code))) {
    const row = await tx.systemModel.create({
      data: {
        organizationId,
        code: m.code,
        manufacturer: m.manufacturer,
        name: m.name,
        ratedFlowM3h: m.ratedFlowM3h,
        nsfClass: m.nsfClass,
        description: m.description,
        modelAsset: "/models/treatment-unit.glb",
        twinParameters: m.twin,
      },
    });
    modelIds.set(m.code, row.id);
  }

  let systems = 0;
  let components = 0;
  const devices: DemoDeviceCredential[] = [];
  for (const site of sites) {
    const siteRow = await tx.site.create({
      data: {
        organizationId,
        code: site.code,
        name: site.name,
        timeZone: site.timeZone,
        latitude: site.latitude,
        longitude: site.longitude,
        country: site.country,
        address: site.address,
      },
    });
    // spares on the shelf at each site, with reorder points
    await tx.stockLevel.createMany({
      data: DEMO_PARTS.map((p) => {
        const reorderPoint = p.componentType === "filter" ? 8 : p.componentType === "lamp" ? 2 : 1;
        return {
          siteId: siteRow.id,
          partId: partIds.get(p.partNumber)!,
          quantity: Math.round(reorderPoint * (0.5 + rand() * 2.5)),
          reorderPoint,
          reorderQuantity: reorderPoint * 2,
          bin: `${site.code}-${String.fromCharCode(65 + Math.floor(rand() * 4))}${1 + Math.floor(rand() * 9)}`,
        };
      }),
    });

    for (const sys of site.systems) {
      const model = DEMO_MODELS.find((m) => m.code === sys.model)!;
      const commissionedAt = new Date(`${sys.commissioned}T08:00:00Z`);
      const system = await tx.treatmentSystem.create({
        data: {
          organizationId,
          siteId: siteRow.id,
          modelId: modelIds.get(model.code)!,
          code: sys.code,
          name: sys.name,
          serialNumber: `${model.code}-${commissionedAt.getUTCFullYear()}-${String(1000 + Math.floor(rand() * 9000))}`,
          commissionedAt,
          status: sys.status ?? "operating",
          requiredDoseMjCm2: model.requiredDoseMjCm2,
          certifications: model.certifications,
          nsfClass: model.nsfClass,
        },
      });
      systems++;
      await tx.operatingLimit.createMany({
        data: model.limits.map((l) => ({ systemId: system.id, metricKey: l.metricKey, min: l.min ?? null, max: l.max ?? null, source: l.source })),
      });
      // the §4.3 alarm set from the same limits (domain.md)
      await tx.alertRule.createMany({ data: toAlertRuleRows(defaultRulesFor(model), { organizationId, systemId: system.id, metricIds }) });

      const componentIds = new Map<string, string>();
      const seeded: SeededSystem = { id: system.id, code: sys.code, siteId: siteRow.id, commissionedAt, components: [] };
      seededSystems.push(seeded);
      for (const c of model.components) {
        // wear parts were replaced at some point after commissioning; the rest is original
        const replaced = c.type === "lamp" || c.type === "sleeve" || c.type === "filter";
        const installedAt = replaced
          ? new Date(Math.max(commissionedAt.getTime(), Date.now() - (30 + rand() * 300) * 86_400_000))
          : commissionedAt;
        const row = await tx.component.create({
          data: {
            systemId: system.id,
            parentId: c.parent ? componentIds.get(c.parent) : null,
            code: c.code,
            type: c.type,
            name: c.name,
            manufacturer: c.manufacturer ?? null,
            modelNumber: c.modelNumber ?? null,
            serialNumber: c.manufacturer ? `${c.code.toUpperCase()}-${Math.floor(rand() * 1e6).toString().padStart(6, "0")}` : null,
            installedAt,
            attributes: c.attributes,
          },
        });
        componentIds.set(c.code, row.id);
        components++;
        seeded.components.push({
          id: row.id,
          code: c.code,
          type: c.type,
          bom: (c.bom ?? []).map((b) => ({ partId: partIds.get(b.part)!, quantity: b.quantity, unitCost: unitCosts.get(b.part) ?? 0 })),
        });
        if (c.bom?.length) {
          await tx.bomItem.createMany({
            data: c.bom.map((b) => ({ componentId: row.id, partId: partIds.get(b.part)!, quantity: b.quantity })),
          });
        }
      }

      const token = generateDeviceToken();
      const id = `${sys.code.toLowerCase()}-gw`;
      await tx.device.create({
        data: { id, organizationId, systemId: system.id, name: `${sys.code} gateway`, tokenHash: hashDeviceToken(token), tokenPrefix: tokenPrefix(token), firmware: "gw-2.4.1" },
      });
      devices.push({ id, token, system: sys.code, organization: org.slug, mqtt: { username: id, topic: telemetryTopic(id) } });
    }
  }
  const technicianId = userIds.get("technician") ?? userIds.get("admin") ?? null;
  const maintenance = await seedMaintenanceHistory(tx, {
    organizationId,
    systems: seededSystems,
    technicianId,
    managerId: userIds.get("manager") ?? userIds.get("admin") ?? null,
    rand,
  });
  const calibration = await seedCalibrationHistory(tx, { organizationId, systems: seededSystems, technicianId });
  await tx.auditLog.create({
    data: { organizationId, actorType: "system", actor: "seed", action: "demo.seed", entityType: "organization", entityId: organizationId, details: { systems, components, ...maintenance, ...calibration } },
  });
  return { systems, components, devices };
}

/**
 * Loads the demo fleet (both organisations) in one transaction: all of it or nothing; then, when
 * asked, the telemetry history (written through the pg pool, so after the commit, never inside it).
 */
export async function seedDemo(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  await ensureCatalogues(db);
  const hashed = await Promise.all(DEMO_USERS.map(async (u) => ({ ...u, passwordHash: await hashPassword(u.password, options.hashCost) })));
  const rand = mulberry32(20261127);
  const seeded = await db.$transaction(
    async (tx) => {
      const a = await seedOrganization(tx, DEMO_ORG, DEMO_SITES, hashed.filter((u) => u.org === DEMO_ORG.slug), rand);
      const b = await seedOrganization(tx, SECOND_ORG, SECOND_ORG_SITES, hashed.filter((u) => u.org === SECOND_ORG.slug), rand);
      return {
        organizations: 2,
        sites: DEMO_SITES.length + SECOND_ORG_SITES.length,
        systems: a.systems + b.systems,
        components: a.components + b.components,
        users: DEMO_USERS.length,
        devices: [...a.devices, ...b.devices],
      };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  if (!options.telemetryHistory) return { ...seeded, telemetryHistory: null, pumpHistory: null };
  const { pool, now, pumpYear } = options.telemetryHistory;
  // The fleet has committed and its device tokens exist only in this result: the caller must get
  // them even when a history (a demo nicety, all or nothing on its own) could not be written.
  let telemetryHistory: SeedResult["telemetryHistory"];
  try {
    telemetryHistory = await seedDegradationHistory(db, pool, { now });
    log.info({ ...telemetryHistory }, "demo telemetry history written");
  } catch (error) {
    log.warn({ err: error }, "the demo fleet is seeded, but its telemetry history could not be written");
    telemetryHistory = { error: (error as Error).message };
  }
  if (!pumpYear) return { ...seeded, telemetryHistory, pumpHistory: null };
  try {
    const pumpHistory = await seedPumpHistory(db, pool, { now });
    log.info({ ...pumpHistory }, "demo pump history written");
    return { ...seeded, telemetryHistory, pumpHistory };
  } catch (error) {
    log.warn({ err: error }, "the demo fleet is seeded, but its pump history could not be written");
    return { ...seeded, telemetryHistory, pumpHistory: { error: (error as Error).message } };
  }
}

export function demoDevicesPath(dataDir: string): string {
  return path.join(dataDir, "demo-devices.json");
}

/** Device tokens exist only at creation: keep the demo's for the fleet simulator, readable by this user only. */
export function writeDemoDevices(dataDir: string, devices: DemoDeviceCredential[]): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = demoDevicesPath(dataDir);
  fs.writeFileSync(file, JSON.stringify({ devices }, null, 2) + "\n", { mode: 0o600 });
  return file;
}

export async function isDemoSeeded(db: Db): Promise<boolean> {
  return (await db.organization.count({ where: { slug: DEMO_ORG.slug } })) > 0;
}

/** For `npm run demo`: seed on first start only; returns whether it seeded. */
export async function seedDemoIfEmpty(databaseUrl: string): Promise<{ seeded: boolean }> {
  const db = initDb(databaseUrl);
  await ensureCatalogues(db);
  if (await isDemoSeeded(db)) return { seeded: false };
  const result = await seedDemo(db, { telemetryHistory: { pool: getPool(), pumpYear: true } });
  writeDemoDevices(parseCoreEnv().ECOMATE_DATA_DIR, result.devices);
  return { seeded: true };
}
