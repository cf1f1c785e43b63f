/**
 * The alert lifecycle (ISA-18.2, domain.md §4.2): active-unacknowledged -> acknowledged / cleared ->
 * cleared; a condition that returns before it was acknowledged re-arms the same alert (one alert per
 * condition, repeats counted: alarm-flood protection). Every change is written in one transaction
 * with its audit entry and announced on `ecomate_alerts` (NOTIFY, delivered at commit) for the live
 * feed and the notifier.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { AlertState, Severity } from "@/generated/prisma/enums";
import { hasRole, type RoleName } from "@/lib/roles";
import type { LiveAlertChange, LiveAlertEvent } from "@/lib/live-events";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";

export const ALERTS_CHANNEL = "ecomate_alerts";
export const RULES_CHANGED_CHANNEL = "ecomate_rules_changed";

/** Longest shelving: maintenance-type alarms only, time-limited (domain.md §4.3). */
export const MAX_SHELVE_MINUTES = 8 * 60;

export type AlertEvent = LiveAlertEvent & { organizationId: string };

type Tx = Prisma.TransactionClient;

const OPEN_STATES: AlertState[] = ["active_unacknowledged", "active_acknowledged", "cleared_unacknowledged"];

const alertInclude = { system: { select: { code: true } } } as const;
type AlertWithSystem = Prisma.AlertGetPayload<{ include: typeof alertInclude }>;

function eventOf(alert: AlertWithSystem, change: LiveAlertChange, at: Date): AlertEvent {
  return {
    alertId: alert.id,
    organizationId: alert.organizationId,
    change,
    systemId: alert.systemId,
    systemCode: alert.system.code,
    severity: alert.severity,
    state: alert.state,
    isCompliance: alert.isCompliance,
    message: alert.message,
    at: at.getTime(),
  };
}

async function announce(tx: Tx, event: AlertEvent): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${ALERTS_CHANNEL}, ${JSON.stringify(event)})`;
}

/** Announces a change written elsewhere (escalation) to the live feed. */
export async function announceAlertEvent(pool: { query(text: string, values: unknown[]): Promise<unknown> }, event: AlertEvent): Promise<void> {
  await pool.query("SELECT pg_notify($1, $2)", [ALERTS_CHANNEL, JSON.stringify(event)]);
}

// ---- written by the alert engine ------------------------------------------------------------------

export interface RaiseInput {
  organizationId: string;
  ruleId: string;
  systemId: string;
  componentId: string | null;
  seriesId: number;
  severity: Severity;
  isCompliance: boolean;
  message: string;
  value: number;
  at: Date;
}

/**
 * The condition of (rule, series) became active: a new alert, or the open one for the same condition
 * counts a repeat (and re-arms if it had cleared unacknowledged).
 */
export async function raiseAlert(db: Db, input: RaiseInput): Promise<AlertEvent> {
  return db.$transaction(async (tx) => {
    const open = await tx.alert.findFirst({
      where: { ruleId: input.ruleId, seriesId: input.seriesId, state: { in: OPEN_STATES } },
      orderBy: { raisedAt: "desc" },
    });
    const { organizationId, ruleId, systemId, componentId, seriesId, severity, isCompliance, message, value, at } = input;
    return raiseOrRepeat(tx, open, { organizationId, ruleId, systemId, componentId, seriesId, severity, isCompliance, message, value, raisedAt: at });
  });
}

/**
 * Counts a repeat on the open alert of a condition (new words and value; re-armed if it had cleared
 * unacknowledged; `update` adds to the change), or creates the alert; announced either way.
 */
async function raiseOrRepeat(
  tx: Tx,
  open: { id: string; state: AlertState } | null,
  create: Prisma.AlertUncheckedCreateInput & { raisedAt: Date; message: string; value: number | null },
  update: Prisma.AlertUncheckedUpdateInput = {},
): Promise<AlertEvent> {
  const at = create.raisedAt;
  const alert = open
    ? await tx.alert.update({
        where: { id: open.id },
        data: {
          ...update,
          repeatCount: { increment: 1 },
          lastRepeatAt: at,
          value: create.value,
          message: create.message,
          ...(open.state === "cleared_unacknowledged" ? { state: "active_unacknowledged", clearedAt: null } : {}),
        },
        include: alertInclude,
      })
    : await tx.alert.create({ data: create, include: alertInclude });
  const event = eventOf(alert, open ? "repeated" : "raised", at);
  await announce(tx, event);
  return event;
}

/** Clears the latest active alert matching `where` in `tx` (acknowledged -> cleared, else cleared-unacknowledged). */
async function clearActive(tx: Tx, where: Prisma.AlertWhereInput, at: Date): Promise<AlertEvent | null> {
  const open = await tx.alert.findFirst({ where: { ...where, state: { in: ["active_unacknowledged", "active_acknowledged"] } }, orderBy: { raisedAt: "desc" } });
  if (!open) return null;
  const alert = await tx.alert.update({
    where: { id: open.id },
    data: { state: open.state === "active_acknowledged" ? "cleared" : "cleared_unacknowledged", clearedAt: at },
    include: alertInclude,
  });
  const event = eventOf(alert, "cleared", at);
  await announce(tx, event);
  return event;
}

/** The condition of (rule, series) returned to normal. Null when no alert was open for it. */
export async function clearAlert(db: Db, input: { ruleId: string; seriesId: number; at: Date; value: number | null }): Promise<AlertEvent | null> {
  return db.$transaction((tx) => clearActive(tx, { ruleId: input.ruleId, seriesId: input.seriesId }, input.at));
}

// ---- conditions the platform raises itself (no rule, no series) ---------------------------------------

export interface ConditionAlertInput {
  organizationId: string;
  systemId: string;
  componentId: string | null;
  /** one open alert per key, e.g. "calibration:<componentId>" */
  conditionKey: string;
  severity: Severity;
  isCompliance: boolean;
  message: string;
  value: number | null;
  at: Date;
}

/**
 * A platform condition (a failed calibration check, an overdue one) is active: a new alert, or
 * nothing when one is already open for the key with the same message (the caller may say so on every
 * run); a changed message updates it and counts a repeat. Null when nothing changed.
 */
export async function raiseConditionAlert(db: Db, input: ConditionAlertInput): Promise<AlertEvent | null> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alert_condition:${input.conditionKey}`}))`;
    const open = await tx.alert.findFirst({ where: { conditionKey: input.conditionKey, state: { in: OPEN_STATES } }, orderBy: { raisedAt: "desc" } });
    if (open && open.message === input.message && open.state !== "cleared_unacknowledged") return null;
    const { organizationId, systemId, componentId, conditionKey, severity, isCompliance, message, value, at } = input;
    return raiseOrRepeat(tx, open, { organizationId, systemId, componentId, conditionKey, severity, isCompliance, message, value, raisedAt: at }, { severity });
  });
}

/** The platform condition of `conditionKey` is over. Null when no alert was active for it. */
export async function clearConditionAlert(db: Db, input: { conditionKey: string; at: Date }): Promise<AlertEvent | null> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alert_condition:${input.conditionKey}`}))`;
    return clearActive(tx, { conditionKey: input.conditionKey }, input.at);
  });
}

/** Shelved alerts whose time is up return to the inbox. */
export async function unshelveExpired(db: Db, now = new Date()): Promise<AlertEvent[]> {
  const due = await db.alert.findMany({ where: { shelvedUntil: { lte: now } }, select: { id: true } });
  const events: AlertEvent[] = [];
  for (const { id } of due) {
    const event = await db.$transaction(async (tx) => {
      const res = await tx.alert.updateMany({ where: { id, shelvedUntil: { lte: now } }, data: { shelvedUntil: null, shelvedById: null } });
      if (res.count === 0) return null;
      const alert = await tx.alert.findUniqueOrThrow({ where: { id }, include: alertInclude });
      await recordAudit(tx, { type: "system", label: "alert-engine" }, { organizationId: alert.organizationId, action: "alert.unshelve", entityType: "alert", entityId: id, details: { reason: "shelving expired" } });
      const e = eventOf(alert, "unshelved", now);
      await announce(tx, e);
      return e;
    });
    if (event) events.push(event);
  }
  return events;
}

// ---- people --------------------------------------------------------------------------------------

export interface UserActor {
  id: string;
  email: string;
  role: RoleName;
  organizationId: string;
}

const actorOf = (user: UserActor): Actor => ({ type: "user", userId: user.id, label: user.email });

async function loadForChange(tx: Tx, organizationId: string, id: string): Promise<AlertWithSystem> {
  const alert = await tx.alert.findFirst({ where: { id, organizationId }, include: alertInclude });
  if (!alert) throw notFound("Alert", id);
  return alert;
}

async function finish(tx: Tx, user: UserActor, alert: AlertWithSystem, change: LiveAlertChange, action: string, details?: Prisma.InputJsonValue) {
  await recordAudit(tx, actorOf(user), { organizationId: alert.organizationId, action, entityType: "alert", entityId: alert.id, details });
  const event = eventOf(alert, change, new Date());
  await announce(tx, event);
  return event;
}

export async function acknowledgeAlert(db: Db, user: UserActor, id: string): Promise<AlertEvent> {
  return db.$transaction(async (tx) => {
    const alert = await loadForChange(tx, user.organizationId, id);
    const next: AlertState | null =
      alert.state === "active_unacknowledged" ? "active_acknowledged" : alert.state === "cleared_unacknowledged" ? "cleared" : null;
    if (!next) throw new AppError("CONFLICT", `Alert ${id} is already acknowledged (${alert.state.replaceAll("_", " ")}).`);
    const updated = await tx.alert.update({
      where: { id },
      data: { state: next, acknowledgedAt: new Date(), acknowledgedById: user.id },
      include: alertInclude,
    });
    return finish(tx, user, updated, "acknowledged", "alert.acknowledge", { from: alert.state, to: next });
  });
}

export async function commentOnAlert(db: Db, user: UserActor, id: string, body: string): Promise<AlertEvent> {
  const text = body.trim();
  if (!text) throw new AppError("BAD_REQUEST", "A comment needs some text.");
  if (text.length > 4000) throw new AppError("BAD_REQUEST", `A comment is at most 4000 characters (this one has ${text.length}).`);
  return db.$transaction(async (tx) => {
    const alert = await loadForChange(tx, user.organizationId, id);
    await tx.alertComment.create({ data: { alertId: id, userId: user.id, body: text } });
    return finish(tx, user, alert, "commented", "alert.comment");
  });
}

/**
 * Assigns the alert. Technicians may take it or give it back; managers and admins may assign anyone
 * of the organisation who can act on alerts (technician and above).
 */
export async function assignAlert(db: Db, user: UserActor, id: string, assigneeId: string | null): Promise<AlertEvent> {
  return db.$transaction(async (tx) => {
    const alert = await loadForChange(tx, user.organizationId, id);
    const manager = hasRole(user.role, "manager");
    if (!manager) {
      const takingIt = assigneeId === user.id;
      const givingBack = assigneeId === null && alert.assigneeId === user.id;
      if (!takingIt && !givingBack) throw new AppError("FORBIDDEN", "Technicians may assign an alert to themselves or give it back; ask a manager to assign someone else.");
    }
    if (assigneeId) {
      const assignee = await tx.user.findFirst({ where: { id: assigneeId, organizationId: user.organizationId, active: true } });
      if (!assignee) throw notFound("User", assigneeId);
      if (!hasRole(assignee.role, "technician")) throw new AppError("BAD_REQUEST", `${assignee.name} is a ${assignee.role} and cannot act on alerts; assign a technician, manager or admin.`);
    }
    const updated = await tx.alert.update({ where: { id }, data: { assigneeId }, include: alertInclude });
    return finish(tx, user, updated, "assigned", "alert.assign", { from: alert.assigneeId, to: assigneeId });
  });
}

export async function shelveAlert(db: Db, user: UserActor, id: string, minutes: number, reason: string): Promise<AlertEvent> {
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > MAX_SHELVE_MINUTES) {
    throw new AppError("BAD_REQUEST", `Shelve for 5 to ${MAX_SHELVE_MINUTES} minutes (8 hours at most); got ${minutes}.`);
  }
  const why = reason.trim();
  if (!why) throw new AppError("BAD_REQUEST", "Say why the alert is shelved (it is logged).");
  return db.$transaction(async (tx) => {
    const alert = await loadForChange(tx, user.organizationId, id);
    if (alert.isCompliance) {
      throw new AppError("BAD_REQUEST", "Compliance alarms cannot be shelved (off-spec and compliance alarms are never shelved; acknowledge it instead).");
    }
    if (alert.state === "cleared") throw new AppError("CONFLICT", `Alert ${id} is cleared and acknowledged; there is nothing to shelve.`);
    const until = new Date(Date.now() + minutes * 60_000);
    const updated = await tx.alert.update({ where: { id }, data: { shelvedUntil: until, shelvedById: user.id }, include: alertInclude });
    return finish(tx, user, updated, "shelved", "alert.shelve", { until: until.toISOString(), minutes, reason: why });
  });
}

export async function unshelveAlert(db: Db, user: UserActor, id: string): Promise<AlertEvent> {
  return db.$transaction(async (tx) => {
    const alert = await loadForChange(tx, user.organizationId, id);
    if (!alert.shelvedUntil) throw new AppError("CONFLICT", `Alert ${id} is not shelved.`);
    const updated = await tx.alert.update({ where: { id }, data: { shelvedUntil: null, shelvedById: null }, include: alertInclude });
    return finish(tx, user, updated, "unshelved", "alert.unshelve");
  });
}

// ---- reading -------------------------------------------------------------------------------------

export interface AlertFilter {
  /** open: not yet cleared and acknowledged (default); active: condition present; unacknowledged; all */
  status?: "open" | "active" | "unacknowledged" | "all";
  severities?: Severity[];
  systemCode?: string;
  assignedTo?: string;
  /** hide (default), only, include */
  shelved?: "hide" | "only" | "include";
  limit?: number;
  /** the id of the last item of the previous page */
  cursor?: string | null;
}

export async function listAlerts(db: Db, organizationId: string, filter: AlertFilter = {}) {
  const now = new Date();
  const where: Prisma.AlertWhereInput = { organizationId };
  const status = filter.status ?? "open";
  if (status === "open") where.state = { in: OPEN_STATES };
  if (status === "active") where.state = { in: ["active_unacknowledged", "active_acknowledged"] };
  if (status === "unacknowledged") where.state = { in: ["active_unacknowledged", "cleared_unacknowledged"] };
  if (filter.severities?.length) where.severity = { in: filter.severities };
  if (filter.systemCode) where.system = { code: filter.systemCode };
  if (filter.assignedTo) where.assigneeId = filter.assignedTo;
  const shelved = filter.shelved ?? "hide";
  if (shelved === "hide") where.OR = [{ shelvedUntil: null }, { shelvedUntil: { lte: now } }];
  if (shelved === "only") where.shelvedUntil = { gt: now };
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const rows = await db.alert.findMany({
    where,
    orderBy: [{ raisedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(filter.cursor ? { cursor: { id: filter.cursor }, skip: 1 } : {}),
    include: {
      system: { select: { code: true, name: true } },
      component: { select: { code: true, name: true } },
      rule: { select: { name: true, kind: true } },
      assignee: { select: { id: true, name: true } },
      _count: { select: { comments: true } },
    },
  });
  const items = rows.slice(0, limit).map((a) => ({
    id: a.id,
    severity: a.severity,
    state: a.state,
    isCompliance: a.isCompliance,
    message: a.message,
    value: a.value,
    raisedAt: a.raisedAt,
    clearedAt: a.clearedAt,
    acknowledgedAt: a.acknowledgedAt,
    shelvedUntil: a.shelvedUntil && a.shelvedUntil > now ? a.shelvedUntil : null,
    repeatCount: a.repeatCount,
    escalatedAt: a.escalatedAt,
    system: a.system,
    component: a.component,
    rule: a.rule,
    assignee: a.assignee,
    comments: a._count.comments,
  }));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export async function getAlert(db: Db, organizationId: string, id: string) {
  const alert = await db.alert.findFirst({
    where: { id, organizationId },
    include: {
      system: { select: { code: true, name: true } },
      component: { select: { code: true, name: true } },
      rule: { select: { id: true, name: true, kind: true, threshold: true, deadband: true, onDelaySec: true, offDelaySec: true } },
      assignee: { select: { id: true, name: true } },
      acknowledgedBy: { select: { id: true, name: true } },
      comments: { orderBy: { createdAt: "asc" }, include: { user: { select: { id: true, name: true } } } },
    },
  });
  if (!alert) throw notFound("Alert", id);
  const history = await db.auditLog.findMany({
    where: { entityType: "alert", entityId: id },
    orderBy: { at: "asc" },
    select: { id: true, action: true, actor: true, at: true, details: true },
  });
  return { ...alert, history };
}

/** Unacknowledged, unshelved alerts per severity: the inbox badge. */
export async function alertCounts(db: Db, organizationId: string): Promise<Record<Severity, number>> {
  const now = new Date();
  const rows = await db.alert.groupBy({
    by: ["severity"],
    where: { organizationId, state: { in: ["active_unacknowledged", "cleared_unacknowledged"] }, OR: [{ shelvedUntil: null }, { shelvedUntil: { lte: now } }] },
    _count: { _all: true },
  });
  const out: Record<Severity, number> = { critical: 0, major: 0, minor: 0, warning: 0 };
  for (const r of rows) out[r.severity] = r._count._all;
  return out;
}
