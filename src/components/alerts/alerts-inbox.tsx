"use client";

import Link from "next/link";
import { useMemo, useState, type ReactNode } from "react";
import { useSearchParams } from "next/navigation";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { hasRole } from "@/lib/roles";
import { Card, PageHeader } from "@/components/ui/page-header";
import { FiltersCard } from "@/components/ui/filters-card";
import { LiveIndicator } from "@/components/telemetry/live-indicator";
import { AlertActions, type AlertUser } from "./alert-actions";
import { ComplianceBadge, SeverityBadge, SeverityStripe, StateBadge } from "./alert-badges";
import {
  ALERT_STATUSES,
  DEFAULT_FILTERS,
  filtersToQuery,
  INBOX_PAGE_SIZE,
  isDefaultFilters,
  listInput,
  parseFilters,
  SEVERITIES,
  type AlertStatusFilter,
  type InboxFilters,
  type ShelvedFilter,
} from "./filters";
import { RULE_KIND_LABEL, SEVERITY_LOOK } from "./labels";
import { RelativeTime } from "./relative-time";
import { SoundToggle } from "./sound-toggle";
import { useAlertFeed, useAlertQueriesLive } from "./use-alert-feed";
import { SystemOptions } from "@/components/ui/system-options";

export type AlertPage = inferRouterOutputs<AppRouter>["alerts"]["list"];
export type AlertListItem = AlertPage["items"][number];

const STATUS_LABEL: Record<AlertStatusFilter, { label: string; hint: string }> = {
  open: { label: "Open", hint: "Everything not yet cleared and acknowledged" },
  active: { label: "Active", hint: "The condition is present now" },
  unacknowledged: { label: "Unacknowledged", hint: "Waiting for someone to acknowledge" },
  all: { label: "All", hint: "Including closed alerts" },
};

// The first page's param as tRPC sets it when there is no cursor yet: undefined. It must match in the
// server-rendered initial data, or a refetch would send `cursor: null`, which alerts.list refuses.
const FIRST_PAGE_PARAM = undefined as unknown as null;

const SHELVED_LABEL: Record<ShelvedFilter, string> = { hide: "Hide shelved", include: "Include shelved", only: "Only shelved" };

interface AlertsInboxProps {
  user: AlertUser;
  systems: { code: string; name: string }[];
  /** the filters the server rendered `initialPage` for */
  initialFilters: InboxFilters;
  initialPage: AlertPage | null;
}

/**
 * The alert inbox: newest first, filters kept in the URL, actions per role, refreshed by the live
 * feed's alert events. Filter changes rewrite the query string in place (no server round trip);
 * the server page renders the first page of whatever URL is opened.
 */
export function AlertsInbox({ user, systems, initialFilters, initialPage }: AlertsInboxProps) {
  const trpc = useTRPC();
  const feed = useAlertFeed();
  useAlertQueriesLive(feed);
  const searchParams = useSearchParams();
  const urlFilters = useMemo(() => parseFilters(searchParams), [searchParams]);
  // The view follows a filter change at once; the URL catches up (useSearchParams updates in a
  // transition, and a controlled checkbox or select would flick back meanwhile). A URL changed from
  // outside (a link, back/forward) wins.
  const [filters, setLocalFilters] = useState(urlFilters);
  const [urlSeen, setUrlSeen] = useState(() => filtersToQuery(urlFilters));
  if (filtersToQuery(urlFilters) !== urlSeen) {
    setUrlSeen(filtersToQuery(urlFilters));
    setLocalFilters(urlFilters);
  }

  const query = filtersToQuery(filters);
  const serverRendered = initialPage !== null && query === filtersToQuery(initialFilters);
  const list = useInfiniteQuery(
    trpc.alerts.list.infiniteQueryOptions(
      { ...listInput(filters), limit: INBOX_PAGE_SIZE },
      {
        getNextPageParam: (last) => last.nextCursor,
        initialData: serverRendered ? { pages: [initialPage], pageParams: [FIRST_PAGE_PARAM] } : undefined,
        placeholderData: keepPreviousData,
      },
    ),
  );

  const setFilters = (next: Partial<InboxFilters>) => {
    const qs = filtersToQuery({ ...filters, ...next });
    // through the URL form and back: the same view always has the same query key
    setLocalFilters(parseFilters(new URLSearchParams(qs)));
    // Next.js keeps useSearchParams in step with history.replaceState
    window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
  };

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const technician = hasRole(user.role, "technician");
  const activeFilterCount =
    (filters.status !== DEFAULT_FILTERS.status ? 1 : 0) +
    (filters.severities.length ? 1 : 0) +
    (filters.system ? 1 : 0) +
    (filters.mine ? 1 : 0) +
    (filters.shelved !== DEFAULT_FILTERS.shelved ? 1 : 0);

  return (
    <>
      <PageHeader
        title="Alerts"
        subtitle="Newest first, updated live. New critical alerts also sound when sound is on."
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <LiveIndicator status={feed.status} />
            <SoundToggle />
            <Link href="/alerts/rules" className="flex min-h-10 items-center rounded-lg border border-slate-300 px-3 text-sm font-medium text-slate-700 hover:bg-slate-50">
              Rules
            </Link>
          </div>
        }
      />

      <FiltersCard id="alert-filters" activeCount={activeFilterCount} testId="alert-filters">
        <div className="flex flex-wrap items-center gap-x-4 gap-y-3">
          <div role="group" aria-label="Status" className="flex w-full rounded-lg border border-slate-300 p-0.5 sm:inline-flex sm:w-auto">
            {ALERT_STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                aria-pressed={filters.status === s}
                title={STATUS_LABEL[s].hint}
                onClick={() => setFilters({ status: s })}
                data-testid={`alert-filter-status-${s}`}
                className={`min-h-9 flex-auto rounded-md px-2 text-xs font-medium sm:px-3 sm:text-sm ${filters.status === s ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {STATUS_LABEL[s].label}
              </button>
            ))}
          </div>
          <div role="group" aria-label="Severity" className="flex flex-wrap gap-1.5">
            {SEVERITIES.map((s) => {
              const on = filters.severities.includes(s);
              return (
                <button
                  key={s}
                  type="button"
                  aria-pressed={on}
                  onClick={() => setFilters({ severities: on ? filters.severities.filter((x) => x !== s) : [...filters.severities, s] })}
                  data-testid={`alert-filter-severity-${s}`}
                  className={`inline-flex min-h-9 items-center gap-1 rounded-full border px-3 text-sm font-medium ${
                    on ? "border-slate-800 bg-slate-800 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"
                  }`}
                >
                  <span aria-hidden="true">{on ? "✓" : SEVERITY_LOOK[s].symbol}</span>
                  {SEVERITY_LOOK[s].label}
                </button>
              );
            })}
          </div>
        </div>
        <div className="grid grid-cols-2 gap-2 sm:flex sm:flex-wrap sm:items-center sm:gap-3">
          <label className="min-w-0">
            <span className="sr-only">System</span>
            <select
              value={filters.system ?? ""}
              onChange={(e) => setFilters({ system: e.target.value || null })}
              data-testid="alert-filter-system"
              className="min-h-10 w-full rounded-lg border border-slate-300 bg-white px-2 text-sm sm:w-auto"
            >
              <SystemOptions systems={systems} selected={filters.system} />
            </select>
          </label>
          <label className="min-w-0">
            <span className="sr-only">Shelved alerts</span>
            <select
              value={filters.shelved}
              onChange={(e) => setFilters({ shelved: e.target.value as ShelvedFilter })}
              data-testid="alert-filter-shelved"
              className="min-h-10 w-full rounded-lg border border-slate-300 bg-white px-2 text-sm sm:w-auto"
            >
              {(Object.keys(SHELVED_LABEL) as ShelvedFilter[]).map((s) => (
                <option key={s} value={s}>
                  {SHELVED_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
          {technician ? (
            <label className="col-span-2 inline-flex min-h-10 items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={filters.mine}
                onChange={(e) => setFilters({ mine: e.target.checked })}
                data-testid="alert-filter-mine"
                className="h-4 w-4 rounded border-slate-300"
              />
              Assigned to me
            </label>
          ) : null}
          {!isDefaultFilters(filters) ? (
            <button type="button" onClick={() => setFilters(DEFAULT_FILTERS)} className="col-span-2 min-h-10 text-left text-sm font-medium text-brand-700 hover:underline sm:ml-auto">
              Clear filters
            </button>
          ) : null}
        </div>
      </FiltersCard>

      {list.error && items.length > 0 ? (
        <p role="alert" className="mb-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
          Could not refresh the alerts ({list.error.message}). What you see may be out of date.{" "}
          <button type="button" className="font-semibold underline" onClick={() => void list.refetch()}>
            Try again
          </button>
        </p>
      ) : null}

      <Card className="overflow-hidden">
        {list.isPending ? (
          <p className="p-6 text-sm text-slate-500" role="status">
            Loading alerts…
          </p>
        ) : list.error && items.length === 0 ? (
          <EmptyState title="The alerts could not be loaded." testId="alerts-error">
            <p>{list.error.message}</p>
            <p>Check your connection, then try again. If it keeps failing, the server may be restarting: wait a minute.</p>
            <button type="button" className="mt-2 rounded-lg bg-brand-600 px-3 py-2 text-sm font-semibold text-white" onClick={() => void list.refetch()}>
              Try again
            </button>
          </EmptyState>
        ) : items.length === 0 ? (
          <NoAlerts filters={filters} onChange={setFilters} />
        ) : (
          <ul className={`divide-y divide-slate-100 ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-label="Alerts" aria-busy={list.isFetching}>
            {items.map((a) => (
              <AlertRow key={a.id} alert={a} user={user} />
            ))}
          </ul>
        )}
      </Card>
      {list.hasNextPage ? (
        <div className="mt-4 text-center">
          <button
            type="button"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
            className="min-h-10 rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 hover:bg-slate-100"
          >
            {list.isFetchingNextPage ? "Loading…" : "Show older alerts"}
          </button>
        </div>
      ) : null}
    </>
  );
}

function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId: string }) {
  return (
    <div className="space-y-1 p-6 text-sm text-slate-600" data-testid={testId}>
      <p className="text-base font-semibold text-slate-900">{title}</p>
      {children}
    </div>
  );
}

function NoAlerts({ filters, onChange }: { filters: InboxFilters; onChange: (next: Partial<InboxFilters>) => void }) {
  if (isDefaultFilters(filters)) {
    return (
      <EmptyState title="No open alerts — nothing needs attention." testId="alerts-empty">
        <p>New alerts appear here the moment they are raised; keep this page open or turn sound on to hear critical ones.</p>
        <p>
          Looking for something closed?{" "}
          <button type="button" onClick={() => onChange({ status: "all" })} className="font-medium text-brand-700 hover:underline">
            Show all alerts
          </button>{" "}
          or{" "}
          <button type="button" onClick={() => onChange({ shelved: "include" })} className="font-medium text-brand-700 hover:underline">
            include shelved ones
          </button>
          .
        </p>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No alerts match these filters." testId="alerts-empty">
      <p>
        {filters.mine ? "Nothing is assigned to you with these filters. " : ""}
        {filters.shelved === "hide" ? "Shelved alerts are hidden. " : ""}
        Widen the filters or clear them to see every open alert.
      </p>
      <button type="button" onClick={() => onChange(DEFAULT_FILTERS)} className="mt-2 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm font-semibold text-slate-700 hover:bg-slate-100">
        Clear filters
      </button>
    </EmptyState>
  );
}

function AlertRow({ alert: a, user }: { alert: AlertListItem; user: AlertUser }) {
  return (
    <li className="relative py-3 pl-5 pr-4" data-testid={`alert-row-${a.id}`} data-severity={a.severity} data-state={a.state}>
      <SeverityStripe severity={a.severity} />
      <div className="flex flex-wrap items-center gap-1.5">
        <SeverityBadge severity={a.severity} />
        <StateBadge id={a.id} state={a.state} />
        {a.isCompliance ? <ComplianceBadge /> : null}
        {a.shelvedUntil ? (
          <span className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-400/30" data-testid={`alert-shelved-${a.id}`}>
            Shelved until <RelativeTime at={a.shelvedUntil} />
          </span>
        ) : null}
        <span className="ml-auto text-xs text-slate-500">
          raised <RelativeTime at={a.raisedAt} />
        </span>
      </div>
      <p className="mt-1.5 font-medium break-words">
        <Link href={`/alerts/${encodeURIComponent(a.id)}`} className="hover:text-brand-700 hover:underline">
          {a.message}
        </Link>
      </p>
      <p className="mt-0.5 flex flex-wrap gap-x-3 gap-y-0.5 text-sm text-slate-600">
        <span>
          <Link href={`/systems/${encodeURIComponent(a.system.code)}`} className="font-mono font-semibold text-brand-700 hover:underline">
            {a.system.code}
          </Link>
          {a.component ? (
            <span>
              {" "}
              · {a.component.name} <span className="font-mono text-xs text-slate-500">({a.component.code})</span>
            </span>
          ) : (
            <span className="text-slate-500"> · system-level</span>
          )}
        </span>
        {a.rule ? <span title={RULE_KIND_LABEL[a.rule.kind] ?? a.rule.kind}>{a.rule.name}</span> : null}
        {a.repeatCount > 0 ? (
          <span title="The condition came back while this alert was open; counted here instead of a new alert." data-testid={`alert-repeats-${a.id}`}>
            repeated ×{a.repeatCount}
          </span>
        ) : null}
        <span data-testid={`alert-assignee-${a.id}`}>{a.assignee ? `Assigned to ${a.assignee.id === user.id ? "me" : a.assignee.name}` : "Unassigned"}</span>
        {a.comments > 0 ? (
          <span>
            {a.comments} comment{a.comments === 1 ? "" : "s"}
          </span>
        ) : null}
      </p>
      <div className="mt-2">
        <AlertActions alert={a} user={user} />
      </div>
    </li>
  );
}
