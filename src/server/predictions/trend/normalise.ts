/**
 * Filter ΔP at the reference flow and 20 °C, so the trend sees clogging rather than a busy hour or a
 * cold day. Laminar flow through the media gives ΔP ∝ Q·μ(T) (domain.md §3.1):
 *   ΔP_ref = ΔP · (Q_ref/Q) · μ(20 °C)/μ(T).  Pure.
 */
import { viscosityRatio } from "@/lib/physics";

/** Below this flow [m³/h] an hour says nothing about the cartridge (same threshold as the model's running filter). */
export const MIN_FLOW_M3H = 0.5;
/**
 * Nor below this share of the reference flow: scaling up by Q_ref/Q also scales the gauge's offset
 * and noise (±0.01 bar at a tenth of the flow is already ±0.1 bar, a tenth of the 1 bar limit).
 */
export const MIN_FLOW_SHARE = 0.1;
// The Vogel form holds for liquid water; a reading outside this range is a faulty probe, not a cold day.
const MIN_TEMP_C = 0;
const MAX_TEMP_C = 60;

/**
 * ΔP [bar] at `refFlowM3h` and 20 °C; null when the flow is too low (or not a number) to learn from.
 * A missing or implausible water temperature leaves ΔP uncorrected for temperature.
 */
export function normaliseFilterDp(dpBar: number, flowM3h: number, waterTempC: number | null, refFlowM3h: number): number | null {
  if (!(Number.isFinite(refFlowM3h) && refFlowM3h > 0)) {
    throw new Error(`normaliseFilterDp: the reference flow must be above 0 m³/h, got ${refFlowM3h}`);
  }
  if (!Number.isFinite(dpBar) || !Number.isFinite(flowM3h)) return null;
  if (flowM3h <= Math.max(MIN_FLOW_M3H, MIN_FLOW_SHARE * refFlowM3h)) return null;
  const usableTemp = waterTempC !== null && Number.isFinite(waterTempC) && waterTempC >= MIN_TEMP_C && waterTempC <= MAX_TEMP_C;
  const viscosity = usableTemp ? viscosityRatio(waterTempC) : 1;
  return (dpBar * (refFlowM3h / flowM3h)) / viscosity;
}
