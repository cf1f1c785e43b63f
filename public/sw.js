/*
 * EcoMate's service worker: it exists only so alerts can be shown as OS notifications where a page
 * cannot show them itself (Chrome on Android allows only registration.showNotification), and to
 * handle a click on one. Registered by src/components/notifications/service-worker.ts; plain
 * JavaScript, served as is from /sw.js (not bundled).
 *
 * There is deliberately no "fetch" handler: every page, asset and API request goes to the network
 * exactly as without a service worker, so an operator can never be shown stale data from here.
 */
"use strict";

// A new version takes over at once: it holds no state that an older one could still need.
self.addEventListener("install", () => {
  self.skipWaiting();
});

// Control the tabs already open, so a notification click can navigate them (navigate() requires it).
self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openInTab(targetUrl(event.notification.data)));
});

/** The alert's page from notification.data.url, kept to this origin (anything else opens the app's start). */
function targetUrl(data) {
  const home = new URL("/", self.location.origin).href;
  if (!data || typeof data.url !== "string") return home;
  try {
    const url = new URL(data.url, self.location.origin);
    return url.origin === self.location.origin ? url.href : home;
  } catch {
    return home;
  }
}

/** Bring an open EcoMate tab forward on the URL, or open a window when there is none. */
async function openInTab(url) {
  const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  // a tab already on the alert, else the one last used (Chrome lists the most recently focused first)
  const tab = tabs.find((t) => t.url === url) ?? tabs.find((t) => t.focused) ?? tabs[0];
  if (!tab) {
    await self.clients.openWindow(url);
    return;
  }
  try {
    const focused = await tab.focus();
    if (focused.url !== url) await focused.navigate(url);
  } catch {
    // a tab this worker does not control (opened before it was installed) cannot be navigated
    await self.clients.openWindow(url);
  }
}
