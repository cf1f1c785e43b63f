import Link from "next/link";
import type { ReactNode } from "react";
import { hasRole, ROLE_LABELS, type RoleName } from "@/lib/roles";
import { Logo } from "@/components/ui/logo";
import { AlertsNavBadge } from "@/components/alerts/alerts-nav-badge";
import { CriticalAlertBanner } from "@/components/alerts/critical-alert-banner";
import { NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";
import { NAV_ITEMS } from "./nav-items";

export function AppShell({ user, children }: { user: { name: string; role: RoleName; organizationName: string }; children: ReactNode }) {
  const items = NAV_ITEMS.filter((i) => hasRole(user.role, i.role)).map(({ href, label, badge }) => ({ href, label, badge }));
  return (
    <div className="min-h-dvh">
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-4 px-4">
          <Link href="/fleet" aria-label="EcoMate home">
            <Logo />
          </Link>
          {/* nine links for an admin: in one row from 1280 px, in the menu below that */}
          <nav aria-label="Main" className="hidden flex-1 xl:block">
            <NavLinks items={items} />
          </nav>
          <div className="ml-auto hidden items-center gap-3 xl:flex">
            <span className="max-w-44 text-right text-sm leading-tight">
              <span className="block truncate font-medium" data-testid="user-name">{user.name}</span>
              <span className="block truncate text-xs text-slate-500" data-testid="user-role" title={`${ROLE_LABELS[user.role]} · ${user.organizationName}`}>
                {ROLE_LABELS[user.role]}
                {/* the organisation where the row has room; its title says it everywhere */}
                <span className="hidden 2xl:inline"> · {user.organizationName}</span>
              </span>
            </span>
            <SignOutButton />
          </div>
          <details className="group relative ml-auto xl:hidden">
            <summary className="relative flex h-10 w-10 cursor-pointer list-none items-center justify-center rounded-lg border border-slate-300" aria-label="Menu">
              <svg viewBox="0 0 24 24" className="h-5 w-5" aria-hidden="true"><path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" /></svg>
              {/* on a phone the count shows on the closed menu too */}
              <AlertsNavBadge testId="alerts-menu-badge" compact />
            </summary>
            <div className="absolute right-0 mt-2 w-64 rounded-xl border border-slate-200 bg-white p-3 shadow-lg">
              <p className="px-2 text-sm font-medium">{user.name}</p>
              <p className="px-2 pb-2 text-xs text-slate-500">{ROLE_LABELS[user.role]} · {user.organizationName}</p>
              <nav aria-label="Main (mobile)">
                <NavLinks items={items} vertical />
              </nav>
              <div className="mt-2 border-t border-slate-100 pt-2">
                <SignOutButton />
              </div>
            </div>
          </details>
        </div>
      </header>
      <CriticalAlertBanner />
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
    </div>
  );
}
