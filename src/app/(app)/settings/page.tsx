import { redirect } from "next/navigation";

// Settings has one page so far: a person's notifications.
export default function SettingsPage() {
  redirect("/settings/notifications");
}
