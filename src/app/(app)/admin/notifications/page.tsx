import Link from "next/link";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { hasRole } from "@/lib/roles";
import { PageHeader } from "@/components/ui/page-header";
import { ChannelsPanel } from "@/components/notifications/channels-panel";
import { MaintenanceWindowsPanel } from "@/components/notifications/maintenance-windows-panel";

export const metadata = { title: "Notifications" };

// Channels are organisation settings (admins); maintenance windows silence alarms like shelving
// does, so managers set them too (contracts.md roles).
export default async function AdminNotificationsPage() {
  const user = await requirePageUser("manager", "/admin/notifications");
  const admin = hasRole(user.role, "admin");
  const api = await serverApi();
  const systems = await api.fleet.systems();
  return (
    <>
      {admin ? (
        <p className="mb-2 text-sm">
          <Link href="/admin" className="text-brand-700 hover:underline">
            ← Admin
          </Link>
        </p>
      ) : null}
      <PageHeader
        title="Notifications"
        subtitle={admin ? "Where alerts are sent outside the app, and when a system stays quiet." : "Maintenance windows: when a system's alerts stay quiet."}
        actions={
          <Link href="/settings/notifications" className="text-sm font-medium text-brand-700 hover:underline">
            My own notifications →
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        {admin ? <ChannelsPanel /> : null}
        <MaintenanceWindowsPanel systems={systems.map((s) => ({ code: s.code, name: s.name }))} />
      </div>
    </>
  );
}
