import { describe, expect, it } from "vitest";
import { mulberry32 } from "@/lib/random";
import { labelRows, pumpFeatures, PUMP_FEATURES } from "./features";
import { HOUR_MS } from "./pump-history";
import { simulatePumpHistory } from "./simulate-pump-history";
import { buildTrainingSet } from "./training-set";

const START = Date.UTC(2025, 0, 1);
const HOURS = 3000;
const HORIZON = 48;
const W = PUMP_FEATURES.length;

// three units, two failures each, far enough apart that no horizon overlaps a downtime
const histories = [
  [500, 2000],
  [900, 2600],
  [1200, 2300],
].map((ats, i) => simulatePumpHistory({ start: START, hours: HOURS, rand: mulberry32(100 + i), failures: ats.map((at, k) => ({ at, mode: k === 0 ? ("bearing" as const) : ("seal" as const) })) }));

const downHours = histories.reduce((s, h) => s + h.failures.reduce((d, f) => d + f.until - f.at, 0), 0);
const keptHours = histories.length * HOURS - downHours;
const positiveHours = 6 * HORIZON;

describe("buildTrainingSet", () => {
  it("leaves out the hours the scorer would skip for lack of data (minCoverage)", () => {
    const all = buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 1, seed: 1 });
    const covered = buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 1, seed: 1, minCoverage: 0.5 });
    const coverage = PUMP_FEATURES.findIndex((f) => f.name === "coverage_24h");
    const expected = Array.from({ length: all.rows }, (_v, r) => all.x[r * W + coverage]!).filter((c) => c >= 0.5).length;
    expect(covered.rows).toBe(expected);
    // the simulated gaps and downtimes leave some hours under half covered, and the first day of each history
    expect(covered.rows).toBeLessThan(all.rows);
    for (let r = 0; r < covered.rows; r++) expect(covered.x[r * W + coverage]).toBeGreaterThanOrEqual(0.5);
  });

  it("with negativeRate 1 holds every kept hour once, weight 1, with its features and label", () => {
    const set = buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 1, seed: 1 });
    expect(set.features).toBe(W);
    expect(set.rows).toBe(keptHours);
    expect(set.x.length).toBe(keptHours * W);
    expect(set.positives).toBe(positiveHours);
    expect(set.y.reduce((s, y) => s + y, 0)).toBe(positiveHours);
    expect(set.w.every((w) => w === 1)).toBe(true);
    // each row is the feature row and label of its source hour
    const features = histories.map((h) => pumpFeatures(h));
    for (const r of [0, 499, 1234, 5000, set.rows - 1]) {
      const hi = set.source.history[r]!;
      const hour = set.source.hour[r]!;
      expect(Array.from(set.x.subarray(r * W, (r + 1) * W))).toEqual(Array.from(features[hi]!.x.subarray(hour * W, (hour + 1) * W)));
      expect(set.y[r]).toBe(labelRows(histories[hi]!, Int32Array.of(hour), HORIZON).y[0]);
    }
    // no hour of a downtime
    for (let r = 0; r < set.rows; r++) {
      const h = histories[set.source.history[r]!]!;
      expect(h.failures.some((f) => set.source.hour[r]! >= f.at && set.source.hour[r]! < f.until)).toBe(false);
    }
  });

  it("keeps every positive and a seeded share of the negatives, weighted back to their count", () => {
    const set = buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 0.1, seed: 7 });
    const negatives = keptHours - positiveHours;
    expect(set.positives).toBe(positiveHours);
    const kept = set.rows - set.positives;
    // binomial(negatives, 0.1): sd ≈ 28 rows
    expect(Math.abs(kept - 0.1 * negatives)).toBeLessThan(5 * Math.sqrt(negatives * 0.1 * 0.9));
    let negativeWeight = 0;
    for (let r = 0; r < set.rows; r++) {
      if (set.y[r] === 1) expect(set.w[r]).toBe(1);
      else {
        expect(set.w[r]).toBeCloseTo(10, 12);
        negativeWeight += set.w[r]!;
      }
    }
    expect(Math.abs(negativeWeight - negatives) / negatives).toBeLessThan(0.05);
    // the same seed picks the same rows; another seed others
    expect(buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 0.1, seed: 7 })).toEqual(set);
    expect(Array.from(buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 0.1, seed: 8 }).source.hour)).not.toEqual(Array.from(set.source.hour));
  });

  it("takes only the hours that start within [fromMs, toMs)", () => {
    // from half past hour 1000 (hour 1001 is the first to start inside) to hour 2400
    const fromMs = START + 1000.5 * HOUR_MS;
    const toMs = START + 2400 * HOUR_MS;
    const set = buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 1, seed: 1, fromMs, toMs });
    const hours = Array.from(set.source.hour);
    expect(Math.min(...hours)).toBe(1001);
    expect(Math.max(...hours)).toBe(2399);
    for (const hour of hours) {
      expect(START + hour * HOUR_MS).toBeGreaterThanOrEqual(fromMs);
      expect(START + hour * HOUR_MS).toBeLessThan(toMs);
    }
    // kept hours in the window: 1399 per unit less the downtime inside it (unit 0 at 2000, 2 at 1200 and 2300)
    const down = (h: (typeof histories)[number]) => h.failures.filter((f) => f.at >= 1001 && f.at < 2400).reduce((s, f) => s + f.until - f.at, 0);
    expect(set.rows).toBe(3 * 1399 - histories.reduce((s, h) => s + down(h), 0));
    // positives: the 48 hours before each failure inside the window (unit 1's at 2600 reaches in from 2552: none)
    expect(set.positives).toBe(3 * HORIZON);
    // a window before every history's start is empty
    expect(buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 1, seed: 1, toMs: START }).rows).toBe(0);
  });

  it("refuses a negative rate outside (0, 1]", () => {
    expect(() => buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 0, seed: 1 })).toThrow(/negativeRate/);
    expect(() => buildTrainingSet(histories, { horizonHours: HORIZON, negativeRate: 1.5, seed: 1 })).toThrow(/negativeRate/);
  });
});
