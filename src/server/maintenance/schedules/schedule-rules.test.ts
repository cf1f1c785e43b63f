import { describe, expect, it } from "vitest";
import {
  addCalendarDays,
  checklistForOrder,
  conditionWindowStart,
  describeCounterReset,
  evaluateCondition,
  evaluateMeter,
  isCounterReset,
  isTimeDue,
  latestCounterReset,
  meterBaseline,
  meterResetTolerance,
  nextMeterBaseline,
  nextTimeDue,
  opensAt,
  resetBaselineAt,
  resetSearchStart,
  scheduleProblems,
  timeProgress,
  zoneOffsetMs,
  type CounterDrop,
  type MinuteBucket,
  type ScheduleFields,
} from "./schedule-rules";

const base: ScheduleFields = {
  kind: "time",
  intervalDays: null,
  meterMetricKey: null,
  meterInterval: null,
  conditionMetricKey: null,
  conditionOp: null,
  conditionThreshold: null,
  conditionHoldMinutes: null,
  leadTimeDays: 0,
};

describe("scheduleProblems", () => {
  it("names the missing field of each kind", () => {
    expect(scheduleProblems({ ...base, kind: "time" }).map((p) => p.field)).toEqual(["intervalDays"]);
    expect(scheduleProblems({ ...base, kind: "meter", meterMetricKey: "lamp_hours" }).map((p) => p.field)).toEqual(["meterInterval"]);
    expect(scheduleProblems({ ...base, kind: "condition", conditionMetricKey: "filter_dp", conditionOp: ">", conditionThreshold: 1 }).map((p) => p.field)).toEqual([
      "conditionHoldMinutes",
    ]);
    expect(scheduleProblems({ ...base, kind: "condition" }).map((p) => p.field)).toEqual(["conditionMetricKey", "conditionOp", "conditionThreshold", "conditionHoldMinutes"]);
  });

  it("refuses values out of range and a lead time as long as the interval", () => {
    expect(scheduleProblems({ ...base, intervalDays: 0 })[0]!.message).toBe("intervalDays: Enter how many days between orders as a whole number (1 to 3650).");
    expect(scheduleProblems({ ...base, intervalDays: 7, leadTimeDays: 7 })[0]!.field).toBe("leadTimeDays");
    expect(scheduleProblems({ ...base, kind: "meter", meterMetricKey: "energy", meterInterval: -1 })[0]!.field).toBe("meterInterval");
    expect(scheduleProblems({ ...base, kind: "condition", conditionMetricKey: "x", conditionOp: ">=", conditionThreshold: 1, conditionHoldMinutes: 5 })[0]!.field).toBe("conditionOp");
    expect(scheduleProblems({ ...base, intervalDays: 30, leadTimeDays: 7 })).toEqual([]);
  });

  it("leads every message with the field it names, for the BAD_REQUEST and the form's mapping", () => {
    const problems = scheduleProblems({ ...base, kind: "condition", leadTimeDays: -1 });
    expect(problems.length).toBe(5);
    for (const p of problems) expect(p.message.startsWith(`${p.field}: `)).toBe(true);
  });
});

describe("calendar days in the site's time zone", () => {
  it("keeps the local wall-clock time across daylight-saving changes", () => {
    // 08:00 in Berlin on 28 March 2026 (CET, +1) -> 08:00 on 29 March (CEST, +2)
    const at = new Date("2026-03-28T07:00:00.000Z");
    expect(zoneOffsetMs(at, "Europe/Berlin")).toBe(3_600_000);
    expect(addCalendarDays(at, 1, "Europe/Berlin").toISOString()).toBe("2026-03-29T06:00:00.000Z");
    expect(addCalendarDays(new Date("2026-10-24T06:00:00.000Z"), 1, "Europe/Berlin").toISOString()).toBe("2026-10-25T07:00:00.000Z");
    expect(addCalendarDays(at, -1, "UTC").toISOString()).toBe("2026-03-27T07:00:00.000Z");
    expect(addCalendarDays(new Date("2026-01-01T00:00:00.123Z"), 30, "UTC").toISOString()).toBe("2026-01-31T00:00:00.123Z");
  });
});

describe("time-based schedules", () => {
  const tz = "UTC";
  const due = new Date("2026-06-30T08:00:00.000Z");

  it("opens the order lead-time days before the due date", () => {
    expect(opensAt(due, 7, tz).toISOString()).toBe("2026-06-23T08:00:00.000Z");
    expect(isTimeDue({ nextDueAt: due, leadTimeDays: 7 }, new Date("2026-06-23T07:59:59.999Z"), tz)).toBe(false);
    expect(isTimeDue({ nextDueAt: due, leadTimeDays: 7 }, new Date("2026-06-23T08:00:00.000Z"), tz)).toBe(true);
    expect(isTimeDue({ nextDueAt: due, leadTimeDays: 0 }, new Date("2026-06-29T08:00:00.000Z"), tz)).toBe(false);
  });

  it("moves on by the interval from the previous due date, skipping dates already passed", () => {
    expect(nextTimeDue(due, 30, new Date("2026-06-23T08:00:00.000Z"), tz).toISOString()).toBe("2026-07-30T08:00:00.000Z");
    // completed late: the calendar does not drift
    expect(nextTimeDue(due, 30, new Date("2026-07-10T00:00:00.000Z"), tz).toISOString()).toBe("2026-07-30T08:00:00.000Z");
    // two intervals missed: one order, the next date after now
    expect(nextTimeDue(due, 30, new Date("2026-09-01T00:00:00.000Z"), tz).toISOString()).toBe("2026-09-28T08:00:00.000Z");
  });

  it("measures progress through the interval", () => {
    expect(timeProgress(due, 10, new Date("2026-06-25T08:00:00.000Z"), tz)).toBeCloseTo(0.5, 10);
    expect(timeProgress(due, 10, new Date("2026-07-05T08:00:00.000Z"), tz)).toBeCloseTo(1.5, 10);
    expect(timeProgress(due, 10, new Date("2026-06-01T08:00:00.000Z"), tz)).toBe(0);
  });
});

describe("meter-based schedules", () => {
  const now = new Date("2026-05-01T00:00:00.000Z");

  it("is due at baseline + interval, earlier by the lead time at the recent rate", () => {
    // 9000 h lamp: 8800 h so far, 24 h/day, 7 days lead = 168 h -> opens at 8832 h
    const m = { value: 8800, ratePerDay: 24, lastMeterValue: 0, meterInterval: 9000, leadTimeDays: 7 };
    const e = evaluateMeter(m, now);
    expect(e).toMatchObject({ threshold: 9000, leadUnits: 168, due: false });
    expect(e.progress).toBeCloseTo(8800 / 9000, 12);
    expect(e.estimatedDueAt?.toISOString()).toBe("2026-05-09T08:00:00.000Z"); // 200 h / 24 h per day = 8 d 8 h
    expect(evaluateMeter({ ...m, value: 8832 }, now).due).toBe(true);
    expect(evaluateMeter({ ...m, value: 8831.9 }, now).due).toBe(false);
  });

  it("without a rate uses no lead time and cannot estimate the date", () => {
    const e = evaluateMeter({ value: 50, ratePerDay: null, lastMeterValue: 0, meterInterval: 100, leadTimeDays: 30 }, now);
    expect(e).toMatchObject({ leadUnits: 0, due: false, estimatedDueAt: null, progress: 0.5 });
    expect(evaluateMeter({ value: 100, ratePerDay: 0, lastMeterValue: 0, meterInterval: 100, leadTimeDays: 30 }, now)).toMatchObject({ due: true, estimatedDueAt: now });
  });

  it("moves the baseline to the threshold, skipping whole intervals already passed", () => {
    expect(nextMeterBaseline(9000, 9000, 8850)).toBe(9000);
    expect(nextMeterBaseline(100, 100, 130)).toBe(100);
    expect(nextMeterBaseline(100, 100, 350)).toBe(300);
  });
});

describe("counter resets", () => {
  const t0 = Date.parse("2026-09-01T10:05:00.000Z");
  const tol = meterResetTolerance(9000);
  const drop = (d: Partial<CounterDrop>): CounterDrop => ({ bucket: t0, before: 9010, min: 0, last: 0.2, laterMax: 1.2, ...d });

  it("needs a fall of more than 1 % of the interval and more than 1 unit", () => {
    expect(tol).toBe(90);
    expect(meterResetTolerance(50)).toBe(1);
    expect(meterResetTolerance(250_000)).toBe(2500);
  });

  it("is a reset when the counter fell clearly and stayed down", () => {
    expect(isCounterReset(drop({}), tol)).toBe(true);
    // a rolled-over energy meter: 99,990 kWh -> 3 kWh, still low since
    expect(isCounterReset({ bucket: t0, before: 99_990, min: 3, last: 4, laterMax: 600 }, meterResetTolerance(10_000))).toBe(true);
  });

  it("is noise when the fall is within the tolerance: float jitter, a re-sent older reading", () => {
    expect(isCounterReset(drop({ before: 8800.000001, min: 8800, last: 8800, laterMax: 8801 }), tol)).toBe(false);
    expect(isCounterReset(drop({ before: 8800, min: 8750, last: 8750, laterMax: 8760 }), tol)).toBe(false);
    // a small interval: 1 unit at least
    expect(isCounterReset({ bucket: t0, before: 30.4, min: 29.6, last: 29.6, laterMax: 29.9 }, meterResetTolerance(20))).toBe(false);
    expect(isCounterReset({ bucket: t0, before: 30.4, min: 29.3, last: 29.3, laterMax: 29.35 }, meterResetTolerance(20))).toBe(true);
  });

  it("is a glitch when the counter comes back (a ballast sending 0 once while it boots)", () => {
    expect(isCounterReset(drop({ laterMax: 9011 }), tol)).toBe(false);
    // back only to within the tolerance of the old value: still the old counter
    expect(isCounterReset(drop({ laterMax: 8925 }), tol)).toBe(false);
    // the minute itself ended high again: one low reading inside it
    expect(isCounterReset(drop({ min: 0, last: 9010.1 }), tol)).toBe(false);
  });

  it("waits for a later minute before it believes a reset", () => {
    expect(isCounterReset(drop({ laterMax: null }), tol)).toBe(false);
  });

  it("takes the latest reset among the drops", () => {
    const first = drop({ bucket: t0, before: 5000, min: 0, last: 0.1, laterMax: 40 });
    const glitch = drop({ bucket: t0 + 3_600_000, before: 39, min: 0, last: 0, laterMax: 39.5 }); // within tolerance
    const second = drop({ bucket: t0 + 7_200_000, before: 120, min: 0, last: 0, laterMax: 2 });
    expect(latestCounterReset([first, glitch], tol)).toEqual({ at: new Date(t0), from: 5000, to: 0 });
    expect(latestCounterReset([second, glitch, first], tol)).toEqual({ at: new Date(t0 + 7_200_000), from: 120, to: 0 });
    expect(latestCounterReset([drop({ laterMax: null })], tol)).toBeNull();
    expect(latestCounterReset([], tol)).toBeNull();
  });

  it("searches the minutes that ended after the baseline was set, so a stored reset is not found again", () => {
    expect(resetSearchStart(new Date("2026-09-01T10:05:30.000Z"))).toBe(Date.parse("2026-09-01T10:05:00.000Z"));
    const reset = { at: new Date(t0), from: 9010, to: 0 };
    expect(resetBaselineAt(reset).toISOString()).toBe("2026-09-01T10:06:00.000Z");
    expect(resetSearchStart(resetBaselineAt(reset))).toBe(t0 + 60_000);
  });

  describe("meterBaseline", () => {
    const createdAt = new Date("2026-01-01T00:00:00.000Z");
    const reset = { at: new Date(t0), from: 9010, to: 0 };

    it("keeps a lead-time baseline above the counter: the value is never compared with the baseline", () => {
      // the order opened at 8,832 h for 9,000 h; the counter reads 8,800 h after a re-sent value: no reset found, no restart
      const stored = { lastMeterValue: 9000, meterBaselineAt: new Date(t0 - 86_400_000), createdAt };
      expect(meterBaseline(stored, null)).toEqual({ value: 9000, at: stored.meterBaselineAt, restartedBy: null });
      const e = evaluateMeter({ value: 8800, ratePerDay: 24, lastMeterValue: 9000, meterInterval: 9000, leadTimeDays: 7 }, new Date(t0));
      expect(e).toMatchObject({ threshold: 18_000, due: false, progress: 0 });
    });

    it("restarts from 0 at the end of the reset minute when the reset came after the baseline", () => {
      const stored = { lastMeterValue: 9000, meterBaselineAt: new Date(t0 - 86_400_000), createdAt };
      const b = meterBaseline(stored, reset);
      expect(b).toEqual({ value: 0, at: new Date(t0 + 60_000), restartedBy: reset });
      // the new lamp at 120 h: 120 of 9,000 h, not -8,880 h
      expect(evaluateMeter({ value: 120, ratePerDay: 24, lastMeterValue: b.value, meterInterval: 9000, leadTimeDays: 0 }, new Date(t0))).toMatchObject({
        threshold: 9000,
        due: false,
        progress: 120 / 9000,
      });
    });

    it("ignores a reset the stored baseline already holds: persisting is idempotent", () => {
      const persisted = { lastMeterValue: 0, meterBaselineAt: resetBaselineAt(reset), createdAt };
      expect(meterBaseline(persisted, reset)).toEqual({ value: 0, at: resetBaselineAt(reset), restartedBy: null });
      // an order opened later moved the baseline on: the old reset stays behind it
      const later = { lastMeterValue: 9000, meterBaselineAt: new Date(t0 + 86_400_000), createdAt };
      expect(meterBaseline(later, reset).restartedBy).toBeNull();
    });

    it("counts a row without meterBaselineAt from the schedule's creation", () => {
      expect(meterBaseline({ lastMeterValue: 95_000, meterBaselineAt: null, createdAt }, null)).toEqual({ value: 95_000, at: createdAt, restartedBy: null });
      expect(meterBaseline({ lastMeterValue: 95_000, meterBaselineAt: null, createdAt }, reset).value).toBe(0);
      expect(meterBaseline({ lastMeterValue: 95_000, meterBaselineAt: null, createdAt: new Date(t0 + 60_000) }, reset).value).toBe(95_000);
    });
  });

  it("describes the reset for the schedule's history", () => {
    expect(describeCounterReset({ at: new Date(t0), from: 9010.25, to: 0 }, "h")).toBe("counter reset detected at 2026-09-01T10:05:00.000Z (from 9010.25 h to 0 h): interval restarted");
  });
});

describe("condition-based schedules", () => {
  const t0 = Date.parse("2026-04-01T10:00:00.000Z");
  const minutes = (values: [number, number][], from = t0): MinuteBucket[] => values.map(([min, max], i) => ({ bucket: from + i * 60_000, min, max }));
  const steady = (n: number, v: number) => Array.from({ length: n }, () => [v, v] as [number, number]);

  it("holds when every minute's min is above the threshold for the hold time", () => {
    const now = new Date(t0 + 30 * 60_000);
    const r = evaluateCondition({ buckets: minutes(steady(30, 1.4)), op: ">", threshold: 1, holdMinutes: 30, now, windowStart: t0 - 60 * 60_000, storedSince: null });
    expect(r).toMatchObject({ holding: true, heldMinutes: 30, held: true, progress: 1 });
    expect(r.since?.getTime()).toBe(t0);
    expect(r.heldAt?.getTime()).toBe(t0 + 30 * 60_000);
  });

  it("is broken by a dip (one minute's min below), by a gap, and ignores the minute still in progress", () => {
    const now = new Date(t0 + 30 * 60_000);
    const vals = steady(30, 1.4);
    vals[12] = [0.95, 1.3]; // the minimum dipped below 1 bar
    const dip = evaluateCondition({ buckets: minutes(vals), op: ">", threshold: 1, holdMinutes: 30, now, windowStart: t0 - 3_600_000, storedSince: null });
    expect(dip).toMatchObject({ holding: true, heldMinutes: 17, held: false });
    expect(dip.since?.getTime()).toBe(t0 + 13 * 60_000);
    const gap = minutes(steady(30, 1.4)).filter((_, i) => i !== 20);
    expect(evaluateCondition({ buckets: gap, op: ">", threshold: 1, holdMinutes: 30, now, windowStart: t0 - 3_600_000, storedSince: null }).heldMinutes).toBe(9);
    // at 10:29:30 minute 29 is not complete: 29 minutes held
    const early = evaluateCondition({ buckets: minutes(steady(30, 1.4)), op: ">", threshold: 1, holdMinutes: 30, now: new Date(t0 + 29.5 * 60_000), windowStart: t0 - 3_600_000, storedSince: null });
    expect(early).toMatchObject({ heldMinutes: 29, held: false });
  });

  it("for '<' needs every minute's max below the threshold", () => {
    const now = new Date(t0 + 5 * 60_000);
    const vals: [number, number][] = [[10, 15], [10, 19], [10, 20], [12, 18], [11, 19.9]];
    const r = evaluateCondition({ buckets: minutes(vals), op: "<", threshold: 20, holdMinutes: 2, now, windowStart: t0 - 3_600_000, storedSince: null });
    expect(r).toMatchObject({ holding: true, heldMinutes: 2, held: true });
    expect(r.heldAt?.getTime()).toBe(t0 + 5 * 60_000);
  });

  it("is not holding when the latest minute fails", () => {
    const now = new Date(t0 + 3 * 60_000);
    expect(evaluateCondition({ buckets: minutes([[2, 2], [2, 2], [0.5, 2]]), op: ">", threshold: 1, holdMinutes: 1, now, windowStart: t0, storedSince: null })).toMatchObject({
      holding: false,
      since: null,
      held: false,
    });
  });

  it("continues the stored run when the unbroken run reaches the start of the window", () => {
    const now = new Date(t0 + 10 * 60_000);
    const windowStart = conditionWindowStart(now, 5);
    expect(windowStart).toBe(t0 + 10 * 60_000 - 65 * 60_000);
    const buckets = minutes(steady(65, 3), windowStart);
    const stored = new Date(windowStart - 5 * 3_600_000);
    const r = evaluateCondition({ buckets, op: ">", threshold: 1, holdMinutes: 5, now, windowStart, storedSince: stored });
    expect(r.since).toEqual(stored);
    expect(r.heldAt?.getTime()).toBe(stored.getTime() + 5 * 60_000);
    // a run that started inside the window ignores an older stored start
    const fresh = evaluateCondition({ buckets: buckets.slice(10), op: ">", threshold: 1, holdMinutes: 5, now, windowStart, storedSince: stored });
    expect(fresh.since?.getTime()).toBe(windowStart + 10 * 60_000);
  });
});

describe("checklists", () => {
  it("turns labels into unticked items", () => {
    expect(checklistForOrder(["Replace lamp", " ", { label: "Log hours" }, 3])).toEqual([
      { label: "Replace lamp", done: false },
      { label: "Log hours", done: false },
    ]);
    expect(checklistForOrder(null)).toBeNull();
  });
});
