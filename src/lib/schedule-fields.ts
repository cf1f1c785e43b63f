// The field rules of preventive schedules, shared by the server (the authority: createSchedule and
// updateSchedule refuse what breaks them) and the schedule form (which shows the same problems next to
// each field before sending, so a rule changed here changes in both). Pure and browser-safe: no server
// imports. Metric keys are checked against the catalogue on the server only (it needs the database).

export const SCHEDULE_KINDS = ["time", "meter", "condition"] as const;
export type ScheduleKindName = (typeof SCHEDULE_KINDS)[number];

export const CONDITION_OPS = [">", "<"] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export function isConditionOp(op: unknown): op is ConditionOp {
  return op === ">" || op === "<";
}

/** Bounds of a schedule's fields. The router's zod input holds the same numbers (its type checks). */
export const SCHEDULE_LIMITS = {
  nameMaxLength: 200,
  intervalDays: { min: 1, max: 3650 },
  leadTimeDays: { min: 0, max: 365 },
  conditionHoldMinutes: { min: 1, max: 7 * 24 * 60 },
  checklistItems: 50,
  checklistItemLength: 200,
} as const;

/** The fields of a schedule, as the create/update procedures name them. */
export const SCHEDULE_FIELDS = [
  "name",
  "systemCode",
  "componentCode",
  "kind",
  "workOrderType",
  "priority",
  "leadTimeDays",
  "intervalDays",
  "nextDueAt",
  "meterMetricKey",
  "meterInterval",
  "lastMeterValue",
  "conditionMetricKey",
  "conditionOp",
  "conditionThreshold",
  "conditionHoldMinutes",
  "checklist",
] as const;
export type ScheduleField = (typeof SCHEDULE_FIELDS)[number];

export function isScheduleField(s: string): s is ScheduleField {
  return (SCHEDULE_FIELDS as readonly string[]).includes(s);
}

/** One problem per message, for a form: field -> what to do. */
export type FieldErrors = Partial<Record<ScheduleField, string>>;

export interface FieldProblem {
  field: ScheduleField;
  message: string;
}

/** The kind-specific fields of a schedule, as stored (null: not set). */
export interface ScheduleFields {
  kind: ScheduleKindName;
  intervalDays: number | null;
  meterMetricKey: string | null;
  meterInterval: number | null;
  conditionMetricKey: string | null;
  conditionOp: string | null;
  conditionThreshold: number | null;
  conditionHoldMinutes: number | null;
  leadTimeDays: number;
}

/** A schedule to check: the kind's fields, and the others when the caller has them (undefined: not checked). */
export interface ScheduleDraft extends ScheduleFields {
  name?: string;
  systemCode?: string;
  /** meter-based: the reading at the last service; null or undefined: the meter now */
  lastMeterValue?: number | null;
  /** the steps as sent (blank lines are dropped before storing) */
  checklist?: readonly string[];
}

const L = SCHEDULE_LIMITS;

const isWholeIn = (n: number, range: { min: number; max: number }) => Number.isInteger(n) && n >= range.min && n <= range.max;

/** The steps a checklist keeps: trimmed, blank lines dropped. */
export function checklistSteps(items: readonly string[]): string[] {
  return items.map((s) => s.trim()).filter(Boolean);
}

/**
 * What is missing or wrong, each naming its field and saying what to enter, in the order of the form.
 * Messages speak to the manager filling the form; the server prefixes the field's key (apiProblems).
 */
export function scheduleFieldProblems(s: ScheduleDraft): FieldProblem[] {
  const out: FieldProblem[] = [];
  const add = (field: ScheduleField, message: string) => out.push({ field, message });

  if (s.name !== undefined) {
    const name = s.name.trim();
    if (!name) add("name", "Give the schedule a name; it becomes the work order's title.");
    else if (name.length > L.nameMaxLength) add("name", `Shorten the name to ${L.nameMaxLength} characters or fewer (it has ${name.length}); it becomes the work order's title.`);
  }
  if (s.systemCode !== undefined && !s.systemCode.trim()) add("systemCode", "Pick the system this schedule maintains.");
  if (!(SCHEDULE_KINDS as readonly string[]).includes(s.kind)) add("kind", "Choose the kind of schedule: time-based, meter-based or condition-based.");

  const leadOk = isWholeIn(s.leadTimeDays, L.leadTimeDays);
  if (!leadOk) add("leadTimeDays", `Enter the lead time in whole days (${L.leadTimeDays.min} to ${L.leadTimeDays.max}).`);

  if (s.kind === "time") {
    const range = `(${L.intervalDays.min} to ${L.intervalDays.max})`;
    if (s.intervalDays === null) add("intervalDays", `Enter how many days between orders ${range}.`);
    else if (!isWholeIn(s.intervalDays, L.intervalDays)) add("intervalDays", `Enter how many days between orders as a whole number ${range}.`);
    else if (leadOk && s.leadTimeDays >= s.intervalDays) {
      add(
        "leadTimeDays",
        `Make the lead time (${s.leadTimeDays} days) shorter than the interval (${s.intervalDays} days), or each order would open before the previous one is due.`,
      );
    }
  }

  if (s.kind === "meter") {
    if (!s.meterMetricKey?.trim()) add("meterMetricKey", "Pick the meter to count: lamp hours, running hours, pumped volume or another counter.");
    if (s.meterInterval === null) add("meterInterval", "Enter how many meter units between services (above 0).");
    else if (!Number.isFinite(s.meterInterval) || s.meterInterval <= 0) add("meterInterval", "Enter the meter units between services as a number above 0.");
    const last = s.lastMeterValue;
    if (last !== undefined && last !== null && (!Number.isFinite(last) || last < 0)) {
      add("lastMeterValue", "Enter the meter reading at the last service (0 or more), or leave it empty to start from today's reading.");
    }
  }

  if (s.kind === "condition") {
    if (!s.conditionMetricKey?.trim()) add("conditionMetricKey", "Pick the metric to watch (e.g. filter ΔP).");
    if (!isConditionOp(s.conditionOp)) add("conditionOp", "Choose whether the metric must stay above (>) or below (<) the threshold.");
    if (s.conditionThreshold === null) add("conditionThreshold", "Enter the threshold, in the metric's unit.");
    else if (!Number.isFinite(s.conditionThreshold)) add("conditionThreshold", "Enter the threshold as a number, in the metric's unit.");
    const hold = L.conditionHoldMinutes;
    const range = `(${hold.min} to ${hold.max}, i.e. up to 7 days)`;
    if (s.conditionHoldMinutes === null) add("conditionHoldMinutes", `Enter how many minutes the condition must hold ${range}.`);
    else if (!isWholeIn(s.conditionHoldMinutes, hold)) add("conditionHoldMinutes", `Enter how many minutes the condition must hold as a whole number ${range}.`);
  }

  if (s.checklist !== undefined) {
    const steps = checklistSteps(s.checklist);
    if (steps.length > L.checklistItems) add("checklist", `Keep the checklist to ${L.checklistItems} steps or fewer (it has ${steps.length}).`);
    const long = steps.findIndex((step) => step.length > L.checklistItemLength);
    if (long >= 0) add("checklist", `Shorten step ${long + 1} of the checklist to ${L.checklistItemLength} characters or fewer.`);
  }
  return out;
}

/** The first problem of each field, for showing under its input. */
export function fieldErrorsOf(problems: readonly FieldProblem[]): FieldErrors {
  const e: FieldErrors = {};
  for (const p of problems) e[p.field] ??= p.message;
  return e;
}

/**
 * The problems as the server reports them: each message led by the field's key ("intervalDays: Enter
 * how many days …"), so API and CLI users see which input to fix and the form can put each one back
 * under its field (serverFieldErrors).
 */
export function apiProblems(problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.map((p) => ({ field: p.field, message: `${p.field}: ${p.message}` }));
}

const KEYED = new RegExp(`(?:^|\\s)(${SCHEDULE_FIELDS.join("|")}): `, "g");

/**
 * Field errors from a refused save. zod issues come by path; a domain message carries its fields as
 * "key: text" parts (apiProblems); other domain messages (unknown metric, …) name a field in a
 * sentence, which is shown under that field as it is.
 */
export function serverFieldErrors(message: string, issues: readonly { path: string; message: string }[] | null | undefined): FieldErrors {
  const e: FieldErrors = {};
  if (issues?.length) {
    for (const i of issues) {
      const field = i.path.split(".")[0] ?? "";
      if (isScheduleField(field)) e[field] ??= i.message;
    }
    return e;
  }
  const keyed = [...message.matchAll(KEYED)];
  if (keyed.length) {
    keyed.forEach((m, k) => {
      const next = keyed[k + 1];
      const text = message.slice(m.index + m[0].length, next ? next.index : undefined).trim();
      e[m[1] as ScheduleField] ??= text;
    });
    return e;
  }
  const sentences = message.split(/(?<=\.)\s+/);
  for (const f of SCHEDULE_FIELDS) {
    const hit = sentences.find((s) => new RegExp(`\\b${f}\\b`).test(s));
    if (hit) e[f] ??= hit;
  }
  return e;
}
