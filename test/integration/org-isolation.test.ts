import { beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { callerAs, makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
let a: TestOrg;
let b: TestOrg;

beforeAll(async () => {
  [a, b] = await Promise.all([makeOrg(db, { systems: 3 }), makeOrg(db, { systems: 2 })]);
});

describe("organisations are separate", () => {
  it("a user of one organisation sees none of the other's fleet", async () => {
    for (const role of ["viewer", "admin"] as const) {
      const codes = (await callerAs(db, a.users[role]).fleet.systems()).map((s) => s.code);
      expect(codes.sort()).toEqual(a.systemCodes);
      for (const c of b.systemCodes) expect(codes).not.toContain(c);
    }
    const sites = await callerAs(db, b.users.viewer).fleet.overview();
    expect(sites).toHaveLength(1);
    expect(sites[0]!.systems.map((s) => s.code).sort()).toEqual(b.systemCodes);
  });

  it("cannot open another organisation's system, twin or work orders by code", async () => {
    const other = b.systemCodes[0]!;
    for (const call of [() => callerAs(db, a.users.admin).fleet.system({ code: other }), () => callerAs(db, a.users.viewer).twin.state({ systemCode: other })]) {
      const err = (await call().catch((e: unknown) => e)) as TRPCError;
      expect(err.code).toBe("NOT_FOUND");
    }
    expect(await callerAs(db, a.users.viewer).maintenance.workOrder.list({ systemCode: other })).toEqual([]);
  });

  it("cannot list, rotate or revoke another organisation's devices or users", async () => {
    const adminB = callerAs(db, b.users.admin);
    const device = await adminB.ingestion.devices.create({ systemCode: b.systemCodes[0]! });
    const adminA = callerAs(db, a.users.admin);
    expect((await adminA.ingestion.devices.list()).map((d) => d.id)).not.toContain(device.id);
    for (const call of [() => adminA.ingestion.devices.revoke({ id: device.id }), () => adminA.ingestion.devices.rotate({ id: device.id })]) {
      expect(((await call().catch((e: unknown) => e)) as TRPCError).code).toBe("NOT_FOUND");
    }
    const stored = await db.device.findUniqueOrThrow({ where: { id: device.id } });
    expect(stored.revokedAt).toBeNull();
    // creating a device for another organisation's system is refused, too
    expect(((await adminA.ingestion.devices.create({ systemCode: b.systemCodes[0]! }).catch((e: unknown) => e)) as TRPCError).code).toBe("NOT_FOUND");
    const emails = (await adminA.admin.users.list()).map((u) => u.email);
    expect(emails.some((e) => e.includes(b.slug.slice(2)))).toBe(false);
    expect(((await adminA.admin.users.setRole({ userId: b.users.viewer.id, role: "admin" }).catch((e: unknown) => e)) as TRPCError).code).toBe("NOT_FOUND");
    expect((await db.user.findUniqueOrThrow({ where: { id: b.users.viewer.id } })).role).toBe("viewer");
  });
});
