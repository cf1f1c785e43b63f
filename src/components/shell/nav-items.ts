import type { RoleName } from "@/lib/roles";

export interface NavItem {
  href: string;
  label: string;
  role: RoleName;
  /** a live count shown next to the label */
  badge?: "alerts";
}

// What each role sees in the navigation; the server enforces the same roles on every page and procedure.
export const NAV_ITEMS: NavItem[] = [
  { href: "/fleet", label: "Fleet", role: "viewer" },
  { href: "/alerts", label: "Alerts", role: "viewer", badge: "alerts" },
  { href: "/work-orders", label: "Work orders", role: "viewer" },
  { href: "/parts", label: "Parts", role: "technician" },
  { href: "/schedules", label: "Schedules", role: "manager" },
  { href: "/reliability", label: "Reliability", role: "viewer" },
  { href: "/compliance", label: "Compliance", role: "viewer" },
  { href: "/predictions", label: "Predictions", role: "viewer" },
  { href: "/settings", label: "Settings", role: "viewer" },
  { href: "/admin", label: "Admin", role: "admin" },
];
