/**
 * Where a schedule stands now: due or not, its next due date, its meter or condition, and its
 * progress. Shared by the runner (which then decides again under a lock) and the list.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import { readConditionMinutes, readMeter, type MeterReading } from "./read-telemetry";
import {
  addCalendarDays,
  evaluateCondition,
  evaluateMeter,
  isConditionOp,
  isTimeDue,
  meterBaseline,
  meterResetTolerance,
  opensAt,
  timeProgress,
  type ConditionEvaluation,
  type MeterBaseline,
  type MeterEvaluation,
} from "./schedule-rules";

type DbOrTx = Db | Prisma.TransactionClient;

export const scheduleRowSelect = {
  id: true,
  organizationId: true,
  systemId: true,
  componentId: true,
  name: true,
  kind: true,
  workOrderType: true,
  priority: true,
  intervalDays: true,
  meterMetricKey: true,
  meterInterval: true,
  lastMeterValue: true,
  meterBaselineAt: true,
  conditionMetricKey: true,
  conditionOp: true,
  conditionThreshold: true,
  conditionHoldMinutes: true,
  conditionSince: true,
  leadTimeDays: true,
  nextDueAt: true,
  lastTriggeredAt: true,
  checklist: true,
  active: true,
  createdAt: true,
  system: { select: { code: true, name: true, site: { select: { timeZone: true } } } },
  component: { select: { code: true, name: true } },
} satisfies Prisma.MaintenanceScheduleSelect;

export type ScheduleRow = Prisma.MaintenanceScheduleGetPayload<{ select: typeof scheduleRowSelect }>;

export type Assessment =
  | { kind: "time"; due: boolean; nextDueAt: Date | null; opensAt: Date | null; progress: number | null }
  | {
      kind: "meter";
      due: boolean;
      nextDueAt: Date | null;
      meter: MeterReading | null;
      /** what the evaluation counted from: the stored baseline, or 0 after a reset not persisted yet */
      baseline: MeterBaseline | null;
      evaluation: MeterEvaluation | null;
      progress: number | null;
    }
  | { kind: "condition"; due: boolean; nextDueAt: Date | null; condition: ConditionEvaluation | null; hasData: boolean; progress: number | null };

export async function assessSchedule(db: DbOrTx, s: ScheduleRow, now: Date): Promise<Assessment> {
  const tz = s.system.site.timeZone;
  const target = { organizationId: s.organizationId, systemId: s.systemId, componentId: s.componentId };
  if (s.kind === "time") {
    if (!s.nextDueAt || !s.intervalDays) return { kind: "time", due: false, nextDueAt: s.nextDueAt, opensAt: null, progress: null };
    return {
      kind: "time",
      due: isTimeDue({ nextDueAt: s.nextDueAt, leadTimeDays: s.leadTimeDays }, now, tz),
      nextDueAt: s.nextDueAt,
      opensAt: opensAt(s.nextDueAt, s.leadTimeDays, tz),
      progress: timeProgress(s.nextDueAt, s.intervalDays, now, tz),
    };
  }
  if (s.kind === "meter") {
    const resets = s.meterInterval ? { since: s.meterBaselineAt ?? s.createdAt, tolerance: meterResetTolerance(s.meterInterval) } : undefined;
    const meter = s.meterMetricKey && s.meterInterval ? await readMeter(db, target, s.meterMetricKey, now, resets) : null;
    if (!meter || !s.meterInterval) return { kind: "meter", due: false, nextDueAt: null, meter, baseline: null, evaluation: null, progress: null };
    // the same rule the runner persists, so the list shows the restarted interval at once
    const baseline = meterBaseline(s, meter.reset);
    const evaluation = evaluateMeter(
      { value: meter.value, ratePerDay: meter.ratePerDay, lastMeterValue: baseline.value, meterInterval: s.meterInterval, leadTimeDays: s.leadTimeDays },
      now,
    );
    return { kind: "meter", due: evaluation.due, nextDueAt: evaluation.estimatedDueAt, meter, baseline, evaluation, progress: evaluation.progress };
  }
  const op = s.conditionOp;
  if (!s.conditionMetricKey || !isConditionOp(op) || s.conditionThreshold === null || !s.conditionHoldMinutes) {
    return { kind: "condition", due: false, nextDueAt: null, condition: null, hasData: false, progress: null };
  }
  const read = await readConditionMinutes(db, target, s.conditionMetricKey, s.conditionHoldMinutes, now);
  const condition = evaluateCondition({
    buckets: read.buckets,
    op,
    threshold: s.conditionThreshold,
    holdMinutes: s.conditionHoldMinutes,
    now,
    windowStart: read.windowStart,
    storedSince: s.conditionSince,
  });
  return {
    kind: "condition",
    due: condition.held,
    nextDueAt: condition.heldAt ? conditionOrderDueAt(condition.heldAt, s.leadTimeDays, tz) : null,
    condition,
    hasData: read.buckets.length > 0,
    progress: condition.progress,
  };
}

/** A condition cannot be seen coming: its order is due lead-time days after the hold completed. */
export function conditionOrderDueAt(heldAt: Date, leadTimeDays: number, timeZone: string): Date {
  return leadTimeDays > 0 ? addCalendarDays(heldAt, leadTimeDays, timeZone) : heldAt;
}
