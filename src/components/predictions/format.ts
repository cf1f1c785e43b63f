// How the Predictions page orders and words the latest predictions: most urgent first, risk as a
// percentage with a colour, remaining life in days with its range, what was done about it, and the
// one-line summary of "Score now". Pure, so the order and the wording are tested without a browser.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Outputs = inferRouterOutputs<AppRouter>["predictions"];
export type LatestPredictionItem = Outputs["latest"][number];
export type PredictionRunSummary = Outputs["runNow"];

type Urgency = Pick<LatestPredictionItem, "rulHours" | "score" | "system" | "component" | "model" | "kind" | "threshold">;

/** The risk from which the degradation trends act (trend/specs.ts `actWhen.riskAtLeast`, the same for all). */
export const TREND_ACTION_RISK = 0.8;

/**
 * The probability from which a prediction's model acts: the failure-risk model's own threshold (picked
 * on its held-out data, often far below the trends' 80 %), else the trends' one.
 */
export function actionRisk(p: Pick<LatestPredictionItem, "kind" | "threshold">): number {
  return p.kind === "failure_risk" && p.threshold !== null && p.threshold > 0 ? p.threshold : TREND_ACTION_RISK;
}

/** At or past the limit when scored (the job stores a remaining life of 0 then). */
export const isPastLimit = (p: Pick<LatestPredictionItem, "rulHours">) => p.rulHours !== null && p.rulHours <= 0;

/** 0: past the limit; 1: at or above its model's action risk; 2: the rest. */
const urgencyTier = (p: Urgency) => (isPastLimit(p) ? 0 : p.score >= actionRisk(p) ? 1 : 2);

/**
 * Most urgent first: already past the limit, then the risks at or above their model's action risk
 * (a failure risk of 35 % against its 30 % ranks with a trend at 90 %), then the rest; within each,
 * the shortest remaining life first (a trend not heading to the limit, and a failure risk, which has
 * none, last), then the highest risk relative to its model's action risk; ties by system, component
 * and model so the order is stable.
 */
export function byUrgency(a: Urgency, b: Urgency): number {
  const tier = urgencyTier(a) - urgencyTier(b);
  if (tier !== 0) return tier;
  const ra = a.rulHours ?? Infinity;
  const rb = b.rulHours ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  const sa = a.score / actionRisk(a);
  const sb = b.score / actionRisk(b);
  if (sa !== sb) return sb - sa;
  return a.system.localeCompare(b.system) || (a.component ?? "").localeCompare(b.component ?? "") || a.model.localeCompare(b.model);
}

export function sortByUrgency<T extends Urgency>(items: readonly T[]): T[] {
  return [...items].sort(byUrgency);
}

/** 0.834 → 83; a small risk is not shown as a flat 0 nor a near-certain one as 100. */
export function riskPercent(score: number): number {
  if (!Number.isFinite(score)) return 0;
  const pct = Math.min(100, Math.max(0, score * 100));
  if (pct > 0 && pct < 1) return 1;
  if (pct > 99 && pct < 100) return 99;
  return Math.round(pct);
}

export type RiskTone = "high" | "elevated" | "low";

/** Red from the model's own risk for action (the trends' 80 % unless given), amber from half of it. */
export function riskTone(score: number, actsFrom = TREND_ACTION_RISK): RiskTone {
  return score >= actsFrom ? "high" : score >= actsFrom / 2 ? "elevated" : "low";
}

/** "Risk within 14 days" (the horizon the risk is about); `what` names the risk ("Failure risk"). */
export function riskLabel(horizonHours: number | null, what = "Risk"): string {
  if (!horizonHours || horizonHours <= 0) return what;
  const days = Math.round(horizonHours / 24);
  return horizonHours >= 48 ? `${what} within ${days} days` : `${what} within ${Math.round(horizonHours)} hours`;
}

/**
 * Remaining life as a manager says it: "about 9 days (7–12)", "about 20 hours (14–31)" under two
 * days, "already past the limit", "not heading to the limit". The range is the slope's interval; a
 * missing upper bound means the slow end never gets there.
 */
export function remainingLifeText(rulHours: number | null, lowHours: number | null, highHours: number | null): string {
  if (rulHours === null) return "not heading to the limit";
  if (rulHours <= 0) return "already past the limit";
  const inDays = rulHours >= 48;
  const n = (h: number) => Math.round(inDays ? h / 24 : h);
  const main = Math.max(1, n(rulHours));
  const unit = inDays ? (main === 1 ? "day" : "days") : main === 1 ? "hour" : "hours";
  let range = "";
  if (lowHours !== null && highHours !== null) {
    const lo = n(lowHours);
    const hi = n(highHours);
    range = lo === hi ? "" : ` (${lo}–${hi})`;
  } else if (lowHours !== null) {
    range = ` (${n(lowHours)} or more)`;
  }
  return `about ${main} ${unit}${range}`;
}

export interface ActionLine {
  tone: "approval" | "open" | "cooldown";
  /** text before the order's link (the whole line when there is no order) */
  before: string;
  order: { id: string; label: string } | null;
  after: string;
}

/** The line as plain text, for tests and labels. */
export const actionLineText = (l: ActionLine) => `${l.before}${l.order?.label ?? ""}${l.after}`;

/**
 * What was done about the prediction: the order it opened waiting for approval, the order already
 * open, a recent dismissal with the end of the model's cooldown; null when nothing was (or is) to do.
 * `formatDate` writes the cooldown's end (the reader's zone is the component's business).
 */
export function actionLine(p: Pick<LatestPredictionItem, "action" | "workOrder" | "cooldownUntil">, now: number, formatDate: (d: Date) => string): ActionLine | null {
  const wo = p.workOrder;
  const order = wo ? { id: wo.id, label: `WO-${wo.number}` } : null;
  if ((p.action === "awaiting_approval" || p.action === "deduplicated") && order) {
    // the order may have been approved since this prediction opened it, or still wait while later runs find it
    if (wo!.status === "requested") return { tone: "approval", before: "Waiting for a manager's approval → ", order, after: "" };
    return { tone: "open", before: "Order ", order, after: " already open" };
  }
  if (p.action === "cooling_down") {
    if (p.cooldownUntil === null) return { tone: "cooldown", before: "Dismissed recently: no new order for now", order: null, after: "" };
    if (p.cooldownUntil.getTime() > now) return { tone: "cooldown", before: `Dismissed recently: no new order until ${formatDate(p.cooldownUntil)}`, order: null, after: "" };
    return { tone: "cooldown", before: "Dismissed earlier: the next hourly run may propose a new order", order: null, after: "" };
  }
  return null;
}

/** The button's progress: "Scoring 14 systems…", or the one system of the filter. */
export function scoringText(systemCount: number, systemCode: string | null): string {
  if (systemCode) return `Scoring ${systemCode}…`;
  return `Scoring ${systemCount} ${systemCount === 1 ? "system" : "systems"}…`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * One line after "Score now": "Scored 12 · 2 orders opened (WO-41, WO-42) · 3 skipped: NBG-03 filter-1:
 * only 10 usable hourly values…; LIS-02 … and 1 more". Failures are named, they need someone to look.
 */
export function runSummaryText(r: PredictionRunSummary, reasonsShown = 2): string {
  const parts = [`Scored ${r.scored}`];
  parts.push(r.workOrders.length ? `${plural(r.workOrders.length, "order")} opened (${r.workOrders.map((w) => `WO-${w.number}`).join(", ")})` : "no new orders");
  const listed = (items: { system: string; component: string; text: string }[]) => {
    const shown = items.slice(0, reasonsShown).map((s) => `${s.system} ${s.component}: ${s.text}`);
    const more = items.length - shown.length;
    return shown.join("; ") + (more > 0 ? ` and ${more} more` : "");
  };
  if (r.skipped.length) parts.push(`${r.skipped.length} skipped: ${listed(r.skipped.map((s) => ({ ...s, text: s.reason })))}`);
  if (r.failed.length) parts.push(`${r.failed.length} failed: ${listed(r.failed.map((s) => ({ ...s, text: s.message })))}`);
  if (r.scored === 0 && !r.skipped.length && !r.failed.length) parts.push("no component has the watched series yet");
  return parts.join(" · ");
}
