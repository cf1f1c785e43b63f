/**
 * The schedule runner: opens the preventive work orders that are due. The worker calls it every
 * minute (src/worker/maintenance.ts) and a manager's "run now" calls it for their organisation.
 *
 * Exactly once, also with two workers racing: each schedule that looks due is decided again inside a
 * transaction that holds its row lock (SELECT ... FOR UPDATE), so a second runner waits, then sees
 * the advanced due date or the open order. The unique (schedule_id, schedule_due_at) of work orders
 * backs this up: a due date that already has its order fails with P2002, read as "already created".
 * A schedule never has a second open order (requested, open, in progress, on hold).
 *
 * A counter reset the assessment saw (a new UV lamp, a replaced energy meter) is persisted here: under
 * the same lock, decided again against the fresh row, the baseline becomes 0 as of the reset
 * (meterBaselineAt = the end of the reset minute) with a "schedule.meter_reset" audit entry, also
 * while an order is open (the lamp is usually replaced while its order is). A second runner then sees
 * the reset inside the stored baseline and writes nothing. See schedule-rules.ts, "counter resets".
 */
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { assessSchedule, conditionOrderDueAt, scheduleRowSelect, type Assessment, type ScheduleRow } from "./assess-schedule";
import {
  checklistForOrder,
  DERIVED_METERS,
  describeCounterReset,
  evaluateMeter,
  formatMeterAmount as fmt,
  isDerivedMeter,
  isTimeDue,
  meterBaseline,
  nextMeterBaseline,
  nextTimeDue,
  OPEN_ORDER_STATUSES,
  type CounterReset,
  type MeterBaseline,
  type ScheduleKindName,
} from "./schedule-rules";

type Tx = Prisma.TransactionClient;

export interface CreatedScheduleOrder {
  workOrderId: string;
  number: number;
  organizationId: string;
  scheduleId: string;
  scheduleName: string;
  kind: ScheduleKindName;
  /** the due point the order is for (unique per schedule) */
  scheduleDueAt: Date;
  dueAt: Date;
}

export interface MeterRestart {
  organizationId: string;
  scheduleId: string;
  reset: CounterReset;
  /** when the new baseline (0) was set: the end of the reset minute */
  baselineAt: Date;
}

export interface ScheduleRunResult {
  created: CreatedScheduleOrder[];
  /** counter resets persisted by this run (the interval restarted from 0) */
  meterResets: MeterRestart[];
  /** schedules that could not be evaluated (the others still ran) */
  failed: { scheduleId: string; message: string }[];
}

export interface RunOptions {
  /** only this organisation's schedules (a manager's "run now") */
  organizationId?: string;
  scheduleId?: string;
  /** who asked; the worker runs as the platform */
  actor?: Actor;
}

const RUNNER: Actor = { type: "system", label: "schedule-runner" };

export async function runDueSchedules(db: Db, now: Date = new Date(), opts: RunOptions = {}): Promise<ScheduleRunResult> {
  const schedules = await db.maintenanceSchedule.findMany({
    where: { active: true, ...(opts.organizationId ? { organizationId: opts.organizationId } : {}), ...(opts.scheduleId ? { id: opts.scheduleId } : {}) },
    select: scheduleRowSelect,
    orderBy: { createdAt: "asc" },
  });
  const result: ScheduleRunResult = { created: [], meterResets: [], failed: [] };
  for (const s of schedules) {
    try {
      const r = await runSchedule(db, s, now, opts.actor ?? RUNNER);
      if (r.order) result.created.push(r.order);
      if (r.restart) result.meterResets.push(r.restart);
    } catch (err) {
      result.failed.push({ scheduleId: s.id, message: (err as Error).message });
    }
  }
  return result;
}

interface Fired {
  order: CreatedScheduleOrder | null;
  restart: MeterRestart | null;
}

const NOTHING: Fired = { order: null, restart: null };

async function runSchedule(db: Db, s: ScheduleRow, now: Date, actor: Actor): Promise<Fired> {
  const a = await assessSchedule(db, s, now);
  if (a.kind === "condition" && a.condition && (a.condition.since?.getTime() ?? null) !== (s.conditionSince?.getTime() ?? null)) {
    // remembered so the next run continues this hold rather than re-reading all of it
    await db.maintenanceSchedule.updateMany({ where: { id: s.id, kind: "condition" }, data: { conditionSince: a.condition.since } });
  }
  const restartSeen = a.kind === "meter" && a.baseline?.restartedBy;
  if (!a.due && !restartSeen) return NOTHING;
  try {
    return await db.$transaction((tx) => fire(tx, s.id, a, now, actor));
  } catch (err) {
    if (isUniqueViolation(err)) return NOTHING; // another runner created this due date's order
    throw err;
  }
}

/**
 * Decides again with the locked, fresh row: persists a counter reset, then opens the order if it is
 * (still) due.
 */
async function fire(tx: Tx, scheduleId: string, a: Assessment, now: Date, actor: Actor): Promise<Fired> {
  await tx.$queryRaw`SELECT 1 FROM maintenance_schedule WHERE id = ${scheduleId} FOR UPDATE`;
  const s = await tx.maintenanceSchedule.findUnique({ where: { id: scheduleId }, select: scheduleRowSelect });
  if (!s || !s.active || s.kind !== a.kind) return NOTHING;
  let base: MeterBaseline | null = null;
  let restart: MeterRestart | null = null;
  if (a.kind === "meter" && a.meter) {
    // the fresh row: a reset another runner has just persisted is inside its baseline now
    base = meterBaseline(s, a.meter.reset);
    if (base.restartedBy) restart = await restartMeter(tx, s, base.restartedBy, base, a.meter.unit, actor);
  }
  const open = await tx.workOrder.findFirst({ where: { scheduleId, status: { in: [...OPEN_ORDER_STATUSES] } }, select: { id: true } });
  if (open || !a.due) return { order: null, restart };
  return { order: await openDueOrder(tx, s, a, base, now, actor), restart };
}

/** The baseline becomes 0 as of the reset, with the schedule history's entry. */
async function restartMeter(tx: Tx, s: ScheduleRow, reset: CounterReset, base: MeterBaseline, unit: string, actor: Actor): Promise<MeterRestart> {
  await tx.maintenanceSchedule.update({ where: { id: s.id }, data: { lastMeterValue: base.value, meterBaselineAt: base.at } });
  await recordAudit(tx, actor, {
    organizationId: s.organizationId,
    action: "schedule.meter_reset",
    entityType: "maintenance_schedule",
    entityId: s.id,
    details: {
      message: describeCounterReset(reset, unit),
      metric: s.meterMetricKey,
      resetAt: reset.at.toISOString(),
      from: reset.from,
      to: reset.to,
      previousBaseline: s.lastMeterValue,
      previousBaselineAt: (s.meterBaselineAt ?? s.createdAt).toISOString(),
      baseline: base.value,
      baselineAt: base.at.toISOString(),
    },
  });
  return { organizationId: s.organizationId, scheduleId: s.id, reset, baselineAt: base.at };
}

async function openDueOrder(tx: Tx, s: ScheduleRow, a: Assessment, base: MeterBaseline | null, now: Date, actor: Actor): Promise<CreatedScheduleOrder | null> {
  const scheduleId = s.id;
  const tz = s.system.site.timeZone;

  if (a.kind === "time") {
    if (!s.nextDueAt || !s.intervalDays || !isTimeDue({ nextDueAt: s.nextDueAt, leadTimeDays: s.leadTimeDays }, now, tz)) return null;
    const due = s.nextDueAt;
    const order = await openOrder(tx, s, actor, { scheduleDueAt: due, dueAt: due, description: `Preventive work every ${s.intervalDays} days (schedule "${s.name}").` });
    await tx.maintenanceSchedule.update({ where: { id: s.id }, data: { nextDueAt: nextTimeDue(due, s.intervalDays, now, tz), lastTriggeredAt: now } });
    return order;
  }

  if (a.kind === "meter") {
    if (!a.meter || !s.meterInterval || !base) return null;
    const e = evaluateMeter(
      { value: a.meter.value, ratePerDay: a.meter.ratePerDay, lastMeterValue: base.value, meterInterval: s.meterInterval, leadTimeDays: s.leadTimeDays },
      now,
    );
    if (!e.due) return null;
    const dueAt = e.estimatedDueAt ?? now;
    const order = await openOrder(tx, s, actor, {
      scheduleDueAt: dueAt,
      dueAt,
      description: `${meterLabel(s.meterMetricKey!)} at ${fmt(a.meter.value)} ${a.meter.unit}; service due at ${fmt(e.threshold)} ${a.meter.unit} (every ${fmt(s.meterInterval)} ${a.meter.unit}, schedule "${s.name}").`,
    });
    await tx.maintenanceSchedule.update({
      where: { id: s.id },
      data: { lastMeterValue: nextMeterBaseline(e.threshold, s.meterInterval, a.meter.value), meterBaselineAt: now, lastTriggeredAt: now },
    });
    return order;
  }

  const c = a.condition;
  if (!c?.held || !c.heldAt) return null;
  // one order per continuous hold: this hold's order may exist and be closed already
  const done = await tx.workOrder.findFirst({ where: { scheduleId, scheduleDueAt: c.heldAt }, select: { id: true } });
  if (done) return null;
  const order = await openOrder(tx, s, actor, {
    scheduleDueAt: c.heldAt,
    dueAt: conditionOrderDueAt(c.heldAt, s.leadTimeDays, tz),
    description: `${s.conditionMetricKey} ${s.conditionOp} ${s.conditionThreshold} held for ${c.heldMinutes} min since ${c.since!.toISOString()} (schedule "${s.name}" needs ${s.conditionHoldMinutes} min).`,
  });
  await tx.maintenanceSchedule.update({ where: { id: s.id }, data: { lastTriggeredAt: now, conditionSince: c.since } });
  return order;
}

async function openOrder(tx: Tx, s: ScheduleRow, actor: Actor, o: { scheduleDueAt: Date; dueAt: Date; description: string }): Promise<CreatedScheduleOrder> {
  const checklist = checklistForOrder(s.checklist);
  const order = await tx.workOrder.create({
    data: {
      organizationId: s.organizationId,
      type: s.workOrderType,
      status: "open",
      priority: s.priority,
      title: s.name,
      description: o.description,
      systemId: s.systemId,
      componentId: s.componentId,
      requestedById: null,
      dueAt: o.dueAt,
      scheduleId: s.id,
      scheduleDueAt: o.scheduleDueAt,
      ...(checklist ? { checklist } : {}),
    },
    select: { id: true, number: true },
  });
  await tx.workOrderStatusChange.create({ data: { workOrderId: order.id, fromStatus: null, toStatus: "open", userId: null, note: `opened by schedule ${s.name}` } });
  await recordAudit(tx, actor, {
    organizationId: s.organizationId,
    action: "schedule.trigger",
    entityType: "maintenance_schedule",
    entityId: s.id,
    details: { workOrderId: order.id, number: order.number, scheduleDueAt: o.scheduleDueAt.toISOString(), kind: s.kind },
  });
  return {
    workOrderId: order.id,
    number: order.number,
    organizationId: s.organizationId,
    scheduleId: s.id,
    scheduleName: s.name,
    kind: s.kind,
    scheduleDueAt: o.scheduleDueAt,
    dueAt: o.dueAt,
  };
}

function meterLabel(key: string): string {
  return isDerivedMeter(key) ? DERIVED_METERS[key].label : key;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}
