import { describe, expect, it } from "vitest";
import { hasRepeatedKey, rollupRows, sortedRows } from "./store";
import { float8ArrayBinary, int4ArrayBinary, timestamptzArrayBinary } from "./pg-binary";

function rows(items: [number, number, number][]) {
  return sortedRows(Int32Array.from(items.map((r) => r[0])), Float64Array.from(items.map((r) => r[1])), Float64Array.from(items.map((r) => r[2])));
}

describe("sortedRows", () => {
  it("orders by series then time, keeping the first of equal keys first", () => {
    const r = rows([
      [7, 300, 1],
      [3, 200, 2],
      [7, 100, 3],
      [3, 200, 4],
      [3, 100, 5],
      [5, 50, 6],
    ]);
    expect(Array.from(r.s)).toEqual([3, 3, 3, 5, 7, 7]);
    expect(Array.from(r.t)).toEqual([100, 200, 200, 50, 100, 300]);
    expect(Array.from(r.v)).toEqual([5, 2, 4, 6, 3, 1]);
    expect(hasRepeatedKey(r)).toBe(true);
  });

  it("sees no repeated key when (series, ts) are all distinct", () => {
    expect(hasRepeatedKey(rows([[1, 10, 0], [2, 10, 0], [1, 11, 0]]))).toBe(false);
    expect(hasRepeatedKey(rows([]))).toBe(false);
  });
});

describe("rollupRows", () => {
  it("aggregates min, max, sum, count and the last value per series and bucket", () => {
    const r = rows([
      [1, 59_999, 5],
      [1, 0, 2],
      [1, 60_000, 9],
      [2, 30_000, -1],
      [1, 30_000, 7],
    ]);
    expect(rollupRows(r, 60_000)).toEqual({
      series: [1, 1, 2],
      bucket: [0, 60_000, 0],
      min: [2, 9, -1],
      max: [7, 9, -1],
      sum: [14, 9, -1],
      count: [3, 1, 1],
      last: [5, 9, -1],
      lastTs: [59_999, 60_000, 30_000],
    });
    const latest = rollupRows(r, Infinity);
    expect(latest.series).toEqual([1, 2]);
    expect(latest.last).toEqual([9, -1]);
    expect(latest.lastTs).toEqual([60_000, 30_000]);
  });

  it("puts times before the epoch in the bucket that starts at or before them", () => {
    expect(rollupRows(rows([[1, -1, 1]]), 3_600_000).bucket).toEqual([-3_600_000]);
  });
});

describe("binary arrays", () => {
  it("writes the array_send layout: dimensions, element type, then length-prefixed elements", () => {
    const b = int4ArrayBinary([1, -2]);
    expect([b.readInt32BE(0), b.readInt32BE(4), b.readInt32BE(8), b.readInt32BE(12), b.readInt32BE(16)]).toEqual([1, 0, 23, 2, 1]);
    expect([b.readInt32BE(20), b.readInt32BE(24), b.readInt32BE(28), b.readInt32BE(32)]).toEqual([4, 1, 4, -2]);
    expect(b.length).toBe(36);
    const empty = float8ArrayBinary([]);
    expect([empty.readInt32BE(0), empty.readInt32BE(8), empty.length]).toEqual([0, 701, 12]);
  });

  it("keeps float64 bits, -0 included", () => {
    const values = [0.1 + 0.2, -0, 5e-324, Number.MAX_VALUE, -123.456];
    const b = float8ArrayBinary(values);
    const back = values.map((_, i) => b.readDoubleBE(20 + i * 12 + 4));
    expect(back).toEqual(values);
    expect(Object.is(back[1], -0)).toBe(true);
  });

  it("writes timestamps as microseconds since 2000-01-01, exact near and far from it", () => {
    const ms = [Date.parse("2000-01-01T00:00:00.000Z"), Date.parse("2026-11-27T10:00:00.123Z"), Date.parse("1969-12-31T23:59:59.999Z"), Date.parse("2300-06-01T00:00:00.001Z"), -8.64e15];
    const b = timestamptzArrayBinary(ms);
    expect(b.readInt32BE(8)).toBe(1184);
    const back = ms.map((_, i) => b.readBigInt64BE(20 + i * 12 + 4));
    expect(back).toEqual(ms.map((m) => BigInt(m) * 1000n - 946_684_800_000_000n));
  });
});
