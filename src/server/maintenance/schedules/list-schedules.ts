/**
 * Reading schedules: the list (with next due, the meter and progress, the last order), one schedule
 * with its recent orders, and the choices a schedule form offers (systems, components, metrics).
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Priority, ScheduleKind, WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { assessSchedule, scheduleRowSelect, type ScheduleRow } from "./assess-schedule";
import { checklistLabels, DERIVED_METERS, MINUTE_MS, OPEN_ORDER_STATUSES } from "./schedule-rules";

export interface ScheduleOrderSummary {
  id: string;
  number: number;
  status: WorkOrderStatus;
  dueAt: Date | null;
  createdAt: Date;
}

export interface ScheduleView {
  id: string;
  name: string;
  kind: ScheduleKind;
  active: boolean;
  workOrderType: WorkOrderType;
  priority: Priority;
  system: { code: string; name: string };
  component: { code: string; name: string } | null;
  intervalDays: number | null;
  meterMetricKey: string | null;
  meterInterval: number | null;
  lastMeterValue: number | null;
  conditionMetricKey: string | null;
  conditionOp: string | null;
  conditionThreshold: number | null;
  conditionHoldMinutes: number | null;
  leadTimeDays: number;
  checklist: string[];
  /** time: the calendar due date; meter: estimated from the recent rate; condition: when the current hold completes */
  nextDueAt: Date | null;
  /** time-based: when the order for nextDueAt opens (lead time) */
  opensAt: Date | null;
  meter: { value: number; unit: string; ratePerDay: number | null; threshold: number; sourceMetric: string } | null;
  /**
   * meter-based: the counter reset the current interval counts from (a new lamp, a replaced meter);
   * pending until the runner stores it (within a minute), the list counts from it either way
   */
  counterReset: { at: Date; from: number; to: number; pending: boolean } | null;
  condition: { holding: boolean; since: Date | null; heldMinutes: number; hasData: boolean } | null;
  /** towards the next due point, in percent (100 or more: due) */
  progressPercent: number | null;
  /** an order would be opened by the next run (unless one is still open) */
  due: boolean;
  lastTriggeredAt: Date | null;
  lastOrder: ScheduleOrderSummary | null;
  hasOpenOrder: boolean;
}

const orderSelect = { id: true, number: true, status: true, dueAt: true, createdAt: true, scheduleId: true } satisfies Prisma.WorkOrderSelect;

export interface ScheduleFilter {
  systemCode?: string;
  kind?: ScheduleKind;
  active?: boolean;
}

export async function listSchedules(db: Db, organizationId: string, filter: ScheduleFilter = {}, now = new Date()): Promise<ScheduleView[]> {
  const rows = await db.maintenanceSchedule.findMany({
    where: {
      organizationId,
      ...(filter.systemCode ? { system: { code: filter.systemCode } } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.active !== undefined ? { active: filter.active } : {}),
    },
    select: scheduleRowSelect,
    orderBy: [{ active: "desc" }, { name: "asc" }],
  });
  const views = await viewsOf(db, rows, now);
  // what needs attention first: active, due, then soonest
  return views.sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      Number(b.due) - Number(a.due) ||
      (a.nextDueAt?.getTime() ?? Infinity) - (b.nextDueAt?.getTime() ?? Infinity) ||
      a.name.localeCompare(b.name),
  );
}

export async function getSchedule(db: Db, organizationId: string, id: string, now = new Date()): Promise<ScheduleView & { recentOrders: ScheduleOrderSummary[] }> {
  const row = await db.maintenanceSchedule.findFirst({ where: { id, organizationId }, select: scheduleRowSelect });
  if (!row) throw notFound("Schedule", id);
  const [view] = await viewsOf(db, [row], now);
  const recent = await db.workOrder.findMany({ where: { scheduleId: id, organizationId }, select: orderSelect, orderBy: { createdAt: "desc" }, take: 10 });
  return { ...view!, recentOrders: recent.map(summary) };
}

export async function viewsOf(db: Db, rows: ScheduleRow[], now: Date): Promise<ScheduleView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  // a stored reset leaves baseline 0 behind; its audit entry says when and from what
  const restartedIds = rows.filter((r) => r.kind === "meter" && r.lastMeterValue === 0 && r.meterBaselineAt).map((r) => r.id);
  const [latest, open, resets] = await Promise.all([
    db.workOrder.findMany({ where: { scheduleId: { in: ids } }, select: orderSelect, orderBy: [{ scheduleId: "asc" }, { createdAt: "desc" }], distinct: ["scheduleId"] }),
    db.workOrder.groupBy({ by: ["scheduleId"], where: { scheduleId: { in: ids }, status: { in: [...OPEN_ORDER_STATUSES] } }, _count: { _all: true } }),
    restartedIds.length
      ? db.auditLog.findMany({
          where: { entityType: "maintenance_schedule", entityId: { in: restartedIds }, action: "schedule.meter_reset" },
          select: { entityId: true, details: true },
          orderBy: [{ entityId: "asc" }, { at: "desc" }],
          distinct: ["entityId"],
        })
      : [],
  ]);
  const lastBySchedule = new Map(latest.map((o) => [o.scheduleId!, summary(o)]));
  const openIds = new Set(open.map((o) => o.scheduleId));
  const resetBySchedule = new Map(resets.map((e) => [e.entityId!, e.details]));
  // each assessment reads telemetry (a few indexed rollup queries); the pool bounds the parallelism
  const assessments = await Promise.all(rows.map((r) => assessSchedule(db, r, now)));
  const out: ScheduleView[] = [];
  for (const [i, r] of rows.entries()) {
    const a = assessments[i]!;
    let meter: ScheduleView["meter"] = null;
    let condition: ScheduleView["condition"] = null;
    let nextDueAt = a.nextDueAt;
    let counterReset: ScheduleView["counterReset"] = null;
    if (a.kind === "meter" && a.meter && a.evaluation) {
      meter = { value: a.meter.value, unit: a.meter.unit, ratePerDay: a.meter.ratePerDay, threshold: a.evaluation.threshold, sourceMetric: a.meter.sourceMetric };
    }
    if (a.kind === "meter") {
      const pending = a.baseline?.restartedBy;
      counterReset = pending ? { ...pending, pending: true } : storedReset(resetBySchedule.get(r.id), r.meterBaselineAt);
    }
    if (a.kind === "condition") {
      const c = a.condition;
      condition = { holding: c?.holding ?? false, since: c?.since ?? null, heldMinutes: c?.heldMinutes ?? 0, hasData: a.hasData };
      if (!nextDueAt && c?.since && r.conditionHoldMinutes) nextDueAt = new Date(c.since.getTime() + r.conditionHoldMinutes * MINUTE_MS);
    }
    out.push({
      id: r.id,
      name: r.name,
      kind: r.kind,
      active: r.active,
      workOrderType: r.workOrderType,
      priority: r.priority,
      system: { code: r.system.code, name: r.system.name },
      component: r.component,
      intervalDays: r.intervalDays,
      meterMetricKey: r.meterMetricKey,
      meterInterval: r.meterInterval,
      lastMeterValue: r.lastMeterValue,
      conditionMetricKey: r.conditionMetricKey,
      conditionOp: r.conditionOp,
      conditionThreshold: r.conditionThreshold,
      conditionHoldMinutes: r.conditionHoldMinutes,
      leadTimeDays: r.leadTimeDays,
      checklist: checklistLabels(r.checklist),
      nextDueAt,
      opensAt: a.kind === "time" ? a.opensAt : null,
      meter,
      counterReset,
      condition,
      progressPercent: a.progress === null ? null : Math.round(a.progress * 1000) / 10,
      due: r.active && a.due,
      lastTriggeredAt: r.lastTriggeredAt,
      lastOrder: lastBySchedule.get(r.id) ?? null,
      hasOpenOrder: openIds.has(r.id),
    });
  }
  return out;
}

/** The reset an audit entry recorded, if the stored baseline is still the one it set. */
function storedReset(details: Prisma.JsonValue | undefined, baselineAt: Date | null): ScheduleView["counterReset"] {
  if (!details || typeof details !== "object" || Array.isArray(details) || !baselineAt) return null;
  const { resetAt, from, to, baselineAt: setAt } = details;
  if (typeof resetAt !== "string" || typeof from !== "number" || typeof to !== "number" || setAt !== baselineAt.toISOString()) return null;
  return { at: new Date(resetAt), from, to, pending: false };
}

function summary(o: { id: string; number: number; status: WorkOrderStatus; dueAt: Date | null; createdAt: Date }): ScheduleOrderSummary {
  return { id: o.id, number: o.number, status: o.status, dueAt: o.dueAt, createdAt: o.createdAt };
}

export interface ScheduleFormOptions {
  systems: { code: string; name: string; components: { code: string; name: string; type: string }[] }[];
  meterMetrics: { key: string; name: string; unit: string }[];
  conditionMetrics: { key: string; name: string; unit: string }[];
}

/** What a schedule form offers: the organisation's systems and components, meters and metrics. */
export async function scheduleFormOptions(db: Db, organizationId: string): Promise<ScheduleFormOptions> {
  const [systems, metrics] = await Promise.all([
    db.treatmentSystem.findMany({
      where: { organizationId },
      select: { code: true, name: true, components: { where: { status: { not: "removed" } }, select: { code: true, name: true, type: true }, orderBy: { code: "asc" } } },
      orderBy: { code: "asc" },
    }),
    db.metric.findMany({ where: { OR: [{ organizationId: null }, { organizationId }] }, select: { key: true, name: true, unit: true, kind: true }, orderBy: { key: "asc" } }),
  ]);
  return {
    systems,
    meterMetrics: [
      ...Object.entries(DERIVED_METERS).map(([key, d]) => ({ key, name: d.label, unit: d.unit })),
      ...metrics.filter((m) => m.kind === "counter").map(({ key, name, unit }) => ({ key, name, unit })),
    ],
    conditionMetrics: metrics.map(({ key, name, unit }) => ({ key, name, unit })),
  };
}
