import { describe, expect, it } from "vitest";
import { viscosityRatio } from "@/lib/physics";
import { normaliseFilterDp } from "./normalise";

describe("normaliseFilterDp", () => {
  it("leaves ΔP at the reference flow and 20 °C as it is", () => {
    expect(normaliseFilterDp(0.4, 10, 20, 10)).toBeCloseTo(0.4, 12);
    expect(normaliseFilterDp(0.4, 10, null, 10)).toBe(0.4);
  });

  it("scales linearly with flow: ΔP at 2Q and ΔP/2 at Q are the same cartridge", () => {
    const atDouble = normaliseFilterDp(0.6, 8, 15, 6);
    const atSingle = normaliseFilterDp(0.3, 4, 15, 6);
    expect(atDouble).toBeCloseTo(atSingle!, 12);
    // and both are the reading at 6 m³/h: 0.3 · 6/4 at 20 °C, then the 15 °C correction
    expect(atSingle).toBeCloseTo((0.3 * 1.5) / viscosityRatio(15), 12);
  });

  it("takes the cold-water viscosity out: 10 °C water reads about 30 % high", () => {
    const cold = normaliseFilterDp(0.5, 10, 10, 10)!;
    expect(0.5 / cold).toBeCloseTo(viscosityRatio(10), 12);
    // the tabulated μ(10 °C)/μ(20 °C) = 1.307/1.002 mPa·s (domain.md §3.1); the Vogel fit is within 1 %
    expect(Math.abs(0.5 / cold / (1.307 / 1.002) - 1)).toBeLessThan(0.01);
    // warm water the other way
    expect(normaliseFilterDp(0.5, 10, 30, 10)!).toBeGreaterThan(0.5);
  });

  it("has nothing to say without flow", () => {
    expect(normaliseFilterDp(0.02, 0, 15, 10)).toBeNull();
    expect(normaliseFilterDp(0.02, 0.5, 15, 10)).toBeNull();
    // a tenth of the reference flow would scale the gauge's offset tenfold
    expect(normaliseFilterDp(0.05, 1, 15, 10)).toBeNull();
    expect(normaliseFilterDp(0.05, 1.1, 15, 10)).not.toBeNull();
    expect(normaliseFilterDp(0.05, -3, 15, 10)).toBeNull();
    expect(normaliseFilterDp(Number.NaN, 10, 15, 10)).toBeNull();
    expect(normaliseFilterDp(0.4, Number.NaN, 15, 10)).toBeNull();
  });

  it("ignores a water temperature no liquid water has (a faulty probe), and NaN", () => {
    expect(normaliseFilterDp(0.4, 5, -40, 10)).toBeCloseTo(0.8, 12);
    expect(normaliseFilterDp(0.4, 5, 150, 10)).toBeCloseTo(0.8, 12);
    expect(normaliseFilterDp(0.4, 5, Number.NaN, 10)).toBeCloseTo(0.8, 12);
  });

  it("refuses a reference flow that is not above 0", () => {
    expect(() => normaliseFilterDp(0.4, 5, 15, 0)).toThrow(/reference flow must be above 0 m³\/h, got 0/);
    expect(() => normaliseFilterDp(0.4, 5, 15, Number.NaN)).toThrow(/got NaN/);
  });
});
