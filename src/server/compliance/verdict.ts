// Day status and month verdict (domain.md §5.1–5.2). The LT2ESWTR rule is monthly: at least 95 % of
// the water delivered in a month treated within validated conditions, i.e. off-spec < 5 % of the
// month's volume (40 CFR 141.720(d)(3)(ii)). A day is only a record; the verdict comes from the days.
import type { ComplianceStatus } from "@/generated/prisma/enums";

/** A day with less telemetry than this (share of its minutes with every required signal) is incomplete. */
export const MIN_DAY_COMPLETENESS = 0.9;
/** The monthly limit: off-spec volume / delivered volume must stay below 5 %. */
export const MONTH_LIMIT_PCT = 5;
/** Early warning: at or above 3 % of the month's volume the budget is mostly spent. */
export const AT_RISK_PCT = 3;

export type MonthVerdict = "compliant" | "at_risk" | "not_compliant" | "incomplete";

export function dayStatus(day: { dataCompleteness: number; offSpecVolumeM3: number }): ComplianceStatus {
  if (day.dataCompleteness < MIN_DAY_COMPLETENESS) return "incomplete";
  return day.offSpecVolumeM3 > 0 ? "off_spec" : "compliant";
}

export interface MonthTotals {
  deliveredM3: number;
  offSpecM3: number;
  /** off-spec share of the delivered volume [%]; null when no water was delivered */
  offSpecPct: number | null;
  verdict: MonthVerdict;
}

/**
 * The month's verdict from its days. `missingDays` are elapsed days without a record and
 * `incompleteDays` those with too little data. A measured off-spec share of 5 % or more is a
 * violation whatever is missing (missing data while water flows only adds off-spec volume, see
 * evaluate.ts); otherwise missing data makes the month incomplete, since it could hide off-spec water.
 */
export function monthVerdict(input: { deliveredM3: number; offSpecM3: number; missingDays: number; incompleteDays: number }): MonthTotals {
  const offSpecPct = input.deliveredM3 > 0 ? (100 * input.offSpecM3) / input.deliveredM3 : null;
  const pct = offSpecPct ?? 0;
  const verdict: MonthVerdict =
    pct >= MONTH_LIMIT_PCT ? "not_compliant" : input.missingDays > 0 || input.incompleteDays > 0 ? "incomplete" : pct >= AT_RISK_PCT ? "at_risk" : "compliant";
  return { deliveredM3: input.deliveredM3, offSpecM3: input.offSpecM3, offSpecPct, verdict };
}
