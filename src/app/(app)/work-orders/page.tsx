import { redirect } from "next/navigation";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { WorkOrderList } from "@/components/work-orders/work-order-list";
import { defaultQueryFor, filtersToQuery, listInput, parseFilters } from "@/components/work-orders/filters";

export const metadata = { title: "Work orders" };

export default async function WorkOrdersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const filters = parseFilters(params);
  const query = filtersToQuery(filters);
  const user = await requirePageUser("viewer", query ? `/work-orders?${query}` : "/work-orders");
  // a technician's home is their own orders; the URL says so, so it can be changed and shared
  const fallback = defaultQueryFor(user.role, Object.keys(params).length > 0);
  if (fallback) redirect(`/work-orders?${fallback}`);
  const api = await serverApi();
  const [orders, systems] = await Promise.all([
    // a failure here is shown (and retried) by the list in the browser rather than as an error page
    api.maintenance.workOrder.list(listInput(filters)).catch(() => null),
    api.fleet.systems(),
  ]);
  return (
    <WorkOrderList
      user={{ id: user.id, role: user.role }}
      systems={systems.map((s) => ({ code: s.code, name: s.name }))}
      initialFilters={filters}
      initialOrders={orders}
    />
  );
}
