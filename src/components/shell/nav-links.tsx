"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { AlertsNavBadge } from "@/components/alerts/alerts-nav-badge";
import type { NavItem } from "./nav-items";

export function NavLinks({ items, vertical = false }: { items: Omit<NavItem, "role">[]; vertical?: boolean }) {
  const pathname = usePathname();
  // the most specific link wins: /alerts/rules lights "Alert rules", not "Alerts" as well
  const current = items
    .filter((item) => pathname === item.href || pathname.startsWith(item.href + "/"))
    .reduce<string | null>((best, item) => (best === null || item.href.length > best.length ? item.href : best), null);
  return (
    <ul className={vertical ? "flex flex-col gap-1" : "flex items-center gap-1"}>
      {items.map((item) => {
        const active = item.href === current;
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`flex items-center gap-2 whitespace-nowrap rounded-lg py-2 text-sm font-medium ${vertical ? "px-3" : "px-2.5"} ${active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {item.label}
              {/* the mobile menu repeats the links: one badge keeps the plain test id */}
              {item.badge === "alerts" ? <AlertsNavBadge testId={vertical ? "alerts-nav-badge-menu" : "alerts-nav-badge"} /> : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
