"use client";

import { useRef, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RelativeTime } from "@/components/alerts/relative-time";
import { REQUEST_STATUS_LOOK, type RequestStatusName } from "@/components/parts/parts-format";
import { RiskDriverList } from "@/components/predictions/prediction-card";
import { useTRPC } from "@/components/trpc";
import { awaitsApproval } from "@/lib/work-order-status";
import { formatQuantity } from "./format";
import { useOnline } from "./offline";
import { formatInputValue, formatLimit, formatRemainingLife, formatRisk, formatRiskWithin } from "./prediction-format";
import { danger, ErrorText, input, primary, secondary, Section } from "./ui";
import type { WorkOrderDetailData } from "./work-order-detail";

/**
 * "Why this order": what a model saw when it proposed a predictive order (design.md "Predictions are
 * governed"), and, while the order awaits approval, the manager's decision: approve (opens it and
 * approves its parts requests) or dismiss with a reason (cancels both; the model waits its cooldown
 * before proposing it again). Online only, like reopening: it is one decision taken with a signal.
 */
export function PredictionSection({ order }: { order: WorkOrderDetailData }) {
  const p = order.prediction;
  if (!p) return null;
  const waiting = awaitsApproval(order);
  // the server lists the moves this caller may make: a technician gets none while it awaits approval
  const canDecide = waiting && order.allowedTransitions.includes("open") && order.allowedTransitions.includes("cancelled");
  const anomaly = p.kind === "anomaly";
  // a learnt failure risk has no trend: no remaining life nor limit, but a threshold and the measurements behind it
  const failureRisk = p.kind === "failure_risk";
  const extraInputs = Object.entries(p.inputs);

  return (
    <Section title="Why this order" testId="wo-prediction">
      {p.explanation ? <p className="whitespace-pre-wrap break-words text-sm text-slate-800">{p.explanation}</p> : <p className="text-sm text-slate-600">The model stored no explanation for this prediction.</p>}
      <dl className="mt-3 grid grid-cols-[minmax(6.5rem,auto)_1fr] gap-x-3 gap-y-1.5 text-sm">
        <dt className="text-slate-500">Model</dt>
        <dd className="min-w-0 break-words">
          {p.model.name} <span className="font-mono text-xs text-slate-600">({p.model.label})</span>
        </dd>
        <dt className="text-slate-500">{anomaly ? "Anomaly score" : failureRisk ? "Failure risk" : "Risk"}</dt>
        <dd className="min-w-0 font-semibold" data-testid="wo-prediction-risk">
          {anomaly ? formatInputValue(p.score) : formatRiskWithin(p.score, p.horizonHours)}
        </dd>
        {failureRisk ? (
          p.threshold !== null ? (
            <>
              <dt className="text-slate-500">Acts from</dt>
              <dd className="min-w-0" data-testid="wo-prediction-threshold">
                {formatRisk(p.threshold)}
              </dd>
            </>
          ) : null
        ) : (
          <>
            <dt className="text-slate-500">Remaining life</dt>
            <dd className="min-w-0 break-words" data-testid="wo-prediction-rul">
              {formatRemainingLife(p.rulHours, p.rulLowHours, p.rulHighHours)}
            </dd>
          </>
        )}
        {p.limit !== null && !failureRisk ? (
          <>
            <dt className="text-slate-500">Limit</dt>
            <dd className="min-w-0 break-words">
              {formatLimit(p.limit, p.unit)}
              {p.metric ? <span className="text-slate-600"> of {p.metric.replace(/_/g, " ")}</span> : null}
              {p.limitSource ? <span className="block text-xs text-slate-600">{p.limitSource}</span> : null}
            </dd>
          </>
        ) : null}
        <dt className="text-slate-500">Predicted</dt>
        <dd className="min-w-0">
          <RelativeTime at={p.createdAt} />
        </dd>
      </dl>
      {failureRisk ? (
        <div className="mt-3 text-sm" data-testid="wo-prediction-drivers">
          <p className="font-medium">What raised the risk most</p>
          <RiskDriverList drivers={p.drivers} />
        </div>
      ) : null}
      {extraInputs.length ? (
        <details className="mt-3 text-sm">
          <summary className="flex min-h-11 cursor-pointer items-center font-medium text-brand-700">All inputs of the model</summary>
          <dl className="grid grid-cols-[minmax(0,auto)_1fr] gap-x-3 gap-y-1 text-xs">
            {extraInputs.map(([key, value]) => (
              <div key={key} className="contents">
                <dt className="font-mono break-all text-slate-500">{key}</dt>
                <dd className="min-w-0 break-words">{formatInputValue(value)}</dd>
              </div>
            ))}
          </dl>
        </details>
      ) : null}
      <LinkedParts parts={order.partsRequests} waiting={waiting} />
      {canDecide ? <Decision orderId={order.id} /> : null}
      {waiting && !canDecide ? (
        <p className="mt-3 rounded-lg bg-violet-50 px-3 py-2 text-sm text-violet-900">Waiting for a manager to approve or dismiss it; until then it stays requested.</p>
      ) : null}
    </Section>
  );
}

function LinkedParts({ parts, waiting }: { parts: WorkOrderDetailData["partsRequests"]; waiting: boolean }) {
  if (parts.length === 0) return null;
  return (
    <div className="mt-3 border-t border-slate-100 pt-3" data-testid="wo-prediction-parts">
      <p className="text-sm font-medium">{waiting ? "Approving also approves these parts requests" : "Parts requested with this order"}</p>
      <ul className="mt-1 space-y-1 text-sm">
        {parts.map((r) => (
          <li key={r.id} className="flex flex-wrap items-baseline justify-between gap-x-2" data-status={r.status}>
            <span className="min-w-0 break-words">
              <span className="font-mono text-xs">{r.partNumber}</span> {r.name} × {formatQuantity(r.quantity, r.unit)}
            </span>
            <span className="text-xs text-slate-600">{REQUEST_STATUS_LOOK[r.status as RequestStatusName]?.label ?? r.status}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Approve, or Dismiss: the first tap asks for the reason inline, the second (with a reason) sends it. */
function Decision({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const online = useOnline();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const [dismissing, setDismissing] = useState(false);
  const [reason, setReason] = useState("");
  const [missingReason, setMissingReason] = useState(false);
  const decide = useMutation(
    trpc.maintenance.workOrder.setStatus.mutationOptions({
      onSuccess: async () => {
        setDismissing(false);
        setReason("");
        await Promise.all([queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter()), queryClient.invalidateQueries(trpc.predictions.pathFilter())]);
      },
    }),
  );

  function dismiss(e?: FormEvent<HTMLFormElement>) {
    e?.preventDefault();
    if (!dismissing) {
      setDismissing(true);
      // the field appears with this render; focus it on the next frame
      requestAnimationFrame(() => reasonRef.current?.focus());
      return;
    }
    if (!reason.trim()) {
      setMissingReason(true);
      reasonRef.current?.focus();
      return;
    }
    decide.mutate({ id: orderId, status: "cancelled", note: reason.trim() });
  }

  const busy = decide.isPending || !online;
  return (
    <form onSubmit={dismiss} className="mt-3 space-y-2 border-t border-slate-100 pt-3" noValidate>
      {dismissing ? (
        <label className="block text-sm">
          <span className="mb-0.5 block font-medium">Why is it dismissed? The model waits before proposing it again, and shows this reason.</span>
          <textarea
            ref={reasonRef}
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
              if (e.target.value.trim()) setMissingReason(false);
            }}
            rows={2}
            maxLength={2000}
            className={input}
            aria-invalid={missingReason}
            data-testid="wo-prediction-dismiss-reason"
          />
          {missingReason ? <ErrorText>Say why it is dismissed (e.g. “cartridges changed yesterday”), then tap Dismiss.</ErrorText> : null}
        </label>
      ) : null}
      {!online ? <p className="text-sm text-slate-600">This phone is offline: approving or dismissing needs a connection.</p> : null}
      <ErrorText>{decide.error?.message}</ErrorText>
      <div className="flex flex-wrap gap-2">
        {dismissing ? null : (
          <button
            type="button"
            className={`${primary} flex-1 sm:flex-none`}
            disabled={busy}
            onClick={() => decide.mutate({ id: orderId, status: "open" })}
            data-testid="wo-prediction-approve"
          >
            {decide.isPending && decide.variables?.status === "open" ? "Approving…" : "Approve"}
          </button>
        )}
        <button type="submit" className={`${danger} flex-1 sm:flex-none`} disabled={busy} data-testid="wo-prediction-dismiss">
          {decide.isPending && decide.variables?.status === "cancelled" ? "Dismissing…" : dismissing ? "Dismiss" : "Dismiss…"}
        </button>
        {dismissing ? (
          <button
            type="button"
            className={`${secondary} flex-1 sm:flex-none`}
            onClick={() => {
              setDismissing(false);
              setMissingReason(false);
            }}
          >
            Keep it
          </button>
        ) : null}
      </div>
    </form>
  );
}
