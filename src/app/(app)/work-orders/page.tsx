import { serverApi } from "@/server/api/server-caller";
import { Card, PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";

export const metadata = { title: "Work orders" };

const dateFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" });

export default async function WorkOrdersPage() {
  const api = await serverApi();
  const orders = await api.maintenance.workOrder.list({ status: ["requested", "open", "in_progress", "on_hold"] });
  return (
    <>
      <PageHeader title="Work orders" subtitle="Open maintenance work across the fleet, soonest due first." />
      <Card>
        {orders.length === 0 ? (
          <p className="p-6 text-slate-600">No open work orders.</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {orders.map((wo) => (
              <li key={wo.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3">
                <span className="font-mono text-sm text-slate-500">WO-{wo.number}</span>
                <span className="flex-1 font-medium">{wo.title}</span>
                <span className="text-sm text-slate-500">
                  {wo.system}
                  {wo.component ? ` / ${wo.component}` : ""}
                </span>
                <span className="text-sm text-slate-500">{wo.dueAt ? `due ${dateFmt.format(wo.dueAt)}` : "no due date"}</span>
                <StatusBadge status={wo.status} />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
