import { describe, expect, it } from "vitest";
import { erfc, normalCdf, normalQuantile } from "./normal";

// 30-digit values from mpmath (erfc, ncdf, erfinv)
const ERFC: [number, number][] = [
  [0, 1],
  [0.1, 0.887537083981715101595287748986],
  [0.5, 0.479500122186953462317253346108],
  [1, 0.157299207050285130658779364917],
  [1.45, 0.0403049743625407737435395792086],
  [1.5, 0.0338948535246892729330237383541],
  [2, 0.00467773498104726583793074363275],
  [2.9, 0.0000410978780994588579958768419277],
  [3.1, 0.0000116486573671995893134580901829],
  [4, 1.54172579002800188521596734869e-8],
  [5, 1.53745979442803485018834348538e-12],
  [6, 2.15197367124989131165933503992e-17],
  [10, 2.08848758376254475700078629496e-45],
  [27, 5.23704892378925568501606768285e-319],
];

describe("erfc", () => {
  it.each(ERFC)("erfc(%f) to 1e-14 relative", (x, expected) => {
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-14);
  });

  it.each(ERFC)("erfc(−%f) = 2 − erfc(%f) to 5e-16", (x, expected) => {
    expect(Math.abs(erfc(-x) - (2 - expected))).toBeLessThan(5e-16);
  });

  it("is 0 past the underflow of e^(−x²) and NaN for NaN", () => {
    expect(erfc(30)).toBe(0);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(Number.NaN)).toBeNaN();
  });

  it("is continuous and decreasing across the switch from the series to the continued fraction", () => {
    let previous = erfc(1.49);
    for (let x = 1.491; x < 1.51; x += 0.001) {
      const value = erfc(x);
      expect(value).toBeLessThan(previous);
      previous = value;
    }
  });
});

describe("normalCdf and normalQuantile", () => {
  it.each([
    [0, 0.5],
    [1.6448536269514722, 0.95],
    [-1.959963984540054, 0.025],
    [-8, 6.22096057427178412351599517259e-16],
    [-30, 4.90671392714818705953380925658e-198],
  ])("Φ(%f) = %f", (z, p) => {
    // looser than erfc: rounding z/√2 alone moves Φ(−30) by ~1e-13 relative (its slope is that steep)
    expect(Math.abs(normalCdf(z) - p) / p).toBeLessThan(1e-12);
  });

  it.each([
    [0.5, 0],
    [0.9, 1.28155156554460059348744828852],
    [0.95, 1.64485362695147228427631560354],
    [0.975, 1.95996398454005385560443064983],
    [0.995, 2.5758293035489004538574826715],
    [1e-10, -6.36134090240405619910039694879],
  ])("Φ⁻¹(%f) = %f", (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-12);
  });

  it("refuses probabilities outside (0, 1)", () => {
    expect(() => normalQuantile(0)).toThrow(/strictly between 0 and 1, got 0/);
    expect(() => normalQuantile(1.2)).toThrow(/got 1.2/);
  });
});
