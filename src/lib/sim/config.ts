// From a system's description (model with `twin` parameters and components, site, status) to the
// resolved configuration the simulator runs. Structural input types: any object shaped like the
// seed's ModelSpec / SiteSpec works, without importing server code.
import { unitParamsFromTwin, type FilterParams, type LampParams, type UnitParams } from "@/lib/physics";

export type SystemStatus = "operating" | "standby" | "maintenance" | "commissioning";

/** Site water and climate (estimates; see domain.md §1.5–1.6, §3, §7). */
export interface SiteClimate {
  /** Local standard-time offset from UTC [h] (demand and daily cycles). */
  utcOffsetHours: number;
  waterTempMeanC: number;
  waterTempSeasonalAmpC: number;
  /** Day of year of the warmest water. */
  waterTempPeakDoy: number;
  waterTempDailyAmpC: number;
  uvtMeanPct: number;
  /** UVT is lowest at the wet-season peak by this much [% UVT]. */
  uvtSeasonalAmpPct: number;
  /** Raw (pre-filter) turbidity baseline [NTU]. */
  rawTurbidityNtu: number;
  rainEventsPerWeek: number;
  wetSeasonPeakDoy: number;
  /** Sleeve fouling rate k_f [1/week] (0.002–0.02, hardness and iron). */
  sleeveFoulingPerWeek: number;
  /** Sensor-window fouling [1/month] (0.005–0.02). */
  windowFoulingPerMonth: number;
}

export interface SimComponentSpec {
  code: string;
  type: string;
  modelNumber?: string;
  attributes?: Record<string, number | string>;
}

export interface SimModelSpec {
  code: string;
  ratedFlowM3h: number;
  requiredDoseMjCm2: number;
  components: readonly SimComponentSpec[];
  limits: readonly { metricKey: string; min?: number; max?: number }[];
  twin: Readonly<Record<string, number>>;
}

export interface SimSystemSpec {
  code: string;
  status?: SystemStatus;
  /** ISO date or epoch ms. */
  commissioned: string | number;
  model: SimModelSpec;
  site: { code: string; latitude: number; climate?: Partial<SiteClimate> };
  /** Per-system water-quality overrides (e.g. a reuse line with lower UVT). */
  climate?: Partial<SiteClimate>;
  /** Mean demand as a fraction of rated flow (default 0.5, commissioning 0.3). */
  demandFraction?: number;
}

export interface LampConfig {
  code: string;
  ballast: string | null;
  sleeve: string | null;
  params: LampParams;
}

export interface FilterConfig {
  code: string;
  kind: "cartridge" | "media";
  params: FilterParams;
  /** Fraction of the incoming suspended solids this stage retains [-]. */
  captureFraction: number;
}

/** Which component carries which measurement; null when the system has none. */
export interface SensorMap {
  flow: string | null;
  pressure: string | null;
  temperature: string | null;
  turbidity: string | null;
  uvt: string | null;
  uvIntensity: string | null;
}

export interface SystemConfig {
  code: string;
  status: SystemStatus;
  commissionedAt: number;
  /** Physics of the unit, shared with the twin (filters upstream first; UV with the first lamp's parameters). */
  params: UnitParams;
  ratedFlowM3h: number;
  /** Validated flow window [m³/h]. */
  minFlowM3h: number;
  maxFlowM3h: number;
  tankVolumeM3: number;
  demandFraction: number;
  lamps: LampConfig[];
  filters: FilterConfig[];
  sensors: SensorMap;
  pump: string | null;
  motor: string | null;
  reactor: string | null;
  climate: SiteClimate;
}

const has = (components: readonly SimComponentSpec[], code: string) => components.some((c) => c.code === code);

/** Fallback climate from latitude alone (rough; pass a climate for real sites). */
export function defaultClimate(latitude: number): SiteClimate {
  const abs = Math.abs(latitude);
  const north = latitude >= 0;
  return {
    utcOffsetHours: 0,
    waterTempMeanC: Math.min(24, Math.max(6, 27 - 0.35 * abs)),
    waterTempSeasonalAmpC: Math.min(5, 0.08 * abs + 0.5),
    waterTempPeakDoy: north ? 230 : 50,
    waterTempDailyAmpC: 0.4,
    uvtMeanPct: 92,
    uvtSeasonalAmpPct: 1.5,
    rawTurbidityNtu: 0.6,
    rainEventsPerWeek: 1.5,
    wetSeasonPeakDoy: north ? 300 : 120,
    sleeveFoulingPerWeek: 0.008,
    windowFoulingPerMonth: 0.01,
  };
}

function num(value: number | string | undefined, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function parseTime(value: string | number): number {
  const ms = typeof value === "number" ? value : Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid commissioning date ${String(value)}`);
  return ms;
}

/** Resolves a system description into the simulator's configuration. */
export function resolveSystemConfig(spec: SimSystemSpec): SystemConfig {
  const { model } = spec;
  const components = model.components;
  const rated = model.ratedFlowM3h;
  const scale = rated / 10;
  const twinRf0 = num(model.twin.rf0, 0.15);

  const filters: FilterConfig[] = components
    .filter((c) => c.type === "filter")
    .map((c, i) => {
      const media = c.attributes?.backwash !== undefined || (c.modelNumber ?? "").startsWith("MF");
      if (media) {
        // Sand filter: ≈ 0.1 bar clean at rated flow, backwash at 0.3 bar (≈ 10 ft H2O, [F3]).
        return {
          code: c.code,
          kind: "media" as const,
          params: { rf0: num(c.attributes?.rf0, 1.02 / rated), mcKg: 0.4 * scale, meKg: 0.8 * scale, dpTerminalBar: 0.3 },
          captureFraction: 0.8,
        };
      }
      // Cartridge housings are sized with the unit: the twin's rf0 is for a 10 m³/h unit.
      return {
        code: c.code,
        kind: "cartridge" as const,
        params: { rf0: num(c.attributes?.rf0, twinRf0 / scale), mcKg: 6 * scale, meKg: 12 * scale, dpTerminalBar: num(model.twin.dpTerminalBar, 1) },
        captureFraction: i === 0 ? 0.7 : 0.5,
      };
    });

  const lampSpecs = components.filter((c) => c.type === "lamp");
  const lampType = (c: SimComponentSpec | undefined): LampParams["type"] => (/-AM\b|amalgam/i.test(c?.modelNumber ?? "") ? "amalgam" : "low-pressure");
  const limit = (key: string) => model.limits.find((l) => l.metricKey === key);
  const params = unitParamsFromTwin(model.twin, {
    filters: filters.map((f) => f.params),
    lampCount: Math.max(1, lampSpecs.length),
    lampType: lampType(lampSpecs[0]),
    compliance: {
      requiredDoseMjCm2: model.requiredDoseMjCm2,
      maxFlowM3h: limit("flow_rate")?.max,
      minUvtPct: limit("uvt")?.min,
      sensorSetpointWm2: limit("uv_intensity")?.min,
    },
  });
  const lamps: LampConfig[] = lampSpecs.map((c) => {
    const suffix = c.code.replace(/^lamp/, "");
    const type = lampType(c);
    return {
      code: c.code,
      ballast: has(components, `ballast${suffix}`) ? `ballast${suffix}` : null,
      sleeve: has(components, `sleeve${suffix}`) ? `sleeve${suffix}` : null,
      params: {
        ...params.uv.lamp,
        type,
        powerW: num(c.attributes?.powerW, params.uv.lamp.powerW),
        ratedLifeH: num(c.attributes?.ratedLifeH, params.uv.lamp.ratedLifeH),
        eolFactor: num(c.attributes?.endOfLampLifeFactor, params.uv.lamp.eolFactor),
        warmupTauMin: type === "amalgam" ? 3 : 0.75,
      },
    };
  });
  const byType = (type: string) => components.find((c) => c.type === type)?.code ?? null;
  const code = (candidate: string) => (has(components, candidate) ? candidate : null);
  const tank = components.find((c) => c.type === "tank");
  const status = spec.status ?? "operating";

  return {
    code: spec.code,
    status,
    commissionedAt: parseTime(spec.commissioned),
    params,
    ratedFlowM3h: rated,
    minFlowM3h: limit("flow_rate")?.min ?? 0.15 * rated,
    maxFlowM3h: limit("flow_rate")?.max ?? 1.2 * rated,
    tankVolumeM3: num(tank?.attributes?.volumeM3, 0.5 * rated),
    demandFraction: spec.demandFraction ?? (status === "commissioning" ? 0.3 : 0.5),
    lamps,
    filters,
    sensors: {
      flow: code("ft-1"),
      pressure: code("pt-1"),
      temperature: code("tt-1"),
      turbidity: code("turb-1"),
      uvt: code("uvt-1"),
      uvIntensity: code("uvsensor-1") ?? byType("uv_sensor"),
    },
    pump: code("pump-1") ?? byType("pump"),
    motor: code("motor-1") ?? byType("motor"),
    reactor: code("uv-1") ?? byType("uv_reactor"),
    climate: { ...defaultClimate(spec.site.latitude), ...spec.site.climate, ...spec.climate },
  };
}
