import { describe, expect, it } from "vitest";
import { accuracyAt, auc, baseRate, bestF1Threshold, brier, evaluateRisk, logLoss, precisionRecallAt } from "./evaluate-risk";
import { mulberry32 } from "@/lib/random";

describe("auc", () => {
  it("counts pairs, a tie as one half", () => {
    // positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: 0.35 beats 0.1 (1), 0.8 beats both (2),
    // 0.4 beats 0.1 and ties 0.4 (1.5): 4.5 of 6 pairs
    expect(auc([0.1, 0.4, 0.35, 0.8, 0.4], [0, 0, 1, 1, 1])).toBe(0.75);
    expect(auc([0.2, 0.9, 0.1], [0, 1, 0])).toBe(1);
    expect(auc([0.2, 0.9, 0.1], [1, 0, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1])).toBe(0.5);
  });

  it("is null when the labels hold one class only", () => {
    expect(auc([0.2, 0.3], [0, 0])).toBeNull();
    expect(auc([0.2, 0.3], [1, 1])).toBeNull();
  });

  it("agrees with counting every pair on lists with many ties", () => {
    const random = mulberry32(3);
    for (let round = 0; round < 5; round++) {
      const n = 300;
      const scores = Array.from({ length: n }, () => Math.round(random() * 10) / 10);
      const labels = scores.map((s) => Number(random() < s));
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (labels[i] !== 1 || labels[j] !== 0) continue;
          pairs++;
          wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
      expect(auc(scores, labels)).toBeCloseTo(wins / pairs, 12);
    }
  });

  it("takes a million rows (1,000 distinct scores, so nearly every pair is compared through ties)", () => {
    const n = 1_000_000;
    const scores = new Float64Array(n);
    const labels = new Uint8Array(n);
    // per distinct score: how many positive and negative rows
    const pos = new Float64Array(1000);
    const neg = new Float64Array(1000);
    for (let i = 0; i < n; i++) {
      const v = (i * 7919) % 1000;
      scores[i] = v / 1000;
      labels[i] = (i * 31) % 1000 < v ? 1 : 0;
      if (labels[i]) pos[v]!++;
      else neg[v]!++;
    }
    let wins = 0;
    let negativesBelow = 0;
    for (let v = 0; v < 1000; v++) {
      wins += pos[v]! * (negativesBelow + 0.5 * neg[v]!);
      negativesBelow += neg[v]!;
    }
    const positives = pos.reduce((a, b) => a + b, 0);
    expect(auc(scores, labels)).toBe(wins / (positives * (n - positives)));
  });
});

describe("brier, logLoss, baseRate", () => {
  it("brier: the mean squared error of the probabilities", () => {
    // (0.1² + 0.2² + 0.6²) / 3
    expect(brier([0.9, 0.2, 0.6], [1, 0, 0])).toBeCloseTo(0.41 / 3, 15);
    expect(brier([0.5, 0.5], [1, 0])).toBe(0.25);
  });

  it("logLoss: the mean negative log-likelihood, with scores clipped away from 0 and 1", () => {
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 15);
    // a certain miss costs -ln(1e-15), not Infinity
    expect(logLoss([0], [1])).toBeCloseTo(34.538776, 5);
    expect(logLoss([1, 0], [1, 0])).toBeCloseTo(0, 12);
  });

  it("baseRate: the share of positive labels", () => {
    expect(baseRate([0, 1, 0, 0])).toBe(0.25);
  });
});

describe("accuracy, precision and recall at a threshold", () => {
  const scores = [0.9, 0.2, 0.6, 0.5];
  const labels = [1, 0, 0, 1];

  it("flags a score at or above the threshold", () => {
    // flags 1 0 1 1 against labels 1 0 0 1: three right
    expect(accuracyAt(scores, labels, 0.5)).toBe(0.75);
    // TP 2 (0.9, 0.5), FP 1 (0.6), FN 0
    expect(precisionRecallAt(scores, labels, 0.5)).toEqual({ precision: 2 / 3, recall: 1, f1: 0.8 });
    // TP 1 (0.9), FP 1 (0.6), FN 1: F1 = 2 / (2 + 1 + 1)
    expect(precisionRecallAt(scores, labels, 0.55)).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it("has no precision when nothing is flagged", () => {
    expect(precisionRecallAt(scores, labels, 0.95)).toEqual({ precision: null, recall: 0, f1: 0 });
    expect(accuracyAt(scores, labels, 0.95)).toBe(0.5);
  });
});

describe("bestF1Threshold", () => {
  it("picks the score that maximises F1", () => {
    // thresholds 0.9 .. 0.3 flag TP/FP 1/0, 1/1, 2/1, 3/1, 3/2, 3/3: F1 0.5, 0.4, 0.67, 0.86, 0.75, 0.67
    expect(bestF1Threshold([0.9, 0.8, 0.7, 0.6, 0.5, 0.3], [1, 0, 1, 1, 0, 0])).toEqual({ threshold: 0.6, f1: 6 / 7 });
    // tied scores move together: 0.9 -> F1 0, 0.7 (both rows) -> 0.4, 0.2 -> 0.67
    expect(bestF1Threshold([0.9, 0.7, 0.7, 0.2], [0, 1, 0, 1])).toEqual({ threshold: 0.2, f1: 4 / 6 });
  });

  it("of equally good thresholds takes the highest (fewer alarms)", () => {
    // 0.9 -> F1 2/3 and 0.6 -> 2/3 too
    expect(bestF1Threshold([0.9, 0.8, 0.7, 0.6], [1, 0, 0, 1]).threshold).toBe(0.9);
  });

  it("agrees with trying every score", () => {
    const random = mulberry32(8);
    for (let round = 0; round < 5; round++) {
      const scores = Array.from({ length: 200 }, () => Math.round(random() * 20) / 20);
      const labels = scores.map((s) => Number(random() < s * s));
      const best = bestF1Threshold(scores, labels);
      const f1 = (t: number) => precisionRecallAt(scores, labels, t).f1;
      expect(best.f1).toBe(f1(best.threshold));
      for (const t of new Set(scores)) expect(f1(t) < best.f1 || (f1(t) === best.f1 && t <= best.threshold)).toBe(true);
    }
  });
});

describe("evaluateRisk", () => {
  it("returns every metric in one object", () => {
    const scores = [0.9, 0.2, 0.6, 0.5];
    const labels = [1, 0, 0, 1];
    expect(evaluateRisk(scores, labels, 0.5)).toEqual({
      n: 4,
      positives: 2,
      baseRate: 0.5,
      // positives 0.9, 0.5 against 0.2, 0.6: 3 of 4 pairs
      auc: 0.75,
      brier: brier(scores, labels),
      logLoss: logLoss(scores, labels),
      threshold: 0.5,
      accuracy: 0.75,
      precision: 2 / 3,
      recall: 1,
      f1: 0.8,
    });
    expect(evaluateRisk([0.3, 0.8], [1, 1], 0.5).auc).toBeNull();
  });

  it("names the problem with its input", () => {
    expect(() => evaluateRisk([0.1, 0.2], [0], 0.5)).toThrow("2 scores but 1 labels: one of each per row");
    expect(() => evaluateRisk([], [], 0.5)).toThrow("no rows to evaluate");
    expect(() => auc([0.1, 0.2], [0, 2])).toThrow("label of row 1 is 2: labels must be 0 or 1");
    expect(() => brier([0.1, 1.5], [0, 1])).toThrow("score of row 1 is 1.5: scores must be probabilities in [0, 1]");
    expect(() => logLoss([NaN], [1])).toThrow("score of row 0 is NaN");
    expect(() => accuracyAt([0.1], [1], NaN)).toThrow("the threshold is NaN");
    expect(() => evaluateRisk([0.1, 0.2], [0, 0], 0.5)).toThrow("no positive rows: recall is undefined");
    expect(() => bestF1Threshold([0.1, 0.2], [0, 0])).toThrow("no positive rows: F1 is undefined");
    expect(() => baseRate([])).toThrow("no rows to evaluate");
  });
});
