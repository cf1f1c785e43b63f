// Cartridge / media filter pressure drop with clogging (domain.md §3.1, simulator form):
//   ΔP_f = R_f(M)·μ(T)/μ(20 °C)·Q,   R_f(M) = R_f0·(1 + M/M_c)·exp(M/M_e),   M = ∫ TSS·Q dt
import { headToBar, viscosityRatio } from "./water";

export interface FilterParams {
  /** Clean resistance at 20 °C [m of head per m³/h] (default 0.15 -> ≈ 0.15 bar at 10 m³/h). */
  rf0: number;
  /** Mass scale of the linear (cake) term [kg] (estimate). */
  mcKg: number;
  /** Mass scale of the exponential (pore-blocking) term [kg] (estimate). */
  meKg: number;
  /** Terminal ΔP at which the element is changed or backwashed [bar] (1.0 bar = 15 psi, [F1]). */
  dpTerminalBar: number;
}

/** R_f(M)/R_f0 [-] for a deposited mass [kg]. */
export function filterResistanceFactor(p: Pick<FilterParams, "mcKg" | "meKg">, massKg: number): number {
  const m = Math.max(0, massKg);
  return (1 + m / p.mcKg) * Math.exp(m / p.meKg);
}

/** The deposited mass [kg] that gives R_f/R_f0 = factor (inverse of filterResistanceFactor). */
export function massForResistanceFactor(p: Pick<FilterParams, "mcKg" | "meKg">, factor: number): number {
  if (factor <= 1) return 0;
  // The factor is strictly increasing in M: bisection is robust and cheap enough for sliders.
  let lo = 0;
  let hi = p.mcKg;
  while (filterResistanceFactor(p, hi) < factor) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (filterResistanceFactor(p, mid) < factor) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Filter ΔP [bar] for resistance R_f [m/(m³/h)] at flow Q [m³/h] and water temperature T [°C]. */
export function filterDpBar(resistance: number, flowM3h: number, tempC: number): number {
  return headToBar(resistance * viscosityRatio(tempC) * flowM3h);
}
