"use client";

import Link from "next/link";
import { useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { RelativeTime } from "@/components/alerts/relative-time";
import { SeverityBadge } from "@/components/alerts/alert-badges";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { hasRole, type RoleName } from "@/lib/roles";
import { OverdueBadge, PriorityBadge, WorkOrderStatusBadge } from "./badges";
import { ChecklistSection } from "./checklist-section";
import { CloseOutSection, type CloseOutValues } from "./close-out-section";
import { CommentsSection } from "./comments-section";
import { ContextSection, type WorkOrderContextData } from "./context-section";
import { DueLabel } from "./due-label";
import { EditSection } from "./edit-section";
import { isStatus, statusButtons, statusLabel, TYPE_LABEL, woLabel, type WorkOrderStatusName, type WorkOrderTypeName } from "./format";
import { LabourSection } from "./labour-section";
import { componentPath } from "./label";
import { useOnline, useWorkOrderQueue } from "./offline";
import { orderView } from "./optimistic";
import { PartsSection, type PartChoice } from "./parts-section";
import { PhotosSection } from "./photos-section";
import { PredictionSection } from "./prediction-section";
import { danger, ErrorText, input, primary, secondary, Section } from "./ui";

export type WorkOrderDetailData = inferRouterOutputs<AppRouter>["maintenance"]["workOrder"]["get"];

export interface DetailUser {
  id: string;
  name: string;
  role: RoleName;
}

interface WorkOrderDetailProps {
  initial: WorkOrderDetailData;
  initialContext: WorkOrderContextData | null;
  user: DetailUser;
}

/**
 * One work order on a phone: the header, one-tap status buttons in a bar that stays at the bottom,
 * checklist, labour, parts, comments, photos, close-out, the component's live context and the
 * history. What a technician records goes through the offline queue and shows at once, marked
 * "waiting to send" until the server has it.
 */
export function WorkOrderDetail({ initial, initialContext, user }: WorkOrderDetailProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const online = useOnline();
  const queue = useWorkOrderQueue(user.id);
  const { data: order } = useQuery(trpc.maintenance.workOrder.get.queryOptions({ id: initial.id }, { initialData: initial }));
  const context = useQuery(trpc.maintenance.workOrder.context.queryOptions({ id: initial.id }, { initialData: initialContext ?? undefined }));

  const serverStatus: WorkOrderStatusName = isStatus(order.status) ? order.status : "open";
  const view = orderView({ ...order, status: serverStatus }, queue.entries);
  const label = woLabel(order.number);
  const technician = hasRole(user.role, "technician");
  // work (labour, parts, comments, ticks, status) vs edit (photos, close-out): the server's rights
  const canWork = technician && (order.canEdit || order.allowedTransitions.length > 0);
  const canClose = order.canEdit && view.allowedTransitions.includes("done");
  // a requested predictive order is decided in "Why this order" (approve, or dismiss with the reason
  // the prediction's cooldown needs), not with the generic status buttons
  const decidedByPrediction = order.type === "predictive" && view.status === "requested" && order.prediction !== null;
  const buttons = decidedByPrediction ? [] : statusButtons(view.status, view.allowedTransitions);
  const cancel = buttons.find((b) => b.to === "cancelled");
  const reopen = buttons.find((b) => b.action === "reopen");
  const barButtons = buttons.filter((b) => b.to !== "cancelled" && b.action !== "reopen");
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [editing, setEditing] = useState(false);

  const dismiss = (clientKey: string) => void queue.dismiss(clientKey);
  const setStatus = (status: WorkOrderStatusName) => queue.enqueue("setStatus", { id: order.id, status }, { orderLabel: label });
  const goToCloseOut = () => {
    const el = document.getElementById("close-out");
    el?.scrollIntoView({ behavior: "smooth", block: "start" });
    el?.querySelector<HTMLElement>("select, input, textarea, button")?.focus({ preventScroll: true });
  };

  const assign = useMutation(trpc.maintenance.workOrder.assign.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter()) }));
  const take = useMutation(trpc.maintenance.workOrder.take.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter()) }));
  const people = useQuery(trpc.maintenance.workOrder.technicians.queryOptions(undefined, { enabled: order.canAssign, staleTime: 5 * 60_000 }));

  const terminal = view.status === "done" || view.status === "cancelled";
  const scope = order.component ? `${order.component.name} (${order.component.code})` : `${order.system.code} (whole system)`;

  return (
    <div data-testid="wo-detail" data-status={view.status} data-wo-number={order.number}>
      <p className="mb-2 text-sm">
        <Link href="/work-orders" className="inline-flex min-h-11 items-center text-brand-700 hover:underline">
          ← Work orders
        </Link>
      </p>

      <Card className={`relative mb-4 overflow-hidden p-4 ${order.overdue && !terminal ? "pl-6" : ""}`}>
        {order.overdue && !terminal ? <span aria-hidden="true" className="absolute inset-y-0 left-0 w-1.5 bg-red-500" /> : null}
        <div className="flex flex-wrap items-center gap-1.5">
          <span className="font-mono text-sm font-semibold text-slate-600" data-testid="wo-number">
            {label}
          </span>
          <WorkOrderStatusBadge status={view.status} pending={view.statusPending} testId="wo-status" />
          <PriorityBadge priority={order.priority} />
          <span className="text-xs text-slate-600">{TYPE_LABEL[order.type as WorkOrderTypeName] ?? order.type}</span>
          {order.overdue && !terminal ? <OverdueBadge /> : null}
        </div>
        <div className="mt-2 flex items-start gap-2">
          <h1 className="min-w-0 flex-1 text-xl font-semibold tracking-tight break-words sm:text-2xl">{order.title}</h1>
          {technician && order.canEdit && !editing ? (
            <button type="button" className={`${secondary} shrink-0`} onClick={() => setEditing(true)} data-testid="wo-edit">
              Edit
            </button>
          ) : null}
        </div>
        <dl className="mt-3 grid grid-cols-[minmax(5.5rem,auto)_1fr] gap-x-3 gap-y-1.5 text-sm">
          <Row label="System">
            <Link href={`/systems/${encodeURIComponent(order.system.code)}`} className="font-mono font-semibold text-brand-700 hover:underline">
              {order.system.code}
            </Link>{" "}
            {order.system.name}
          </Row>
          <Row label="Component">
            {order.component ? (
              <Link href={componentPath(order.system.code, order.component.code)} className="text-brand-700 hover:underline" data-testid="wo-component-link">
                {order.component.name} <span className="font-mono text-xs">({order.component.code})</span>
              </Link>
            ) : (
              "Whole system"
            )}
          </Row>
          <Row label="Assignee">
            <span data-testid="wo-assignee">{order.assignee ? (order.assignee.id === user.id ? `${order.assignee.name} (me)` : order.assignee.name) : "Unassigned"}</span>
            {order.canAssign && !terminal ? (
              <label className="mt-1 block">
                <span className="sr-only">Assign to</span>
                <select
                  className={`${input} max-w-xs`}
                  value={order.assignee?.id ?? ""}
                  disabled={assign.isPending}
                  onChange={(e) => assign.mutate({ id: order.id, assigneeId: e.target.value || null })}
                  data-testid="wo-assign"
                >
                  <option value="">{order.assignee ? "Unassign" : "Assign…"}</option>
                  {order.assignee && !(people.data ?? []).some((p) => p.id === order.assignee!.id) ? <option value={order.assignee.id}>{order.assignee.name}</option> : null}
                  {(people.data ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.id === user.id ? `${p.name} (me)` : p.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : technician && !order.assignee && !terminal ? (
              <button type="button" className={`${secondary} mt-1 flex`} disabled={take.isPending} onClick={() => take.mutate({ id: order.id })} data-testid="wo-take">
                {take.isPending ? "Taking…" : "Take it"}
              </button>
            ) : null}
            <ErrorText>{assign.error?.message ?? take.error?.message}</ErrorText>
          </Row>
          <Row label="Due">
            <DueLabel dueAt={order.dueAt} status={view.status} className={order.overdue && !terminal ? "font-semibold text-red-800" : ""} />
          </Row>
          <Row label="Requested">
            {order.requestedBy ? `${order.requestedBy.name}, ` : ""}
            <RelativeTime at={order.createdAt} />
          </Row>
          {order.alert ? (
            <Row label="From alert">
              <span className="inline-flex flex-wrap items-center gap-1.5">
                <SeverityBadge severity={order.alert.severity} />
                <Link href={`/alerts/${encodeURIComponent(order.alert.id)}`} className="break-words text-brand-700 hover:underline">
                  {order.alert.title}
                </Link>
              </span>
            </Row>
          ) : null}
        </dl>
        {order.description ? <p className="mt-3 whitespace-pre-wrap break-words text-sm text-slate-700">{order.description}</p> : null}
        {editing ? <EditSection order={order} pendingTicks={view.checklist.some((i) => i.pending)} onClose={() => setEditing(false)} /> : null}
        {!canWork && technician ? (
          <p className="mt-3 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-600">
            {terminal ? "This order is finished and not yours: ask a manager to change it." : "You can read this order but not change it."}
          </p>
        ) : null}
        {cancel && canWork ? (
          <div className="mt-3 border-t border-slate-100 pt-3">
            {confirmCancel ? (
              <div className="flex flex-wrap items-center gap-2">
                <span className="text-sm">{cancel.confirm}</span>
                <button
                  type="button"
                  className={danger}
                  onClick={() => {
                    setConfirmCancel(false);
                    void setStatus("cancelled");
                  }}
                  data-testid="wo-cancel-confirm"
                >
                  Yes, cancel it
                </button>
                <button type="button" className={secondary} onClick={() => setConfirmCancel(false)}>
                  Keep it
                </button>
              </div>
            ) : (
              <button
                type="button"
                className="inline-flex min-h-11 items-center text-sm font-semibold text-slate-600 underline underline-offset-2 hover:text-slate-900"
                onClick={() => setConfirmCancel(true)}
                data-testid="wo-action-cancelled"
              >
                Cancel this order…
              </button>
            )}
          </div>
        ) : null}
        {reopen ? <ReopenForm orderId={order.id} /> : null}
      </Card>

      <div className="grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <PredictionSection order={order} />
          <ChecklistSection
            items={view.checklist}
            canWork={canWork}
            onToggle={(index, done) => void queue.enqueue("setChecklistItem", { id: order.id, index, done }, { orderLabel: label, label: view.checklist[index]?.label ?? "" })}
          />
          <LabourSection
            labour={order.labour}
            pending={view.labour}
            totalMinutes={view.labourMinutes}
            waitingMinutes={view.waitingMinutes}
            canWork={canWork}
            onLog={async (minutes, note) => {
              await queue.enqueue("logLabour", { id: order.id, minutes, ...(note ? { note } : {}) }, { orderLabel: label, userName: user.name });
            }}
            onDismiss={dismiss}
          />
          <PartsSection
            orderId={order.id}
            parts={order.parts}
            pending={view.parts}
            canWork={canWork}
            canReturn={serverStatus !== "done"}
            onUse={async (part: PartChoice, quantity: number) => {
              await queue.enqueue(
                "usePart",
                { id: order.id, partId: part.partId, quantity },
                { orderLabel: label, userName: user.name, partNumber: part.partNumber, name: part.name, unit: part.unit },
              );
            }}
            onDismiss={dismiss}
          />
          <CommentsSection
            comments={order.comments}
            pending={view.comments}
            canWork={canWork}
            onComment={async (body) => {
              await queue.enqueue("comment", { id: order.id, body }, { orderLabel: label, userName: user.name });
            }}
            onDismiss={dismiss}
          />
          <PhotosSection orderId={order.id} orderLabel={label} userId={user.id} attachments={order.attachments} canEdit={technician && order.canEdit} online={online} />
          <CloseOutSection
            order={{
              id: order.id,
              type: order.type,
              status: serverStatus,
              componentType: order.component?.type ?? null,
              completedAt: order.completedAt,
              failureMode: order.failureMode,
              failureCause: order.failureCause,
              remedy: order.remedy,
              downtimeStart: order.downtimeStart,
              downtimeEnd: order.downtimeEnd,
            }}
            canClose={canClose}
            pending={view.close}
            refused={view.closeRefused}
            onClose={async (values: CloseOutValues) => {
              await queue.enqueue("close", { id: order.id, ...values.input }, { orderLabel: label, ...values.names });
            }}
            onDismiss={dismiss}
          />
        </div>
        <div className="min-w-0 space-y-4">
          <ContextSection context={context.data} error={context.error?.message ?? null} scope={scope} />
          <HistorySection history={order.history} />
        </div>
      </div>

      {barButtons.length && canWork ? (
        <div
          className="sticky bottom-0 z-10 -mx-4 mt-4 border-t border-slate-200 bg-white/95 px-4 pt-2 pb-[max(0.5rem,env(safe-area-inset-bottom))] shadow-[0_-4px_12px_rgba(15,23,42,0.06)] backdrop-blur"
          data-testid="wo-action-bar"
        >
          <div className="mx-auto flex max-w-6xl gap-2">
            {barButtons.map((b) => (
              <button
                key={b.to}
                type="button"
                className={`${b.primary ? primary : secondary} min-w-0 flex-1 px-2`}
                onClick={() => (b.action === "close" ? goToCloseOut() : void setStatus(b.to))}
                data-testid={`wo-action-${b.to}`}
              >
                <span className="leading-tight text-balance">{b.label}</span>
              </button>
            ))}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

function HistorySection({ history }: { history: WorkOrderDetailData["history"] }) {
  return (
    <Section title="History" testId="wo-history">
      {history.length === 0 ? <p className="text-sm text-slate-500">No changes yet.</p> : null}
      <ol className="space-y-2 border-l border-slate-200 pl-4">
        {history.map((h, i) => (
          <li key={`${h.at.getTime()}-${i}`} className="relative text-sm">
            <span aria-hidden="true" className="absolute top-1.5 -left-[1.3rem] h-2 w-2 rounded-full bg-slate-400" />
            <span className="font-medium">{h.from ? `${statusLabel(h.from)} → ${statusLabel(h.to)}` : `Created as ${statusLabel(h.to).toLowerCase()}`}</span>
            {h.note ? <span className="block break-words text-slate-700">“{h.note}”</span> : null}
            <span className="block text-xs text-slate-500">
              <RelativeTime at={h.at} /> · {h.userName ?? "EcoMate"}
            </span>
          </li>
        ))}
      </ol>
    </Section>
  );
}

/** A manager reopens a done order, saying why (kept in the history). Online only: it is rare and decided at a desk. */
function ReopenForm({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const reopen = useMutation(
    trpc.maintenance.workOrder.reopen.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        setNote("");
        await queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter());
      },
    }),
  );
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (note.trim()) reopen.mutate({ id: orderId, note: note.trim() });
  }
  if (!open) {
    return (
      <div className="mt-3 border-t border-slate-100 pt-3">
        <button type="button" className={secondary} onClick={() => setOpen(true)} data-testid="wo-action-reopen">
          Reopen…
        </button>
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="mt-3 space-y-2 border-t border-slate-100 pt-3">
      <label className="block text-sm">
        <span className="mb-0.5 block font-medium">Why is it reopened? (kept in the history)</span>
        <textarea required value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={2000} className={input} />
      </label>
      <ErrorText>{reopen.error?.message}</ErrorText>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primary} disabled={reopen.isPending || !note.trim()}>
          {reopen.isPending ? "Reopening…" : "Reopen"}
        </button>
        <button type="button" className={secondary} onClick={() => setOpen(false)}>
          Keep it closed
        </button>
      </div>
    </form>
  );
}
