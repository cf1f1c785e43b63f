"use client";

import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { fromLocalInput, toLocalInput } from "./datetime-local";
import { dangerButton, FieldError, inputClass, labelClass, primaryButton } from "./form-controls";
import { formErrors, type FormErrors } from "./form-errors";

type MaintenanceWindow = inferRouterOutputs<AppRouter>["notifications"]["windows"]["list"][number];

const DURATIONS: { label: string; hours: number }[] = [
  { label: "1 h", hours: 1 },
  { label: "2 h", hours: 2 },
  { label: "4 h", hours: 4 },
  { label: "8 h", hours: 8 },
  { label: "1 day", hours: 24 },
];

const timeFmt = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/**
 * Maintenance windows per system (managers): while one is open the system's alerts reach nobody
 * outside the app (webhooks, e-mail, escalation); compliance alerts still do.
 */
export function MaintenanceWindowsPanel({ systems }: { systems: { code: string; name: string }[] }) {
  const trpc = useTRPC();
  const windows = useQuery(trpc.notifications.windows.list.queryOptions());

  return (
    <Card className="p-4">
      <h2 className="mb-1 font-semibold" id="maintenance-windows">
        Maintenance windows
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        While a window is open, the system&apos;s alerts still show in the app but send no webhook or e-mail and do not escalate. Compliance alerts are never silenced.
      </p>
      <CreateWindowForm systems={systems} />
      {windows.isLoading ? <p className="text-sm text-slate-500">Loading windows…</p> : null}
      {windows.error ? (
        <p role="alert" className="text-sm text-red-700">
          Could not load the windows: {windows.error.message}
        </p>
      ) : null}
      {windows.data?.length === 0 ? <p className="text-sm text-slate-500">No open or planned windows.</p> : null}
      <ul className="divide-y divide-slate-100" data-testid="windows-list">
        {windows.data?.map((w) => (
          <WindowRow key={w.id} window={w} />
        ))}
      </ul>
    </Card>
  );
}

function CreateWindowForm({ systems }: { systems: { code: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [systemCode, setSystemCode] = useState(systems[0]?.code ?? "");
  // empty start: "now" at the moment of saving
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<FormErrors | null>(null);
  const create = useMutation(
    trpc.notifications.windows.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.notifications.windows.pathFilter());
        setEnd("");
        setReason("");
        setStart("");
      },
    }),
  );
  const errors = local ?? formErrors(create.error);

  function setDuration(hours: number) {
    const from = fromLocalInput(start) ?? new Date();
    setEnd(toLocalInput(new Date(from.getTime() + hours * 3_600_000)));
    setLocal(null);
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    create.reset();
    const startsAt = start ? fromLocalInput(start) : undefined;
    const endsAt = fromLocalInput(end);
    const fields: Record<string, string> = {};
    if (startsAt === null) fields.startsAt = "Enter a date and time, or leave it empty for now.";
    if (!endsAt) fields.endsAt = "Enter when the window ends, or pick a duration.";
    if (Object.keys(fields).length || !endsAt || startsAt === null) {
      setLocal({ fields, message: "Check the highlighted fields." });
      return;
    }
    setLocal(null);
    create.mutate({ systemCode, startsAt, endsAt, reason: reason.trim() || null });
  }

  return (
    <form onSubmit={submit} className="mb-4 space-y-3 rounded-xl border border-slate-200 bg-slate-50 p-3" data-testid="window-create-form" noValidate>
      <div className="grid gap-3 sm:grid-cols-3">
        <div>
          <label htmlFor={`${id}-system`} className={labelClass}>
            System
          </label>
          <select id={`${id}-system`} value={systemCode} onChange={(e) => setSystemCode(e.target.value)} className={inputClass} aria-invalid={Boolean(errors.fields.systemCode) || undefined}>
            {systems.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} · {s.name}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-system`} message={errors.fields.systemCode} />
        </div>
        <div>
          <label htmlFor={`${id}-start`} className={labelClass}>
            Starts <span className="font-normal text-slate-500">(empty: now)</span>
          </label>
          <input
            id={`${id}-start`}
            type="datetime-local"
            value={start}
            onChange={(e) => {
              setStart(e.target.value);
              setLocal(null);
            }}
            className={inputClass}
            aria-invalid={Boolean(errors.fields.startsAt) || undefined}
          />
          <FieldError id={`${id}-start`} message={errors.fields.startsAt} />
        </div>
        <div>
          <label htmlFor={`${id}-end`} className={labelClass}>
            Ends
          </label>
          <input
            id={`${id}-end`}
            type="datetime-local"
            value={end}
            onChange={(e) => {
              setEnd(e.target.value);
              setLocal(null);
            }}
            className={inputClass}
            aria-invalid={Boolean(errors.fields.endsAt) || undefined}
            data-testid="window-end"
          />
          <FieldError id={`${id}-end`} message={errors.fields.endsAt} />
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Duration from the start">
        <span className="text-sm text-slate-600">Lasts</span>
        {DURATIONS.map((d) => (
          <button key={d.hours} type="button" className="min-h-9 rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100" onClick={() => setDuration(d.hours)}>
            {d.label}
          </button>
        ))}
      </div>
      <div>
        <label htmlFor={`${id}-reason`} className={labelClass}>
          Reason <span className="font-normal text-slate-500">(optional, shown on the system page)</span>
        </label>
        <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="e.g. UV lamp replacement" className={inputClass} />
        <FieldError id={`${id}-reason`} message={errors.fields.reason} />
      </div>
      {errors.message ? (
        <p role="alert" className="text-sm text-red-700">
          {errors.message}
        </p>
      ) : null}
      <button type="submit" className={primaryButton} disabled={create.isPending || systems.length === 0}>
        {create.isPending ? "Saving…" : "Silence this system"}
      </button>
    </form>
  );
}

function WindowRow({ window: w }: { window: MaintenanceWindow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.notifications.windows.delete.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.notifications.windows.pathFilter()) }));
  return (
    <li className="flex flex-wrap items-center gap-2 py-2" data-testid={`window-${w.id}`}>
      <span className="min-w-0 flex-1 basis-56 text-sm">
        <span className="font-mono font-semibold">{w.system.code}</span> {w.system.name}
        {w.open ? <span className="ml-1.5 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900">Silenced now</span> : null}
        <span className="block text-xs text-slate-500">
          {timeFmt.format(w.startsAt)} → {timeFmt.format(w.endsAt)}
          {w.reason ? ` · ${w.reason}` : ""}
        </span>
      </span>
      <button
        type="button"
        className={dangerButton}
        disabled={remove.isPending}
        onClick={() => {
          if (confirm(w.open ? `End the window on ${w.system.code} now? Its alerts notify again at once.` : `Cancel the planned window on ${w.system.code}?`)) remove.mutate({ id: w.id });
        }}
      >
        {w.open ? "End now" : "Cancel"}
      </button>
      {remove.error ? (
        <p role="alert" className="basis-full text-sm text-red-700">
          {remove.error.message}
        </p>
      ) : null}
    </li>
  );
}
