"use client";

import Link from "next/link";
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card, PageHeader } from "@/components/ui/page-header";
import { newClientKey } from "@/lib/offline-queue/outcome";
import { hasRole, type RoleName } from "@/lib/roles";
import { flattenComponents } from "./component-tree";
import { myWorkOrdersHref, newWorkOrderEntry } from "./entries";
import { formErrorsFrom } from "./field-errors";
import { PRIORITIES, PRIORITY_LOOK, TYPE_LABEL, WORK_ORDER_TYPES, type PriorityName, type WorkOrderTypeName } from "./format";
import { noteSavedOffline, useOnline, useWorkOrderQueue, type NewOrderAnswer } from "./offline";
import { pendingCreates } from "./optimistic";
import { ErrorText, input, primary, secondary } from "./ui";
import { PendingCreateCard } from "./work-order-list";

export interface NewWorkOrderDefaults {
  system: string | null;
  component: string | null;
  type: WorkOrderTypeName;
}

interface NewWorkOrderFormProps {
  user: { id: string; role: RoleName };
  systems: { code: string; name: string }[];
  defaults: NewWorkOrderDefaults;
}

// server paths -> the fields of this form (zod issues arrive as `systemCode`, `checklist.2`, ...)
export const ALIASES = { systemCode: "system", componentCode: "component", assigneeId: "assignee" };
export const MENTIONS = { component: /\bcomponent\b/i, system: /\bsystem\b/i, assignee: /\bassign/i, dueAt: /\bdue\b/i, title: /\btitle\b/i, checklist: /\bchecklist\b/i };

/**
 * A new work order: system and component (prefilled from a component's page or QR label), type,
 * priority, title, due date and checklist lines. Errors appear next to the field they concern.
 * It goes through the offline queue (issue 5): saved on the phone, then sent. With an answer the
 * technician lands on the new order; without one the order waits on the phone, shown at the top of
 * their work orders, and gets its number when it is sent.
 */
export function NewWorkOrderForm({ user, systems, defaults }: NewWorkOrderFormProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const online = useOnline();
  const id = useId();
  const manager = hasRole(user.role, "manager");
  const queue = useWorkOrderQueue(user.id);
  const listHref = myWorkOrdersHref(user.role);
  // chosen when the form opens, so a double tap or the queue's replay after a lost answer is one order
  const [clientKey, setClientKey] = useState(newClientKey);
  const [phase, setPhase] = useState<"editing" | "sending" | "saved">("editing");
  const [refusal, setRefusal] = useState<unknown>(null);

  const [system, setSystem] = useState(defaults.system ?? "");
  const [component, setComponent] = useState(defaults.component ?? "");
  const [type, setType] = useState<WorkOrderTypeName>(defaults.type);
  const [priority, setPriority] = useState<PriorityName>("medium");
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [due, setDue] = useState("");
  const [assignee, setAssignee] = useState("");
  const [lines, setLines] = useState<string[]>([""]);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const systemDetail = useQuery(trpc.fleet.system.queryOptions({ code: system }, { enabled: system !== "", staleTime: 5 * 60_000 }));
  const components = useMemo(() => flattenComponents(systemDetail.data?.components ?? []).map(({ node, depth }) => ({ code: node.code, name: node.name, depth })), [systemDetail.data]);
  const componentsLoading = system !== "" && systemDetail.isPending && systemDetail.fetchStatus === "fetching";
  // not on this phone: the query waits for a connection (paused) or failed
  const componentsMissing = system !== "" && systemDetail.data === undefined && !componentsLoading;
  const people = useQuery(trpc.maintenance.workOrder.technicians.queryOptions(undefined, { enabled: manager, staleTime: 5 * 60_000 }));

  const serverErrors = refusal ? formErrorsFrom(refusal, { aliases: ALIASES, mentions: MENTIONS }) : { fields: {} as Record<string, string>, form: null };
  const errors: Record<string, string> = { ...serverErrors.fields, ...localErrors };
  const waiting = pendingCreates(queue.entries).find((c) => c.clientKey === clientKey) ?? null;

  // saved while the phone has a network (the server did not answer), or the connection came back
  // while the technician was reading "saved on this phone": the list can be loaded
  useEffect(() => {
    if (phase === "saved" && online) router.push(listHref);
  }, [phase, online, router, listHref]);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (phase !== "editing") return;
    setRefusal(null);
    const entry = newWorkOrderEntry({ system, component, type, priority, title, description, due, assignee, lines }, { systems, components });
    setLocalErrors(entry.ok ? {} : entry.errors);
    if (!entry.ok) return;
    setPhase("sending");
    let answer: NewOrderAnswer;
    try {
      answer = await queue.submitNewWorkOrder(clientKey, entry.input, entry.meta);
    } catch (err) {
      setRefusal(
        new Error(`The work order could not be saved on this phone (${err instanceof Error ? err.message : String(err)}). Nothing was sent: free some storage on the phone, then try again.`),
      );
      setPhase("editing");
      return;
    }
    if (answer.status === "created") {
      // stays "sending" while the page changes, so it cannot be submitted twice
      router.push(answer.order ? `/work-orders/${encodeURIComponent(answer.order.id)}` : listHref);
      return;
    }
    if (answer.status === "refused") {
      setRefusal(answer.error);
      // a key the server will never take (it is someone else's) must not block the corrected order
      if (/clientKey/.test(formErrorsFrom(answer.error).form ?? "")) setClientKey(newClientKey());
      setPhase("editing");
      return;
    }
    noteSavedOffline(clientKey);
    // Without signal the page stays: a navigation needs the server (a prefetched page is not
    // reliably there), and a failed one would hide that the order is safe. Online, the effect above
    // takes the technician to the list.
    setPhase("saved");
  }

  function writeAnother() {
    // same unit, most likely: keep where and what kind, clear the rest
    setTitle("");
    setDescription("");
    setDue("");
    setLines([""]);
    setRefusal(null);
    setLocalErrors({});
    setClientKey(newClientKey());
    setPhase("editing");
  }

  const checklistErrors = Object.entries(errors).filter(([k]) => k === "checklist" || k.startsWith("checklist."));

  if (phase === "saved") {
    return (
      <>
        <BackLink href={listHref} />
        <PageHeader title="New work order" />
        <Card className="space-y-3 p-4">
          <p role="status" className="rounded-lg bg-amber-100 px-3 py-2 text-sm text-amber-950" data-testid="wo-new-saved-offline">
            Saved on this phone. It will be sent when the connection returns, and gets its number then.
          </p>
          {waiting ? (
            <ul>
              <PendingCreateCard order={waiting} userId={user.id} />
            </ul>
          ) : (
            <p className="text-sm text-slate-700">It has been sent.</p>
          )}
          <div className="flex flex-wrap gap-2">
            {online ? (
              <Link href={listHref} className={`${primary} flex-1 sm:flex-none`} data-testid="wo-new-saved-list">
                My work orders
              </Link>
            ) : (
              <button type="button" disabled className={`${primary} flex-1 sm:flex-none`} data-testid="wo-new-saved-list">
                My work orders (when back online)
              </button>
            )}
            <button type="button" className={secondary} onClick={writeAnother} data-testid="wo-new-another">
              Write another work order
            </button>
          </div>
        </Card>
      </>
    );
  }

  return (
    <>
      <BackLink href={listHref} />
      <PageHeader title="New work order" />
      <Card className="p-4">
        <form onSubmit={submit} className="space-y-4" noValidate data-testid="wo-new-form">
          {!online ? (
            <p role="status" className="rounded-lg bg-amber-100 px-3 py-2 text-sm text-amber-950" data-testid="wo-new-offline">
              Offline: the work order is saved on this phone and sent when the connection returns. It gets its number then.
            </p>
          ) : null}
          {serverErrors.form ? (
            <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="wo-new-error">
              {serverErrors.form}
            </p>
          ) : null}

          <div className="grid gap-4 sm:grid-cols-2">
            <Field id={`${id}-system`} label="System" error={errors.system ?? (systems.length ? undefined : noSystems(online))}>
              <select
                id={`${id}-system`}
                value={system}
                onChange={(e) => {
                  setSystem(e.target.value);
                  setComponent("");
                }}
                className={input}
                data-testid="wo-new-system"
              >
                <option value="">{systems.length ? "Choose a system…" : "No systems loaded"}</option>
                {systems.map((s) => (
                  <option key={s.code} value={s.code}>
                    {s.code} · {s.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field id={`${id}-component`} label="Component" hint="optional: leave empty for the whole system" error={errors.component}>
              <select
                id={`${id}-component`}
                value={component}
                onChange={(e) => setComponent(e.target.value)}
                disabled={!system || componentsLoading}
                className={input}
                data-testid="wo-new-component"
              >
                <option value="">{componentsLoading ? "Loading components…" : "Whole system"}</option>
                {component && !components.some((c) => c.code === component) ? <option value={component}>{component}</option> : null}
                {components.map((c) => (
                  <option key={c.code} value={c.code}>
                    {"\u00a0\u00a0".repeat(c.depth)}
                    {c.code} · {c.name}
                  </option>
                ))}
              </select>
              {componentsMissing ? (
                <p className="mt-1 text-sm text-amber-900" data-testid="wo-new-components-offline">
                  {online
                    ? `The components of ${system} could not be loaded; write the order on the whole system, or reload the page to try again.`
                    : `The components of ${system} are not on this phone. Open this page once with a connection to load them, or write the order on the whole system.`}
                </p>
              ) : null}
            </Field>
          </div>

          <fieldset>
            <legend className="text-sm font-medium">Type</legend>
            <div className="mt-1 grid grid-cols-2 gap-1.5 sm:grid-cols-4">
              {WORK_ORDER_TYPES.map((t) => (
                <Choice key={t} name={`${id}-type`} checked={type === t} onChange={() => setType(t)} testId={`wo-new-type-${t}`}>
                  {TYPE_LABEL[t]}
                </Choice>
              ))}
            </div>
            <ErrorText>{errors.type}</ErrorText>
          </fieldset>

          <fieldset>
            <legend className="text-sm font-medium">Priority</legend>
            <div className="mt-1 grid grid-cols-2 gap-1.5 sm:grid-cols-4">
              {PRIORITIES.map((p) => (
                <Choice key={p} name={`${id}-priority`} checked={priority === p} onChange={() => setPriority(p)} testId={`wo-new-priority-${p}`}>
                  <span aria-hidden="true">{PRIORITY_LOOK[p].symbol}</span> {PRIORITY_LOOK[p].label}
                </Choice>
              ))}
            </div>
            <ErrorText>{errors.priority}</ErrorText>
          </fieldset>

          <Field id={`${id}-title`} label="Title" error={errors.title}>
            <input
              id={`${id}-title`}
              type="text"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              maxLength={200}
              placeholder="e.g. Replace the mechanical seal of pump 1"
              className={input}
              data-testid="wo-new-title"
            />
          </Field>

          <Field id={`${id}-description`} label="Description" hint="optional" error={errors.description}>
            <textarea id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={10_000} className={input} />
          </Field>

          <div className="grid gap-4 sm:grid-cols-2">
            <Field id={`${id}-due`} label="Due date" hint="optional" error={errors.dueAt}>
              <input id={`${id}-due`} type="date" value={due} onChange={(e) => setDue(e.target.value)} className={input} data-testid="wo-new-due" />
            </Field>
            {manager ? (
              <Field id={`${id}-assignee`} label="Assign to" hint="optional" error={errors.assignee}>
                <select id={`${id}-assignee`} value={assignee} onChange={(e) => setAssignee(e.target.value)} className={input} data-testid="wo-new-assignee">
                  <option value="">Nobody yet</option>
                  {(people.data ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.id === user.id ? `${p.name} (me)` : p.name}
                    </option>
                  ))}
                </select>
              </Field>
            ) : (
              <div className="text-sm">
                <span className="mb-0.5 block font-medium">Assign to</span>
                <label className="flex min-h-11 items-center gap-2">
                  <input type="checkbox" checked={assignee === user.id} onChange={(e) => setAssignee(e.target.checked ? user.id : "")} className="h-5 w-5 rounded border-slate-300" />
                  Me
                </label>
                <ErrorText>{errors.assignee}</ErrorText>
              </div>
            )}
          </div>

          <fieldset>
            <legend className="text-sm font-medium">
              Checklist <span className="font-normal text-slate-500">(optional, one step per line)</span>
            </legend>
            <ol className="mt-1 space-y-1.5">
              {lines.map((line, i) => (
                <li key={i} className="flex items-start gap-2">
                  <span className="mt-3 w-5 shrink-0 text-right text-sm text-slate-500">{i + 1}.</span>
                  <div className="min-w-0 flex-1">
                    <input
                      type="text"
                      value={line}
                      aria-label={`Checklist step ${i + 1}`}
                      onChange={(e) => setLines((ls) => ls.map((l, j) => (j === i ? e.target.value : l)))}
                      onKeyDown={(e) => {
                        // Enter adds the next line rather than submitting the form
                        if (e.key === "Enter") {
                          e.preventDefault();
                          setLines((ls) => [...ls.slice(0, i + 1), "", ...ls.slice(i + 1)]);
                        }
                      }}
                      maxLength={200}
                      className={input}
                      data-testid={`wo-new-check-${i}`}
                    />
                    <ErrorText>{errors[`checklist.${i}`]}</ErrorText>
                  </div>
                  <button
                    type="button"
                    className={`${secondary} w-11 shrink-0 px-0`}
                    aria-label={`Remove step ${i + 1}`}
                    onClick={() => setLines((ls) => (ls.length === 1 ? [""] : ls.filter((_, j) => j !== i)))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ol>
            {checklistErrors.some(([k]) => k === "checklist") ? <ErrorText>{errors.checklist}</ErrorText> : null}
            <button type="button" className={`${secondary} mt-2`} onClick={() => setLines((ls) => [...ls, ""])} disabled={lines.length >= 100}>
              + Add a step
            </button>
          </fieldset>

          <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-4">
            <button type="submit" className={`${primary} flex-1 sm:flex-none`} disabled={phase !== "editing" || systems.length === 0} data-testid="wo-new-submit">
              {phase === "sending" ? (online ? "Creating…" : "Saving…") : online ? "Create work order" : "Save on this phone"}
            </button>
            <Link href={listHref} className={secondary}>
              Cancel
            </Link>
          </div>
        </form>
      </Card>
    </>
  );
}

/** Why the system list is empty: the organisation has none, or the page came without them. */
function noSystems(online: boolean): string {
  return online ? "There are no systems to write a work order on yet: a manager adds them under Fleet." : "Open this page once with a connection to load the systems.";
}

function BackLink({ href }: { href: string }) {
  return (
    <p className="mb-2 text-sm">
      <Link href={href} className="inline-flex min-h-11 items-center text-brand-700 hover:underline">
        ← Work orders
      </Link>
    </p>
  );
}

export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="text-sm font-medium">
        {label} {hint ? <span className="font-normal text-slate-500">({hint})</span> : null}
      </label>
      <div className="mt-0.5">{children}</div>
      <ErrorText testId={`${id}-error`}>{error}</ErrorText>
    </div>
  );
}

export function Choice({ name, checked, onChange, children, testId }: { name: string; checked: boolean; onChange: () => void; children: ReactNode; testId: string }) {
  return (
    <label
      className={`flex min-h-11 cursor-pointer items-center justify-center gap-1 rounded-lg border px-2 text-sm font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500 ${
        checked ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"
      }`}
      data-testid={testId}
    >
      <input type="radio" name={name} checked={checked} onChange={onChange} className="sr-only" />
      {children}
    </label>
  );
}
