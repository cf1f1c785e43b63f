"use client";

import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { flattenComponents } from "./component-tree";
import { checklistLines, editPlan, editValuesFrom, MAX_CHECKLIST_LINES, MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, placeEditErrors, type EditableOrder, type EditValues } from "./edit-values";
import { formErrorsFrom } from "./field-errors";
import { PRIORITIES, PRIORITY_LOOK } from "./format";
import { useOnline } from "./offline";
import { ALIASES, Choice, Field, MENTIONS } from "./new-work-order-form";
import { ErrorText, input, primary, secondary } from "./ui";

// server paths -> this form's fields: update's `dueAt` is the form's `due`, setChecklist's `items.N` its lines
const EDIT_ALIASES = { ...ALIASES, dueAt: "due", items: "checklist" };
// only the fields this form has: a message naming the system (e.g. "System S-1 has no component …")
// concerns the component, which comes first
const EDIT_MENTIONS = { component: MENTIONS.component, due: MENTIONS.dueAt, title: MENTIONS.title, checklist: MENTIONS.checklist, description: /\bdescription\b/i };

interface EditSectionProps {
  order: EditableOrder & { system: { code: string } };
  /** ticks still waiting in the offline queue: they point at lines by position */
  pendingTicks: boolean;
  onClose: () => void;
}

/**
 * Edits an order's title, description, priority, due date, component and checklist lines. Only what
 * changed is sent (edit-values.ts). Online only, like creating or assigning: the edit is checked
 * against the order as the server has it, and a queued edit could silently undo someone else's.
 */
export function EditSection({ order, pendingTicks, onClose }: EditSectionProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const online = useOnline();
  const id = useId();
  const titleRef = useRef<HTMLInputElement>(null);
  const [values, setValues] = useState<EditValues>(() => editValuesFrom(order));
  const [localErrors, setLocalErrors] = useState<Partial<Record<keyof EditValues, string>>>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => titleRef.current?.focus(), []);

  const systemDetail = useQuery(trpc.fleet.system.queryOptions({ code: order.system.code }, { staleTime: 5 * 60_000 }));
  const components = useMemo(() => flattenComponents(systemDetail.data?.components ?? []).map(({ node, depth }) => ({ code: node.code, name: node.name, depth })), [systemDetail.data]);

  const update = useMutation(trpc.maintenance.workOrder.update.mutationOptions());
  const setChecklist = useMutation(trpc.maintenance.workOrder.setChecklist.mutationOptions());

  const options = { aliases: EDIT_ALIASES, mentions: EDIT_MENTIONS };
  const fromUpdate = update.error ? formErrorsFrom(update.error, options) : null;
  const fromChecklist = setChecklist.error ? formErrorsFrom(setChecklist.error, options) : null;
  const placed = placeEditErrors([fromUpdate, fromChecklist]);
  const errors = { ...placed.fields, ...localErrors };
  const formMessages = placed.form;

  const set = <K extends keyof EditValues>(key: K, value: EditValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const lineCount = checklistLines(values.checklist).length;

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!online || saving) return;
    update.reset();
    setChecklist.reset();
    // compared with the order as last fetched, so a retry after a half-failed save sends only the rest
    const plan = editPlan(order, values);
    if (!plan.ok) {
      setLocalErrors(plan.errors);
      return;
    }
    if (plan.checklist && pendingTicks) {
      setLocalErrors({ checklist: "Ticks on this checklist are still waiting to be sent. Save the new lines once they are, so no tick lands on the wrong line." });
      return;
    }
    setLocalErrors({});
    if (!plan.update && !plan.checklist) return onClose();
    setSaving(true);
    let saved = false;
    try {
      if (plan.update) await update.mutateAsync(plan.update);
      if (plan.checklist) await setChecklist.mutateAsync(plan.checklist);
      saved = true;
    } catch {
      // the error is on the mutation and shown beside its field
    } finally {
      // also after a half-failed save: what was saved shows, and the form compares with it
      await queryClient.invalidateQueries(trpc.maintenance.workOrder.pathFilter());
      setSaving(false);
    }
    if (saved) onClose();
  }

  return (
    <form onSubmit={save} className="mt-3 space-y-4 border-t border-slate-100 pt-3" noValidate data-testid="wo-edit-form">
      <h2 className="font-semibold">Edit work order</h2>
      {!online ? (
        <p role="status" className="rounded-lg bg-amber-100 px-3 py-2 text-sm text-amber-950" data-testid="wo-edit-offline">
          Offline: editing needs the connection, so it is not saved on the phone. Keep this open and save when you are back online.
        </p>
      ) : null}
      {formMessages.length ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="wo-edit-error">
          {formMessages.join(" ")}
        </p>
      ) : null}

      <Field id={`${id}-title`} label="Title" error={errors.title}>
        <input
          ref={titleRef}
          id={`${id}-title`}
          type="text"
          value={values.title}
          onChange={(e) => set("title", e.target.value)}
          maxLength={MAX_TITLE_LENGTH}
          className={input}
          data-testid="wo-edit-title"
        />
      </Field>

      <Field id={`${id}-description`} label="Description" hint="optional" error={errors.description}>
        <textarea
          id={`${id}-description`}
          value={values.description}
          onChange={(e) => set("description", e.target.value)}
          rows={3}
          maxLength={MAX_DESCRIPTION_LENGTH}
          className={input}
          data-testid="wo-edit-description"
        />
      </Field>

      <fieldset>
        <legend className="text-sm font-medium">Priority</legend>
        <div className="mt-1 grid grid-cols-2 gap-1.5 sm:grid-cols-4">
          {PRIORITIES.map((p) => (
            <Choice key={p} name={`${id}-priority`} checked={values.priority === p} onChange={() => set("priority", p)} testId={`wo-edit-priority-${p}`}>
              <span aria-hidden="true">{PRIORITY_LOOK[p].symbol}</span> {PRIORITY_LOOK[p].label}
            </Choice>
          ))}
        </div>
        <ErrorText>{errors.priority}</ErrorText>
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-due`} label="Due date" hint="optional" error={errors.due}>
          <input id={`${id}-due`} type="date" value={values.due} onChange={(e) => set("due", e.target.value)} className={input} data-testid="wo-edit-due" />
        </Field>
        <Field id={`${id}-component`} label="Component" hint={`of ${order.system.code}`} error={errors.component}>
          <select
            id={`${id}-component`}
            value={values.component}
            onChange={(e) => set("component", e.target.value)}
            disabled={systemDetail.isPending}
            className={input}
            data-testid="wo-edit-component"
          >
            <option value="">{systemDetail.isPending ? "Loading components…" : "Whole system"}</option>
            {values.component && !components.some((c) => c.code === values.component) ? <option value={values.component}>{values.component}</option> : null}
            {components.map((c) => (
              <option key={c.code} value={c.code}>
                {"\u00a0\u00a0".repeat(c.depth)}
                {c.code} · {c.name}
              </option>
            ))}
          </select>
          {systemDetail.error ? <ErrorText>Components could not be loaded: {systemDetail.error.message}</ErrorText> : null}
        </Field>
      </div>

      <Field id={`${id}-checklist`} label="Checklist" hint={`one step per line, up to ${MAX_CHECKLIST_LINES}; ticks stay on lines you keep`} error={errors.checklist}>
        <textarea
          id={`${id}-checklist`}
          value={values.checklist}
          onChange={(e) => set("checklist", e.target.value)}
          rows={Math.min(12, Math.max(3, values.checklist.split("\n").length + 1))}
          className={`${input} leading-relaxed`}
          aria-describedby={`${id}-checklist-count`}
          data-testid="wo-edit-checklist"
        />
        <p id={`${id}-checklist-count`} className={`mt-1 text-xs ${lineCount > MAX_CHECKLIST_LINES ? "font-semibold text-red-700" : "text-slate-500"}`}>
          {lineCount} of {MAX_CHECKLIST_LINES} lines
        </p>
      </Field>

      <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-3">
        <button type="submit" className={`${primary} flex-1 sm:flex-none`} disabled={saving || !online} data-testid="wo-edit-save">
          {saving ? "Saving…" : "Save changes"}
        </button>
        <button type="button" className={`${secondary} flex-1 sm:flex-none`} onClick={onClose} disabled={saving} data-testid="wo-edit-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}
