// What-if simulation of one system (design.md "Digital twin"): the levers through the same
// steady-state model the browser's sliders run (src/lib/physics via src/lib/twin/levers.ts), with
// plain-language warnings, and sweeps of one lever for the UI's charts.
import { solveOperatingPoint, type UnitOutcome } from "@/lib/physics";
import { leverSpec, outcomeWarnings, toPhysicsLevers, type ScalarLeverKey, type TwinLevers } from "@/lib/twin/levers";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import type { Scope } from "@/server/scope";
import { loadTwinSystem, type TwinSystem } from "./load-twin-system";

export interface TwinSimulation {
  outcome: UnitOutcome;
  warnings: string[];
}

/** The key figures of an outcome: what the sweep charts and the scenario list show. */
export interface OutcomeFigures {
  flowM3h: number;
  /** RED / VF [mJ/cm²]; null without flow. */
  validatedDoseMjCm2: number | null;
  sensorIntensityWm2: number;
  totalPowerKw: number;
  specificEnergyKwhM3: number | null;
  dischargePressureBar: number;
  filterDpTotalBar: number;
  onSpec: boolean;
}

export function outcomeFigures(outcome: UnitOutcome): OutcomeFigures {
  return {
    flowM3h: outcome.flowM3h,
    validatedDoseMjCm2: outcome.uv.validatedDoseMjCm2,
    sensorIntensityWm2: outcome.uv.sensorIntensityWm2,
    totalPowerKw: outcome.totalPowerKw,
    specificEnergyKwhM3: outcome.specificEnergyKwhM3,
    dischargePressureBar: outcome.dischargePressureBar,
    filterDpTotalBar: outcome.filterDpTotalBar,
    onSpec: outcome.compliance.onSpec,
  };
}

/** Refuses levers that do not describe this system's filters (the model would treat the rest as clean). */
export function checkLeversFit(twin: Pick<TwinSystem, "code" | "filterCodes">, levers: TwinLevers): void {
  const expected = twin.filterCodes.length;
  if (levers.filterLoad.length !== expected) {
    const which = expected === 0 ? "no filters" : `${expected} filter${expected === 1 ? "" : "s"} (${twin.filterCodes.join(", ")})`;
    throw new AppError(
      "BAD_REQUEST",
      `System ${twin.code} has ${which}: filterLoad needs ${expected} value${expected === 1 ? "" : "s"}, one per filter, but ${levers.filterLoad.length} ${levers.filterLoad.length === 1 ? "was" : "were"} sent.`,
      { field: "levers.filterLoad", expected },
    );
  }
}

/** The outcome and warnings of one set of levers on a loaded system. */
export function simulateLevers(twin: TwinSystem, levers: TwinLevers): TwinSimulation {
  checkLeversFit(twin, levers);
  const outcome = solveOperatingPoint(twin.params, toPhysicsLevers(levers));
  return { outcome, warnings: outcomeWarnings(twin.params, levers, outcome, twin.limits, twin.filterCodes) };
}

export async function simulateTwin(db: Db, scope: Scope, code: string, levers: TwinLevers): Promise<TwinSimulation> {
  return simulateLevers(await loadTwinSystem(db, scope, code), levers);
}

export const MIN_SWEEP_STEPS = 2;
export const MAX_SWEEP_STEPS = 200;

export interface SweepInput {
  levers: TwinLevers;
  lever: ScalarLeverKey;
  from: number;
  to: number;
  steps: number;
}

export interface TwinSweep {
  lever: ScalarLeverKey;
  points: (OutcomeFigures & { value: number })[];
}

/**
 * The key figures at `steps` evenly spaced values of one lever from `from` to `to` (both included),
 * the other levers as given.
 */
export function sweepLevers(twin: TwinSystem, input: SweepInput): TwinSweep {
  const { lever, from, to, steps } = input;
  const spec = leverSpec(lever);
  if (!Number.isInteger(steps) || steps < MIN_SWEEP_STEPS || steps > MAX_SWEEP_STEPS) {
    throw new AppError("BAD_REQUEST", `A sweep has ${MIN_SWEEP_STEPS} to ${MAX_SWEEP_STEPS} steps; ${steps} were asked for.`, { field: "steps" });
  }
  for (const [field, value] of [["from", from], ["to", to]] as const) {
    if (!(value >= spec.min && value <= spec.max)) {
      throw new AppError("BAD_REQUEST", `The sweep's ${field} value for ${spec.label} (${lever}) must be from ${spec.min} to ${spec.max} ${spec.unit}; got ${value}.`, { field });
    }
  }
  checkLeversFit(twin, input.levers);
  const points: TwinSweep["points"] = [];
  for (let i = 0; i < steps; i++) {
    // The last point is exactly `to` (no rounding drift past the range).
    const value = i === steps - 1 ? to : from + ((to - from) * i) / (steps - 1);
    const outcome = solveOperatingPoint(twin.params, toPhysicsLevers({ ...input.levers, [lever]: value }));
    points.push({ value, ...outcomeFigures(outcome) });
  }
  return { lever, points };
}

export async function sweepTwin(db: Db, scope: Scope, code: string, input: SweepInput): Promise<TwinSweep> {
  return sweepLevers(await loadTwinSystem(db, scope, code), input);
}
