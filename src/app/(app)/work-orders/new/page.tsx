import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { NewWorkOrderForm } from "@/components/work-orders/new-work-order-form";
import { WORK_ORDER_TYPES, type WorkOrderTypeName } from "@/components/work-orders/format";

export const metadata = { title: "New work order" };

function first(v: string | string[] | undefined): string | null {
  const s = (Array.isArray(v) ? v[0] : v)?.trim().slice(0, 64);
  return s ? s : null;
}

// Prefilled from a component's page or QR label: /work-orders/new?system=NBG-01&component=pump-1
export default async function NewWorkOrderPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const qs = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
  const user = await requirePageUser("technician", `/work-orders/new${qs.size ? `?${qs}` : ""}`);
  const api = await serverApi();
  const systems = await api.fleet.systems();
  const system = first(params.system);
  const type = first(params.type);
  return (
    <NewWorkOrderForm
      user={{ id: user.id, role: user.role }}
      systems={systems.map((s) => ({ code: s.code, name: s.name }))}
      defaults={{
        system: system && systems.some((s) => s.code === system) ? system : null,
        component: system ? first(params.component) : null,
        type: type && (WORK_ORDER_TYPES as readonly string[]).includes(type) ? (type as WorkOrderTypeName) : "corrective",
      }}
    />
  );
}
