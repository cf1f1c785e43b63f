// Work orders (maintenance.workOrder.*) against the real database: create, read, list, the status
// machine, assignment, edits, the pick lists, roles per contracts.md and organisation isolation.
// Labour, parts, comments and close-out: work-orders-closeout.test.ts; photos: work-orders-photos.test.ts.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import type { WorkOrderStatus } from "../../src/generated/prisma/enums";
import { callerAs, makeOrg, testDb, uid, type TestOrg, errorOf } from "./helpers";

const db = testDb();
let org: TestOrg;
let other: TestOrg;

const DAY = 86_400_000;

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 2 }), makeOrg(db, { systems: 1 })]);
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return err instanceof TRPCError ? err.code : `unexpected ${String(err)}`;
  }
}


const as = (o: TestOrg, role: keyof TestOrg["users"]) => callerAs(db, o.users[role]);

async function newOrder(o: TestOrg = org, fields: { title?: string; type?: "corrective" | "preventive" | "predictive" | "inspection"; componentCode?: string; systemIndex?: number } = {}) {
  return as(o, "manager").maintenance.workOrder.create({
    systemCode: o.systemCodes[fields.systemIndex ?? 0]!,
    componentCode: fields.componentCode,
    type: fields.type ?? "corrective",
    title: fields.title ?? `Order ${uid()}`,
  });
}

describe("create and get", () => {
  it("lets a technician open an order on a component, with a checklist, logged in history and audit", async () => {
    const tech = as(org, "technician");
    const due = new Date(Date.now() + 3 * DAY);
    const created = await tech.maintenance.workOrder.create({
      systemCode: org.systemCodes[0]!,
      componentCode: "pump-1",
      type: "corrective",
      priority: "high",
      title: "  Seal weeping at pump-1  ",
      description: "Drops under the pump",
      dueAt: due,
      checklist: ["Isolate pump", " Replace seal "],
    });
    expect(created.number).toBeGreaterThan(0);
    const detail = await tech.maintenance.workOrder.get({ id: created.id });
    expect(detail).toMatchObject({
      id: created.id,
      number: created.number,
      title: "Seal weeping at pump-1",
      description: "Drops under the pump",
      type: "corrective",
      status: "open",
      priority: "high",
      systemName: "System 1",
      componentId: detail.component!.id,
      assignee: null,
      assigneeId: null,
      requestedBy: { id: org.users.technician.id, name: org.users.technician.name },
      dueAt: due,
      overdue: false,
      startedAt: null,
      completedAt: null,
      alert: null,
      alertId: null,
      scheduleId: null,
      checklist: [
        { label: "Isolate pump", done: false },
        { label: "Replace seal", done: false },
      ],
      labour: [],
      labourMinutes: 0,
      parts: [],
      comments: [],
      attachments: [],
      failureMode: null,
      failureCause: null,
      remedy: null,
      downtimeStart: null,
      downtimeEnd: null,
      canEdit: true,
      canAssign: false,
      allowedTransitions: ["in_progress", "on_hold", "cancelled", "done"],
    });
    expect(detail.system).toEqual({ id: expect.any(String), code: org.systemCodes[0], name: "System 1", siteId: org.siteId });
    expect(detail.component).toMatchObject({ code: "pump-1", name: "Booster pump", type: "pump" });
    expect(detail.history).toEqual([{ from: null, to: "open", userName: org.users.technician.name, note: null, at: expect.any(Date) }]);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityType: "work_order", entityId: created.id } });
    expect(audit).toMatchObject({ action: "work_order.create", userId: org.users.technician.id, organizationId: org.organizationId });
  });

  it("refuses a viewer (FORBIDDEN) and writes nothing", async () => {
    const before = await db.workOrder.count({ where: { organizationId: org.organizationId } });
    const err = await errorOf(as(org, "viewer").maintenance.workOrder.create({ systemCode: org.systemCodes[0]!, type: "inspection", title: "Look" }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/needs the technician role/);
    expect(await db.workOrder.count({ where: { organizationId: org.organizationId } })).toBe(before);
  });

  it("lets a technician assign a new order only to themselves; a manager assigns anyone who can do the work", async () => {
    const base = { systemCode: org.systemCodes[0]!, type: "preventive" as const, title: "Quarterly check" };
    const tech = as(org, "technician");
    const refused = await errorOf(tech.maintenance.workOrder.create({ ...base, assigneeId: org.users.manager.id }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/only to themselves/);
    const mine = await tech.maintenance.workOrder.create({ ...base, assigneeId: org.users.technician.id });
    expect((await db.workOrder.findUniqueOrThrow({ where: { id: mine.id } })).assigneeId).toBe(org.users.technician.id);
    const byManager = await as(org, "manager").maintenance.workOrder.create({ ...base, assigneeId: org.users.technician.id });
    expect((await db.workOrder.findUniqueOrThrow({ where: { id: byManager.id } })).assigneeId).toBe(org.users.technician.id);
    const viewer = await errorOf(as(org, "manager").maintenance.workOrder.create({ ...base, assigneeId: org.users.viewer.id }));
    expect(viewer.code).toBe("BAD_REQUEST");
    expect(viewer.message).toMatch(/viewer and cannot carry out/);
    expect(await codeOf(as(org, "manager").maintenance.workOrder.create({ ...base, assigneeId: other.users.technician.id }))).toBe("NOT_FOUND");
  });

  it("names an unknown component or another organisation's system as NOT_FOUND", async () => {
    const tech = as(org, "technician");
    const comp = await errorOf(tech.maintenance.workOrder.create({ systemCode: org.systemCodes[0]!, componentCode: "pump-9", type: "corrective", title: "x" }));
    expect(comp.code).toBe("NOT_FOUND");
    expect(comp.message).toContain("pump-9");
    const sys = await errorOf(tech.maintenance.workOrder.create({ systemCode: other.systemCodes[0]!, type: "corrective", title: "x" }));
    expect(sys.code).toBe("NOT_FOUND");
    expect(sys.message).toContain(other.systemCodes[0]!);
    expect(await db.workOrder.count({ where: { systemId: (await db.treatmentSystem.findUniqueOrThrow({ where: { code: other.systemCodes[0]! } })).id } })).toBe(0);
  });

  it("rejects an empty title with BAD_REQUEST naming the field", async () => {
    const err = await errorOf(as(org, "technician").maintenance.workOrder.create({ systemCode: org.systemCodes[0]!, type: "corrective", title: "   " }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/title/);
  });

  it("shows a viewer the order without edit rights or moves", async () => {
    const { id } = await newOrder();
    const seen = await as(org, "viewer").maintenance.workOrder.get({ id });
    expect(seen).toMatchObject({ id, canEdit: false, canAssign: false, allowedTransitions: [] });
    expect((await as(org, "manager").maintenance.workOrder.get({ id })).canAssign).toBe(true);
  });
});

describe("list", () => {
  it("sorts overdue first, then by due date (none last), then newest number, and filters", async () => {
    const o = await makeOrg(db, { systems: 2 });
    const now = Date.now();
    const mk = async (title: string, dueOffsetDays: number | null, status: WorkOrderStatus, extra: Record<string, unknown> = {}) => {
      const { id, number } = await newOrder(o, { title, componentCode: extra.componentCode as string | undefined, systemIndex: (extra.systemIndex as number | undefined) ?? 0 });
      await db.workOrder.update({
        where: { id },
        data: {
          status,
          dueAt: dueOffsetDays === null ? null : new Date(now + dueOffsetDays * DAY),
          priority: (extra.priority as "low" | "urgent" | undefined) ?? "medium",
          type: (extra.type as "preventive" | undefined) ?? "corrective",
          assigneeId: (extra.assigneeId as string | undefined) ?? null,
        },
      });
      return { id, number, title };
    };
    const lateA = await mk("late A", -1, "open", { assigneeId: o.users.technician.id });
    const doneLate = await mk("done late", -2, "done");
    const soon = await mk("soon", 1, "in_progress", { priority: "urgent", componentCode: "pump-1" });
    const undated1 = await mk("undated 1", null, "requested", { type: "preventive", systemIndex: 1 });
    await mk("late B", -3, "on_hold", { priority: "low" });
    const undated2 = await mk("undated 2", null, "cancelled");
    const viewer = as(o, "viewer");

    const all = await viewer.maintenance.workOrder.list();
    expect(all.map((w) => w.title)).toEqual(["late B", "late A", "done late", "soon", "undated 2", "undated 1"]);
    expect(all.map((w) => w.overdue)).toEqual([true, true, false, false, false, false]);
    expect(undated2.number).toBeGreaterThan(undated1.number);
    const first = all[1]!;
    expect(first).toEqual({
      id: lateA.id,
      number: lateA.number,
      title: "late A",
      type: "corrective",
      status: "open",
      priority: "medium",
      system: o.systemCodes[0],
      systemName: "System 1",
      component: null,
      componentId: null,
      assignee: o.users.technician.name,
      assigneeId: o.users.technician.id,
      dueAt: expect.any(Date),
      overdue: true,
      createdAt: expect.any(Date),
      alertId: null,
      scheduleId: null,
    });

    const titles = async (input: Parameters<typeof viewer.maintenance.workOrder.list>[0]) => (await viewer.maintenance.workOrder.list(input)).map((w) => w.title);
    expect(await titles({ overdue: true })).toEqual(["late B", "late A"]);
    expect(await titles({ overdue: false })).toEqual(["done late", "soon", "undated 2", "undated 1"]);
    expect(await titles({ status: ["open", "requested"] })).toEqual(["late A", "undated 1"]);
    expect(await titles({ type: "preventive" })).toEqual(["undated 1"]);
    expect(await titles({ priority: ["urgent", "low"] })).toEqual(["late B", "soon"]);
    expect(await titles({ systemCode: o.systemCodes[1]! })).toEqual(["undated 1"]);
    expect(await titles({ componentId: (await db.workOrder.findUniqueOrThrow({ where: { id: soon.id } })).componentId! })).toEqual(["soon"]);
    expect(await titles({ assigneeId: o.users.technician.id })).toEqual(["late A"]);
    expect(await (async () => (await as(o, "technician").maintenance.workOrder.list({ mine: true })).map((w) => w.title))()).toEqual(["late A"]);
    expect(await titles({ mine: true })).toEqual([]);
    expect(await titles({ limit: 3 })).toEqual(["late B", "late A", "done late"]);
    expect(await titles({ limit: 1 })).toEqual(["late B"]);
    expect(await codeOf(viewer.maintenance.workOrder.list({ limit: 501 }))).toBe("BAD_REQUEST");
    // another organisation sees none of them
    expect(await as(other, "manager").maintenance.workOrder.list({ systemCode: o.systemCodes[0]! })).toEqual([]);
    expect((await as(other, "manager").maintenance.workOrder.list()).some((w) => w.id === doneLate.id || w.id === undated2.id)).toBe(false);
  });
});

describe("setStatus", () => {
  const statuses: WorkOrderStatus[] = ["requested", "open", "in_progress", "on_hold", "done", "cancelled"];
  // the contract's table, written out by hand
  const allowed: Record<WorkOrderStatus, WorkOrderStatus[]> = {
    requested: ["open", "cancelled"],
    open: ["in_progress", "on_hold", "cancelled"],
    in_progress: ["on_hold", "open", "cancelled"],
    on_hold: ["in_progress", "open", "cancelled"],
    done: [],
    cancelled: [],
  };

  it("allows exactly the contract's moves, refuses the others with CONFLICT, and done only through close", async () => {
    const manager = as(org, "manager");
    const { id } = await newOrder();
    for (const from of statuses) {
      for (const to of statuses) {
        await db.workOrder.update({ where: { id }, data: { status: from } });
        const got = await codeOf(manager.maintenance.workOrder.setStatus({ id, status: to }));
        const expected = to === "done" ? "BAD_REQUEST" : from === to || allowed[from].includes(to) ? "OK" : "CONFLICT";
        expect(`${from} -> ${to}: ${got}`).toBe(`${from} -> ${to}: ${expected}`);
        const now = (await db.workOrder.findUniqueOrThrow({ where: { id } })).status;
        expect(now).toBe(expected === "OK" ? to : from);
      }
    }
    const err = await errorOf(manager.maintenance.workOrder.setStatus({ id, status: "done" }));
    expect(err.message).toMatch(/close/);
    await db.workOrder.update({ where: { id }, data: { status: "done" } });
    const fromDone = await errorOf(manager.maintenance.workOrder.setStatus({ id, status: "in_progress" }));
    expect(fromDone.message).toMatch(/is done; it cannot go to in_progress \(a manager can reopen it\)/);
  });

  it("records who moved it and why, sets startedAt on the first start only, and treats a repeat as a no-op", async () => {
    const tech = as(org, "technician");
    const { id } = await newOrder();
    expect(await tech.maintenance.workOrder.setStatus({ id, status: "in_progress", note: "on site" })).toEqual({ id, status: "in_progress" });
    const started = (await db.workOrder.findUniqueOrThrow({ where: { id } })).startedAt;
    expect(started).toBeInstanceOf(Date);
    // an offline replay of the same change: success, nothing written
    const auditBefore = await db.auditLog.count({ where: { entityId: id } });
    expect(await tech.maintenance.workOrder.setStatus({ id, status: "in_progress", note: "on site" })).toEqual({ id, status: "in_progress" });
    expect(await db.auditLog.count({ where: { entityId: id } })).toBe(auditBefore);
    await tech.maintenance.workOrder.setStatus({ id, status: "on_hold", note: "waiting for seal kit" });
    await new Promise((r) => setTimeout(r, 5));
    await tech.maintenance.workOrder.setStatus({ id, status: "in_progress" });
    expect((await db.workOrder.findUniqueOrThrow({ where: { id } })).startedAt).toEqual(started);
    const history = (await tech.maintenance.workOrder.get({ id })).history;
    expect(history.map((h) => [h.from, h.to, h.note, h.userName])).toEqual([
      [null, "open", null, org.users.manager.name],
      ["open", "in_progress", "on site", org.users.technician.name],
      ["in_progress", "on_hold", "waiting for seal kit", org.users.technician.name],
      ["on_hold", "in_progress", null, org.users.technician.name],
    ]);
    const audits = await db.auditLog.findMany({ where: { entityId: id, action: "work_order.set_status" }, orderBy: { id: "asc" } });
    expect(audits.map((a) => (a.details as { to: string }).to)).toEqual(["in_progress", "on_hold", "in_progress"]);
  });

  it("refuses a viewer, and a technician on another person's cancelled order", async () => {
    const { id } = await newOrder();
    expect(await codeOf(as(org, "viewer").maintenance.workOrder.setStatus({ id, status: "in_progress" }))).toBe("FORBIDDEN");
    await db.workOrder.update({ where: { id }, data: { status: "cancelled", assigneeId: org.users.manager.id } });
    const err = await errorOf(as(org, "technician").maintenance.workOrder.setStatus({ id, status: "open" }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/is cancelled and is not your order/);
  });
});

describe("assign and take", () => {
  it("lets a manager assign and unassign, refuses technicians, and audits", async () => {
    const { id } = await newOrder();
    const err = await errorOf(as(org, "technician").maintenance.workOrder.assign({ id, assigneeId: org.users.technician.id }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/needs the manager role/);
    const manager = as(org, "manager");
    expect(await manager.maintenance.workOrder.assign({ id, assigneeId: org.users.technician.id })).toEqual({ id, assigneeId: org.users.technician.id, assignee: org.users.technician.name });
    expect((await manager.maintenance.workOrder.get({ id })).assignee).toEqual({ id: org.users.technician.id, name: org.users.technician.name });
    expect(await codeOf(manager.maintenance.workOrder.assign({ id, assigneeId: other.users.technician.id }))).toBe("NOT_FOUND");
    expect(await manager.maintenance.workOrder.assign({ id, assigneeId: null })).toEqual({ id, assigneeId: null, assignee: null });
    const audits = await db.auditLog.findMany({ where: { entityId: id, action: "work_order.assign" }, orderBy: { id: "asc" } });
    expect(audits.map((a) => a.details)).toEqual([
      { from: null, to: org.users.technician.id },
      { from: org.users.technician.id, to: null },
    ]);
  });

  it("lets a technician take an unassigned order, but not one someone else has (CONFLICT)", async () => {
    const { id } = await newOrder();
    const tech = as(org, "technician");
    expect(await tech.maintenance.workOrder.take({ id })).toMatchObject({ id, assigneeId: org.users.technician.id });
    expect(await tech.maintenance.workOrder.take({ id })).toMatchObject({ id, assigneeId: org.users.technician.id });
    const second = await newOrder();
    await as(org, "manager").maintenance.workOrder.assign({ id: second.id, assigneeId: org.users.manager.id });
    const err = await errorOf(tech.maintenance.workOrder.take({ id: second.id }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain(org.users.manager.name);
    expect((await db.workOrder.findUniqueOrThrow({ where: { id: second.id } })).assigneeId).toBe(org.users.manager.id);
    expect(await codeOf(as(org, "viewer").maintenance.workOrder.take({ id: second.id }))).toBe("FORBIDDEN");
  });
});

describe("update and checklist", () => {
  it("edits the given fields only, within the order's system", async () => {
    const { id } = await newOrder(org, { componentCode: "pump-1" });
    const tech = as(org, "technician");
    const due = new Date(Date.now() + DAY);
    await tech.maintenance.workOrder.update({ id, title: "Replace seal", priority: "urgent", dueAt: due });
    let w = await db.workOrder.findUniqueOrThrow({ where: { id } });
    expect(w).toMatchObject({ title: "Replace seal", priority: "urgent", dueAt: due, type: "corrective" });
    expect(w.componentId).not.toBeNull();
    await tech.maintenance.workOrder.update({ id, dueAt: null, componentCode: null, description: "whole unit" });
    w = await db.workOrder.findUniqueOrThrow({ where: { id } });
    expect(w).toMatchObject({ title: "Replace seal", dueAt: null, componentId: null, description: "whole unit" });
    expect(await codeOf(tech.maintenance.workOrder.update({ id, componentCode: "uv-7" }))).toBe("NOT_FOUND");
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: id, action: "work_order.update" }, orderBy: { id: "asc" } });
    expect(audit.details).toMatchObject({ title: { to: "Replace seal" }, priority: { from: "medium", to: "urgent" } });
  });

  it("keeps technicians off another person's order (assigned, or closed), and lets a manager edit it", async () => {
    const { id } = await newOrder();
    const manager = as(org, "manager");
    await manager.maintenance.workOrder.assign({ id, assigneeId: org.users.manager.id });
    const tech = as(org, "technician");
    const err = await errorOf(tech.maintenance.workOrder.update({ id, title: "mine now" }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/assigned to .*only they or a manager/);
    expect((await tech.maintenance.workOrder.get({ id })).canEdit).toBe(false);
    await manager.maintenance.workOrder.close({ id, failureModeCode: "BRD" });
    const closed = await errorOf(tech.maintenance.workOrder.update({ id, title: "after close" }));
    expect(closed.code).toBe("FORBIDDEN");
    expect(closed.message).toMatch(/is done and is not your order/);
    expect(await codeOf(tech.maintenance.workOrder.setChecklist({ id, items: ["x"] }))).toBe("FORBIDDEN");
    await manager.maintenance.workOrder.update({ id, title: "Corrected title" });
    expect((await db.workOrder.findUniqueOrThrow({ where: { id } })).title).toBe("Corrected title");
  });

  it("ticks items by index and rewrites the list keeping done flags", async () => {
    const tech = as(org, "technician");
    const { id } = await tech.maintenance.workOrder.create({ systemCode: org.systemCodes[0]!, type: "preventive", title: "PM", checklist: ["Isolate", "Clean sleeve", "Log hours"] });
    expect((await tech.maintenance.workOrder.setChecklistItem({ id, index: 1, done: true })).checklist).toEqual([
      { label: "Isolate", done: false },
      { label: "Clean sleeve", done: true },
      { label: "Log hours", done: false },
    ]);
    const bad = await errorOf(tech.maintenance.workOrder.setChecklistItem({ id, index: 3, done: true }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/has 3 checklist item\(s\).*no item 3/);
    await tech.maintenance.workOrder.setChecklist({ id, items: ["Clean sleeve", "Check UVT", "Isolate"] });
    expect((await tech.maintenance.workOrder.get({ id })).checklist).toEqual([
      { label: "Clean sleeve", done: true },
      { label: "Check UVT", done: false },
      { label: "Isolate", done: false },
    ]);
  });
});

describe("organisation isolation", () => {
  it("answers NOT_FOUND for another organisation's order in every procedure, and changes nothing", async () => {
    const { id } = await newOrder(org, { componentCode: "pump-1" });
    const before = await db.workOrder.findUniqueOrThrow({ where: { id } });
    const x = as(other, "manager").maintenance.workOrder;
    const key = `k-${uid()}-iso`;
    const calls: [string, () => Promise<unknown>][] = [
      ["get", () => x.get({ id })],
      ["context", () => x.context({ id })],
      ["partOptions", () => x.partOptions({ id })],
      ["setStatus", () => x.setStatus({ id, status: "in_progress" })],
      ["assign", () => x.assign({ id, assigneeId: null })],
      ["take", () => x.take({ id })],
      ["update", () => x.update({ id, title: "hijack" })],
      ["setChecklistItem", () => x.setChecklistItem({ id, index: 0, done: true })],
      ["setChecklist", () => x.setChecklist({ id, items: ["a"] })],
      ["logLabour", () => x.logLabour({ id, minutes: 5, clientKey: key })],
      ["usePart", () => x.usePart({ id, partId: "p", quantity: 1, clientKey: key })],
      ["comment", () => x.comment({ id, body: "hi", clientKey: key })],
      ["close", () => x.close({ id, failureModeCode: "BRD" })],
      ["reopen", () => x.reopen({ id, note: "n" })],
    ];
    for (const [name, call] of calls) expect(`${name}: ${await codeOf(call())}`).toBe(`${name}: NOT_FOUND`);
    expect(await db.workOrder.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await db.auditLog.count({ where: { entityId: id, organizationId: other.organizationId } })).toBe(0);
  });
});

describe("context and pick lists", () => {
  it("shows the component's latest values, recent alerts and last orders", async () => {
    const o = await makeOrg(db, { systems: 1 });
    const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: o.systemCodes[0]! } });
    const pump = await db.component.findFirstOrThrow({ where: { systemId: sys.id, code: "pump-1" } });
    const uv = await db.component.create({ data: { systemId: sys.id, code: "uv-1", type: "uv_reactor", name: "UV reactor" } });
    const metrics = Object.fromEntries((await db.metric.findMany({ where: { key: { in: ["vibration", "pump_pressure", "uv_intensity", "flow_rate"] } } })).map((m) => [m.key, m.id]));
    const ts = new Date(Date.now() - 60_000);
    const series = async (componentId: string | null, key: string, value: number | null) => {
      const s = await db.series.create({ data: { systemId: sys.id, componentId, metricId: metrics[key]! } });
      if (value !== null) await db.seriesLatest.create({ data: { seriesId: s.id, ts, value } });
    };
    await series(pump.id, "vibration", 4.2);
    await series(pump.id, "pump_pressure", 3.1);
    await series(pump.id, "flow_rate", null); // no reading yet: not shown
    await series(uv.id, "uv_intensity", 55);
    await series(null, "flow_rate", 9.8);
    const raised = async (componentId: string, message: string, minutesAgo: number) =>
      db.alert.create({ data: { organizationId: o.organizationId, systemId: sys.id, componentId, severity: "major", message, raisedAt: new Date(Date.now() - minutesAgo * 60_000) } });
    for (let i = 0; i < 12; i++) await raised(pump.id, `pump alert ${i}`, 100 - i);
    await raised(uv.id, "uv alert", 1);
    const previous = [];
    for (let i = 0; i < 6; i++) previous.push(await newOrder(o, { componentCode: "pump-1", title: `earlier ${i}` }));
    await newOrder(o, { componentCode: "uv-1", title: "uv order" });
    const current = await newOrder(o, { componentCode: "pump-1", title: "current" });

    const ctx = await as(o, "viewer").maintenance.workOrder.context({ id: current.id });
    expect(ctx.liveValues).toEqual([
      { componentCode: "pump-1", metric: "pump_pressure", unit: "bar", value: 3.1, ts },
      { componentCode: "pump-1", metric: "vibration", unit: "mm/s", value: 4.2, ts },
    ]);
    expect(ctx.recentAlerts).toHaveLength(10);
    expect(ctx.recentAlerts[0]).toMatchObject({ title: "pump alert 11", severity: "major", state: "active_unacknowledged" });
    expect(ctx.recentAlerts.map((a) => a.title)).not.toContain("uv alert");
    expect(ctx.lastWorkOrders.map((w) => w.title)).toEqual(["earlier 5", "earlier 4", "earlier 3", "earlier 2", "earlier 1"]);

    // an order on the whole system: every series of the system, the system's alerts
    const whole = await newOrder(o, { title: "whole system" });
    const sysCtx = await as(o, "viewer").maintenance.workOrder.context({ id: whole.id });
    expect(sysCtx.liveValues.map((v) => `${v.componentCode ?? "-"}/${v.metric}=${v.value}`)).toEqual([
      "-/flow_rate=9.8",
      "pump-1/pump_pressure=3.1",
      "pump-1/vibration=4.2",
      "uv-1/uv_intensity=55",
    ]);
    expect(sysCtx.recentAlerts[0]!.title).toBe("uv alert");
    expect(sysCtx.lastWorkOrders).toEqual([]);
  });

  it("lists generic failure codes plus the component type's", async () => {
    const viewer = as(org, "viewer");
    const pump = await viewer.maintenance.workOrder.failureCodes({ componentType: "pump" });
    const modes = pump.modes.map((m) => m.code);
    expect(modes).toEqual(expect.arrayContaining(["ELP", "VIB", "LOO", "NOI", "FTS", "UST", "BRD", "SER"]));
    expect(modes).not.toContain("PLU");
    expect(modes).not.toContain("LOU");
    expect(modes).toHaveLength(8);
    expect(pump.modes.find((m) => m.code === "ELP")).toEqual({ code: "ELP", name: "External leakage – process medium", componentType: "pump" });
    expect(pump.causes.map((c) => c.code)).toContain("CAV");
    expect(pump.causes.map((c) => c.code)).not.toContain("CAL");
    expect(pump.remedies.map((r) => r.code).sort()).toEqual(["ADJ", "CLN", "INS", "OVH", "RPL", "RPR", "RST"]);
    const all = await viewer.maintenance.workOrder.failureCodes();
    expect(all.modes).toHaveLength(15);
    expect(all.causes).toHaveLength(13);
  });

  it("offers the component's BOM parts first with the site's stock, then the rest of the catalogue", async () => {
    const o = await makeOrg(db, { systems: 1 });
    const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: o.systemCodes[0]! } });
    const pump = await db.component.findFirstOrThrow({ where: { systemId: sys.id, code: "pump-1" } });
    const part = (partNumber: string, name: string) => db.part.create({ data: { organizationId: o.organizationId, partNumber, name, unitCost: 10 } });
    const seal = await part("SEAL-22", "Mechanical seal");
    const bearing = await part("BRG-6204", "Bearing");
    const cartridge = await part("FC-5-20", "Filter cartridge");
    await db.bomItem.create({ data: { componentId: pump.id, partId: seal.id, quantity: 1 } });
    await db.stockLevel.create({ data: { siteId: o.siteId, partId: seal.id, quantity: 3 } });
    await db.stockLevel.create({ data: { siteId: o.siteId, partId: cartridge.id, quantity: 12.5 } });
    const elsewhere = await db.site.create({ data: { organizationId: o.organizationId, code: `X${uid()}`, name: "Other site", timeZone: "UTC" } });
    await db.stockLevel.create({ data: { siteId: elsewhere.id, partId: bearing.id, quantity: 40 } });
    await db.part.create({ data: { organizationId: other.organizationId, partNumber: "FOREIGN-1", name: "Not ours", unitCost: 1 } });
    const { id } = await newOrder(o, { componentCode: "pump-1" });
    expect(await as(o, "viewer").maintenance.workOrder.partOptions({ id })).toEqual([
      { partId: seal.id, partNumber: "SEAL-22", name: "Mechanical seal", unit: "ea", inStock: 3, bom: true },
      { partId: bearing.id, partNumber: "BRG-6204", name: "Bearing", unit: "ea", inStock: 0, bom: false },
      { partId: cartridge.id, partNumber: "FC-5-20", name: "Filter cartridge", unit: "ea", inStock: 12.5, bom: false },
    ]);
  });

  it("lists the organisation's active technicians and managers for assignment", async () => {
    const o = await makeOrg(db, { systems: 1 });
    await db.user.create({ data: { organizationId: o.organizationId, email: `gone-${uid()}@test.local`, name: "aaa gone", role: "technician", passwordHash: "x", active: false } });
    expect(await as(o, "viewer").maintenance.workOrder.technicians()).toEqual([
      { id: o.users.manager.id, name: o.users.manager.name, role: "manager" },
      { id: o.users.technician.id, name: o.users.technician.name, role: "technician" },
    ]);
  });
});
