// Site-local calendar for compliance: every site has a time zone, and a compliance day or month is
// the site's calendar day or month (contracts.md), so a day lasts 23 or 25 hours when the clocks
// change. Plain Intl, no time-zone library: the zone's wall clock is read with formatToParts.
import { AppError } from "@/server/errors";
import { instantOfWallTime } from "@/lib/zone-offset";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

export const MONTH_FORMAT = "YYYY-MM (e.g. 2026-03)";
export const DAY_FORMAT = "YYYY-MM-DD (e.g. 2026-03-29)";

const wallFormats = new Map<string, Intl.DateTimeFormat>();

function wallFormat(timeZone: string): Intl.DateTimeFormat {
  let f = wallFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit" });
    wallFormats.set(timeZone, f);
  }
  return f;
}

/**
 * The first site-local day EcoMate monitors a system: the later of its commissioning and its
 * registration. Days before it are not EcoMate's to judge (history imported from before counts once
 * it is backfilled), so they are neither computed by the scheduled run nor reported as missing.
 */
export function monitoredSince(system: { commissionedAt: Date | null; createdAt: Date }, timeZone: string): string {
  return localDay(monitoringStart(system), timeZone);
}

/**
 * The minute EcoMate began to monitor a system (epoch ms): the later of its commissioning and its
 * registration, rounded up to a whole minute (the minute it happened in holds readings from before).
 */
export function monitoringStart(system: { commissionedAt: Date | null; createdAt: Date }): number {
  const at = Math.max((system.commissionedAt ?? system.createdAt).getTime(), system.createdAt.getTime());
  return Math.ceil(at / 60_000) * 60_000;
}

/** The site-local calendar day of an instant, as YYYY-MM-DD. */
export function localDay(at: Date | number, timeZone: string): string {
  const parts = wallFormat(timeZone).formatToParts(typeof at === "number" ? at : at.getTime());
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function dayParts(day: string): [number, number, number] {
  const m = DAY_RE.exec(day);
  if (!m) throw new AppError("BAD_REQUEST", `Day "${day}" is not in the format ${DAY_FORMAT}.`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new AppError("BAD_REQUEST", `Day "${day}" does not exist; use ${DAY_FORMAT}.`);
  }
  return [y, mo, d];
}

/** Checks a YYYY-MM-DD string (a real date); BAD_REQUEST naming the format otherwise. */
export function parseDay(day: string): string {
  dayParts(day);
  return day;
}

/** `day` plus `n` calendar days (pure date arithmetic, no zone involved). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = dayParts(day);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * The first instant of a site-local day. Usually local midnight; where the clocks jump over
 * midnight (e.g. America/Havana in March) the day starts at the jump. Found by correcting the
 * offset twice, then checked; the rare case the check refutes is settled by bisection on minutes.
 */
export function dayStart(day: string, timeZone: string): Date {
  const [y, m, d] = dayParts(day);
  const wall = Date.UTC(y, m - 1, d);
  // YYYY-MM-DD strings compare like the dates they name
  const dayOf = (t: number) => localDay(t, timeZone);
  const start = instantOfWallTime(wall, timeZone);
  if (dayOf(start) === day && dayOf(start - MINUTE_MS) < day) return new Date(start);
  // bisection for the first minute whose local day is `day` (local days never go backwards)
  let lo = wall - 15 * 3_600_000; // local day < `day` here whatever the offset
  let hi = wall + 15 * 3_600_000; // local day ≥ `day` here
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (dayOf(mid) >= day) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** [start, end) of a site-local day: 23, 24 or 25 hours. */
export function dayBounds(day: string, timeZone: string): { start: Date; end: Date } {
  return { start: dayStart(day, timeZone), end: dayStart(addDays(day, 1), timeZone) };
}


// ---- months -------------------------------------------------------------------------------------

/** Checks a YYYY-MM string; BAD_REQUEST naming the format otherwise. */
export function parseMonth(month: string): { year: number; month: number } {
  const m = MONTH_RE.exec(month);
  const mo = m ? Number(m[2]) : 0;
  if (!m || mo < 1 || mo > 12) throw new AppError("BAD_REQUEST", `Month "${month}" is not in the format ${MONTH_FORMAT}.`);
  return { year: Number(m[1]), month: mo };
}

/** Every calendar day of a month, YYYY-MM-DD, in order. */
export function daysOfMonth(month: string): string[] {
  const { year, month: m } = parseMonth(month);
  const n = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const out: string[] = [];
  for (let d = 1; d <= n; d++) out.push(`${month}-${String(d).padStart(2, "0")}`);
  return out;
}

/** The site-local month of an instant, YYYY-MM. */
export function localMonth(at: Date | number, timeZone: string): string {
  return localDay(at, timeZone).slice(0, 7);
}

/** [start, end) of a site-local month. */
export function monthBounds(month: string, timeZone: string): { start: Date; end: Date } {
  const days = daysOfMonth(month);
  return { start: dayStart(days[0]!, timeZone), end: dayStart(addDays(days[days.length - 1]!, 1), timeZone) };
}

/** Whole days between two YYYY-MM-DD dates (b − a). */
export function daysBetween(a: string, b: string): number {
  const [ya, ma, da] = dayParts(a);
  const [yb, mb, db] = dayParts(b);
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / DAY_MS);
}
