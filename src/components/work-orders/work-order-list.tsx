"use client";

import Link from "next/link";
import { useMemo, useState, type ReactNode } from "react";
import { useSearchParams } from "next/navigation";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { Card, PageHeader } from "@/components/ui/page-header";
import { FiltersCard } from "@/components/ui/filters-card";
import { hasRole, type RoleName } from "@/lib/roles";
import { OverdueBadge, PriorityBadge, WaitingMarker, WorkOrderStatusBadge } from "./badges";
import { DueLabel } from "./due-label";
import { activeFilterCount, boardColumns, DEFAULT_FILTERS, filtersToQuery, listInput, parseFilters, type ViewName, type WorkOrderFilters } from "./filters";
import { PRIORITIES, PRIORITY_LOOK, STATUS_LOOK, TYPE_LABEL, WORK_ORDER_STATUSES, WORK_ORDER_TYPES, woLabel, type WorkOrderStatusName, type WorkOrderTypeName } from "./format";
import { noteSavedOffline, savedOfflineNote, useWorkOrderQueue } from "./offline";
import { orderIdOf, type WorkOrderEntry } from "./entries";
import { pendingCreates, type PendingCreateView } from "./optimistic";
import { SystemOptions } from "@/components/ui/system-options";

export type WorkOrderSummary = inferRouterOutputs<AppRouter>["maintenance"]["workOrder"]["list"][number];

export interface ListUser {
  id: string;
  role: RoleName;
}

interface WorkOrderListProps {
  user: ListUser;
  systems: { code: string; name: string }[];
  /** the filters the server rendered `initialOrders` for */
  initialFilters: WorkOrderFilters;
  initialOrders: WorkOrderSummary[] | null;
}

const chip = "inline-flex min-h-11 items-center gap-1 rounded-full border px-3 text-sm font-medium";
const chipOn = "border-slate-800 bg-slate-800 text-white";
const chipOff = "border-slate-300 bg-white text-slate-700 hover:bg-slate-100";
const select = "min-h-11 w-full rounded-lg border border-slate-300 bg-white px-2 text-sm";

/** What the queue holds for each order: the latest status typed and how many entries wait. */
function pendingByOrder(entries: readonly WorkOrderEntry[]) {
  const map = new Map<string, { waiting: number; status: WorkOrderStatusName | null }>();
  for (const e of entries) {
    const id = orderIdOf(e);
    if (e.failed || id === null) continue;
    const p = map.get(id) ?? { waiting: 0, status: null };
    p.waiting++;
    if (e.kind === "setStatus") p.status = e.input.status;
    if (e.kind === "close") p.status = "done";
    map.set(id, p);
  }
  return map;
}

/**
 * Work orders: a technician's own (?mine=1), the manager's list with filters kept in the URL, the
 * overdue view and a board by status where a manager assigns from the card. Filter changes rewrite
 * the query string in place; the server renders whatever URL is opened.
 */
export function WorkOrderList({ user, systems, initialFilters, initialOrders }: WorkOrderListProps) {
  const trpc = useTRPC();
  const searchParams = useSearchParams();
  const urlFilters = useMemo(() => parseFilters(searchParams), [searchParams]);
  // the view follows a change at once; a URL changed from outside (back/forward, a link) wins
  const [filters, setLocalFilters] = useState(urlFilters);
  const [urlSeen, setUrlSeen] = useState(() => filtersToQuery(urlFilters));
  if (filtersToQuery(urlFilters) !== urlSeen) {
    setUrlSeen(filtersToQuery(urlFilters));
    setLocalFilters(urlFilters);
  }
  const technician = hasRole(user.role, "technician");
  const manager = hasRole(user.role, "manager");
  const queue = useWorkOrderQueue(user.id);
  const pending = useMemo(() => pendingByOrder(queue.entries), [queue.entries]);
  const creates = useMemo(() => pendingCreates(queue.entries), [queue.entries]);
  // the form's "saved on this phone", shown here after it brought the technician back to the list
  const [savedKey, setSavedKey] = useState(savedOfflineNote);
  const saved = creates.find((c) => c.clientKey === savedKey) ?? null;

  const serverRendered = initialOrders !== null && filtersToQuery(filters) === filtersToQuery(initialFilters);
  const list = useQuery(
    trpc.maintenance.workOrder.list.queryOptions(listInput(filters), {
      initialData: serverRendered ? initialOrders : undefined,
      placeholderData: keepPreviousData,
    }),
  );
  const people = useQuery(trpc.maintenance.workOrder.technicians.queryOptions(undefined, { staleTime: 5 * 60_000 }));

  const setFilters = (next: Partial<WorkOrderFilters>) => {
    const qs = filtersToQuery({ ...filters, ...next });
    setLocalFilters(parseFilters(new URLSearchParams(qs)));
    window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
  };

  const orders = list.data ?? [];
  const count = activeFilterCount(filters);
  const title = filters.mine ? "My work orders" : filters.overdue ? "Overdue work orders" : "Work orders";

  return (
    <>
      <PageHeader
        title={title}
        subtitle="Overdue first, then by due date."
        actions={
          technician ? (
            <Link
              href="/work-orders/new"
              // the whole form, so it still opens for a few minutes after the signal is gone
              prefetch
              className="inline-flex min-h-11 items-center rounded-lg bg-brand-600 px-4 text-sm font-semibold text-white hover:bg-brand-700"
              data-testid="wo-new-link"
            >
              + New work order
            </Link>
          ) : null
        }
      />

      {saved ? (
        <p role="status" className="mb-3 flex items-center gap-2 rounded-lg bg-amber-100 py-1 pr-1 pl-3 text-sm text-amber-950" data-testid="wo-new-saved-offline">
          <span className="min-w-0 flex-1 break-words">
            “{saved.title}” is saved on this phone and will be sent when the connection returns; it gets its number then.
          </span>
          <button
            type="button"
            aria-label="Hide this message"
            className="inline-flex h-11 w-11 shrink-0 items-center justify-center rounded-lg text-lg hover:bg-amber-200"
            onClick={() => {
              noteSavedOffline(null);
              setSavedKey(null);
            }}
          >
            ×
          </button>
        </p>
      ) : null}
      {creates.length ? <PendingCreates orders={creates} userId={user.id} /> : null}

      <div className="mb-3 flex flex-wrap items-center gap-2" role="group" aria-label="Views">
        {technician ? (
          <button type="button" aria-pressed={filters.mine} onClick={() => setFilters({ mine: !filters.mine })} className={`${chip} ${filters.mine ? chipOn : chipOff}`} data-testid="wo-view-mine">
            Mine
          </button>
        ) : null}
        <button
          type="button"
          aria-pressed={filters.overdue}
          onClick={() => setFilters({ overdue: !filters.overdue })}
          className={`${chip} ${filters.overdue ? chipOn : chipOff}`}
          data-testid="wo-view-overdue"
        >
          Overdue
        </button>
        <div role="group" aria-label="Layout" className="ml-auto inline-flex rounded-lg border border-slate-300 p-0.5">
          {(["list", "board"] as ViewName[]).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={filters.view === v}
              onClick={() => setFilters({ view: v })}
              className={`min-h-10 rounded-md px-3 text-sm font-medium ${filters.view === v ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              data-testid={`wo-layout-${v}`}
            >
              {v === "list" ? "List" : "Board"}
            </button>
          ))}
        </div>
      </div>

      <FiltersCard id="wo-filters" activeCount={count} testId="wo-filters">
        <div role="group" aria-label="Status" className="flex flex-wrap gap-1.5">
          {WORK_ORDER_STATUSES.map((s) => {
            const on = filters.statuses.includes(s);
            return (
              <button
                key={s}
                type="button"
                aria-pressed={on}
                onClick={() => setFilters({ statuses: on ? filters.statuses.filter((x) => x !== s) : [...filters.statuses, s] })}
                className={`${chip} ${on ? chipOn : chipOff}`}
                data-testid={`wo-filter-status-${s}`}
              >
                <span aria-hidden="true">{on ? "✓" : ""}</span>
                {STATUS_LOOK[s].label}
              </button>
            );
          })}
        </div>
        <div role="group" aria-label="Priority" className="flex flex-wrap gap-1.5">
          {PRIORITIES.map((p) => {
            const on = filters.priorities.includes(p);
            return (
              <button
                key={p}
                type="button"
                aria-pressed={on}
                onClick={() => setFilters({ priorities: on ? filters.priorities.filter((x) => x !== p) : [...filters.priorities, p] })}
                className={`${chip} ${on ? chipOn : chipOff}`}
                data-testid={`wo-filter-priority-${p}`}
              >
                <span aria-hidden="true">{on ? "✓" : PRIORITY_LOOK[p].symbol}</span>
                {PRIORITY_LOOK[p].label}
              </button>
            );
          })}
        </div>
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
          <label className="min-w-0 text-sm">
            <span className="mb-0.5 block text-slate-600">System</span>
            <select value={filters.system ?? ""} onChange={(e) => setFilters({ system: e.target.value || null })} className={select} data-testid="wo-filter-system">
              <SystemOptions systems={systems} selected={filters.system} />
            </select>
          </label>
          <label className="min-w-0 text-sm">
            <span className="mb-0.5 block text-slate-600">Type</span>
            <select value={filters.type ?? ""} onChange={(e) => setFilters({ type: (e.target.value || null) as WorkOrderTypeName | null })} className={select} data-testid="wo-filter-type">
              <option value="">All types</option>
              {WORK_ORDER_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABEL[t]}
                </option>
              ))}
            </select>
          </label>
          <label className="min-w-0 text-sm">
            <span className="mb-0.5 block text-slate-600">Assignee</span>
            <select value={filters.assignee ?? ""} onChange={(e) => setFilters({ assignee: e.target.value || null })} className={select} data-testid="wo-filter-assignee">
              <option value="">Anyone</option>
              {filters.assignee && !(people.data ?? []).some((p) => p.id === filters.assignee) ? <option value={filters.assignee}>(selected person)</option> : null}
              {(people.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.id === user.id ? `${p.name} (me)` : p.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {count ? (
          <button type="button" onClick={() => setFilters({ ...DEFAULT_FILTERS, view: filters.view })} className="min-h-11 text-sm font-medium text-brand-700 hover:underline">
            Clear filters
          </button>
        ) : null}
      </FiltersCard>

      {list.error && orders.length > 0 ? (
        <p role="alert" className="mb-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
          Could not refresh the work orders ({list.error.message}). What you see may be out of date.{" "}
          <button type="button" className="min-h-11 font-semibold underline" onClick={() => void list.refetch()}>
            Try again
          </button>
        </p>
      ) : null}

      {list.isPending ? (
        <Card>
          <p className="p-6 text-sm text-slate-500" role="status">
            Loading work orders…
          </p>
        </Card>
      ) : list.error && orders.length === 0 ? (
        <Card>
          <Empty title="The work orders could not be loaded." testId="wo-list-error">
            <p>{list.error.message}</p>
            <p>Check your connection, then try again.</p>
            <button type="button" className="mt-2 min-h-11 rounded-lg bg-brand-600 px-3 text-sm font-semibold text-white" onClick={() => void list.refetch()}>
              Try again
            </button>
          </Empty>
        </Card>
      ) : filters.view === "board" ? (
        <Board orders={orders} filters={filters} user={user} people={people.data ?? []} pending={pending} dimmed={list.isPlaceholderData} />
      ) : orders.length === 0 ? (
        <Card>
          <Empty title={count ? "No work orders match these filters." : "No open work orders."} testId="wo-list-empty">
            {filters.mine ? <p>Nothing open is assigned to you. Unassigned orders are in the full list.</p> : null}
            {count ? (
              <button
                type="button"
                onClick={() => setFilters({ ...DEFAULT_FILTERS, view: filters.view })}
                className="mt-2 min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-sm font-semibold text-slate-700 hover:bg-slate-100"
              >
                Clear filters
              </button>
            ) : null}
          </Empty>
        </Card>
      ) : (
        <Card className="overflow-hidden">
          <ul className={`divide-y divide-slate-100 ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-label="Work orders" aria-busy={list.isFetching} data-testid="wo-list">
            {orders.map((wo) => (
              <OrderRow key={wo.id} order={wo} pending={pending.get(wo.id)} user={user} />
            ))}
          </ul>
        </Card>
      )}
      {!manager && filters.view === "board" ? <p className="mt-3 text-xs text-slate-500">Managers assign from the cards; technicians take unassigned orders.</p> : null}
    </>
  );
}

/** The new work orders waiting on this phone: above everything else, whatever the filters. */
function PendingCreates({ orders, userId }: { orders: PendingCreateView[]; userId: string }) {
  return (
    <section aria-label="New work orders waiting to send" className="mb-3">
      <ul className="space-y-2">
        {orders.map((o) => (
          <PendingCreateCard key={o.clientKey} order={o} userId={userId} />
        ))}
      </ul>
    </section>
  );
}

/**
 * A work order written on this phone that the server does not have yet. It has no id, so nothing
 * can be recorded on it until it is sent; the card says so rather than offering a dead link.
 */
export function PendingCreateCard({ order: o, userId }: { order: PendingCreateView; userId: string }) {
  return (
    <li className="rounded-xl border border-amber-300 bg-amber-50/60 px-4 py-3" data-testid="wo-pending-create" data-client-key={o.clientKey}>
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="font-mono text-sm font-semibold text-slate-500">New</span>
        <PriorityBadge priority={o.priority} />
        <WaitingMarker attempts={o.attempts} lastError={o.lastError} />
      </div>
      <p className="mt-1 font-medium break-words">{o.title}</p>
      <p className="mt-0.5 flex flex-wrap gap-x-3 gap-y-0.5 text-sm text-slate-600">
        <span className="break-words">
          <span className="font-mono font-semibold">{o.systemCode}</span>
          {o.systemName ? ` · ${o.systemName}` : null}
          {o.componentCode ? (
            <>
              {" "}
              / <span className="font-mono text-xs">{o.componentCode}</span>
              {o.componentName ? ` · ${o.componentName}` : null}
            </>
          ) : null}
        </span>
        <span>{TYPE_LABEL[o.type]}</span>
        {o.assigneeId ? <span>{o.assigneeId === userId ? "Assigned to me" : "Assigned"}</span> : null}
        {o.dueAt ? <DueLabel dueAt={o.dueAt} status="open" /> : null}
        {o.checklistSteps ? <span>{o.checklistSteps === 1 ? "1 checklist step" : `${o.checklistSteps} checklist steps`}</span> : null}
      </p>
      <p className="mt-1 text-xs text-slate-700">
        Gets its number when sent. Labour, parts, photos and status changes can be recorded once it is on the server.
      </p>
    </li>
  );
}

function Empty({ title, children, testId }: { title: string; children?: ReactNode; testId: string }) {
  return (
    <div className="space-y-1 p-6 text-sm text-slate-600" data-testid={testId}>
      <p className="text-base font-semibold text-slate-900">{title}</p>
      {children}
    </div>
  );
}

function OrderRow({ order: wo, pending, user }: { order: WorkOrderSummary; pending?: { waiting: number; status: WorkOrderStatusName | null }; user: ListUser }) {
  return (
    <li className={`relative px-4 py-3 ${wo.overdue ? "bg-red-50/40" : ""}`} data-testid={`wo-row-${wo.id}`} data-status={wo.status}>
      {wo.overdue ? <span aria-hidden="true" className="absolute inset-y-0 left-0 w-1.5 bg-red-500" /> : null}
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="font-mono text-sm font-semibold text-slate-600">{woLabel(wo.number)}</span>
        <PriorityBadge priority={wo.priority} />
        <WorkOrderStatusBadge status={pending?.status ?? wo.status} pending={pending?.status != null} />
        {wo.overdue ? <OverdueBadge /> : null}
        {pending?.waiting ? <WaitingMarker /> : null}
      </div>
      <p className="mt-1 font-medium break-words">
        <Link href={`/work-orders/${encodeURIComponent(wo.id)}`} className="block min-h-6 hover:text-brand-700 hover:underline">
          {wo.title}
        </Link>
      </p>
      <p className="mt-0.5 flex flex-wrap gap-x-3 gap-y-0.5 text-sm text-slate-600">
        <span>
          <span className="font-mono font-semibold">{wo.system}</span>
          {wo.component ? <span className="font-mono text-xs text-slate-500"> / {wo.component}</span> : null}
        </span>
        <span>{TYPE_LABEL[wo.type as WorkOrderTypeName] ?? wo.type}</span>
        <span>{wo.assignee ? (wo.assigneeId === user.id ? "Assigned to me" : `Assigned to ${wo.assignee}`) : "Unassigned"}</span>
        <DueLabel dueAt={wo.dueAt} status={wo.status} className={wo.overdue ? "font-semibold text-red-800" : ""} />
      </p>
    </li>
  );
}

function Board({
  orders,
  filters,
  user,
  people,
  pending,
  dimmed,
}: {
  orders: WorkOrderSummary[];
  filters: WorkOrderFilters;
  user: ListUser;
  people: { id: string; name: string }[];
  pending: Map<string, { waiting: number; status: WorkOrderStatusName | null }>;
  dimmed: boolean;
}) {
  const columns = boardColumns(filters);
  return (
    <div className={`grid gap-4 md:grid-cols-2 xl:grid-cols-4 ${dimmed ? "opacity-60" : ""}`} data-testid="wo-board">
      {columns.map((status) => {
        const cards = orders.filter((o) => o.status === status);
        return (
          <section key={status} aria-label={STATUS_LOOK[status].label} className="min-w-0 rounded-2xl bg-slate-100 p-2" data-testid={`wo-column-${status}`}>
            <h2 className="flex items-center justify-between px-2 py-1 text-sm font-semibold">
              {STATUS_LOOK[status].label}
              <span className="rounded-full bg-white px-2 text-xs text-slate-600">{cards.length}</span>
            </h2>
            {cards.length === 0 ? <p className="px-2 py-3 text-xs text-slate-500">Nothing here.</p> : null}
            <ul className="space-y-2">
              {cards.map((wo) => (
                <BoardCard key={wo.id} order={wo} user={user} people={people} pending={pending.get(wo.id)} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

function BoardCard({
  order: wo,
  user,
  people,
  pending,
}: {
  order: WorkOrderSummary;
  user: ListUser;
  people: { id: string; name: string }[];
  pending?: { waiting: number; status: WorkOrderStatusName | null };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter());
  const assign = useMutation(trpc.maintenance.workOrder.assign.mutationOptions({ onSuccess }));
  const take = useMutation(trpc.maintenance.workOrder.take.mutationOptions({ onSuccess }));
  const manager = hasRole(user.role, "manager");
  const technician = hasRole(user.role, "technician");
  const error = assign.error ?? take.error;
  const finished = wo.status === "done" || wo.status === "cancelled";

  return (
    <li className={`rounded-xl border bg-white p-3 shadow-sm ${wo.overdue ? "border-red-300" : "border-slate-200"}`} data-testid={`wo-card-${wo.id}`}>
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="font-mono text-xs font-semibold text-slate-600">{woLabel(wo.number)}</span>
        <PriorityBadge priority={wo.priority} />
        {wo.overdue ? <OverdueBadge /> : null}
        {pending?.waiting ? <WaitingMarker /> : null}
      </div>
      <Link href={`/work-orders/${encodeURIComponent(wo.id)}`} className="mt-1 block text-sm font-medium break-words hover:text-brand-700 hover:underline">
        {wo.title}
      </Link>
      <p className="mt-0.5 text-xs text-slate-600">
        <span className="font-mono">{wo.system}</span>
        {wo.component ? <span className="font-mono"> / {wo.component}</span> : null} · <DueLabel dueAt={wo.dueAt} status={wo.status} />
      </p>
      {pending?.status ? (
        <p className="mt-1">
          <WorkOrderStatusBadge status={pending.status} pending />
        </p>
      ) : null}
      <div className="mt-2">
        {manager && !finished ? (
          <label className="block text-xs">
            <span className="sr-only">Assign {woLabel(wo.number)} to</span>
            <select
              className={select}
              value={wo.assigneeId ?? ""}
              disabled={assign.isPending}
              onChange={(e) => assign.mutate({ id: wo.id, assigneeId: e.target.value || null })}
              data-testid={`wo-assign-${wo.id}`}
            >
              <option value="">{wo.assigneeId ? "Unassign" : "Assign…"}</option>
              {wo.assigneeId && !people.some((p) => p.id === wo.assigneeId) ? <option value={wo.assigneeId}>{wo.assignee ?? "Current assignee"}</option> : null}
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.id === user.id ? `${p.name} (me)` : p.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p className="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600">
            <span>{wo.assignee ? (wo.assigneeId === user.id ? "Assigned to me" : `Assigned to ${wo.assignee}`) : "Unassigned"}</span>
            {technician && !wo.assigneeId && !finished ? (
              <button
                type="button"
                onClick={() => take.mutate({ id: wo.id })}
                disabled={take.isPending}
                className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-sm font-semibold text-slate-700 hover:bg-slate-100"
                data-testid={`wo-take-${wo.id}`}
              >
                {take.isPending ? "Taking…" : "Take it"}
              </button>
            ) : null}
          </p>
        )}
        {error ? (
          <p role="alert" className="mt-1 text-xs text-red-700">
            {error.message}
          </p>
        ) : null}
      </div>
    </li>
  );
}

