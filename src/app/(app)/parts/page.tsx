import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { hasRole } from "@/lib/roles";
import { PartsCatalogue } from "@/components/parts/parts-catalogue";

export const metadata = { title: "Parts" };

export default async function PartsPage() {
  const user = await requirePageUser("technician", "/parts");
  const api = await serverApi();
  const [parts, options] = await Promise.all([api.maintenance.parts.list(), api.maintenance.parts.options()]);
  return <PartsCatalogue initial={parts} options={options} canManage={hasRole(user.role, "manager")} />;
}
