// Doing and finishing the work (maintenance.workOrder.*) against the real database: labour, parts
// taken from and returned to stock, comments (all idempotent per clientKey), close-out with ISO 14224
// failure codes and downtime, reopen, and orders opened from alerts.
import { beforeAll, describe, expect, it } from "vitest";
import { callerAs, makeOrg, testDb, uid, type TestOrg, errorOf } from "./helpers";

const db = testDb();
let org: TestOrg;
let other: TestOrg;
let systemId: string;
let pumpId: string;

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
  const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } });
  systemId = sys.id;
  pumpId = (await db.component.findFirstOrThrow({ where: { systemId, code: "pump-1" } })).id;
  await db.component.create({ data: { systemId, code: "filter-1", type: "filter", name: "Cartridge filter" } });
});


const as = (o: TestOrg, role: keyof TestOrg["users"]) => callerAs(db, o.users[role]);
const key = () => `key-${uid()}${uid()}`;

async function newOrder(opts: { type?: "corrective" | "preventive" | "predictive" | "inspection"; componentCode?: string; assignee?: string } = {}) {
  const created = await as(org, "manager").maintenance.workOrder.create({
    systemCode: org.systemCodes[0]!,
    componentCode: opts.componentCode,
    type: opts.type ?? "corrective",
    title: `Work ${uid()}`,
    assigneeId: opts.assignee,
  });
  return created.id;
}

describe("labour", () => {
  it("logs minutes once per clientKey and sums them on the order", async () => {
    const id = await newOrder();
    const tech = as(org, "technician");
    const k = key();
    const first = await tech.maintenance.workOrder.logLabour({ id, minutes: 45, note: "replaced seal", startedAt: new Date(Date.now() - 3_600_000), clientKey: k });
    expect(first.duplicate).toBe(false);
    // the phone replays the same entry after a lost connection
    expect(await tech.maintenance.workOrder.logLabour({ id, minutes: 45, note: "replaced seal", clientKey: k })).toEqual({ id: first.id, duplicate: true });
    expect(await db.labourEntry.count({ where: { workOrderId: id } })).toBe(1);
    await tech.maintenance.workOrder.logLabour({ id, minutes: 20, clientKey: key() });
    const detail = await tech.maintenance.workOrder.get({ id });
    expect(detail.labourMinutes).toBe(65);
    expect(detail.labour[0]).toMatchObject({ id: first.id, userName: org.users.technician.name, minutes: 45, note: "replaced seal" });
    expect(await db.auditLog.count({ where: { entityId: id, action: "work_order.log_labour" } })).toBe(2);
  });

  it("refuses minutes outside 1..1440, a short key, and a key used on another order", async () => {
    const id = await newOrder();
    const tech = as(org, "technician");
    for (const minutes of [0, 1441, 2.5]) {
      const err = await errorOf(tech.maintenance.workOrder.logLabour({ id, minutes, clientKey: key() }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toMatch(/minute/);
    }
    expect((await errorOf(tech.maintenance.workOrder.logLabour({ id, minutes: 5, clientKey: "short" }))).message).toMatch(/clientKey/);
    const k = key();
    await tech.maintenance.workOrder.logLabour({ id, minutes: 5, clientKey: k });
    const elsewhere = await newOrder();
    const err = await errorOf(tech.maintenance.workOrder.logLabour({ id: elsewhere, minutes: 5, clientKey: k }));
    expect(err.code).toBe("CONFLICT");
    expect(await db.labourEntry.count({ where: { workOrderId: elsewhere } })).toBe(0);
    expect(await db.labourEntry.count({ where: { workOrderId: id } })).toBe(1);
  });

  it("stores one row when two replays of one entry race", async () => {
    const id = await newOrder();
    const tech = as(org, "technician");
    const k = key();
    const results = await Promise.all([1, 2, 3].map(() => tech.maintenance.workOrder.logLabour({ id, minutes: 15, clientKey: k })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await db.labourEntry.count({ where: { clientKey: k } })).toBe(1);
  });
});

describe("comments", () => {
  it("adds a comment once per clientKey", async () => {
    const id = await newOrder();
    const tech = as(org, "technician");
    const k = key();
    const first = await tech.maintenance.workOrder.comment({ id, body: "  Seal kit is in the van  ", clientKey: k });
    expect(await tech.maintenance.workOrder.comment({ id, body: "Seal kit is in the van", clientKey: k })).toEqual({ id: first.id, duplicate: true });
    const detail = await as(org, "viewer").maintenance.workOrder.get({ id });
    expect(detail.comments).toEqual([{ id: first.id, userName: org.users.technician.name, body: "Seal kit is in the van", createdAt: expect.any(Date) }]);
    expect((await errorOf(tech.maintenance.workOrder.comment({ id, body: "   ", clientKey: key() }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(tech.maintenance.workOrder.comment({ id, body: "x".repeat(4001), clientKey: key() }))).message).toMatch(/4000/);
    expect((await errorOf(as(org, "viewer").maintenance.workOrder.comment({ id, body: "hi", clientKey: key() }))).code).toBe("FORBIDDEN");
    expect(await db.workOrderComment.count({ where: { workOrderId: id } })).toBe(1);
  });
});

describe("parts", () => {
  let partId: string;
  const stock = async () => (await db.stockLevel.findUnique({ where: { siteId_partId: { siteId: org.siteId, partId } } }))?.quantity.toNumber();

  beforeAll(async () => {
    const part = await db.part.create({ data: { organizationId: org.organizationId, partNumber: `SEAL-${uid()}`, name: "Mechanical seal", unitCost: 12.5, unit: "ea" } });
    partId = part.id;
    await db.stockLevel.create({ data: { siteId: org.siteId, partId, quantity: 5 } });
  });

  it("opens one parts request when using a part takes the shelf to its reorder point", async () => {
    const part = await db.part.create({ data: { organizationId: org.organizationId, partNumber: `LAMP-${uid()}`, name: "UV lamp", unitCost: 119, unit: "ea" } });
    await db.stockLevel.create({ data: { siteId: org.siteId, partId: part.id, quantity: 4, reorderPoint: 2, reorderQuantity: 6 } });
    const tech = as(org, "technician");
    const id = await newOrder({ componentCode: "pump-1" });
    const above = await tech.maintenance.workOrder.usePart({ id, partId: part.id, quantity: 1, clientKey: key() });
    expect(above.reorder).toBeUndefined();
    const at = await tech.maintenance.workOrder.usePart({ id, partId: part.id, quantity: 1, clientKey: key() });
    expect(at.stockLeft).toBe(2);
    expect(at.reorder).toEqual({ id: expect.any(String), quantity: 6 });
    // a request is on its way: the next one below the point does not open a second
    const below = await tech.maintenance.workOrder.usePart({ id, partId: part.id, quantity: 1, clientKey: key() });
    expect(below.reorder).toBeUndefined();
    const requests = await db.partsRequest.findMany({ where: { partId: part.id } });
    expect(requests.map((r) => [r.status, r.quantity.toNumber(), r.siteId])).toEqual([["requested", 6, org.siteId]]);
  });

  it("takes stock at the system's site with a movement and a usage at unit cost, once per clientKey, and returns it", async () => {
    const id = await newOrder({ componentCode: "pump-1" });
    const tech = as(org, "technician");
    const k = key();
    const used = await tech.maintenance.workOrder.usePart({ id, partId, quantity: 2, clientKey: k });
    expect(used).toEqual({ id: used.id, duplicate: false, stockLeft: 3 });
    expect(await stock()).toBe(3);
    expect(await tech.maintenance.workOrder.usePart({ id, partId, quantity: 2, clientKey: k })).toEqual({ id: used.id, duplicate: true, stockLeft: 3 });
    expect(await stock()).toBe(3);
    const usages = await db.partUsage.findMany({ where: { workOrderId: id } });
    expect(usages).toHaveLength(1);
    expect(usages[0]).toMatchObject({ siteId: org.siteId, userId: org.users.technician.id });
    expect(usages[0]!.unitCost.toNumber()).toBe(12.5);
    const moves = await db.stockMovement.findMany({ where: { workOrderId: id }, orderBy: { at: "asc" } });
    expect(moves.map((m) => [m.reason, m.delta.toNumber(), m.siteId])).toEqual([["used", -2, org.siteId]]);
    const detail = await tech.maintenance.workOrder.get({ id });
    expect(detail.parts).toEqual([
      { id: used.id, partId, partNumber: expect.stringMatching(/^SEAL-/), name: "Mechanical seal", unit: "ea", quantity: 2, unitCost: 12.5, userName: org.users.technician.name, createdAt: expect.any(Date) },
    ]);

    expect(await tech.maintenance.workOrder.returnPart({ usageId: used.id })).toEqual({ id: used.id, stockLeft: 5 });
    expect(await stock()).toBe(5);
    expect(await db.partUsage.count({ where: { workOrderId: id } })).toBe(0);
    const after = await db.stockMovement.findMany({ where: { workOrderId: id }, orderBy: { at: "asc" } });
    expect(after.map((m) => [m.reason, m.delta.toNumber()])).toEqual([
      ["used", -2],
      ["returned", 2],
    ]);
    expect((await db.auditLog.findMany({ where: { entityId: id, action: { in: ["work_order.use_part", "work_order.return_part"] } }, orderBy: { id: "asc" } })).map((a) => a.action)).toEqual([
      "work_order.use_part",
      "work_order.return_part",
    ]);
  });

  it("refuses more than is in stock, naming part, requested and available, and writes nothing", async () => {
    const id = await newOrder();
    const tech = as(org, "technician");
    const before = await stock();
    const part = await db.part.findUniqueOrThrow({ where: { id: partId } });
    const k = key();
    const err = await errorOf(tech.maintenance.workOrder.usePart({ id, partId, quantity: before! + 1.5, clientKey: k }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(part.partNumber);
    expect(err.message).toContain(`requested ${before! + 1.5} ea`);
    expect(err.message).toContain(`available ${before} ea`);
    expect(await stock()).toBe(before);
    expect(await db.partUsage.count({ where: { workOrderId: id } })).toBe(0);
    expect(await db.partUsage.count({ where: { clientKey: k } })).toBe(0);
    expect(await db.stockMovement.count({ where: { workOrderId: id } })).toBe(0);
    // a part never stocked at this site: available 0
    const unstocked = await db.part.create({ data: { organizationId: org.organizationId, partNumber: `LAMP-${uid()}`, name: "Lamp", unitCost: 80 } });
    expect((await errorOf(tech.maintenance.workOrder.usePart({ id, partId: unstocked.id, quantity: 1, clientKey: key() }))).message).toContain("available 0 ea");
    // another organisation's part is not found; zero or negative quantities are refused
    const foreign = await db.part.create({ data: { organizationId: other.organizationId, partNumber: `F-${uid()}`, name: "Foreign", unitCost: 1 } });
    expect((await errorOf(tech.maintenance.workOrder.usePart({ id, partId: foreign.id, quantity: 1, clientKey: key() }))).code).toBe("NOT_FOUND");
    expect((await errorOf(tech.maintenance.workOrder.usePart({ id, partId, quantity: 0, clientKey: key() }))).code).toBe("BAD_REQUEST");
    expect(await db.stockMovement.count({ where: { workOrderId: id } })).toBe(0);
  });

  it("never takes the same last unit twice when two technicians race", async () => {
    const part = await db.part.create({ data: { organizationId: org.organizationId, partNumber: `UVS-${uid()}`, name: "UV sensor", unitCost: 300 } });
    await db.stockLevel.create({ data: { siteId: org.siteId, partId: part.id, quantity: 1 } });
    const [a, b] = [await newOrder(), await newOrder()];
    const results = await Promise.allSettled([a, b].map((id) => as(org, "technician").maintenance.workOrder.usePart({ id, partId: part.id, quantity: 1, clientKey: key() })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await db.stockLevel.findFirstOrThrow({ where: { partId: part.id } })).quantity.toNumber()).toBe(0);
    expect(await db.partUsage.count({ where: { partId: part.id } })).toBe(1);
  });

  it("returns parts only while the order is not done", async () => {
    const id = await newOrder({ type: "preventive" });
    const tech = as(org, "technician");
    const used = await tech.maintenance.workOrder.usePart({ id, partId, quantity: 1, clientKey: key() });
    const before = await stock();
    await tech.maintenance.workOrder.close({ id });
    const err = await errorOf(tech.maintenance.workOrder.returnPart({ usageId: used.id }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/is done/);
    expect(await stock()).toBe(before);
    expect(await db.partUsage.count({ where: { id: used.id } })).toBe(1);
    expect((await errorOf(as(other, "manager").maintenance.workOrder.returnPart({ usageId: used.id }))).code).toBe("NOT_FOUND");
  });
});

describe("close", () => {
  it("refuses to close a corrective order without a failure mode, and closes it with one", async () => {
    const id = await newOrder({ componentCode: "pump-1" });
    const tech = as(org, "technician");
    await tech.maintenance.workOrder.setStatus({ id, status: "in_progress" });
    const err = await errorOf(tech.maintenance.workOrder.close({ id, remedyCode: "RPL" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toBe("A corrective work order needs a failure mode to close (e.g. ELP external leakage)");
    expect((await db.workOrder.findUniqueOrThrow({ where: { id } })).status).toBe("in_progress");

    const downtimeStart = new Date(Date.now() - 2 * 3_600_000);
    const downtimeEnd = new Date(Date.now() - 3_600_000);
    const completedAt = new Date(Date.now() - 1_800_000);
    expect(
      await tech.maintenance.workOrder.close({ id, failureModeCode: "ELP", failureCauseCode: "WEA", remedyCode: "RPL", downtimeStart, downtimeEnd, completedAt, note: "new seal fitted" }),
    ).toEqual({ id, status: "done" });
    const detail = await tech.maintenance.workOrder.get({ id });
    expect(detail).toMatchObject({
      status: "done",
      completedAt,
      downtimeStart,
      downtimeEnd,
      failureMode: { code: "ELP", name: "External leakage – process medium" },
      failureCause: { code: "WEA", name: "Wear" },
      remedy: { code: "RPL", name: "Replace" },
      allowedTransitions: [],
    });
    expect(detail.history.at(-1)).toMatchObject({ from: "in_progress", to: "done", note: "new seal fitted", userName: org.users.technician.name });
    expect((await db.workOrder.findUniqueOrThrow({ where: { id } })).closedById).toBe(org.users.technician.id);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: id, action: "work_order.close" } });
    expect(audit.details).toMatchObject({ failureMode: "ELP", failureCause: "WEA", remedy: "RPL", from: "in_progress" });

    // the phone replays the close: success, nothing new; other codes: CONFLICT
    const historyBefore = await db.workOrderStatusChange.count({ where: { workOrderId: id } });
    expect(await tech.maintenance.workOrder.close({ id, failureModeCode: "ELP", failureCauseCode: "WEA", remedyCode: "RPL", downtimeStart, downtimeEnd })).toEqual({ id, status: "done" });
    expect(await db.workOrderStatusChange.count({ where: { workOrderId: id } })).toBe(historyBefore);
    expect((await errorOf(tech.maintenance.workOrder.close({ id, failureModeCode: "VIB" }))).code).toBe("CONFLICT");
  });

  it("closes a preventive order without a failure mode", async () => {
    const id = await newOrder({ type: "preventive", componentCode: "filter-1" });
    expect(await as(org, "technician").maintenance.workOrder.close({ id, remedyCode: "CLN" })).toEqual({ id, status: "done" });
    const w = await db.workOrder.findUniqueOrThrow({ where: { id } });
    expect(w.status).toBe("done");
    expect(w.failureModeId).toBeNull();
    expect(w.completedAt).toBeInstanceOf(Date);
  });

  it("asks a predictive order for a failure mode only when it found a failure", async () => {
    const tech = as(org, "technician");
    const found = await newOrder({ type: "predictive", componentCode: "pump-1" });
    const err = await errorOf(tech.maintenance.workOrder.close({ id: found, failureCauseCode: "WEA" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/failure mode/);
    expect(await tech.maintenance.workOrder.close({ id: found, failureModeCode: "VIB", failureCauseCode: "WEA" })).toEqual({ id: found, status: "done" });
    const nothing = await newOrder({ type: "predictive", componentCode: "pump-1" });
    expect(await tech.maintenance.workOrder.close({ id: nothing, remedyCode: "INS" })).toEqual({ id: nothing, status: "done" });
  });

  it("refuses a code for another component type, an unknown code, and bad downtime, writing nothing", async () => {
    const id = await newOrder({ componentCode: "pump-1" });
    const tech = as(org, "technician");
    const wrongType = await errorOf(tech.maintenance.workOrder.close({ id, failureModeCode: "PLU" }));
    expect(wrongType.code).toBe("BAD_REQUEST");
    expect(wrongType.message).toMatch(/PLU .* is for filter components, but pump-1 is a pump/);
    expect((await errorOf(tech.maintenance.workOrder.close({ id, failureModeCode: "ELP", failureCauseCode: "CAL" }))).message).toMatch(/CAL .* is for sensor components/);
    const unknown = await errorOf(tech.maintenance.workOrder.close({ id, failureModeCode: "XYZ" }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.message).toContain('"XYZ"');
    const start = new Date(Date.now() - 3_600_000);
    const backwards = await errorOf(tech.maintenance.workOrder.close({ id, failureModeCode: "ELP", downtimeStart: start, downtimeEnd: new Date(start.getTime() - 60_000) }));
    expect(backwards.code).toBe("BAD_REQUEST");
    expect(backwards.message).toMatch(/downtimeEnd .* is before downtimeStart/);
    const half = await errorOf(tech.maintenance.workOrder.close({ id, failureModeCode: "ELP", downtimeStart: start }));
    expect(half.message).toMatch(/both downtimeStart and downtimeEnd/);
    const w = await db.workOrder.findUniqueOrThrow({ where: { id } });
    expect([w.status, w.failureModeId, w.downtimeStart, w.completedAt]).toEqual(["open", null, null, null]);
    // a filter fault fits a filter; a generic mode fits anything; equal start and end is zero downtime
    const filterOrder = await newOrder({ componentCode: "filter-1" });
    expect(await tech.maintenance.workOrder.close({ id: filterOrder, failureModeCode: "PLU", failureCauseCode: "CLO", downtimeStart: start, downtimeEnd: start })).toEqual({ id: filterOrder, status: "done" });
    expect(await tech.maintenance.workOrder.close({ id, failureModeCode: "BRD" })).toEqual({ id, status: "done" });
  });

  it("lets a technician close their own or unassigned orders but not another's; a manager reopens", async () => {
    const tech = as(org, "technician");
    const managers = await newOrder({ assignee: org.users.manager.id, type: "inspection" });
    const err = await errorOf(tech.maintenance.workOrder.close({ id: managers }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/assigned to/);
    expect((await db.workOrder.findUniqueOrThrow({ where: { id: managers } })).status).toBe("open");

    // the technician's own order, closed: theirs to replay; another technician cannot touch it
    const mine = await newOrder({ assignee: org.users.technician.id, type: "inspection" });
    await tech.maintenance.workOrder.close({ id: mine });
    const colleague = await db.user.create({ data: { organizationId: org.organizationId, email: `t2-${uid()}@test.local`, name: "Second tech", role: "technician", passwordHash: "x" } });
    const second = callerAs(db, { id: colleague.id, email: colleague.email, name: colleague.name, role: "technician", organizationId: org.organizationId, organizationName: "x" });
    for (const call of [
      () => second.maintenance.workOrder.update({ id: mine, title: "edit" }),
      () => second.maintenance.workOrder.logLabour({ id: mine, minutes: 5, clientKey: key() }),
      () => second.maintenance.workOrder.comment({ id: mine, body: "late note", clientKey: key() }),
    ]) {
      const refused = await errorOf(call());
      expect(refused.code).toBe("FORBIDDEN");
      expect(refused.message).toMatch(/is done and is not your order/);
    }
    expect(await tech.maintenance.workOrder.logLabour({ id: mine, minutes: 10, clientKey: key() })).toMatchObject({ duplicate: false });

    expect((await errorOf(tech.maintenance.workOrder.reopen({ id: mine, note: "not fixed" }))).code).toBe("FORBIDDEN");
    const manager = as(org, "manager");
    expect((await errorOf(manager.maintenance.workOrder.reopen({ id: managers, note: "x" }))).code).toBe("CONFLICT");
    expect(await manager.maintenance.workOrder.reopen({ id: mine, note: "leak is back" })).toEqual({ id: mine, status: "open" });
    const w = await db.workOrder.findUniqueOrThrow({ where: { id: mine } });
    expect([w.status, w.completedAt, w.closedById]).toEqual(["open", null, null]);
    const history = await manager.maintenance.workOrder.get({ id: mine });
    expect(history.history.at(-1)).toMatchObject({ from: "done", to: "open", note: "leak is back", userName: org.users.manager.name });
    expect(await db.auditLog.count({ where: { entityId: mine, action: "work_order.reopen" } })).toBe(1);
  });

  it("closes only open, in-progress or on-hold orders", async () => {
    const id = await newOrder({ type: "inspection" });
    await as(org, "manager").maintenance.workOrder.setStatus({ id, status: "cancelled" });
    const err = await errorOf(as(org, "manager").maintenance.workOrder.close({ id }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/is cancelled/);
  });
});

describe("createFromAlert", () => {
  const alert = (severity: "critical" | "major" | "minor" | "warning", message: string, componentId: string | null = pumpId, organizationId = org.organizationId, sysId = systemId) =>
    db.alert.create({ data: { organizationId, systemId: sysId, componentId, severity, message, value: 7.4, raisedAt: new Date(Date.now() - 600_000) } });

  it("opens a corrective order linked to the alert, and returns the open one when asked again", async () => {
    const a = await alert("critical", "Pump vibration 7.4 mm/s above 4.5");
    const tech = as(org, "technician");
    const first = await tech.maintenance.workOrder.createFromAlert({ alertId: a.id });
    expect(first.created).toBe(true);
    const detail = await tech.maintenance.workOrder.get({ id: first.id });
    expect(detail).toMatchObject({
      type: "corrective",
      priority: "urgent",
      status: "open",
      title: "Pump vibration 7.4 mm/s above 4.5",
      alertId: a.id,
      alert: { id: a.id, title: "Pump vibration 7.4 mm/s above 4.5", severity: "critical", state: "active_unacknowledged" },
      component: { id: pumpId, code: "pump-1" },
      requestedBy: { id: org.users.technician.id },
    });
    expect(detail.system.id).toBe(systemId);
    expect(await as(org, "manager").maintenance.workOrder.createFromAlert({ alertId: a.id })).toEqual({ id: first.id, number: first.number, created: false });
    expect(await db.workOrder.count({ where: { alertId: a.id } })).toBe(1);
    expect(await db.auditLog.count({ where: { entityId: first.id, action: "work_order.create_from_alert" } })).toBe(1);
    // once that order is finished, the alert can get a new one
    await tech.maintenance.workOrder.close({ id: first.id, failureModeCode: "VIB" });
    const again = await tech.maintenance.workOrder.createFromAlert({ alertId: a.id });
    expect(again.created).toBe(true);
    expect(again.id).not.toBe(first.id);
  });

  it("maps severities to priorities and links system-level alerts", async () => {
    const tech = as(org, "technician");
    const expected = { major: "high", minor: "medium", warning: "low" } as const;
    for (const [severity, priority] of Object.entries(expected) as [keyof typeof expected, string][]) {
      const a = await alert(severity, `${severity} alert ${uid()}`, null);
      const { id } = await tech.maintenance.workOrder.createFromAlert({ alertId: a.id });
      const w = await db.workOrder.findUniqueOrThrow({ where: { id } });
      expect([w.priority, w.componentId, w.systemId]).toEqual([priority, null, systemId]);
    }
  });

  it("creates one order when two technicians press at once", async () => {
    const a = await alert("major", "Filter dP 0.9 bar");
    const results = await Promise.all([as(org, "technician"), as(org, "manager")].map((c) => c.maintenance.workOrder.createFromAlert({ alertId: a.id })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]!.id).toBe(results[1]!.id);
    expect(await db.workOrder.count({ where: { alertId: a.id } })).toBe(1);
  });

  it("refuses viewers and other organisations' alerts", async () => {
    const a = await alert("minor", "Turbidity 1.2 NTU");
    expect((await errorOf(as(org, "viewer").maintenance.workOrder.createFromAlert({ alertId: a.id }))).code).toBe("FORBIDDEN");
    expect((await errorOf(as(other, "technician").maintenance.workOrder.createFromAlert({ alertId: a.id }))).code).toBe("NOT_FOUND");
    expect(await db.workOrder.count({ where: { alertId: a.id } })).toBe(0);
  });
});
