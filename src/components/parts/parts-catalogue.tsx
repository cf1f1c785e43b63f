"use client";

import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { Card, PageHeader } from "@/components/ui/page-header";
import { Field, inputClass, LocalTime, Pill, primary, secondary } from "@/components/schedules/ui";
import { formatMoney, formatQuantity, parseAmount } from "./parts-format";

type Outputs = inferRouterOutputs<AppRouter>["maintenance"]["parts"];
export type PartItem = Outputs["list"][number];
export type PartsOptions = Outputs["options"];
type StockRow = PartItem["stock"][number];

/**
 * The parts catalogue: every part with its stock per site, below-reorder badges, and for managers the
 * stock actions (receive, adjust with a reason, reorder point) and the part form.
 */
export function PartsCatalogue({ initial, options, canManage }: { initial: PartItem[]; options: PartsOptions; canManage: boolean }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [belowOnly, setBelowOnly] = useState(false);
  const [siteId, setSiteId] = useState("");
  const [creating, setCreating] = useState(false);
  const filtered = search.trim() !== "" || belowOnly || siteId !== "";
  const input = { search: search.trim() || undefined, belowReorder: belowOnly || undefined, siteId: siteId || undefined };
  const list = useQuery(
    trpc.maintenance.parts.list.queryOptions(filtered ? input : undefined, {
      initialData: filtered ? undefined : initial,
      placeholderData: keepPreviousData,
    }),
  );
  const parts = list.data ?? [];
  const lowCount = parts.filter((p) => p.belowReorder).length;

  return (
    <>
      <PageHeader
        title="Parts"
        subtitle="Spares per site, with reorder points. A part at or below its reorder point is requested automatically."
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href="/parts/requests" className={secondary}>
              Parts requests
            </Link>
            {canManage ? (
              <button type="button" className={primary} onClick={() => setCreating((c) => !c)} data-testid="part-new">
                {creating ? "Close" : "New part"}
              </button>
            ) : null}
          </div>
        }
      />
      {creating ? (
        <Card className="mb-4 p-4">
          <h2 className="mb-3 font-semibold">New part</h2>
          <PartForm part={null} options={options} onDone={() => setCreating(false)} />
        </Card>
      ) : null}

      <Card className="mb-4 grid grid-cols-1 gap-2 p-3 sm:grid-cols-[1fr_auto_auto] sm:items-center sm:gap-3">
        <label className="min-w-0">
          <span className="sr-only">Search parts</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search part number or name" className={inputClass} data-testid="parts-search" />
        </label>
        <label className="min-w-0">
          <span className="sr-only">Site</span>
          <select value={siteId} onChange={(e) => setSiteId(e.target.value)} className={inputClass} data-testid="parts-site">
            <option value="">All sites</option>
            {options.sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code} · {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-flex min-h-10 items-center gap-2 text-sm">
          <input type="checkbox" checked={belowOnly} onChange={(e) => setBelowOnly(e.target.checked)} className="h-4 w-4 rounded border-slate-300" data-testid="parts-below" />
          Below reorder point only
        </label>
      </Card>

      {lowCount > 0 && !belowOnly ? (
        <p className="mb-3 text-sm text-red-700" data-testid="parts-low-count">
          {lowCount} part{lowCount === 1 ? " is" : "s are"} at or below the reorder point somewhere.
        </p>
      ) : null}

      <Card className="overflow-hidden">
        {list.error && parts.length === 0 ? (
          <p role="alert" className="p-6 text-sm text-red-800">
            The parts could not be loaded ({list.error.message}). Check your connection and reload.
          </p>
        ) : parts.length === 0 ? (
          <p className="p-6 text-sm text-slate-600" data-testid="parts-empty">
            {filtered ? "No parts match these filters." : "No parts in the catalogue yet."}
          </p>
        ) : (
          <ul className={`divide-y divide-slate-100 ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-label="Parts">
            {parts.map((p) => (
              <PartRow key={p.id} part={p} options={options} canManage={canManage} />
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

type Panel = { kind: "edit" } | { kind: "movements" } | { kind: "stock"; mode: "receive" | "adjust" | "reorder"; siteId: string | null };

function PartRow({ part: p, options, canManage }: { part: PartItem; options: PartsOptions; canManage: boolean }) {
  const [panel, setPanel] = useState<Panel | null>(null);
  const toggle = (next: Panel) => setPanel((cur) => (cur && JSON.stringify(cur) === JSON.stringify(next) ? null : next));
  const sitesWithout = options.sites.filter((s) => !p.stock.some((r) => r.siteId === s.id));

  return (
    <li className="space-y-2 px-4 py-3" data-testid={`part-row-${p.id}`}>
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="font-mono text-sm text-slate-500">{p.partNumber}</span>
        <span className="mr-1 font-semibold break-words">{p.name}</span>
        {p.belowReorder ? (
          <Pill tone="red" testId={`part-below-${p.id}`}>
            Below reorder point
          </Pill>
        ) : null}
      </div>
      <p className="flex flex-wrap gap-x-3 gap-y-0.5 text-sm text-slate-600">
        <span>
          Total <strong className="tabular-nums text-slate-800">{formatQuantity(p.totalQuantity, p.unit)}</strong>
        </span>
        <span>{formatMoney(p.unitCost, p.currency)} each</span>
        <span>{p.supplier ? p.supplier.name : "No supplier"}</span>
        <span>{p.leadTimeDays} d lead time</span>
      </p>

      {p.stock.length > 0 ? (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200" aria-label={`Stock of ${p.partNumber}`}>
          {p.stock.map((s) => (
            <li key={s.siteId} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm" data-testid={`stock-${p.id}-${s.siteId}`}>
              <span className="w-24 font-mono font-semibold">{s.siteCode}</span>
              <span className="tabular-nums">
                <strong>{formatQuantity(s.quantity, p.unit)}</strong> on hand
              </span>
              <span className="text-slate-500">
                reorder at {formatQuantity(s.reorderPoint)}
                {s.reorderQuantity > 0 ? `, order ${formatQuantity(s.reorderQuantity)}` : ""}
                {s.bin ? ` · bin ${s.bin}` : ""}
              </span>
              {s.belowReorder ? <Pill tone="red">Low</Pill> : null}
              {s.pendingRequest ? <Pill tone="amber">Reorder on its way</Pill> : null}
              {canManage ? (
                <span className="flex w-full flex-wrap gap-1.5 sm:ml-auto sm:w-auto">
                  <StockButton label="Receive" onClick={() => toggle({ kind: "stock", mode: "receive", siteId: s.siteId })} testId={`receive-${p.id}-${s.siteId}`} />
                  <StockButton label="Adjust" onClick={() => toggle({ kind: "stock", mode: "adjust", siteId: s.siteId })} testId={`adjust-${p.id}-${s.siteId}`} />
                  <StockButton label="Reorder point" onClick={() => toggle({ kind: "stock", mode: "reorder", siteId: s.siteId })} testId={`reorder-${p.id}-${s.siteId}`} />
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-500">Not stocked at any site.</p>
      )}

      <div className="flex flex-wrap gap-2">
        {canManage && sitesWithout.length > 0 ? (
          <button type="button" className={secondary} onClick={() => toggle({ kind: "stock", mode: "receive", siteId: null })} data-testid={`receive-new-site-${p.id}`}>
            Stock at another site
          </button>
        ) : null}
        <button type="button" className={secondary} onClick={() => toggle({ kind: "movements" })} aria-expanded={panel?.kind === "movements"}>
          Movements
        </button>
        {canManage ? (
          <button type="button" className={secondary} onClick={() => toggle({ kind: "edit" })} aria-expanded={panel?.kind === "edit"} data-testid={`part-edit-${p.id}`}>
            Edit part
          </button>
        ) : null}
      </div>

      {panel?.kind === "stock" ? (
        <StockForm
          key={`${panel.mode}-${panel.siteId}`}
          part={p}
          mode={panel.mode}
          row={p.stock.find((s) => s.siteId === panel.siteId) ?? null}
          sites={panel.siteId ? [] : sitesWithout}
          onDone={() => setPanel(null)}
        />
      ) : null}
      {panel?.kind === "edit" ? (
        <div className="rounded-xl border border-slate-200 bg-slate-50 p-3">
          <PartForm part={p} options={options} onDone={() => setPanel(null)} />
        </div>
      ) : null}
      {panel?.kind === "movements" ? <Movements partId={p.id} unit={p.unit} /> : null}
    </li>
  );
}

function StockButton({ label, onClick, testId }: { label: string; onClick: () => void; testId: string }) {
  return (
    <button type="button" onClick={onClick} className="min-h-9 rounded-lg border border-slate-300 bg-white px-2.5 text-xs font-semibold text-slate-700 hover:bg-slate-100" data-testid={testId}>
      {label}
    </button>
  );
}

/** Receive goods, adjust with a reason (change or counted quantity), or set the reorder point. */
function StockForm({ part, mode, row, sites, onDone }: { part: PartItem; mode: "receive" | "adjust" | "reorder"; row: StockRow | null; sites: PartsOptions["sites"]; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [siteId, setSiteId] = useState(row?.siteId ?? sites[0]?.id ?? "");
  const [amount, setAmount] = useState(mode === "reorder" ? String(row?.reorderPoint ?? 0) : "");
  const [second, setSecond] = useState(mode === "reorder" ? String(row?.reorderQuantity ?? 0) : "");
  const [bin, setBin] = useState(row?.bin ?? "");
  const [adjustBy, setAdjustBy] = useState<"delta" | "count">("count");
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const onSuccess = async (r: { reorder: { quantity: number } | null }) => {
    await queryClient.invalidateQueries(trpc.maintenance.parts.pathFilter());
    if (r.reorder) setDone(`Saved. Stock is at or below the reorder point: a request for ${formatQuantity(r.reorder.quantity, part.unit)} was opened.`);
    else onDone();
  };
  const onError = (e: { message: string }) => setError(e.message);
  const receive = useMutation(trpc.maintenance.parts.receive.mutationOptions({ onSuccess, onError }));
  const adjust = useMutation(trpc.maintenance.parts.adjust.mutationOptions({ onSuccess, onError }));
  const reorder = useMutation(trpc.maintenance.parts.setReorder.mutationOptions({ onSuccess, onError }));
  const busy = receive.isPending || adjust.isPending || reorder.isPending;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const n = parseAmount(amount);
    if (!siteId) return setError("Pick the site.");
    if (mode === "receive") {
      if (n === null || n <= 0) return setError("Enter how many arrived (more than 0).");
      receive.mutate({ partId: part.id, siteId, quantity: n, note: text.trim() || undefined });
    } else if (mode === "adjust") {
      if (n === null || (adjustBy === "count" && n < 0) || (adjustBy === "delta" && n === 0)) {
        return setError(adjustBy === "count" ? "Enter the quantity counted on the shelf (0 or more)." : "Enter the change, e.g. -2 or 3.");
      }
      if (!text.trim()) return setError("Say why the stock is adjusted; it is kept with the movement.");
      adjust.mutate({ partId: part.id, siteId, reason: text.trim(), ...(adjustBy === "count" ? { countedQuantity: n } : { delta: n }) });
    } else {
      const q = parseAmount(second);
      if (n === null || n < 0 || q === null || q < 0) return setError("Reorder point and quantity are numbers, 0 or more.");
      reorder.mutate({ partId: part.id, siteId, reorderPoint: n, reorderQuantity: q, bin: bin.trim() || null });
    }
  }

  const title = mode === "receive" ? "Receive stock" : mode === "adjust" ? "Adjust stock" : "Reorder point";
  return (
    <form onSubmit={submit} noValidate className="space-y-3 rounded-xl border border-slate-200 bg-slate-50 p-3" data-testid={`stock-form-${mode}`}>
      <p className="text-sm font-semibold">
        {title} · {part.partNumber}
        {row ? ` at ${row.siteCode} (now ${formatQuantity(row.quantity, part.unit)})` : ""}
      </p>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        {!row ? (
          <Field id={`${formId}-site`} label="Site">
            <select id={`${formId}-site`} value={siteId} onChange={(e) => setSiteId(e.target.value)} className={inputClass}>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.code} · {s.name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        {mode === "adjust" ? (
          <fieldset className="sm:col-span-3">
            <legend className="text-sm font-medium">Adjust by</legend>
            <div className="mt-1 flex flex-wrap gap-3 text-sm">
              <label className="inline-flex min-h-10 items-center gap-2">
                <input type="radio" name={`${formId}-by`} checked={adjustBy === "count"} onChange={() => setAdjustBy("count")} /> Counted quantity
              </label>
              <label className="inline-flex min-h-10 items-center gap-2">
                <input type="radio" name={`${formId}-by`} checked={adjustBy === "delta"} onChange={() => setAdjustBy("delta")} /> Change (+/−)
              </label>
            </div>
          </fieldset>
        ) : null}
        <Field id={`${formId}-amount`} label={mode === "receive" ? "Quantity received" : mode === "adjust" ? (adjustBy === "count" ? "Counted on the shelf" : "Change, e.g. -2") : "Reorder point"}>
          <input id={`${formId}-amount`} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} className={inputClass} data-testid="stock-amount" />
        </Field>
        {mode === "reorder" ? (
          <>
            <Field id={`${formId}-qty`} label="Reorder quantity" hint="0: order up to the reorder point.">
              <input id={`${formId}-qty`} inputMode="decimal" value={second} onChange={(e) => setSecond(e.target.value)} className={inputClass} />
            </Field>
            <Field id={`${formId}-bin`} label="Bin (optional)">
              <input id={`${formId}-bin`} value={bin} maxLength={32} onChange={(e) => setBin(e.target.value)} className={inputClass} />
            </Field>
          </>
        ) : (
          <Field id={`${formId}-text`} label={mode === "receive" ? "Note (optional)" : "Reason (required)"} className="sm:col-span-2">
            <input
              id={`${formId}-text`}
              value={text}
              maxLength={500}
              onChange={(e) => setText(e.target.value)}
              placeholder={mode === "receive" ? "e.g. delivery note 4711" : "e.g. counted on the shelf, 2 broken"}
              className={inputClass}
              data-testid="stock-text"
            />
          </Field>
        )}
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {done ? (
        <p role="status" className="text-sm text-amber-800">
          {done}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {done ? (
          <button type="button" className={primary} onClick={onDone}>
            Close
          </button>
        ) : (
          <>
            <button type="submit" className={primary} disabled={busy} data-testid="stock-save">
              {busy ? "Saving…" : title}
            </button>
            <button type="button" className={secondary} onClick={onDone}>
              Cancel
            </button>
          </>
        )}
      </div>
    </form>
  );
}

function Movements({ partId, unit }: { partId: string; unit: string }) {
  const trpc = useTRPC();
  const moves = useQuery(trpc.maintenance.parts.movements.queryOptions({ partId, limit: 20 }));
  if (moves.isPending) return <p className="text-sm text-slate-500">Loading movements…</p>;
  if (moves.error) return <p role="alert" className="text-sm text-red-700">Could not load the movements: {moves.error.message}</p>;
  if (moves.data.length === 0) return <p className="text-sm text-slate-500">No stock movements yet.</p>;
  return (
    <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 text-sm" aria-label="Stock movements">
      {moves.data.map((m) => (
        <li key={m.id} className="flex flex-wrap items-center gap-x-3 gap-y-0.5 px-3 py-2">
          <span className={`w-16 text-right font-semibold tabular-nums ${m.delta < 0 ? "text-red-700" : "text-emerald-700"}`}>
            {m.delta > 0 ? "+" : ""}
            {formatQuantity(m.delta, unit)}
          </span>
          <span className="font-mono text-xs">{m.site.code}</span>
          <span className="font-medium">{m.kind}</span>
          {m.note ? <span className="text-slate-600">“{m.note}”</span> : null}
          {m.workOrder ? (
            <Link href={`/work-orders/${encodeURIComponent(m.workOrder.id)}`} className="font-mono text-brand-700 hover:underline">
              WO-{m.workOrder.number}
            </Link>
          ) : null}
          <span className="ml-auto text-xs text-slate-500">
            {m.user ? `${m.user.name} · ` : ""}
            <LocalTime at={m.at} format="datetime" />
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Create or edit a part of the catalogue (managers and admins). */
function PartForm({ part, options, onDone }: { part: PartItem | null; options: PartsOptions; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [v, setV] = useState({
    partNumber: part?.partNumber ?? "",
    name: part?.name ?? "",
    description: part?.description ?? "",
    supplierId: part?.supplier?.id ?? "",
    leadTimeDays: String(part?.leadTimeDays ?? 7),
    unitCost: part ? String(part.unitCost) : "",
    currency: part?.currency ?? "EUR",
    unit: part?.unit ?? "ea",
  });
  const [errors, setErrors] = useState<Partial<Record<keyof typeof v, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const onSuccess = async () => {
    await queryClient.invalidateQueries(trpc.maintenance.parts.pathFilter());
    onDone();
  };
  const onError = (e: { message: string; data?: { fieldErrors?: { path: string; message: string }[] | null } | null }) => {
    const fe: typeof errors = {};
    for (const i of e.data?.fieldErrors ?? []) fe[i.path as keyof typeof v] ??= i.message;
    if (/part number/i.test(e.message) && !fe.partNumber) fe.partNumber = e.message;
    setErrors(fe);
    setFormError(Object.keys(fe).length ? null : e.message);
  };
  const create = useMutation(trpc.maintenance.parts.create.mutationOptions({ onSuccess, onError }));
  const update = useMutation(trpc.maintenance.parts.update.mutationOptions({ onSuccess, onError }));
  const set = (k: keyof typeof v, value: string) => {
    setV((cur) => ({ ...cur, [k]: value }));
    setErrors((cur) => ({ ...cur, [k]: undefined }));
  };

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fe: typeof errors = {};
    if (!v.partNumber.trim()) fe.partNumber = "Give the part a part number.";
    if (!v.name.trim()) fe.name = "Give the part a name.";
    const cost = parseAmount(v.unitCost);
    if (cost === null || cost < 0) fe.unitCost = "The unit cost is a number, 0 or more.";
    const lead = parseAmount(v.leadTimeDays);
    if (lead === null || !Number.isInteger(lead) || lead < 0) fe.leadTimeDays = "Lead time is whole days, 0 or more.";
    if (!/^[A-Za-z]{3}$/.test(v.currency.trim())) fe.currency = "A 3-letter code, e.g. EUR.";
    setErrors(fe);
    if (Object.keys(fe).length) return;
    const input = {
      partNumber: v.partNumber.trim(),
      name: v.name.trim(),
      description: v.description.trim() || null,
      supplierId: v.supplierId || null,
      leadTimeDays: lead!,
      unitCost: cost!,
      currency: v.currency.trim().toUpperCase(),
      unit: v.unit.trim() || "ea",
    };
    if (part) update.mutate({ id: part.id, ...input });
    else create.mutate(input);
  }

  const f = (k: keyof typeof v) => `${formId}-${k}`;
  const invalid = (k: keyof typeof v) => ({ "aria-invalid": errors[k] ? true : undefined });
  return (
    <form onSubmit={submit} noValidate className="space-y-3" data-testid="part-form">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <Field id={f("partNumber")} label="Part number" error={errors.partNumber}>
          <input id={f("partNumber")} value={v.partNumber} maxLength={64} onChange={(e) => set("partNumber", e.target.value)} className={inputClass} {...invalid("partNumber")} />
        </Field>
        <Field id={f("name")} label="Name" error={errors.name}>
          <input id={f("name")} value={v.name} maxLength={200} onChange={(e) => set("name", e.target.value)} className={inputClass} {...invalid("name")} />
        </Field>
        <Field id={f("description")} label="Description (optional)" className="sm:col-span-2">
          <input id={f("description")} value={v.description} maxLength={2000} onChange={(e) => set("description", e.target.value)} className={inputClass} />
        </Field>
        <Field id={f("supplierId")} label="Supplier">
          <select id={f("supplierId")} value={v.supplierId} onChange={(e) => set("supplierId", e.target.value)} className={inputClass}>
            <option value="">None</option>
            {options.suppliers.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("leadTimeDays")} label="Lead time (days)" error={errors.leadTimeDays}>
          <input id={f("leadTimeDays")} inputMode="numeric" value={v.leadTimeDays} onChange={(e) => set("leadTimeDays", e.target.value)} className={inputClass} {...invalid("leadTimeDays")} />
        </Field>
        <div className="grid grid-cols-3 gap-2 sm:col-span-2">
          <Field id={f("unitCost")} label="Unit cost" error={errors.unitCost}>
            <input id={f("unitCost")} inputMode="decimal" value={v.unitCost} onChange={(e) => set("unitCost", e.target.value)} className={inputClass} {...invalid("unitCost")} />
          </Field>
          <Field id={f("currency")} label="Currency" error={errors.currency}>
            <input id={f("currency")} value={v.currency} maxLength={3} onChange={(e) => set("currency", e.target.value)} className={inputClass} {...invalid("currency")} />
          </Field>
          <Field id={f("unit")} label="Unit">
            <input id={f("unit")} value={v.unit} maxLength={16} onChange={(e) => set("unit", e.target.value)} className={inputClass} />
          </Field>
        </div>
      </div>
      {formError ? (
        <p role="alert" className="text-sm text-red-700">
          {formError}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primary} disabled={create.isPending || update.isPending} data-testid="part-save">
          {create.isPending || update.isPending ? "Saving…" : part ? "Save part" : "Add part"}
        </button>
        <button type="button" className={secondary} onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
