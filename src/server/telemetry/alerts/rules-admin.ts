import type { Severity } from "@/generated/prisma/enums";
import { hasRole } from "@/lib/roles";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { RULES_CHANGED_CHANNEL, type UserActor } from "@/server/telemetry/alerts/lifecycle";

export async function listAlertRules(db: Db, organizationId: string, systemCode?: string) {
  return db.alertRule.findMany({
    where: { organizationId, ...(systemCode ? { OR: [{ system: { code: systemCode } }, { systemId: null }] } : {}) },
    orderBy: [{ system: { code: "asc" } }, { name: "asc" }],
    include: { metric: { select: { key: true, name: true, unit: true } }, system: { select: { code: true, name: true } } },
  });
}

/** People who can act on alerts (technician and above), for assignment. */
export async function listAssignees(db: Db, organizationId: string) {
  const users = await db.user.findMany({ where: { organizationId, active: true }, select: { id: true, name: true, role: true }, orderBy: { name: "asc" } });
  return users.filter((u) => hasRole(u.role, "technician"));
}

export interface RuleChange {
  id: string;
  enabled?: boolean;
  threshold?: number;
  deadband?: number;
  onDelaySec?: number;
  offDelaySec?: number;
  severity?: Severity;
}

/** Edits a rule (managers); the alert engine reloads its rules at once. */
export async function updateAlertRule(db: Db, user: UserActor, change: RuleChange) {
  const { id, ...data } = change;
  return db.$transaction(async (tx) => {
    const rule = await tx.alertRule.findFirst({ where: { id, organizationId: user.organizationId } });
    if (!rule) throw notFound("Alert rule", id);
    const updated = await tx.alertRule.update({ where: { id }, data });
    const before = Object.fromEntries(Object.keys(data).map((k) => [k, rule[k as keyof typeof rule] as unknown]));
    await recordAudit(tx, { type: "user", userId: user.id, label: user.email }, {
      organizationId: user.organizationId,
      action: "alert_rule.update",
      entityType: "alert_rule",
      entityId: id,
      details: JSON.parse(JSON.stringify({ before, after: data })),
    });
    await tx.$executeRaw`SELECT pg_notify(${RULES_CHANGED_CHANNEL}, ${id})`;
    return updated;
  });
}
