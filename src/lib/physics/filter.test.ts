import { describe, expect, it } from "vitest";
import { filterDpBar, filterResistanceFactor, massForResistanceFactor } from "./filter";
import { viscosityRatio, waterViscosityPaS } from "./water";

// The Vogel fit is within 2.5 % of the tabulated values (1.753 vs 1.787 mPa·s at 0 °C).
describe("water viscosity: domain.md §3.1 [P10]", () => {
  it.each([
    [0, 1.787],
    [10, 1.307],
    [20, 1.002],
    [40, 0.653],
  ])("μ(%i °C) ≈ %f mPa·s", (t, mPaS) => {
    expect(Math.abs(waterViscosityPaS(t) * 1000 - mPaS) / mPaS).toBeLessThan(0.025);
  });
});

describe("filter ΔP: domain.md §3.1", () => {
  const params = { mcKg: 6, meKg: 12 };

  it("a clean cartridge (R_f0 = 0.15) gives ≈ 0.15 bar at 10 m³/h and 20 °C", () => {
    expect(Math.abs(filterDpBar(0.15, 10, 20) - 0.15)).toBeLessThan(0.005);
  });

  it("a cold-water day raises ΔP by about 30 % at the same loading", () => {
    expect(filterDpBar(0.15, 10, 10) / filterDpBar(0.15, 10, 20)).toBeCloseTo(viscosityRatio(10), 12);
    expect(viscosityRatio(10)).toBeGreaterThan(1.27);
    expect(viscosityRatio(10)).toBeLessThan(1.33);
  });

  it("ΔP is linear in flow (laminar)", () => {
    expect(filterDpBar(0.3, 8, 15)).toBeCloseTo(2 * filterDpBar(0.3, 4, 15), 12);
  });

  it("R_f(M) = R_f0·(1 + M/M_c)·exp(M/M_e) rises monotonically from 1", () => {
    expect(filterResistanceFactor(params, 0)).toBe(1);
    expect(filterResistanceFactor(params, 6)).toBeCloseTo(2 * Math.exp(0.5), 12);
    let previous = 0;
    for (let m = 0; m < 30; m += 0.5) {
      const f = filterResistanceFactor(params, m);
      expect(f).toBeGreaterThan(previous);
      previous = f;
    }
  });

  it("massForResistanceFactor inverts it", () => {
    for (const factor of [1, 1.5, 3, 6, 20]) {
      expect(filterResistanceFactor(params, massForResistanceFactor(params, factor))).toBeCloseTo(factor, 6);
    }
  });
});
