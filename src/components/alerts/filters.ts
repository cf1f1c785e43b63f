/**
 * The inbox filters and their URL form, shared by the server page (first render) and the browser
 * (filter changes), so a copied link opens the same view. Defaults are left out of the URL.
 *
 *   /alerts?status=all&severity=critical,major&system=NBG-01&mine=1&shelved=only
 */

export const ALERT_STATUSES = ["open", "active", "unacknowledged", "all"] as const;
export type AlertStatusFilter = (typeof ALERT_STATUSES)[number];

export const SEVERITIES = ["critical", "major", "minor", "warning"] as const;
export type SeverityName = (typeof SEVERITIES)[number];

export const SHELVED_FILTERS = ["hide", "include", "only"] as const;
export type ShelvedFilter = (typeof SHELVED_FILTERS)[number];

export interface InboxFilters {
  status: AlertStatusFilter;
  /** empty: every severity */
  severities: SeverityName[];
  /** a system code, null: every system */
  system: string | null;
  mine: boolean;
  shelved: ShelvedFilter;
}

/** Alerts per inbox page (the server renders the first, "Show older alerts" fetches the next). */
export const INBOX_PAGE_SIZE = 50;

export const DEFAULT_FILTERS: InboxFilters = { status: "open", severities: [], system: null, mine: false, shelved: "hide" };

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

function read(params: ParamSource, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined, fallback: T): T {
  return value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Reads filters from a query string; unknown values fall back to the defaults rather than failing. */
export function parseFilters(params: ParamSource): InboxFilters {
  const severityParam = read(params, "severity") ?? "";
  const wanted = new Set(severityParam.split(",").map((s) => s.trim()));
  const system = read(params, "system")?.trim().slice(0, 64);
  return {
    status: oneOf(ALERT_STATUSES, read(params, "status"), DEFAULT_FILTERS.status),
    // kept in severity order, so the same view has the same URL and query key
    severities: SEVERITIES.filter((s) => wanted.has(s)),
    system: system ? system : null,
    mine: read(params, "mine") === "1",
    shelved: oneOf(SHELVED_FILTERS, read(params, "shelved"), DEFAULT_FILTERS.shelved),
  };
}

/** The query string of `filters` ("" for the defaults), without the leading "?". */
export function filtersToQuery(filters: InboxFilters): string {
  const q = new URLSearchParams();
  if (filters.status !== DEFAULT_FILTERS.status) q.set("status", filters.status);
  const severities = SEVERITIES.filter((s) => filters.severities.includes(s));
  if (severities.length && severities.length < SEVERITIES.length) q.set("severity", severities.join(","));
  if (filters.system) q.set("system", filters.system);
  if (filters.mine) q.set("mine", "1");
  if (filters.shelved !== DEFAULT_FILTERS.shelved) q.set("shelved", filters.shelved);
  // commas read better than %2C in a shared link
  return q.toString().replace(/%2C/g, ",");
}

export function isDefaultFilters(filters: InboxFilters): boolean {
  return filtersToQuery(filters) === "";
}

/** The `alerts.list` input for `filters` (without paging). */
export function listInput(filters: InboxFilters) {
  return {
    status: filters.status,
    ...(filters.severities.length ? { severities: [...filters.severities] } : {}),
    ...(filters.system ? { systemCode: filters.system } : {}),
    ...(filters.mine ? { assignedToMe: true } : {}),
    shelved: filters.shelved,
  };
}
