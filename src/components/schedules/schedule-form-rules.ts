// Pure helpers of the schedules page: the form's values, the one-line description of a schedule's rule,
// and the tone of its progress bar. The field rules themselves are src/lib/schedule-fields.ts, the
// same ones the server applies.

import { checklistSteps, fieldErrorsOf, scheduleFieldProblems, type FieldErrors, type ScheduleFields, type ScheduleKindName } from "@/lib/schedule-fields";

export type { FieldErrors, ScheduleKindName };

export const KIND_LABEL: Record<ScheduleKindName, string> = { time: "Time-based", meter: "Meter-based", condition: "Condition-based" };

/** What the form holds: text as typed. */
export interface ScheduleFormValues {
  name: string;
  systemCode: string;
  componentCode: string;
  kind: ScheduleKindName;
  workOrderType: "preventive" | "inspection" | "corrective" | "predictive";
  priority: "low" | "medium" | "high" | "urgent";
  leadTimeDays: string;
  intervalDays: string;
  /** yyyy-mm-dd (the first due date of a time-based schedule) */
  nextDueAt: string;
  meterMetricKey: string;
  meterInterval: string;
  lastMeterValue: string;
  conditionMetricKey: string;
  conditionOp: ">" | "<";
  conditionThreshold: string;
  conditionHoldMinutes: string;
  /** one item per line */
  checklist: string;
}

export const EMPTY_SCHEDULE_FORM: ScheduleFormValues = {
  name: "",
  systemCode: "",
  componentCode: "",
  kind: "time",
  workOrderType: "preventive",
  priority: "medium",
  leadTimeDays: "0",
  intervalDays: "",
  nextDueAt: "",
  meterMetricKey: "",
  meterInterval: "",
  lastMeterValue: "",
  conditionMetricKey: "",
  conditionOp: ">",
  conditionThreshold: "",
  conditionHoldMinutes: "",
  checklist: "",
};

const num = (s: string): number | null => (s.trim() === "" ? null : Number(s.replace(",", ".")));

/**
 * The problems the form can see before asking the server, by field: the shared rules applied to exactly
 * what would be sent (text that is no number arrives as NaN and is refused like a wrong number).
 */
export function scheduleFormProblems(v: ScheduleFormValues): FieldErrors {
  return fieldErrorsOf(scheduleFieldProblems(toScheduleInput(v)));
}

export function checklistItems(text: string): string[] {
  return checklistSteps(text.split("\n"));
}

/** The values as the create/update procedures take them (only the fields of the chosen kind). */
export function toScheduleInput(v: ScheduleFormValues) {
  const firstDue = v.nextDueAt ? new Date(`${v.nextDueAt}T08:00:00`) : null;
  return {
    name: v.name.trim(),
    systemCode: v.systemCode,
    componentCode: v.componentCode || null,
    kind: v.kind,
    workOrderType: v.workOrderType,
    priority: v.priority,
    leadTimeDays: num(v.leadTimeDays || "0") ?? 0,
    intervalDays: v.kind === "time" ? num(v.intervalDays) : null,
    ...(v.kind === "time" && firstDue ? { nextDueAt: firstDue } : {}),
    meterMetricKey: v.kind === "meter" ? v.meterMetricKey || null : null,
    meterInterval: v.kind === "meter" ? num(v.meterInterval) : null,
    ...(v.kind === "meter" && num(v.lastMeterValue) !== null ? { lastMeterValue: num(v.lastMeterValue) } : {}),
    conditionMetricKey: v.kind === "condition" ? v.conditionMetricKey || null : null,
    conditionOp: v.kind === "condition" ? v.conditionOp : null,
    conditionThreshold: v.kind === "condition" ? num(v.conditionThreshold) : null,
    conditionHoldMinutes: v.kind === "condition" ? num(v.conditionHoldMinutes) : null,
    checklist: checklistItems(v.checklist),
  };
}

/** A stored schedule back into form values (editing). */
export function formValuesOf(
  s: ScheduleFields & {
    name: string;
    system: { code: string };
    component: { code: string } | null;
    workOrderType: ScheduleFormValues["workOrderType"];
    priority: ScheduleFormValues["priority"];
    nextDueAt: Date | null;
    lastMeterValue: number | null;
    checklist: string[];
  },
): ScheduleFormValues {
  const str = (n: number | null) => (n === null ? "" : String(n));
  return {
    name: s.name,
    systemCode: s.system.code,
    componentCode: s.component?.code ?? "",
    kind: s.kind,
    workOrderType: s.workOrderType,
    priority: s.priority,
    leadTimeDays: String(s.leadTimeDays),
    intervalDays: str(s.intervalDays),
    // the date is only sent when changed: a time schedule keeps its calendar
    nextDueAt: "",
    meterMetricKey: s.meterMetricKey ?? "",
    meterInterval: str(s.meterInterval),
    lastMeterValue: str(s.lastMeterValue),
    conditionMetricKey: s.conditionMetricKey ?? "",
    conditionOp: s.conditionOp === "<" ? "<" : ">",
    conditionThreshold: str(s.conditionThreshold),
    conditionHoldMinutes: str(s.conditionHoldMinutes),
    checklist: s.checklist.join("\n"),
  };
}

const numberFmt = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });

export function formatAmount(n: number): string {
  return numberFmt.format(n);
}

/** "Every 30 days", "Every 9,000 h of lamp_hours", "filter_dp > 1 for 30 min". */
export function describeRule(s: ScheduleFields & { meter?: { unit: string } | null }, meterName?: string): string {
  const lead = s.leadTimeDays > 0 ? `, opens ${s.leadTimeDays} d early` : "";
  if (s.kind === "time") return `Every ${s.intervalDays ?? "?"} day${s.intervalDays === 1 ? "" : "s"}${lead}`;
  if (s.kind === "meter") {
    const unit = s.meter?.unit ? ` ${s.meter.unit}` : "";
    return `Every ${s.meterInterval === null ? "?" : formatAmount(s.meterInterval)}${unit} of ${meterName ?? s.meterMetricKey ?? "?"}${lead}`;
  }
  const hold = s.conditionHoldMinutes ?? 0;
  const holdText = hold >= 120 && hold % 60 === 0 ? `${hold / 60} h` : `${hold} min`;
  return `${meterName ?? s.conditionMetricKey ?? "?"} ${s.conditionOp ?? "?"} ${s.conditionThreshold ?? "?"} for ${holdText}${s.leadTimeDays > 0 ? `, due ${s.leadTimeDays} d after` : ""}`;
}

/** Bar colour: calm, getting close (75 %), due (100 %). */
export function progressTone(percent: number | null): "idle" | "ok" | "soon" | "due" {
  if (percent === null) return "idle";
  if (percent >= 100) return "due";
  if (percent >= 75) return "soon";
  return "ok";
}
