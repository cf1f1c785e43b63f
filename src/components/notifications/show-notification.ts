"use client";

import { notificationOptions, type BrowserNotificationContent } from "./browser-notification";
import { readBrowserPermission } from "./browser-permission";
import { planDisplay, type DisplayPath, type ShowResult } from "./display-path";
import { notificationWorker } from "./service-worker";

/**
 * Shows an OS notification through the service worker where it runs (the only way on Chrome for
 * Android), else through the page. A click on a service-worker notification is handled by
 * public/sw.js (it focuses an EcoMate tab and opens `content.url`); on the page path `open` does it.
 * Resolves with what happened, for the settings page's test; never rejects.
 */
export async function showBrowserNotification(content: BrowserNotificationContent, open: (url: string) => void): Promise<ShowResult> {
  const permission = readBrowserPermission();
  const secureContext = typeof window !== "undefined" && window.isSecureContext;
  // without permission there is nothing to register the worker for
  const worker = permission === "granted" && secureContext ? await notificationWorker() : null;
  const plan = planDisplay({ permission, secureContext, worker: worker !== null, pageNotification: typeof Notification === "function" });
  if (plan.blocker) return { shown: false, reason: plan.blocker };

  let failure: unknown = null;
  for (const path of plan.paths) {
    try {
      await show(path, worker, content, open);
      return { shown: true, via: path };
    } catch (err) {
      failure = err; // e.g. "Illegal constructor" on Android when the worker could not start
    }
  }
  return { shown: false, reason: "failed", detail: failure instanceof Error ? failure.message : undefined };
}

async function show(path: DisplayPath, worker: ServiceWorkerRegistration | null, content: BrowserNotificationContent, open: (url: string) => void): Promise<void> {
  const options = notificationOptions(content);
  if (path === "service-worker") {
    if (!worker) throw new Error("no service worker");
    await worker.showNotification(content.title, options);
    return;
  }
  const n = new Notification(content.title, options);
  n.onclick = (e) => {
    e.preventDefault();
    window.focus();
    open(content.url);
    n.close();
  };
}
