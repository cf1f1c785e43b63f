import { cache } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { createCaller } from "@/server/api/root";
import { createContext } from "@/server/api/context";

/**
 * The tRPC caller for React Server Components: one context per request, the same role checks as HTTP.
 * Layouts and pages render concurrently, so a signed-out request is redirected here too, not only in the layout.
 */
export const serverApi = cache(async () => {
  const ctx = await createContext();
  if (!ctx.user) {
    const path = (await headers()).get("x-ecomate-path") ?? "/fleet";
    redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  }
  return createCaller(ctx);
});
