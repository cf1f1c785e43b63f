import { describe, expect, it } from "vitest";
import { canRegisterWorker, planDisplay, testResultMessage, unblockSteps, type DisplayCapabilities } from "./display-path";

const desktop: DisplayCapabilities = { permission: "granted", secureContext: true, worker: true, pageNotification: true };

describe("planDisplay", () => {
  it("takes the service worker first and keeps the page's Notification as the fallback", () => {
    expect(planDisplay(desktop)).toEqual({ paths: ["service-worker", "page"], blocker: null });
  });

  it("uses the page's Notification when no worker is registered (no support, or it failed)", () => {
    expect(planDisplay({ ...desktop, worker: false })).toEqual({ paths: ["page"], blocker: null });
  });

  it("Chrome on Android: only the worker (the constructor exists but throws, so it stays second)", () => {
    expect(planDisplay({ ...desktop, pageNotification: false })).toEqual({ paths: ["service-worker"], blocker: null });
  });

  it("says why nothing can show: permission not asked, denied, unsupported, neither path", () => {
    expect(planDisplay({ ...desktop, permission: "default" })).toEqual({ paths: [], blocker: "not-allowed" });
    expect(planDisplay({ ...desktop, permission: "denied" })).toEqual({ paths: [], blocker: "denied" });
    expect(planDisplay({ ...desktop, permission: "unsupported", worker: false, pageNotification: false })).toEqual({ paths: [], blocker: "unsupported" });
    expect(planDisplay({ ...desktop, worker: false, pageNotification: false })).toEqual({ paths: [], blocker: "unsupported" });
  });

  it("plain http comes first: whatever the permission reads, https is the fix", () => {
    expect(planDisplay({ ...desktop, secureContext: false })).toEqual({ paths: [], blocker: "insecure" });
    expect(planDisplay({ ...desktop, secureContext: false, permission: "denied" })).toEqual({ paths: [], blocker: "insecure" });
  });
});

describe("canRegisterWorker", () => {
  it("needs both a secure context and the API", () => {
    expect(canRegisterWorker({ secureContext: true, serviceWorkerApi: true })).toBe(true);
    expect(canRegisterWorker({ secureContext: false, serviceWorkerApi: true })).toBe(false);
    expect(canRegisterWorker({ secureContext: true, serviceWorkerApi: false })).toBe(false);
  });
});

describe("testResultMessage", () => {
  it("a different message for every outcome, the browser's reason included on a failure", () => {
    const outcomes = [
      testResultMessage({ shown: true, via: "service-worker" }),
      ...(["insecure", "unsupported", "denied", "not-allowed", "failed"] as const).map((reason) => testResultMessage({ shown: false, reason })),
    ];
    expect(new Set(outcomes).size).toBe(outcomes.length);
    expect(testResultMessage({ shown: false, reason: "not-allowed" })).toMatch(/allow notifications first/i);
    expect(testResultMessage({ shown: false, reason: "failed", detail: "Illegal constructor" })).toContain("(Illegal constructor)");
  });
});

describe("unblockSteps", () => {
  const ua = {
    androidChrome: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    desktopChrome: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    macChrome: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    macSafari: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    firefox: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    iphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  };

  it("tells each browser where its site settings are, always ending with a reload", () => {
    expect(unblockSteps(ua.androidChrome)).toMatch(/Site settings → Notifications/);
    expect(unblockSteps(ua.androidChrome)).toMatch(/Apps → your browser → Notifications/);
    expect(unblockSteps(ua.macSafari)).toMatch(/Settings → Websites → Notifications/);
    expect(unblockSteps(ua.firefox)).toMatch(/remove the blocked Notifications permission/);
    expect(unblockSteps(ua.iphone)).toMatch(/Settings app → Notifications/);
    // Chrome on a Mac also says "Safari" in its user agent: it gets Chrome's steps
    expect(unblockSteps(ua.macChrome)).toBe(unblockSteps(ua.desktopChrome));
    expect(unblockSteps(ua.desktopChrome)).toMatch(/Site settings/);
    for (const agent of Object.values(ua)) expect(unblockSteps(agent)).toMatch(/reload this page\.$/);
  });
});
