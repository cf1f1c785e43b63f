import { describe, expect, it } from "vitest";
import {
  describeRule,
  EMPTY_SCHEDULE_FORM,
  formValuesOf,
  progressTone,
  scheduleFormProblems,
  toScheduleInput,
  type ScheduleFormValues,
} from "./schedule-form-rules";

const form = (over: Partial<ScheduleFormValues>): ScheduleFormValues => ({ ...EMPTY_SCHEDULE_FORM, name: "Lamp", systemCode: "NBG-01", ...over });

describe("schedule form problems", () => {
  it("asks for the fields of the chosen kind only", () => {
    expect(Object.keys(scheduleFormProblems(form({ kind: "time" })))).toEqual(["intervalDays"]);
    expect(Object.keys(scheduleFormProblems(form({ kind: "meter", intervalDays: "" })))).toEqual(["meterMetricKey", "meterInterval"]);
    expect(Object.keys(scheduleFormProblems(form({ kind: "condition", conditionMetricKey: "filter_dp", conditionThreshold: "1" })))).toEqual(["conditionHoldMinutes"]);
    expect(scheduleFormProblems(form({ kind: "time", intervalDays: "30", leadTimeDays: "7" }))).toEqual({});
    expect(Object.keys(scheduleFormProblems({ ...EMPTY_SCHEDULE_FORM, intervalDays: "7" }))).toEqual(["name", "systemCode"]);
  });

  it("refuses a lead time as long as the interval and non-numbers", () => {
    expect(scheduleFormProblems(form({ intervalDays: "7", leadTimeDays: "7" })).leadTimeDays).toMatch(/shorter/);
    expect(scheduleFormProblems(form({ intervalDays: "1.5" })).intervalDays).toBeDefined();
    expect(scheduleFormProblems(form({ kind: "meter", meterMetricKey: "lamp_hours", meterInterval: "abc" })).meterInterval).toBeDefined();
    expect(scheduleFormProblems(form({ kind: "meter", meterMetricKey: "lamp_hours", meterInterval: "9000", lastMeterValue: "-1" })).lastMeterValue).toBeDefined();
  });

  it("applies the server's rules to what it would send: limits, decimal commas, blank checklist lines", () => {
    // the server's limits (the form had none): 3650 days, a lead time up to 365 days, 200-character steps
    expect(scheduleFormProblems(form({ intervalDays: "3651" })).intervalDays).toBe("Enter how many days between orders as a whole number (1 to 3650).");
    expect(scheduleFormProblems(form({ intervalDays: "3650", leadTimeDays: "366" })).leadTimeDays).toBe("Enter the lead time in whole days (0 to 365).");
    expect(scheduleFormProblems(form({ intervalDays: "7", checklist: `ok\n${"x".repeat(201)}` })).checklist).toMatch(/step 2/);
    expect(scheduleFormProblems(form({ intervalDays: "7", checklist: `${"a\n\n".repeat(50)}` }))).toEqual({});
    expect(scheduleFormProblems(form({ intervalDays: "7", leadTimeDays: "" }))).toEqual({});
    expect(scheduleFormProblems(form({ kind: "meter", meterMetricKey: "lamp_hours", meterInterval: "0,5" }))).toEqual({});
    expect(scheduleFormProblems(form({ kind: "condition", conditionMetricKey: "filter_dp", conditionThreshold: "x", conditionHoldMinutes: "10081" }))).toEqual({
      conditionThreshold: "Enter the threshold as a number, in the metric's unit.",
      conditionHoldMinutes: "Enter how many minutes the condition must hold as a whole number (1 to 10080, i.e. up to 7 days).",
    });
  });
});

describe("schedule input", () => {
  it("sends only the chosen kind's fields, numbers as numbers, the checklist as lines", () => {
    const input = toScheduleInput(form({ kind: "meter", meterMetricKey: "lamp_hours", meterInterval: "9000", lastMeterValue: "120,5", intervalDays: "30", checklist: "Replace lamp\n\n Wipe sleeve " }));
    expect(input).toMatchObject({ kind: "meter", intervalDays: null, meterMetricKey: "lamp_hours", meterInterval: 9000, lastMeterValue: 120.5, conditionOp: null, checklist: ["Replace lamp", "Wipe sleeve"] });
    expect(toScheduleInput(form({ kind: "time", intervalDays: "30" }))).not.toHaveProperty("nextDueAt");
    expect(toScheduleInput(form({ kind: "time", intervalDays: "30", nextDueAt: "2031-05-02" })).nextDueAt?.getDate()).toBe(2);
  });

  it("round-trips a stored schedule into the form", () => {
    const v = formValuesOf({
      name: "Filter",
      system: { code: "NBG-01" },
      component: { code: "filter-1" },
      kind: "condition",
      workOrderType: "preventive",
      priority: "high",
      leadTimeDays: 1,
      intervalDays: null,
      nextDueAt: null,
      meterMetricKey: null,
      meterInterval: null,
      lastMeterValue: null,
      conditionMetricKey: "filter_dp",
      conditionOp: ">",
      conditionThreshold: 1,
      conditionHoldMinutes: 30,
      checklist: ["a", "b"],
    });
    expect(v).toMatchObject({ componentCode: "filter-1", conditionThreshold: "1", conditionHoldMinutes: "30", checklist: "a\nb", intervalDays: "" });
    expect(toScheduleInput(v)).toMatchObject({ conditionMetricKey: "filter_dp", conditionThreshold: 1, conditionHoldMinutes: 30, priority: "high" });
  });
});

describe("rule descriptions and progress", () => {
  const base = { intervalDays: null, meterMetricKey: null, meterInterval: null, conditionMetricKey: null, conditionOp: null, conditionThreshold: null, conditionHoldMinutes: null, leadTimeDays: 0 };
  it("says what the schedule waits for", () => {
    expect(describeRule({ ...base, kind: "time", intervalDays: 30, leadTimeDays: 7 })).toBe("Every 30 days, opens 7 d early");
    expect(describeRule({ ...base, kind: "meter", meterMetricKey: "lamp_hours", meterInterval: 9000, meter: { unit: "h" } }, "Lamp hours")).toBe("Every 9,000 h of Lamp hours");
    expect(describeRule({ ...base, kind: "condition", conditionMetricKey: "filter_dp", conditionOp: ">", conditionThreshold: 1, conditionHoldMinutes: 30 })).toBe("filter_dp > 1 for 30 min");
    expect(describeRule({ ...base, kind: "condition", conditionMetricKey: "uvt", conditionOp: "<", conditionThreshold: 70, conditionHoldMinutes: 240 })).toBe("uvt < 70 for 4 h");
  });
  it("colours the bar by how close the due point is", () => {
    expect(progressTone(null)).toBe("idle");
    expect(progressTone(74.9)).toBe("ok");
    expect(progressTone(75)).toBe("soon");
    expect(progressTone(100)).toBe("due");
  });
});
