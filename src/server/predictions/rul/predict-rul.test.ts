import { describe, expect, it } from "vitest";
import { meanLifeBaseline, predictRul } from "./predict-rul";
import { readTable } from "./read-table";
import { generateCmapssLike, rmse } from "./synthetic-cmapss";

function cmapss(seed: number, conditions: 1 | 6) {
  const d = generateCmapssLike({ seed, trainUnits: 40, testUnits: 40, conditions });
  return { ...d, trainTable: readTable(d.train, "train.txt"), testTable: readTable(d.test, "test.txt") };
}

describe("predictRul on C-MAPSS-like units", () => {
  for (const conditions of [1, 6] as const) {
    it(`beats the mean-life baseline clearly with ${conditions} operating condition(s)`, () => {
      const d = cmapss(1, conditions);
      const result = predictRul({ train: d.trainTable, test: d.testTable, unitColumn: "c1", timeColumn: "c2" });
      expect(result.conditions).toBe(conditions);
      // 21 sensors: 14 with wear, 1 flickering, 6 constant; the two noisy settings stay in, the constant third goes.
      // The flickering and the whole-number sensors must not pass for operating regimes.
      expect(result.sensors).toHaveLength(17);
      expect(result.sensors).toContain("c11"); // the flickering one: sensor 6 is column 11
      expect(result.sensors).not.toContain("c5");
      expect(result.predictions.map((p) => p.unit)).toEqual(d.truth.map((t) => t.unit));
      // unit 1 has 4 rows, fewer than any window, and still gets a prediction
      expect(d.testTable.rows.filter((r) => r[0] === "1")).toHaveLength(4);
      for (const p of result.predictions) expect(p.rul).toBeGreaterThanOrEqual(0);
      const ours = rmse(result.predictions, d.truth);
      const baseline = rmse(meanLifeBaseline({ train: d.trainTable, test: d.testTable, unitColumn: "c1", timeColumn: "c2" }), d.truth);
      // measured: 17.8 (1 condition) / 19.3 (6) against 46.8 / 63.4 (seed 1); true RULs run to 150, the cap is near 120
      expect(ours).toBeLessThan(26);
      expect(ours).toBeLessThan(0.6 * baseline);
    }, 60_000);
  }
});

describe("predictRul inputs", () => {
  const header = "engine,hours,site,temp,vib\n";
  // two units that wear linearly: vib rises 1 per hour until failure at hour 10
  const trainRows = ["A", "B"].flatMap((u, k) => Array.from({ length: 11 }, (_v, h) => `${u},${h},north,${20 + (h % 2)},${h + k * 0.1}`));
  const train = readTable(header + trainRows.join("\n"), "train.csv");

  it("keeps units verbatim in order of first appearance, rows in any order, text columns excluded", () => {
    // zz-9 has run 8 hours (true RUL 2), Pump 1 one hour (true RUL 9, capped); rows interleaved, hours descending
    const zz = Array.from({ length: 9 }, (_v, h) => `zz-9,${8 - h},south,${20 + (h % 2)},${8 - h}`);
    const pump = ["Pump 1,1,north,20,1", "Pump 1,0,north,21,0"];
    const test = readTable(header + [zz[0], pump[0], ...zz.slice(1), pump[1]].join("\n"), "test.csv");
    const r = predictRul({ train, test, unitColumn: "engine", timeColumn: "hours", exclude: ["site"], boosting: { minLeaf: 1, trees: 200, subsample: 1 } });
    expect(r.predictions.map((p) => p.unit)).toEqual(["zz-9", "Pump 1"]);
    // cap = 0.65 x median life 10 = 6.5
    expect(r.cap).toBe(6.5);
    expect(r.predictions[0]!.rul).toBeGreaterThan(1);
    expect(r.predictions[0]!.rul).toBeLessThan(3);
    expect(r.predictions[1]!.rul).toBeGreaterThan(5.5);
  });

  it("names the problem: text column not excluded, unknown column, missing column, empty test, empty unit", () => {
    const test = readTable(header + "X,1,north,20,1\n", "test.csv");
    const base = { train, test, unitColumn: "engine", timeColumn: "hours" };
    expect(() => predictRul(base)).toThrow('train.csv line 2, column site: "north" is not a number.');
    expect(() => predictRul({ ...base, exclude: ["sight"] })).toThrow('--exclude "sight" is not a column of train.csv');
    expect(() => predictRul({ ...base, unitColumn: "unit", exclude: ["site"] })).toThrow('--unit-column "unit" is not a column of train.csv');
    const noVib = readTable("engine,hours,site,temp\nX,1,north,20\n", "test.csv");
    expect(() => predictRul({ ...base, test: noVib, exclude: ["site"] })).toThrow('column "vib" of train.csv is missing from test.csv');
    expect(() => predictRul({ ...base, test: readTable(header, "test.csv"), exclude: ["site"] })).toThrow("test.csv has no data rows");
    const blankUnit = readTable(header + ",1,north,20,1\n", "test.csv");
    expect(() => predictRul({ ...base, test: blankUnit, exclude: ["site"] })).toThrow("test.csv line 2, column engine: the unit is empty.");
    expect(() => predictRul({ ...base, timeColumn: "engine", exclude: ["site"] })).toThrow("--unit-column and --time-column both name");
  });

  it("rejects header-less files with different column counts", () => {
    const a = readTable("1 1 5 6\n1 2 5 7\n", "train.txt");
    const b = readTable("1 1 5\n", "test.txt");
    expect(() => predictRul({ train: a, test: b, unitColumn: "c1", timeColumn: "c2" })).toThrow("test.txt has 3 columns, but train.txt has 4");
  });
});
