import { describe, expect, it } from "vitest";
import { browserNotificationContent, meetsSeverity, notificationOptions, shouldNotifyInBrowser, testNotificationContent, type BrowserNotifyContext } from "./browser-notification";

const ready: BrowserNotifyContext = { preference: { enabled: true, minSeverity: "major" }, permission: "granted", hidden: true };

describe("shouldNotifyInBrowser", () => {
  it("notifies a new alert at or above the minimum in a hidden tab with permission", () => {
    expect(shouldNotifyInBrowser({ change: "raised", severity: "major" }, ready)).toBe(true);
    expect(shouldNotifyInBrowser({ change: "raised", severity: "critical" }, ready)).toBe(true);
  });

  it("stays quiet below the minimum, for other changes, in a visible tab, without permission or when turned off", () => {
    expect(shouldNotifyInBrowser({ change: "raised", severity: "minor" }, ready)).toBe(false);
    for (const change of ["repeated", "acknowledged", "cleared", "escalated", "shelved", "commented"] as const) {
      expect(shouldNotifyInBrowser({ change, severity: "critical" }, ready)).toBe(false);
    }
    expect(shouldNotifyInBrowser({ change: "raised", severity: "critical" }, { ...ready, hidden: false })).toBe(false);
    expect(shouldNotifyInBrowser({ change: "raised", severity: "critical" }, { ...ready, permission: "default" })).toBe(false);
    expect(shouldNotifyInBrowser({ change: "raised", severity: "critical" }, { ...ready, permission: "denied" })).toBe(false);
    expect(shouldNotifyInBrowser({ change: "raised", severity: "critical" }, { ...ready, permission: "unsupported" })).toBe(false);
    expect(shouldNotifyInBrowser({ change: "raised", severity: "critical" }, { ...ready, preference: { enabled: false, minSeverity: "warning" } })).toBe(false);
    // settings not loaded yet: nothing rather than a guess
    expect(shouldNotifyInBrowser({ change: "raised", severity: "critical" }, { ...ready, preference: null })).toBe(false);
  });

  it("a warning minimum lets everything through", () => {
    expect(shouldNotifyInBrowser({ change: "raised", severity: "warning" }, { ...ready, preference: { enabled: true, minSeverity: "warning" } })).toBe(true);
    expect(meetsSeverity("minor", "critical")).toBe(false);
    expect(meetsSeverity("critical", "warning")).toBe(true);
  });
});

describe("browserNotificationContent", () => {
  it("titles with severity and system code, the alert text as body, one tag per alert, the alert's page as target", () => {
    expect(browserNotificationContent({ alertId: "ab/1", severity: "critical", systemCode: "NBG-01", message: "UV intensity 18 W/m² below 20 W/m²", isCompliance: true })).toEqual({
      title: "Critical · NBG-01 · compliance",
      body: "UV intensity 18 W/m² below 20 W/m²",
      tag: "ecomate-alert-ab/1",
      url: "/alerts/ab%2F1",
      requireInteraction: true,
      renotify: true,
    });
    const minor = browserNotificationContent({ alertId: "x", severity: "minor", systemCode: "KA-02", message: "Filter ΔP high", isCompliance: false });
    expect(minor.title).toBe("Minor · KA-02");
    expect(minor.requireInteraction).toBe(false);
    // a non-critical replacing its own notification does not ring again
    expect(minor.renotify).toBe(false);
    expect(browserNotificationContent({ alertId: "y", severity: "major", systemCode: "KA-02", message: "m", isCompliance: false }).renotify).toBe(false);
  });
});

describe("notificationOptions", () => {
  it("carries the alert's tag and page (data.url, read by the service worker on a click) and renotifies criticals only", () => {
    const critical = notificationOptions(browserNotificationContent({ alertId: "a1", severity: "critical", systemCode: "NBG-01", message: "UV low", isCompliance: false }));
    expect(critical).toEqual({
      body: "UV low",
      tag: "ecomate-alert-a1",
      data: { url: "/alerts/a1" },
      requireInteraction: true,
      renotify: true,
      icon: "/icons/icon-192.png",
    });
    const major = notificationOptions(browserNotificationContent({ alertId: "a1", severity: "major", systemCode: "NBG-01", message: "UV low", isCompliance: false }));
    expect(major).toMatchObject({ tag: "ecomate-alert-a1", data: { url: "/alerts/a1" }, requireInteraction: false, renotify: false });
  });

  it("the same alert keeps its tag (replaces), different alerts do not share one (stack)", () => {
    const of = (alertId: string) => notificationOptions(browserNotificationContent({ alertId, severity: "critical", systemCode: "S", message: "m", isCompliance: false })).tag;
    expect(of("a1")).toBe(of("a1"));
    expect(of("a1")).not.toBe(of("a2"));
  });

  it("the test notification has a tag of its own, rings on every press and opens the settings", () => {
    const test = testNotificationContent();
    expect(test.tag).not.toMatch(/^ecomate-alert-/);
    expect(notificationOptions(test)).toMatchObject({ tag: "ecomate-test", renotify: true, data: { url: "/settings/notifications" } });
  });
});
