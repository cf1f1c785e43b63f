import { getDb } from "@/server/db";
import { currentUser } from "@/server/auth/session";
import type { Context } from "@/server/api/trpc";

export async function createContext(): Promise<Context> {
  return { db: getDb(), user: await currentUser() };
}
