// What the /compliance page shows, read from and written to its URL (?month=YYYY-MM&system=CODE), so
// every view can be linked. An invalid value is ignored: the page falls back to its defaults.

export interface CompliancePageState {
  /** null: each site's current month */
  month: string | null;
  /** the system whose month is opened below the fleet table */
  system: string | null;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const SYSTEM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim();

export function parsePageState(params: Record<string, string | string[] | undefined>): CompliancePageState {
  const month = first(params.month);
  const system = first(params.system);
  return { month: month && MONTH.test(month) ? month : null, system: system && SYSTEM.test(system) ? system : null };
}

export function pageHref(state: CompliancePageState, change: Partial<CompliancePageState> = {}): string {
  const s = { ...state, ...change };
  const q = new URLSearchParams();
  if (s.month) q.set("month", s.month);
  if (s.system) q.set("system", s.system);
  const qs = q.toString();
  return qs ? `/compliance?${qs}` : "/compliance";
}

/** The CSV of a system's month (src/app/api/compliance/[systemCode]/[file]/route.ts). */
export function csvHref(systemCode: string, month: string): string {
  return `/api/compliance/${encodeURIComponent(systemCode)}/${month}.csv`;
}

/** The month shown in the picker: the one asked for, else the one most systems are in (sites' zones may differ by a day). */
export function pickerMonth(state: CompliancePageState, rowMonths: readonly string[], now: Date): string {
  if (state.month) return state.month;
  const counts = new Map<string, number>();
  for (const m of rowMonths) counts.set(m, (counts.get(m) ?? 0) + 1);
  let best: string | null = null;
  for (const [m, n] of counts) if (best === null || n > counts.get(best)! || (n === counts.get(best)! && m > best)) best = m;
  return best ?? now.toISOString().slice(0, 7);
}

/** The month before or after `month` (YYYY-MM). */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}
