"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { useLiveEvent, type LiveFeed } from "@/components/live/use-live-feed";
import { browserNotificationContent, shouldNotifyInBrowser } from "./browser-notification";
import { useBrowserPermission } from "./browser-permission";
import { notificationWorker } from "./service-worker";
import { showBrowserNotification } from "./show-notification";

/**
 * OS notifications for new alerts of the live feed while the tab is in the background, by the
 * person's settings (/settings/notifications). Mounted once per page, by the critical-alert banner.
 */
export function useBrowserNotifications(feed: LiveFeed): void {
  const trpc = useTRPC();
  const router = useRouter();
  const permission = useBrowserPermission();
  // without permission nothing can show: do not even load the settings
  const settings = useQuery(trpc.notifications.preferences.get.queryOptions(undefined, { enabled: permission === "granted", staleTime: 5 * 60_000 }));
  const enabled = permission === "granted" && settings.data?.browser.enabled === true;

  // registered ahead of the first alert, so that one is not delayed by the worker's install
  useEffect(() => {
    if (enabled) void notificationWorker();
  }, [enabled]);

  useLiveEvent(feed, "alert", (event) => {
    const ctx = { preference: settings.data?.browser ?? null, permission, hidden: document.visibilityState === "hidden" };
    if (!shouldNotifyInBrowser(event, ctx)) return;
    void showBrowserNotification(browserNotificationContent(event), (url) => router.push(url));
  });
}
