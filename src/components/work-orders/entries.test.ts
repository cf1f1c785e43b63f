import { describe, expect, it } from "vitest";
import { entriesOf, KEYED, myWorkOrdersHref, newWorkOrderEntry, orderIdOf, type NewWorkOrderValues, type WorkOrderEntry } from "./entries";

const values: NewWorkOrderValues = {
  system: "NBG-01",
  component: "pump-1",
  type: "corrective",
  priority: "high",
  title: "  Leak under pump-1  ",
  description: "  Drops on the floor  ",
  due: "2026-12-03",
  assignee: "u-tech",
  lines: [" Isolate the pump ", "", "   ", "Replace the seal"],
};
const names = {
  systems: [
    { code: "NBG-01", name: "Nürnberg 1" },
    { code: "NBG-02", name: "Nürnberg 2" },
  ],
  components: [{ code: "pump-1", name: "Booster pump" }],
};

describe("newWorkOrderEntry", () => {
  it("maps the form to the create input, trimmed, with the names to show while it waits", () => {
    const entry = newWorkOrderEntry(values, names);
    expect(entry).toEqual({
      ok: true,
      input: {
        systemCode: "NBG-01",
        componentCode: "pump-1",
        type: "corrective",
        priority: "high",
        title: "Leak under pump-1",
        description: "Drops on the floor",
        dueAt: new Date(2026, 11, 3, 23, 59, 0, 0),
        assigneeId: "u-tech",
        checklist: ["Isolate the pump", "Replace the seal"],
      },
      meta: { systemName: "Nürnberg 1", componentName: "Booster pump" },
    });
  });

  it("leaves out what was not filled in, and never carries a clientKey (the queue adds the form's)", () => {
    const entry = newWorkOrderEntry({ ...values, component: "", description: " ", due: "", assignee: "", lines: [""] }, names);
    expect(entry.ok).toBe(true);
    if (!entry.ok) return;
    expect(entry.input).toEqual({ systemCode: "NBG-01", type: "corrective", priority: "high", title: "Leak under pump-1" });
    expect(entry.meta).toEqual({ systemName: "Nürnberg 1", componentName: null });
    expect("clientKey" in entry.input).toBe(false);
  });

  it("keeps a component the page was opened with even when its name is not loaded (offline)", () => {
    const entry = newWorkOrderEntry(values, { systems: names.systems, components: [] });
    expect(entry.ok && entry.input.componentCode).toBe("pump-1");
    expect(entry.ok && entry.meta.componentName).toBeNull();
  });

  it("says what to fix, per field, before anything is saved", () => {
    expect(newWorkOrderEntry({ ...values, system: "", title: "   ", due: "2026-02-30" }, names)).toEqual({
      ok: false,
      errors: {
        system: "Pick the system the work is on.",
        title: "Give the work order a title: what needs doing.",
        dueAt: "Not a valid date.",
      },
    });
  });
});

describe("entries of orders and new orders", () => {
  const at = (clientKey: string, createdAt: number) => ({ clientKey, createdAt, attempts: 0, lastError: null, nextAttemptAt: createdAt, failed: null });
  const labour = { ...at("l1", 1), kind: "logLabour", input: { id: "wo1", minutes: 15, clientKey: "l1" }, meta: { orderLabel: "WO-1", userName: "Ana" } } as WorkOrderEntry;
  const create = { ...at("c1", 2), kind: "createWorkOrder", input: { systemCode: "NBG-01", type: "corrective", title: "Leak", clientKey: "c1" }, meta: { systemName: null, componentName: null } } as WorkOrderEntry;
  const other = { ...at("s1", 3), kind: "setStatus", input: { id: "wo2", status: "in_progress" }, meta: { orderLabel: "WO-2" } } as WorkOrderEntry;

  it("gives a new order no order id, so it never shows among an existing order's entries", () => {
    expect(orderIdOf(labour)).toBe("wo1");
    expect(orderIdOf(create)).toBeNull();
    expect(entriesOf([labour, create, other], "wo1").map((e) => e.clientKey)).toEqual(["l1"]);
  });

  it("sends the new order's key with it, as for labour, parts and comments", () => {
    expect([...KEYED].sort()).toEqual(["comment", "createWorkOrder", "logLabour", "usePart"]);
  });
});

describe("myWorkOrdersHref", () => {
  it("is a technician's own orders and everyone else's list, as the page would redirect", () => {
    expect(myWorkOrdersHref("technician")).toBe("/work-orders?mine=1");
    expect(myWorkOrdersHref("manager")).toBe("/work-orders");
    expect(myWorkOrdersHref("admin")).toBe("/work-orders");
  });
});
