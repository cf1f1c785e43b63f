// UV reactor: lamp output (ageing, temperature, warm-up), sleeve and fouling, and the radial
// line-source model of an annular reactor with Beer–Lambert attenuation (domain.md §1.4–1.5, §6.2 eq. 6).
// Units follow the doc: lengths in cm, UV power in mW, fluence rate in mW/cm², dose in mJ/cm²;
// the sensor reading is returned in W/m² (the catalogue unit; 1 mW/cm² = 10 W/m²).
import { absorptionCoefficient, m3hToCm3s } from "./water";

export type LampType = "amalgam" | "low-pressure";

export interface LampParams {
  type: LampType;
  /** Electrical lamp power [W]. */
  powerW: number;
  /** UV-C (254 nm) output per electrical watt [-] (0.30–0.35, estimate). */
  etaUvc: number;
  /** Rated life h_EOL [h] (12,000 amalgam, 9,000 standard LP). */
  ratedLifeH: number;
  /** f_age at h_EOL (EOLL factor, 0.8–0.9). */
  eolFactor: number;
  /** Early burn-in drop a1 [-] (≈ 0.05) with time constant τ1 [h] (≈ 100). */
  burnInDrop: number;
  burnInTauH: number;
  /** Warm-up time constant τ_w [min] (0.5–1 standard LP, 2–5 amalgam). */
  warmupTauMin: number;
  /** Ballast efficiency [-]: electrical input = lamp power / η (estimate 0.9). */
  ballastEta: number;
}

export interface ReactorGeometry {
  /** Quartz sleeve outer radius r1 [cm]. */
  r1Cm: number;
  /** Vessel wall radius r2 [cm]. */
  r2Cm: number;
  /** Arc length L [cm]. */
  lengthCm: number;
  /** Water path from sleeve to sensor window d_s [cm]; defaults to d = r2 − r1. */
  sensorPathCm?: number;
}

/** Lowest f_age we report (a lamp far past its life still glows). */
const MIN_AGE_FACTOR = 0.3;

/**
 * f_age(h) = 1 − a1·(1 − e^(−h/τ1)) − a2·(h/h_EOL), with a2 chosen so that f_age(h_EOL) = EOLL
 * (domain.md §1.5, estimate). Monotone non-increasing in h.
 */
export function lampAgeFactor(p: Pick<LampParams, "ratedLifeH" | "eolFactor" | "burnInDrop" | "burnInTauH">, hours: number): number {
  const h = Math.max(0, hours);
  const a2 = 1 - p.eolFactor - p.burnInDrop * (1 - Math.exp(-p.ratedLifeH / p.burnInTauH));
  const f = 1 - p.burnInDrop * (1 - Math.exp(-h / p.burnInTauH)) - a2 * (h / p.ratedLifeH);
  return Math.max(MIN_AGE_FACTOR, f);
}

/**
 * Output vs water temperature (fits in domain.md §1.5): amalgam ±10 % between 5 and 50 °C about
 * 20 °C; standard LP optimum at 22 °C, down to 50 % for very cold or hot water.
 */
export function lampTemperatureFactor(type: LampType, waterTempC: number): number {
  if (type === "amalgam") return Math.min(1.1, Math.max(0.9, 1 + 0.004 * (waterTempC - 20)));
  const x = (waterTempC - 22) / 20;
  return Math.max(0.5, 1 - 0.5 * x * x);
}

/** f_warm = 1 − exp(−t/τ_w) for a lamp switched on `minutesOn` ago (Infinity: fully warm). */
export function lampWarmupFactor(warmupTauMin: number, minutesOn: number): number {
  if (minutesOn <= 0) return 0;
  if (!Number.isFinite(minutesOn)) return 1;
  return 1 - Math.exp(-minutesOn / warmupTauMin);
}

export interface LampState {
  /** Lamp on (and its ballast working). */
  on: boolean;
  /** Operating hours of this lamp [h]. */
  hours: number;
  /** Dimming level [-] (1 = full power). */
  dimming?: number;
  /** Minutes since the lamp struck; omitted = fully warm. */
  minutesOn?: number;
  /** Sleeve fouling factor f_foul [-] (1 = clean). */
  fouling?: number;
  /** Further multiplicative factor, e.g. lamp-to-lamp spread or a fault (1 = none). */
  extraFactor?: number;
}

export interface UvcPowerBreakdown {
  /** UV-C power into the water [mW]. */
  uvcMw: number;
  ageFactor: number;
  temperatureFactor: number;
  warmupFactor: number;
  /** Electrical input of lamp + ballast [W]. */
  electricalW: number;
}

/** P_UV = P_el·dim·η_UVC·f_age·f_T·f_warm·T_sleeve·f_foul (domain.md §1.4, §6.2). */
export function lampUvcPower(p: LampParams, state: LampState, waterTempC: number, sleeveTransmittance: number): UvcPowerBreakdown {
  const ageFactor = lampAgeFactor(p, state.hours);
  const temperatureFactor = lampTemperatureFactor(p.type, waterTempC);
  if (!state.on) return { uvcMw: 0, ageFactor, temperatureFactor, warmupFactor: 0, electricalW: 0 };
  const dimming = state.dimming ?? 1;
  const warmupFactor = lampWarmupFactor(p.warmupTauMin, state.minutesOn ?? Infinity);
  const uvcW =
    p.powerW * dimming * p.etaUvc * ageFactor * temperatureFactor * warmupFactor * sleeveTransmittance * (state.fouling ?? 1) * (state.extraFactor ?? 1);
  return { uvcMw: uvcW * 1000, ageFactor, temperatureFactor, warmupFactor, electricalW: (p.powerW * dimming) / p.ballastEta };
}

/** (1 − e^(−αd))/α, with its limit d as α -> 0. */
function absorbedPathCm(alpha: number, d: number): number {
  return alpha < 1e-9 ? d : -Math.expm1(-alpha * d) / alpha;
}

export interface ReactorDose {
  /** Natural-log absorption coefficient α [1/cm]. */
  alphaPerCm: number;
  /** Volume-average fluence rate E_avg [mW/cm²]. */
  avgFluenceRateMwCm2: number;
  /** Hydraulic residence time [s]; null without flow. */
  residenceTimeS: number | null;
  /** Average dose D_avg = E_avg·t_HRT [mJ/cm²]; null without flow. */
  avgDoseMjCm2: number | null;
  /** RED ≈ k_cal·D_avg·e^(−γαd) [mJ/cm²]; null without flow. */
  redMjCm2: number | null;
}

/**
 * Closed-form volume-average fluence rate and dose of the annular reactor (domain.md §1.4):
 *   E_avg = P_UV(1 − e^(−αd))/(α·π(r2² − r1²)·L),  D_avg = P_UV(1 − e^(−αd))/(α·Q),
 *   RED ≈ k_cal·D_avg·e^(−γαd).
 */
export function reactorDose(
  geometry: ReactorGeometry,
  uvcMw: number,
  uvtPct: number,
  flowM3h: number,
  calibration: { kCal: number; gamma: number },
): ReactorDose {
  const { r1Cm, r2Cm, lengthCm } = geometry;
  const d = r2Cm - r1Cm;
  const alpha = absorptionCoefficient(uvtPct);
  const volumeCm3 = Math.PI * (r2Cm * r2Cm - r1Cm * r1Cm) * lengthCm;
  const absorbed = uvcMw * absorbedPathCm(alpha, d);
  const avgFluenceRate = absorbed / volumeCm3;
  const flowCm3s = m3hToCm3s(flowM3h);
  if (!(flowCm3s > 1e-9)) return { alphaPerCm: alpha, avgFluenceRateMwCm2: avgFluenceRate, residenceTimeS: null, avgDoseMjCm2: null, redMjCm2: null };
  const avgDose = absorbed / flowCm3s;
  return {
    alphaPerCm: alpha,
    avgFluenceRateMwCm2: avgFluenceRate,
    residenceTimeS: volumeCm3 / flowCm3s,
    avgDoseMjCm2: avgDose,
    redMjCm2: calibration.kCal * avgDose * Math.exp(-calibration.gamma * alpha * d),
  };
}

/**
 * Wall sensor reading S = (P_UV/L)/(2π r2)·e^(−α d_s)·f_window [mW/cm²], returned in W/m² (×10).
 * The sensor "sees" lamp output, sleeve, fouling and water UVT at once (domain.md §1.3 A).
 */
export function sensorIntensityWm2(geometry: ReactorGeometry, uvcMw: number, uvtPct: number, windowFactor = 1): number {
  const ds = geometry.sensorPathCm ?? geometry.r2Cm - geometry.r1Cm;
  const perLength = uvcMw / geometry.lengthCm;
  const mwCm2 = (perLength / (2 * Math.PI * geometry.r2Cm)) * Math.exp(-absorptionCoefficient(uvtPct) * ds) * windowFactor;
  return mwCm2 * 10;
}

/** Reference organisms of the UVDGM / LT2ESWTR dose table (domain.md §1.2). */
export type TargetOrganism = "cryptosporidium" | "giardia" | "virus";

const LOG_CREDITS = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4] as const;
/** Required dose [mJ/cm²] per log credit, LP lamps (40 CFR 141.720(d), [S1][S8]). */
export const UV_DOSE_TABLE: Readonly<Record<TargetOrganism, readonly number[]>> = {
  cryptosporidium: [1.6, 2.5, 3.9, 5.8, 8.5, 12, 15, 22],
  giardia: [1.5, 2.1, 3, 5.2, 7.7, 11, 15, 22],
  virus: [39, 58, 79, 100, 121, 143, 163, 186],
};

/**
 * Log-inactivation credit for a (validated) dose, interpolating linearly between table points
 * (domain.md §1.2). Below the 0.5-log dose no credit is given (conservative); capped at 4 log.
 */
export function logCredit(organism: TargetOrganism, doseMjCm2: number): number {
  const doses = UV_DOSE_TABLE[organism];
  const first = doses[0] ?? Infinity;
  if (!(doseMjCm2 >= first)) return 0;
  for (let i = 1; i < doses.length; i++) {
    const hi = doses[i] ?? Infinity;
    if (doseMjCm2 < hi) {
      const lo = doses[i - 1] ?? 0;
      const l0 = LOG_CREDITS[i - 1] ?? 0;
      const l1 = LOG_CREDITS[i] ?? 0;
      return l0 + ((doseMjCm2 - lo) / (hi - lo)) * (l1 - l0);
    }
  }
  return LOG_CREDITS[LOG_CREDITS.length - 1] ?? 4;
}

/** The dose [mJ/cm²] required for a log credit (inverse of logCredit, same interpolation). */
export function requiredDoseForLogCredit(organism: TargetOrganism, credit: number): number {
  const doses = UV_DOSE_TABLE[organism];
  if (credit <= LOG_CREDITS[0]) return doses[0] ?? 0;
  for (let i = 1; i < LOG_CREDITS.length; i++) {
    const l1 = LOG_CREDITS[i] ?? 0;
    if (credit <= l1) {
      const l0 = LOG_CREDITS[i - 1] ?? 0;
      const d0 = doses[i - 1] ?? 0;
      const d1 = doses[i] ?? 0;
      return d0 + ((credit - l0) / (l1 - l0)) * (d1 - d0);
    }
  }
  return doses[doses.length - 1] ?? Infinity;
}
