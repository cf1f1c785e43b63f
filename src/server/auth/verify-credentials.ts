import type { Db } from "@/server/db";
import { isRole, type RoleName } from "@/lib/roles";
import { dummyPasswordHash, verifyPassword } from "./password";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: RoleName;
  organizationId: string;
  organizationName: string;
}

/** Checks an email and password; returns the user, or null for any failure (never says which part was wrong). */
export async function verifyCredentials(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const user = await db.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, email: true, name: true, role: true, active: true, passwordHash: true, organizationId: true, organization: { select: { name: true } } },
  });
  if (!user || !user.active) {
    await verifyPassword(password, await dummyPasswordHash());
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return toSessionUser(user);
}

/** Loads the current state of a signed-in user (role changes and deactivation take effect at once). */
export async function loadSessionUser(db: Db, userId: string): Promise<SessionUser | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, role: true, active: true, organizationId: true, organization: { select: { name: true } } },
  });
  if (!user || !user.active) return null;
  return toSessionUser(user);
}

function toSessionUser(user: {
  id: string;
  email: string;
  name: string;
  role: string;
  organizationId: string;
  organization: { name: string };
}): SessionUser {
  if (!isRole(user.role)) throw new Error(`user ${user.id} has an unknown role ${user.role}`);
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    organizationId: user.organizationId,
    organizationName: user.organization.name,
  };
}
