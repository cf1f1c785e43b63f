import { describe, expect, it } from "vitest";
import { trendPlotData, trendYRange } from "./chart-data";

const HOUR = 3_600_000;

describe("trendPlotData", () => {
  it("merges the hourly values and the fitted line on one time axis in seconds, each with gaps where the other has a point", () => {
    const samples = [
      { t: 2 * HOUR, v: 0.31 },
      { t: 0, v: 0.3 },
      { t: HOUR, v: Number.NaN },
    ];
    const fitted = [
      { t: 0, v: 0.29 },
      { t: 10 * HOUR, v: 1 },
    ];
    expect(trendPlotData(samples, fitted)).toEqual([
      [0, 7200, 36000],
      [0.3, 0.31, null],
      [0.29, null, 1],
    ]);
  });

  it("is empty without data", () => {
    expect(trendPlotData([], [])).toEqual([[], [], []]);
  });
});

describe("trendYRange", () => {
  it("takes in the limit, padded by a tenth of the spread", () => {
    const [lo, hi] = trendYRange([{ t: 0, v: 0.3 }], [{ t: 1, v: 0.5 }], 1);
    expect(lo).toBeCloseTo(0.23, 10);
    expect(hi).toBeCloseTo(1.07, 10);
  });

  it("keeps a falling series' limit below in view, never below zero for a quantity that is not negative", () => {
    const [lo, hi] = trendYRange([{ t: 0, v: 54 }], [{ t: 1, v: 45 }], 2);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(59.2, 10);
  });

  it("gives a flat series and no data a usable range", () => {
    expect(trendYRange([{ t: 0, v: 2 }], [], null)).toEqual([1.8, 2.2]);
    expect(trendYRange([], [], null)).toEqual([0, 1]);
  });
});
