// A system's physics parameters as the twin uses them: the model's `twinParameters` overlaid by the
// system's own, the system's required dose and its validated limits, and the filters and lamps of
// its component list. The mapping itself is the fleet simulator's (src/lib/sim/config.ts), so the
// twin and the simulated telemetry describe the same unit. Pure and browser-safe.
import type { UnitParams } from "@/lib/physics";
import { resolveSystemConfig, type SimComponentSpec } from "@/lib/sim/config";

export interface TwinSystemSpec {
  code: string;
  ratedFlowM3h: number;
  requiredDoseMjCm2: number;
  /** The model's twin parameters as stored (JSON); entries that are not finite numbers are ignored. */
  modelTwinParameters: unknown;
  /** The system's own overrides of the model's twin parameters (JSON), if any. */
  systemTwinParameters?: unknown;
  /** The system's components; removed ones are left out. Attributes as stored (JSON). */
  components: readonly { code: string; type: string; modelNumber?: string | null; attributes?: unknown; status?: string }[];
  /** Validated operating limits (OperatingLimit). */
  limits: readonly { metricKey: string; min?: number | null; max?: number | null }[];
}

export interface SystemUnitParams {
  params: UnitParams;
  /** Component codes of the filters, upstream first, matching params.filters. */
  filterCodes: string[];
  /** Component codes of the lamps (params.uv.lampCount counts at least one). */
  lampCodes: string[];
  lampCount: number;
  /** The merged twin parameters (model, then the system's overrides). */
  twin: Record<string, number>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The finite numbers of a stored twin-parameter object (anything else is ignored). */
export function numericTwinParameters(json: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(json)) return out;
  for (const [key, value] of Object.entries(json)) if (typeof value === "number" && Number.isFinite(value)) out[key] = value;
  return out;
}

function componentAttributes(json: unknown): Record<string, number | string> | undefined {
  if (!isRecord(json)) return undefined;
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(json)) {
    if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "string") out[key] = value;
  }
  return out;
}

// filter-2 after filter-1, filter-10 after filter-9: codes number the filters in flow order.
const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code, "en", { numeric: true });

/** UnitParams of one system, with the component codes of its filters and lamps. */
export function systemUnitParams(spec: TwinSystemSpec): SystemUnitParams {
  const twin = { ...numericTwinParameters(spec.modelTwinParameters), ...numericTwinParameters(spec.systemTwinParameters) };
  const components: SimComponentSpec[] = spec.components
    .filter((c) => c.status !== "removed")
    .slice()
    .sort(byCode)
    .map((c) => ({ code: c.code, type: c.type, modelNumber: c.modelNumber ?? undefined, attributes: componentAttributes(c.attributes) }));
  const config = resolveSystemConfig({
    code: spec.code,
    // Commissioning date and site only shape the simulator's climate and wear, not the unit's physics.
    commissioned: 0,
    site: { code: "", latitude: 0 },
    model: {
      code: "",
      ratedFlowM3h: spec.ratedFlowM3h,
      requiredDoseMjCm2: spec.requiredDoseMjCm2,
      components,
      limits: spec.limits.map((l) => ({ metricKey: l.metricKey, min: l.min ?? undefined, max: l.max ?? undefined })),
      twin,
    },
  });
  return {
    params: config.params,
    filterCodes: config.filters.map((f) => f.code),
    lampCodes: config.lamps.map((l) => l.code),
    lampCount: config.params.uv.lampCount,
    twin,
  };
}
