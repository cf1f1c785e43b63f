"use client";

import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { RelativeTime } from "@/components/alerts/relative-time";
import { useTRPC } from "@/components/trpc";
import { formatMoney, formatQuantity } from "./format";
import type { PendingRow } from "./optimistic";
import { ErrorText, input, PendingState, primary, secondary, Section } from "./ui";

type WorkOrderOutputs = inferRouterOutputs<AppRouter>["maintenance"]["workOrder"];
type UsedPart = WorkOrderOutputs["get"]["parts"][number];
export type PartChoice = WorkOrderOutputs["partOptions"][number];

const MAX_SHOWN = 30;

/**
 * Parts used: the component's bill of materials first with what is in stock at the site, a
 * quantity stepper, then Use. Parts already used can be put back while the order is open.
 */
export function PartsSection({
  orderId,
  parts,
  pending,
  canWork,
  canReturn,
  onUse,
  onDismiss,
}: {
  orderId: string;
  parts: UsedPart[];
  pending: PendingRow<"usePart">[];
  canWork: boolean;
  /** parts go back to stock only while the order is not done */
  canReturn: boolean;
  onUse: (part: PartChoice, quantity: number) => Promise<void>;
  onDismiss: (clientKey: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = useQuery(trpc.maintenance.workOrder.partOptions.queryOptions({ id: orderId }, { enabled: canWork, staleTime: 60_000 }));
  const returnPart = useMutation(trpc.maintenance.workOrder.returnPart.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter()) }));
  const [search, setSearch] = useState("");
  const [showAll, setShowAll] = useState(false);
  const [selected, setSelected] = useState<PartChoice | null>(null);
  const [quantity, setQuantity] = useState("1");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  // stock already promised to entries still waiting on this phone
  const waitingByPart = useMemo(() => {
    const m = new Map<string, number>();
    for (const p of pending) if (!p.failed) m.set(p.input.partId, (m.get(p.input.partId) ?? 0) + p.input.quantity);
    return m;
  }, [pending]);

  const all = options.data ?? [];
  const term = search.trim().toLowerCase();
  const hasBom = all.some((p) => p.bom);
  const matching = term ? all.filter((p) => p.partNumber.toLowerCase().includes(term) || p.name.toLowerCase().includes(term)) : showAll || !hasBom ? all : all.filter((p) => p.bom);
  const shown = matching.slice(0, MAX_SHOWN);

  const qty = Number(quantity.replace(",", "."));
  const qtyValid = Number.isFinite(qty) && qty > 0;
  const available = selected ? selected.inStock - (waitingByPart.get(selected.partId) ?? 0) : 0;

  function step(delta: number) {
    const next = Math.max(1, (Number.isFinite(qty) ? Math.round(qty) : 0) + delta);
    setQuantity(String(next));
  }

  async function use() {
    if (!selected) return;
    if (!qtyValid) {
      setError("Enter a quantity above 0.");
      return;
    }
    setError(null);
    setSaving(true);
    try {
      await onUse(selected, qty);
      setSelected(null);
      setQuantity("1");
      setSearch("");
    } catch (err) {
      setError(`Could not save the entry on this phone: ${(err as Error).message}`);
    } finally {
      setSaving(false);
    }
  }

  const total = parts.reduce((sum, p) => sum + p.quantity * p.unitCost, 0);
  return (
    <Section id="parts" title="Parts used" aside={parts.length ? formatMoney(total) : undefined} testId="wo-parts">
      {parts.length === 0 && pending.length === 0 ? <p className="text-sm text-slate-500">No parts used yet.</p> : null}
      <ul className="divide-y divide-slate-100" data-testid="wo-parts-list">
        {parts.map((p) => (
          <li key={p.id} className="flex flex-wrap items-center gap-x-2 gap-y-1 py-2 text-sm" data-testid="wo-part-row">
            <span className="min-w-0 flex-1">
              <span className="font-semibold tabular-nums">{formatQuantity(p.quantity, p.unit)}</span> <span className="font-mono text-xs">{p.partNumber}</span>{" "}
              <span className="text-slate-700">{p.name}</span>
              <span className="block text-xs text-slate-500">
                {p.userName} · <RelativeTime at={p.createdAt} /> · {formatMoney(p.quantity * p.unitCost)}
              </span>
            </span>
            {canWork && canReturn ? (
              <button type="button" className={secondary} disabled={returnPart.isPending} onClick={() => returnPart.mutate({ usageId: p.id })}>
                Put back
              </button>
            ) : null}
          </li>
        ))}
        {pending.map((p) => (
          <li key={p.clientKey} className="py-2 text-sm" data-testid="wo-part-row" data-pending={p.failed ? "refused" : "waiting"}>
            <span className={`font-semibold tabular-nums ${p.failed ? "text-slate-500 line-through" : ""}`}>{formatQuantity(p.input.quantity, p.meta?.unit ?? "")}</span>{" "}
            <span className="font-mono text-xs">{p.meta?.partNumber}</span> <span className="text-slate-700">{p.meta?.name}</span>{" "}
            <PendingState failed={p.failed} attempts={p.attempts} lastError={p.lastError} onDismiss={() => onDismiss(p.clientKey)} />
          </li>
        ))}
      </ul>
      <ErrorText>{returnPart.error?.message}</ErrorText>

      {canWork ? (
        <div className="mt-3 space-y-3 border-t border-slate-100 pt-3" data-testid="wo-part-form">
          {selected ? (
            <div className="space-y-3 rounded-xl border border-brand-600 bg-brand-50 p-3">
              <p className="text-sm">
                <span className="font-mono font-semibold">{selected.partNumber}</span> {selected.name}
                <span className="block text-xs text-slate-600">{formatQuantity(available, selected.unit)} in stock at this site</span>
              </p>
              <div className="flex items-center gap-2">
                <button type="button" className={`${secondary} w-12 text-lg`} aria-label="One less" onClick={() => step(-1)} disabled={!qtyValid || qty <= 1}>
                  −
                </button>
                <label className="min-w-0 flex-1">
                  <span className="sr-only">Quantity ({selected.unit})</span>
                  <input type="text" inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} className={`${input} text-center tabular-nums`} data-testid="wo-part-qty" />
                </label>
                <button type="button" className={`${secondary} w-12 text-lg`} aria-label="One more" onClick={() => step(1)}>
                  +
                </button>
              </div>
              {qtyValid && qty > available ? (
                <p className="text-sm text-amber-900" data-testid="wo-part-stock-warning">
                  Only {formatQuantity(Math.max(0, available), selected.unit)} in stock here: the server will refuse more than that.
                </p>
              ) : null}
              <ErrorText>{error}</ErrorText>
              <div className="flex flex-wrap gap-2">
                <button type="button" className={`${primary} flex-1`} disabled={saving || !qtyValid} onClick={() => void use()} data-testid="wo-part-submit">
                  Use {qtyValid ? formatQuantity(qty, selected.unit) : ""} {selected.partNumber}
                </button>
                <button type="button" className={secondary} onClick={() => setSelected(null)}>
                  Other part
                </button>
              </div>
            </div>
          ) : (
            <>
              <label className="block text-sm">
                <span className="mb-0.5 block font-medium">Add a part</span>
                <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Part number or name" className={input} data-testid="wo-part-search" />
              </label>
              {options.isPending ? <p className="text-sm text-slate-500">Loading parts…</p> : null}
              {options.error ? <ErrorText>Could not load the parts list: {options.error.message}</ErrorText> : null}
              {!term && !hasBom && all.length ? <p className="text-sm text-slate-500">No bill of materials for this order&apos;s component: the whole catalogue is listed.</p> : null}
              <ul className="space-y-1.5" data-testid="wo-part-options">
                {shown.map((p) => {
                  const left = p.inStock - (waitingByPart.get(p.partId) ?? 0);
                  return (
                    <li key={p.partId}>
                      <button
                        type="button"
                        onClick={() => {
                          setSelected(p);
                          setQuantity("1");
                        }}
                        data-testid={`wo-part-option-${p.partNumber}`}
                        className="flex min-h-12 w-full items-center gap-2 rounded-xl border border-slate-200 bg-white px-3 py-2 text-left text-sm hover:bg-slate-50"
                      >
                        <span className="min-w-0 flex-1">
                          <span className="font-mono font-semibold">{p.partNumber}</span>
                          {p.bom ? <span className="ml-1.5 rounded bg-brand-100 px-1 text-xs font-semibold text-brand-900">BOM</span> : null}
                          <span className="block break-words text-slate-700">{p.name}</span>
                        </span>
                        <span className={`shrink-0 text-xs font-semibold tabular-nums ${left > 0 ? "text-emerald-800" : "text-red-700"}`}>{left > 0 ? `${formatQuantity(left, p.unit)} in stock` : "none in stock"}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
              {matching.length > shown.length ? <p className="text-xs text-slate-500">{matching.length - shown.length} more: narrow the search.</p> : null}
              {!term && hasBom ? (
                <button type="button" className={`${secondary} w-full`} onClick={() => setShowAll((s) => !s)}>
                  {showAll ? "Only this component's parts" : "Show all parts"}
                </button>
              ) : null}
            </>
          )}
        </div>
      ) : null}
    </Section>
  );
}
