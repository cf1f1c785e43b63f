import { describe, expect, it } from "vitest";
import { evaluateDetection } from "./evaluate-detection";

describe("evaluateDetection", () => {
  it("counts hits, false and missed alarms and the delay per segment", () => {
    //            normal      segment 1      normal  segment 2
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1] as (0 | 1)[];
    const flags = [0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0] as (0 | 1)[];
    const q = evaluateDetection(labels, flags);
    // tp 2, fp 2, fn 4, tn 4 (6 normal rows, 6 anomalous)
    expect(q.precision).toBe(0.5);
    expect(q.recall).toBeCloseTo(2 / 6, 12);
    expect(q.f1).toBeCloseTo((2 * 0.5 * (1 / 3)) / (0.5 + 1 / 3), 12);
    expect(q.falseAlarmRate).toBeCloseTo(2 / 6, 12); // 6 normal rows, 2 flagged
    expect(q.missedAlarmRate).toBeCloseTo(4 / 6, 12);
    expect(q.delays).toEqual([2, null]);
  });
});
