import { describe, expect, it } from "vitest";
import { createScorer, fitDetector, parseDetectorModel, scoreRows } from "./pca-detector";
import { evaluateDetection } from "./evaluate-detection";
import { makeSyntheticRecording, type AnomalyKind } from "./make-synthetic-recording";

// Four rows whose standardised correlation is 0.6: eigenvalues 1.6 along (1,1)/√2 and 0.4 along
// (1,-1)/√2; one component kept (a residual space is always left). Per column sd = √(10/3).
// In-sample: rows (±2,±2) have T² = 2.4/1.6 = 1.5 and Q = 0; rows (1,-1),(-1,1) have T² = 0 and
// Q = 2 · (1/√(10/3))² = 0.6, so the training mean of Q is 0.3. Combined index = (T²/k + Q/0.3)/2:
// 0.75, 0.75, 1, 1.
const TRAIN = [
  [2, 2],
  [-2, -2],
  [1, -1],
  [-1, 1],
];

describe("fitDetector / score (hand-computed)", () => {
  it("computes T², Q, the combined index and the threshold as derived by hand", () => {
    const { model, notes } = fitDetector(["a", "b"], TRAIN, { window: 1, persistence: 1, margin: 1 });
    expect(model.training.components).toBe(1);
    expect(model.eigenvalues[0]).toBeCloseTo(1.6, 10);
    expect(model.qMean).toBeCloseTo(0.3, 10);
    expect(Math.abs(model.loadings[0]![0]!)).toBeCloseTo(Math.SQRT1_2, 10);
    // in-sample (4 rows are too few for out-of-fold blocks): the largest training index, 1
    expect(model.training.thresholdFrom).toBe("in-sample");
    expect(model.threshold).toBeCloseTo(1, 10);
    expect(notes.some((n) => n.includes("in-sample"))).toBe(true);

    const { scores } = scoreRows(model, [
      [3, -3], // across the correlation: T² 0, Q = 2 · 9 · 0.3 = 5.4 -> (0 + 5.4/0.3)/2 = 9
      [3, 3], // along it: t² = 5.4, T² = 5.4/1.6 = 3.375, Q 0 -> 1.6875
      [0, 0],
    ]);
    expect(scores[0]!.score).toBeCloseTo(9, 9);
    expect(scores[0]!.anomaly).toBe(1);
    expect(scores[1]!.score).toBeCloseTo(1.6875, 9);
    expect(scores[1]!.anomaly).toBe(1);
    expect(scores[2]).toEqual({ score: 0, anomaly: 0 });
  });

  it("smooths over the window and flags only after `persistence` rows above the line", () => {
    // training indexes 0.75, 0.75, 1, 1 -> trailing means over 3: 0.75, 0.75, 0.8333, 0.9167 -> threshold 0.9167
    const { model } = fitDetector(["a", "b"], TRAIN, { window: 3, persistence: 2, margin: 1 });
    expect(model.threshold).toBeCloseTo(11 / 12, 10);
    const scorer = createScorer(model);
    const got = [[0, 0], [3, -3], [3, -3], [0, 0], [0, 0], [0, 0]].map((r) => scorer.push(r));
    const t = 11 / 12;
    const expected = [0, 4.5 / t, 6 / t, 6 / t, 3 / t, 0];
    got.forEach((g, i) => expect(g.score).toBeCloseTo(expected[i]!, 9));
    expect(got.map((g) => g.anomaly)).toEqual([0, 0, 1, 1, 1, 0]);
  });

  it("is monotone: a larger departure scores higher", () => {
    const { model } = fitDetector(["a", "b"], TRAIN, { window: 1 });
    const s = [0.5, 1, 2, 4, 8].map((k) => scoreRows(model, [[k, -k]]).scores[0]!.score);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(s[1]! / s[0]!).toBeCloseTo(4, 9); // Q grows with the square of the distance
  });

  it("round-trips through JSON and scores the same", () => {
    const rec = makeSyntheticRecording({ seed: 7, rows: 600, trainRows: 300, kinds: ["step"] });
    const { model } = fitDetector(rec.columns, rec.rows.slice(0, 300));
    const copy = parseDetectorModel(JSON.parse(JSON.stringify(model)));
    expect(scoreRows(copy, rec.rows.slice(300)).scores).toEqual(scoreRows(model, rec.rows.slice(300)).scores);
    expect(() => parseDetectorModel({ kind: "other" })).toThrow(/Not a pca-t2-q detector model/);
  });
});

describe("fitDetector: awkward data", () => {
  it("ignores constant and empty columns, imputes missing cells with the training median and says so", () => {
    const train = [
      [1, 5, null, 10],
      [2, 5, null, null],
      [3, 5, null, 30],
      [4, 5, null, 40],
      [5, 5, null, 50],
    ];
    const { model, notes } = fitDetector(["a", "flat", "gone", "b"], train);
    expect(model.used).toEqual([0, 3]);
    expect(model.ignored).toEqual([
      { column: "flat", reason: "constant (5) in the training rows" },
      { column: "gone", reason: "empty in every training row" },
    ]);
    expect(model.medians).toEqual([3, 5, null, 35]);
    expect(notes).toContain("1 missing cell(s) in the training rows replaced by the column's training median");
    // a missing cell scores as the median; the ignored columns do not count at all
    const a = scoreRows(model, [[3, 999, 1, null]]);
    const b = scoreRows(model, [[3, 5, null, 35]]);
    expect(a.scores[0]!.score).toBe(b.scores[0]!.score);
    expect(a.imputedCells).toBe(1);
  });

  it("falls back with fewer training rows than columns and explains", () => {
    const rec = makeSyntheticRecording({ seed: 3, rows: 20, trainRows: 6 });
    const { model, notes } = fitDetector(rec.columns, rec.rows.slice(0, 6));
    expect(model.training.components).toBeLessThanOrEqual(5);
    expect(notes.some((n) => n.startsWith("only 6 training rows for 8 columns"))).toBe(true);
    for (const s of scoreRows(model, rec.rows.slice(6)).scores) expect(Number.isFinite(s.score)).toBe(true);
  });

  it("refuses fewer than 2 rows and data where nothing varies", () => {
    expect(() => fitDetector(["a"], [[1]])).toThrow("at least 2 training rows (got 1)");
    expect(() => fitDetector(["a", "b"], [[1, 2], [1, 2], [1, 2]])).toThrow(/No column varies/);
  });
});

describe("quality on SKAB-like recordings (1,200 rows, the first 400 anomaly-free)", () => {
  const kinds: AnomalyKind[] = ["step", "drift", "decouple", "burst"];

  it("finds clear anomalies: F1 >= 0.8 on every seed, few false alarms, detection within the segment", () => {
    const f1s: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      // start the kinds at a different one per seed so each kind is tested
      const rec = makeSyntheticRecording({ seed, rows: 1200, trainRows: 400, kinds: [...kinds.slice(seed % 4), ...kinds.slice(0, seed % 4)], magnitude: 4 });
      const { model } = fitDetector(rec.columns, rec.rows.slice(0, 400));
      const { scores } = scoreRows(model, rec.rows.slice(400), rec.rows.slice(0, 400));
      const q = evaluateDetection(rec.labels.slice(400), scores.map((s) => s.anomaly));
      expect(q.f1, `seed ${seed}`).toBeGreaterThanOrEqual(0.8);
      expect(q.falseAlarmRate, `seed ${seed}`).toBeLessThanOrEqual(0.06);
      for (const d of q.delays) expect(d, `seed ${seed}`).not.toBeNull();
      f1s.push(q.f1);
    }
    expect(f1s.reduce((a, b) => a + b, 0) / f1s.length).toBeGreaterThanOrEqual(0.85);
  });

  it("scores anomalous rows higher than normal ones (the score ranks rows)", () => {
    const rec = makeSyntheticRecording({ seed: 11, rows: 1200, trainRows: 400, kinds, magnitude: 4 });
    const { model } = fitDetector(rec.columns, rec.rows.slice(0, 400));
    const { scores } = scoreRows(model, rec.rows.slice(400), rec.rows.slice(0, 400));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const bad = scores.filter((_, i) => rec.labels[400 + i]).map((s) => s.score);
    const good = scores.filter((_, i) => !rec.labels[400 + i]).map((s) => s.score);
    expect(mean(bad)).toBeGreaterThan(3 * mean(good));
    // a typical normal row sits well under the alarm line (the mean is pulled up by the smoothing tails)
    const sorted = [...good].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThan(0.5);
  });

  it("raises at most 5 % false alarms on clean recordings", () => {
    for (const seed of [101, 102, 103, 104, 105]) {
      const rec = makeSyntheticRecording({ seed, rows: 1200, trainRows: 400 });
      const { model } = fitDetector(rec.columns, rec.rows.slice(0, 400));
      const { scores } = scoreRows(model, rec.rows.slice(400), rec.rows.slice(0, 400));
      const rate = scores.filter((s) => s.anomaly).length / scores.length;
      expect(rate, `seed ${seed}`).toBeLessThanOrEqual(0.05);
    }
  });
});
