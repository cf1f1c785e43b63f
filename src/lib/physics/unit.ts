// Steady-state model of one treatment unit (domain.md §6): pump + system curve -> operating point,
// filter ΔP, power and specific energy; UV reactor -> dose, RED, sensor reading; compliance flags.
// Pure and browser-safe: the twin's what-if sliders and the fleet simulator share it.
import { filterResistanceFactor, type FilterParams } from "./filter";
import { pumpCurveCoefficient, pumpHead, pumpPower, type PumpParams } from "./pump";
import {
  lampUvcPower,
  logCredit,
  reactorDose,
  sensorIntensityWm2,
  type LampParams,
  type ReactorGeometry,
  type TargetOrganism,
} from "./uv";
import { absorptionCoefficient, headToBar, viscosityRatio } from "./water";

export interface HydraulicParams {
  /** Static head: elevation plus outlet pressure setpoint [m]. */
  hStaticM: number;
  /** Pipe and fittings loss coefficient [m/(m³/h)²]. */
  kPipe: number;
  /** Valve loss coefficient at its normal position [m/(m³/h)²]. */
  kValve: number;
  /** UV reactor loss coefficient [m/(m³/h)²]. */
  kUv: number;
}

export interface UvParams {
  lamp: LampParams;
  /** Identical lamps in the reactor; UV power adds up. */
  lampCount: number;
  geometry: ReactorGeometry;
  /** Quartz sleeve transmittance at 254 nm [-] (≈ 0.95, [S27]). */
  sleeveTransmittance: number;
  /** RED calibration factor k_cal [-] and UVT-sensitivity exponent γ [-] (domain.md §1.4). */
  kCal: number;
  gamma: number;
}

export interface ComplianceParams {
  /** Required (validated) dose [mJ/cm²] (40 = NSF/ANSI 55 Class A, [S3]). */
  requiredDoseMjCm2: number;
  /** Validation factor VF: credited dose = RED/VF (domain.md §1.3 B). */
  validationFactor: number;
  /** Validated maximum flow [m³/h]; off-spec above it. */
  maxFlowM3h?: number;
  /** Validated minimum UVT [%]; off-spec below it. */
  minUvtPct?: number;
  /** UV-intensity setpoint S_sp [W/m²]; off-spec below it. */
  sensorSetpointWm2?: number;
  /** Organism for the reported log credit. */
  targetOrganism: TargetOrganism;
}

export interface UnitParams {
  pump: PumpParams;
  hydraulics: HydraulicParams;
  /** Filters in series, upstream first. */
  filters: FilterParams[];
  uv: UvParams;
  compliance: ComplianceParams;
  /** Controller, sensors and the rest of the unit [kW] (estimate). */
  auxiliaryPowerKw: number;
}

/** Loading of one filter: deposited mass, or directly R_f/R_f0 (wins when both are given). */
export interface FilterLever {
  massKg?: number;
  resistanceFactor?: number;
}

export interface LampLever {
  /** Lamps on (default true). */
  on?: boolean;
  /** Dimming level [-] (default 1). */
  dimming?: number;
  /** Lamp operating hours [h] (default 0 = new lamp). */
  hours?: number;
  /** Sleeve fouling factor f_foul [-] (default 1 = clean). */
  fouling?: number;
  /** Minutes since the lamps struck (default: fully warm). */
  minutesOn?: number;
}

/** The what-if inputs (domain.md §6.1). */
export interface Levers {
  /** Pump speed ratio s = n/n0 (VFD Hz / 50); 0 = pump stopped. */
  speed: number;
  /** Water temperature [°C]. */
  waterTempC: number;
  /** UV transmittance at 254 nm, 1 cm [%]. */
  uvtPct: number;
  /** Overrides of the static head [m] and valve coefficient [m/(m³/h)²]. */
  hStaticM?: number;
  kValve?: number;
  /** One entry per filter in `params.filters`; missing entries are clean filters. */
  filters?: FilterLever[];
  lamp?: LampLever;
  /** UV sensor window fouling factor [-] (default 1). */
  windowFactor?: number;
  /** External leakage at the pump discharge (a seal leak) [m³/h]; it bypasses the system. */
  leakM3h?: number;
}

export interface FilterOutcome {
  resistanceFactor: number;
  /** R_f(M) at 20 °C [m/(m³/h)]. */
  resistance: number;
  dpBar: number;
  /** ΔP at or above the terminal ΔP (change or backwash the element). */
  atTerminal: boolean;
}

export interface HydraulicOutcome {
  speed: number;
  /** Flow delivered to the system (through filters and UV) [m³/h]. */
  flowM3h: number;
  /** Flow through the pump = delivered + leak [m³/h]. */
  pumpFlowM3h: number;
  /** Pump head at the operating point [m]. */
  headM: number;
  /** Discharge pressure p_d = p_suction + ρgH/1e5 [bar]. */
  dischargePressureBar: number;
  viscosityRatio: number;
  filters: FilterOutcome[];
  filterDpTotalBar: number;
  pumpEfficiency: number;
  hydraulicPowerKw: number;
  shaftPowerKw: number;
  /** Electrical input of the pump drive (VFD) [kW]. */
  pumpPowerKw: number;
  /** Pump energy per delivered m³ [kWh/m³]; null without flow. */
  pumpSpecificEnergyKwhM3: number | null;
  /** Running but the pump cannot overcome the static head: Q = 0, H = s²H0. */
  deadHead: boolean;
  /** Running below the minimum continuous flow (fraction of Q_BEP·s). */
  belowMinFlow: boolean;
}

export interface UvOutcome {
  lampsOn: boolean;
  /** UV-C power into the water, all lamps [W]. */
  uvcPowerW: number;
  /** Electrical input of lamps and ballasts [kW]. */
  lampPowerKw: number;
  ageFactor: number;
  temperatureFactor: number;
  warmupFactor: number;
  absorbancePerCm: number;
  alphaPerCm: number;
  avgFluenceRateMwCm2: number;
  residenceTimeS: number | null;
  avgDoseMjCm2: number | null;
  redMjCm2: number | null;
  /** RED / VF [mJ/cm²]. */
  validatedDoseMjCm2: number | null;
  logCredit: number | null;
  sensorIntensityWm2: number;
  /** UV energy per delivered m³ [kWh/m³]; null without flow. */
  uvSpecificEnergyKwhM3: number | null;
}

export type OffSpecReason = "lamp_off" | "warming_up" | "sensor_below_setpoint" | "dose_below_required" | "flow_above_max" | "uvt_below_min";

export interface UnitOutcome extends HydraulicOutcome {
  uv: UvOutcome;
  /** Pump + lamps + auxiliaries [kW]. */
  totalPowerKw: number;
  /** Total energy per delivered m³ [kWh/m³]; null without flow. */
  specificEnergyKwhM3: number | null;
  compliance: {
    /** True when no off-spec condition holds (domain.md §5.2); meaningless without flow. */
    onSpec: boolean;
    reasons: OffSpecReason[];
    /** validated dose / required dose [-]; null without flow. */
    doseRatio: number | null;
  };
}

/** Domain.md §6.3 defaults for a ~10 m³/h unit (estimates unless cited there). */
export const DEFAULT_UNIT_PARAMS: UnitParams = {
  pump: {
    h0M: 60,
    qBepM3h: 10,
    hBepM: 45,
    etaBep: 0.6,
    motorEta: 0.86,
    vfdEta: 0.96,
    suctionPressureBar: 0,
    minFlowFraction: 0.15,
    shutoffPowerFraction: 0.3,
  },
  hydraulics: { hStaticM: 15, kPipe: 0.12, kValve: 0, kUv: 0.02 },
  filters: [{ rf0: 0.15, mcKg: 6, meKg: 12, dpTerminalBar: 1 }],
  uv: {
    lamp: {
      type: "amalgam",
      powerW: 150,
      etaUvc: 0.33,
      ratedLifeH: 12_000,
      eolFactor: 0.85,
      burnInDrop: 0.05,
      burnInTauH: 100,
      warmupTauMin: 3,
      ballastEta: 0.9,
    },
    lampCount: 1,
    geometry: { r1Cm: 1.25, r2Cm: 4.45, lengthCm: 90 },
    sleeveTransmittance: 0.95,
    kCal: 1.2,
    gamma: 0,
  },
  compliance: { requiredDoseMjCm2: 40, validationFactor: 1, targetOrganism: "virus" },
  auxiliaryPowerKw: 0.02,
};

/** R_f/R_f0 of each filter from its lever (mass or factor). */
function resistanceFactors(params: UnitParams, levers: Pick<Levers, "filters">): number[] {
  const out = new Array<number>(params.filters.length);
  for (let i = 0; i < params.filters.length; i++) {
    const lever = levers.filters?.[i];
    out[i] = lever?.resistanceFactor ?? filterResistanceFactor(params.filters[i]!, lever?.massKg ?? 0);
  }
  return out;
}

function sumResistance(params: UnitParams, factors: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < factors.length; i++) sum += params.filters[i]!.rf0 * factors[i]!;
  return sum;
}

function quadraticLossCoefficient(params: UnitParams, levers: Pick<Levers, "kValve">): number {
  const h = params.hydraulics;
  return h.kPipe + (levers.kValve ?? h.kValve) + h.kUv;
}

/**
 * Operating point of pump and system (domain.md §6.2 eq. 1–5):
 *   s²H0 − a_p(Q + q_leak)² = H_static + K_tot·Q² + Σ R_f·(μ/μ20)·Q
 * solved as a quadratic in the delivered flow Q; Q = 0 when the pump cannot overcome H_static.
 */
export function solveHydraulics(params: UnitParams, levers: Levers): HydraulicOutcome {
  const pump = params.pump;
  const speed = Math.max(0, levers.speed);
  const leak = Math.max(0, levers.leakM3h ?? 0);
  const ap = pumpCurveCoefficient(pump);
  const ratio = viscosityRatio(levers.waterTempC);
  const factors = resistanceFactors(params, levers);
  const linear = sumResistance(params, factors) * ratio;
  const hStatic = levers.hStaticM ?? params.hydraulics.hStaticM;

  let flow = 0;
  let pumpFlow = 0;
  let head = 0;
  if (speed > 0) {
    const A = ap + quadraticLossCoefficient(params, levers);
    const B = linear + 2 * ap * leak;
    const C = hStatic - speed * speed * pump.h0M + ap * leak * leak;
    flow = C < 0 ? (-B + Math.sqrt(B * B - 4 * A * C)) / (2 * A) : 0;
    // With no delivery the leak still flows if the pump head can push it out (≥ 0 head).
    pumpFlow = flow > 0 ? flow + leak : Math.min(leak, speed * Math.sqrt(pump.h0M / ap));
    head = Math.max(0, pumpHead(pump, pumpFlow, speed));
  }
  const power = pumpPower(pump, pumpFlow, head, speed);
  const filterResults = new Array<FilterOutcome>(factors.length);
  let filterDpTotalBar = 0;
  for (let i = 0; i < factors.length; i++) {
    const f = params.filters[i]!;
    const resistanceFactor = factors[i]!;
    const resistance = f.rf0 * resistanceFactor;
    const dpBar = headToBar(resistance * ratio * flow);
    filterResults[i] = { resistanceFactor, resistance, dpBar, atTerminal: dpBar >= f.dpTerminalBar };
    filterDpTotalBar += dpBar;
  }
  return {
    speed,
    flowM3h: flow,
    pumpFlowM3h: pumpFlow,
    headM: head,
    dischargePressureBar: speed > 0 ? pump.suctionPressureBar + headToBar(head) : pump.suctionPressureBar,
    viscosityRatio: ratio,
    filters: filterResults,
    filterDpTotalBar,
    pumpEfficiency: power.efficiency,
    hydraulicPowerKw: power.hydraulicKw,
    shaftPowerKw: power.shaftKw,
    pumpPowerKw: power.electricalKw,
    pumpSpecificEnergyKwhM3: flow > 1e-9 ? power.electricalKw / flow : null,
    deadHead: speed > 0 && flow === 0,
    belowMinFlow: speed > 0 && flow < pump.minFlowFraction * pump.qBepM3h * speed,
  };
}

/**
 * The speed ratio s that delivers `flowM3h` with these levers (inverse of solveHydraulics):
 * s = √((H_static + K·Q² + B·Q + a_p(Q + q_leak)²)/H0). Not clamped: s > 1 means "not reachable".
 */
export function speedForFlow(params: UnitParams, levers: Omit<Levers, "speed">, flowM3h: number): number {
  const q = Math.max(0, flowM3h);
  const leak = Math.max(0, levers.leakM3h ?? 0);
  const ap = pumpCurveCoefficient(params.pump);
  const linear = sumResistance(params, resistanceFactors(params, levers)) * viscosityRatio(levers.waterTempC);
  const hStatic = levers.hStaticM ?? params.hydraulics.hStaticM;
  const required = hStatic + quadraticLossCoefficient(params, levers) * q * q + linear * q + ap * (q + leak) ** 2;
  return Math.sqrt(required / params.pump.h0M);
}

/** UV outcome for all (identical) lamps at the given delivered flow (domain.md §6.2 eq. 6–7). */
export function solveUv(params: UnitParams, levers: Levers, flowM3h: number): UvOutcome {
  const uv = params.uv;
  const lampLever = levers.lamp ?? {};
  const lampsOn = lampLever.on ?? true;
  const one = lampUvcPower(
    uv.lamp,
    { on: lampsOn, hours: lampLever.hours ?? 0, dimming: lampLever.dimming, minutesOn: lampLever.minutesOn, fouling: lampLever.fouling },
    levers.waterTempC,
    uv.sleeveTransmittance,
  );
  const uvcMw = one.uvcMw * uv.lampCount;
  const dose = reactorDose(uv.geometry, uvcMw, levers.uvtPct, flowM3h, uv);
  const lampPowerKw = (one.electricalW * uv.lampCount) / 1000;
  const validated = dose.redMjCm2 === null ? null : dose.redMjCm2 / params.compliance.validationFactor;
  return {
    lampsOn,
    uvcPowerW: uvcMw / 1000,
    lampPowerKw,
    ageFactor: one.ageFactor,
    temperatureFactor: one.temperatureFactor,
    warmupFactor: one.warmupFactor,
    absorbancePerCm: dose.alphaPerCm / Math.LN10,
    alphaPerCm: dose.alphaPerCm,
    avgFluenceRateMwCm2: dose.avgFluenceRateMwCm2,
    residenceTimeS: dose.residenceTimeS,
    avgDoseMjCm2: dose.avgDoseMjCm2,
    redMjCm2: dose.redMjCm2,
    validatedDoseMjCm2: validated,
    logCredit: validated === null ? null : logCredit(params.compliance.targetOrganism, validated),
    sensorIntensityWm2: sensorIntensityWm2(uv.geometry, uvcMw, levers.uvtPct, levers.windowFactor ?? 1),
    uvSpecificEnergyKwhM3: flowM3h > 1e-9 ? lampPowerKw / flowM3h : null,
  };
}

/** Off-spec conditions of domain.md §5.2 for one steady state. */
export function offSpecReasons(params: UnitParams, levers: Levers, hydraulic: HydraulicOutcome, uv: UvOutcome): OffSpecReason[] {
  const c = params.compliance;
  const reasons: OffSpecReason[] = [];
  if (!uv.lampsOn) reasons.push("lamp_off");
  else if (uv.warmupFactor < 0.95) reasons.push("warming_up");
  if (c.sensorSetpointWm2 !== undefined && uv.sensorIntensityWm2 < c.sensorSetpointWm2) reasons.push("sensor_below_setpoint");
  if (uv.validatedDoseMjCm2 !== null && uv.validatedDoseMjCm2 < c.requiredDoseMjCm2) reasons.push("dose_below_required");
  if (c.maxFlowM3h !== undefined && hydraulic.flowM3h > c.maxFlowM3h) reasons.push("flow_above_max");
  if (c.minUvtPct !== undefined && levers.uvtPct < c.minUvtPct) reasons.push("uvt_below_min");
  return reasons;
}

/** Everything at once: the operating point, filters, power, UV dose and compliance flags. */
export function solveOperatingPoint(params: UnitParams, levers: Levers): UnitOutcome {
  const hydraulic = solveHydraulics(params, levers);
  const uv = solveUv(params, levers, hydraulic.flowM3h);
  const totalPowerKw = hydraulic.pumpPowerKw + uv.lampPowerKw + params.auxiliaryPowerKw;
  const reasons = offSpecReasons(params, levers, hydraulic, uv);
  return {
    ...hydraulic,
    uv,
    totalPowerKw,
    specificEnergyKwhM3: hydraulic.flowM3h > 1e-9 ? totalPowerKw / hydraulic.flowM3h : null,
    compliance: {
      onSpec: reasons.length === 0,
      reasons,
      doseRatio: uv.validatedDoseMjCm2 === null ? null : uv.validatedDoseMjCm2 / params.compliance.requiredDoseMjCm2,
    },
  };
}

/**
 * k_cal that reproduces a nameplate rating, e.g. 40 mJ/cm² at rated flow, minimum UVT, end-of-life
 * lamp and design fouling (domain.md §1.4): k_cal = dose / (D_avg·e^(−γαd)).
 */
export function calibrateKCal(
  uv: Omit<UvParams, "kCal">,
  anchor: { doseMjCm2: number; flowM3h: number; uvtPct: number; ageFactor: number; fouling: number; waterTempC?: number },
): number {
  const lamp = uv.lamp;
  const tempFactor = anchor.waterTempC === undefined ? 1 : lampUvcPower(lamp, { on: true, hours: 0 }, anchor.waterTempC, 1).temperatureFactor;
  const uvcMw = lamp.powerW * uv.lampCount * lamp.etaUvc * anchor.ageFactor * anchor.fouling * uv.sleeveTransmittance * tempFactor * 1000;
  const dose = reactorDose(uv.geometry, uvcMw, anchor.uvtPct, anchor.flowM3h, { kCal: 1, gamma: uv.gamma });
  const d = uv.geometry.r2Cm - uv.geometry.r1Cm;
  return anchor.doseMjCm2 / ((dose.avgDoseMjCm2 ?? NaN) * Math.exp(-uv.gamma * absorptionCoefficient(anchor.uvtPct) * d));
}

/** A system model's `twin` parameters (src/server/seed/demo-fleet.ts keys) as UnitParams. */
export interface TwinParameterOptions {
  /** Per-filter overrides, upstream first; the count sets the number of filters (default 1). */
  filters?: Partial<FilterParams>[];
  /** Lamps sharing `lampW` (default 1). */
  lampCount?: number;
  lampType?: LampParams["type"];
  compliance?: Partial<ComplianceParams>;
}

/**
 * Maps the seed's twin keys (h0M, qBepM3h, hBepM, etaBep, motorEta, vfdEta, hStaticM, kPipe, kUv,
 * rf0, dpTerminalBar, lampW = total lamp watts, etaUvc, eolFactor, sleeveT, kCal; optional kValve,
 * gamma, ratedLifeH, warmupTauMin, r1Cm, r2Cm, lengthCm, mcKg, meKg) onto UnitParams; missing keys
 * keep the §6.3 defaults.
 */
export function unitParamsFromTwin(twin: Readonly<Record<string, number>>, options: TwinParameterOptions = {}): UnitParams {
  const d = DEFAULT_UNIT_PARAMS;
  const num = (key: string, fallback: number): number => {
    const v = twin[key];
    return typeof v === "number" && Number.isFinite(v) ? v : fallback;
  };
  const lampCount = Math.max(1, options.lampCount ?? 1);
  const baseFilter: FilterParams = {
    rf0: num("rf0", d.filters[0]?.rf0 ?? 0.15),
    mcKg: num("mcKg", d.filters[0]?.mcKg ?? 6),
    meKg: num("meKg", d.filters[0]?.meKg ?? 12),
    dpTerminalBar: num("dpTerminalBar", d.filters[0]?.dpTerminalBar ?? 1),
  };
  const filters = (options.filters ?? [{}]).map((f) => ({ ...baseFilter, ...f }));
  const lampType = options.lampType ?? d.uv.lamp.type;
  return {
    pump: {
      ...d.pump,
      h0M: num("h0M", d.pump.h0M),
      qBepM3h: num("qBepM3h", d.pump.qBepM3h),
      hBepM: num("hBepM", d.pump.hBepM),
      etaBep: num("etaBep", d.pump.etaBep),
      motorEta: num("motorEta", d.pump.motorEta),
      vfdEta: num("vfdEta", d.pump.vfdEta),
    },
    hydraulics: {
      hStaticM: num("hStaticM", d.hydraulics.hStaticM),
      kPipe: num("kPipe", d.hydraulics.kPipe),
      kValve: num("kValve", d.hydraulics.kValve),
      kUv: num("kUv", d.hydraulics.kUv),
    },
    filters,
    uv: {
      lamp: {
        ...d.uv.lamp,
        type: lampType,
        powerW: num("lampW", d.uv.lamp.powerW * lampCount) / lampCount,
        etaUvc: num("etaUvc", d.uv.lamp.etaUvc),
        eolFactor: num("eolFactor", d.uv.lamp.eolFactor),
        ratedLifeH: num("ratedLifeH", lampType === "amalgam" ? 12_000 : 9_000),
        warmupTauMin: num("warmupTauMin", lampType === "amalgam" ? 3 : 0.75),
      },
      lampCount,
      geometry: {
        r1Cm: num("r1Cm", d.uv.geometry.r1Cm),
        r2Cm: num("r2Cm", d.uv.geometry.r2Cm),
        lengthCm: num("lengthCm", d.uv.geometry.lengthCm),
      },
      sleeveTransmittance: num("sleeveT", d.uv.sleeveTransmittance),
      kCal: num("kCal", d.uv.kCal),
      gamma: num("gamma", d.uv.gamma),
    },
    compliance: { ...d.compliance, ...options.compliance },
    auxiliaryPowerKw: num("auxKw", d.auxiliaryPowerKw),
  };
}
