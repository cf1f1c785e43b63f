import { describe, expect, it } from "vitest";
import { offIntervals, repairFromTelemetry, subtractPlanned } from "./repair-time";

const H = 3_600_000;
const M = 60_000;

describe("offIntervals", () => {
  it("joins off minutes across gaps and leaves a stop still running at the end open", () => {
    expect(
      offIntervals([
        { t: 0, off: false },
        { t: 10 * M, off: true },
        // minutes 11..19 missing: still off
        { t: 20 * M, off: false },
        { t: 30 * M, off: true },
      ]),
    ).toEqual([
      { start: 10 * M, end: 20 * M },
      { start: 30 * M, end: null },
    ]);
  });
});

describe("subtractPlanned", () => {
  it("cuts planned stops out of an interval", () => {
    expect(subtractPlanned({ start: 0, end: 100 }, [{ start: 20, end: 30 }, { start: 90, end: 200 }, { start: -10, end: 5 }])).toEqual([
      { start: 5, end: 20 },
      { start: 30, end: 90 },
    ]);
    expect(subtractPlanned({ start: 0, end: null }, [{ start: 10, end: 20 }])).toEqual([
      { start: 0, end: 10 },
      { start: 20, end: null },
    ]);
  });
});

describe("repairFromTelemetry", () => {
  const failure = 100 * H;

  it("takes the stop after the failure, without the planned stop right before it", () => {
    // on until 96 h, off 96–108 h, on again; a maintenance window covers 96–100 h
    const changes = [
      { t: 90 * H, off: false },
      { t: 96 * H, off: true },
      { t: 108 * H, off: false },
    ];
    expect(repairFromTelemetry(changes, [], failure)).toEqual({ start: 96 * H, end: 108 * H });
    expect(repairFromTelemetry(changes, [{ start: 96 * H, end: 100 * H }], failure)).toEqual({ start: 100 * H, end: 108 * H });
  });

  it("accepts a stop that starts up to 48 h after the failure and one from up to 6 h before", () => {
    const later = [
      { t: 0, off: false },
      { t: failure + 47 * H, off: true },
      { t: failure + 50 * H, off: false },
    ];
    expect(repairFromTelemetry(later, [], failure)).toEqual({ start: failure + 47 * H, end: failure + 50 * H });
    const tooLate = [
      { t: 0, off: false },
      { t: failure + 49 * H, off: true },
      { t: failure + 50 * H, off: false },
    ];
    expect(repairFromTelemetry(tooLate, [], failure)).toBeNull();
    const before = [
      { t: 0, off: false },
      { t: failure - 5 * H, off: true },
      { t: failure + 1 * H, off: false },
    ];
    expect(repairFromTelemetry(before, [], failure)).toEqual({ start: failure - 5 * H, end: failure + 1 * H });
  });

  it("gives up when the stop has not ended, or the unit was already off long before the failure", () => {
    expect(repairFromTelemetry([{ t: 0, off: false }, { t: failure, off: true }], [], failure)).toBeNull();
    expect(
      repairFromTelemetry(
        [
          { t: failure - 24 * H, off: true },
          { t: failure + 2 * H, off: false },
        ],
        [],
        failure,
      ),
    ).toBeNull();
    // a short stop well before the failure is not the failure's
    expect(
      repairFromTelemetry(
        [
          { t: failure - 24 * H, off: true },
          { t: failure - 23 * H, off: false },
          { t: failure + 1 * H, off: true },
          { t: failure + 3 * H, off: false },
        ],
        [],
        failure,
      ),
    ).toEqual({ start: failure + 1 * H, end: failure + 3 * H });
  });
});
