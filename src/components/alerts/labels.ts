// How alerts read and look: severity, ISA-18.2 state, rule kinds and audit entries in words.
// Colour is never the only cue: every colour comes with a label (and a symbol for severity).

import type { SeverityName } from "./filters";

export type AlertStateName = "active_unacknowledged" | "active_acknowledged" | "cleared_unacknowledged" | "cleared";

export const SEVERITY_LOOK: Record<SeverityName, { label: string; symbol: string; badge: string; stripe: string }> = {
  critical: { label: "Critical", symbol: "◆", badge: "bg-red-600 text-white ring-red-700", stripe: "bg-red-600" },
  major: { label: "Major", symbol: "▲", badge: "bg-orange-100 text-orange-900 ring-orange-500/50", stripe: "bg-orange-500" },
  minor: { label: "Minor", symbol: "●", badge: "bg-amber-50 text-amber-900 ring-amber-500/40", stripe: "bg-amber-400" },
  warning: { label: "Warning", symbol: "○", badge: "bg-sky-50 text-sky-900 ring-sky-500/40", stripe: "bg-sky-400" },
};

/** The state in the words of ISA-18.2 (the text of `alert-state-<id>`). */
export const STATE_LOOK: Record<AlertStateName, { label: string; badge: string; hint: string }> = {
  active_unacknowledged: {
    label: "Active unacknowledged",
    badge: "bg-red-50 text-red-800 ring-red-600/30 font-semibold",
    hint: "The condition is present and nobody has acknowledged it yet.",
  },
  active_acknowledged: {
    label: "Acknowledged",
    badge: "bg-slate-100 text-slate-700 ring-slate-500/30",
    hint: "The condition is still present; someone has acknowledged it.",
  },
  cleared_unacknowledged: {
    label: "Cleared unacknowledged",
    badge: "bg-amber-50 text-amber-900 ring-amber-600/30 font-semibold",
    hint: "The condition returned to normal before anyone acknowledged it.",
  },
  cleared: {
    label: "Cleared",
    badge: "bg-emerald-50 text-emerald-800 ring-emerald-600/30",
    hint: "Returned to normal and acknowledged: closed.",
  },
};

export const isUnacknowledged = (state: AlertStateName) => state === "active_unacknowledged" || state === "cleared_unacknowledged";

export const RULE_KIND_LABEL: Record<string, string> = {
  threshold_hi: "High limit",
  threshold_hihi: "High-high limit",
  threshold_lo: "Low limit",
  threshold_lolo: "Low-low limit",
  rate_of_change: "Rate of change",
  baseline_deviation: "Deviation from baseline",
  stale: "No data (stale signal)",
};

const UNIT_TEXT: Record<string, string> = { "m3/h": "m³/h", degC: "°C", "W/m2": "W/m²", bool: "", "1": "" };

function number(v: number): string {
  return v.toLocaleString("en-GB", { maximumFractionDigits: 3 });
}

/** A threshold or deadband in the rule's own units (metric units, per minute, robust σ or seconds). */
export function ruleQuantity(kind: string, value: number | null, metricUnit: string | null): string {
  if (value === null) return "—";
  const unit = metricUnit === null ? "" : (UNIT_TEXT[metricUnit] ?? metricUnit);
  if (kind === "stale") return `${number(value)} s`;
  if (kind === "baseline_deviation") return `${number(value)} σ`;
  if (kind === "rate_of_change") return `${number(value)} ${unit || "units"}/min`;
  if (!unit) return number(value);
  return unit === "%" ? `${number(value)}%` : `${number(value)} ${unit}`;
}

export function formatDelay(seconds: number): string {
  if (seconds === 0) return "none";
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toLocaleString("en-GB", { maximumFractionDigits: 1 })} h`;
}

/** Shelving durations offered (ISA-18.2 shelving is time-limited; 8 h at most, domain.md §4.3). */
export const SHELVE_PRESETS: { minutes: number; label: string }[] = [
  { minutes: 15, label: "15 min" },
  { minutes: 30, label: "30 min" },
  { minutes: 60, label: "1 h" },
  { minutes: 120, label: "2 h" },
  { minutes: 240, label: "4 h" },
  { minutes: 480, label: "8 h" },
];

export interface HistoryEntry {
  action: string;
  actor: string | null;
  details: unknown;
}

function detail(details: unknown, key: string): unknown {
  return details && typeof details === "object" && !Array.isArray(details) ? (details as Record<string, unknown>)[key] : undefined;
}

/** One audit entry of an alert in words; `nameOf` turns user ids into names. */
export function describeHistory(entry: HistoryEntry, nameOf: (userId: string) => string | undefined): string {
  switch (entry.action) {
    case "alert.acknowledge":
      return "Acknowledged";
    case "alert.comment":
      return "Commented";
    case "alert.assign": {
      const to = detail(entry.details, "to");
      if (typeof to !== "string") return "Gave the alert back (unassigned)";
      return `Assigned to ${nameOf(to) ?? "a user"}`;
    }
    case "alert.shelve": {
      const minutes = detail(entry.details, "minutes");
      const reason = detail(entry.details, "reason");
      const span = typeof minutes === "number" ? ` for ${formatDelay(minutes * 60)}` : "";
      return `Shelved${span}${typeof reason === "string" ? `: “${reason}”` : ""}`;
    }
    case "alert.unshelve": {
      const reason = detail(entry.details, "reason");
      return typeof reason === "string" ? `Unshelved (${reason})` : "Unshelved";
    }
    default:
      return entry.action.replace(/^alert\./, "").replace(/[._]/g, " ");
  }
}

/** Who did it: the platform's own jobs read better as "EcoMate". */
export function actorLabel(actor: string | null): string {
  if (!actor) return "unknown";
  return actor === "alert-engine" ? "EcoMate" : actor;
}
