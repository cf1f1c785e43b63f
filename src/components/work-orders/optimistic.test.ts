import { describe, expect, it } from "vitest";
import type { WorkOrderEntry } from "./entries";
import { bannerText, orderView, pendingCreates, type ServerOrder } from "./optimistic";

const order: ServerOrder = {
  id: "wo1",
  status: "open",
  checklist: [
    { label: "Isolate the pump", done: true },
    { label: "Replace the seal", done: false },
  ],
  allowedTransitions: ["in_progress", "on_hold", "cancelled", "done"],
  canEdit: true,
  labourMinutes: 30,
};

let t = 1000;
function entry(kind: WorkOrderEntry["kind"], input: Record<string, unknown>, extra: Partial<WorkOrderEntry> = {}): WorkOrderEntry {
  t += 1;
  return {
    clientKey: `k${t}`,
    kind,
    input: { id: "wo1", ...input },
    meta: { orderLabel: "WO-1", userName: "Tomás" },
    createdAt: t,
    attempts: 0,
    lastError: null,
    nextAttemptAt: t,
    failed: null,
    ...extra,
  } as WorkOrderEntry;
}
const refused = { message: "Not enough QS-900 in stock: 2 requested, 1 available", httpStatus: 400, at: 5 };

describe("orderView", () => {
  it("is the server's order when nothing waits", () => {
    const v = orderView(order, []);
    expect(v.status).toBe("open");
    expect(v.statusPending).toBe(false);
    expect(v.allowedTransitions).toEqual(order.allowedTransitions);
    expect(v.checklist).toEqual([
      { label: "Isolate the pump", done: true, pending: false },
      { label: "Replace the seal", done: false, pending: false },
    ]);
    expect(v.labourMinutes).toBe(30);
    expect(v.waiting).toBe(0);
  });

  it("shows the last status change typed, with the moves that follow from it", () => {
    const v = orderView(order, [entry("setStatus", { status: "in_progress" }), entry("setStatus", { status: "on_hold" })]);
    expect(v.status).toBe("on_hold");
    expect(v.statusPending).toBe(true);
    expect(v.allowedTransitions).toEqual(["in_progress", "open", "cancelled", "done"]);
    expect(v.waiting).toBe(2);
  });

  it("shows a waiting close-out as done, unless a status change was typed after it", () => {
    expect(orderView(order, [entry("setStatus", { status: "in_progress" }), entry("close", { failureModeCode: "ELP" })]).status).toBe("done");
    expect(orderView(order, [entry("close", {}), entry("setStatus", { status: "in_progress" })]).status).toBe("in_progress");
  });

  it("ignores refused entries for the status but keeps them to be shown", () => {
    const bad = entry("close", {}, { failed: { message: "A corrective work order needs a failure mode to close (e.g. ELP external leakage)", httpStatus: 400, at: 1 } });
    const v = orderView(order, [bad]);
    expect(v.status).toBe("open");
    expect(v.close).toBeNull();
    expect(v.closeRefused?.failed?.message).toMatch(/needs a failure mode/);
    expect(v.failed.map((e) => e.clientKey)).toEqual([bad.clientKey]);
    expect(v.waiting).toBe(0);
  });

  it("applies the last tick of each checklist line", () => {
    const v = orderView(order, [
      entry("setChecklistItem", { index: 1, done: true }),
      entry("setChecklistItem", { index: 0, done: false }),
      entry("setChecklistItem", { index: 1, done: false }),
      entry("setChecklistItem", { index: 1, done: true }),
    ]);
    expect(v.checklist).toEqual([
      { label: "Isolate the pump", done: false, pending: true },
      { label: "Replace the seal", done: true, pending: true },
    ]);
  });

  it("adds waiting labour to the total, but not refused labour", () => {
    const v = orderView(order, [entry("logLabour", { minutes: 15 }), entry("logLabour", { minutes: 60 }, { failed: refused }), entry("logLabour", { minutes: 120 })]);
    expect(v.labour.map((l) => l.input.minutes)).toEqual([15, 60, 120]);
    expect(v.waitingMinutes).toBe(135);
    expect(v.labourMinutes).toBe(165);
  });

  it("lists only this order's entries", () => {
    const other = { ...entry("comment", { body: "elsewhere" }), input: { id: "wo2", body: "elsewhere", clientKey: "x" } } as WorkOrderEntry;
    const v = orderView(order, [other, entry("comment", { body: "seal was cracked" }), entry("usePart", { partId: "p1", quantity: 2 }, { failed: refused })]);
    expect(v.comments.map((c) => c.input.body)).toEqual(["seal was cracked"]);
    expect(v.parts).toHaveLength(1);
    expect(v.parts[0]!.failed?.message).toBe(refused.message);
    expect(v.waiting).toBe(1);
  });
});

describe("bannerText", () => {
  it("says what is saved and when it goes", () => {
    expect(bannerText(false, 2)).toBe("Offline — 2 entries saved on this phone, they will be sent when the connection returns");
    expect(bannerText(false, 1)).toBe("Offline — 1 entry saved on this phone, it will be sent when the connection returns");
    expect(bannerText(false, 0)).toMatch(/^Offline — what you enter is saved/);
    expect(bannerText(true, 3)).toBe("Sending 3 entries saved on this phone…");
    expect(bannerText(true, 0)).toBeNull();
  });
  it("counts photos apart from typed entries", () => {
    expect(bannerText(false, 2, 1)).toBe("Offline — 2 entries and 1 photo saved on this phone, they will be sent when the connection returns");
    expect(bannerText(false, 0, 1)).toBe("Offline — 1 photo saved on this phone, it will be sent when the connection returns");
    expect(bannerText(true, 1, 3)).toBe("Sending 1 entry and 3 photos saved on this phone…");
    expect(bannerText(true, 0, 0)).toBeNull();
  });
});

describe("pendingCreates", () => {
  const create = (clientKey: string, createdAt: number, input: Record<string, unknown> = {}, extra: Partial<WorkOrderEntry> = {}) =>
    ({
      clientKey,
      kind: "createWorkOrder",
      input: { systemCode: "NBG-01", type: "corrective", title: `Order ${clientKey}`, clientKey, ...input },
      meta: { systemName: "Nürnberg 1", componentName: null },
      createdAt,
      attempts: 0,
      lastError: null,
      nextAttemptAt: createdAt,
      failed: null,
      ...extra,
    }) as WorkOrderEntry;

  it("shows each waiting new order as its card reads, medium priority when none was chosen", () => {
    const due = new Date(2026, 11, 3, 23, 59);
    const [card] = pendingCreates([
      create("c1", 5, { componentCode: "pump-1", priority: "urgent", dueAt: due, checklist: ["Isolate", "Replace seal"], assigneeId: "u1" }, { attempts: 2, lastError: "This phone is offline" }),
    ]);
    expect(card).toEqual({
      clientKey: "c1",
      title: "Order c1",
      systemCode: "NBG-01",
      systemName: "Nürnberg 1",
      componentCode: "pump-1",
      componentName: null,
      type: "corrective",
      priority: "urgent",
      dueAt: due,
      checklistSteps: 2,
      assigneeId: "u1",
      attempts: 2,
      lastError: "This phone is offline",
    });
    expect(pendingCreates([create("c2", 6)])[0]).toMatchObject({ priority: "medium", componentCode: null, dueAt: null, checklistSteps: 0, assigneeId: null });
  });

  it("lists them in the order they will be sent (and numbered), leaving out refused ones and other entries", () => {
    const cards = pendingCreates([
      create("late", 30),
      entry("logLabour", { minutes: 15 }),
      create("refused", 10, {}, { failed: { message: "System NBG-09 not found", httpStatus: 404, at: 11 } }),
      create("early", 20),
    ]);
    expect(cards.map((c) => c.clientKey)).toEqual(["early", "late"]);
  });

  it("never puts a new order's entry on an existing order's view", () => {
    const v = orderView(order, [create("c1", 1, { id: "wo1" } as Record<string, unknown>)]);
    expect(v.waiting).toBe(0);
    expect(v.failed).toEqual([]);
  });
});
