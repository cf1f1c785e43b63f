// The chart ranges of the system dashboard (plain module: server pages read them too).
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const RANGES = [
  { key: "15m", label: "15 min", spanMs: 15 * MIN },
  { key: "1h", label: "1 h", spanMs: HOUR },
  { key: "6h", label: "6 h", spanMs: 6 * HOUR },
  { key: "24h", label: "24 h", spanMs: DAY },
  { key: "7d", label: "7 d", spanMs: 7 * DAY },
  { key: "30d", label: "30 d", spanMs: 30 * DAY },
  { key: "1y", label: "1 y", spanMs: 365 * DAY },
] as const;

export type RangeKey = (typeof RANGES)[number]["key"];

export function rangeSpan(key: RangeKey): number {
  return RANGES.find((r) => r.key === key)!.spanMs;
}

/** Buckets per chart: about two pixels each on a desktop card; 7 days then come from the 1-hour rollups. */
export const DASHBOARD_POINTS = 300;
/** telemetry.chart's limit of series per request */
export const MAX_SERIES_PER_REQUEST = 24;

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
