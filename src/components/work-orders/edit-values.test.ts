import { describe, expect, it } from "vitest";
import { checklistLines, dueInputValue, editPlan, editValuesFrom, placeEditErrors, type EditableOrder } from "./edit-values";
import { formErrorsFrom } from "./field-errors";

// due at 14:00 local on 12 March 2025 (an hour a schedule might set, not the form's end of day)
const order: EditableOrder = {
  id: "wo_1",
  title: "Replace pump seal",
  description: "Leaks at the shaft",
  priority: "high",
  dueAt: new Date(2025, 2, 12, 14, 0),
  component: { code: "pump-1" },
  checklist: [{ label: "Isolate the pump" }, { label: "Fit the new seal" }],
};

describe("editValuesFrom", () => {
  it("starts from the order as it is", () => {
    expect(editValuesFrom(order)).toEqual({
      title: "Replace pump seal",
      description: "Leaks at the shaft",
      priority: "high",
      due: "2025-03-12",
      component: "pump-1",
      checklist: "Isolate the pump\nFit the new seal",
    });
  });

  it("uses empty strings for what the order lacks", () => {
    const bare = editValuesFrom({ ...order, description: null, dueAt: null, component: null, checklist: [] });
    expect([bare.description, bare.due, bare.component, bare.checklist]).toEqual(["", "", "", ""]);
  });
});

describe("checklistLines", () => {
  it("keeps one trimmed line per line and drops blank ones", () => {
    expect(checklistLines("  a \n\n   \r\nb\r\n c\n")).toEqual(["a", "b", "c"]);
    expect(checklistLines("")).toEqual([]);
  });
});

describe("dueInputValue", () => {
  it("is the local day, zero-padded", () => {
    expect(dueInputValue(new Date(2025, 0, 5, 23, 59))).toBe("2025-01-05");
    expect(dueInputValue(null)).toBe("");
  });
});

describe("editPlan", () => {
  it("sends nothing when nothing changed", () => {
    expect(editPlan(order, editValuesFrom(order))).toEqual({ ok: true, update: null, checklist: null });
  });

  it("ignores edits that only add spaces or blank lines", () => {
    const values = { ...editValuesFrom(order), title: "  Replace pump seal ", checklist: "\n Isolate the pump\n\nFit the new seal  \n" };
    expect(editPlan(order, values)).toEqual({ ok: true, update: null, checklist: null });
  });

  it("sends only the fields that changed", () => {
    const values = { ...editValuesFrom(order), title: " Replace both pump seals ", priority: "urgent" as const };
    expect(editPlan(order, values)).toEqual({ ok: true, update: { id: "wo_1", title: "Replace both pump seals", priority: "urgent" }, checklist: null });
  });

  it("sends null to clear the description, due date and component", () => {
    const values = { ...editValuesFrom(order), description: "   ", due: "", component: "" };
    expect(editPlan(order, values)).toEqual({ ok: true, update: { id: "wo_1", description: null, dueAt: null, componentCode: null }, checklist: null });
  });

  it("sends a new due day as the end of that day, and a new component by code", () => {
    const values = { ...editValuesFrom(order), due: "2025-03-20", component: "motor-1" };
    const plan = editPlan(order, values);
    expect(plan).toEqual({ ok: true, update: { id: "wo_1", dueAt: new Date(2025, 2, 20, 23, 59), componentCode: "motor-1" }, checklist: null });
  });

  it("sets a due date and component on an order that had none", () => {
    const none = { ...order, dueAt: null, component: null };
    const plan = editPlan(none, { ...editValuesFrom(none), due: "2025-04-01", component: "uv-1" });
    expect(plan).toEqual({ ok: true, update: { id: "wo_1", dueAt: new Date(2025, 3, 1, 23, 59), componentCode: "uv-1" }, checklist: null });
  });

  it("sends the checklist lines, blank ones dropped, when they changed", () => {
    const values = { ...editValuesFrom(order), checklist: "Isolate the pump\n\n  Drain the casing \nFit the new seal\n" };
    expect(editPlan(order, values)).toEqual({ ok: true, update: null, checklist: { id: "wo_1", items: ["Isolate the pump", "Drain the casing", "Fit the new seal"] } });
  });

  it("treats reordered lines as a change, and an emptied text as an empty checklist", () => {
    expect(editPlan(order, { ...editValuesFrom(order), checklist: "Fit the new seal\nIsolate the pump" })).toEqual({
      ok: true,
      update: null,
      checklist: { id: "wo_1", items: ["Fit the new seal", "Isolate the pump"] },
    });
    expect(editPlan(order, { ...editValuesFrom(order), checklist: " \n" })).toEqual({ ok: true, update: null, checklist: { id: "wo_1", items: [] } });
  });

  it("allows 50 checklist lines and refuses 51", () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `Step ${i + 1}`).join("\n");
    const fifty = editPlan(order, { ...editValuesFrom(order), checklist: lines(50) });
    expect(fifty.ok && fifty.checklist?.items.length).toBe(50);
    expect(editPlan(order, { ...editValuesFrom(order), checklist: lines(51) })).toEqual({
      ok: false,
      errors: { checklist: "A checklist has at most 50 lines here (this one has 51): merge or drop some steps." },
    });
  });

  it("names a checklist line that is too long", () => {
    const values = { ...editValuesFrom(order), checklist: `ok\n${"x".repeat(201)}` };
    expect(editPlan(order, values)).toEqual({ ok: false, errors: { checklist: "Line 2 is 201 characters; a checklist line is at most 200." } });
  });

  it("refuses an empty title, a bad date and a too long title, field by field", () => {
    expect(editPlan(order, { ...editValuesFrom(order), title: "   ", due: "2025-02-30" })).toEqual({
      ok: false,
      errors: { title: "Give the work order a title: what needs doing.", due: "Not a valid date: pick a day, or clear it for no due date." },
    });
    const long = editPlan(order, { ...editValuesFrom(order), title: "t".repeat(201) });
    expect(long).toEqual({ ok: false, errors: { title: "A title is at most 200 characters (this one has 201)." } });
  });

  it("compares with the order as it is now, so a retry sends only what is still different", () => {
    const values = { ...editValuesFrom(order), title: "New title", priority: "low" as const };
    const afterFirstSave = { ...order, title: "New title", priority: "low" };
    expect(editPlan(afterFirstSave, values)).toEqual({ ok: true, update: null, checklist: null });
  });
});

describe("placeEditErrors", () => {
  const zodError = (fieldErrors: { path: string; message: string }[]) => Object.assign(new Error("[zod issues]"), { data: { fieldErrors } });
  const aliases = { componentCode: "component", dueAt: "due", items: "checklist" };

  it("puts setChecklist's line issues on the checklist, naming the line", () => {
    const found = formErrorsFrom(zodError([{ path: "items.2", message: "A checklist item is at most 200 characters." }]), { aliases });
    expect(placeEditErrors([null, found])).toEqual({ fields: { checklist: "Line 3: A checklist item is at most 200 characters." }, form: [] });
  });

  it("keeps the form's fields, sends unknown paths and plain messages above the form", () => {
    const update = formErrorsFrom(
      zodError([
        { path: "dueAt", message: "Invalid date" },
        { path: "componentCode", message: "Too long" },
        { path: "id", message: "Too small" },
      ]),
      { aliases },
    );
    const refused = formErrorsFrom(new Error("WO-7 is assigned to Ana; only they or a manager can edit or close it."), { aliases });
    expect(placeEditErrors([update, refused])).toEqual({
      fields: { due: "Invalid date", component: "Too long" },
      form: ["Too small", "WO-7 is assigned to Ana; only they or a manager can edit or close it."],
    });
  });

  it("keeps the first message of a field", () => {
    expect(placeEditErrors([{ fields: { title: "first" }, form: null }, { fields: { title: "second" }, form: null }])).toEqual({ fields: { title: "first" }, form: [] });
  });
});
