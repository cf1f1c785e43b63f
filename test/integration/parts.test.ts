// Parts, stock per site and parts requests against the real database: the catalogue, stock moves on
// receive and adjust, automatic reorders at the reorder point (once, also under concurrent changes),
// the parts request lifecycle with its permissions per role, and organisation isolation.
import { describe, expect, it } from "vitest";
import { requestReorderIfLow } from "../../src/server/maintenance/parts/request-reorder";
import { callerAs, makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();

async function orgWithPart(opts: { secondSite?: boolean } = {}) {
  const org = await makeOrg(db, { systems: 1 });
  const manager = callerAs(db, org.users.manager);
  const supplier = await db.supplier.create({ data: { organizationId: org.organizationId, name: `Supplier ${uid()}` } });
  const part = await manager.maintenance.parts.create({
    partNumber: `UV-LAMP-${uid()}`,
    name: "UV lamp 40 W",
    componentType: "lamp",
    supplierId: supplier.id,
    leadTimeDays: 10,
    unitCost: 89.5,
  });
  const site2 = opts.secondSite ? await db.site.create({ data: { organizationId: org.organizationId, code: `S2-${uid()}`, name: "Second site", timeZone: "UTC" } }) : null;
  return { org, manager, supplier, part, site2 };
}

async function stockOf(siteId: string, partId: string): Promise<number | undefined> {
  return (await db.stockLevel.findUnique({ where: { siteId_partId: { siteId, partId } } }))?.quantity.toNumber();
}

const pendingFor = (org: TestOrg, partId: string) => db.partsRequest.findMany({ where: { organizationId: org.organizationId, partId, status: { in: ["requested", "approved", "ordered"] } } });

describe("parts catalogue", () => {
  it("is kept by managers and admins, read by everyone; part numbers are unique per organisation", async () => {
    const { org, manager, supplier, part } = await orgWithPart();
    expect(part).toMatchObject({ name: "UV lamp 40 W", componentType: "lamp", supplier: { id: supplier.id }, leadTimeDays: 10, unitCost: 89.5, currency: "EUR", unit: "ea", totalQuantity: 0, stock: [] });
    await expect(manager.maintenance.parts.create({ partNumber: part.partNumber, name: "Copy", unitCost: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already in the catalogue/),
    });
    const admin = callerAs(db, org.users.admin);
    const filter = await admin.maintenance.parts.create({ partNumber: `FC-5-${uid()}`, name: "Filter cartridge 5 µm", unitCost: 12, unit: "pc" });
    const renamed = await admin.maintenance.parts.update({ id: filter.id, name: "Filter cartridge 5 µm, pleated", unitCost: 13.25 });
    expect(renamed).toMatchObject({ name: "Filter cartridge 5 µm, pleated", unitCost: 13.25, unit: "pc" });
    for (const role of ["viewer", "technician"] as const) {
      await expect(callerAs(db, org.users[role]).maintenance.parts.create({ partNumber: "X", name: "X", unitCost: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(callerAs(db, org.users[role]).maintenance.parts.update({ id: part.id, name: "X" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const list = await callerAs(db, org.users.viewer).maintenance.parts.list();
    expect(list.map((p) => p.id).sort()).toEqual([part.id, filter.id].sort());
    expect((await callerAs(db, org.users.viewer).maintenance.parts.list({ search: "cartridge" })).map((p) => p.id)).toEqual([filter.id]);
  });
});

describe("stock", () => {
  it("moves on receive and adjust, with a movement for each, and never goes negative", async () => {
    const { org, manager, part, site2 } = await orgWithPart({ secondSite: true });
    const r = await manager.maintenance.parts.receive({ partId: part.id, siteId: org.siteId, quantity: 10, note: "delivery note 4711" });
    expect(r.reorder).toBeNull();
    expect(r.part.stock).toEqual([expect.objectContaining({ siteId: org.siteId, quantity: 10, reorderPoint: 0, belowReorder: false })]);
    await manager.maintenance.parts.receive({ partId: part.id, siteId: site2!.id, quantity: 2.5 });
    const adj = await manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: -3, reason: "two broken in transit, one lost" });
    expect(adj.part.totalQuantity).toBe(9.5);
    await manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, countedQuantity: 5, reason: "stock count" });
    expect(await stockOf(org.siteId, part.id)).toBe(5);
    expect(await stockOf(site2!.id, part.id)).toBe(2.5);

    await expect(manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: -6, reason: "too many" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/negative/),
    });
    await expect(manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: -1, reason: " " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: -1, countedQuantity: 3, reason: "both" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(manager.maintenance.parts.receive({ partId: part.id, siteId: org.siteId, quantity: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerAs(db, org.users.technician).maintenance.parts.receive({ partId: part.id, siteId: org.siteId, quantity: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerAs(db, org.users.technician).maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: 1, reason: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await stockOf(org.siteId, part.id)).toBe(5);

    const moves = await callerAs(db, org.users.viewer).maintenance.parts.movements({ partId: part.id, siteId: org.siteId });
    expect(moves.map((m) => ({ delta: m.delta, kind: m.kind, note: m.note, user: m.user?.id }))).toEqual([
      { delta: -2, kind: "adjusted", note: "stock count", user: org.users.manager.id },
      { delta: -3, kind: "adjusted", note: "two broken in transit, one lost", user: org.users.manager.id },
      { delta: 10, kind: "received", note: "delivery note 4711", user: org.users.manager.id },
    ]);
  });

  it("opens one parts request when stock falls to the reorder point, also when two changes race", async () => {
    const { org, manager, part } = await orgWithPart();
    await manager.maintenance.parts.receive({ partId: part.id, siteId: org.siteId, quantity: 6 });
    const set = await manager.maintenance.parts.setReorder({ partId: part.id, siteId: org.siteId, reorderPoint: 4, reorderQuantity: 10, bin: "A3" });
    expect(set.reorder).toBeNull();
    expect(set.part.stock[0]).toMatchObject({ quantity: 6, reorderPoint: 4, reorderQuantity: 10, bin: "A3", belowReorder: false });

    // 6 -> 5 -> 4 at once: the change that reaches the point opens the request, the other sees it pending
    const both = await Promise.all([
      manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: -1, reason: "used for testing" }),
      manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: -1, reason: "used for testing" }),
    ]);
    expect(both.filter((b) => b.reorder).length).toBe(1);
    const pending = await pendingFor(org, part.id);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: "requested", reason: "below reorder point", requestedById: null, siteId: org.siteId });
    expect(pending[0]!.quantity.toNumber()).toBe(10);
    const listed = await manager.maintenance.parts.list({ belowReorder: true });
    expect(listed.map((p) => p.id)).toEqual([part.id]);
    expect(listed[0]!.stock[0]).toMatchObject({ quantity: 4, belowReorder: true, pendingRequest: true });

    // lower still: no second request while one is on its way
    expect((await manager.maintenance.parts.adjust({ partId: part.id, siteId: org.siteId, delta: -1, reason: "used" })).reorder).toBeNull();
    expect(await pendingFor(org, part.id)).toHaveLength(1);

    // the request arrives: 3 + 10 = 13, above the point, nothing new
    const id = pending[0]!.id;
    await manager.maintenance.parts.request.approve({ id });
    await manager.maintenance.parts.request.markOrdered({ id });
    const received = await manager.maintenance.parts.request.markReceived({ id });
    expect(received).toMatchObject({ status: "received", automatic: true, quantity: 10 });
    expect(await stockOf(org.siteId, part.id)).toBe(13);
    expect(await pendingFor(org, part.id)).toHaveLength(0);
  });

  it("lets the work-order code reorder after using a part (requestReorderIfLow in its transaction)", async () => {
    const { org, manager, part } = await orgWithPart();
    await manager.maintenance.parts.receive({ partId: part.id, siteId: org.siteId, quantity: 3 });
    await manager.maintenance.parts.setReorder({ partId: part.id, siteId: org.siteId, reorderPoint: 2, reorderQuantity: 0 });
    const created = await db.$transaction(async (tx) => {
      await tx.stockLevel.update({ where: { siteId_partId: { siteId: org.siteId, partId: part.id } }, data: { quantity: { decrement: 1 } } });
      return requestReorderIfLow(tx, { organizationId: org.organizationId, siteId: org.siteId, partId: part.id });
    });
    // no reorder quantity set: the reorder point itself is ordered
    expect(created).toMatchObject({ quantity: 2 });
    // another organisation's ids never open a request
    const other = await makeOrg(db, { systems: 1 });
    expect(await db.$transaction((tx) => requestReorderIfLow(tx, { organizationId: other.organizationId, siteId: org.siteId, partId: part.id }))).toBeNull();
    expect(await pendingFor(org, part.id)).toHaveLength(1);
  });
});

describe("parts requests", () => {
  it("go requested -> approved -> ordered -> received (adding the stock); wrong steps are refused", async () => {
    const { org, manager, part } = await orgWithPart();
    const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } });
    const wo = await db.workOrder.create({ data: { organizationId: org.organizationId, type: "corrective", title: "Lamp failed", systemId: system.id } });
    const tech = callerAs(db, org.users.technician);
    const req = await tech.maintenance.parts.request.create({ partId: part.id, siteId: org.siteId, quantity: 2, reason: "spare for WO", workOrderId: wo.id });
    expect(req).toMatchObject({ status: "requested", quantity: 2, automatic: false, requestedBy: { id: org.users.technician.id }, workOrder: { id: wo.id, number: wo.number } });

    await expect(tech.maintenance.parts.request.approve({ id: req.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(tech.maintenance.parts.request.markOrdered({ id: req.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerAs(db, org.users.viewer).maintenance.parts.request.create({ partId: part.id, siteId: org.siteId, quantity: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(manager.maintenance.parts.request.markReceived({ id: req.id })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/only an ordered request/) });

    const approved = await manager.maintenance.parts.request.approve({ id: req.id });
    expect(approved).toMatchObject({ status: "approved", approvedBy: { id: org.users.manager.id } });
    expect(approved.approvedAt).toBeInstanceOf(Date);
    await expect(manager.maintenance.parts.request.approve({ id: req.id })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(manager.maintenance.parts.request.reject({ id: req.id })).rejects.toMatchObject({ code: "CONFLICT" });
    // the technician cannot take back a request a manager approved
    await expect(tech.maintenance.parts.request.cancel({ id: req.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await manager.maintenance.parts.request.markOrdered({ id: req.id })).status).toBe("ordered");
    expect(await stockOf(org.siteId, part.id)).toBeUndefined();
    const done = await manager.maintenance.parts.request.markReceived({ id: req.id });
    expect(done.status).toBe("received");
    expect(done.receivedAt).toBeInstanceOf(Date);
    expect(await stockOf(org.siteId, part.id)).toBe(2);
    const moves = await manager.maintenance.parts.movements({ partId: part.id });
    expect(moves.map((m) => ({ delta: m.delta, kind: m.kind, partsRequestId: m.partsRequestId }))).toEqual([{ delta: 2, kind: "received", partsRequestId: req.id }]);
    await expect(manager.maintenance.parts.request.cancel({ id: req.id })).rejects.toMatchObject({ code: "CONFLICT" });
    // received twice would add the stock twice: refused
    await expect(manager.maintenance.parts.request.markReceived({ id: req.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await stockOf(org.siteId, part.id)).toBe(2);
  });

  it("can be rejected, or cancelled by the technician who asked while still requested", async () => {
    const { org, manager, part } = await orgWithPart();
    const tech = callerAs(db, org.users.technician);
    const a = await tech.maintenance.parts.request.create({ partId: part.id, siteId: org.siteId, quantity: 1 });
    expect((await manager.maintenance.parts.request.reject({ id: a.id, note: "use the spare in bin A3" })).status).toBe("rejected");
    await expect(manager.maintenance.parts.request.approve({ id: a.id })).rejects.toMatchObject({ code: "CONFLICT" });
    const b = await tech.maintenance.parts.request.create({ partId: part.id, siteId: org.siteId, quantity: 1 });
    const c = await callerAs(db, org.users.manager).maintenance.parts.request.create({ partId: part.id, siteId: org.siteId, quantity: 4 });
    await expect(tech.maintenance.parts.request.cancel({ id: c.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await tech.maintenance.parts.request.cancel({ id: b.id })).status).toBe("cancelled");
    expect((await manager.maintenance.parts.request.cancel({ id: c.id })).status).toBe("cancelled");
    const mine = await tech.maintenance.parts.request.list({ mine: true });
    expect(mine.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect((await callerAs(db, org.users.viewer).maintenance.parts.request.list({ status: ["rejected"] })).map((r) => r.id)).toEqual([a.id]);
    await expect(tech.maintenance.parts.request.create({ partId: part.id, siteId: org.siteId, quantity: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("keep organisations apart", async () => {
    const { org, manager, part } = await orgWithPart();
    const req = await manager.maintenance.parts.request.create({ partId: part.id, siteId: org.siteId, quantity: 1 });
    await manager.maintenance.parts.receive({ partId: part.id, siteId: org.siteId, quantity: 1 });
    const b = await makeOrg(db, { systems: 1 });
    const other = callerAs(db, b.users.admin);
    expect(await other.maintenance.parts.list()).toEqual([]);
    expect(await other.maintenance.parts.movements()).toEqual([]);
    expect(await other.maintenance.parts.request.list()).toEqual([]);
    await expect(other.maintenance.parts.update({ id: part.id, name: "stolen" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.maintenance.parts.receive({ partId: part.id, siteId: org.siteId, quantity: 5 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.maintenance.parts.receive({ partId: part.id, siteId: b.siteId, quantity: 5 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.maintenance.parts.request.create({ partId: part.id, siteId: b.siteId, quantity: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.maintenance.parts.request.approve({ id: req.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const bPart = await other.maintenance.parts.create({ partNumber: part.partNumber, name: "Same number, other organisation", unitCost: 1 });
    await expect(other.maintenance.parts.request.create({ partId: bPart.id, siteId: org.siteId, quantity: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await other.maintenance.parts.options()).sites.map((s) => s.id)).toEqual([b.siteId]);
    expect(await stockOf(org.siteId, part.id)).toBe(1);
    expect((await db.partsRequest.findUniqueOrThrow({ where: { id: req.id } })).status).toBe("requested");
  });
});
