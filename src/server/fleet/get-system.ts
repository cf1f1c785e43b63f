import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";

export interface ComponentNode {
  id: string;
  code: string;
  type: string;
  name: string;
  manufacturer: string | null;
  modelNumber: string | null;
  status: string;
  installedAt: Date | null;
  bom: { partNumber: string; name: string; quantity: number; unitCost: number; leadTimeDays: number }[];
  children: ComponentNode[];
}

/** One system with its component tree, BOM, devices and validated limits (the base of the twin record). */
export async function getSystemByCode(db: Db, scope: Scope, code: string) {
  const system = await db.treatmentSystem.findFirst({
    where: { code, ...orgFilter(scope) },
    select: {
      id: true,
      code: true,
      name: true,
      status: true,
      serialNumber: true,
      commissionedAt: true,
      requiredDoseMjCm2: true,
      certifications: true,
      nsfClass: true,
      autonomyLevel: true,
      model: { select: { code: true, name: true, manufacturer: true, ratedFlowM3h: true, modelAsset: true } },
      site: { select: { code: true, name: true, timeZone: true, latitude: true, longitude: true } },
      limits: { select: { metricKey: true, min: true, max: true, source: true }, orderBy: { metricKey: "asc" } },
      devices: {
        select: { id: true, name: true, lastSeenAt: true, revokedAt: true, createdAt: true },
        orderBy: { createdAt: "asc" },
      },
      components: {
        select: {
          id: true,
          parentId: true,
          code: true,
          type: true,
          name: true,
          manufacturer: true,
          modelNumber: true,
          status: true,
          installedAt: true,
          bom: { select: { quantity: true, part: { select: { partNumber: true, name: true, unitCost: true, leadTimeDays: true } } } },
        },
        orderBy: { code: "asc" },
      },
    },
  });
  if (!system) throw notFound("System", code);

  const nodes = new Map<string, ComponentNode>();
  for (const c of system.components) {
    nodes.set(c.id, {
      id: c.id,
      code: c.code,
      type: c.type,
      name: c.name,
      manufacturer: c.manufacturer,
      modelNumber: c.modelNumber,
      status: c.status,
      installedAt: c.installedAt,
      bom: c.bom.map((b) => ({
        partNumber: b.part.partNumber,
        name: b.part.name,
        quantity: Number(b.quantity),
        unitCost: Number(b.part.unitCost),
        leadTimeDays: b.part.leadTimeDays,
      })),
      children: [],
    });
  }
  const roots: ComponentNode[] = [];
  for (const c of system.components) {
    const node = nodes.get(c.id)!;
    const parent = c.parentId ? nodes.get(c.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const { components: _flat, ...rest } = system;
  return { ...rest, componentCount: system.components.length, components: roots };
}

export type SystemDetail = Awaited<ReturnType<typeof getSystemByCode>>;
