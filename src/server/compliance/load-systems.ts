// What the compliance computation needs of a system: its site's zone, its physics with the validated
// limits (the same UnitParams the simulator and the twin build, src/lib/sim/config.ts) and which
// series carry flow, UV intensity, UVT, lamp status and water temperature.
import type { Prisma } from "@/generated/prisma/client";
import type { NsfClass, SystemStatus } from "@/generated/prisma/enums";
import type { UnitParams } from "@/lib/physics";
import { resolveSystemConfig, type SimComponentSpec } from "@/lib/sim/config";
import type { Db } from "@/server/db";

export interface ComplianceSeries {
  flow: number | null;
  intensity: number | null;
  uvt: number | null;
  /**
   * The unit has an online UVT analyser (a uvt series, or a component uvt-1 that has not reported
   * yet): the calculated-dose approach applies and a missing UVT is missing data. Without one the
   * setpoint approach alone decides.
   */
  uvtExpected: boolean;
  /** one per lamp; empty when no lamp reports its status */
  lamps: number[];
  temperature: number | null;
}

export interface ComplianceSystem {
  id: string;
  code: string;
  name: string;
  organizationId: string;
  status: SystemStatus;
  site: { code: string; name: string; timeZone: string };
  createdAt: Date;
  commissionedAt: Date | null;
  requiredDoseMjCm2: number;
  nsfClass: NsfClass;
  certifications: string[];
  /** physics and validated limits (params.compliance: required dose, max flow, min UVT, sensor setpoint) */
  params: UnitParams;
  series: ComplianceSeries;
}

const SERIES_METRICS = ["flow_rate", "uv_intensity", "uvt", "lamp_on", "water_temperature"];

const systemSelect = {
  id: true,
  code: true,
  name: true,
  organizationId: true,
  status: true,
  createdAt: true,
  commissionedAt: true,
  requiredDoseMjCm2: true,
  nsfClass: true,
  certifications: true,
  twinParameters: true,
  site: { select: { code: true, name: true, timeZone: true, latitude: true } },
  model: { select: { code: true, ratedFlowM3h: true, twinParameters: true } },
  limits: { select: { metricKey: true, min: true, max: true } },
  components: { select: { code: true, type: true, modelNumber: true, attributes: true } },
  series: { where: { metric: { key: { in: SERIES_METRICS } } }, select: { id: true, component: { select: { code: true, type: true } }, metric: { select: { key: true } } } },
} satisfies Prisma.TreatmentSystemSelect;

type SystemRow = Prisma.TreatmentSystemGetPayload<{ select: typeof systemSelect }>;

function numbers(json: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (json && typeof json === "object" && !Array.isArray(json)) {
    for (const [k, v] of Object.entries(json)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

function attributes(json: unknown): Record<string, number | string> | undefined {
  if (!json || typeof json !== "object" || Array.isArray(json)) return undefined;
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(json)) if (typeof v === "number" || typeof v === "string") out[k] = v;
  return out;
}

/** The series of a metric on the first component code that has one, else at system level, else any. */
function pick(row: SystemRow, metric: string, preferred: string[], types: string[] = []): number | null {
  const of = row.series.filter((s) => s.metric.key === metric);
  for (const code of preferred) {
    const s = of.find((x) => x.component?.code === code);
    if (s) return s.id;
  }
  const typed = of.find((x) => x.component && types.includes(x.component.type));
  if (typed) return typed.id;
  return (of.find((x) => x.component === null) ?? of[0])?.id ?? null;
}

function toComplianceSystem(row: SystemRow): ComplianceSystem {
  const components: SimComponentSpec[] = row.components.map((c) => ({ code: c.code, type: c.type, modelNumber: c.modelNumber ?? undefined, attributes: attributes(c.attributes) }));
  // validated limits -> params.compliance (max flow, min UVT, sensor setpoint), lamps and their type from the components
  const { params } = resolveSystemConfig({
    code: row.code,
    commissioned: (row.commissionedAt ?? row.createdAt).getTime(),
    model: {
      code: row.model.code,
      ratedFlowM3h: row.model.ratedFlowM3h,
      // the system's own required dose and limits, not its model's
      requiredDoseMjCm2: row.requiredDoseMjCm2,
      components,
      limits: row.limits.map((l) => ({ metricKey: l.metricKey, min: l.min ?? undefined, max: l.max ?? undefined })),
      twin: { ...numbers(row.model.twinParameters), ...numbers(row.twinParameters) },
    },
    site: { code: row.site.code, latitude: row.site.latitude ?? 0 },
  });
  const lamps = row.series
    .filter((s) => s.metric.key === "lamp_on")
    .sort((a, b) => (a.component?.code ?? "").localeCompare(b.component?.code ?? ""))
    .map((s) => s.id);
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    organizationId: row.organizationId,
    status: row.status,
    site: { code: row.site.code, name: row.site.name, timeZone: row.site.timeZone },
    createdAt: row.createdAt,
    commissionedAt: row.commissionedAt,
    requiredDoseMjCm2: row.requiredDoseMjCm2,
    nsfClass: row.nsfClass,
    certifications: row.certifications,
    params,
    series: {
      flow: pick(row, "flow_rate", ["ft-1"]),
      intensity: pick(row, "uv_intensity", ["uvsensor-1", "uv-1"], ["uv_sensor"]),
      uvt: pick(row, "uvt", ["uvt-1"]),
      uvtExpected: row.series.some((x) => x.metric.key === "uvt") || row.components.some((c) => c.code === "uvt-1"),
      lamps,
      temperature: pick(row, "water_temperature", ["tt-1"]),
    },
  };
}

/** The systems matching `where`, ordered by code. */
export async function loadComplianceSystems(db: Db, where: Prisma.TreatmentSystemWhereInput): Promise<ComplianceSystem[]> {
  const rows = await db.treatmentSystem.findMany({ where, select: systemSelect, orderBy: { code: "asc" } });
  return rows.map(toComplianceSystem);
}
