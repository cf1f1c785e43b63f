"use client";

import { canRegisterWorker } from "./display-path";

/**
 * The registration of public/sw.js, the notification-only service worker (it caches nothing), made
 * once per page load and only once notifications are in use: the hook registers it when the person
 * has them on and this browser allowed them, the settings page's test when it is pressed.
 */

/** How long a first install may take before a notification falls back to the page's own. */
const ACTIVATE_TIMEOUT_MS = 5_000;

let pending: Promise<ServiceWorkerRegistration | null> | null = null;

/** The active registration, or null where there is none to be had; never throws, never blocks the page. */
export function notificationWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!pending) {
    pending = register().then((reg) => {
      // a failed attempt (offline, a server error) is retried on the next call
      if (!reg) pending = null;
      return reg;
    });
  }
  return pending;
}

async function register(): Promise<ServiceWorkerRegistration | null> {
  if (typeof window === "undefined" || !canRegisterWorker({ secureContext: window.isSecureContext, serviceWorkerApi: "serviceWorker" in navigator })) {
    return null;
  }
  try {
    // updateViaCache "none": a changed sw.js reaches every browser on its next page load
    const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" });
    if (reg.active) return reg;
    // first install: showNotification needs an active worker, `ready` resolves once it is
    return await Promise.race([navigator.serviceWorker.ready, new Promise<null>((resolve) => setTimeout(() => resolve(null), ACTIVATE_TIMEOUT_MS))]);
  } catch (err) {
    console.warn("EcoMate: the notification service worker did not register", err);
    return null;
  }
}
