import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { PartsRequests } from "@/components/parts/parts-requests";

export const metadata = { title: "Parts requests" };

export default async function PartsRequestsPage() {
  const user = await requirePageUser("technician", "/parts/requests");
  const api = await serverApi();
  const [requests, parts, options] = await Promise.all([
    api.maintenance.parts.request.list({ status: ["requested", "approved", "ordered"] }),
    api.maintenance.parts.list(),
    api.maintenance.parts.options(),
  ]);
  return (
    <PartsRequests
      initial={requests}
      parts={parts.map((p) => ({ id: p.id, partNumber: p.partNumber, name: p.name, unit: p.unit }))}
      sites={options.sites}
      user={{ id: user.id, role: user.role }}
    />
  );
}
