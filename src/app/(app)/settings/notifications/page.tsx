import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { PageHeader } from "@/components/ui/page-header";
import { NotificationSettingsForm } from "@/components/notifications/notification-settings-form";

export const metadata = { title: "Notification settings" };

export default async function NotificationSettingsPage() {
  await requirePageUser("viewer", "/settings/notifications");
  const api = await serverApi();
  const settings = await api.notifications.preferences.get();
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="Notifications" subtitle="How you hear about alerts when you are not looking at the inbox. These settings are yours alone." />
      <NotificationSettingsForm initial={settings} />
    </div>
  );
}
