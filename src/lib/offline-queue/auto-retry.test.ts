import { describe, expect, it } from "vitest";
import { startAutoRetry, type AutoRetryEnv } from "./auto-retry";

function fakeEnv() {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const env: AutoRetryEnv = {
    window: win,
    document: doc,
    setInterval: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearInterval: (t) => {
      (t as { cleared: boolean }).cleared = true;
    },
  };
  return { env, win, doc, timers };
}

describe("startAutoRetry", () => {
  it("flushes at start, every 15 s with backoff, and at once when online or visible again", () => {
    const calls: (boolean | undefined)[] = [];
    const queue = { flush: async (o?: { force?: boolean }) => (calls.push(o?.force), { sent: 0, rejected: 0, waiting: 0 }) };
    const { env, win, doc, timers } = fakeEnv();
    const stop = startAutoRetry(queue, env);
    expect(calls).toEqual([undefined]);
    expect(timers.map((t) => t.ms)).toEqual([15_000]);

    timers[0]!.fn();
    expect(calls).toEqual([undefined, undefined]);

    win.dispatchEvent(new Event("online"));
    expect(calls).toEqual([undefined, undefined, true]);

    doc.visibilityState = "hidden";
    doc.dispatchEvent(new Event("visibilitychange"));
    expect(calls).toHaveLength(3);
    doc.visibilityState = "visible";
    doc.dispatchEvent(new Event("visibilitychange"));
    expect(calls).toEqual([undefined, undefined, true, true]);

    stop();
    expect(timers[0]!.cleared).toBe(true);
    win.dispatchEvent(new Event("online"));
    doc.dispatchEvent(new Event("visibilitychange"));
    expect(calls).toHaveLength(4);
  });

  it("treats a tick that finds the connection back as the online event", () => {
    const calls: (boolean | undefined)[] = [];
    const queue = { flush: async (o?: { force?: boolean }) => (calls.push(o?.force), { sent: 0, rejected: 0, waiting: 0 }) };
    const { env, timers } = fakeEnv();
    let online = false;
    startAutoRetry(queue, { ...env, isOnline: () => online });
    timers[0]!.fn();
    online = true;
    timers[0]!.fn();
    timers[0]!.fn();
    expect(calls).toEqual([undefined, undefined, true, undefined]);
  });
});
