// What the /reliability page shows, read from and written to its URL, so every view can be linked.

export type GroupBy = "componentType" | "systemModel" | "site";
export type Period = "all" | "5y" | "1y";

export interface ReliabilityPageState {
  by: GroupBy;
  period: Period;
  confidence: 0.9 | 0.95;
  /** the group whose Weibull fit is drawn; null: the first one with a fit */
  group: string | null;
}

export const GROUP_BY_LABELS: Record<GroupBy, string> = { componentType: "Component type", systemModel: "System model", site: "Site" };
export const PERIOD_LABELS: Record<Period, string> = { all: "All history", "5y": "5 years", "1y": "12 months" };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function parsePageState(params: Record<string, string | string[] | undefined>): ReliabilityPageState {
  const by = first(params.by);
  const period = first(params.period);
  return {
    by: by === "systemModel" || by === "site" ? by : "componentType",
    period: period === "5y" || period === "1y" ? period : "all",
    confidence: first(params.ci) === "95" ? 0.95 : 0.9,
    group: first(params.group)?.slice(0, 100) || null,
  };
}

export function pageHref(state: ReliabilityPageState, change: Partial<ReliabilityPageState> = {}): string {
  const s = { ...state, ...change };
  const q = new URLSearchParams();
  if (s.by !== "componentType") q.set("by", s.by);
  if (s.period !== "all") q.set("period", s.period);
  if (s.confidence === 0.95) q.set("ci", "95");
  if (s.group) q.set("group", s.group);
  const qs = q.toString();
  return qs ? `/reliability?${qs}` : "/reliability";
}

/** The start of the period, counted back from `now`; undefined for all history. */
export function periodStart(period: Period, now: Date): Date | undefined {
  if (period === "all") return undefined;
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - (period === "5y" ? 5 : 1));
  return d;
}
