// The setpoint optimiser of phase 4 (design.md "Autonomy"): which pump speed and UV lamp power
// deliver the demand at the least energy per m³ while the validated dose, the validated limits and
// the pump's own limits hold. Pure and browser-safe: the control page shows the same suggestion the
// server proposes and the worker sends, computed with the twin's physics (src/lib/physics).
import { solveHydraulics, solveOperatingPoint, solveUv, type HydraulicOutcome, type UnitOutcome, type UnitParams } from "@/lib/physics";
import { toPhysicsLevers, type TwinLevers, type TwinLimit } from "@/lib/twin/levers";

export type SetpointKey = "pump_speed" | "uv_power";

export const SETPOINT_KEYS: readonly SetpointKey[] = ["pump_speed", "uv_power"];

export const SETPOINT_UNITS: Record<SetpointKey, "%"> = { pump_speed: "%", uv_power: "%" };

export const SETPOINT_LABELS: Record<SetpointKey, string> = { pump_speed: "Pump speed", uv_power: "UV lamp power" };

/** A validated safe range [%] (Setpoint.minSafe/maxSafe). */
export interface SafeRange {
  min: number;
  max: number;
}

/**
 * What the drives can do at all, whatever is validated: pump_speed 0..120 % of rated speed (the
 * metric catalogue's range), uv_power 30..100 % of lamp power (ballasts do not dim further; the
 * twin's dimming lever has the same range).
 */
export const SETPOINT_RANGES: Record<SetpointKey, SafeRange> = { pump_speed: { min: 0, max: 120 }, uv_power: { min: 30, max: 100 } };

/** Validated dose ≥ required × this by default: a margin for sensor and model error. */
export const DEFAULT_DOSE_MARGIN = 1.15;

/** Setpoints move in steps of 0.1 % (what a VFD and a ballast take); the search runs on those steps. */
export const SETPOINT_STEP_PCT = 0.1;

/** A setpoint that would move by less than this [percentage points] is left alone (no churn). */
export const SETPOINT_DEADBAND_PCT = 1;

/** A unit within this fraction of the best specific energy is already optimal. */
export const ALREADY_OPTIMAL_FRACTION = 0.01;

export interface OptimiseInput {
  /** The unit as it runs now: its parameters and live levers. */
  params: UnitParams;
  levers: TwinLevers;
  /** The flow the unit must keep delivering on average (the live flow, or the tank's demand). */
  demandM3h: number;
  /** Validated dose must stay ≥ required × margin (default 1.15). */
  doseMargin?: number;
  /** Validated safe ranges [%] (Setpoint.minSafe/maxSafe). */
  safe: Record<SetpointKey, SafeRange>;
  /**
   * Validated operating limits beyond those in `params.compliance` (OperatingLimit rows): flow_rate,
   * pump_pressure, filter_dp and uv_intensity are held too, since the setpoints move them.
   */
  limits?: readonly TwinLimit[];
}

export interface SetpointProposal {
  key: SetpointKey;
  unit: "%";
  current: number;
  value: number;
}

export interface OptimiseCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface OptimiseSavings {
  /** Total electrical power before − after [kW] (negative when the unit runs faster and shorter). */
  powerKw: number;
  /** Specific energy before − after [kWh/m³]; null without flow before or after. */
  specificEnergyKwhM3: number | null;
  /** The saving in specific energy as a percentage of before; null without flow before. */
  pct: number | null;
}

export interface OptimiseResult {
  feasible: boolean;
  /** Plain words when not feasible. */
  reason: string | null;
  /** Only keys whose value changes by ≥ 1 % (or that must change to stay on spec). */
  setpoints: SetpointProposal[];
  /** The levers after the proposed setpoints (the current ones when nothing changes). */
  levers: TwinLevers;
  before: UnitOutcome;
  after: UnitOutcome;
  savings: OptimiseSavings;
  /** Every constraint checked, with values: the audit of why. */
  checks: OptimiseCheck[];
}

/** The setpoint [%] a lever state stands for. */
export function setpointOf(levers: TwinLevers, key: SetpointKey): number {
  return key === "pump_speed" ? levers.speed * 100 : levers.dimming * 100;
}

/** The levers with some setpoints [%] applied. */
export function withSetpoints(levers: TwinLevers, values: Partial<Record<SetpointKey, number>>): TwinLevers {
  return {
    ...levers,
    filterLoad: [...levers.filterLoad],
    speed: values.pump_speed === undefined ? levers.speed : values.pump_speed / 100,
    dimming: values.uv_power === undefined ? levers.dimming : values.uv_power / 100,
  };
}

const fmt = (x: number, digits: number) => x.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
const pct = (x: number) => `${fmt(x, 1)} %`;
const rangeText = (r: SafeRange) => `${fmt(r.min, 1)}–${fmt(r.max, 1)} %`;
/** Float noise must not turn an exactly met constraint into a failed one. */
const TOLERANCE = 1e-9;
const atLeast = (value: number, bound: number) => value >= bound - TOLERANCE * Math.max(1, Math.abs(bound));
const atMost = (value: number, bound: number) => value <= bound + TOLERANCE * Math.max(1, Math.abs(bound));
/** Steps of 0.1 % as integers (k ↔ k/10 %), so grid values are exact. */
const STEPS_PER_PCT = 1 / SETPOINT_STEP_PCT;

interface Context {
  input: OptimiseInput;
  params: UnitParams;
  margin: number;
  /** Required × margin [mJ/cm²]. */
  doseTarget: number;
  /** The safe ranges intersected with what the drives can do [%]. */
  range: Record<SetpointKey, SafeRange>;
  limits: readonly TwinLimit[];
}

function context(input: OptimiseInput): Context {
  const margin = input.doseMargin ?? DEFAULT_DOSE_MARGIN;
  const range = {} as Record<SetpointKey, SafeRange>;
  for (const key of SETPOINT_KEYS) {
    range[key] = { min: Math.max(input.safe[key].min, SETPOINT_RANGES[key].min), max: Math.min(input.safe[key].max, SETPOINT_RANGES[key].max) };
  }
  return { input, params: input.params, margin, doseTarget: input.params.compliance.requiredDoseMjCm2 * margin, range, limits: input.limits ?? [] };
}

const limitOf = (ctx: Context, metric: string) => ctx.limits.find((l) => l.metric === metric);

/** Hydraulic constraints at one speed: failing check names (empty when all hold). */
function hydraulicFailures(ctx: Context, h: HydraulicOutcome): string[] {
  const failed: string[] = [];
  const { demandM3h } = ctx.input;
  if (!atLeast(h.flowM3h, demandM3h)) failed.push("demand");
  if (h.deadHead || h.belowMinFlow) failed.push("pump minimum flow");
  const maxFlow = ctx.params.compliance.maxFlowM3h;
  if (maxFlow !== undefined && !atMost(h.flowM3h, maxFlow)) failed.push("validated maximum flow");
  const flowLimit = limitOf(ctx, "flow_rate");
  if (flowLimit?.max != null && !atMost(h.flowM3h, flowLimit.max)) failed.push("flow_rate limit");
  if (flowLimit?.min != null && !atLeast(h.flowM3h, flowLimit.min)) failed.push("flow_rate limit");
  const pressure = limitOf(ctx, "pump_pressure");
  if (pressure?.max != null && !atMost(h.dischargePressureBar, pressure.max)) failed.push("pump_pressure limit");
  if (pressure?.min != null && !atLeast(h.dischargePressureBar, pressure.min)) failed.push("pump_pressure limit");
  const dp = limitOf(ctx, "filter_dp");
  if (dp?.max != null && h.filters.some((f) => !atMost(f.dpBar, dp.max!))) failed.push("filter_dp limit");
  return failed;
}

/** The UV intensity the sensor must read at least [W/m²]: the validated setpoint or limit. */
function sensorFloor(ctx: Context): number | null {
  const floors = [ctx.params.compliance.sensorSetpointWm2, limitOf(ctx, "uv_intensity")?.min ?? undefined].filter((x): x is number => typeof x === "number");
  return floors.length > 0 ? Math.max(...floors) : null;
}

interface LampNeed {
  /** Lowest lamp power [%] on the 0.1 % grid that keeps dose and UV intensity; null when none in range. */
  uvPowerPct: number | null;
  /** Validated dose and sensor reading at 100 % lamp power. */
  doseAtFull: number | null;
  sensorAtFull: number;
  /** Lamp electrical power at 100 % [kW]. */
  lampKwAtFull: number;
}

/**
 * The least lamp power that keeps the validated dose ≥ target and the sensor ≥ its setpoint at a
 * flow. Closed form: P_UV, and so the RED and the sensor reading, are proportional to the lamp power
 * level (domain.md §1.4, §6.2 eq. 6), so the needed level is target / (value at 100 %).
 */
function lampNeed(ctx: Context, levers: TwinLevers, flowM3h: number): LampNeed {
  const full = solveUv(ctx.params, toPhysicsLevers({ ...levers, dimming: 1 }), flowM3h);
  const doseAtFull = full.validatedDoseMjCm2;
  const sensorAtFull = full.sensorIntensityWm2;
  const result = { doseAtFull, sensorAtFull, lampKwAtFull: full.lampPowerKw };
  if (!full.lampsOn || doseAtFull === null || !(doseAtFull > 0)) return { ...result, uvPowerPct: null };
  let need = ctx.doseTarget / doseAtFull;
  const floor = sensorFloor(ctx);
  if (floor !== null) need = Math.max(need, sensorAtFull > 0 ? floor / sensorAtFull : Infinity);
  const { min, max } = ctx.range.uv_power;
  const neededPct = Math.max(need * 100, min);
  // Up to the next 0.1 % step (the "− 1e-9" keeps an exact step from rounding up a whole step).
  let k = Math.ceil(neededPct * STEPS_PER_PCT - 1e-9);
  if (k / STEPS_PER_PCT > max) k = Math.floor(max * STEPS_PER_PCT + 1e-9);
  const value = k / STEPS_PER_PCT;
  return { ...result, uvPowerPct: atLeast(value, neededPct) && atMost(value, max) ? value : null };
}

/** Every constraint at one state, with its values (the audit trail of a proposal). */
function checksAt(ctx: Context, levers: TwinLevers, out: UnitOutcome): OptimiseCheck[] {
  const { params } = ctx;
  const c = params.compliance;
  const checks: OptimiseCheck[] = [];
  const speedPct = levers.speed * 100;
  const powerPct = levers.dimming * 100;
  for (const [key, value] of [
    ["pump_speed", speedPct],
    ["uv_power", powerPct],
  ] as const) {
    const safe = ctx.input.safe[key];
    const drive = SETPOINT_RANGES[key];
    const ok = atLeast(value, safe.min) && atMost(value, safe.max) && atLeast(value, drive.min) && atMost(value, drive.max);
    checks.push({ name: `${key} safe range`, ok, detail: `${SETPOINT_LABELS[key]} ${pct(value)} ${ok ? "is within" : "is outside"} the safe range ${rangeText(safe)}.` });
  }
  const demand = ctx.input.demandM3h;
  checks.push({
    name: "demand",
    ok: atLeast(out.flowM3h, demand),
    detail: `Flow ${fmt(out.flowM3h, 2)} m³/h ${atLeast(out.flowM3h, demand) ? "≥" : "<"} the demand of ${fmt(demand, 2)} m³/h.`,
  });
  const minFlow = params.pump.minFlowFraction * params.pump.qBepM3h * out.speed;
  checks.push({
    name: "pump minimum flow",
    ok: out.speed > 0 && !out.deadHead && !out.belowMinFlow,
    detail: out.deadHead
      ? `At ${pct(speedPct)} the pump cannot overcome the static head (dead head).`
      : `Flow ${fmt(out.flowM3h, 2)} m³/h ${out.belowMinFlow ? "<" : "≥"} the pump's minimum continuous flow of ${fmt(minFlow, 2)} m³/h at this speed.`,
  });
  if (c.maxFlowM3h !== undefined) {
    const ok = atMost(out.flowM3h, c.maxFlowM3h);
    checks.push({ name: "validated maximum flow", ok, detail: `Flow ${fmt(out.flowM3h, 2)} m³/h ${ok ? "≤" : ">"} the validated maximum of ${fmt(c.maxFlowM3h, 2)} m³/h.` });
  }
  const dose = out.uv.validatedDoseMjCm2;
  const doseOk = dose !== null && atLeast(dose, ctx.doseTarget);
  checks.push({
    name: "dose",
    ok: doseOk,
    detail:
      dose === null
        ? "No flow: the dose is undefined."
        : `Validated dose ${fmt(dose, 1)} mJ/cm² ${doseOk ? "≥" : "<"} ${fmt(ctx.doseTarget, 1)} mJ/cm² (required ${fmt(c.requiredDoseMjCm2, 1)} × margin ${fmt(ctx.margin, 2)}).`,
  });
  const floor = sensorFloor(ctx);
  if (floor !== null) {
    const ok = atLeast(out.uv.sensorIntensityWm2, floor);
    checks.push({ name: "UV intensity setpoint", ok, detail: `UV intensity ${fmt(out.uv.sensorIntensityWm2, 1)} W/m² ${ok ? "≥" : "<"} the validated setpoint of ${fmt(floor, 1)} W/m².` });
  }
  if (c.minUvtPct !== undefined) {
    const ok = atLeast(levers.uvtPct, c.minUvtPct);
    checks.push({ name: "validated minimum UVT", ok, detail: `UVT ${pct(levers.uvtPct)} ${ok ? "≥" : "<"} the validated minimum of ${pct(c.minUvtPct)} (not a setpoint: the water decides).` });
  }
  for (const limit of ctx.limits) {
    const add = (name: string, value: number, what: string, unit: string, digits: number, skipMax = false) => {
      if (limit.max !== null && !skipMax) {
        const ok = atMost(value, limit.max);
        checks.push({ name, ok, detail: `${what} ${fmt(value, digits)} ${unit} ${ok ? "≤" : ">"} the validated maximum of ${fmt(limit.max, digits)} ${unit}.` });
      }
      if (limit.min !== null) {
        const ok = atLeast(value, limit.min);
        checks.push({ name, ok, detail: `${what} ${fmt(value, digits)} ${unit} ${ok ? "≥" : "<"} the validated minimum of ${fmt(limit.min, digits)} ${unit}.` });
      }
    };
    // The validated maximum flow is usually this same limit (params.compliance): not listed twice.
    if (limit.metric === "flow_rate") add("flow_rate limit", out.flowM3h, "Flow", "m³/h", 2, limit.max === c.maxFlowM3h);
    else if (limit.metric === "pump_pressure") add("pump_pressure limit", out.dischargePressureBar, "Discharge pressure", "bar", 2);
    else if (limit.metric === "filter_dp" && limit.max !== null) {
      const worst = Math.max(0, ...out.filters.map((f) => f.dpBar));
      const ok = atMost(worst, limit.max);
      checks.push({ name: "filter_dp limit", ok, detail: `Highest filter pressure drop ${fmt(worst, 2)} bar ${ok ? "≤" : ">"} the validated maximum of ${fmt(limit.max, 2)} bar.` });
    }
  }
  const reasons = out.compliance.reasons;
  checks.push({
    name: "off-spec conditions",
    ok: reasons.length === 0 && out.flowM3h > 0,
    detail: reasons.length === 0 ? (out.flowM3h > 0 ? "No off-spec condition (domain.md §5.2)." : "No flow.") : `Off-spec: ${reasons.join(", ")}.`,
  });
  return checks;
}

function savingsOf(before: UnitOutcome, after: UnitOutcome): OptimiseSavings {
  const b = before.specificEnergyKwhM3;
  const a = after.specificEnergyKwhM3;
  return {
    powerKw: before.totalPowerKw - after.totalPowerKw,
    specificEnergyKwhM3: b !== null && a !== null ? b - a : null,
    pct: b !== null && a !== null && b > 0 ? ((b - a) / b) * 100 : null,
  };
}

/** The outcome, checks and savings of given setpoints [%] at the input's state (no search). */
export function evaluateSetpoints(
  input: OptimiseInput,
  values: Partial<Record<SetpointKey, number>>,
): { levers: TwinLevers; before: UnitOutcome; after: UnitOutcome; savings: OptimiseSavings; checks: OptimiseCheck[]; ok: boolean } {
  const ctx = context(input);
  const levers = withSetpoints(input.levers, values);
  const before = solveOperatingPoint(input.params, toPhysicsLevers(input.levers));
  const after = solveOperatingPoint(input.params, toPhysicsLevers(levers));
  const checks = checksAt(ctx, levers, after);
  return { levers, before, after, savings: savingsOf(before, after), checks, ok: checks.every((c) => c.ok) };
}

interface Candidate {
  speedPct: number;
  uvPowerPct: number;
  /** Total energy per delivered m³ [kWh/m³]. */
  sec: number;
}

/** The best feasible lamp power at one speed and its specific energy; null when infeasible there. */
function candidateAt(ctx: Context, speedPct: number): Candidate | null {
  const levers = withSetpoints(ctx.input.levers, { pump_speed: speedPct });
  const h = solveHydraulics(ctx.params, toPhysicsLevers(levers));
  if (!(h.flowM3h > 0) || hydraulicFailures(ctx, h).length > 0) return null;
  const need = lampNeed(ctx, levers, h.flowM3h);
  if (need.uvPowerPct === null) return null;
  // Lamp input is proportional to its power level, so the objective needs no second solve.
  const total = h.pumpPowerKw + need.lampKwAtFull * (need.uvPowerPct / 100) + ctx.params.auxiliaryPowerKw;
  return { speedPct, uvPowerPct: need.uvPowerPct, sec: total / h.flowM3h };
}

/** Coarse steps of the speed search [0.1 % steps]: 1 %. */
const COARSE = 10;

/**
 * The best speed on the 0.1 % grid of the safe range. Every constraint is monotone in the speed
 * (flow, pressure and filter ΔP rise with it, the dose per lamp watt falls), so the feasible speeds
 * form one interval, and the specific energy is smooth along it: a 1 % pass, then every 0.1 % step
 * around its best and around the interval's ends, finds the same point as a full 0.1 % scan at a
 * fifth of the cost. Without a feasible 1 % step the interval may be narrower than 1 %: full scan.
 */
function searchSpeed(ctx: Context): Candidate | null {
  const kMin = Math.ceil(ctx.range.pump_speed.min * STEPS_PER_PCT - 1e-9);
  const kMax = Math.floor(ctx.range.pump_speed.max * STEPS_PER_PCT + 1e-9);
  if (kMin > kMax) return null;
  const seen = new Map<number, Candidate | null>();
  const at = (k: number) => {
    if (!seen.has(k)) seen.set(k, candidateAt(ctx, k / STEPS_PER_PCT));
    return seen.get(k) ?? null;
  };
  // Held in an object: TypeScript does not see assignments made inside the closure.
  const found: { best: Candidate | null; k: number } = { best: null, k: -1 };
  const consider = (k: number) => {
    if (k < kMin || k > kMax) return;
    const cand = at(k);
    if (cand && (!found.best || cand.sec < found.best.sec)) {
      found.best = cand;
      found.k = k;
    }
  };
  const coarse: number[] = [];
  for (let k = kMin; k < kMax; k += COARSE) coarse.push(k);
  coarse.push(kMax);
  coarse.forEach(consider);
  if (!found.best) {
    for (let k = kMin; k <= kMax; k++) consider(k);
    return found.best;
  }
  const windows: [number, number][] = [[found.k - 2 * COARSE, found.k + 2 * COARSE]];
  for (let i = 1; i < coarse.length; i++) {
    const a = coarse[i - 1]!;
    const b = coarse[i]!;
    if ((at(a) === null) !== (at(b) === null)) windows.push([a, b]);
  }
  for (const [from, to] of windows) for (let k = from; k <= to; k++) consider(k);
  return found.best;
}

/** Why no speed works, in plain words (the first cause that explains it). */
function infeasibleReason(ctx: Context): string {
  const { input, params } = ctx;
  const c = params.compliance;
  const demand = input.demandM3h;
  if (!input.levers.lampOn) return "the UV lamps are off: no pump speed or lamp power makes the water safe until they are on again";
  if (c.minUvtPct !== undefined && input.levers.uvtPct < c.minUvtPct) {
    return `the UVT of ${pct(input.levers.uvtPct)} is below the validated minimum of ${pct(c.minUvtPct)}: no setpoint brings the water on-spec`;
  }
  if (!(demand > 0)) return "there is no demand flow to deliver";
  const speedRange = ctx.range.pump_speed;
  if (speedRange.min > speedRange.max) return `the pump speed safe range ${rangeText(input.safe.pump_speed)} leaves no speed the drive can run`;
  if (ctx.range.uv_power.min > ctx.range.uv_power.max) return `the UV lamp power safe range ${rangeText(input.safe.uv_power)} leaves no power level the ballast can run`;
  const maxFlow = Math.min(c.maxFlowM3h ?? Infinity, limitOf(ctx, "flow_rate")?.max ?? Infinity);
  if (demand > maxFlow) return `the demand of ${fmt(demand, 2)} m³/h is above the validated maximum flow of ${fmt(maxFlow, 2)} m³/h`;
  const top = solveHydraulics(params, toPhysicsLevers(withSetpoints(input.levers, { pump_speed: speedRange.max })));
  if (!atLeast(top.flowM3h, demand)) {
    return `the demand of ${fmt(demand, 2)} m³/h needs more than the pump delivers at its highest safe speed (${fmt(top.flowM3h, 2)} m³/h at ${pct(speedRange.max)})`;
  }
  // The lowest speed that meets the demand gives the most dose per lamp watt: if the lamp cannot
  // make the dose there, it cannot anywhere.
  let k = Math.ceil(speedRange.min * STEPS_PER_PCT - 1e-9);
  const kMax = Math.floor(speedRange.max * STEPS_PER_PCT + 1e-9);
  let lowest: HydraulicOutcome | null = null;
  for (; k <= kMax; k++) {
    const h = solveHydraulics(params, toPhysicsLevers(withSetpoints(input.levers, { pump_speed: k / STEPS_PER_PCT })));
    if (atLeast(h.flowM3h, demand)) {
      lowest = h;
      break;
    }
  }
  if (lowest) {
    const levers = withSetpoints(input.levers, { pump_speed: lowest.speed * 100 });
    const need = lampNeed(ctx, levers, lowest.flowM3h);
    const maxPower = ctx.range.uv_power.max;
    if (need.doseAtFull !== null && need.doseAtFull * (maxPower / 100) < ctx.doseTarget - TOLERANCE) {
      return `the dose cannot reach ${fmt(ctx.doseTarget, 1)} mJ/cm² at the demand flow even at ${maxPower >= 100 ? "full" : pct(maxPower)} lamp power (${fmt(need.doseAtFull * (maxPower / 100), 1)} mJ/cm² at ${fmt(lowest.flowM3h, 2)} m³/h)`;
    }
    const floor = sensorFloor(ctx);
    if (floor !== null && need.sensorAtFull * (maxPower / 100) < floor - TOLERANCE) {
      return `the UV intensity cannot reach its validated setpoint of ${fmt(floor, 1)} W/m² even at ${maxPower >= 100 ? "full" : pct(maxPower)} lamp power`;
    }
    const failed = hydraulicFailures(ctx, lowest);
    if (failed.length > 0) return `no pump speed in the safe range ${rangeText(input.safe.pump_speed)} meets the demand within the limits (${failed.join(", ")})`;
  }
  return `no pump speed in the safe range ${rangeText(input.safe.pump_speed)} and lamp power in ${rangeText(input.safe.uv_power)} meets every constraint`;
}

/**
 * Optimal setpoints: minimise the total specific energy (pump + lamps + auxiliaries)/flow over the
 * pump speed, with the least lamp power that keeps the validated dose ≥ required × margin at each
 * speed, subject to: flow ≥ demand (a unit with a tank may run faster and for less time: the
 * constraint is the average demand, domain.md §2.1 "large static head" makes that pay), the pump's
 * minimum continuous flow, the validated limits and no off-spec condition (domain.md §5.2), and the
 * safe ranges. The speed is searched on the 0.1 % steps the setpoints are sent in (searchSpeed), so
 * the optimum is the best of what can be sent; a few milliseconds per call. When the current point
 * is within 1 % of that optimum, or every change would be under 1 %, nothing is proposed.
 */
export function optimiseSetpoints(input: OptimiseInput): OptimiseResult {
  const ctx = context(input);
  const current = input.levers;
  const before = solveOperatingPoint(input.params, toPhysicsLevers(current));
  const currentChecks = checksAt(ctx, current, before);
  const infeasible = (reason: string): OptimiseResult => ({
    feasible: false,
    reason,
    setpoints: [],
    levers: current,
    before,
    after: before,
    savings: savingsOf(before, before),
    checks: [...currentChecks, { name: "feasible", ok: false, detail: `No setpoints: ${reason}.` }],
  });

  const minUvt = input.params.compliance.minUvtPct;
  // What no setpoint can change ends the search before it starts.
  if (!current.lampOn || !(input.demandM3h > 0) || !Number.isFinite(input.demandM3h) || (minUvt !== undefined && current.uvtPct < minUvt)) {
    return infeasible(infeasibleReason(ctx));
  }
  const speedRange = ctx.range.pump_speed;
  const best = searchSpeed(ctx);
  if (!best) return infeasible(infeasibleReason(ctx));

  const search = `Searched pump speeds ${rangeText(speedRange)} in ${fmt(SETPOINT_STEP_PCT, 1)} % steps, each with the least lamp power that keeps the dose.`;
  const currentSpeed = setpointOf(current, "pump_speed");
  const currentPower = setpointOf(current, "uv_power");
  const secNow = before.specificEnergyKwhM3;
  const currentOk = currentChecks.every((c) => c.ok);
  const unchanged = (detail: string): OptimiseResult => ({
    feasible: true,
    reason: null,
    setpoints: [],
    levers: current,
    before,
    after: before,
    savings: savingsOf(before, before),
    checks: [...currentChecks, { name: "optimum", ok: true, detail }],
  });
  if (currentOk && secNow !== null && secNow <= best.sec * (1 + ALREADY_OPTIMAL_FRACTION)) {
    return unchanged(
      `Already optimal: ${fmt(secNow, 4)} kWh/m³ now, the best is ${fmt(best.sec, 4)} kWh/m³ at ${pct(best.speedPct)} speed and ${pct(best.uvPowerPct)} lamp power (within ${fmt(ALREADY_OPTIMAL_FRACTION * 100, 0)} %). ${search}`,
    );
  }

  // Small moves are not worth a command: keep a setpoint whose change is under the deadband, as
  // long as the unit stays within every constraint with it.
  let speedPct = best.speedPct;
  let powerPct = best.uvPowerPct;
  if (Math.abs(best.speedPct - currentSpeed) < SETPOINT_DEADBAND_PCT) {
    const keep = candidateAt(ctx, currentSpeed);
    if (keep && atLeast(currentSpeed, speedRange.min) && atMost(currentSpeed, speedRange.max)) {
      speedPct = currentSpeed;
      powerPct = keep.uvPowerPct;
    }
  }
  if (Math.abs(powerPct - currentPower) < SETPOINT_DEADBAND_PCT && powerPct <= currentPower && atMost(currentPower, ctx.range.uv_power.max)) {
    powerPct = currentPower;
  }
  const levers = withSetpoints(current, { pump_speed: speedPct, uv_power: powerPct });
  const after = solveOperatingPoint(input.params, toPhysicsLevers(levers));
  const checks = checksAt(ctx, levers, after);
  if (!checks.every((c) => c.ok)) {
    // The search and the full model disagree: a bug, never a reason to send a command.
    const failed = checks.filter((c) => !c.ok).map((c) => c.detail);
    return infeasible(`the chosen point fails a check of the full model (${failed.join(" ")})`);
  }
  const setpoints: SetpointProposal[] = [];
  if (speedPct !== currentSpeed) setpoints.push({ key: "pump_speed", unit: "%", current: currentSpeed, value: speedPct });
  if (powerPct !== currentPower) setpoints.push({ key: "uv_power", unit: "%", current: currentPower, value: powerPct });
  if (setpoints.length === 0) {
    return unchanged(`Already optimal: the best point (${pct(best.speedPct)} speed, ${pct(best.uvPowerPct)} lamp power) is within ${fmt(SETPOINT_DEADBAND_PCT, 0)} % of the current setpoints. ${search}`);
  }
  const savings = savingsOf(before, after);
  const secAfter = after.specificEnergyKwhM3;
  checks.push({
    name: "optimum",
    ok: true,
    detail: `${secNow === null ? "No flow now" : `${fmt(secNow, 4)} kWh/m³ now`} → ${secAfter === null ? "no flow" : `${fmt(secAfter, 4)} kWh/m³`}${currentOk ? "" : ` (now failing: ${currentChecks.filter((c) => !c.ok).map((c) => c.name).join(", ")}; the proposal restores it)`}. ${search}`,
  });
  return { feasible: true, reason: null, setpoints, levers, before, after, savings, checks };
}
