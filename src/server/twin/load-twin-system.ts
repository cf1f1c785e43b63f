import type { UnitParams } from "@/lib/physics";
import type { TwinLimit } from "@/lib/twin/levers";
import { systemUnitParams } from "@/lib/twin/unit-params";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";

export interface TwinComponent {
  code: string;
  type: string;
  name: string;
}

/** A system as the twin's physics sees it: what every twin use case loads first. */
export interface TwinSystem {
  id: string;
  organizationId: string;
  code: string;
  /** Model twinParameters overlaid by the system's, the system's required dose and validated limits. */
  params: UnitParams;
  /** Component codes of the filters, upstream first, matching params.filters. */
  filterCodes: string[];
  lampCount: number;
  limits: (TwinLimit & { source: string | null })[];
  /** Components in place (not removed), by code: the nodes of the 3D model. */
  components: TwinComponent[];
}

/** Loads one system of the caller's organisation (another organisation's is NOT_FOUND) and builds its UnitParams. */
export async function loadTwinSystem(db: Db, scope: Scope, code: string): Promise<TwinSystem> {
  const system = await db.treatmentSystem.findFirst({
    where: { code, ...orgFilter(scope) },
    select: {
      id: true,
      organizationId: true,
      code: true,
      requiredDoseMjCm2: true,
      twinParameters: true,
      model: { select: { ratedFlowM3h: true, twinParameters: true } },
      limits: { select: { metricKey: true, min: true, max: true, source: true }, orderBy: { metricKey: "asc" } },
      components: {
        where: { status: { not: "removed" } },
        select: { code: true, type: true, name: true, modelNumber: true, attributes: true },
        orderBy: { code: "asc" },
      },
    },
  });
  if (!system) throw notFound("System", code);
  const built = systemUnitParams({
    code: system.code,
    ratedFlowM3h: system.model.ratedFlowM3h,
    requiredDoseMjCm2: system.requiredDoseMjCm2,
    modelTwinParameters: system.model.twinParameters,
    systemTwinParameters: system.twinParameters,
    components: system.components,
    limits: system.limits,
  });
  return {
    id: system.id,
    organizationId: system.organizationId,
    code: system.code,
    params: built.params,
    filterCodes: built.filterCodes,
    lampCount: built.lampCount,
    limits: system.limits.map((l) => ({ metric: l.metricKey, min: l.min, max: l.max, source: l.source })),
    components: system.components.map((c) => ({ code: c.code, type: c.type, name: c.name })),
  };
}
