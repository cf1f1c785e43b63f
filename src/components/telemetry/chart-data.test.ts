import { describe, expect, it } from "vitest";
import type { LiveReading } from "@/lib/live-events";
import { mergeLiveReadings, toPlotData, type ChartColumns } from "./chart-data";

const base: ChartColumns = { t: [0, 1000, 2000], min: [1, 2, 3], max: [1, 4, 3], avg: [1, 3, 3], count: [1, 2, 1] };

function reading(ts: number, value: number, extra: Partial<LiveReading> = {}): LiveReading {
  return { seriesId: 1, component: null, metric: "flow_rate", ts, value, min: value, max: value, count: 1, ...extra };
}

describe("chart data", () => {
  it("merges live readings into their epoch-aligned bucket or appends a new one", () => {
    const out = mergeLiveReadings(base, [reading(2500, 7), reading(3100, 5), reading(1500, 9)], 1000, 2000);
    // 1500 is before `since`: already in the fetched buckets
    expect(out).toEqual({ t: [0, 1000, 2000, 3000], min: [1, 2, 3, 5], max: [1, 4, 7, 5], avg: [1, 3, 5, 5], count: [1, 2, 2, 1] });
    expect(base.t).toHaveLength(3); // not mutated
  });

  it("weighs a batch by its count and estimates its mean from its midrange", () => {
    const out = mergeLiveReadings(base, [reading(2999, 8, { min: 2, max: 10, count: 3 })], 1000, 2000);
    expect(out.avg[2]).toBe((3 * 1 + 6 * 3) / 4);
    expect(out.min[2]).toBe(2);
    expect(out.max[2]).toBe(10);
    expect(out.count[2]).toBe(4);
  });

  it("breaks the line over missing buckets and keeps the window of an empty chart", () => {
    const gap: ChartColumns = { t: [0, 1000, 2000, 3000, 7000], min: [1, 1, 1, 1, 1], max: [2, 2, 2, 2, 2], avg: [1.5, 1.5, 1.5, 1.5, 1.5], count: [1, 1, 1, 1, 1] };
    expect(toPlotData(gap, 1000, { from: 0, to: 8000 })).toEqual([
      [0, 1, 2, 3, 4, 7],
      [2, 2, 2, 2, null, 2],
      [1, 1, 1, 1, null, 1],
      [1.5, 1.5, 1.5, 1.5, null, 1.5],
    ]);
    expect(toPlotData({ t: [], min: [], max: [], avg: [], count: [] }, 1000, { from: 10_000, to: 20_000 })[0]).toEqual([10, 20]);
    // readings every 10 s in 1 s buckets are a line, not gaps
    const sparse: ChartColumns = { t: [0, 10_000, 20_000, 30_000], min: [1, 1, 1, 1], max: [1, 1, 1, 1], avg: [1, 1, 1, 1], count: [1, 1, 1, 1] };
    expect(toPlotData(sparse, 1000, { from: 0, to: 40_000 })[3]).toEqual([1, 1, 1, 1]);
  });
});
