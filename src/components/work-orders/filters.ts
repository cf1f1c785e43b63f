// The work-order list's filters, kept in the URL so a view can be bookmarked and shared:
// /work-orders?mine=1 (a technician's default), ?overdue=1, ?view=board, ?status=on_hold,in_progress...
import {
  OPEN_STATUSES,
  PRIORITIES,
  WORK_ORDER_STATUSES,
  WORK_ORDER_TYPES,
  type PriorityName,
  type WorkOrderStatusName,
  type WorkOrderTypeName,
} from "./format";

export const VIEWS = ["list", "board"] as const;
export type ViewName = (typeof VIEWS)[number];

export interface WorkOrderFilters {
  view: ViewName;
  /** empty: every status (`status=all`); the default is the open statuses */
  statuses: WorkOrderStatusName[];
  type: WorkOrderTypeName | null;
  /** empty: every priority */
  priorities: PriorityName[];
  /** a system code */
  system: string | null;
  /** a user id */
  assignee: string | null;
  mine: boolean;
  overdue: boolean;
}

export const DEFAULT_FILTERS: WorkOrderFilters = {
  view: "list",
  statuses: [...OPEN_STATUSES],
  type: null,
  priorities: [],
  system: null,
  assignee: null,
  mine: false,
  overdue: false,
};

/** Orders per list request (the contract allows up to 500). */
export const LIST_LIMIT = 200;

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

function read(params: ParamSource, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined): T | null {
  return value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/** The allowed values named in a comma list, in their canonical order (one view, one URL). */
function listOf<T extends string>(allowed: readonly T[], value: string | undefined): T[] {
  const wanted = new Set((value ?? "").split(",").map((s) => s.trim()));
  return allowed.filter((a) => wanted.has(a));
}

function text(value: string | undefined, max: number): string | null {
  const t = value?.trim().slice(0, max);
  return t ? t : null;
}

function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Reads filters from a query string; unknown values fall back to the defaults rather than failing. */
export function parseFilters(params: ParamSource): WorkOrderFilters {
  const statusParam = read(params, "status");
  let statuses: WorkOrderStatusName[];
  if (statusParam === "all") statuses = [];
  else {
    const named = listOf(WORK_ORDER_STATUSES, statusParam);
    statuses = named.length ? named : [...DEFAULT_FILTERS.statuses];
  }
  return {
    view: oneOf(VIEWS, read(params, "view")) ?? DEFAULT_FILTERS.view,
    statuses,
    type: oneOf(WORK_ORDER_TYPES, read(params, "type")),
    priorities: listOf(PRIORITIES, read(params, "priority")),
    system: text(read(params, "system"), 64),
    assignee: text(read(params, "assignee"), 64),
    mine: read(params, "mine") === "1",
    overdue: read(params, "overdue") === "1",
  };
}

/** The query string of `filters` ("" for the defaults), without the leading "?". */
export function filtersToQuery(filters: WorkOrderFilters): string {
  const q = new URLSearchParams();
  if (filters.view !== DEFAULT_FILTERS.view) q.set("view", filters.view);
  if (filters.mine) q.set("mine", "1");
  if (filters.overdue) q.set("overdue", "1");
  const statuses = WORK_ORDER_STATUSES.filter((s) => filters.statuses.includes(s));
  if (statuses.length === 0 || statuses.length === WORK_ORDER_STATUSES.length) q.set("status", "all");
  else if (!sameSet(statuses, DEFAULT_FILTERS.statuses)) q.set("status", statuses.join(","));
  if (filters.type) q.set("type", filters.type);
  const priorities = PRIORITIES.filter((p) => filters.priorities.includes(p));
  if (priorities.length && priorities.length < PRIORITIES.length) q.set("priority", priorities.join(","));
  if (filters.system) q.set("system", filters.system);
  if (filters.assignee) q.set("assignee", filters.assignee);
  // commas read better than %2C in a shared link
  return q.toString().replace(/%2C/g, ",");
}

/** How many filters differ from the defaults (the view is not a filter). */
export function activeFilterCount(filters: WorkOrderFilters): number {
  return (
    (sameSet(filters.statuses, DEFAULT_FILTERS.statuses) ? 0 : 1) +
    (filters.type ? 1 : 0) +
    (filters.priorities.length ? 1 : 0) +
    (filters.system ? 1 : 0) +
    (filters.assignee ? 1 : 0) +
    (filters.mine ? 1 : 0) +
    (filters.overdue ? 1 : 0)
  );
}

/** The `maintenance.workOrder.list` input for `filters`. */
export function listInput(filters: WorkOrderFilters, limit = LIST_LIMIT) {
  return {
    ...(filters.statuses.length ? { status: [...filters.statuses] } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.priorities.length ? { priority: [...filters.priorities] } : {}),
    ...(filters.system ? { systemCode: filters.system } : {}),
    ...(filters.assignee ? { assigneeId: filters.assignee } : {}),
    ...(filters.mine ? { mine: true } : {}),
    ...(filters.overdue ? { overdue: true } : {}),
    limit,
  };
}

/** The board's columns: the statuses the filter shows, in workflow order. */
export function boardColumns(filters: WorkOrderFilters): WorkOrderStatusName[] {
  return filters.statuses.length ? WORK_ORDER_STATUSES.filter((s) => filters.statuses.includes(s)) : [...WORK_ORDER_STATUSES];
}

/**
 * A page opened without any query: technicians land on their own orders, everyone else on all open
 * work. null when the URL already says what to show.
 */
export function defaultQueryFor(role: string, hasQuery: boolean): string | null {
  if (hasQuery) return null;
  return role === "technician" ? "mine=1" : null;
}
