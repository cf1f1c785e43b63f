"use client";

import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { Card, PageHeader } from "@/components/ui/page-header";
import { Field, inputClass, LocalTime, Pill, primary, secondary } from "@/components/schedules/ui";
import { hasRole, type RoleName } from "@/lib/roles";
import {
  formatQuantity,
  parseAmount,
  REQUEST_ACTION_LABEL,
  REQUEST_STATUS_LOOK,
  REQUEST_STATUSES,
  requestActionsFor,
  statusesFor,
  type RequestStatusFilter,
} from "./parts-format";

type Outputs = inferRouterOutputs<AppRouter>["maintenance"]["parts"];
export type PartsRequestItem = Outputs["request"]["list"][number];

interface RequestsProps {
  initial: PartsRequestItem[];
  parts: { id: string; partNumber: string; name: string; unit: string }[];
  sites: { id: string; code: string; name: string }[];
  user: { id: string; role: RoleName };
}

/**
 * Parts requests: filters by status, site and "mine"; the buttons each role may use (managers approve,
 * reject, mark ordered and received; a technician cancels their own while requested); "Request parts".
 */
export function PartsRequests({ initial, parts, sites, user }: RequestsProps) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<RequestStatusFilter>("open");
  const [siteId, setSiteId] = useState("");
  const [mine, setMine] = useState(false);
  const [requesting, setRequesting] = useState(false);
  const technician = hasRole(user.role, "technician");
  const isDefault = status === "open" && !siteId && !mine;
  const list = useQuery(
    trpc.maintenance.parts.request.list.queryOptions(
      { status: statusesFor(status), siteId: siteId || undefined, mine: mine || undefined },
      { initialData: isDefault ? initial : undefined, placeholderData: keepPreviousData },
    ),
  );
  const items = list.data ?? [];
  const filters: { value: RequestStatusFilter; label: string }[] = [
    { value: "open", label: "Open" },
    ...REQUEST_STATUSES.map((s) => ({ value: s, label: REQUEST_STATUS_LOOK[s].label })),
    { value: "all", label: "All" },
  ];

  return (
    <>
      <PageHeader
        title="Parts requests"
        subtitle="Requested → approved → ordered → received; receiving adds the parts to the site's stock."
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href="/parts" className={secondary}>
              Catalogue
            </Link>
            {technician ? (
              <button type="button" className={primary} onClick={() => setRequesting((r) => !r)} data-testid="parts-request-new">
                {requesting ? "Close" : "Request parts"}
              </button>
            ) : null}
          </div>
        }
      />
      {requesting ? (
        <Card className="mb-4 p-4">
          <h2 className="mb-3 font-semibold">Request parts</h2>
          <RequestForm parts={parts} sites={sites} onDone={() => setRequesting(false)} />
        </Card>
      ) : null}

      <Card className="mb-4 space-y-3 p-3">
        <div role="group" aria-label="Status" className="flex flex-wrap gap-1.5">
          {filters.map((f) => (
            <button
              key={f.value}
              type="button"
              aria-pressed={status === f.value}
              onClick={() => setStatus(f.value)}
              data-testid={`requests-filter-${f.value}`}
              className={`min-h-9 rounded-full border px-3 text-sm font-medium ${status === f.value ? "border-slate-800 bg-slate-800 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"}`}
            >
              {f.label}
            </button>
          ))}
        </div>
        <div className="grid grid-cols-1 gap-2 sm:flex sm:items-center sm:gap-3">
          <label className="min-w-0">
            <span className="sr-only">Site</span>
            <select value={siteId} onChange={(e) => setSiteId(e.target.value)} className={`${inputClass} sm:w-auto`} data-testid="requests-filter-site">
              <option value="">All sites</option>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.code} · {s.name}
                </option>
              ))}
            </select>
          </label>
          {technician ? (
            <label className="inline-flex min-h-10 items-center gap-2 text-sm">
              <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} className="h-4 w-4 rounded border-slate-300" data-testid="requests-filter-mine" />
              Requested by me
            </label>
          ) : null}
        </div>
      </Card>

      <Card className="overflow-hidden">
        {list.error && items.length === 0 ? (
          <p role="alert" className="p-6 text-sm text-red-800">
            The requests could not be loaded ({list.error.message}). Check your connection and reload.
          </p>
        ) : items.length === 0 ? (
          <p className="p-6 text-sm text-slate-600" data-testid="requests-empty">
            {isDefault ? "No parts requests on their way." : "No requests match these filters."}
          </p>
        ) : (
          <ul className={`divide-y divide-slate-100 ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-label="Parts requests">
            {items.map((r) => (
              <RequestRow key={r.id} r={r} user={user} />
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

function RequestRow({ r, user }: { r: PartsRequestItem; user: { id: string; role: RoleName } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries(trpc.maintenance.parts.pathFilter());
  const m = {
    approve: useMutation(trpc.maintenance.parts.request.approve.mutationOptions({ onSuccess })),
    reject: useMutation(trpc.maintenance.parts.request.reject.mutationOptions({ onSuccess })),
    markOrdered: useMutation(trpc.maintenance.parts.request.markOrdered.mutationOptions({ onSuccess })),
    markReceived: useMutation(trpc.maintenance.parts.request.markReceived.mutationOptions({ onSuccess })),
    cancel: useMutation(trpc.maintenance.parts.request.cancel.mutationOptions({ onSuccess })),
  };
  const actions = requestActionsFor(user, r);
  const busy = Object.values(m).some((x) => x.isPending);
  const failed = Object.values(m).find((x) => x.isError);
  const look = REQUEST_STATUS_LOOK[r.status];

  return (
    <li className="space-y-1.5 px-4 py-3" data-testid={`request-row-${r.id}`} data-status={r.status}>
      <div className="flex flex-wrap items-center gap-1.5">
        <Pill tone={look.tone} testId={`request-status-${r.id}`}>
          {look.label}
        </Pill>
        {r.automatic ? <Pill tone="slate">Automatic reorder</Pill> : null}
        <span className="ml-auto text-xs text-slate-500">
          <LocalTime at={r.createdAt} />
        </span>
      </div>
      <p className="font-medium break-words">
        <span className="tabular-nums">{formatQuantity(r.quantity, r.part.unit)}</span> × {r.part.name} <span className="font-mono text-xs text-slate-500">{r.part.partNumber}</span>
      </p>
      <p className="flex flex-wrap gap-x-3 gap-y-0.5 text-sm text-slate-600">
        <span>
          for <span className="font-mono font-semibold">{r.site.code}</span>
        </span>
        {r.workOrder ? (
          <Link href={`/work-orders/${encodeURIComponent(r.workOrder.id)}`} className="text-brand-700 hover:underline">
            WO-{r.workOrder.number} {r.workOrder.title}
          </Link>
        ) : null}
        <span>{r.requestedBy ? `by ${r.requestedBy.id === user.id ? "me" : r.requestedBy.name}` : "by the reorder point"}</span>
        {r.approvedBy ? <span>approved by {r.approvedBy.name}</span> : null}
        {r.reason && !r.automatic ? <span>“{r.reason}”</span> : null}
      </p>
      {actions.length > 0 ? (
        <div className="flex flex-wrap gap-2 pt-1">
          {actions.map((a) => (
            <button
              key={a}
              type="button"
              disabled={busy}
              onClick={() => {
                for (const x of Object.values(m)) x.reset();
                m[a].mutate({ id: r.id });
              }}
              className={a === "approve" || a === "markOrdered" || a === "markReceived" ? primary : secondary}
              data-testid={`request-${a}-${r.id}`}
            >
              {m[a].isPending ? "…" : REQUEST_ACTION_LABEL[a]}
            </button>
          ))}
        </div>
      ) : null}
      {failed ? (
        <p role="alert" className="text-sm text-red-700">
          {failed.error?.message}
        </p>
      ) : null}
    </li>
  );
}

function RequestForm({ parts, sites, onDone }: { parts: RequestsProps["parts"]; sites: RequestsProps["sites"]; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [partId, setPartId] = useState("");
  const [siteId, setSiteId] = useState(sites.length === 1 ? sites[0]!.id : "");
  const [quantity, setQuantity] = useState("1");
  const [reason, setReason] = useState("");
  const [workOrderId, setWorkOrderId] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const orders = useQuery(trpc.maintenance.workOrder.list.queryOptions({ status: ["requested", "open", "in_progress", "on_hold"], limit: 100 }, { staleTime: 60_000 }));
  const create = useMutation(
    trpc.maintenance.parts.request.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.maintenance.parts.pathFilter());
        onDone();
      },
    }),
  );
  const unit = parts.find((p) => p.id === partId)?.unit;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fe: Record<string, string> = {};
    const q = parseAmount(quantity);
    if (!partId) fe.partId = "Pick the part.";
    if (!siteId) fe.siteId = "Pick the site it is for.";
    if (q === null || q <= 0) fe.quantity = "How many? More than 0.";
    setErrors(fe);
    if (Object.keys(fe).length) return;
    create.mutate({ partId, siteId, quantity: q!, reason: reason.trim() || null, workOrderId: workOrderId || null });
  }

  const f = (k: string) => `${formId}-${k}`;
  return (
    <form onSubmit={submit} noValidate className="space-y-3" data-testid="parts-request-form">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <Field id={f("part")} label="Part" error={errors.partId}>
          <select id={f("part")} value={partId} onChange={(e) => setPartId(e.target.value)} className={inputClass} aria-invalid={errors.partId ? true : undefined}>
            <option value="">Pick a part…</option>
            {parts.map((p) => (
              <option key={p.id} value={p.id}>
                {p.partNumber} · {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("site")} label="For site" error={errors.siteId}>
          <select id={f("site")} value={siteId} onChange={(e) => setSiteId(e.target.value)} className={inputClass} aria-invalid={errors.siteId ? true : undefined}>
            <option value="">Pick a site…</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code} · {s.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("quantity")} label={`Quantity${unit && unit !== "ea" ? ` (${unit})` : ""}`} error={errors.quantity}>
          <input id={f("quantity")} inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} className={inputClass} aria-invalid={errors.quantity ? true : undefined} />
        </Field>
        <Field id={f("wo")} label="For work order (optional)">
          <select id={f("wo")} value={workOrderId} onChange={(e) => setWorkOrderId(e.target.value)} className={inputClass}>
            <option value="">None</option>
            {orders.data?.map((o) => (
              <option key={o.id} value={o.id}>
                WO-{o.number} · {o.title}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("reason")} label="Why (optional)" className="sm:col-span-2">
          <input id={f("reason")} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="e.g. spare for the next lamp change" className={inputClass} />
        </Field>
      </div>
      {create.error ? (
        <p role="alert" className="text-sm text-red-700">
          {create.error.message}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primary} disabled={create.isPending} data-testid="parts-request-submit">
          {create.isPending ? "Sending…" : "Send request"}
        </button>
        <button type="button" className={secondary} onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
