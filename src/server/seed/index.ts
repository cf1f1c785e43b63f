import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/server/db";
import { initDb } from "@/server/db";
import { hashPassword } from "@/server/auth/password";
import { ensureCatalogues } from "@/server/db/catalogues";
import { generateDeviceToken, hashDeviceToken, tokenPrefix } from "@/server/devices/device-token";
import { telemetryTopic } from "@/server/devices/manage-devices";
import { parseCoreEnv } from "@/server/env/core";
import { defaultRulesFor, toAlertRuleRows } from "@/server/telemetry/alerts/default-rules";
import { DEMO_MODELS, DEMO_ORG, DEMO_PARTS, DEMO_SITES, DEMO_SUPPLIERS, DEMO_USERS, SECOND_ORG, SECOND_ORG_SITES, type SiteSpec } from "./demo-fleet";

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
}

// Small deterministic PRNG so a re-seeded demo looks the same (serials, install dates, stock).
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function seedOrganization(
  tx: Tx,
  org: { slug: string; name: string },
  sites: SiteSpec[],
  users: { email: string; name: string; role: string; passwordHash: string }[],
  rand: () => number,
): Promise<{ systems: number; components: number; devices: DemoDeviceCredential[] }> {
  const organization = await tx.organization.create({ data: { slug: org.slug, name: org.name } });
  const organizationId = organization.id;

  for (const u of users) {
    await tx.user.create({ data: { organizationId, email: u.email, name: u.name, role: u.role as never, passwordHash: u.passwordHash } });
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
  await tx.auditLog.create({
    data: { organizationId, actorType: "system", actor: "seed", action: "demo.seed", entityType: "organization", entityId: organizationId, details: { systems, components } },
  });
  return { systems, components, devices };
}

/** Loads the demo fleet (both organisations) in one transaction: all of it or nothing. */
export async function seedDemo(db: Db, options: { hashCost?: { N: number; r: number; p: number } } = {}): Promise<SeedResult> {
  await ensureCatalogues(db);
  const hashed = await Promise.all(DEMO_USERS.map(async (u) => ({ ...u, passwordHash: await hashPassword(u.password, options.hashCost) })));
  const rand = mulberry32(20261127);
  return db.$transaction(
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
  const result = await seedDemo(db);
  writeDemoDevices(parseCoreEnv().ECOMATE_DATA_DIR, result.devices);
  return { seeded: true };
}
