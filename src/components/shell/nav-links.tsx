"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { AlertsNavBadge } from "@/components/alerts/alerts-nav-badge";
import type { NavItem } from "./nav-items";

export function NavLinks({ items, vertical = false }: { items: Omit<NavItem, "role">[]; vertical?: boolean }) {
  const pathname = usePathname();
  return (
    <ul className={vertical ? "flex flex-col gap-1" : "flex items-center gap-1"}>
      {items.map((item) => {
        const active = pathname === item.href || pathname.startsWith(item.href + "/");
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`flex items-center gap-2 rounded-lg px-3 py-2 text-sm font-medium ${active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
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
