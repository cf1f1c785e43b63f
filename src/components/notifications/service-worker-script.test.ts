import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";

/**
 * public/sw.js is plain JavaScript served as is: run it in a bare context with a stand-in for the
 * worker's global scope, and check what a notification click does to the open tabs.
 */
const source = readFileSync(fileURLToPath(new URL("../../../public/sw.js", import.meta.url)), "utf8");
const ORIGIN = "https://ecomate.example.org";

interface Tab {
  url: string;
  focused: boolean;
  controlled: boolean;
  focus(): Promise<Tab>;
  navigate(url: string): Promise<Tab>;
}

function tab(url: string, opts: { focused?: boolean; controlled?: boolean } = {}): Tab {
  const t: Tab = {
    url: `${ORIGIN}${url}`,
    focused: opts.focused ?? false,
    controlled: opts.controlled ?? true,
    focus: async () => {
      t.focused = true;
      return t;
    },
    navigate: async (to) => {
      if (!t.controlled) throw new TypeError("This service worker is not the client's active service worker.");
      t.url = to;
      return t;
    },
  };
  return t;
}

function loadWorker(tabs: Tab[]) {
  const listeners = new Map<string, (event: unknown) => void>();
  const opened: string[] = [];
  const scope = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, fn: (event: unknown) => void) => listeners.set(type, fn),
    skipWaiting: () => Promise.resolve(),
    clients: {
      claim: () => Promise.resolve(),
      matchAll: async (opts: { type: string; includeUncontrolled: boolean }) => (opts.includeUncontrolled ? tabs : tabs.filter((t) => t.controlled)),
      openWindow: async (url: string) => {
        opened.push(url);
        return null;
      },
    },
  };
  const context = vm.createContext({ self: scope, URL });
  vm.runInContext(source, context);

  async function click(data: unknown) {
    let closed = false;
    let work: Promise<unknown> = Promise.resolve();
    listeners.get("notificationclick")?.({
      notification: { data, close: () => (closed = true) },
      waitUntil: (p: Promise<unknown>) => (work = p),
    });
    await work;
    return { closed };
  }
  return { listeners, opened, click };
}

describe("public/sw.js", () => {
  it("listens for install, activate and notificationclick, and has no fetch handler (nothing is ever served from it)", () => {
    const { listeners } = loadWorker([]);
    expect([...listeners.keys()].sort()).toEqual(["activate", "install", "notificationclick"]);
  });

  it("focuses the open EcoMate tab and navigates it to the alert, closing the notification", async () => {
    const other = tab("/fleet");
    const last = tab("/work-orders", { focused: true });
    const worker = loadWorker([other, last]);
    const { closed } = await worker.click({ url: "/alerts/a1" });
    expect(closed).toBe(true);
    expect(last.url).toBe(`${ORIGIN}/alerts/a1`);
    expect(other.url).toBe(`${ORIGIN}/fleet`);
    expect(worker.opened).toEqual([]);
  });

  it("prefers a tab already on the alert, without reloading it", async () => {
    const onAlert = tab("/alerts/a1");
    const worker = loadWorker([tab("/fleet", { focused: true }), onAlert]);
    onAlert.navigate = () => Promise.reject(new Error("must not reload"));
    await worker.click({ url: "/alerts/a1" });
    expect(onAlert.focused).toBe(true);
    expect(worker.opened).toEqual([]);
  });

  it("opens a window when no EcoMate tab is open, or when the tab is not under its control", async () => {
    const none = loadWorker([]);
    await none.click({ url: "/alerts/a%2F1" });
    expect(none.opened).toEqual([`${ORIGIN}/alerts/a%2F1`]);

    const uncontrolled = loadWorker([tab("/fleet", { focused: true, controlled: false })]);
    await uncontrolled.click({ url: "/alerts/a1" });
    expect(uncontrolled.opened).toEqual([`${ORIGIN}/alerts/a1`]);
  });

  it("never leaves the app's origin: a foreign or missing URL opens the start page", async () => {
    const foreign = loadWorker([]);
    await foreign.click({ url: "https://evil.example.com/phish" });
    await foreign.click({ url: "//evil.example.com/x" });
    await foreign.click(null);
    expect(foreign.opened).toEqual([`${ORIGIN}/`, `${ORIGIN}/`, `${ORIGIN}/`]);
  });
});
