"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card, PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";
import { describeRule, formatAmount, KIND_LABEL } from "./schedule-form-rules";
import { ScheduleForm, type ScheduleItem, type ScheduleOptions } from "./schedule-form";
import { danger, LocalTime, ProgressBar, Pill, primary, secondary } from "./ui";

/**
 * Preventive schedules: each with its rule, progress to the next due point and last order; managers
 * create, edit, pause, delete and run them now (the worker runs them every minute anyway).
 */
export function SchedulesView({ initial, options, canEdit }: { initial: ScheduleItem[]; options: ScheduleOptions; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.maintenance.schedule.list.queryOptions(undefined, { initialData: initial, refetchInterval: 60_000 }));
  const [editing, setEditing] = useState<"new" | ScheduleItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries(trpc.maintenance.schedule.pathFilter());
  const runNow = useMutation(
    trpc.maintenance.schedule.runNow.mutationOptions({
      onSuccess: async (r) => {
        await invalidate();
        const opened = r.created.map((c) => `WO-${c.number} (${c.scheduleName})`).join(", ");
        const resets = r.meterResets.length
          ? ` ${r.meterResets.length} counter reset${r.meterResets.length === 1 ? "" : "s"} recorded: ${r.meterResets.length === 1 ? "its interval restarts" : "their intervals restart"} from 0.`
          : "";
        const failed = r.failed.length ? ` ${r.failed.length} schedule(s) could not be checked.` : "";
        setNotice((r.created.length === 0 ? "Nothing was due: no work order opened." : `Opened ${r.created.length} work order${r.created.length === 1 ? "" : "s"}: ${opened}.`) + resets + failed);
      },
    }),
  );

  const items = list.data ?? [];
  const meterName = (key: string | null) => options.meterMetrics.find((m) => m.key === key)?.name;
  const metricName = (key: string | null) => options.conditionMetrics.find((m) => m.key === key)?.name;

  return (
    <>
      <PageHeader
        title="Schedules"
        subtitle="Preventive maintenance by calendar, meter or condition. Each opens one work order when due, never a second while one is open."
        actions={
          canEdit ? (
            <div className="flex flex-wrap gap-2">
              <button type="button" className={secondary} disabled={runNow.isPending} onClick={() => runNow.mutate(undefined)} data-testid="schedules-run-now">
                {runNow.isPending ? "Running…" : "Run now"}
              </button>
              <button type="button" className={primary} onClick={() => setEditing("new")} data-testid="schedule-new">
                New schedule
              </button>
            </div>
          ) : null
        }
      />
      {notice ? (
        <p role="status" className="mb-4 rounded-lg bg-brand-50 px-3 py-2 text-sm text-brand-900" data-testid="schedules-notice">
          {notice}{" "}
          <button type="button" className="font-semibold underline" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      ) : null}
      {runNow.error ? (
        <p role="alert" className="mb-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
          {runNow.error.message}
        </p>
      ) : null}

      {editing ? (
        <Card className="mb-4 p-4">
          <h2 className="mb-3 font-semibold">{editing === "new" ? "New schedule" : `Edit “${editing.name}”`}</h2>
          <ScheduleForm
            key={editing === "new" ? "new" : editing.id}
            options={options}
            schedule={editing === "new" ? null : editing}
            onDone={(message) => {
              setEditing(null);
              if (message) setNotice(message);
            }}
          />
        </Card>
      ) : null}

      <Card className="overflow-hidden">
        {list.error && items.length === 0 ? (
          <p role="alert" className="p-6 text-sm text-red-800">
            The schedules could not be loaded ({list.error.message}). Check your connection and reload.
          </p>
        ) : items.length === 0 ? (
          <div className="space-y-1 p-6 text-sm text-slate-600" data-testid="schedules-empty">
            <p className="text-base font-semibold text-slate-900">No schedules yet.</p>
            <p>Add one for each recurring job: a lamp change every 9,000 h, a filter change when ΔP stays above 1 bar, a monthly inspection.</p>
          </div>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Schedules">
            {items.map((s) => (
              <ScheduleRow
                key={s.id}
                s={s}
                rule={describeRule(s, s.kind === "meter" ? meterName(s.meterMetricKey) : metricName(s.conditionMetricKey))}
                canEdit={canEdit}
                onEdit={() => setEditing(s)}
                onNotice={setNotice}
              />
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

function ScheduleRow({ s, rule, canEdit, onEdit, onNotice }: { s: ScheduleItem; rule: string; canEdit: boolean; onEdit: () => void; onNotice: (m: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const invalidate = () => queryClient.invalidateQueries(trpc.maintenance.schedule.pathFilter());
  const setActive = useMutation(trpc.maintenance.schedule.setActive.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.maintenance.schedule.delete.mutationOptions({ onSuccess: async () => { await invalidate(); onNotice(`Deleted "${s.name}"; its work orders stay.`); } }));
  const run = useMutation(
    trpc.maintenance.schedule.runNow.mutationOptions({
      onSuccess: async (r) => {
        await invalidate();
        onNotice(r.created.length ? `Opened WO-${r.created[0]!.number} for "${s.name}".` : `"${s.name}" is not due${s.hasOpenOrder ? " (or its order is still open)" : ""}: nothing opened.`);
      },
    }),
  );
  const failed = [setActive, remove, run].find((m) => m.isError);
  const busy = setActive.isPending || remove.isPending || run.isPending;

  return (
    <li className="space-y-2 px-4 py-3" data-testid={`schedule-row-${s.id}`} data-kind={s.kind}>
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="mr-1 font-semibold break-words">{s.name}</span>
        <Pill tone="brand">{KIND_LABEL[s.kind]}</Pill>
        {!s.active ? <Pill>Paused</Pill> : null}
        {s.due && !s.hasOpenOrder ? <Pill tone="red">Due</Pill> : null}
        {s.hasOpenOrder ? <Pill tone="amber">Order open</Pill> : null}
      </div>
      <p className="flex flex-wrap gap-x-3 gap-y-0.5 text-sm text-slate-600">
        <span>
          <Link href={`/systems/${encodeURIComponent(s.system.code)}`} className="font-mono font-semibold text-brand-700 hover:underline">
            {s.system.code}
          </Link>
          {s.component ? <span> · {s.component.name} <span className="font-mono text-xs text-slate-500">({s.component.code})</span></span> : <span className="text-slate-500"> · whole system</span>}
        </span>
        <span>{rule}</span>
      </p>
      <ProgressBar percent={s.progressPercent} label={`Progress of ${s.name} to its next due point`} testId={`schedule-progress-${s.id}`} />
      <p className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-slate-600">
        <NextDue s={s} />
        {s.meter ? (
          <span>
            Meter {formatAmount(s.meter.value)} {s.meter.unit} of {formatAmount(s.meter.threshold)} {s.meter.unit}
            {s.meter.ratePerDay !== null ? ` · ${formatAmount(s.meter.ratePerDay)} ${s.meter.unit}/day` : ""}
          </span>
        ) : s.kind === "meter" ? (
          <span>No meter readings yet</span>
        ) : null}
        {s.counterReset ? (
          <span data-testid={`schedule-counter-reset-${s.id}`}>
            Counter reset <LocalTime at={s.counterReset.at} format="datetime" /> (from {formatAmount(s.counterReset.from)}
            {s.meter ? ` ${s.meter.unit}` : ""}): counting from 0
          </span>
        ) : null}
        {s.condition ? (
          <span>
            {s.condition.holding && s.condition.since ? (
              <>
                Holding for {s.condition.heldMinutes} of {s.conditionHoldMinutes} min (since <LocalTime at={s.condition.since} format="datetime" />)
              </>
            ) : s.condition.hasData
                ? "Condition not present"
                : "No recent data"}
          </span>
        ) : null}
        {s.lastOrder ? (
          <span className="inline-flex items-center gap-1">
            Last order{" "}
            <Link href={`/work-orders/${encodeURIComponent(s.lastOrder.id)}`} className="font-mono font-semibold text-brand-700 hover:underline">
              WO-{s.lastOrder.number}
            </Link>
            <StatusBadge status={s.lastOrder.status} />
          </span>
        ) : (
          <span>No order yet</span>
        )}
      </p>
      {canEdit ? (
        <div className="flex flex-wrap gap-2 pt-1">
          <button type="button" className={secondary} disabled={busy} onClick={onEdit} data-testid={`schedule-edit-${s.id}`}>
            Edit
          </button>
          <button type="button" className={secondary} disabled={busy} onClick={() => setActive.mutate({ id: s.id, active: !s.active })} data-testid={`schedule-toggle-${s.id}`}>
            {s.active ? "Pause" : "Resume"}
          </button>
          {s.active ? (
            <button type="button" className={secondary} disabled={busy} onClick={() => run.mutate({ id: s.id })} data-testid={`schedule-run-${s.id}`}>
              {run.isPending ? "Running…" : "Run now"}
            </button>
          ) : null}
          {confirmDelete ? (
            <>
              <button type="button" className={danger} disabled={busy} onClick={() => remove.mutate({ id: s.id })} data-testid={`schedule-delete-confirm-${s.id}`}>
                Yes, delete
              </button>
              <button type="button" className={secondary} onClick={() => setConfirmDelete(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className={danger} disabled={busy} onClick={() => setConfirmDelete(true)} data-testid={`schedule-delete-${s.id}`}>
              Delete
            </button>
          )}
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

function NextDue({ s }: { s: ScheduleItem }) {
  if (!s.nextDueAt) {
    return <span>{s.kind === "condition" ? "Due when the condition has held" : s.kind === "meter" ? "Next due: not enough data to estimate" : "No due date"}</span>;
  }
  const label = s.kind === "meter" ? "Estimated due" : s.kind === "condition" ? "Due if it keeps holding" : "Next due";
  return (
    <span>
      {label}{" "}
      <strong className="font-semibold text-slate-800">
        <LocalTime at={s.nextDueAt} />
      </strong>
      {s.opensAt && s.leadTimeDays > 0 ? (
        <>
          {" "}
          (order opens <LocalTime at={s.opensAt} />)
        </>
      ) : null}
    </span>
  );
}
