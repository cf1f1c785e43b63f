import { describe, expect, it } from "vitest";
import {
  binEdges,
  binOf,
  boostedTreesFromJSON,
  boostedTreesToJSON,
  featureImportance,
  fitBoostedTrees,
  fitBoostedTreesAsync,
  predictBoostedTrees,
  predictProbability,
  type BoostedTreesJSON,
} from "./gradient-boosting";
import { mulberry32 } from "@/lib/random";

describe("histogram binning", () => {
  it("cuts at distinct quantiles and keeps equal values in one bin", () => {
    const edges = binEdges([7, 1, 5, 2, 1, 4, 3, 6], 4);
    // sorted 1 1 2 3 4 5 6 7: quantile values 2, 4, 6 -> edges just below them: 1, 3, 5
    expect(Array.from(edges)).toEqual([1, 3, 5]);
    expect([1, 2, 3, 3.5, 5, 9].map((v) => binOf(edges, v))).toEqual([0, 1, 1, 2, 2, 3]);
    expect(Array.from(binEdges([4, 4, 4, 4], 8))).toEqual([]);
  });
});

describe("fitBoostedTrees", () => {
  it("one stump with learning rate 1 reproduces a step exactly", () => {
    const x = Float64Array.from({ length: 10 }, (_v, i) => i / 10);
    const y = Float64Array.from(x, (v) => (v < 0.45 ? 0 : 10));
    const model = fitBoostedTrees(x, y, 1, { trees: 1, learningRate: 1, lambda: 0, maxDepth: 1, minLeaf: 1, subsample: 1, colsample: 1 });
    expect(model.base).toBe(5);
    expect(Array.from(predictBoostedTrees(model, Float64Array.from([0, 0.4, 0.5, 2])))).toEqual([0, 0, 10, 10]);
  });

  it("learns a non-linear function of two features and ignores a noise feature; same seed, same model", () => {
    const random = mulberry32(42);
    const make = (n: number) => {
      const x = new Float64Array(n * 3);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const a = random() * 4 - 2;
        const b = random() * 4 - 2;
        x[i * 3] = a;
        x[i * 3 + 1] = random(); // noise
        x[i * 3 + 2] = b;
        y[i] = Math.sin(2 * a) * 5 + b * b + (random() - 0.5);
      }
      return { x, y };
    };
    const train = make(3000);
    const test = make(1000);
    const model = fitBoostedTrees(train.x, train.y, 3, { trees: 200, seed: 9 });
    const p = predictBoostedTrees(model, test.x);
    const mean = test.y.reduce((a, b) => a + b, 0) / test.y.length;
    let sse = 0;
    let sst = 0;
    for (let i = 0; i < p.length; i++) {
      sse += (p[i]! - test.y[i]!) ** 2;
      sst += (test.y[i]! - mean) ** 2;
    }
    expect(1 - sse / sst).toBeGreaterThan(0.95);
    const again = fitBoostedTrees(train.x, train.y, 3, { trees: 200, seed: 9 });
    expect(Array.from(predictBoostedTrees(again, test.x))).toEqual(Array.from(p));
    // the first, greediest splits go to the features the function depends on, not to the noise
    expect(model.trees.slice(0, 20).map((t) => t.feature[0])).not.toContain(1);
  });

  it("rejects a feature matrix of the wrong size", () => {
    expect(() => fitBoostedTrees(new Float64Array(5), new Float64Array(2), 2)).toThrow("x has 5 cells, expected 2 x 2");
  });
});

/** Rows of [a, noise, b] in [-2, 2]; label 1 inside the circle a² + b² < 2 (about 39 % of rows), a few flipped. */
function circle(seed: number, n: number) {
  const random = mulberry32(seed);
  const x = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = random() * 4 - 2;
    const b = random() * 4 - 2;
    x[i * 3] = a;
    x[i * 3 + 1] = random();
    x[i * 3 + 2] = b;
    const inside = a * a + b * b < 2;
    y[i] = random() < 0.03 ? Number(!inside) : Number(inside);
  }
  return { x, y };
}

/** ROC AUC by counting pairs: small sets only. */
function pairAuc(scores: Float64Array, labels: Float64Array): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;

describe("missing values", () => {
  it("binEdges leaves NaN out; binOf puts NaN in the top bin, with values above every edge", () => {
    const edges = binEdges([7, NaN, 1, 5, 2, 1, NaN, 4, 3, 6], 4);
    expect(Array.from(edges)).toEqual([1, 3, 5]);
    expect(binOf(edges, NaN)).toBe(3);
    expect(binOf(edges, 1e300)).toBe(3);
    expect(Array.from(binEdges([NaN, NaN], 4))).toEqual([]);
  });

  it("trains with a feature missing in some rows; a missing value goes right, as the largest values do", () => {
    const { x, y } = circle(3, 2000);
    for (let i = 0; i < 2000; i += 5) x[i * 3] = NaN;
    const model = fitBoostedTrees(x, y, 3, { loss: "logistic", trees: 50 });
    const missing = Float64Array.from([NaN, 0.5, 0, NaN, 0.5, 1.9, NaN, 0.1, -1.2]);
    const large = Float64Array.from(missing, (v) => (Number.isNaN(v) ? 1e300 : v));
    const p = predictProbability(model, missing);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    expect(Array.from(p)).toEqual(Array.from(predictProbability(model, large)));
    // the rows with a value are still told apart: (0, 0) is inside the circle, a = 1e300 is not
    const known = predictProbability(model, Float64Array.from([0, 0.5, 0, 1.9, 0.5, 1.9]));
    expect(known[0]).toBeGreaterThan(0.7);
    expect(known[1]).toBeLessThan(0.3);
  });

  it("rejects an infinite feature value, naming the row and feature", () => {
    const x = Float64Array.from([1, 2, 3, -Infinity]);
    expect(() => fitBoostedTrees(x, new Float64Array(2), 2)).toThrow("x of row 1, feature 1 is -Infinity");
  });
});

describe("fitBoostedTrees with logistic loss", () => {
  const train = circle(11, 3000);
  const test = circle(12, 5000);
  const model = fitBoostedTrees(train.x, train.y, 3, { loss: "logistic", trees: 150, learningRate: 0.1, seed: 4 });

  it("learns a circular boundary: held-out AUC above 0.9, mean probability near the positive rate", () => {
    expect(model.loss).toBe("logistic");
    const rate = mean(train.y);
    expect(model.base).toBeCloseTo(Math.log(rate / (1 - rate)), 12);
    const p = predictProbability(model, test.x);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    expect(pairAuc(p, test.y)).toBeGreaterThan(0.9);
    const positiveRate = mean(test.y);
    expect(positiveRate).toBeGreaterThan(0.3);
    expect(Math.abs(mean(p) - positiveRate)).toBeLessThan(0.02);
    // raw scores are log-odds: the sigmoid of one is the probability
    expect(1 / (1 + Math.exp(-predictBoostedTrees(model, test.x)[0]!))).toBeCloseTo(p[0]!, 15);
  });

  it("ranks the two informative features above the noise", () => {
    const importance = featureImportance(model);
    expect(importance.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(importance[0]).toBeGreaterThan(0.3);
    expect(importance[2]).toBeGreaterThan(0.3);
    expect(importance[1]).toBeLessThan(0.1);
  });

  it("grows the same trees with and without histogram subtraction", () => {
    const options = { loss: "logistic", trees: 30, learningRate: 0.1, seed: 4 } as const;
    const direct = fitBoostedTrees(train.x, train.y, 3, { ...options, subtractHistograms: false });
    const subtracted = fitBoostedTrees(train.x, train.y, 3, options);
    expect(subtracted.trees.map((t) => Array.from(t.feature))).toEqual(direct.trees.map((t) => Array.from(t.feature)));
    expect(subtracted.trees.map((t) => Array.from(t.threshold))).toEqual(direct.trees.map((t) => Array.from(t.threshold)));
    const a = predictBoostedTrees(direct, test.x);
    const b = predictBoostedTrees(subtracted, test.x);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 9);
  });

  it("reports progress after each tree", () => {
    const calls: [number, number][] = [];
    fitBoostedTrees(train.x, train.y, 3, { loss: "logistic", trees: 3, onTree: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it("rejects labels other than 0 and 1, and labels of one class only", () => {
    const x = Float64Array.from([1, 2, 3]);
    expect(() => fitBoostedTrees(x, Float64Array.from([0, 1, 0.5]), 1, { loss: "logistic" })).toThrow("y of row 2 is 0.5: logistic loss needs labels 0 or 1");
    expect(() => fitBoostedTrees(x, Float64Array.from([1, NaN, 0]), 1, { loss: "logistic" })).toThrow("y of row 1 is NaN");
    expect(() => fitBoostedTrees(x, Float64Array.from([0, 0, 0]), 1, { loss: "logistic" })).toThrow("logistic loss needs both 0 and 1");
  });

  it("throws when asked for probabilities from a squared-loss model", () => {
    const squared = fitBoostedTrees(train.x, train.y, 3, { trees: 2 });
    expect(squared.loss).toBe("squared");
    expect(() => predictProbability(squared, test.x)).toThrow("trained with squared loss");
  });

  it("keeps every leaf's hessian sum at least minChildWeight", () => {
    // 100 balanced rows start at p = 0.5, hessian 0.25 each, 25 in all: two children of >= 13 cannot be
    const x = Float64Array.from({ length: 100 }, (_v, i) => i);
    const y = Float64Array.from(x, (v) => Number(v >= 50));
    const options = { loss: "logistic", trees: 1, maxDepth: 1, minLeaf: 1, subsample: 1, colsample: 1 } as const;
    expect(fitBoostedTrees(x, y, 1, { ...options, minChildWeight: 13 }).trees[0]!.feature[0]).toBe(-1);
    expect(fitBoostedTrees(x, y, 1, { ...options, minChildWeight: 12 }).trees[0]!.feature[0]).toBe(0);
  });
});

describe("row weights", () => {
  // whole-number features: every value gets its own bin, with or without the duplicates
  const random = mulberry32(21);
  const n = 600;
  const x = Float64Array.from({ length: n * 2 }, () => Math.floor(random() * 8));
  const y = Float64Array.from({ length: n }, (_v, i) => Number(x[i * 2]! + x[i * 2 + 1]! > 7 !== random() < 0.1));
  const twice = (i: number) => i % 3 === 0;
  const weights = Float64Array.from({ length: n }, (_v, i) => (twice(i) ? 2 : 1));
  const extra = Array.from({ length: n }, (_v, i) => i).filter(twice);
  const xDup = Float64Array.from([...x, ...extra.flatMap((i) => [x[i * 2]!, x[i * 2 + 1]!])]);
  const yDup = Float64Array.from([...y, ...extra.map((i) => y[i]!)]);

  for (const loss of ["squared", "logistic"] as const) {
    it(`weight 2 trains the same model as the row twice (${loss} loss)`, () => {
      // shallow trees: a deep node can miss a value between two others, and then two thresholds split
      // its rows alike and the last bit of rounding picks either
      const options = { loss, trees: 20, learningRate: 0.3, maxDepth: 3, minLeaf: 1, subsample: 1, colsample: 1, bins: 256 };
      const weighted = fitBoostedTrees(x, y, 2, { ...options, weights });
      const duplicated = fitBoostedTrees(xDup, yDup, 2, options);
      expect(weighted.base).toBeCloseTo(duplicated.base, 12);
      expect(weighted.trees.map((t) => [Array.from(t.feature), Array.from(t.threshold)])).toEqual(duplicated.trees.map((t) => [Array.from(t.feature), Array.from(t.threshold)]));
      const a = predictBoostedTrees(weighted, x);
      const b = predictBoostedTrees(duplicated, x);
      for (let i = 0; i < n; i++) expect(a[i]).toBeCloseTo(b[i]!, 10);
      // and the weights do change the model
      expect(predictBoostedTrees(fitBoostedTrees(x, y, 2, options), x)).not.toEqual(a);
    });
  }

  it("starts from the weighted mean; rejects negative weights and a wrong count", () => {
    const one = Float64Array.from([0, 1]);
    expect(fitBoostedTrees(one, Float64Array.from([0, 10]), 1, { trees: 0, weights: Float64Array.from([3, 1]) }).base).toBe(2.5);
    expect(() => fitBoostedTrees(one, Float64Array.from([0, 10]), 1, { weights: Float64Array.from([1, -1]) })).toThrow("weight of row 1 is -1");
    expect(() => fitBoostedTrees(one, Float64Array.from([0, 10]), 1, { weights: Float64Array.from([1]) })).toThrow("weights has 1 values, expected one per row (2)");
  });
});

describe("boostedTreesToJSON / boostedTreesFromJSON", () => {
  const { x, y } = circle(5, 1500);
  for (let i = 0; i < 1500; i += 7) x[i * 3 + 2] = NaN;
  const model = fitBoostedTrees(x, y, 3, { loss: "logistic", trees: 40 });
  const saved = JSON.stringify(boostedTreesToJSON(model));

  it("round-trips through JSON text with identical predictions and importance", () => {
    const back = boostedTreesFromJSON(JSON.parse(saved));
    expect(back.loss).toBe("logistic");
    expect(back.base).toBe(model.base);
    expect(Array.from(predictProbability(back, x))).toEqual(Array.from(predictProbability(model, x)));
    expect(Array.from(featureImportance(back))).toEqual(Array.from(featureImportance(model)));
    expect(JSON.stringify(boostedTreesToJSON(back))).toBe(saved);
  });

  it("names what is wrong with a damaged model", () => {
    const damaged = (edit: (m: BoostedTreesJSON) => void) => {
      const m = JSON.parse(saved) as BoostedTreesJSON;
      edit(m);
      return () => boostedTreesFromJSON(m);
    };
    expect(() => boostedTreesFromJSON(null)).toThrow("boosted trees: not an object");
    expect(damaged((m) => ((m as { loss: string }).loss = "hinge"))).toThrow('loss "hinge" is not "squared" or "logistic"');
    expect(damaged((m) => ((m as { features: unknown }).features = "3"))).toThrow("features is not a positive integer");
    expect(damaged((m) => delete (m.trees[2] as Partial<BoostedTreesJSON["trees"][number]>).gain)).toThrow("boosted trees: tree 2: gain is not an array of finite numbers");
    expect(damaged((m) => m.trees[1]!.value.pop())).toThrow("boosted trees: tree 1: value has");
    expect(damaged((m) => (m.trees[0]!.left[0] = 0))).toThrow("boosted trees: tree 0, node 0: child 0 is not a later node");
    expect(damaged((m) => (m.trees[0]!.feature[0] = 3))).toThrow("boosted trees: tree 0, node 0: feature 3 is not -1 (leaf) or 0..2");
  });
});

describe("fitBoostedTreesAsync", () => {
  it("grows the same model as the synchronous fit and lets timers run between trees", async () => {
    const random = mulberry32(5);
    const n = 2000;
    const x = Float64Array.from({ length: n * 2 }, () => random());
    const y = Float64Array.from({ length: n }, (_v, i) => (x[i * 2]! + 0.3 * x[i * 2 + 1]! > 0.7 ? 1 : 0));
    const options = { loss: "logistic" as const, trees: 20, seed: 3 };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const async = await fitBoostedTreesAsync(x, y, 2, options);
    clearInterval(timer);
    const sync = fitBoostedTrees(x, y, 2, options);
    expect(Array.from(predictBoostedTrees(async, x))).toEqual(Array.from(predictBoostedTrees(sync, x)));
    expect(ticks).toBeGreaterThan(0);
  });
});
