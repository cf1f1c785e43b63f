import { describe, expect, it } from "vitest";
import { mulberry32 } from "@/lib/random";
import { theilSen } from "./theil-sen";

function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  // Box–Muller; 1 − u keeps the log away from 0
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function leastSquaresSlope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

const range = (n: number) => Array.from({ length: n }, (_v, i) => i);

describe("theilSen", () => {
  it.each([
    [2.5, -1],
    [-0.3, 7],
    [0, 4],
  ])("recovers the exact line y = %f·x + %f, with a zero-width interval", (slope, intercept) => {
    const xs = range(30).map((i) => i * 0.7 - 5);
    const fit = theilSen(
      xs,
      xs.map((x) => slope * x + intercept),
    );
    expect(fit.slope).toBeCloseTo(slope, 12);
    expect(fit.intercept).toBeCloseTo(intercept, 12);
    expect(fit.slopeLow).toBeCloseTo(slope, 12);
    expect(fit.slopeHigh).toBeCloseTo(slope, 12);
    expect(fit.n).toBe(30);
  });

  it("ignores 20 % gross outliers that drag a least-squares line far off", () => {
    const noise = gaussian(7);
    const pick = mulberry32(8);
    const xs = range(100).map((i) => i / 10);
    const ys = xs.map((x) => 0.5 * x + 2 + 0.05 * noise());
    // every fifth point is a spike upwards, more of them late in the series (a failing sensor)
    for (let i = 0; i < 100; i += 5) ys[i] = ys[i]! + 20 + (40 * i) / 100 + 10 * pick();
    const fit = theilSen(xs, ys);
    expect(Math.abs(fit.slope - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(fit.intercept - 2)).toBeLessThan(0.5);
    expect(fit.slopeLow).toBeLessThan(0.5 + 0.05);
    expect(fit.slopeHigh).toBeGreaterThan(0.5 - 0.05);
    // least squares on the same data is off by a whole slope
    expect(Math.abs(leastSquaresSlope(xs, ys) - 0.5)).toBeGreaterThan(0.5);
  });

  it("covers the true slope with its 90 % interval in about 90 % of seeded trials", () => {
    const trials = 200;
    let covered = 0;
    for (let trial = 0; trial < trials; trial++) {
      const noise = gaussian(1000 + trial);
      const xs = range(40).map((i) => i / 24);
      const ys = xs.map((x) => 1 + 0.3 * x + 0.2 * noise());
      const fit = theilSen(xs, ys, 0.9);
      if (fit.slopeLow <= 0.3 && 0.3 <= fit.slopeHigh) covered++;
    }
    expect(covered / trials).toBeGreaterThanOrEqual(0.8);
    expect(covered / trials).toBeLessThanOrEqual(0.97);
  });

  it("widens its interval as the confidence rises, always around the estimate", () => {
    const noise = gaussian(3);
    const xs = range(60);
    const ys = xs.map((x) => -0.02 * x + 0.5 * noise());
    let previous = { low: Infinity, high: -Infinity };
    for (const confidence of [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]) {
      const fit = theilSen(xs, ys, confidence);
      expect(fit.slopeLow).toBeLessThanOrEqual(fit.slope);
      expect(fit.slopeHigh).toBeGreaterThanOrEqual(fit.slope);
      expect(fit.slopeLow).toBeLessThan(previous.low);
      expect(fit.slopeHigh).toBeGreaterThan(previous.high);
      previous = { low: fit.slopeLow, high: fit.slopeHigh };
    }
  });

  it("skips pairs with equal x and clamps the interval to the extreme slopes when there are few", () => {
    const fit = theilSen([0, 1, 1, 3], [0, 1, 2, 3]);
    // pairs: (0,1) 1, (0,1') 2, (0,3) 1, (1,3) 1, (1',3) 0.5 — the (1,1') pair is skipped
    expect(fit.slope).toBe(1);
    expect(fit.slopeLow).toBe(0.5);
    expect(fit.slopeHigh).toBe(2);
  });

  it("names what is wrong with bad input", () => {
    expect(() => theilSen([1, 2, 3], [1, 2])).toThrow(/3 x values but 2 y values/);
    expect(() => theilSen([1, Number.NaN, 3], [1, 2, 3])).toThrow(/point 1 is not a finite number/);
    expect(() => theilSen([2, 2, 2], [1, 2, 3])).toThrow(/two distinct x values/);
    expect(() => theilSen([1, 2], [1, 2], 1)).toThrow(/confidence must be strictly between 0 and 1/);
    const many = range(3001);
    expect(() => theilSen(many, many)).toThrow(/hourly rollups/);
  });
});
