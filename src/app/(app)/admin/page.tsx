import Link from "next/link";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { PageHeader } from "@/components/ui/page-header";
import { UsersPanel } from "@/components/admin/users-panel";
import { DevicesPanel } from "@/components/admin/devices-panel";

export const metadata = { title: "Admin" };

export default async function AdminPage() {
  const user = await requirePageUser("admin", "/admin");
  const api = await serverApi();
  const systems = await api.fleet.systems();
  return (
    <>
      <PageHeader
        title="Admin"
        subtitle="Users, roles and devices of your organisation."
        actions={<Link href="/admin/notifications" className="text-sm font-medium text-brand-700 hover:underline">Notification channels and maintenance windows →</Link>}
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <UsersPanel currentUserId={user.id} />
        <DevicesPanel systems={systems.map((s) => ({ code: s.code, name: s.name }))} />
      </div>
    </>
  );
}
