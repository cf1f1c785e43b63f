// The validated dose over one lever's range, the other levers held: the data of the what-if chart.
// The same physics as the figures (src/lib/physics), computed in the browser.
import { solveOperatingPoint, type UnitParams } from "@/lib/physics";
import { toPhysicsLevers, type LeverSpec, type TwinLevers } from "@/lib/twin/levers";

export interface SweepCurve {
  label: string;
  unit: string;
  digits: number;
  x: number[];
  /** validated dose at each x; null where no water flows */
  dose: (number | null)[];
  required: number;
  /** the slider's value */
  current: number;
  /** where the dose crosses the required dose, in words */
  limitText: string;
}

export const SWEEP_POINTS = 41;

function crossing(x: readonly number[], dose: readonly (number | null)[], required: number): { at: number; offAbove: boolean } | null {
  for (let i = 1; i < x.length; i++) {
    const a = dose[i - 1];
    const b = dose[i];
    if (a == null || b == null) continue;
    if ((a >= required) !== (b >= required)) {
      const t = (required - a) / (b - a);
      return { at: x[i - 1]! + t * (x[i]! - x[i - 1]!), offAbove: a >= required };
    }
  }
  return null;
}

export function sweepCurve(params: UnitParams, levers: TwinLevers, spec: LeverSpec): SweepCurve {
  const x: number[] = [];
  const dose: (number | null)[] = [];
  for (let i = 0; i < SWEEP_POINTS; i++) {
    const v = spec.min + ((spec.max - spec.min) * i) / (SWEEP_POINTS - 1);
    const outcome = solveOperatingPoint(params, toPhysicsLevers({ ...levers, [spec.key]: v }));
    x.push(v);
    dose.push(outcome.flowM3h > 1e-6 ? outcome.uv.validatedDoseMjCm2 : null);
  }
  const required = params.compliance.requiredDoseMjCm2;
  const cross = crossing(x, dose, required);
  const fmt = (v: number) => `${v.toFixed(spec.digits)}${spec.unit ? ` ${spec.unit}` : ""}`;
  const label = spec.label;
  let limitText: string;
  if (cross) {
    limitText = `The dose falls below the required ${required} mJ/cm² ${cross.offAbove ? "above" : "below"} ${label.toLowerCase()} ${fmt(cross.at)}, the other levers as set.`;
  } else {
    const any = dose.filter((d): d is number => d !== null);
    limitText =
      any.length === 0
        ? "No water flows over this range with the other levers as set."
        : any.every((d) => d >= required)
          ? `The dose stays above the required ${required} mJ/cm² over the whole range of ${label.toLowerCase()}.`
          : `The dose stays below the required ${required} mJ/cm² over the whole range of ${label.toLowerCase()}.`;
  }
  return { label, unit: spec.unit, digits: spec.digits, x, dose, required, current: levers[spec.key], limitText };
}
