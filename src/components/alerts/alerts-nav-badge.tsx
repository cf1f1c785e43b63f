"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { useAlertFeed, useAlertQueriesLive } from "./use-alert-feed";

/** Unacknowledged critical + major alerts, not shelved (alerts.counts), kept fresh by the live feed. */
export function useUrgentAlertCount(): { total: number; critical: number } | null {
  const trpc = useTRPC();
  const feed = useAlertFeed();
  useAlertQueriesLive(feed);
  const counts = useQuery(trpc.alerts.counts.queryOptions(undefined, { staleTime: 60_000 }));
  if (!counts.data) return null;
  return { total: counts.data.critical + counts.data.major, critical: counts.data.critical };
}

/**
 * The count next to "Alerts" in the navigation. Its text is only the number (for tests and a quick
 * look); the label says what it counts. Hidden at zero, still in the page with "0".
 */
export function AlertsNavBadge({ testId, compact = false }: { testId: string; compact?: boolean }) {
  const count = useUrgentAlertCount();
  if (!count) return null;
  const label = `${count.total} unacknowledged critical or major alert${count.total === 1 ? "" : "s"}`;
  return (
    <span
      data-testid={testId}
      data-critical={count.critical}
      hidden={count.total === 0}
      aria-label={label}
      title={label}
      className={`inline-flex min-w-5 items-center justify-center rounded-full px-1.5 text-xs font-bold leading-5 tabular-nums text-white ${
        count.critical > 0 ? "bg-red-600" : "bg-orange-600"
      } ${compact ? "absolute -right-1.5 -top-1.5 ring-2 ring-white" : ""}`}
    >
      {count.total > 99 ? "99+" : count.total}
    </span>
  );
}
