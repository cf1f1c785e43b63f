/**
 * The rules editor's pure parts: the list filters, and the edit/create form's text values to numbers
 * and back (what changed is all an edit sends, so the audit log shows real changes).
 */
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import type { SeverityName } from "@/components/alerts/filters";

export type AlertRuleRow = inferRouterOutputs<AppRouter>["alerts"]["rules"]["list"][number];
export type RuleKindName = AlertRuleRow["kind"];

export const RULE_KINDS: RuleKindName[] = ["threshold_hi", "threshold_hihi", "threshold_lo", "threshold_lolo", "rate_of_change", "baseline_deviation", "stale"];

export interface RuleFilters {
  /** "" every rule; "*" the organisation-wide ones; else a system code (its rules and the organisation-wide ones) */
  system: string;
  /** "" any metric */
  metric: string;
  /** "" any kind */
  kind: "" | RuleKindName;
}

export const NO_FILTERS: RuleFilters = { system: "", metric: "", kind: "" };

export const ORG_WIDE = "*";

export function filterRules<R extends Pick<AlertRuleRow, "system" | "metric" | "kind">>(rules: readonly R[], f: RuleFilters): R[] {
  return rules.filter(
    (r) =>
      (f.system === "" || r.system === null || (f.system !== ORG_WIDE && r.system.code === f.system)) &&
      (f.metric === "" || r.metric.key === f.metric) &&
      (f.kind === "" || r.kind === f.kind),
  );
}

/** The numbers as typed (strings, so a half-typed "0." stays). */
export interface RuleNumberValues {
  threshold: string;
  deadband: string;
  onDelaySec: string;
  offDelaySec: string;
}

export type RuleNumberField = keyof RuleNumberValues;

export interface ParsedRuleNumbers {
  threshold?: number;
  deadband?: number;
  onDelaySec?: number;
  offDelaySec?: number;
}

const numberText = (v: number | null) => (v === null ? "" : String(v));

export function numberValuesOf(rule: Pick<AlertRuleRow, "threshold" | "deadband" | "onDelaySec" | "offDelaySec">): RuleNumberValues {
  return { threshold: numberText(rule.threshold), deadband: numberText(rule.deadband), onDelaySec: numberText(rule.onDelaySec), offDelaySec: numberText(rule.offDelaySec) };
}

/** A typed number ("0,5" reads as 0.5); undefined when empty, NaN when not a number. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(",", ".");
  if (t === "") return undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/**
 * Numbers of the form; `errors` names the fields that are not numbers (or empty where `required`).
 * Ranges are the server's to check: it knows the metric and answers with the field.
 */
export function parseRuleNumbers(values: RuleNumberValues, required: readonly RuleNumberField[]): { numbers: ParsedRuleNumbers; errors: Partial<Record<RuleNumberField, string>> } {
  const numbers: ParsedRuleNumbers = {};
  const errors: Partial<Record<RuleNumberField, string>> = {};
  for (const field of Object.keys(values) as RuleNumberField[]) {
    const n = parseNumber(values[field]);
    if (n === undefined) {
      if (required.includes(field)) errors[field] = "Enter a number.";
    } else if (Number.isNaN(n)) {
      errors[field] = `"${values[field].trim()}" is not a number.`;
    } else {
      numbers[field] = n;
    }
  }
  return { numbers, errors };
}

export interface RuleEdit extends ParsedRuleNumbers {
  name?: string;
  enabled?: boolean;
  severity?: SeverityName;
}

/** The fields of `next` that differ from `rule` (an empty object: nothing to save). */
export function ruleChanges(rule: Pick<AlertRuleRow, "name" | "threshold" | "deadband" | "onDelaySec" | "offDelaySec" | "severity" | "enabled">, next: RuleEdit): RuleEdit {
  const out: RuleEdit = {};
  if (next.name !== undefined && next.name.trim() !== rule.name) out.name = next.name.trim();
  if (next.enabled !== undefined && next.enabled !== rule.enabled) out.enabled = next.enabled;
  if (next.severity !== undefined && next.severity !== rule.severity) out.severity = next.severity;
  for (const field of ["threshold", "deadband", "onDelaySec", "offDelaySec"] as const) {
    const v = next[field];
    if (v !== undefined && v !== rule[field]) out[field] = v;
  }
  return out;
}

/** What the limit of a kind means, for the form's label. */
export function thresholdLabel(kind: RuleKindName): string {
  switch (kind) {
    case "rate_of_change":
      return "Rate limit (per minute)";
    case "baseline_deviation":
      return "Deviation limit (σ)";
    case "stale":
      return "No data for (s)";
    default:
      return "Limit";
  }
}

export type ComponentTypeName = NonNullable<AlertRuleRow["componentType"]>;

export const COMPONENT_TYPES: ComponentTypeName[] = ["pump", "motor", "vfd", "filter", "uv_reactor", "lamp", "ballast", "sleeve", "uv_sensor", "sensor", "tank", "valve", "controller", "other"];
