import { beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { callerAs, makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
let org: TestOrg;

beforeAll(async () => {
  org = await makeOrg(db);
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return err instanceof TRPCError ? err.code : `unexpected ${String(err)}`;
  }
}

describe("roles are enforced on the server for every procedure", () => {
  it("refuses a signed-out caller with UNAUTHORIZED", async () => {
    const anon = callerAs(db, null);
    expect(await codeOf(anon.fleet.overview())).toBe("UNAUTHORIZED");
    expect(await codeOf(anon.ingestion.metrics())).toBe("UNAUTHORIZED");
  });

  it("lets every role see the fleet", async () => {
    for (const role of ["viewer", "technician", "manager", "admin"] as const) {
      const sites = await callerAs(db, org.users[role]).fleet.overview();
      expect(sites.flatMap((s) => s.systems.map((x) => x.code)).sort()).toEqual(org.systemCodes);
    }
  });

  it("gives a viewer FORBIDDEN for a manager-only procedure, and changes nothing", async () => {
    const code = org.systemCodes[0]!;
    const auditBefore = await db.auditLog.count({ where: { organizationId: org.organizationId } });
    const err = await callerAs(db, org.users.viewer)
      .fleet.setAutonomyLevel({ code, level: "autonomous" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("FORBIDDEN");
    expect((err as TRPCError).message).toMatch(/needs the manager role.*viewer/);
    const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code } });
    expect(sys.autonomyLevel).toBe("off");
    expect(await db.auditLog.count({ where: { organizationId: org.organizationId } })).toBe(auditBefore);
    // a technician is refused too; a manager may, and it is audited
    expect(await codeOf(callerAs(db, org.users.technician).fleet.setAutonomyLevel({ code, level: "advisory" }))).toBe("FORBIDDEN");
    const done = await callerAs(db, org.users.manager).fleet.setAutonomyLevel({ code, level: "advisory" });
    expect(done.autonomyLevel).toBe("advisory");
    const audit = await db.auditLog.findFirstOrThrow({ where: { organizationId: org.organizationId, action: "system.set_autonomy_level" } });
    expect(audit.userId).toBe(org.users.manager.id);
  });

  it("keeps admin procedures for admins", async () => {
    const usersBefore = await db.user.count({ where: { organizationId: org.organizationId } });
    for (const role of ["viewer", "technician", "manager"] as const) {
      const caller = callerAs(db, org.users[role]);
      expect(await codeOf(caller.admin.users.list())).toBe("FORBIDDEN");
      expect(await codeOf(caller.admin.users.create({ email: `x-${role}@t.local`, name: "X", role: "admin", password: "long-enough-pw" }))).toBe("FORBIDDEN");
      expect(await codeOf(caller.ingestion.devices.create({ systemCode: org.systemCodes[0]! }))).toBe("FORBIDDEN");
    }
    expect(await db.user.count({ where: { organizationId: org.organizationId } })).toBe(usersBefore);
    expect(await db.device.count({ where: { organizationId: org.organizationId } })).toBe(0);
    const list = await callerAs(db, org.users.admin).admin.users.list();
    expect(list.map((u) => u.role).sort()).toEqual(["admin", "manager", "technician", "viewer"]);
  });

  it("rejects bad input with BAD_REQUEST naming the field, and stores nothing", async () => {
    const admin = callerAs(db, org.users.admin);
    const err = (await admin.admin.users.create({ email: "not-an-email", name: "N", role: "viewer", password: "short" }).catch((e: unknown) => e)) as TRPCError;
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/email/i);
    expect(err.message).toMatch(/10 characters/);
    expect(await db.user.count({ where: { email: "not-an-email" } })).toBe(0);
  });

  it("maps a domain NOT_FOUND to tRPC NOT_FOUND with the id in the message", async () => {
    const err = (await callerAs(db, org.users.viewer).fleet.system({ code: "NO-SUCH-SYSTEM" }).catch((e: unknown) => e)) as TRPCError;
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toContain("NO-SUCH-SYSTEM");
  });

  it("stops honouring a deactivated user at once (context loads the user per request)", async () => {
    const { loadSessionUser } = await import("../../src/server/auth/verify-credentials");
    const extra = await makeOrg(db, { systems: 1 });
    expect(await loadSessionUser(db, extra.users.viewer.id)).not.toBeNull();
    await db.user.update({ where: { id: extra.users.viewer.id }, data: { active: false } });
    expect(await loadSessionUser(db, extra.users.viewer.id)).toBeNull();
  });
});
