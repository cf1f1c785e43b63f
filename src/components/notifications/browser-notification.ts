/**
 * Browser (OS) notifications for new alerts: the decision and the content, pure so they are unit
 * tested; the hook that shows them is use-browser-notifications.ts.
 *
 * A notification appears only when all of these hold:
 *   - the change is "raised" (a new alert; repeats are counted, escalation is the notifier's job);
 *   - the person turned browser notifications on and the alert meets their minimum severity;
 *   - this browser granted permission (asked from a button on the settings page, never on load);
 *   - the tab is hidden: in a visible tab the banner and the tone already say it.
 *
 * How it is shown (service worker or page) is display-path.ts; showing it is show-notification.ts.
 */
import type { LiveAlertEvent } from "@/lib/live-events";
import { SEVERITIES, type SeverityName } from "@/components/alerts/filters";
import { SEVERITY_LOOK } from "@/components/alerts/labels";

export type BrowserPermission = NotificationPermission | "unsupported";

export interface BrowserPreference {
  enabled: boolean;
  minSeverity: SeverityName;
}

export interface BrowserNotifyContext {
  /** the person's setting; null while it is not loaded */
  preference: BrowserPreference | null;
  permission: BrowserPermission;
  /** document.visibilityState === "hidden" */
  hidden: boolean;
}

/** SEVERITIES runs from critical down to warning. */
export function meetsSeverity(severity: SeverityName, minSeverity: SeverityName): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(minSeverity);
}

export function shouldNotifyInBrowser(event: Pick<LiveAlertEvent, "change" | "severity">, ctx: BrowserNotifyContext): boolean {
  if (event.change !== "raised") return false;
  if (ctx.permission !== "granted" || !ctx.hidden) return false;
  if (!ctx.preference?.enabled) return false;
  return meetsSeverity(event.severity, ctx.preference.minSeverity);
}

export interface BrowserNotificationContent {
  title: string;
  body: string;
  /** one notification per alert, however many tabs are open (the OS replaces a same-tag one) */
  tag: string;
  /** where a click leads */
  url: string;
  /** criticals stay on screen until dismissed */
  requireInteraction: boolean;
  /** criticals sound and vibrate again when they replace a same-tag one; others replace it quietly */
  renotify: boolean;
}

export function browserNotificationContent(event: Pick<LiveAlertEvent, "alertId" | "severity" | "systemCode" | "message" | "isCompliance">): BrowserNotificationContent {
  const critical = event.severity === "critical";
  return {
    title: `${SEVERITY_LOOK[event.severity].label} · ${event.systemCode}${event.isCompliance ? " · compliance" : ""}`,
    body: event.message,
    tag: `ecomate-alert-${event.alertId}`,
    url: `/alerts/${encodeURIComponent(event.alertId)}`,
    requireInteraction: critical,
    renotify: critical,
  };
}

/** The settings page's test: its own tag, and it alerts on every press, so a second try is not silent. */
export function testNotificationContent(): BrowserNotificationContent {
  return {
    title: "EcoMate test notification",
    body: "Notifications work on this device. Tap to open the notification settings.",
    tag: "ecomate-test",
    url: "/settings/notifications",
    requireInteraction: false,
    renotify: true,
  };
}

/** `renotify` is in the Notifications spec and Chrome, not yet in TypeScript's DOM types. */
export interface EcoMateNotificationOptions extends NotificationOptions {
  renotify: boolean;
  data: { url: string };
}

/**
 * The options for `registration.showNotification` and `new Notification`: the service worker reads
 * `data.url` on a click (public/sw.js), the page path handles the click itself.
 */
export function notificationOptions(content: BrowserNotificationContent): EcoMateNotificationOptions {
  return {
    body: content.body,
    tag: content.tag,
    data: { url: content.url },
    requireInteraction: content.requireInteraction,
    renotify: content.renotify,
    icon: "/icons/icon-192.png",
  };
}
