import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { hasRole } from "@/lib/roles";
import { SchedulesView } from "@/components/schedules/schedules-view";

export const metadata = { title: "Schedules" };

export default async function SchedulesPage() {
  const user = await requirePageUser("manager", "/schedules");
  const api = await serverApi();
  const [schedules, options] = await Promise.all([api.maintenance.schedule.list(), api.maintenance.schedule.options()]);
  return <SchedulesView initial={schedules} options={options} canEdit={hasRole(user.role, "manager")} />;
}
