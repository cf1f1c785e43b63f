import { describe, expect, it } from "vitest";
import { featureNames, writeWindowFeatures } from "./window-features";

describe("writeWindowFeatures", () => {
  it("computes last, rolling means, least-squares slope and drift; short units shrink the windows", () => {
    const out = new Float64Array(3 * 6);
    writeWindowFeatures([Float64Array.from([1, 2, 4])], Float64Array.from([0, 1, 2]), 0, 3, out, 0);
    // row 0: one reading; row 2: slope of (0,1),(1,2),(2,4) = (3*10 - 3*7) / (3*5 - 9) = 1.5
    expect(Array.from(out.subarray(0, 6))).toEqual([0, 1, 1, 1, 0, 0]);
    expect(Array.from(out.subarray(12, 18))).toEqual([2, 4, 7 / 3, 7 / 3, 1.5, 0]);
    expect(featureNames(["s"])).toEqual(["elapsed", "s:last", "s:mean5", "s:mean30", "s:slope30", "s:drift"]);
  });

  it("uses 5- and 30-row windows and the drift from the first 30 rows", () => {
    const n = 40;
    const z = Float64Array.from({ length: n }, (_v, r) => r);
    const t = Float64Array.from({ length: n }, (_v, r) => 2 * r); // a time step of 2: slope per time unit
    const out = new Float64Array(6);
    writeWindowFeatures([z], t, n - 1, n, out, 0);
    // mean5 of 35..39 = 37; mean30 of 10..39 = 24.5; drift = 24.5 - mean(0..29) = 10
    expect(Array.from(out)).toEqual([78, 39, 37, 24.5, 0.5, 10]);
  });

  it("carries the last reading over missing values, 0 before any", () => {
    const out = new Float64Array(3 * 6);
    writeWindowFeatures([Float64Array.from([NaN, 3, NaN])], Float64Array.from([0, 1, 2]), 0, 3, out, 0);
    expect(out[1]).toBe(0);
    expect(out[7]).toBe(3);
    expect(out[13]).toBe(3);
  });
});
