// maintenance.workOrder.create with a clientKey (issue 5, phase 2a): a work order written on a phone
// without signal is queued there and may reach the server more than once (a lost answer, two tabs).
// Each key opens one order; a replay gets it back without writing anything.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { callerAs, makeOrg, testDb, uid, type TestOrg, errorOf } from "./helpers";

const db = testDb();
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
});

const as = (o: TestOrg, role: keyof TestOrg["users"]) => callerAs(db, o.users[role]);


function leakInput(o: TestOrg, clientKey: string) {
  return {
    systemCode: o.systemCodes[0]!,
    componentCode: "pump-1",
    type: "corrective" as const,
    priority: "high" as const,
    title: `Leak under pump-1 ${uid()}`,
    checklist: ["Isolate the pump", "Replace the seal"],
    clientKey,
  };
}

const rowsWithKey = (clientKey: string) => db.workOrder.count({ where: { clientKey } });
const auditsOf = (id: string) => db.auditLog.count({ where: { entityId: id, action: "work_order.create" } });

describe("create with a clientKey", () => {
  it("stores the key, and a replay returns the same order without writing a second row, history or audit entry", async () => {
    const key = randomUUID();
    const input = leakInput(org, key);
    const first = await as(org, "technician").maintenance.workOrder.create(input);
    const again = await as(org, "technician").maintenance.workOrder.create(input);
    expect(again).toEqual({ id: first.id, number: first.number });

    expect(await rowsWithKey(key)).toBe(1);
    expect(await auditsOf(first.id)).toBe(1);
    expect(await db.workOrderStatusChange.count({ where: { workOrderId: first.id } })).toBe(1);
    const stored = await db.workOrder.findUniqueOrThrow({ where: { id: first.id }, select: { clientKey: true, title: true, checklist: true, status: true } });
    expect(stored).toMatchObject({ clientKey: key, title: input.title, status: "open" });
    expect(stored.checklist).toEqual([
      { label: "Isolate the pump", done: false },
      { label: "Replace the seal", done: false },
    ]);
  });

  it("returns the stored order to a replay sent by someone else of the organisation, even after its system changed", async () => {
    const key = randomUUID();
    const input = leakInput(org, key);
    const first = await as(org, "technician").maintenance.workOrder.create(input);
    // the queue can replay long after: the component may be gone by then, and nothing is checked again
    const replay = await as(org, "manager").maintenance.workOrder.create({ ...input, componentCode: "no-such-component" });
    expect(replay).toEqual(first);
    expect(await rowsWithKey(key)).toBe(1);
  });

  it("opens one order when replays of one key arrive at the same time", async () => {
    const key = randomUUID();
    const input = leakInput(org, key);
    const results = await Promise.all(Array.from({ length: 6 }, () => as(org, "technician").maintenance.workOrder.create(input)));
    const ids = new Set(results.map((r) => r.id));
    const numbers = new Set(results.map((r) => r.number));
    expect(ids.size).toBe(1);
    expect(numbers.size).toBe(1);
    expect(await rowsWithKey(key)).toBe(1);
    expect(await auditsOf([...ids][0]!)).toBe(1);
  });

  it("opens separate orders for separate keys, and keeps working without a key", async () => {
    const a = await as(org, "technician").maintenance.workOrder.create(leakInput(org, randomUUID()));
    const b = await as(org, "technician").maintenance.workOrder.create(leakInput(org, randomUUID()));
    const { clientKey: _, ...withoutKey } = leakInput(org, "unused-key");
    const c = await as(org, "technician").maintenance.workOrder.create(withoutKey);
    const d = await as(org, "technician").maintenance.workOrder.create(withoutKey);
    expect(new Set([a.id, b.id, c.id, d.id]).size).toBe(4);
    expect((await db.workOrder.findUniqueOrThrow({ where: { id: c.id }, select: { clientKey: true } })).clientKey).toBeNull();
  });

  it("refuses a malformed key with BAD_REQUEST naming clientKey, writing nothing", async () => {
    const before = await db.workOrder.count({ where: { organizationId: org.organizationId } });
    for (const bad of ["short", "x".repeat(65), ""]) {
      const err = await errorOf(as(org, "technician").maintenance.workOrder.create(leakInput(org, bad)));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toMatch(/clientKey/);
    }
    expect(await db.workOrder.count({ where: { organizationId: org.organizationId } })).toBe(before);
  });

  it("keeps the existing checks: a bad component is refused and the key stays free for the corrected order", async () => {
    const key = randomUUID();
    const err = await errorOf(as(org, "technician").maintenance.workOrder.create({ ...leakInput(org, key), componentCode: "pump-9" }));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toContain("pump-9");
    expect(await rowsWithKey(key)).toBe(0);
    const fixed = await as(org, "technician").maintenance.workOrder.create(leakInput(org, key));
    expect(await rowsWithKey(key)).toBe(1);
    expect(await auditsOf(fixed.id)).toBe(1);
  });

  it("refuses a viewer, with or without a key already used", async () => {
    const key = randomUUID();
    const viewer = as(org, "viewer");
    expect((await errorOf(viewer.maintenance.workOrder.create(leakInput(org, randomUUID())))).code).toBe("FORBIDDEN");
    const created = await as(org, "technician").maintenance.workOrder.create(leakInput(org, key));
    const err = await errorOf(viewer.maintenance.workOrder.create(leakInput(org, key)));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).not.toContain(created.id);
    expect(await rowsWithKey(key)).toBe(1);
  });

  it("does not return or reveal another organisation's order stored under the same key", async () => {
    const key = randomUUID();
    const theirs = await as(other, "technician").maintenance.workOrder.create(leakInput(other, key));
    const input = leakInput(org, key);
    for (const role of ["technician", "admin"] as const) {
      const err = await errorOf(as(org, role).maintenance.workOrder.create(input));
      expect(err.code).toBe("CONFLICT");
      expect(err.message).toMatch(/clientKey/);
      // the message names the caller's own key, which may hold the other order's number by chance
      const rest = err.message.replace(key, "<key>");
      expect(rest).not.toContain(theirs.id);
      expect(rest).not.toContain(String(theirs.number));
      expect(rest).not.toMatch(/organi[sz]ation|WO-/i);
    }
    // nothing written for the caller, and their order untouched
    expect(await db.workOrder.count({ where: { organizationId: org.organizationId, title: input.title } })).toBe(0);
    expect(await rowsWithKey(key)).toBe(1);
    expect(await db.workOrder.findUniqueOrThrow({ where: { id: theirs.id }, select: { organizationId: true } })).toEqual({ organizationId: other.organizationId });
    expect(await auditsOf(theirs.id)).toBe(1);
  });

  it("answers concurrent replays from two organisations with one order for the first and a conflict for the other", async () => {
    const key = randomUUID();
    const settled = await Promise.allSettled([
      as(org, "technician").maintenance.workOrder.create(leakInput(org, key)),
      as(other, "technician").maintenance.workOrder.create(leakInput(other, key)),
    ]);
    const ok = settled.filter((s) => s.status === "fulfilled");
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0]!.reason as TRPCError).code).toBe("CONFLICT");
    expect(await rowsWithKey(key)).toBe(1);
  });
});
