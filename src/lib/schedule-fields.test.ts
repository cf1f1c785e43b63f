import { describe, expect, it } from "vitest";
import {
  apiProblems,
  checklistSteps,
  fieldErrorsOf,
  isConditionOp,
  scheduleFieldProblems,
  serverFieldErrors,
  type ScheduleDraft,
  type ScheduleFields,
} from "./schedule-fields";

const none: ScheduleFields = {
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
const time = (over: Partial<ScheduleDraft> = {}): ScheduleDraft => ({ ...none, kind: "time", intervalDays: 30, ...over });
const meter = (over: Partial<ScheduleDraft> = {}): ScheduleDraft => ({ ...none, kind: "meter", meterMetricKey: "lamp_hours", meterInterval: 9000, ...over });
const condition = (over: Partial<ScheduleDraft> = {}): ScheduleDraft => ({
  ...none,
  kind: "condition",
  conditionMetricKey: "filter_dp",
  conditionOp: ">",
  conditionThreshold: 1,
  conditionHoldMinutes: 30,
  ...over,
});
const errors = (s: ScheduleDraft) => fieldErrorsOf(scheduleFieldProblems(s));

describe("what each kind needs", () => {
  it("asks for the missing fields of the chosen kind only, in words a manager acts on", () => {
    expect(errors({ ...none, kind: "time" })).toEqual({ intervalDays: "Enter how many days between orders (1 to 3650)." });
    expect(errors({ ...none, kind: "meter" })).toEqual({
      meterMetricKey: "Pick the meter to count: lamp hours, running hours, pumped volume or another counter.",
      meterInterval: "Enter how many meter units between services (above 0).",
    });
    expect(errors({ ...none, kind: "condition" })).toEqual({
      conditionMetricKey: "Pick the metric to watch (e.g. filter ΔP).",
      conditionOp: "Choose whether the metric must stay above (>) or below (<) the threshold.",
      conditionThreshold: "Enter the threshold, in the metric's unit.",
      conditionHoldMinutes: "Enter how many minutes the condition must hold (1 to 10080, i.e. up to 7 days).",
    });
    expect(scheduleFieldProblems({ ...none, kind: "condition" }).map((p) => p.field)).toEqual(["conditionMetricKey", "conditionOp", "conditionThreshold", "conditionHoldMinutes"]);
  });

  it("accepts complete schedules and ignores the other kinds' fields", () => {
    expect(scheduleFieldProblems(time())).toEqual([]);
    expect(scheduleFieldProblems(meter({ intervalDays: Number.NaN, conditionOp: ">=" }))).toEqual([]);
    expect(scheduleFieldProblems(condition({ intervalDays: 0, meterInterval: -1, leadTimeDays: 3 }))).toEqual([]);
    // a blank metric key is as missing as none
    expect(errors(meter({ meterMetricKey: "  " }))).toHaveProperty("meterMetricKey");
    expect(errors(condition({ conditionMetricKey: "" }))).toHaveProperty("conditionMetricKey");
  });

  it("refuses a kind it does not know", () => {
    expect(errors({ ...none, kind: "weekly" as ScheduleFields["kind"] })).toEqual({ kind: "Choose the kind of schedule: time-based, meter-based or condition-based." });
  });
});

describe("ranges and limits", () => {
  it("takes the interval in whole days from 1 to 3650", () => {
    for (const ok of [1, 3650]) expect(scheduleFieldProblems(time({ intervalDays: ok }))).toEqual([]);
    for (const bad of [0, -7, 3651, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(errors(time({ intervalDays: bad }))).toEqual({ intervalDays: "Enter how many days between orders as a whole number (1 to 3650)." });
    }
  });

  it("takes the lead time in whole days from 0 to 365, shorter than a time schedule's interval", () => {
    expect(scheduleFieldProblems(time({ intervalDays: 366, leadTimeDays: 365 }))).toEqual([]);
    for (const bad of [-1, 366, 0.5, Number.NaN]) expect(errors(meter({ leadTimeDays: bad }))).toEqual({ leadTimeDays: "Enter the lead time in whole days (0 to 365)." });
    expect(errors(time({ intervalDays: 7, leadTimeDays: 7 }))).toEqual({
      leadTimeDays: "Make the lead time (7 days) shorter than the interval (7 days), or each order would open before the previous one is due.",
    });
    expect(scheduleFieldProblems(time({ intervalDays: 7, leadTimeDays: 6 }))).toEqual([]);
    // a wrong lead time is reported once, not again against the interval
    expect(scheduleFieldProblems(time({ intervalDays: 7, leadTimeDays: 7.5 })).map((p) => p.field)).toEqual(["leadTimeDays"]);
    // meter and condition lead times may exceed any interval (meter units, days after the hold)
    expect(scheduleFieldProblems(meter({ meterInterval: 5, leadTimeDays: 30 }))).toEqual([]);
  });

  it("takes a meter interval above 0 and a last reading of 0 or more, or none", () => {
    expect(scheduleFieldProblems(meter({ meterInterval: 0.5, lastMeterValue: 0 }))).toEqual([]);
    expect(scheduleFieldProblems(meter({ lastMeterValue: null }))).toEqual([]);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(errors(meter({ meterInterval: bad }))).toEqual({ meterInterval: "Enter the meter units between services as a number above 0." });
    }
    for (const bad of [-0.1, Number.NaN]) expect(errors(meter({ lastMeterValue: bad }))).toHaveProperty("lastMeterValue");
  });

  it("takes any finite threshold, > or <, and a hold of 1 to 10080 whole minutes", () => {
    expect(scheduleFieldProblems(condition({ conditionOp: "<", conditionThreshold: -40.5, conditionHoldMinutes: 1 }))).toEqual([]);
    expect(scheduleFieldProblems(condition({ conditionHoldMinutes: 10_080 }))).toEqual([]);
    expect(errors(condition({ conditionThreshold: Number.NaN }))).toEqual({ conditionThreshold: "Enter the threshold as a number, in the metric's unit." });
    expect(errors(condition({ conditionOp: ">=" }))).toHaveProperty("conditionOp");
    for (const bad of [0, 10_081, 2.5]) {
      expect(errors(condition({ conditionHoldMinutes: bad }))).toEqual({
        conditionHoldMinutes: "Enter how many minutes the condition must hold as a whole number (1 to 10080, i.e. up to 7 days).",
      });
    }
    expect(isConditionOp(">")).toBe(true);
    expect(isConditionOp("=")).toBe(false);
  });

  it("checks the name, the system and the checklist when given, after trimming", () => {
    expect(scheduleFieldProblems(time({ name: "  Replace lamp ", systemCode: "NBG-01", checklist: ["a", " ", "b"] }))).toEqual([]);
    expect(errors(time({ name: "   " }))).toEqual({ name: "Give the schedule a name; it becomes the work order's title." });
    expect(scheduleFieldProblems(time({ name: ` ${"n".repeat(200)} ` }))).toEqual([]);
    expect(errors(time({ name: "n".repeat(201) })).name).toMatch(/^Shorten the name to 200 characters or fewer \(it has 201\)/);
    expect(errors(time({ systemCode: "" }))).toEqual({ systemCode: "Pick the system this schedule maintains." });

    const fifty = Array.from({ length: 50 }, (_, i) => `step ${i}`);
    expect(scheduleFieldProblems(time({ checklist: [...fifty, "", "  "] }))).toEqual([]);
    expect(errors(time({ checklist: [...fifty, "one more"] }))).toEqual({ checklist: "Keep the checklist to 50 steps or fewer (it has 51)." });
    expect(scheduleFieldProblems(time({ checklist: ["x".repeat(200)] }))).toEqual([]);
    expect(errors(time({ checklist: ["ok", "", "x".repeat(201)] }))).toEqual({ checklist: "Shorten step 2 of the checklist to 200 characters or fewer." });
    expect(checklistSteps([" a ", "", "\t", "b"])).toEqual(["a", "b"]);
  });

  it("lists every problem in the form's order, and keeps the first per field for the form", () => {
    const problems = scheduleFieldProblems({ ...none, kind: "time", name: "", systemCode: "", leadTimeDays: -1, checklist: ["x".repeat(201)] });
    expect(problems.map((p) => p.field)).toEqual(["name", "systemCode", "leadTimeDays", "intervalDays", "checklist"]);
    expect(fieldErrorsOf([...problems, { field: "name", message: "second" }]).name).toBe(problems[0]!.message);
  });
});

describe("the server's messages and the form's mapping of them", () => {
  it("leads each message with its field's key", () => {
    expect(apiProblems(scheduleFieldProblems({ ...none, kind: "time" }))).toEqual([{ field: "intervalDays", message: "intervalDays: Enter how many days between orders (1 to 3650)." }]);
  });

  it("puts a refused save's problems back under their fields, in the form's words", () => {
    const problems = scheduleFieldProblems({ ...none, kind: "condition", leadTimeDays: 400, conditionOp: "=" });
    // what the server throws: the messages joined into one BAD_REQUEST
    const message = apiProblems(problems)
      .map((p) => p.message)
      .join(" ");
    expect(message).toMatch(/^leadTimeDays: Enter the lead time/);
    expect(serverFieldErrors(message, null)).toEqual(fieldErrorsOf(problems));
    expect(serverFieldErrors(message, [])).toEqual(fieldErrorsOf(problems));
  });

  it("maps zod issues by path and other domain messages by the field a sentence names", () => {
    expect(serverFieldErrors("x", [{ path: "name", message: "Give the schedule a name." }])).toEqual({ name: "Give the schedule a name." });
    expect(
      serverFieldErrors("x", [
        { path: "checklist.3", message: "Too long" },
        { path: "checklist.4", message: "Also too long" },
        { path: "secret", message: "?" },
      ]),
    ).toEqual({ checklist: "Too long" });
    expect(serverFieldErrors('A meter-based schedule needs meterInterval (how many). Unknown metric "x" for meterMetricKey; use …', [])).toEqual({
      meterInterval: "A meter-based schedule needs meterInterval (how many).",
      meterMetricKey: 'Unknown metric "x" for meterMetricKey; use …',
    });
    // a refusal no field shows: the form shows the server's message itself
    expect(serverFieldErrors('System "NOPE-99" was not found in your organisation; pick one from the list.', null)).toEqual({});
  });
});
