// Booster pump with a VFD: quadratic curve with affinity laws, efficiency and electrical power
// (domain.md §2.1, §2.2, §6.2 equations 1 and 5).
import { GRAVITY, WATER_DENSITY } from "./water";

export interface PumpParams {
  /** Shut-off head at rated speed (s = 1) [m]. */
  h0M: number;
  /** Best-efficiency-point flow at rated speed [m³/h]. */
  qBepM3h: number;
  /** Head at the BEP at rated speed [m]; with h0M it fixes a_p = (H0 − H_BEP)/Q_BEP². */
  hBepM: number;
  /** Pump (hydraulic) efficiency at the BEP [-]. */
  etaBep: number;
  /** Motor efficiency [-] (IE3 2.2 kW ≈ 0.86, [P8]). */
  motorEta: number;
  /** VFD efficiency [-]. */
  vfdEta: number;
  /** Suction pressure (gauge) added to the pump head for the discharge reading [bar]. */
  suctionPressureBar: number;
  /** Minimum continuous flow as a fraction of Q_BEP (10–20 %, [P5]). */
  minFlowFraction: number;
  /**
   * Shaft power at shut-off (Q = 0) as a fraction of the BEP shaft power at the same speed
   * (estimate; keeps a dead-headed pump from showing zero power).
   */
  shutoffPowerFraction: number;
}

/** Efficiency never goes below this (domain.md §2.2 floor). */
export const MIN_PUMP_EFFICIENCY = 0.05;

/** a_p [m/(m³/h)²] of H_p = s²H0 − a_p·Q². */
export function pumpCurveCoefficient(p: Pick<PumpParams, "h0M" | "hBepM" | "qBepM3h">): number {
  return (p.h0M - p.hBepM) / (p.qBepM3h * p.qBepM3h);
}

/** Pump head [m] at flow Q [m³/h] and speed ratio s = n/n0 (affinity-consistent, §2.1). */
export function pumpHead(p: PumpParams, flowM3h: number, speed: number): number {
  return speed * speed * p.h0M - pumpCurveCoefficient(p) * flowM3h * flowM3h;
}

/** Pump efficiency [-]: parabola about Q_BEP·s, floored at 5 % (§2.2, estimate). */
export function pumpEfficiency(p: PumpParams, flowM3h: number, speed: number): number {
  if (speed <= 0) return MIN_PUMP_EFFICIENCY;
  const x = (flowM3h / speed - p.qBepM3h) / p.qBepM3h;
  return Math.max(MIN_PUMP_EFFICIENCY, p.etaBep * (1 - x * x));
}

/** Hydraulic power ρgQH [kW] (= Q[m³/h]·H[m]/367). */
export function hydraulicPowerKw(flowM3h: number, headM: number): number {
  return (WATER_DENSITY * GRAVITY * (flowM3h / 3600) * headM) / 1000;
}

export interface PumpPower {
  efficiency: number;
  hydraulicKw: number;
  shaftKw: number;
  /** Electrical input of the VFD [kW]. */
  electricalKw: number;
}

/** Power chain P_hyd -> P_shaft = P_hyd/η_p -> P_el = P_shaft/(η_m·η_VFD) at a running point. */
export function pumpPower(p: PumpParams, flowM3h: number, headM: number, speed: number): PumpPower {
  if (speed <= 0) return { efficiency: 0, hydraulicKw: 0, shaftKw: 0, electricalKw: 0 };
  const efficiency = pumpEfficiency(p, flowM3h, speed);
  const hydraulicKw = hydraulicPowerKw(flowM3h, Math.max(0, headM));
  // Shut-off floor: BEP shaft power scaled by s³ (affinity) times the shut-off fraction.
  const bepShaftKw = hydraulicPowerKw(p.qBepM3h, p.hBepM) / p.etaBep;
  const shaftKw = Math.max(hydraulicKw / efficiency, p.shutoffPowerFraction * bepShaftKw * speed ** 3);
  return { efficiency, hydraulicKw, shaftKw, electricalKw: shaftKw / (p.motorEta * p.vfdEta) };
}
