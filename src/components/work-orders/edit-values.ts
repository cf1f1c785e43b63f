// The edit form of a work order (edit-section.tsx) as plain values, and how they become the inputs
// of maintenance.workOrder.update and .setChecklist. Only what changed is sent, so saving a form
// nobody touched writes nothing and two people editing different fields do not undo each other.
// Pure (edit-values.test.ts).
import type { FormErrors } from "./field-errors";
import { dueDateFromInput, PRIORITIES, toLocalInputValue, type PriorityName } from "./format";

/** Lines a checklist may have when edited here (the server takes more; a phone list of 50 is already long). */
export const MAX_CHECKLIST_LINES = 50;
// the server's limits (router work-orders.ts), checked here so the error sits beside the field at once
export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 10_000;
export const MAX_CHECKLIST_LABEL = 200;

/** The parts of the order the form edits, as the detail query returns them. */
export interface EditableOrder {
  id: string;
  title: string;
  description: string | null;
  priority: string;
  dueAt: Date | null;
  component: { code: string } | null;
  checklist: readonly { label: string }[];
}

/** What the form holds: strings, as the inputs give them. */
export interface EditValues {
  title: string;
  description: string;
  priority: PriorityName;
  /** `<input type="date">` value, "" for no due date */
  due: string;
  /** component code, "" for the whole system */
  component: string;
  /** one checklist line per line */
  checklist: string;
}

export interface UpdateInput {
  id: string;
  title?: string;
  description?: string | null;
  priority?: PriorityName;
  dueAt?: Date | null;
  componentCode?: string | null;
}

export type EditPlan =
  | {
      ok: true;
      /** null: none of the order's own fields changed */
      update: UpdateInput | null;
      /** null: the checklist lines did not change */
      checklist: { id: string; items: string[] } | null;
    }
  | { ok: false; errors: Partial<Record<keyof EditValues, string>> };

function isPriority(value: string): value is PriorityName {
  return (PRIORITIES as readonly string[]).includes(value);
}

/** A due date as the value of a date input (its local day); "" for none. */
export function dueInputValue(dueAt: Date | null): string {
  return dueAt ? toLocalInputValue(dueAt).slice(0, 10) : "";
}

/** The checklist text as lines: one per line, trimmed, blank lines dropped. */
export function checklistLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The form's starting values: the order as it is now. */
export function editValuesFrom(order: EditableOrder): EditValues {
  return {
    title: order.title,
    description: order.description ?? "",
    priority: isPriority(order.priority) ? order.priority : "medium",
    due: dueInputValue(order.dueAt),
    component: order.component?.code ?? "",
    checklist: order.checklist.map((i) => i.label).join("\n"),
  };
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/**
 * The procedure inputs for `values`, compared with `order` as the server has it now (not as it was
 * when the form opened: after a half-failed save, a retry sends only what is still different).
 * Refuses, with a message per field, what the server would refuse anyway.
 */
export function editPlan(order: EditableOrder, values: EditValues): EditPlan {
  const errors: Partial<Record<keyof EditValues, string>> = {};
  const update: UpdateInput = { id: order.id };

  const title = values.title.trim();
  if (!title) errors.title = "Give the work order a title: what needs doing.";
  else if (title.length > MAX_TITLE_LENGTH) errors.title = `A title is at most ${MAX_TITLE_LENGTH} characters (this one has ${title.length}).`;
  else if (title !== order.title) update.title = title;

  const description = values.description.trim();
  if (description.length > MAX_DESCRIPTION_LENGTH) errors.description = `A description is at most ${MAX_DESCRIPTION_LENGTH} characters (this one has ${description.length}).`;
  else if (description !== (order.description ?? "").trim()) update.description = description || null;

  if (values.priority !== order.priority) update.priority = values.priority;

  const due = values.due.trim();
  if (due !== dueInputValue(order.dueAt)) {
    // the same day is left alone: an order due 14:00 keeps its hour when only other fields change
    if (!due) update.dueAt = null;
    else {
      const dueAt = dueDateFromInput(due);
      if (dueAt) update.dueAt = dueAt;
      else errors.due = "Not a valid date: pick a day, or clear it for no due date.";
    }
  }

  if (values.component !== (order.component?.code ?? "")) update.componentCode = values.component || null;

  let checklist: { id: string; items: string[] } | null = null;
  const lines = checklistLines(values.checklist);
  if (!sameLines(lines, order.checklist.map((i) => i.label))) {
    const long = lines.findIndex((l) => l.length > MAX_CHECKLIST_LABEL);
    if (lines.length > MAX_CHECKLIST_LINES) {
      errors.checklist = `A checklist has at most ${MAX_CHECKLIST_LINES} lines here (this one has ${lines.length}): merge or drop some steps.`;
    } else if (long >= 0) {
      errors.checklist = `Line ${long + 1} is ${lines[long]!.length} characters; a checklist line is at most ${MAX_CHECKLIST_LABEL}.`;
    } else {
      checklist = { id: order.id, items: lines };
    }
  }

  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, update: Object.keys(update).length > 1 ? update : null, checklist };
}

const FIELDS: readonly string[] = ["title", "description", "priority", "due", "component", "checklist"] satisfies (keyof EditValues)[];

/**
 * The server's errors of both saves (formErrorsFrom, with `items` renamed `checklist`) placed on
 * this form: a checklist issue names its line (`checklist.3` is the fourth line sent, blank lines
 * dropped); what concerns no field of the form goes above it.
 */
export function placeEditErrors(found: readonly (FormErrors | null)[]): { fields: Partial<Record<keyof EditValues, string>>; form: string[] } {
  const fields: Partial<Record<keyof EditValues, string>> = {};
  const form: string[] = [];
  for (const f of found) {
    if (!f) continue;
    if (f.form) form.push(f.form);
    for (const [key, message] of Object.entries(f.fields)) {
      const line = /^checklist\.(\d+)$/.exec(key);
      if (line) fields.checklist ??= `Line ${Number(line[1]) + 1}: ${message}`;
      else if (FIELDS.includes(key)) fields[key as keyof EditValues] ??= message;
      else form.push(message);
    }
  }
  return { fields, form };
}
