"use client";

import { useSyncExternalStore } from "react";
import type { BrowserPermission } from "./browser-notification";

/**
 * This browser's notification permission as a store: components re-render when it changes (the
 * person answers the prompt, or changes it in the site settings, which the Permissions API reports
 * where it exists, and which a return to the tab re-reads otherwise).
 */

const listeners = new Set<() => void>();
let status: PermissionStatus | null = null;

function notify(): void {
  for (const l of listeners) l();
}

/** This browser's permission now (outside React: the show path reads it at the moment of showing). */
export function readBrowserPermission(): BrowserPermission {
  return typeof window !== "undefined" && "Notification" in window ? Notification.permission : "unsupported";
}

function subscribe(onChange: () => void): () => void {
  if (listeners.size === 0) {
    document.addEventListener("visibilitychange", notify);
    void navigator.permissions
      ?.query({ name: "notifications" })
      .then((s) => {
        status = s;
        s.addEventListener("change", notify);
      })
      .catch(() => undefined);
  }
  listeners.add(onChange);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0) {
      document.removeEventListener("visibilitychange", notify);
      status?.removeEventListener("change", notify);
      status = null;
    }
  };
}

export function useBrowserPermission(): BrowserPermission {
  // the server cannot know: "unsupported" until hydrated, so nothing asks or shows before then
  return useSyncExternalStore(subscribe, readBrowserPermission, () => "unsupported");
}

/** Asks for permission; call only from a click (browsers ignore or penalise prompts on load). */
export async function requestBrowserPermission(): Promise<BrowserPermission> {
  if (readBrowserPermission() === "unsupported") return "unsupported";
  try {
    await Notification.requestPermission();
  } finally {
    notify();
  }
  return readBrowserPermission();
}

const never = () => () => undefined;

/** https or localhost; fixed for the page's life. The server assumes yes, so nothing flashes a warning. */
export function useSecureContext(): boolean {
  return useSyncExternalStore(never, () => window.isSecureContext, () => true);
}
