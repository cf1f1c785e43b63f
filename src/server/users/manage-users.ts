import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { recordAudit, type Actor } from "@/server/audit";
import { hashPassword, passwordProblem } from "@/server/auth/password";
import { isRole, ROLES, type RoleName } from "@/lib/roles";

export interface UserSummary {
  id: string;
  email: string;
  name: string;
  role: RoleName;
  active: boolean;
  organization: string;
  lastLoginAt: Date | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkRole(role: string): RoleName {
  if (!isRole(role)) throw new AppError("BAD_REQUEST", `Unknown role "${role}": use one of ${ROLES.join(", ")}.`);
  return role;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError("BAD_REQUEST", problem);
}

export async function createUser(
  db: Db,
  scope: Scope,
  actor: Actor,
  input: { email: string; name: string; role: string; password: string; organizationSlug?: string },
  options: { hashCost?: { N: number; r: number; p: number } } = {},
): Promise<UserSummary> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new AppError("BAD_REQUEST", `"${input.email}" is not an email address.`);
  const role = checkRole(input.role);
  checkPassword(input.password);
  const name = input.name.trim() || email;

  let organizationId: string;
  if ("all" in scope) {
    if (!input.organizationSlug) {
      const orgs = await db.organization.findMany({ select: { slug: true }, take: 2 });
      if (orgs.length !== 1) throw new AppError("BAD_REQUEST", "Name the organisation with --org <slug> (there is not exactly one).");
      input.organizationSlug = orgs[0]!.slug;
    }
    const org = await db.organization.findUnique({ where: { slug: input.organizationSlug }, select: { id: true } });
    if (!org) throw notFound("Organisation", input.organizationSlug);
    organizationId = org.id;
  } else {
    organizationId = scope.organizationId;
  }

  if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new AppError("CONFLICT", `A user with email ${email} already exists.`);
  }
  const passwordHash = await hashPassword(input.password, options.hashCost);
  const user = await db.$transaction(async (tx) => {
    const created = await tx.user.create({
      data: { email, name, role, passwordHash, organizationId },
      select: { id: true, email: true, name: true, role: true, active: true, lastLoginAt: true, organization: { select: { slug: true } } },
    });
    await recordAudit(tx, actor, { organizationId, action: "user.create", entityType: "user", entityId: created.id, details: { email, role } });
    return created;
  });
  return { ...user, role, organization: user.organization.slug };
}

export async function resetPassword(db: Db, scope: Scope, actor: Actor, email: string, password: string): Promise<{ email: string }> {
  checkPassword(password);
  const user = await db.user.findFirst({ where: { email: email.trim().toLowerCase(), ...orgFilter(scope) }, select: { id: true, email: true, organizationId: true } });
  if (!user) throw notFound("User", email);
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await recordAudit(tx, actor, { organizationId: user.organizationId, action: "user.reset_password", entityType: "user", entityId: user.id });
  });
  return { email: user.email };
}

export async function listUsers(db: Db, scope: Scope): Promise<UserSummary[]> {
  const rows = await db.user.findMany({
    where: orgFilter(scope),
    select: { id: true, email: true, name: true, role: true, active: true, lastLoginAt: true, organization: { select: { slug: true } } },
    orderBy: [{ organization: { slug: "asc" } }, { email: "asc" }],
  });
  return rows.map((u) => ({ ...u, role: checkRole(u.role), organization: u.organization.slug }));
}

export async function setUserRole(db: Db, scope: Scope, actor: Actor, userId: string, role: string): Promise<UserSummary> {
  const newRole = checkRole(role);
  const user = await db.user.findFirst({ where: { id: userId, ...orgFilter(scope) }, select: { id: true, organizationId: true, role: true } });
  if (!user) throw notFound("User", userId);
  if (actor.type === "user" && actor.userId === userId && newRole !== "admin") {
    throw new AppError("BAD_REQUEST", "You cannot take the admin role from yourself; ask another admin.");
  }
  const updated = await db.$transaction(async (tx) => {
    const u = await tx.user.update({
      where: { id: userId },
      data: { role: newRole },
      select: { id: true, email: true, name: true, role: true, active: true, lastLoginAt: true, organization: { select: { slug: true } } },
    });
    await recordAudit(tx, actor, { organizationId: user.organizationId, action: "user.set_role", entityType: "user", entityId: userId, details: { from: user.role, to: newRole } });
    return u;
  });
  return { ...updated, role: newRole, organization: updated.organization.slug };
}
