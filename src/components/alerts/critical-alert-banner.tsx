"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { useLiveEvent } from "@/components/live/use-live-feed";
import { useBrowserNotifications } from "@/components/notifications/use-browser-notifications";
import type { LiveAlertEvent } from "@/lib/live-events";
import { playCriticalTone } from "./alert-sound";
import { SoundToggle } from "./sound-toggle";
import { missedCriticals } from "./missed-criticals";
import { useAlertFeed } from "./use-alert-feed";

const MAX_SHOWN = 3;

type Cue = Pick<LiveAlertEvent, "alertId" | "systemCode" | "isCompliance" | "message">;

/**
 * The visible and audible cue for a NEW critical alert (change "raised"), on every page of the app:
 * it stays until dismissed, and plays the tone when sound is on. Re-armed or repeated alerts do not
 * ring again (the inbox shows their repeat count); escalation is the notifier's job.
 */
export function CriticalAlertBanner() {
  const feed = useAlertFeed();
  // the hidden-tab counterpart of this banner: OS notifications by the person's settings
  useBrowserNotifications(feed);
  const [raised, setRaised] = useState<Cue[]>([]);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // every alert cued on this page (dismissed ones too), and since when the feed may have missed some
  const cued = useRef(new Set<string>());
  const listeningSince = useRef<number | null>(null);
  const wasLive = useRef(false);

  const cue = (alerts: Cue[]) => {
    const fresh = alerts.filter((a) => !cued.current.has(a.alertId));
    if (!fresh.length) return;
    for (const a of fresh) cued.current.add(a.alertId);
    setRaised((prev) => [...fresh, ...prev]);
    playCriticalTone();
  };

  useLiveEvent(feed, "alert", (event) => {
    if (event.change !== "raised" || event.severity !== "critical") return;
    cue([event]);
  });

  // the feed does not replay: when it comes up (again), cue the criticals raised while it was away
  useLiveEvent(feed, "ready", () => {
    const since = listeningSince.current ?? performance.timeOrigin;
    void queryClient
      .fetchQuery(trpc.alerts.list.queryOptions({ status: "unacknowledged", severities: ["critical"], shelved: "hide", limit: 20 }))
      .then((page) => cue(missedCriticals(page.items, since, cued.current)))
      .catch(() => undefined); // the inbox and the badge show them anyway
  });
  useEffect(() => {
    if (feed.status === "live") wasLive.current = true;
    else if (wasLive.current) {
      wasLive.current = false;
      listeningSince.current = Date.now();
    }
  }, [feed.status]);

  if (raised.length === 0) return null;
  const dismiss = (id: string) => setRaised((prev) => prev.filter((e) => e.alertId !== id));
  const shown = raised.slice(0, MAX_SHOWN);
  const more = raised.length - shown.length;

  return (
    <div className="sticky top-14 z-10 border-b-4 border-red-800 bg-red-700 text-white shadow-md" data-testid="critical-alert-banner" role="alert">
      <div className="mx-auto max-w-6xl px-4 py-2">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="flex items-center gap-2 text-sm font-semibold uppercase tracking-wide">
            <svg viewBox="0 0 24 24" className="h-5 w-5 shrink-0" aria-hidden="true">
              <path d="M12 3 2 20h20L12 3Z" fill="currentColor" />
              <path d="M12 10v4.5M12 17.2v.3" stroke="#b91c1c" strokeWidth="2.2" strokeLinecap="round" />
            </svg>
            {raised.length === 1 ? "New critical alert" : `${raised.length} new critical alerts`}
          </p>
          <div className="flex items-center gap-2">
            <SoundToggle className="border-white/60 bg-white text-slate-900" />
            {raised.length > 1 ? (
              <button type="button" onClick={() => setRaised([])} className="min-h-9 rounded-lg px-3 py-1.5 text-sm font-medium underline underline-offset-2 hover:bg-red-800">
                Dismiss all
              </button>
            ) : null}
          </div>
        </div>
        <ul className="mt-1 divide-y divide-red-600">
          {shown.map((e) => (
            <li key={e.alertId} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5" data-testid={`critical-alert-${e.alertId}`}>
              <span className="min-w-0 flex-1 basis-56 text-sm">
                <span className="font-mono font-semibold">{e.systemCode}</span>
                {e.isCompliance ? <span className="ml-1.5 rounded bg-white/20 px-1 text-xs font-semibold">Compliance</span> : null}
                <span className="ml-1.5 break-words">{e.message}</span>
              </span>
              <span className="flex shrink-0 items-center gap-2">
                <Link
                  href={`/alerts/${encodeURIComponent(e.alertId)}`}
                  onClick={() => dismiss(e.alertId)}
                  className="min-h-9 rounded-lg bg-white px-3 py-1.5 text-sm font-semibold text-red-800 hover:bg-red-50"
                >
                  Open alert
                </Link>
                <button
                  type="button"
                  onClick={() => dismiss(e.alertId)}
                  aria-label={`Dismiss the banner for ${e.systemCode}: ${e.message}`}
                  className="min-h-9 rounded-lg border border-white/60 px-3 py-1.5 text-sm font-medium hover:bg-red-800"
                >
                  Dismiss
                </button>
              </span>
            </li>
          ))}
        </ul>
        {more > 0 ? (
          <p className="pb-1 text-sm">
            and {more} more —{" "}
            <Link href="/alerts?severity=critical" className="font-semibold underline underline-offset-2">
              see all critical alerts
            </Link>
          </p>
        ) : null}
      </div>
    </div>
  );
}
