/**
 * Alert rules as people manage them (contracts.md: everyone sees them, managers and admins edit and
 * create them). Every change is audited and announced on RULES_CHANGED_CHANNEL, so the alert engine
 * reloads its rules at once. A compliance rule records off-spec water (domain.md §4.3, §5.2): only an
 * admin may switch one off.
 */
import type { AlertRuleKind, ComponentType, Severity } from "@/generated/prisma/enums";
import { hasRole } from "@/lib/roles";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { RULES_CHANGED_CHANNEL, type UserActor } from "@/server/telemetry/alerts/lifecycle";
import { parseRuleParams, type RuleGate } from "@/server/telemetry/alerts/rules";

export interface RuleSummary {
  id: string;
  name: string;
  kind: AlertRuleKind;
  threshold: number | null;
  deadband: number;
  onDelaySec: number;
  offDelaySec: number;
  severity: Severity;
  isCompliance: boolean;
  enabled: boolean;
  /** null: every system of the organisation */
  system: { code: string; name: string } | null;
  componentType: ComponentType | null;
  metric: { key: string; name: string; unit: string; minValid: number; maxValid: number };
  /** rate_of_change: the window the rate is measured over, seconds */
  windowSec: number | null;
  /** the rule only applies while this other signal is in range */
  gate: RuleGate | null;
  updatedAt: Date;
}

export interface RuleFilters {
  /** a system's rules and the organisation-wide ones */
  systemCode?: string;
  metricKey?: string;
  kind?: AlertRuleKind;
}

const ruleSelect = {
  id: true,
  name: true,
  kind: true,
  threshold: true,
  deadband: true,
  onDelaySec: true,
  offDelaySec: true,
  severity: true,
  isCompliance: true,
  enabled: true,
  componentType: true,
  params: true,
  updatedAt: true,
  system: { select: { code: true, name: true } },
  metric: { select: { key: true, name: true, unit: true, minValid: true, maxValid: true } },
} as const;

type RuleRow = Omit<RuleSummary, "windowSec" | "gate"> & { params: unknown };

function summary({ params, ...row }: RuleRow): RuleSummary {
  const p = parseRuleParams(params);
  return { ...row, windowSec: p.windowSec ?? null, gate: p.when ?? null };
}

export async function listAlertRules(db: Db, organizationId: string, filters: RuleFilters = {}): Promise<RuleSummary[]> {
  const rows = await db.alertRule.findMany({
    where: {
      organizationId,
      ...(filters.systemCode ? { OR: [{ system: { code: filters.systemCode } }, { systemId: null }] } : {}),
      ...(filters.metricKey ? { metric: { key: filters.metricKey } } : {}),
      ...(filters.kind ? { kind: filters.kind } : {}),
    },
    orderBy: [{ system: { code: "asc" } }, { name: "asc" }, { id: "asc" }],
    select: ruleSelect,
  });
  return rows.map(summary);
}

/** People who can act on alerts (technician and above), for assignment. */
export async function listAssignees(db: Db, organizationId: string) {
  const users = await db.user.findMany({ where: { organizationId, active: true }, select: { id: true, name: true, role: true }, orderBy: { name: "asc" } });
  return users.filter((u) => hasRole(u.role, "technician"));
}

// ---- validation (pure) -----------------------------------------------------------------------------

export type RuleField = "threshold" | "deadband" | "onDelaySec" | "offDelaySec" | "windowSec";

export interface RuleValues {
  kind: AlertRuleKind;
  threshold: number | null;
  deadband: number;
  onDelaySec: number;
  offDelaySec: number;
  windowSec?: number | null;
}

export interface RuleProblem {
  field: RuleField;
  message: string;
}

const THRESHOLD_KINDS: readonly AlertRuleKind[] = ["threshold_hi", "threshold_hihi", "threshold_lo", "threshold_lolo"];
export const MAX_DELAY_SEC = 86_400;
export const MIN_STALE_SEC = 10;
export const MAX_STALE_SEC = 7 * 86_400;
export const MAX_BASELINE_SIGMA = 100;

const num = (v: number) => v.toLocaleString("en-GB", { maximumFractionDigits: 6 });

/**
 * Whether a rule's numbers make sense for its kind and metric (first problem found, or null). A limit
 * outside the metric's valid range could never be crossed (readings outside it are rejected at ingest),
 * and a deadband as wide as the limit would keep the alert from ever clearing.
 */
export function ruleValuesProblem(rule: RuleValues, metric: { name: string; unit: string; minValid: number; maxValid: number }): RuleProblem | null {
  const t = rule.threshold;
  if (t === null || !Number.isFinite(t)) return { field: "threshold", message: "Enter the limit: every rule needs one." };
  if (!Number.isFinite(rule.deadband) || rule.deadband < 0) return { field: "deadband", message: "The deadband is a number of 0 or more." };
  for (const field of ["onDelaySec", "offDelaySec"] as const) {
    const v = rule[field];
    if (!Number.isInteger(v) || v < 0 || v > MAX_DELAY_SEC) return { field, message: `${field === "onDelaySec" ? "On" : "Off"}-delay is whole seconds from 0 to ${MAX_DELAY_SEC} (24 h).` };
  }
  if (THRESHOLD_KINDS.includes(rule.kind)) {
    if (t < metric.minValid || t > metric.maxValid) {
      return {
        field: "threshold",
        message: `A limit of ${num(t)} is outside the valid range of ${metric.name} (${num(metric.minValid)} to ${num(metric.maxValid)} ${metric.unit}): no reading can cross it.`,
      };
    }
    const span = metric.maxValid - metric.minValid;
    if (rule.deadband >= span) return { field: "deadband", message: `The deadband must be narrower than the range of ${metric.name} (${num(span)} ${metric.unit}).` };
    return null;
  }
  if (rule.kind === "stale") {
    if (t < MIN_STALE_SEC || t > MAX_STALE_SEC) return { field: "threshold", message: `A stale rule waits ${MIN_STALE_SEC} s to ${MAX_STALE_SEC} s (7 days) without data.` };
    return null;
  }
  if (t <= 0) return { field: "threshold", message: rule.kind === "rate_of_change" ? "The rate limit (per minute) must be above 0." : "The deviation limit (σ) must be above 0." };
  if (rule.kind === "baseline_deviation" && t > MAX_BASELINE_SIGMA) return { field: "threshold", message: `The deviation limit is at most ${MAX_BASELINE_SIGMA} σ.` };
  if (rule.deadband >= t) return { field: "deadband", message: `The deadband must be smaller than the limit (${num(t)}), or the alert could never clear.` };
  if (rule.kind === "rate_of_change" && rule.windowSec !== undefined && rule.windowSec !== null) {
    if (!Number.isInteger(rule.windowSec) || rule.windowSec < 10 || rule.windowSec > MAX_DELAY_SEC) return { field: "windowSec", message: `The rate window is whole seconds from 10 to ${MAX_DELAY_SEC}.` };
  }
  return null;
}

function check(rule: RuleValues, metric: { name: string; unit: string; minValid: number; maxValid: number }): void {
  const problem = ruleValuesProblem(rule, metric);
  if (problem) throw new AppError("BAD_REQUEST", problem.message, { field: problem.field });
}

// ---- changes ---------------------------------------------------------------------------------------

export interface RuleChange {
  id: string;
  name?: string;
  enabled?: boolean;
  threshold?: number;
  deadband?: number;
  onDelaySec?: number;
  offDelaySec?: number;
  severity?: Severity;
}

/** Edits a rule (managers; switching a compliance rule off: admins); the alert engine reloads its rules at once. */
export async function updateAlertRule(db: Db, user: UserActor, change: RuleChange): Promise<RuleSummary> {
  const { id, ...fields } = change;
  const data = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Omit<RuleChange, "id">;
  if (data.name !== undefined) data.name = data.name.trim();
  return db.$transaction(async (tx) => {
    const rule = await tx.alertRule.findFirst({ where: { id, organizationId: user.organizationId }, select: { ...ruleSelect, metricId: true } });
    if (!rule) throw notFound("Alert rule", id);
    if (rule.isCompliance && rule.enabled && data.enabled === false && !hasRole(user.role, "admin")) {
      throw new AppError(
        "FORBIDDEN",
        `"${rule.name}" is a compliance rule: it records off-spec water and only an admin may switch it off. Adjust its delays or deadband instead, or ask an admin.`,
        { field: "enabled" },
      );
    }
    check(
      {
        kind: rule.kind,
        threshold: data.threshold ?? rule.threshold,
        deadband: data.deadband ?? rule.deadband,
        onDelaySec: data.onDelaySec ?? rule.onDelaySec,
        offDelaySec: data.offDelaySec ?? rule.offDelaySec,
      },
      rule.metric,
    );
    const updated = await tx.alertRule.update({ where: { id }, data, select: ruleSelect });
    const before = Object.fromEntries(Object.keys(data).map((k) => [k, rule[k as keyof typeof data] as unknown]));
    await recordAudit(tx, { type: "user", userId: user.id, label: user.email }, {
      organizationId: user.organizationId,
      action: "alert_rule.update",
      entityType: "alert_rule",
      entityId: id,
      details: JSON.parse(JSON.stringify({ before, after: data })),
    });
    await tx.$executeRaw`SELECT pg_notify(${RULES_CHANGED_CHANNEL}, ${id})`;
    return summary(updated);
  });
}

export interface NewRule {
  name: string;
  /** null: every system of the organisation */
  systemCode: string | null;
  metricKey: string;
  /** narrows the rule to series of one component type; null: every series of the metric */
  componentType: ComponentType | null;
  kind: AlertRuleKind;
  threshold: number;
  deadband: number;
  onDelaySec: number;
  offDelaySec: number;
  severity: Severity;
  enabled: boolean;
  /** rate_of_change only */
  windowSec?: number | null;
}

/**
 * A new rule (managers). Never a compliance rule: those follow from a system's validated limits
 * (default-rules.ts) and must not be invented from the inbox.
 */
export async function createAlertRule(db: Db, user: UserActor, input: NewRule): Promise<RuleSummary> {
  return db.$transaction(async (tx) => {
    const metric = await tx.metric.findFirst({
      where: { key: input.metricKey, OR: [{ organizationId: null }, { organizationId: user.organizationId }] },
      select: { id: true, name: true, unit: true, minValid: true, maxValid: true },
    });
    if (!metric) throw new AppError("BAD_REQUEST", `Metric "${input.metricKey}" is not in the catalogue: pick one of the list.`, { field: "metricKey" });
    let systemId: string | null = null;
    if (input.systemCode !== null) {
      const system = await tx.treatmentSystem.findFirst({ where: { code: input.systemCode, organizationId: user.organizationId }, select: { id: true } });
      if (!system) throw new AppError("BAD_REQUEST", `System "${input.systemCode}" is not one of your organisation's systems.`, { field: "systemCode" });
      systemId = system.id;
    }
    const windowSec = input.kind === "rate_of_change" ? (input.windowSec ?? null) : null;
    check({ ...input, windowSec }, metric);
    const created = await tx.alertRule.create({
      data: {
        organizationId: user.organizationId,
        name: input.name.trim(),
        systemId,
        metricId: metric.id,
        componentType: input.componentType,
        kind: input.kind,
        threshold: input.threshold,
        deadband: input.deadband,
        onDelaySec: input.onDelaySec,
        offDelaySec: input.offDelaySec,
        severity: input.severity,
        enabled: input.enabled,
        isCompliance: false,
        ...(windowSec !== null ? { params: { windowSec } } : {}),
      },
      select: ruleSelect,
    });
    await recordAudit(tx, { type: "user", userId: user.id, label: user.email }, {
      organizationId: user.organizationId,
      action: "alert_rule.create",
      entityType: "alert_rule",
      entityId: created.id,
      details: JSON.parse(JSON.stringify({ ...input, windowSec })),
    });
    await tx.$executeRaw`SELECT pg_notify(${RULES_CHANGED_CHANNEL}, ${created.id})`;
    return summary(created);
  });
}
