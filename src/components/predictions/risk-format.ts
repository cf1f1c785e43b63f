// How the Predictions page words the learnt failure-risk model: which version is in force, a
// training's progress and outcome, what its held-out check measured in plain words, its feature
// importance and a prediction's drivers as bars. Pure, so the wording is tested without a browser.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { PUMP_RISK } from "@/server/predictions/risk/spec";
import { riskPercent } from "./format";

export type RiskModelData = inferRouterOutputs<AppRouter>["predictions"]["riskModel"];
export type RiskVersion = RiskModelData["versions"][number];
export type RiskCheck = NonNullable<RiskVersion["check"]>;
export type RiskStatus = RiskVersion["status"];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The server stops counting a row "training" after this long: its process died (the same figure as train-pump-risk-model.ts). */
export const ABANDONED_TRAINING_MS = PUMP_RISK.abandonTrainingAfterHours * HOUR_MS;
/** How often the page asks for a training's progress. */
export const TRAINING_POLL_MS = 1000;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const pct = (share: number) => `${riskPercent(share)} %`;

/** A row still "training" long after it began belongs to a process that died: it neither blocks nor is followed. */
export const isAbandoned = (v: Pick<RiskVersion, "status" | "createdAt">, now: number) => v.status === "training" && now - v.createdAt.getTime() > ABANDONED_TRAINING_MS;

/** The version being trained now, or null. */
export function trainingVersion(versions: readonly RiskVersion[], now: number): RiskVersion | null {
  return versions.find((v) => v.status === "training" && !isAbandoned(v, now)) ?? null;
}

/** refetchInterval of the model query: every second while a version trains, otherwise not at all. */
export function riskPollInterval(data: RiskModelData | undefined, now: number): number | false {
  return data && trainingVersion(data.versions, now) ? TRAINING_POLL_MS : false;
}

/** The version whose scores are shown: the one in force, else the newest candidate (versions come newest first). */
export function shownVersion(versions: readonly RiskVersion[]): RiskVersion | null {
  return versions.find((v) => v.status === "active") ?? versions.find((v) => v.status === "candidate") ?? null;
}

/** The newest failed training when it is newer than the shown version: a manager should see why it did not replace it. */
export function newerFailure(versions: readonly RiskVersion[], shown: RiskVersion | null): RiskVersion | null {
  return versions.find((v) => v.status === "failed" && v.version > (shown?.version ?? 0)) ?? null;
}

export interface StatusLook {
  label: string;
  /** what the status means for the scores */
  hint: string;
  tone: "good" | "caution" | "bad" | "neutral";
}

export function statusLook(status: RiskStatus): StatusLook {
  switch (status) {
    case "active":
      return { label: "In force", hint: "its scores at or above its threshold open predictive orders for approval", tone: "good" };
    case "candidate":
      return { label: "Candidate", hint: "its scores are shown but not acted on", tone: "caution" };
    case "failed":
      return { label: "Failed", hint: "it could not be trained", tone: "bad" };
    case "retired":
      return { label: "Retired", hint: "a newer version replaced it", tone: "neutral" };
    case "training":
      return { label: "Training", hint: "its training is under way", tone: "neutral" };
  }
}

/** A training's progress as a whole percentage, 0..100. */
export function progressPercent(progress: number | null): number {
  if (progress === null || !Number.isFinite(progress)) return 0;
  return Math.round(Math.min(1, Math.max(0, progress)) * 100);
}

/** "Training version 3… 42 %" */
export function progressText(v: Pick<RiskVersion, "version" | "progress">): string {
  return `Training version ${v.version}… ${progressPercent(v.progress)} %`;
}

/** The held-out span in days, from the split to the end of the history; null when the dates are missing. */
function holdoutDays(check: Pick<RiskCheck, "split" | "to">): number | null {
  const days = (Date.parse(check.to) - Date.parse(check.split)) / DAY_MS;
  return Number.isFinite(days) && days > 0 ? Math.round(days) : null;
}

/**
 * What the held-out check measured, for someone who does not know ROC AUC: "On the last 91 days of
 * history, which it was not trained on, it ranked the hours before a failure above the others with
 * ROC AUC 0.78 (0.5 = chance, 1 = perfect)."
 */
export function holdoutSentence(check: Pick<RiskCheck, "auc" | "split" | "to">): string {
  const days = holdoutDays(check);
  const span = days === null ? "On the latest part of its history" : `On the last ${plural(days, "day")} of history`;
  if (check.auc === null) return `${span}, which it was not trained on, its ranking could not be measured: no hour there preceded a failure, or every hour did.`;
  return `${span}, which it was not trained on, it ranked the hours before a failure above the others with ROC AUC ${check.auc.toFixed(2)} (0.5 = chance, 1 = perfect).`;
}

/** "It acts from 33 % risk; at that threshold, 41 % of the flagged hours preceded a failure (precision) and it caught 63 % of them (recall)." */
export function thresholdSentence(check: Pick<RiskCheck, "threshold" | "precision" | "recall">, inForce = true): string {
  const head = `It ${inForce ? "acts" : "would act"} from ${pct(check.threshold)} risk`;
  if (check.precision === null) return `${head}; at that threshold it flagged none of the held-out hours.`;
  const precision = `${pct(check.precision)} of the flagged hours preceded a failure (precision)`;
  if (check.recall === null) return `${head}; at that threshold, ${precision}.`;
  return `${head}; at that threshold, ${precision} and it caught ${pct(check.recall)} of the hours before a failure (recall).`;
}

/** "Learnt from 14 failures on 10 pump sets; checked on 5 later failures." */
export function dataSentence(check: Pick<RiskCheck, "trainingFailures" | "holdoutFailures" | "pumpSets">): string {
  return `Learnt from ${plural(check.trainingFailures, "failure")} on ${plural(check.pumpSets, "pump set")}; checked on ${plural(check.holdoutFailures, "later failure")}.`;
}

const sentence = (text: string) => {
  const t = text.trim();
  return t ? `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}` : "";
};

/** The one line after a training: "Version 4 trained: in force." or "Version 4 not put in force: <why>." null while it trains. */
export function trainingOutcome(v: Pick<RiskVersion, "version" | "status" | "message">): string | null {
  const why = v.message ? `: ${v.message.trim().replace(/[.]$/, "")}` : "";
  switch (v.status) {
    case "training":
      return null;
    case "active":
      return `Version ${v.version} trained: in force.`;
    case "candidate":
      // the card below says why; the outcome line only says what happened
      return `Version ${v.version} trained: a candidate, not put in force (why below).`;
    case "failed":
      return `Version ${v.version} not put in force${why}.`;
    case "retired":
      return `Version ${v.version} trained, and since replaced by a newer one.`;
  }
}

/** One line of the version list: the check's AUC, the reason it failed, or that it was abandoned. */
export function versionSummary(v: RiskVersion, now: number): string {
  if (isAbandoned(v, now)) return "its training stopped before it finished";
  if (v.status === "training") return progressText(v);
  if (v.check?.auc !== null && v.check?.auc !== undefined) return `ROC AUC ${v.check.auc.toFixed(2)}`;
  return v.message ?? "no check recorded";
}

/** The server's CONFLICT message as is (it says what runs and to wait); other errors say what to do. */
export function trainErrorText(error: { message: string; data?: { code?: string } | null }): string {
  const code = error.data?.code;
  if (code === "CONFLICT") return sentence(error.message);
  if (code === "FORBIDDEN") return "Only managers can train the model.";
  return `Training could not be started (${error.message.trim() || "no answer"}). Check your connection and try again.`;
}

export interface Bar {
  key: string;
  label: string;
  /** 0..100, the longest bar 100 */
  width: number;
}

/** Bars scaled to the largest value so the chart uses its width; never thinner than a sliver, so every bar shows. */
function scaled(values: readonly number[]): number[] {
  const max = Math.max(0, ...values);
  return values.map((v) => (max > 0 ? Math.max(2, Math.round((Math.max(0, v) / max) * 100)) : 0));
}

/** The features the trees relied on most: the top `n` by share, with the share as a percentage. */
export function importanceBars(importance: readonly { feature: string; description: string; share: number }[], n = 6): (Bar & { percent: number })[] {
  const top = importance.filter((i) => i.share > 0).sort((a, b) => b.share - a.share).slice(0, n);
  const widths = scaled(top.map((i) => i.share));
  return top.map((i, k) => ({ key: i.feature, label: i.description, percent: riskPercent(i.share), width: widths[k]! }));
}

export interface DriverInput {
  feature: string;
  label: string;
  unit: string;
  value: number | null;
  logOdds: number;
}

/** A prediction's drivers as bars of the log-odds each added, with its value in words. */
export function driverBars(drivers: readonly DriverInput[]): (Bar & { value: string })[] {
  const widths = scaled(drivers.map((d) => d.logOdds));
  return drivers.map((d, k) => ({ key: d.feature, label: d.label, value: formatDriverValue(d), width: widths[k]! }));
}

// ratios that are shares read as percentages; the vibration against its baseline reads as a multiple
const SHARE_FEATURES = new Set(["pressure_cv_24h", "coverage_24h"]);

const number = (v: number, digits: number) => v.toLocaleString("en-GB", { maximumFractionDigits: digits });

/** A driver's value with its unit: "3.2 mm/s", "2.1×", "±8 %", "12", "34 days"; "no data" when missing. */
export function formatDriverValue(d: Pick<DriverInput, "feature" | "unit" | "value">): string {
  const v = d.value;
  if (v === null || !Number.isFinite(v)) return "no data";
  switch (d.unit) {
    case "ratio":
      if (SHARE_FEATURES.has(d.feature)) return d.feature === "pressure_cv_24h" ? `±${Math.round(v * 100)} %` : `${Math.round(v * 100)} %`;
      return `${number(v, 2)}×`;
    case "count":
      return number(Math.round(v), 0);
    case "%":
      return `${Math.round(v)} %`;
    case "h":
      // running hours are a meter reading; a long time since a service reads in days
      if (d.feature === "running_hours_since_renewal") return `${number(Math.round(v), 0)} h`;
      return v >= 48 ? plural(Math.round(v / 24), "day") : plural(Math.round(v), "hour");
    default:
      return `${number(v, Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)} ${d.unit}`.trim();
  }
}
