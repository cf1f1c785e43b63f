import { beforeAll, describe, expect, it } from "vitest";
import { verifyCredentials } from "../../src/server/auth/verify-credentials";
import { createUser, resetPassword } from "../../src/server/users/manage-users";
import { verifyPassword } from "../../src/server/auth/password";
import { AppError } from "../../src/server/errors";
import { CHEAP_HASH, makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();
let org: TestOrg;

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
});

describe("credentials", () => {
  it("accepts the right password (email case-insensitive) and records the login", async () => {
    const u = org.users.technician;
    const user = await verifyCredentials(db, u.email.toUpperCase(), u.password);
    expect(user).toMatchObject({ id: u.id, role: "technician", organizationId: org.organizationId });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).lastLoginAt).not.toBeNull();
  });

  it("refuses a wrong password, an unknown email and a deactivated user alike", async () => {
    const u = org.users.manager;
    expect(await verifyCredentials(db, u.email, u.password + "x")).toBeNull();
    expect(await verifyCredentials(db, `nobody-${uid()}@test.local`, "whatever-password")).toBeNull();
    await db.user.update({ where: { id: org.users.viewer.id }, data: { active: false } });
    expect(await verifyCredentials(db, org.users.viewer.email, org.users.viewer.password)).toBeNull();
  });

  it("creates users with a slow salted hash, refuses duplicates and weak passwords", async () => {
    const email = `new-${uid()}@test.local`;
    const created = await createUser(db, { organizationId: org.organizationId }, { type: "cli", label: "t" }, { email, name: "New", role: "technician", password: "a-good-password" }, { hashCost: CHEAP_HASH });
    expect(created.role).toBe("technician");
    const row = await db.user.findUniqueOrThrow({ where: { email } });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(row.passwordHash).not.toContain("a-good-password");
    await expect(createUser(db, { organizationId: org.organizationId }, { type: "cli", label: "t" }, { email, name: "Again", role: "viewer", password: "a-good-password" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createUser(db, { organizationId: org.organizationId }, { type: "cli", label: "t" }, { email: `w-${uid()}@t.local`, name: "W", role: "viewer", password: "short" })).rejects.toBeInstanceOf(AppError);
    await expect(createUser(db, { organizationId: org.organizationId }, { type: "cli", label: "t" }, { email: `r-${uid()}@t.local`, name: "R", role: "root", password: "long-enough-password" })).rejects.toThrow(/Unknown role "root"/);
  });

  it("resets a password: the old one stops working", async () => {
    const u = org.users.admin;
    await resetPassword(db, { all: true }, { type: "cli", label: "t" }, u.email, "brand-new-password");
    const row = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(await verifyPassword("brand-new-password", row.passwordHash)).toBe(true);
    expect(await verifyPassword(u.password, row.passwordHash)).toBe(false);
  });
});
