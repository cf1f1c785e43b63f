import { describe, expect, it } from "vitest";
import { generateCmapssLike, nasaScore, rmse } from "./synthetic-cmapss";

describe("generateCmapssLike", () => {
  it("writes C-MAPSS shaped files: 26 space-separated columns, trailing spaces, units run to failure", () => {
    const d = generateCmapssLike({ seed: 5, trainUnits: 3, testUnits: 2 });
    const lines = d.train.split("\n").slice(0, -1);
    expect(lines).toHaveLength(d.trainRows);
    for (const l of lines) {
      expect(l.endsWith("  ")).toBe(true);
      expect(l.trim().split(" ")).toHaveLength(26);
    }
    expect(lines[0]!.startsWith("1 1 ")).toBe(true);
    expect(d.truth.map((t) => t.unit)).toEqual(["1", "2"]);
    const testRows = d.test.split("\n");
    // the first test unit stops after 4 cycles
    expect(testRows.filter((l) => l.startsWith("1 ")).map((l) => l.split(" ")[1])).toEqual(["1", "2", "3", "4"]);
    expect(generateCmapssLike({ seed: 5, trainUnits: 3, testUnits: 2 })).toEqual(d);
  });
});

describe("metrics", () => {
  it("rmse and the NASA score match hand computations", () => {
    const truth = [{ unit: "a", rul: 10 }, { unit: "b", rul: 20 }];
    const predicted = [{ unit: "b", rul: 30 }, { unit: "a", rul: 0 }];
    expect(rmse(predicted, truth)).toBe(10);
    // a: 10 early -> e^(10/13) - 1; b: 10 late -> e^(10/10) - 1
    expect(nasaScore(predicted, truth)).toBeCloseTo(Math.exp(10 / 13) - 1 + Math.E - 1, 12);
  });
});
