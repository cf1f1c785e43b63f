import { describe, expect, it } from "vitest";
import { checkInputProblem, instrumentStatus, judgeCheck, outOfCalibrationIntervals, type StoredCheck } from "./calibration-rules";

const uv = (instrumentReading: number, ...referenceReadings: number[]) => ({ instrument: "uv_sensor" as const, instrumentReading, referenceReadings });
const uvt = (online: number, lab: number) => ({ instrument: "uvt_analyser" as const, instrumentReading: online, referenceReadings: [lab] });

describe("judging a check", () => {
  it("compares the duty UV sensor with the mean of its reference readings: ±10 % pass, to ±20 % drift, beyond fail", () => {
    expect(judgeCheck(uv(50, 50))).toEqual({ reference: 50, deviation: 0, result: "pass" });
    // the mean of three references: (48 + 50 + 52) / 3 = 50
    expect(judgeCheck(uv(55, 48, 50, 52))).toMatchObject({ reference: 50, result: "pass" });
    expect(judgeCheck(uv(55, 48, 50, 52)).deviation).toBeCloseTo(0.1, 12);
    expect(judgeCheck(uv(45, 50)).result).toBe("pass"); // −10 %, on the edge
    expect(judgeCheck(uv(44.9, 50)).result).toBe("drift");
    expect(judgeCheck(uv(60, 50)).result).toBe("drift"); // +20 %, on the edge
    expect(judgeCheck(uv(60.1, 50)).result).toBe("fail");
    expect(judgeCheck(uv(30, 40))).toMatchObject({ deviation: -0.25, result: "fail" });
    // a dead sensor reading 0 against a lit lamp is out of calibration
    expect(judgeCheck(uv(0, 40)).result).toBe("fail");
  });

  it("compares the online UVT with the lab: under 2 % UVT passes", () => {
    expect(judgeCheck(uvt(91.5, 90))).toMatchObject({ deviation: 1.5, result: "pass" });
    expect(judgeCheck(uvt(88.1, 90)).result).toBe("pass");
    expect(judgeCheck(uvt(92, 90)).result).toBe("fail");
    expect(judgeCheck(uvt(87.5, 90))).toMatchObject({ deviation: -2.5, result: "fail" });
  });

  it("names what is wrong with the readings", () => {
    expect(checkInputProblem(uv(50, 50))).toBeNull();
    expect(checkInputProblem(uv(50))).toBe("enter at least one reference sensor reading");
    expect(checkInputProblem(uv(50, 1, 2, 3, 4))).toBe("at most 3 reference readings");
    expect(checkInputProblem(uv(50, 0))).toBe("a reference sensor reading must be above 0 W/m² (got 0); take it with the lamps on");
    expect(checkInputProblem(uv(-1, 50))).toBe("the duty sensor reading must not be negative (got -1 W/m²)");
    expect(checkInputProblem(uv(Number.NaN, 50))).toBe("the instrument reading must be a number");
    expect(checkInputProblem(uv(50, Number.POSITIVE_INFINITY))).toBe("every reference reading must be a number");
    expect(checkInputProblem({ instrument: "uvt_analyser", instrumentReading: 90, referenceReadings: [] })).toBe("enter the lab UVT");
    expect(checkInputProblem({ instrument: "uvt_analyser", instrumentReading: 90, referenceReadings: [90, 91] })).toBe("a UVT analyser check has one lab UVT");
    expect(checkInputProblem(uvt(101, 90))).toBe("the online UVT must be above 0 and at most 100 % (got 101 %)");
    expect(checkInputProblem(uvt(90, 0))).toBe("the lab UVT must be above 0 and at most 100 % (got 0 %)");
  });
});

describe("out-of-calibration intervals", () => {
  const at = (iso: string) => new Date(iso);
  const check = (componentId: string, iso: string, result: StoredCheck["result"], instrument: StoredCheck["instrument"] = "uv_sensor"): StoredCheck => ({
    componentId,
    instrument,
    checkedAt: at(iso),
    result,
  });

  it("run from a failed check to the next check of the same instrument that does not fail", () => {
    const intervals = outOfCalibrationIntervals([
      check("s1", "2026-03-20T10:00:00Z", "pass"),
      check("s1", "2026-03-05T10:00:00Z", "fail"),
      check("s1", "2026-03-01T10:00:00Z", "pass"),
      check("s1", "2026-03-06T10:00:00Z", "fail"), // still out: the interval goes on
      check("s1", "2026-03-08T10:00:00Z", "drift"), // drifting is in calibration: it ends here
      check("s2", "2026-03-07T00:00:00Z", "fail", "uvt_analyser"),
    ]);
    expect(intervals).toEqual([
      { componentId: "s1", instrument: "uv_sensor", from: Date.parse("2026-03-05T10:00:00Z"), to: Date.parse("2026-03-08T10:00:00Z") },
      { componentId: "s2", instrument: "uvt_analyser", from: Date.parse("2026-03-07T00:00:00Z"), to: null },
    ]);
    expect(outOfCalibrationIntervals([check("s1", "2026-03-01T00:00:00Z", "pass")])).toEqual([]);
  });
});

describe("an instrument's state", () => {
  const now = new Date("2026-03-20T12:00:00Z");
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);

  it("never checked, in calibration, due soon, overdue, drifting and failed", () => {
    expect(instrumentStatus("uv_sensor", null, now)).toEqual({ state: "never_checked", dueAt: null, summary: "Never checked: record a check now (due monthly)." });
    expect(instrumentStatus("uv_sensor", { checkedAt: ago(10), result: "pass" }, now)).toEqual({
      state: "ok",
      dueAt: new Date(ago(10).getTime() + 30 * 86_400_000),
      summary: "In calibration; next check in 20 days.",
    });
    expect(instrumentStatus("uv_sensor", { checkedAt: ago(28), result: "pass" }, now).summary).toBe("In calibration; next check in 2 days.");
    expect(instrumentStatus("uv_sensor", { checkedAt: ago(28), result: "pass" }, now).state).toBe("due_soon");
    expect(instrumentStatus("uvt_analyser", { checkedAt: ago(9), result: "pass" }, now)).toMatchObject({ state: "overdue", summary: "Check overdue by 2 days (due weekly)." });
    expect(instrumentStatus("uv_sensor", { checkedAt: ago(1), result: "drift" }, now)).toMatchObject({ state: "drift" });
    expect(instrumentStatus("uv_sensor", { checkedAt: ago(40), result: "drift" }, now).state).toBe("overdue");
    // a failed instrument stays failed however long ago: only a passing check ends it
    expect(instrumentStatus("uv_sensor", { checkedAt: ago(60), result: "fail" }, now).state).toBe("failed");
  });
});
