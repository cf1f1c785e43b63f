import type { ReactNode } from "react";
import { headers } from "next/headers";
import { requirePageUser } from "@/server/auth/session";
import { AppShell } from "@/components/shell/app-shell";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const path = (await headers()).get("x-ecomate-path") ?? "/fleet";
  const user = await requirePageUser("viewer", path);
  return <AppShell user={user}>{children}</AppShell>;
}
