// Display of compliance figures: verdicts and day statuses in words and colours, volumes, shares.
import type { DayRowStatus } from "@/server/compliance/month-report";
import { MONTH_LIMIT_PCT, type MonthVerdict } from "@/server/compliance/verdict";

export { MONTH_LIMIT_PCT };

export const VERDICT_LABELS: Record<MonthVerdict, string> = {
  compliant: "Compliant",
  at_risk: "At risk",
  not_compliant: "Not compliant",
  incomplete: "Incomplete data",
};

export const VERDICT_STYLES: Record<MonthVerdict, string> = {
  compliant: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  at_risk: "bg-amber-50 text-amber-800 ring-amber-600/20",
  not_compliant: "bg-red-50 text-red-700 ring-red-600/20",
  incomplete: "bg-slate-100 text-slate-700 ring-slate-500/20",
};

/** Bar colour of the off-spec share by verdict. */
export const VERDICT_BARS: Record<MonthVerdict, string> = {
  compliant: "bg-emerald-500",
  at_risk: "bg-amber-500",
  not_compliant: "bg-red-500",
  incomplete: "bg-slate-400",
};

export const DAY_STATUS_LABELS: Record<DayRowStatus, string> = {
  compliant: "Compliant",
  off_spec: "Off-spec",
  incomplete: "Incomplete",
  missing: "No record",
};

export const DAY_STATUS_STYLES: Record<DayRowStatus, string> = {
  compliant: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  off_spec: "bg-red-50 text-red-700 ring-red-600/20",
  incomplete: "bg-slate-100 text-slate-700 ring-slate-500/20",
  missing: "bg-white text-slate-500 ring-slate-300",
};

const nf = (digits: number) => new Intl.NumberFormat("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const formats = [0, 1, 2, 3].map(nf);

/** A number at fixed decimals ("—" for none). */
export function fixed(value: number | null | undefined, digits: 0 | 1 | 2 | 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : formats[digits]!.format(value);
}

/** Volumes: three decimals below 10 m³ (a minute at 6 m³/h is 0.1 m³), one above. */
export function volume(m3: number | null | undefined): string {
  if (m3 === null || m3 === undefined || !Number.isFinite(m3)) return "—";
  return `${fixed(m3, Math.abs(m3) < 10 ? 3 : 1)} m³`;
}

/** A share in percent with two decimals, so 4.99 % and 5.00 % read differently. */
export function percent(pct: number | null | undefined): string {
  return pct === null || pct === undefined || !Number.isFinite(pct) ? "—" : `${fixed(pct, 2)} %`;
}

/** Width of the off-spec bar in % of its track: the track spans 0–10 % off-spec, the 5 % line in its middle. */
export function shareBarWidth(pct: number | null): number {
  if (pct === null || !Number.isFinite(pct) || pct <= 0) return 0;
  return Math.min(100, Math.max(1, (pct / (2 * MONTH_LIMIT_PCT)) * 100));
}

/** "45 min", "2 h 05 min", "ongoing". */
export function duration(minutes: number | null): string {
  if (minutes === null) return "ongoing";
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h} h ${String(m).padStart(2, "0")} min`;
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();

/** "10 Mar, 14:05" in the site's zone. */
export function siteDateTime(at: Date, timeZone: string): string {
  let f = dateTimes.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    dateTimes.set(timeZone, f);
  }
  return f.format(at);
}

/** "Tue 10" for a YYYY-MM-DD day (a calendar date: no zone involved). */
export function dayLabel(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  return `${d.toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" })} ${d.getUTCDate()}`;
}

/** "March 2026" for YYYY-MM. */
export function monthLabel(month: string): string {
  return new Date(`${month}-15T12:00:00Z`).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** "10 March 2026" for a YYYY-MM-DD day. */
export function dateLabel(day: string): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/**
 * What the month view says when monitoring began after the month's first day (or after the month):
 * the days before were not EcoMate's to judge, so they are neither listed nor missing.
 */
export function monitoringNote(month: string, monitoredSince: string): string | null {
  if (monitoredSince <= `${month}-01`) return null;
  return monitoredSince.slice(0, 7) === month
    ? `Monitored by EcoMate since ${dateLabel(monitoredSince)}: earlier days of the month are not judged here unless their history was backfilled.`
    : `Monitored by EcoMate since ${dateLabel(monitoredSince)}: only days whose history was backfilled are listed for ${monthLabel(month)}.`;
}
