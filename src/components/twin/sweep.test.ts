import { describe, expect, it } from "vitest";
import { DEFAULT_UNIT_PARAMS, solveOperatingPoint } from "@/lib/physics";
import { defaultLevers, leverSpec, toPhysicsLevers } from "@/lib/twin/levers";
import { sweepCurve, SWEEP_POINTS } from "./sweep";

const params = DEFAULT_UNIT_PARAMS;
const levers = { ...defaultLevers(params), speed: 0.9, uvtPct: 85, lampHours: 12_000, fouling: 0.8 };

describe("the dose-against-lever curve", () => {
  it("holds the physics' dose at every point of the lever's range, the others as set", () => {
    const spec = leverSpec("speed");
    const curve = sweepCurve(params, levers, spec);
    expect(curve.x).toHaveLength(SWEEP_POINTS);
    expect(curve.x[0]).toBe(spec.min);
    expect(curve.x.at(-1)).toBeCloseTo(spec.max, 12);
    const k = 30;
    const direct = solveOperatingPoint(params, toPhysicsLevers({ ...levers, speed: curve.x[k]! }));
    expect(curve.dose[k]).toBe(direct.uv.validatedDoseMjCm2);
    // no flow at low speed (static head): no dose
    expect(curve.dose[0]).toBeNull();
    expect(curve.current).toBe(0.9);
    expect(curve.required).toBe(params.compliance.requiredDoseMjCm2);
  });

  it("says where the dose crosses the required dose, and from which side", () => {
    const speed = sweepCurve(params, levers, leverSpec("speed"));
    const m = /below the required 40 mJ\/cm² above pump speed ([\d.]+)/.exec(speed.limitText);
    expect(m).not.toBeNull();
    const at = Number(m![1]);
    // just below the crossing the dose is enough, just above it is not
    const dose = (s: number) => solveOperatingPoint(params, toPhysicsLevers({ ...levers, speed: s })).uv.validatedDoseMjCm2!;
    expect(dose(at - 0.02)).toBeGreaterThan(40);
    expect(dose(at + 0.02)).toBeLessThan(40);

    const uvt = sweepCurve(params, levers, leverSpec("uvtPct"));
    expect(uvt.limitText).toMatch(/below the required 40 mJ\/cm² below water uv transmittance [\d.]+ %/);
  });

  it("says so when the whole range is on one side", () => {
    const clean = { ...levers, speed: 0.6, uvtPct: 98, lampHours: 0, fouling: 1 };
    expect(sweepCurve(params, clean, leverSpec("waterTempC")).limitText).toMatch(/^The dose stays above the required 40 mJ\/cm² over the whole range/);
  });
});
