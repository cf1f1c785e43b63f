"use client";

import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { RelativeTime } from "@/components/alerts/relative-time";
import { useTRPC } from "@/components/trpc";
import { WaitingMarker } from "./badges";
import type { WorkOrderEntryInputs } from "./entries";
import { fromLocalInputValue } from "./format";
import type { PendingRow } from "./optimistic";
import { ErrorText, input, primary, secondary, Section } from "./ui";

type CodeRef = { code: string; name: string } | null;
type ComponentTypeName = NonNullable<inferRouterOutputs<AppRouter>["maintenance"]["workOrder"]["get"]["component"]>["type"];

export interface CloseOutOrder {
  id: string;
  type: string;
  status: string;
  componentType: ComponentTypeName | null;
  completedAt: Date | null;
  failureMode: CodeRef;
  failureCause: CodeRef;
  remedy: CodeRef;
  downtimeStart: Date | null;
  downtimeEnd: Date | null;
}

export interface CloseOutValues {
  input: Omit<WorkOrderEntryInputs["close"], "id">;
  names: { failureMode: string | null; failureCause: string | null; remedy: string | null };
}

const downtimeFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });

/**
 * Close-out: failure mode, cause and remedy (filtered to the component's type), downtime and a
 * note. Whether a failure mode is needed is the server's rule (corrective work, or predictive
 * work that found a failure); its refusal is shown here as it words it.
 */
export function CloseOutSection({
  order,
  canClose,
  pending,
  refused,
  onClose,
  onDismiss,
}: {
  order: CloseOutOrder;
  canClose: boolean;
  pending: PendingRow<"close"> | null;
  refused: PendingRow<"close"> | null;
  onClose: (values: CloseOutValues) => Promise<void>;
  onDismiss: (clientKey: string) => void;
}) {
  if (order.status === "done") return <CloseOutSummary order={order} />;
  if (!canClose && !pending) return null;
  // the form stays mounted while a close-out waits, so what was typed is still there if it is refused
  return <CloseOutForm order={order} pending={pending} refused={refused} onClose={onClose} onDismiss={onDismiss} />;
}

function CodeList({ mode, cause, remedy }: { mode: string | null; cause: string | null; remedy: string | null }) {
  return (
    <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      <dt className="text-slate-500">Failure mode</dt>
      <dd>{mode ?? "—"}</dd>
      <dt className="text-slate-500">Cause</dt>
      <dd>{cause ?? "—"}</dd>
      <dt className="text-slate-500">Remedy</dt>
      <dd>{remedy ?? "—"}</dd>
    </dl>
  );
}

function CloseOutSummary({ order }: { order: CloseOutOrder }) {
  const name = (c: CodeRef) => (c ? `${c.code} · ${c.name}` : null);
  return (
    <Section id="close-out" title="Close-out" testId="wo-closeout-summary">
      <p className="text-sm text-slate-600">
        Closed{order.completedAt ? (
          <>
            {" "}
            <RelativeTime at={order.completedAt} />
          </>
        ) : null}
        .
      </p>
      <CodeList mode={name(order.failureMode)} cause={name(order.failureCause)} remedy={name(order.remedy)} />
      {order.downtimeStart && order.downtimeEnd ? (
        <p className="mt-2 text-sm">
          Downtime {downtimeFmt.format(order.downtimeStart)} – {downtimeFmt.format(order.downtimeEnd)} ({Math.round((order.downtimeEnd.getTime() - order.downtimeStart.getTime()) / 60_000)} min)
        </p>
      ) : null}
    </Section>
  );
}

function CloseOutForm({
  order,
  pending,
  refused,
  onClose,
  onDismiss,
}: {
  order: CloseOutOrder;
  pending: PendingRow<"close"> | null;
  refused: PendingRow<"close"> | null;
  onClose: (values: CloseOutValues) => Promise<void>;
  onDismiss: (clientKey: string) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const codes = useQuery(
    trpc.maintenance.workOrder.failureCodes.queryOptions(
      order.componentType ? { componentType: order.componentType } : undefined,
      { staleTime: 60 * 60_000 },
    ),
  );
  const [mode, setMode] = useState("");
  const [cause, setCause] = useState("");
  const [remedy, setRemedy] = useState("");
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const modeExpected = order.type === "corrective" || order.type === "predictive";

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next: Record<string, string> = {};
    const downtimeStart = start ? fromLocalInputValue(start) : null;
    const downtimeEnd = end ? fromLocalInputValue(end) : null;
    if (start && !downtimeStart) next.downtimeStart = "Not a valid time.";
    if (end && !downtimeEnd) next.downtimeEnd = "Not a valid time.";
    if (downtimeStart && !end) next.downtimeEnd = "Give the end of the downtime too (or clear the start).";
    if (downtimeEnd && !start) next.downtimeStart = "Give the start of the downtime too (or clear the end).";
    if (downtimeStart && downtimeEnd && downtimeEnd < downtimeStart) next.downtimeEnd = "The downtime cannot end before it starts.";
    setErrors(next);
    if (Object.keys(next).length) return;
    const find = (list: { code: string; name: string }[] | undefined, c: string) => {
      const hit = list?.find((x) => x.code === c);
      return c ? (hit ? `${hit.code} · ${hit.name}` : c) : null;
    };
    setSaving(true);
    try {
      // a new attempt replaces the refused one
      if (refused) onDismiss(refused.clientKey);
      await onClose({
        input: {
          ...(mode ? { failureModeCode: mode } : {}),
          ...(cause ? { failureCauseCode: cause } : {}),
          ...(remedy ? { remedyCode: remedy } : {}),
          ...(downtimeStart && downtimeEnd ? { downtimeStart, downtimeEnd } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
          completedAt: new Date(),
        },
        names: { failureMode: find(codes.data?.modes, mode), failureCause: find(codes.data?.causes, cause), remedy: find(codes.data?.remedies, remedy) },
      });
    } catch (err) {
      setErrors({ form: `Could not save the close-out on this phone: ${(err as Error).message}` });
    } finally {
      setSaving(false);
    }
  }

  const field = "block text-sm";
  return (
    <Section id="close-out" title="Close out" testId="wo-close-out">
      {pending ? (
        <div data-testid="wo-close-pending">
          <p className="flex flex-wrap items-center gap-2 text-sm">
            Close-out saved on this phone <WaitingMarker attempts={pending.attempts} lastError={pending.lastError} />
          </p>
          <CodeList mode={pending.meta?.failureMode ?? null} cause={pending.meta?.failureCause ?? null} remedy={pending.meta?.remedy ?? null} />
        </div>
      ) : null}
      <form onSubmit={submit} className={`space-y-3 ${pending ? "hidden" : ""}`} noValidate>
        {refused?.failed ? (
          <div role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-900 ring-1 ring-red-300" data-testid="wo-close-error">
            <p className="font-semibold">Not closed: {refused.failed.message}</p>
          </div>
        ) : null}
        {codes.error ? <ErrorText>Could not load the failure codes: {codes.error.message}</ErrorText> : null}
        <CodeSelect id={`${id}-mode`} label="Failure mode" hint={modeExpected ? "what was observed; needed to close corrective work" : "what was observed, if anything failed"} value={mode} onChange={setMode} options={codes.data?.modes} testId="wo-close-mode" />
        <CodeSelect id={`${id}-cause`} label="Cause" hint="why it failed" value={cause} onChange={setCause} options={codes.data?.causes} testId="wo-close-cause" />
        <CodeSelect id={`${id}-remedy`} label="Remedy" hint="what was done" value={remedy} onChange={setRemedy} options={codes.data?.remedies} testId="wo-close-remedy" />
        <fieldset className="grid grid-cols-1 gap-2 sm:grid-cols-2">
          <legend className="mb-1 text-sm font-medium">
            Downtime <span className="font-normal text-slate-500">(optional; both or neither)</span>
          </legend>
          <Field label="From" error={errors.downtimeStart}>
            <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} className={input} data-testid="wo-close-downtime-start" />
          </Field>
          <Field label="To" error={errors.downtimeEnd}>
            <input type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} className={input} data-testid="wo-close-downtime-end" />
          </Field>
        </fieldset>
        <label className={field}>
          <span className="mb-0.5 block font-medium">Note</span>
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={2000} placeholder="Anything the next person should know" className={input} data-testid="wo-close-note" />
        </label>
        <ErrorText>{errors.form}</ErrorText>
        <div className="flex flex-wrap gap-2">
          <button type="submit" className={`${primary} flex-1 sm:flex-none`} disabled={saving} data-testid="wo-close-submit">
            Close work order
          </button>
          {refused ? (
            <button type="button" className={secondary} onClick={() => onDismiss(refused.clientKey)}>
              Dismiss message
            </button>
          ) : null}
        </div>
      </form>
    </Section>
  );
}

function Field({ label, error, children }: { label: string; error?: string; children: ReactNode }) {
  return (
    <label className="block min-w-0 text-sm">
      <span className="mb-0.5 block text-slate-600">{label}</span>
      {children}
      <ErrorText>{error}</ErrorText>
    </label>
  );
}

function CodeSelect({
  id,
  label,
  hint,
  value,
  onChange,
  options,
  testId,
}: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onChange: (v: string) => void;
  options: { code: string; name: string; componentType: string | null }[] | undefined;
  testId: string;
}) {
  const specific = (options ?? []).filter((o) => o.componentType);
  const generic = (options ?? []).filter((o) => !o.componentType);
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium">
        {label} <span className="font-normal text-slate-500">({hint})</span>
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={`${input} mt-0.5`} data-testid={testId}>
        <option value="">— none —</option>
        {specific.length ? (
          <optgroup label="For this component type">
            {specific.map((o) => (
              <option key={o.code} value={o.code}>
                {o.code} · {o.name}
              </option>
            ))}
          </optgroup>
        ) : null}
        <optgroup label={specific.length ? "General" : "Codes"}>
          {generic.map((o) => (
            <option key={o.code} value={o.code}>
              {o.code} · {o.name}
            </option>
          ))}
        </optgroup>
      </select>
    </div>
  );
}
