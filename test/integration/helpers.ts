import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { inject } from "vitest";
import { initDb, type Db } from "../../src/server/db";
import { createCaller } from "../../src/server/api/root";
import { hashPassword } from "../../src/server/auth/password";
import type { SessionUser } from "../../src/server/auth/verify-credentials";
import type { RoleName } from "../../src/lib/roles";

export const CHEAP_HASH = { N: 2 ** 10, r: 8, p: 1 };

export function testDb(): Db {
  return initDb(inject("databaseUrl"));
}

export function uid(): string {
  return randomBytes(4).toString("hex");
}

export interface TestOrg {
  organizationId: string;
  slug: string;
  systemCodes: string[];
  siteId: string;
  users: Record<RoleName, SessionUser & { password: string }>;
}

/** A small organisation of its own (one site, `systems` systems with a component each, a user per role). */
export async function makeOrg(db: Db, opts: { systems?: number } = {}): Promise<TestOrg> {
  const u = uid();
  const org = await db.organization.create({ data: { slug: `t-${u}`, name: `Test Org ${u}` } });
  const site = await db.site.create({ data: { organizationId: org.id, code: `S${u}`, name: `Site ${u}`, timeZone: "Europe/Berlin" } });
  const model = await db.systemModel.create({
    data: { organizationId: org.id, code: `M-${u}`, manufacturer: "Test", name: "Test unit", ratedFlowM3h: 10 },
  });
  const systemCodes: string[] = [];
  for (let i = 1; i <= (opts.systems ?? 2); i++) {
    const code = `T${u}-${String(i).padStart(2, "0")}`.toUpperCase();
    const sys = await db.treatmentSystem.create({
      data: { organizationId: org.id, siteId: site.id, modelId: model.id, code, name: `System ${i}`, requiredDoseMjCm2: 40 },
    });
    await db.component.create({ data: { systemId: sys.id, code: "pump-1", type: "pump", name: "Booster pump" } });
    systemCodes.push(code);
  }
  const users = {} as TestOrg["users"];
  for (const role of ["viewer", "technician", "manager", "admin"] as const) {
    const password = `${role}-password-${u}`;
    const user = await db.user.create({
      data: { organizationId: org.id, email: `${role}-${u}@test.local`, name: `${role} ${u}`, role, passwordHash: await hashPassword(password, CHEAP_HASH) },
    });
    users[role] = { id: user.id, email: user.email, name: user.name, role, organizationId: org.id, organizationName: org.name, password };
  }
  return { organizationId: org.id, slug: org.slug, systemCodes, siteId: site.id, users };
}

/** A tRPC caller acting as `user` (or signed out), through the same procedures and role checks as HTTP. */
export function callerAs(db: Db, user: SessionUser | null) {
  return createCaller({ db, user });
}

/** The TRPCError a call was refused with; anything else (success, another error) fails the test. */
export async function errorOf(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  return err;
}
