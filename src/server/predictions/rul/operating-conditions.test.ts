import { describe, expect, it } from "vitest";
import { assignConditions, fitConditions, normaliseSensors, regimeCuts } from "./operating-conditions";

describe("regimeCuts", () => {
  it("finds the cuts between tight regimes and refuses continuous, constant or outlier columns", () => {
    const regimes = Float64Array.from({ length: 150 }, (_v, i) => [0, 10, 20][i % 3]! + ((i % 7) - 3) * 0.001);
    expect(regimeCuts(regimes)!.map((c) => Math.round(c * 1000) / 1000)).toEqual([5, 15]);
    expect(regimeCuts(Float64Array.from({ length: 150 }, (_v, i) => i))).toBeNull();
    expect(regimeCuts(new Float64Array(150).fill(3))).toBeNull();
    const outlier = new Float64Array(150).fill(1);
    outlier[0] = 50; // one row is not a regime
    expect(regimeCuts(outlier)).toBeNull();
    // a quantised sensor (two readings a step apart) and an exact setting are not noisy regimes on their own
    expect(regimeCuts(Float64Array.from({ length: 150 }, (_v, i) => (i % 3 ? 21.61 : 21.6)))).toBeNull();
    expect(regimeCuts(Float64Array.from({ length: 150 }, (_v, i) => (i % 2 ? 100 : 60)))).toBeNull();
  });
});

describe("fitConditions", () => {
  // 60 rows alternating between two regimes: setting 0 or 10 read with a noise (r % 5) / 1000; a
  // sensor shifted by 1000 in regime 1 plus a wear-like part r % 3; a constant column
  const n = 60;
  const setting = Float64Array.from({ length: n }, (_v, r) => (r % 2) * 10 + (r % 5) / 1000);
  const sensor = Float64Array.from({ length: n }, (_v, r) => (r % 2) * 1000 + (r % 3));
  const constant = new Float64Array(n).fill(7);
  const model = fitConditions([setting, sensor, constant]);

  it("finds two conditions, keeps the moving sensor and drops the constant columns", () => {
    // the regime shift makes the sensor look like a setting too: it helps find the regimes and stays a sensor
    expect(model.conditionColumns).toEqual([0, 1]);
    // each regime sees r % 5 = 0..4 six times each (mean 0.002) and r % 3 = 0, 1, 2 ten times each (mean 1)
    expect(model.centroids.map((c) => c.map((v) => Math.round(v * 1e9) / 1e9))).toEqual([[0.002, 1], [10.002, 1001]]);
    // the setting's noise moves within a regime, so it stays in as a (harmless) sensor
    expect(model.sensors).toEqual([0, 1]);
    expect(model.mean[1]![1]).toBe(1001);
    // sample variance of r % 3 over a regime: 10 x (1 + 0 + 1) / 29
    expect(model.std[0]![1]).toBeCloseTo(Math.sqrt(20 / 29), 12);
    expect(model.std[1]![1]).toBeCloseTo(Math.sqrt(20 / 29), 12);
  });

  it("normalises per condition and assigns new rows to the nearest regime", () => {
    const newRows = [Float64Array.from([9.9, 0.2]), Float64Array.from([1003, 0]), Float64Array.from([7, 7])];
    expect(Array.from(assignConditions(model, newRows))).toEqual([1, 0]);
    const [, z] = normaliseSensors(model, newRows);
    expect(z![0]).toBeCloseTo(2 / Math.sqrt(20 / 29), 12);
    expect(z![1]).toBeCloseTo(-1 / Math.sqrt(20 / 29), 12);
  });

  it("has one condition when no column looks like a setting", () => {
    const ramp = Float64Array.from({ length: n }, (_v, r) => r);
    const m = fitConditions([ramp, constant]);
    expect(m.centroids).toHaveLength(1);
    expect(m.sensors).toEqual([0]);
    expect(m.mean[0]![0]).toBe(29.5);
  });
});
