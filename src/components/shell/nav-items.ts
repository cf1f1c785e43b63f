import type { RoleName } from "@/lib/roles";

export interface NavItem {
  href: string;
  label: string;
  role: RoleName;
}

// What each role sees in the navigation; the server enforces the same roles on every page and procedure.
export const NAV_ITEMS: NavItem[] = [
  { href: "/fleet", label: "Fleet", role: "viewer" },
  { href: "/work-orders", label: "Work orders", role: "viewer" },
  { href: "/admin", label: "Admin", role: "admin" },
];
