import { describe, expect, it } from "vitest";
import { solveOperatingPoint, unitParamsFromTwin, type UnitParams } from "@/lib/physics";
import { mulberry32 } from "@/lib/random";
import { toPhysicsLevers, type TwinLevers } from "@/lib/twin/levers";
import { evaluateSetpoints, optimiseSetpoints, SETPOINT_RANGES, type OptimiseInput, type SafeRange, type SetpointKey } from "./optimise";

// The AQ-UV10 of domain.md §6.3 (two cartridges, one 150 W amalgam lamp) with its validated limits.
const cartridge = { rf0: 0.15, mcKg: 6, meKg: 12, dpTerminalBar: 1 };
const TWIN = { h0M: 60, qBepM3h: 10, hBepM: 45, etaBep: 0.6, motorEta: 0.86, vfdEta: 0.96, hStaticM: 15, kPipe: 0.12, kUv: 0.02, rf0: 0.15, dpTerminalBar: 1, lampW: 150, etaUvc: 0.33, eolFactor: 0.85, sleeveT: 0.95, kCal: 1.2 };
const COMPLIANCE = { requiredDoseMjCm2: 40, maxFlowM3h: 12, minUvtPct: 85, sensorSetpointWm2: 48 };
const PARAMS: UnitParams = unitParamsFromTwin(TWIN, { filters: [cartridge, cartridge], lampCount: 1, lampType: "amalgam", compliance: COMPLIANCE });

const LEVERS: TwinLevers = { speed: 0.7, uvtPct: 95, waterTempC: 15, filterLoad: [1, 1], lampHours: 0, fouling: 1, dimming: 1, lampOn: true, hStaticM: 15, leakM3h: 0 };
const WIDE: Record<SetpointKey, SafeRange> = { pump_speed: { min: 30, max: 100 }, uv_power: { min: 30, max: 100 } };

const solve = (levers: TwinLevers, params = PARAMS) => solveOperatingPoint(params, toPhysicsLevers(levers));
const flowAt = (levers: TwinLevers, params = PARAMS) => solve(levers, params).flowM3h;
const input = (levers: TwinLevers, extra: Partial<OptimiseInput> = {}): OptimiseInput => ({ params: PARAMS, levers, demandM3h: flowAt(levers), safe: WIDE, ...extra });
const valueOf = (r: ReturnType<typeof optimiseSetpoints>, key: SetpointKey) => r.setpoints.find((s) => s.key === key)?.value;

/**
 * The least lamp power [%] on the 0.1 % grid that keeps 46 mJ/cm² and the 48 W/m² sensor setpoint,
 * from the model's values at full power (dose and sensor are proportional to lamp power).
 */
function leastLampPower(levers: TwinLevers): number {
  const full = solve({ ...levers, dimming: 1 });
  const need = Math.max(46 / full.uv.validatedDoseMjCm2!, 48 / full.uv.sensorIntensityWm2);
  return Math.ceil(need * 1000 - 1e-9) / 10;
}

describe("optimiseSetpoints: the lamp", () => {
  it("dims the lamp to the least power that keeps the dose with margin; higher UVT allows more dimming", () => {
    const clear = { ...LEVERS, uvtPct: 97 };
    const murky = { ...LEVERS, uvtPct: 88 };
    const a = optimiseSetpoints(input(clear));
    const b = optimiseSetpoints(input(murky));
    expect(a.feasible && b.feasible).toBe(true);
    // At 70 % speed and 15 m static head the energy per m³ rises with speed (domain.md §6.3 table):
    // the demand pins the speed, only the lamp moves.
    expect(valueOf(a, "pump_speed")).toBeUndefined();
    expect(valueOf(b, "pump_speed")).toBeUndefined();
    const va = valueOf(a, "uv_power")!;
    const vb = valueOf(b, "uv_power")!;
    expect(va).toBe(leastLampPower(clear));
    expect(vb).toBe(leastLampPower(murky));
    expect(va).toBeLessThan(vb);
    expect(vb).toBeLessThan(100);
    // Minimal: 0.1 % less lamp power would fall below required × 1.15 (or the sensor setpoint).
    for (const [levers, v] of [
      [clear, va],
      [murky, vb],
    ] as const) {
      const at = solve({ ...levers, dimming: v / 100 });
      expect(at.uv.validatedDoseMjCm2!).toBeGreaterThanOrEqual(46 - 1e-9);
      const below = solve({ ...levers, dimming: (v - 0.1) / 100 });
      expect(below.uv.validatedDoseMjCm2! < 46 || below.uv.sensorIntensityWm2 < 48).toBe(true);
    }
    expect(a.setpoints[0]).toEqual({ key: "uv_power", unit: "%", current: 100, value: va });
  });

  it("reports savings that are exactly before − after, with before the current state and after the proposed levers", () => {
    const r = optimiseSetpoints(input({ ...LEVERS, uvtPct: 97 }));
    expect(r.before).toEqual(solve({ ...LEVERS, uvtPct: 97 }));
    expect(r.after).toEqual(solve(r.levers));
    expect(r.levers.dimming).toBeCloseTo(valueOf(r, "uv_power")! / 100, 12);
    expect(r.savings.powerKw).toBeCloseTo(r.before.totalPowerKw - r.after.totalPowerKw, 12);
    expect(r.savings.specificEnergyKwhM3).toBeCloseTo(r.before.specificEnergyKwhM3! - r.after.specificEnergyKwhM3!, 12);
    expect(r.savings.pct).toBeCloseTo((100 * (r.before.specificEnergyKwhM3! - r.after.specificEnergyKwhM3!)) / r.before.specificEnergyKwhM3!, 9);
    // Same flow, less lamp: the lamp's input falls with its power level (150 W / 0.9 ballast at 100 %).
    const lampKwSaved = (150 / 0.9 / 1000) * (1 - valueOf(r, "uv_power")! / 100);
    expect(r.savings.powerKw).toBeCloseTo(lampKwSaved, 9);
    expect(r.savings.pct!).toBeGreaterThan(3);
  });

  it("proposes nothing at its own optimum, and nothing for a change under 1 % — unless the change is needed to stay on spec", () => {
    const levers = { ...LEVERS, uvtPct: 97 };
    const first = optimiseSetpoints(input(levers));
    const again = optimiseSetpoints(input(first.levers));
    expect(again.feasible).toBe(true);
    expect(again.setpoints).toEqual([]);
    expect(again.after).toEqual(again.before);
    expect(again.savings).toEqual({ powerKw: 0, specificEnergyKwhM3: 0, pct: 0 });
    expect(again.checks.find((c) => c.name === "optimum")?.detail).toMatch(/^Already optimal/);

    const v = valueOf(first, "uv_power")!;
    // 0.5 % above what is needed: not worth a command.
    expect(optimiseSetpoints(input({ ...levers, dimming: (v + 0.5) / 100 })).setpoints).toEqual([]);
    // 0.5 % below: the dose margin is broken, so the small raise is proposed.
    const low = optimiseSetpoints(input({ ...levers, dimming: (v - 0.5) / 100 }));
    expect(low.setpoints).toEqual([{ key: "uv_power", unit: "%", current: v - 0.5, value: v }]);
    expect(low.savings.powerKw).toBeLessThan(0);
  });
});

describe("optimiseSetpoints: the pump", () => {
  it("finds the interior optimum speed of a static-head-dominated system: faster than the demand needs, run for less time", () => {
    const levers = { ...LEVERS, hStaticM: 30, speed: 0.76 };
    const demand = 3;
    // Lamp held at full power, so the objective is the pump's and can be brute-forced independently.
    const safe = { pump_speed: { min: 30, max: 100 }, uv_power: { min: 100, max: 100 } };
    const r = optimiseSetpoints({ params: PARAMS, levers, demandM3h: demand, safe });
    expect(r.feasible).toBe(true);

    let bestK = -1;
    let bestSec = Infinity;
    for (let k = 300; k <= 1000; k++) {
      const out = solve({ ...levers, speed: k / 1000 });
      if (out.flowM3h < demand || out.belowMinFlow || !out.compliance.onSpec || out.uv.validatedDoseMjCm2! < 46 || out.flowM3h > 12) continue;
      if (out.specificEnergyKwhM3! < bestSec) {
        bestSec = out.specificEnergyKwhM3!;
        bestK = k;
      }
    }
    expect(valueOf(r, "pump_speed")).toBe(bestK / 10);
    expect(r.after.specificEnergyKwhM3).toBeCloseTo(bestSec, 12);
    // Interior: well above the speed that just meets the demand and below the top of the range.
    const minimal = solve(levers);
    expect(minimal.flowM3h).toBeGreaterThanOrEqual(demand);
    expect(bestK / 10).toBeGreaterThan(76 + 5);
    expect(bestK / 10).toBeLessThan(95);
    expect(r.after.flowM3h).toBeGreaterThan(demand + 1);
    // Less energy per m³ but more power while running: the unit fills its tank faster.
    expect(r.savings.pct!).toBeGreaterThan(0);
    expect(r.savings.powerKw).toBeLessThan(0);
    expect(r.checks.every((c) => c.ok)).toBe(true);
  });

  it("is infeasible when the demand is more than the pump delivers at its highest safe speed", () => {
    const params: UnitParams = { ...PARAMS, compliance: { ...PARAMS.compliance, maxFlowM3h: undefined } };
    const top = flowAt({ ...LEVERS, speed: 1 }, params);
    const r = optimiseSetpoints({ params, levers: LEVERS, demandM3h: top + 0.5, safe: WIDE });
    expect(r.feasible).toBe(false);
    expect(r.reason).toBe(`the demand of ${(top + 0.5).toFixed(2)} m³/h needs more than the pump delivers at its highest safe speed (${top.toFixed(2)} m³/h at 100.0 %)`);
    expect(r.setpoints).toEqual([]);
    expect(r.after).toEqual(r.before);
    expect(r.checks.at(-1)).toMatchObject({ name: "feasible", ok: false });

    const overMax = optimiseSetpoints(input(LEVERS, { demandM3h: 13 }));
    expect(overMax.reason).toBe("the demand of 13.00 m³/h is above the validated maximum flow of 12.00 m³/h");
  });

  it("is infeasible when even full lamp power cannot make the dose at the demand flow, and says so with the numbers", () => {
    const worn = { ...LEVERS, speed: 0.95, uvtPct: 86, lampHours: 11_000, fouling: 0.8 };
    const demand = flowAt(worn);
    const fullDose = solve(worn).uv.validatedDoseMjCm2!;
    expect(fullDose).toBeLessThan(46);
    const r = optimiseSetpoints(input(worn));
    expect(r.feasible).toBe(false);
    expect(r.reason).toContain("the dose cannot reach 46.0 mJ/cm² at the demand flow even at full lamp power");
    expect(r.reason).toContain(`${fullDose.toFixed(1)} mJ/cm² at ${demand.toFixed(2)} m³/h`);
  });

  it("is infeasible with the lamps off, below the validated UVT, or without demand", () => {
    expect(optimiseSetpoints(input({ ...LEVERS, lampOn: false })).reason).toMatch(/^the UV lamps are off/);
    expect(optimiseSetpoints(input({ ...LEVERS, uvtPct: 80 })).reason).toBe("the UVT of 80.0 % is below the validated minimum of 85.0 %: no setpoint brings the water on-spec");
    expect(optimiseSetpoints(input(LEVERS, { demandM3h: 0 })).reason).toBe("there is no demand flow to deliver");
  });

  it("brings a speed outside its safe range back inside", () => {
    const levers = { ...LEVERS, speed: 1.05 };
    const safe = { pump_speed: { min: 30, max: 90 }, uv_power: { min: 50, max: 100 } };
    const r = optimiseSetpoints({ params: PARAMS, levers, demandM3h: 8, safe });
    expect(r.feasible).toBe(true);
    const v = valueOf(r, "pump_speed")!;
    expect(v).toBeLessThanOrEqual(90);
    expect(r.after.flowM3h).toBeGreaterThanOrEqual(8);
    expect(r.checks.find((c) => c.name === "pump_speed safe range")).toMatchObject({ ok: true });
  });
});

/**
 * The best speed [0.1 % steps] by brute force over every 0.1 % step, written from the physics alone:
 * the full model at each speed and at the least lamp power on the grid that keeps the dose.
 */
function bruteForceSpeed(levers: TwinLevers, demand: number, safe: Record<SetpointKey, SafeRange>): number | null {
  let best: { k: number; sec: number } | null = null;
  for (let k = Math.ceil(safe.pump_speed.min * 10); k <= Math.floor(safe.pump_speed.max * 10); k++) {
    const full = solve({ ...levers, speed: k / 1000, dimming: 1 });
    if (full.flowM3h < demand * (1 - 1e-9) || full.belowMinFlow || full.deadHead || full.flowM3h > 12) continue;
    const need = Math.max(46 / full.uv.validatedDoseMjCm2!, 48 / full.uv.sensorIntensityWm2, safe.uv_power.min / 100);
    let d = Math.ceil(need * 1000 - 1e-9) / 1000;
    if (d > safe.uv_power.max / 100) d = Math.floor(safe.uv_power.max * 10) / 1000;
    if (d < need * (1 - 1e-9)) continue;
    const out = solve({ ...levers, speed: k / 1000, dimming: d });
    if (!out.compliance.onSpec) continue;
    if (!best || out.specificEnergyKwhM3! < best.sec) best = { k, sec: out.specificEnergyKwhM3! };
  }
  return best?.k ?? null;
}

describe("optimiseSetpoints: invariants over random states", () => {
  it("never proposes outside the safe ranges, never leaves a validated limit, and never does worse than a feasible current point", () => {
    const rand = mulberry32(20_261_127);
    const between = (a: number, b: number) => a + (b - a) * rand();
    let feasible = 0;
    let proposals = 0;
    let bruteChecked = 0;
    for (let i = 0; i < 250; i++) {
      const levers: TwinLevers = {
        speed: between(0.5, 1.1),
        uvtPct: between(84, 99),
        waterTempC: between(2, 30),
        filterLoad: [between(1, 4), between(1, 3)],
        lampHours: between(0, 12_000),
        fouling: between(0.6, 1),
        dimming: between(0.5, 1),
        lampOn: true,
        hStaticM: between(5, 30),
        leakM3h: 0,
      };
      const pumpMin = between(30, 70);
      const uvMin = between(30, 80);
      const safe = { pump_speed: { min: pumpMin, max: Math.min(120, pumpMin + between(10, 60)) }, uv_power: { min: uvMin, max: Math.min(100, uvMin + between(5, 50)) } };
      const now = solve(levers);
      const demand = Math.max(0.5, now.flowM3h * between(0.3, 1.1));
      const r = optimiseSetpoints({ params: PARAMS, levers, demandM3h: demand, safe });
      const brute = i % 3 === 0 ? bruteForceSpeed(levers, demand, safe) : undefined;
      if (brute !== undefined) {
        // The 1 % pass plus 0.1 % refinement finds the full scan's speed (when it proposes one).
        expect(r.feasible).toBe(brute !== null);
        const proposed = r.setpoints.find((sp) => sp.key === "pump_speed");
        if (proposed && brute !== null) {
          expect(proposed.value).toBe(brute / 10);
          bruteChecked++;
        }
      }
      if (!r.feasible) {
        expect(r.setpoints).toEqual([]);
        expect(r.reason).toBeTruthy();
        continue;
      }
      feasible++;
      proposals += r.setpoints.length > 0 ? 1 : 0;
      for (const s of r.setpoints) {
        expect(s.value).toBeGreaterThanOrEqual(Math.max(safe[s.key].min, SETPOINT_RANGES[s.key].min));
        expect(s.value).toBeLessThanOrEqual(Math.min(safe[s.key].max, SETPOINT_RANGES[s.key].max));
        expect(Math.abs(s.value * 10 - Math.round(s.value * 10))).toBeLessThan(1e-9);
      }
      expect(r.levers.speed * 100).toBeGreaterThanOrEqual(safe.pump_speed.min - 1e-9);
      expect(r.levers.speed * 100).toBeLessThanOrEqual(safe.pump_speed.max + 1e-9);
      expect(r.levers.dimming * 100).toBeGreaterThanOrEqual(safe.uv_power.min - 1e-9);
      expect(r.levers.dimming * 100).toBeLessThanOrEqual(safe.uv_power.max + 1e-9);
      // Independently of the optimiser's own checks: the full model at the proposed levers.
      const after = solve(r.levers);
      expect(r.after).toEqual(after);
      expect(after.compliance.reasons).toEqual([]);
      expect(after.flowM3h).toBeGreaterThanOrEqual(demand * (1 - 1e-9));
      expect(after.flowM3h).toBeLessThanOrEqual(12 + 1e-9);
      expect(after.belowMinFlow).toBe(false);
      expect(after.uv.validatedDoseMjCm2!).toBeGreaterThanOrEqual(46 * (1 - 1e-9));
      expect(r.checks.every((c) => c.ok)).toBe(true);
      const currentFine =
        now.compliance.reasons.length === 0 &&
        now.flowM3h >= demand &&
        !now.belowMinFlow &&
        now.uv.validatedDoseMjCm2! >= 46 &&
        levers.speed * 100 >= safe.pump_speed.min &&
        levers.speed * 100 <= safe.pump_speed.max &&
        levers.dimming * 100 >= safe.uv_power.min &&
        levers.dimming * 100 <= safe.uv_power.max;
      if (currentFine) expect(after.specificEnergyKwhM3!).toBeLessThanOrEqual(now.specificEnergyKwhM3! * (1 + 1e-12));
    }
    // The random states must exercise both outcomes, or the test proves little.
    expect(feasible).toBeGreaterThan(50);
    expect(proposals).toBeGreaterThan(20);
    expect(bruteChecked).toBeGreaterThan(10);
  });
});

describe("evaluateSetpoints", () => {
  it("checks given setpoints against the same constraints, without searching", () => {
    const levers = { ...LEVERS, uvtPct: 88, lampHours: 9000, fouling: 0.85 };
    const dim = evaluateSetpoints(input(levers), { uv_power: 40 });
    expect(dim.levers.dimming).toBe(0.4);
    expect(dim.after).toEqual(solve({ ...levers, dimming: 0.4 }));
    expect(dim.ok).toBe(false);
    const dose = dim.checks.find((c) => c.name === "dose")!;
    expect(dose.ok).toBe(false);
    expect(dose.detail).toBe(`Validated dose ${dim.after.uv.validatedDoseMjCm2!.toFixed(1)} mJ/cm² < 46.0 mJ/cm² (required 40.0 × margin 1.15).`);

    const fast = evaluateSetpoints(input(levers, { safe: { ...WIDE, pump_speed: { min: 30, max: 90 } } }), { pump_speed: 95 });
    expect(fast.checks.find((c) => c.name === "pump_speed safe range")).toEqual({ name: "pump_speed safe range", ok: false, detail: "Pump speed 95.0 % is outside the safe range 30.0–90.0 %." });
  });

  it("holds extra validated limits: a discharge-pressure maximum caps the speed", () => {
    const levers = { ...LEVERS, hStaticM: 30, speed: 0.76 };
    const safe = { pump_speed: { min: 30, max: 100 }, uv_power: { min: 100, max: 100 } };
    const free = optimiseSetpoints({ params: PARAMS, levers, demandM3h: 3, safe });
    const freeBar = free.after.dischargePressureBar;
    const capped = optimiseSetpoints({ params: PARAMS, levers, demandM3h: 3, safe, limits: [{ metric: "pump_pressure", min: null, max: freeBar - 0.2 }] });
    expect(capped.feasible).toBe(true);
    expect(capped.after.dischargePressureBar).toBeLessThanOrEqual(freeBar - 0.2);
    expect(valueOf(capped, "pump_speed")!).toBeLessThan(valueOf(free, "pump_speed")!);
    expect(capped.checks.find((c) => c.name === "pump_pressure limit")).toMatchObject({ ok: true });
  });
});
