import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { WorkOrderDetail } from "@/components/work-orders/work-order-detail";

export const metadata = { title: "Work order" };

export default async function WorkOrderPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const user = await requirePageUser("viewer", `/work-orders/${encodeURIComponent(id)}`);
  const api = await serverApi();
  const [order, context] = await Promise.all([
    api.maintenance.workOrder.get({ id }).catch((err: unknown) => {
      // an id that cannot exist (too long, empty) is as missing as one that does not
      if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
      throw err;
    }),
    // the page is useful without it; the browser fetches it again
    api.maintenance.workOrder.context({ id }).catch(() => null),
  ]);
  return <WorkOrderDetail initial={order} initialContext={context} user={{ id: user.id, name: user.name, role: user.role }} />;
}
