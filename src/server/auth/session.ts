import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getDb } from "@/server/db";
import { hasRole, type RoleName } from "@/lib/roles";
import { authOptions } from "./options";
import { loadSessionUser, type SessionUser } from "./verify-credentials";

/**
 * The signed-in user as the database knows them now (a deactivated user or a changed role takes
 * effect at the next request, not when the JWT expires). Null when signed out.
 */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const id = session?.user?.id;
  if (!id) return null;
  return loadSessionUser(getDb(), id);
}

/** For pages: the user, or a redirect to sign-in (signed out) or to /forbidden (role too low). */
export async function requirePageUser(required: RoleName = "viewer", callbackUrl = "/"): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  if (!hasRole(user.role, required)) redirect(`/forbidden?need=${required}`);
  return user;
}
