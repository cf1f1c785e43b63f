/**
 * Which way this browser can show an OS notification, and what to tell a person when it cannot:
 * pure, so the choices are unit tested; show-notification.ts acts on them.
 *
 * Chrome on Android has `window.Notification` but its constructor throws ("Illegal constructor"):
 * only a service worker's `registration.showNotification` works there. Desktop browsers take both,
 * so the service worker goes first everywhere and the page's `new Notification` is the fallback
 * (no service worker support, or its registration failed).
 */
import type { BrowserPermission } from "./browser-notification";

export interface DisplayCapabilities {
  permission: BrowserPermission;
  /** window.isSecureContext: https, or localhost during development */
  secureContext: boolean;
  /** an active registration of public/sw.js */
  worker: boolean;
  /** window.Notification is a constructor (it may still throw, see above) */
  pageNotification: boolean;
}

export type DisplayPath = "service-worker" | "page";

/** Why nothing can be shown: each has its own advice for the person. */
export type NotifyBlocker = "insecure" | "unsupported" | "denied" | "not-allowed";

export type DisplayPlan = { paths: DisplayPath[]; blocker: null } | { paths: []; blocker: NotifyBlocker };

export function planDisplay(caps: DisplayCapabilities): DisplayPlan {
  // first: plain http blocks both paths in every browser, and switching to https is the fix
  if (!caps.secureContext) return { paths: [], blocker: "insecure" };
  if (caps.permission === "unsupported") return { paths: [], blocker: "unsupported" };
  if (caps.permission === "denied") return { paths: [], blocker: "denied" };
  if (caps.permission === "default") return { paths: [], blocker: "not-allowed" };
  const paths: DisplayPath[] = [];
  if (caps.worker) paths.push("service-worker");
  if (caps.pageNotification) paths.push("page");
  return paths.length ? { paths, blocker: null } : { paths: [], blocker: "unsupported" };
}

/** Service workers need a secure context, and browsers without the API (or with it switched off) have none. */
export function canRegisterWorker(env: { secureContext: boolean; serviceWorkerApi: boolean }): boolean {
  return env.secureContext && env.serviceWorkerApi;
}

export type ShowResult = { shown: true; via: DisplayPath } | { shown: false; reason: NotifyBlocker | "failed"; detail?: string };

/** The settings page's feedback on a test notification. */
export function testResultMessage(result: ShowResult): string {
  if (result.shown) {
    return "Sent. It should now be in this device's notification area. Nothing there? Check that the browser itself may show notifications in the phone's or computer's settings, and that Do Not Disturb (Focus) is off.";
  }
  switch (result.reason) {
    case "insecure":
      return "Not sent: browsers show notifications only for pages opened over https. Open EcoMate by its https address (ask your admin).";
    case "unsupported":
      return "Not sent: this browser cannot show notifications. Use e-mail notifications instead, or another browser.";
    case "denied":
      return "Not sent: notifications are blocked for this site. Allow them as described above, then try again.";
    case "not-allowed":
      return "Not sent: allow notifications first with the button above.";
    case "failed":
      return `Not sent: the browser refused${result.detail ? ` (${result.detail})` : ""}. Reload the page and try again; if it keeps failing, use e-mail notifications.`;
  }
}

/**
 * How to lift a block, for the browser the person is using: once denied, a page cannot ask again,
 * only the person can change it in the browser's site settings.
 */
export function unblockSteps(userAgent: string): string {
  const then = " Then reload this page.";
  if (/Android/i.test(userAgent)) {
    return `Tap the icon left of the address, then Permissions (or ⋮ → Settings → Site settings → Notifications), find this site and choose Allow. Also check that Android lets the browser notify: Settings → Apps → your browser → Notifications.${then}`;
  }
  if (/iPhone|iPad|iPod/i.test(userAgent)) {
    return `Open the Settings app → Notifications, find EcoMate (added to the Home Screen) and turn Allow Notifications on.${then}`;
  }
  if (/Firefox\//.test(userAgent)) {
    return `Click the icon left of the address, remove the blocked Notifications permission (×), and allow it when asked again.${then}`;
  }
  if (/Macintosh/.test(userAgent) && /Safari\//.test(userAgent) && !/Chrome\/|Chromium\/|Edg\//.test(userAgent)) {
    return `In Safari's menu choose Settings → Websites → Notifications and set this site to Allow.${then}`;
  }
  return `Click the icon left of the address (a padlock or sliders), open Site settings (or Permissions for this site) and set Notifications to Allow.${then}`;
}
