import type { Db } from "@/server/db";
import { BUILT_IN_METRICS } from "@/lib/metric-catalogue";
import { FAILURE_CODES } from "@/lib/failure-codes";
import type { ComponentType } from "@/generated/prisma/enums";

/**
 * Makes the built-in catalogues exist in a database (idempotent). Run after every migration, so the
 * metric keys of contracts.md always exist whether or not the demo fleet was seeded.
 */
export async function ensureCatalogues(db: Db): Promise<void> {
  for (const m of BUILT_IN_METRICS) {
    await db.metric.upsert({
      where: { key: m.key },
      create: { key: m.key, name: m.name, unit: m.unit, minValid: m.min, maxValid: m.max, kind: m.kind, builtIn: true },
      update: { name: m.name, unit: m.unit, minValid: m.min, maxValid: m.max, kind: m.kind, builtIn: true, organizationId: null },
    });
  }
  for (const f of FAILURE_CODES) {
    const componentType = f.componentType as ComponentType | null;
    await db.failureCode.upsert({
      where: { kind_code: { kind: f.kind, code: f.code } },
      create: { kind: f.kind, code: f.code, name: f.name, componentType },
      update: { name: f.name, componentType },
    });
  }
}
