import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { AlertDetail } from "@/components/alerts/alert-detail";

export const metadata = { title: "Alert" };

export default async function AlertPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const user = await requirePageUser("viewer", `/alerts/${encodeURIComponent(id)}`);
  const api = await serverApi();
  const alert = await api.alerts.get({ id }).catch((err: unknown) => {
    // an id that cannot exist (too long, empty) is as missing as one that does not
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  });
  // the rule's metric gives the units of its threshold, deadband and the alert's value
  const rules = alert.rule ? await api.alerts.rules.list({ systemCode: alert.system.code }) : [];
  const metric = rules.find((r) => r.id === alert.rule?.id)?.metric ?? null;
  return <AlertDetail initial={alert} user={{ id: user.id, role: user.role }} metric={metric} />;
}
