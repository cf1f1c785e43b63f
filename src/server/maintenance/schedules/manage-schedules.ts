/**
 * Creating, changing, pausing and deleting preventive schedules (managers and admins). Every change
 * is checked as a whole (the fields its kind needs, known metrics) and written with its audit entry.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Priority, WorkOrderType } from "@/generated/prisma/enums";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { scheduleRowSelect } from "./assess-schedule";
import { viewsOf, type ScheduleView } from "./list-schedules";
import { readMeter } from "./read-telemetry";
import { addCalendarDays, checklistLabels, DERIVED_METERS, isDerivedMeter, scheduleProblems, type ScheduleKindName } from "./schedule-rules";
import { checklistSteps } from "@/lib/schedule-fields";

type Tx = Prisma.TransactionClient;

export interface ScheduleUser {
  id: string;
  email: string;
  organizationId: string;
}

/** Fields of a schedule; on update, undefined keeps the stored value and null clears it. */
export interface ScheduleInput {
  name?: string;
  systemCode?: string;
  componentCode?: string | null;
  kind?: ScheduleKindName;
  workOrderType?: WorkOrderType;
  priority?: Priority;
  intervalDays?: number | null;
  /** time-based: the (first) due date; default: interval days from now */
  nextDueAt?: Date | null;
  meterMetricKey?: string | null;
  meterInterval?: number | null;
  /**
   * meter-based: the meter at the last service; default: the meter now. Stored with the time it was
   * set (meterBaselineAt), after which a counter reset restarts the interval.
   */
  lastMeterValue?: number | null;
  conditionMetricKey?: string | null;
  conditionOp?: string | null;
  conditionThreshold?: number | null;
  conditionHoldMinutes?: number | null;
  leadTimeDays?: number;
  checklist?: string[];
  active?: boolean;
}

const actorOf = (user: ScheduleUser): Actor => ({ type: "user", userId: user.id, label: user.email });

function badRequest(problems: { field: string; message: string }[]): AppError {
  return new AppError("BAD_REQUEST", problems.map((p) => p.message).join(" "), { fieldErrors: problems });
}

/** Resolves the system and component codes of the caller's organisation. */
async function resolveTarget(db: Db | Tx, organizationId: string, systemCode: string, componentCode: string | null) {
  const system = await db.treatmentSystem.findFirst({
    where: { code: systemCode, organizationId },
    select: { id: true, code: true, site: { select: { timeZone: true } } },
  });
  if (!system) throw new AppError("NOT_FOUND", `System "${systemCode}" was not found in your organisation; pick one from the list.`, { field: "systemCode" });
  let componentId: string | null = null;
  if (componentCode) {
    const component = await db.component.findFirst({ where: { systemId: system.id, code: componentCode }, select: { id: true } });
    if (!component) throw new AppError("NOT_FOUND", `Component "${componentCode}" was not found on system ${system.code}.`, { field: "componentCode" });
    componentId = component.id;
  }
  return { systemId: system.id, componentId, timeZone: system.site.timeZone };
}

/** Metric keys must name a metric the organisation has; a meter must be a counter or a derived meter. */
async function checkMetrics(db: Db | Tx, organizationId: string, s: { kind: ScheduleKindName; meterMetricKey: string | null; conditionMetricKey: string | null }): Promise<void> {
  const keys = [s.kind === "meter" ? s.meterMetricKey : null, s.kind === "condition" ? s.conditionMetricKey : null].filter((k): k is string => !!k && !isDerivedMeter(k));
  const found = keys.length
    ? await db.metric.findMany({ where: { key: { in: keys }, OR: [{ organizationId: null }, { organizationId }] }, select: { key: true, kind: true } })
    : [];
  const byKey = new Map(found.map((m) => [m.key, m.kind]));
  const problems: { field: string; message: string }[] = [];
  if (s.kind === "meter" && s.meterMetricKey && !isDerivedMeter(s.meterMetricKey)) {
    const kind = byKey.get(s.meterMetricKey);
    if (!kind) {
      problems.push({ field: "meterMetricKey", message: `Unknown metric "${s.meterMetricKey}" for meterMetricKey; use ${Object.keys(DERIVED_METERS).join(", ")} or a counter metric such as lamp_hours or energy.` });
    } else if (kind !== "counter") {
      problems.push({ field: "meterMetricKey", message: `Metric "${s.meterMetricKey}" is a ${kind}, not a counter; a meter needs a counter (lamp_hours, energy) or ${Object.keys(DERIVED_METERS).join(" / ")}.` });
    }
  }
  if (s.kind === "condition" && s.conditionMetricKey && !byKey.has(s.conditionMetricKey)) {
    problems.push({ field: "conditionMetricKey", message: `Unknown metric "${s.conditionMetricKey}" for conditionMetricKey; pick a metric of the catalogue (e.g. filter_dp).` });
  }
  if (problems.length) throw badRequest(problems);
}


export async function createSchedule(db: Db, user: ScheduleUser, input: ScheduleInput, now = new Date()): Promise<ScheduleView> {
  const name = input.name?.trim() ?? "";
  if (!input.kind) throw badRequest([{ field: "kind", message: 'A schedule needs kind: "time", "meter" or "condition".' }]);
  const fields = {
    kind: input.kind,
    intervalDays: input.kind === "time" ? (input.intervalDays ?? null) : null,
    meterMetricKey: input.kind === "meter" ? (input.meterMetricKey?.trim() || null) : null,
    meterInterval: input.kind === "meter" ? (input.meterInterval ?? null) : null,
    conditionMetricKey: input.kind === "condition" ? (input.conditionMetricKey?.trim() || null) : null,
    conditionOp: input.kind === "condition" ? (input.conditionOp ?? null) : null,
    conditionThreshold: input.kind === "condition" ? (input.conditionThreshold ?? null) : null,
    conditionHoldMinutes: input.kind === "condition" ? (input.conditionHoldMinutes ?? null) : null,
    leadTimeDays: input.leadTimeDays ?? 0,
  };
  const systemCode = input.systemCode?.trim() ?? "";
  const problems = scheduleProblems({ ...fields, name, systemCode, checklist: input.checklist ?? [] });
  if (problems.length) throw badRequest(problems);
  await checkMetrics(db, user.organizationId, fields);
  const target = await resolveTarget(db, user.organizationId, systemCode, input.componentCode ?? null);

  let nextDueAt: Date | null = null;
  if (fields.kind === "time") nextDueAt = input.nextDueAt ?? addCalendarDays(now, fields.intervalDays!, target.timeZone);
  let lastMeterValue: number | null = null;
  let meterBaselineAt: Date | null = null;
  if (fields.kind === "meter") {
    // by default the meter starts now: the first service is one interval from today's reading
    lastMeterValue = input.lastMeterValue ?? (await readMeter(db, { organizationId: user.organizationId, ...target }, fields.meterMetricKey!, now))?.value ?? 0;
    meterBaselineAt = now;
  }
  const id = await db.$transaction(async (tx) => {
    const row = await tx.maintenanceSchedule.create({
      data: {
        organizationId: user.organizationId,
        systemId: target.systemId,
        componentId: target.componentId,
        name,
        ...fields,
        workOrderType: input.workOrderType ?? "preventive",
        priority: input.priority ?? "medium",
        nextDueAt,
        lastMeterValue,
        meterBaselineAt,
        checklist: checklistSteps(input.checklist ?? []),
        active: input.active ?? true,
      },
      select: { id: true },
    });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "schedule.create",
      entityType: "maintenance_schedule",
      entityId: row.id,
      details: { name, kind: fields.kind, system: systemCode },
    });
    return row.id;
  });
  return viewOne(db, id, now);
}

export async function updateSchedule(db: Db, user: ScheduleUser, id: string, input: ScheduleInput, now = new Date()): Promise<ScheduleView> {
  const current = await db.maintenanceSchedule.findFirst({ where: { id, organizationId: user.organizationId }, select: scheduleRowSelect });
  if (!current) throw notFound("Schedule", id);
  const pick = <K extends keyof ScheduleInput>(k: K, stored: NonNullable<ScheduleInput[K]> | null) => (input[k] === undefined ? stored : (input[k] ?? null));
  const kind = input.kind ?? current.kind;
  const name = input.name === undefined ? current.name : input.name.trim();
  const fields = {
    kind,
    intervalDays: kind === "time" ? pick("intervalDays", current.intervalDays) : null,
    meterMetricKey: kind === "meter" ? pick("meterMetricKey", current.meterMetricKey)?.trim() || null : null,
    meterInterval: kind === "meter" ? pick("meterInterval", current.meterInterval) : null,
    conditionMetricKey: kind === "condition" ? pick("conditionMetricKey", current.conditionMetricKey)?.trim() || null : null,
    conditionOp: kind === "condition" ? pick("conditionOp", current.conditionOp) : null,
    conditionThreshold: kind === "condition" ? pick("conditionThreshold", current.conditionThreshold) : null,
    conditionHoldMinutes: kind === "condition" ? pick("conditionHoldMinutes", current.conditionHoldMinutes) : null,
    leadTimeDays: input.leadTimeDays ?? current.leadTimeDays,
  };
  const problems = scheduleProblems({ ...fields, name, checklist: input.checklist });
  if (problems.length) throw badRequest(problems);
  await checkMetrics(db, user.organizationId, fields);
  const systemCode = input.systemCode ?? current.system.code;
  const componentCode = input.componentCode === undefined && systemCode === current.system.code ? (current.component?.code ?? null) : (input.componentCode ?? null);
  const target = await resolveTarget(db, user.organizationId, systemCode, componentCode);

  // time: a new first due date, or the same calendar with the new interval (previous due + interval)
  let nextDueAt: Date | null = null;
  if (kind === "time") {
    const interval = fields.intervalDays!;
    if (input.nextDueAt) nextDueAt = input.nextDueAt;
    else if (current.kind === "time" && current.nextDueAt && current.intervalDays) {
      nextDueAt = current.intervalDays === interval ? current.nextDueAt : addCalendarDays(addCalendarDays(current.nextDueAt, -current.intervalDays, target.timeZone), interval, target.timeZone);
    } else nextDueAt = addCalendarDays(now, interval, target.timeZone);
  }
  // meter: a new meter starts from its reading now unless a baseline is given. The form sends the
  // stored baseline back with every edit: the same value on the same meter is no new baseline, and
  // keeps its time, so a counter reset after it (not persisted yet) still restarts the interval.
  let lastMeterValue: number | null = null;
  let meterBaselineAt: Date | null = null;
  if (kind === "meter") {
    const sameMeter = current.kind === "meter" && current.meterMetricKey === fields.meterMetricKey && current.systemId === target.systemId && current.componentId === target.componentId;
    const keep = sameMeter && (input.lastMeterValue === undefined || (input.lastMeterValue !== null && input.lastMeterValue === current.lastMeterValue));
    if (keep) {
      lastMeterValue = current.lastMeterValue;
      meterBaselineAt = current.meterBaselineAt;
    } else {
      lastMeterValue = input.lastMeterValue ?? (await readMeter(db, { organizationId: user.organizationId, ...target }, fields.meterMetricKey!, now))?.value ?? 0;
      meterBaselineAt = now;
    }
  }
  const conditionChanged =
    kind !== "condition" ||
    current.conditionMetricKey !== fields.conditionMetricKey ||
    current.conditionOp !== fields.conditionOp ||
    current.conditionThreshold !== fields.conditionThreshold ||
    current.systemId !== target.systemId ||
    current.componentId !== target.componentId;

  await db.$transaction(async (tx) => {
    await tx.maintenanceSchedule.update({
      where: { id },
      data: {
        name,
        systemId: target.systemId,
        componentId: target.componentId,
        ...fields,
        ...(input.workOrderType ? { workOrderType: input.workOrderType } : {}),
        ...(input.priority ? { priority: input.priority } : {}),
        nextDueAt,
        lastMeterValue,
        meterBaselineAt,
        ...(conditionChanged ? { conditionSince: null } : {}),
        ...(input.checklist ? { checklist: checklistSteps(input.checklist) } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
      },
    });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "schedule.update",
      entityType: "maintenance_schedule",
      entityId: id,
      details: { changed: Object.keys(input).filter((k) => input[k as keyof ScheduleInput] !== undefined) },
    });
  });
  return viewOne(db, id, now);
}

export async function setScheduleActive(db: Db, user: ScheduleUser, id: string, active: boolean, now = new Date()): Promise<ScheduleView> {
  await db.$transaction(async (tx) => {
    const res = await tx.maintenanceSchedule.updateMany({ where: { id, organizationId: user.organizationId }, data: { active, ...(active ? {} : { conditionSince: null }) } });
    if (res.count === 0) throw notFound("Schedule", id);
    await recordAudit(tx, actorOf(user), { organizationId: user.organizationId, action: active ? "schedule.activate" : "schedule.pause", entityType: "maintenance_schedule", entityId: id });
  });
  return viewOne(db, id, now);
}

/** Deletes a schedule; its work orders stay (they lose the link, not their history). */
export async function deleteSchedule(db: Db, user: ScheduleUser, id: string): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const row = await tx.maintenanceSchedule.findFirst({ where: { id, organizationId: user.organizationId }, select: { id: true, name: true, checklist: true } });
    if (!row) throw notFound("Schedule", id);
    await tx.maintenanceSchedule.delete({ where: { id } });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "schedule.delete",
      entityType: "maintenance_schedule",
      entityId: id,
      details: { name: row.name, checklist: checklistLabels(row.checklist) },
    });
    return { id };
  });
}

async function viewOne(db: Db, id: string, now: Date): Promise<ScheduleView> {
  const row = await db.maintenanceSchedule.findUniqueOrThrow({ where: { id }, select: scheduleRowSelect });
  const [view] = await viewsOf(db, [row], now);
  return view!;
}
