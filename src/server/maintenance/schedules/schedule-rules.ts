/**
 * The pure rules of preventive schedules (issue 5): when a time-, meter- or condition-based schedule
 * is due, what its next due point is, and how far along it is. No database here: the runner
 * (run-due-schedules.ts) reads telemetry and the schedule row, asks these functions, and writes.
 *
 * Decisions (see also the report of issue 5, part 3):
 * - time: a fixed calendar. Next due = previous due + interval in the site's time zone (a 08:00 due
 *   stays 08:00 local across daylight-saving changes); it never drifts with the completion date. The
 *   order opens at nextDueAt - leadTimeDays. Due dates missed while an order was open or the schedule
 *   inactive are skipped (one overdue order stands for them), never opened in a burst.
 * - meter: due when value >= lastMeterValue + meterInterval; the lead time is converted to meter
 *   units with the recent rate (7 days' average). After an order, the baseline moves to the
 *   threshold it was opened for (again a fixed "calendar", in meter units). meterBaselineAt says
 *   when the baseline was set (null on rows older than the column: the schedule's createdAt).
 * - counter reset (lamp_hours of a new UV lamp, a replaced or rolled-over energy meter): the counter
 *   counts again from 0, so the baseline becomes 0 as of the reset and the interval restarts (see
 *   "counter resets" below). Derived meters (running_hours, pumped_volume) never go back.
 * - condition: metric op threshold held for holdMinutes, judged on complete 1-minute rollups: for ">"
 *   every minute's min above the threshold, for "<" every minute's max below it; a missing minute
 *   (a gap in data) breaks the hold. One order per continuous hold.
 */

import { apiProblems, scheduleFieldProblems, type ConditionOp, type FieldProblem, type ScheduleDraft } from "@/lib/schedule-fields";
export { zoneOffsetMs } from "@/lib/zone-offset";
import { zoneOffsetMs } from "@/lib/zone-offset";

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

// The kinds, the condition operators and the field rules are shared with the schedule form.
export { CONDITION_OPS, isConditionOp, SCHEDULE_KINDS, SCHEDULE_LIMITS } from "@/lib/schedule-fields";
export type { ConditionOp, FieldProblem, ScheduleFields, ScheduleKindName } from "@/lib/schedule-fields";

/** Meters computed from telemetry rather than read from a counter metric. */
export const DERIVED_METERS = {
  running_hours: { label: "Running hours", unit: "h" },
  pumped_volume: { label: "Pumped volume", unit: "m3" },
} as const;
export type DerivedMeterKey = keyof typeof DERIVED_METERS;

export function isDerivedMeter(key: string): key is DerivedMeterKey {
  return Object.hasOwn(DERIVED_METERS, key);
}

/** Metrics that show a machine is running, best first (running hours use the first one reported). */
export const RUNNING_SOURCE_METRICS = ["pump_speed", "power", "flow_rate"] as const;

/** Days over which the meter's recent rate is averaged (lead time in meter units). */
export const METER_RATE_DAYS = 7;

/** How far back a condition run reads minutes beyond the hold itself (tolerates a stopped runner). */
export const CONDITION_LOOKBACK_MINUTES = 60;

/** Work-order states that count as "open": a schedule never has a second one. */
export const OPEN_ORDER_STATUSES = ["requested", "open", "in_progress", "on_hold"] as const;

// ---- validation ------------------------------------------------------------------------------------

/**
 * What is missing or wrong for the schedule's kind, each message led by the field it names (the
 * BAD_REQUEST the caller throws lists them; the form maps them back to its inputs). The rules and
 * their wording live in src/lib/schedule-fields.ts, which the form checks before sending. Metric keys
 * are checked against the catalogue by the caller (it needs the database).
 */
export function scheduleProblems(s: ScheduleDraft): FieldProblem[] {
  return apiProblems(scheduleFieldProblems(s));
}

// ---- calendar in a site's time zone ---------------------------------------------------------------


/** `at` plus whole calendar days in `timeZone`: the same local wall-clock time, `days` later. */
export function addCalendarDays(at: Date, days: number, timeZone: string): Date {
  const wall = at.getTime() + zoneOffsetMs(at, timeZone) + days * DAY_MS;
  // the offset at the target can differ (DST); one correction settles it outside the skipped hour
  let utc = wall - zoneOffsetMs(at, timeZone);
  utc = wall - zoneOffsetMs(new Date(utc), timeZone);
  return new Date(utc);
}

// ---- time-based -------------------------------------------------------------------------------------

/** When the order for `dueAt` opens. */
export function opensAt(dueAt: Date, leadTimeDays: number, timeZone: string): Date {
  return leadTimeDays > 0 ? addCalendarDays(dueAt, -leadTimeDays, timeZone) : dueAt;
}

export function isTimeDue(s: { nextDueAt: Date; leadTimeDays: number }, now: Date, timeZone: string): boolean {
  return now.getTime() >= opensAt(s.nextDueAt, s.leadTimeDays, timeZone).getTime();
}

/**
 * The due date after `dueAt` (which just got its order): dueAt + interval, then further intervals
 * while that date has already passed, so missed dates are skipped rather than opened in a burst.
 */
export function nextTimeDue(dueAt: Date, intervalDays: number, now: Date, timeZone: string): Date {
  let k = 1;
  let next = addCalendarDays(dueAt, intervalDays, timeZone);
  while (next.getTime() <= now.getTime()) {
    k += 1;
    next = addCalendarDays(dueAt, k * intervalDays, timeZone);
  }
  return next;
}

/** Share of the interval used so far, 0..1 (1 or more: due). */
export function timeProgress(nextDueAt: Date, intervalDays: number, now: Date, timeZone: string): number {
  const previous = addCalendarDays(nextDueAt, -intervalDays, timeZone).getTime();
  const span = nextDueAt.getTime() - previous;
  return Math.max(0, (now.getTime() - previous) / span);
}

// ---- meter-based ------------------------------------------------------------------------------------

export interface MeterState {
  /** the meter now */
  value: number;
  /** meter units per day over the recent window; null when unknown */
  ratePerDay: number | null;
  /** the meter at the last service (the schedule's baseline) */
  lastMeterValue: number;
  meterInterval: number;
  leadTimeDays: number;
}

export interface MeterEvaluation {
  /** the value the service is due at */
  threshold: number;
  /** the lead time in meter units (rate x lead days) */
  leadUnits: number;
  due: boolean;
  /** when the threshold is (estimated to be) reached; null without a rate */
  estimatedDueAt: Date | null;
  progress: number;
}

export function evaluateMeter(m: MeterState, now: Date): MeterEvaluation {
  const threshold = m.lastMeterValue + m.meterInterval;
  const rate = m.ratePerDay !== null && m.ratePerDay > 0 ? m.ratePerDay : null;
  const leadUnits = rate ? rate * m.leadTimeDays : 0;
  const remaining = threshold - m.value;
  const estimatedDueAt = remaining <= 0 ? now : rate ? new Date(now.getTime() + Math.round((remaining / rate) * DAY_MS)) : null;
  return {
    threshold,
    leadUnits,
    due: m.value >= threshold - leadUnits,
    estimatedDueAt,
    progress: Math.max(0, (m.value - m.lastMeterValue) / m.meterInterval),
  };
}

/**
 * The baseline after an order opened for `threshold`: the threshold itself, moved on by whole
 * intervals the meter has already passed (skipped, like missed calendar dates).
 */
export function nextMeterBaseline(threshold: number, meterInterval: number, value: number): number {
  let base = threshold;
  while (base + meterInterval <= value) base += meterInterval;
  return base;
}

// ---- counter resets ---------------------------------------------------------------------------------
//
// A counter metric (lamp_hours, energy) restarts at 0 when the lamp or the meter is replaced, or when
// it rolls over. Without care the schedule would then wait until the new counter passed the old
// baseline plus an interval: a UV lamp run to twice its validated life (domain.md §1.5).
//
// Detection works on the counter going back over time, never on comparing the value with the baseline:
// after an order opened with a lead time the baseline (the threshold) is above the counter (9,000 h
// baseline, 8,800 h on the counter), which is normal. read-telemetry.ts finds, in one SQL query over
// the 1-minute rollups after the baseline was set, the minutes whose last value is below the previous
// minute's last by more than the tolerance; isCounterReset decides which of them are resets:
// - tolerance: more than 1 % of the interval and more than 1 unit (90 h for a 9,000 h lamp). Float
//   noise, a re-sent older reading or a counter stepped back a little by hand stay below it; a reset
//   smaller than that shifts the next service by at most 1 % of the interval.
// - it stayed down: every later minute up to now is also below the old value less the tolerance, and
//   at least one later minute exists. A ballast that reboots and sends 0 once before it has read its
//   stored hours comes back up and is no reset; a real reset only comes back up a whole old life
//   later. A reset is therefore acted on at the next reading after it (a minute to an hour later).
//
// After a reset the baseline is 0 (the new lamp's life starts at the reset; a meter fitted with a
// reading above 0 is serviced that much early, never late), set at the end of the minute in which the
// counter was first seen lower. The runner persists it under the schedule's row lock with an audit
// entry; the list applies the same meterBaseline before that, so it never shows the old progress.

/** Share of the interval a counter must fall by to count as a reset (and at least METER_RESET_MIN_UNITS). */
export const METER_RESET_SHARE = 0.01;
export const METER_RESET_MIN_UNITS = 1;

/** How far a counter must fall below its previous value to count as a reset, in meter units. */
export function meterResetTolerance(meterInterval: number): number {
  return Math.max(METER_RESET_MIN_UNITS, METER_RESET_SHARE * meterInterval);
}

/** A minute in which a counter read lower than at the end of the previous minute with data. */
export interface CounterDrop {
  /** start of the minute, epoch ms */
  bucket: number;
  /** the counter at the end of the previous minute with data */
  before: number;
  /** the minute's lowest and last values */
  min: number;
  last: number;
  /** the highest value of all later minutes up to now; null: no later minute yet */
  laterMax: number | null;
}

export interface CounterReset {
  /** start of the minute in which the counter was first seen lower */
  at: Date;
  /** the counter just before (end of the previous minute with data) */
  from: number;
  /** the lowest value in the reset minute (where the new counter started) */
  to: number;
}

export function isCounterReset(d: CounterDrop, tolerance: number): boolean {
  const floor = d.before - tolerance;
  return d.last < floor && d.laterMax !== null && d.laterMax < floor;
}

/** The most recent of the drops that is a reset; null: none. */
export function latestCounterReset(drops: readonly CounterDrop[], tolerance: number): CounterReset | null {
  let latest: CounterDrop | null = null;
  for (const d of drops) if (isCounterReset(d, tolerance) && (!latest || d.bucket > latest.bucket)) latest = d;
  return latest ? { at: new Date(latest.bucket), from: latest.before, to: latest.min } : null;
}

/** When the baseline a reset sets is set: the end of the minute the counter was first seen lower. */
export function resetBaselineAt(reset: CounterReset): Date {
  return new Date(reset.at.getTime() + MINUTE_MS);
}

/**
 * The first minute (its start, epoch ms) a reset search reads for a baseline set at `since`: minutes
 * that ended after the baseline was set. A reset in them is not yet in the baseline; the reset minute
 * itself ends exactly at the baseline it sets, so it is never found twice.
 */
export function resetSearchStart(since: Date): number {
  return Math.floor((since.getTime() - MINUTE_MS) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
}

export interface StoredMeterBaseline {
  lastMeterValue: number | null;
  /** null on rows older than the column: counted from createdAt */
  meterBaselineAt: Date | null;
  createdAt: Date;
}

export interface MeterBaseline {
  value: number;
  at: Date;
  /** the reset this baseline comes from when it is not stored yet (the runner persists it) */
  restartedBy: CounterReset | null;
}

/**
 * The baseline a meter schedule counts from: the stored one, or 0 from a reset that happened after it
 * was set. `reset` is the latest reset found (whenever); one before the stored baseline is already in it.
 */
export function meterBaseline(stored: StoredMeterBaseline, reset: CounterReset | null): MeterBaseline {
  const at = stored.meterBaselineAt ?? stored.createdAt;
  if (reset && resetBaselineAt(reset).getTime() > at.getTime()) return { value: 0, at: resetBaselineAt(reset), restartedBy: reset };
  return { value: stored.lastMeterValue ?? 0, at, restartedBy: null };
}

/** Meter amounts in messages: whole numbers as they are, else two decimals. */
export function formatMeterAmount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** The schedule history's line for a reset ("counter reset detected at … (from X to Y): interval restarted"). */
export function describeCounterReset(reset: CounterReset, unit: string): string {
  const u = unit ? ` ${unit}` : "";
  return `counter reset detected at ${reset.at.toISOString()} (from ${formatMeterAmount(reset.from)}${u} to ${formatMeterAmount(reset.to)}${u}): interval restarted`;
}

// ---- condition-based --------------------------------------------------------------------------------

/** One complete minute of the watched series (1-minute rollup). */
export interface MinuteBucket {
  /** bucket start, epoch ms (a multiple of 60 000) */
  bucket: number;
  min: number;
  max: number;
}

export interface ConditionInput {
  /** minutes in time order, from `windowStart` on */
  buckets: MinuteBucket[];
  op: ConditionOp;
  threshold: number;
  holdMinutes: number;
  now: Date;
  /** the first minute read; a run reaching it may have started earlier */
  windowStart: number;
  /** what the previous evaluation stored (the schedule's conditionSince) */
  storedSince: Date | null;
}

export interface ConditionEvaluation {
  holding: boolean;
  /** start of the current unbroken run; null when not holding */
  since: Date | null;
  heldMinutes: number;
  held: boolean;
  /** when the hold was complete (since + holdMinutes): the order's due point, one per run */
  heldAt: Date | null;
  progress: number;
}

export function minuteMeets(b: MinuteBucket, op: ConditionOp, threshold: number): boolean {
  return op === ">" ? b.min > threshold : b.max < threshold;
}

/** The start of the window a condition evaluation reads (complete minutes only). */
export function conditionWindowStart(now: Date, holdMinutes: number): number {
  const currentMinute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  return currentMinute - (holdMinutes + CONDITION_LOOKBACK_MINUTES) * MINUTE_MS;
}

export function evaluateCondition(c: ConditionInput): ConditionEvaluation {
  const complete = c.buckets.filter((b) => b.bucket + MINUTE_MS <= c.now.getTime() && b.bucket >= c.windowStart);
  const none: ConditionEvaluation = { holding: false, since: null, heldMinutes: 0, held: false, heldAt: null, progress: 0 };
  const last = complete[complete.length - 1];
  if (!last || !minuteMeets(last, c.op, c.threshold)) return none;
  let start = last.bucket;
  for (let i = complete.length - 2; i >= 0; i--) {
    const b = complete[i]!;
    // a missing minute (a gap in data) or a minute outside the condition ends the run
    if (b.bucket !== start - MINUTE_MS || !minuteMeets(b, c.op, c.threshold)) break;
    start = b.bucket;
  }
  // The run reaches the first minute read: it continues the run the previous evaluation saw.
  if (start <= c.windowStart && c.storedSince && c.storedSince.getTime() < start) start = c.storedSince.getTime();
  const end = last.bucket + MINUTE_MS;
  const heldMinutes = Math.round((end - start) / MINUTE_MS);
  const held = heldMinutes >= c.holdMinutes;
  return {
    holding: true,
    since: new Date(start),
    heldMinutes,
    held,
    heldAt: held ? new Date(start + c.holdMinutes * MINUTE_MS) : null,
    progress: Math.min(1, heldMinutes / c.holdMinutes),
  };
}

/** A schedule's checklist as stored (labels) -> a work order's checklist. */
export function checklistForOrder(checklist: unknown): { label: string; done: boolean }[] | null {
  const labels = checklistLabels(checklist);
  return labels.length ? labels.map((label) => ({ label, done: false })) : null;
}

/** Labels of a stored checklist: strings, or objects with a label (tolerated for hand-made rows). */
export function checklistLabels(checklist: unknown): string[] {
  if (!Array.isArray(checklist)) return [];
  return checklist
    .map((item) => (typeof item === "string" ? item : typeof item === "object" && item && typeof (item as { label?: unknown }).label === "string" ? (item as { label: string }).label : ""))
    .map((s) => s.trim())
    .filter(Boolean);
}
