"use client";

import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { hasRole, type RoleName } from "@/lib/roles";
import { isUnacknowledged, SHELVE_PRESETS, type AlertStateName } from "./labels";

export interface AlertUser {
  id: string;
  role: RoleName;
}

/** What the actions need to know about an alert (a list row or the detail). */
export interface ActionableAlert {
  id: string;
  state: AlertStateName;
  isCompliance: boolean;
  /** null when not shelved (or shelving expired) */
  shelvedUntil: Date | null;
  assignee: { id: string; name: string } | null;
}

const button =
  "inline-flex min-h-10 items-center justify-center rounded-lg px-3 py-2 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60";
const primary = `${button} bg-brand-600 text-white hover:bg-brand-700`;
const secondary = `${button} border border-slate-300 bg-white text-slate-700 hover:bg-slate-100`;

/**
 * The buttons a user may use on one alert (contracts.md roles): technicians acknowledge, take an
 * alert or give it back; managers assign anyone, shelve (never a compliance alarm) and unshelve.
 * What a role may not do is not shown; when the server refuses anyway, its message is shown.
 */
export function AlertActions({ alert, user }: { alert: ActionableAlert; user: AlertUser }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [shelving, setShelving] = useState(false);
  const technician = hasRole(user.role, "technician");
  const manager = hasRole(user.role, "manager");

  const onSuccess = () => queryClient.invalidateQueries(trpc.alerts.pathFilter());
  const acknowledge = useMutation(trpc.alerts.acknowledge.mutationOptions({ onSuccess }));
  const assign = useMutation(trpc.alerts.assign.mutationOptions({ onSuccess }));
  const unshelve = useMutation(trpc.alerts.unshelve.mutationOptions({ onSuccess }));
  const assignees = useQuery(trpc.alerts.assignees.queryOptions(undefined, { enabled: manager, staleTime: 5 * 60_000 }));

  if (!technician) return null;

  const mutations = [acknowledge, assign, unshelve];
  const busy = mutations.some((m) => m.isPending);
  // the latest failure, if the latest action failed
  const failed = mutations.filter((m) => m.isError).sort((a, b) => b.submittedAt - a.submittedAt)[0];
  const run = (fn: () => void) => {
    for (const m of mutations) m.reset();
    fn();
  };

  const mine = alert.assignee?.id === user.id;
  const options = assignees.data ?? [];
  const shelved = alert.shelvedUntil !== null;
  const canShelve = manager && !alert.isCompliance && alert.state !== "cleared" && !shelved;

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        {isUnacknowledged(alert.state) ? (
          <button type="button" className={primary} disabled={busy} data-testid={`alert-ack-${alert.id}`} onClick={() => run(() => acknowledge.mutate({ id: alert.id }))}>
            {acknowledge.isPending ? "Acknowledging…" : "Acknowledge"}
          </button>
        ) : null}
        {manager ? (
          <label className="inline-flex items-center">
            <span className="sr-only">Assign this alert to</span>
            <select
              className="min-h-10 max-w-[12rem] rounded-lg border border-slate-300 bg-white px-2 py-2 text-sm"
              value={alert.assignee?.id ?? ""}
              disabled={busy}
              data-testid={`alert-assign-${alert.id}`}
              onChange={(e) => run(() => assign.mutate({ id: alert.id, assigneeId: e.target.value || null }))}
            >
              <option value="">{alert.assignee ? "Unassign" : "Assign…"}</option>
              {alert.assignee && !options.some((o) => o.id === alert.assignee!.id) ? <option value={alert.assignee.id}>{alert.assignee.name}</option> : null}
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.id === user.id ? `${o.name} (me)` : o.name}
                </option>
              ))}
            </select>
          </label>
        ) : mine ? (
          <button type="button" className={secondary} disabled={busy} data-testid={`alert-giveback-${alert.id}`} onClick={() => run(() => assign.mutate({ id: alert.id, assigneeId: null }))}>
            Give back
          </button>
        ) : (
          <button type="button" className={secondary} disabled={busy} data-testid={`alert-take-${alert.id}`} onClick={() => run(() => assign.mutate({ id: alert.id, assigneeId: user.id }))}>
            Take it
          </button>
        )}
        {canShelve ? (
          <button
            type="button"
            className={secondary}
            disabled={busy}
            aria-expanded={shelving}
            data-testid={`alert-shelve-${alert.id}`}
            onClick={() => setShelving((s) => !s)}
          >
            Shelve…
          </button>
        ) : null}
        {manager && shelved ? (
          <button type="button" className={secondary} disabled={busy} data-testid={`alert-unshelve-${alert.id}`} onClick={() => run(() => unshelve.mutate({ id: alert.id }))}>
            Unshelve
          </button>
        ) : null}
      </div>
      {failed ? (
        <p role="alert" className="text-sm text-red-700" data-testid={`alert-action-error-${alert.id}`}>
          {failed.error?.message}
        </p>
      ) : null}
      {shelving && canShelve ? <ShelveForm alertId={alert.id} onDone={() => setShelving(false)} /> : null}
    </div>
  );
}

/** Shelving: a duration up to 8 h and a reason, both logged (domain.md §4.3). */
function ShelveForm({ alertId, onDone }: { alertId: string; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [minutes, setMinutes] = useState(60);
  const [reason, setReason] = useState("");
  const formId = useId();
  const shelve = useMutation(
    trpc.alerts.shelve.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.alerts.pathFilter());
        onDone();
      },
    }),
  );

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!reason.trim()) return;
    shelve.mutate({ id: alertId, minutes, reason: reason.trim() });
  }

  return (
    <form onSubmit={submit} className="space-y-3 rounded-xl border border-slate-200 bg-slate-50 p-3" data-testid={`alert-shelve-form-${alertId}`}>
      <fieldset>
        <legend className="text-sm font-medium">Shelve for</legend>
        <div className="mt-1 grid grid-cols-3 gap-1.5 sm:grid-cols-6">
          {SHELVE_PRESETS.map((p) => (
            <label
              key={p.minutes}
              className={`flex min-h-10 cursor-pointer items-center justify-center rounded-lg border px-2 text-sm font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500 ${
                minutes === p.minutes ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"
              }`}
            >
              <input type="radio" name={`${formId}-minutes`} value={p.minutes} checked={minutes === p.minutes} onChange={() => setMinutes(p.minutes)} className="sr-only" />
              {p.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div>
        <label htmlFor={`${formId}-reason`} className="text-sm font-medium">
          Reason <span className="font-normal text-slate-500">(required, logged)</span>
        </label>
        <textarea
          id={`${formId}-reason`}
          required
          maxLength={500}
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="e.g. Filter change in progress, pump isolated"
          className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm"
        />
      </div>
      {shelve.error ? (
        <p role="alert" className="text-sm text-red-700">
          {shelve.error.message}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primary} disabled={shelve.isPending || !reason.trim()}>
          {shelve.isPending ? "Shelving…" : `Shelve for ${SHELVE_PRESETS.find((p) => p.minutes === minutes)?.label ?? `${minutes} min`}`}
        </button>
        <button type="button" className={secondary} onClick={onDone}>
          Cancel
        </button>
      </div>
      <p className="text-xs text-slate-500">A shelved alert leaves the inbox until the time is up. Compliance alarms are never shelved.</p>
    </form>
  );
}
