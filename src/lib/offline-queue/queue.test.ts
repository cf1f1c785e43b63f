import { describe, expect, it } from "vitest";
import { defaultBackoffMs, memoryStore, OfflineQueue, type QueueEntry, type QueueStore, type SendOutcome } from "./queue";

/** A store that records what was written, to check that an entry is saved before it is sent. */
function fakeStore(initial: QueueEntry[] = []) {
  const inner = memoryStore(initial);
  const log: string[] = [];
  const store: QueueStore = {
    all: () => inner.all(),
    put: async (e) => {
      log.push(`put ${e.clientKey}`);
      await inner.put(e);
    },
    delete: async (k) => {
      log.push(`delete ${k}`);
      await inner.delete(k);
    },
  };
  return { store, data: inner.data, log };
}

/** A sender answering from a script (per clientKey, in turn), "sent" once the script runs out. */
function fakeSender(script: Record<string, SendOutcome[]> = {}) {
  const calls: string[] = [];
  const send = async (entry: QueueEntry): Promise<SendOutcome> => {
    calls.push(entry.clientKey);
    const next = script[entry.clientKey]?.shift();
    return next ?? { status: "sent", result: { id: `srv-${entry.clientKey}` } };
  };
  return { send, calls };
}

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const offline: SendOutcome = { status: "retry", message: "Failed to fetch" };

describe("OfflineQueue", () => {
  it("saves an entry before sending it and removes it after the server answered", async () => {
    const { store, data, log } = fakeStore();
    let seenInStore = false;
    const queue = new OfflineQueue({
      store,
      now: clock().now,
      send: async (entry) => {
        seenInStore = data.has(entry.clientKey);
        log.push(`send ${entry.clientKey}`);
        return { status: "sent" };
      },
    });
    await queue.enqueue({ clientKey: "k-1", kind: "logLabour", input: { id: "wo1", minutes: 30 } });
    await queue.flush();
    expect(seenInStore).toBe(true);
    expect(log).toEqual(["put k-1", "send k-1", "delete k-1"]);
    expect(data.size).toBe(0);
    expect(queue.getSnapshot()).toEqual([]);
  });

  it("sends in the order entries were typed, also when typed in the same millisecond", async () => {
    const { store } = fakeStore();
    const sender = fakeSender();
    const c = clock();
    const queue = new OfflineQueue({ store, send: sender.send, now: c.now });
    // "z" sorts before nothing: the order must come from typing order, not from the key
    await queue.enqueue({ clientKey: "z", kind: "logLabour", input: 1 });
    await queue.enqueue({ clientKey: "m", kind: "usePart", input: 2 });
    await queue.enqueue({ clientKey: "a", kind: "comment", input: 3 });
    await queue.flush();
    expect(sender.calls).toEqual(["z", "m", "a"]);
  });

  it("keeps an unanswered entry, backs off, and holds the later entries behind it", async () => {
    const { store, data } = fakeStore();
    const sender = fakeSender({ first: [offline] });
    const c = clock();
    const queue = new OfflineQueue({ store, send: sender.send, now: c.now });
    const first = await queue.enqueue({ clientKey: "first", kind: "logLabour", input: {} });
    await queue.flush();
    await queue.enqueue({ clientKey: "second", kind: "comment", input: {} });
    const r1 = await queue.flush();
    expect(sender.calls).toEqual(["first"]);
    expect(r1).toEqual({ sent: 0, rejected: 0, waiting: 2 });
    const stored = data.get("first")!;
    expect(stored.attempts).toBe(1);
    expect(stored.lastError).toBe("Failed to fetch");
    expect(first.createdAt).toBe(c.now());
    expect(stored.nextAttemptAt).toBe(c.now() + 15_000);

    c.advance(14_999);
    await queue.flush();
    expect(sender.calls).toEqual(["first"]);

    c.advance(1);
    const r2 = await queue.flush();
    expect(sender.calls).toEqual(["first", "first", "second"]);
    expect(r2).toEqual({ sent: 2, rejected: 0, waiting: 0 });
    expect(data.size).toBe(0);
  });

  it("stops a run at the first entry without an answer: the ones typed after it keep their turn", async () => {
    const c = clock();
    const left = (clientKey: string, createdAt: number): QueueEntry => ({ clientKey, kind: "logLabour", input: {}, createdAt, attempts: 0, lastError: null, nextAttemptAt: createdAt, failed: null });
    const { store, data } = fakeStore([left("b", c.now() - 1000), left("a", c.now() - 2000), left("c", c.now() - 500)]);
    const sender = fakeSender({ a: [offline] });
    const queue = new OfflineQueue({ store, send: sender.send, now: c.now });
    const result = await queue.flush();
    expect(sender.calls).toEqual(["a"]);
    expect(result).toEqual({ sent: 0, rejected: 0, waiting: 3 });
    await queue.flush({ force: true });
    expect(sender.calls).toEqual(["a", "a", "b", "c"]);
    expect(data.size).toBe(0);
  });

  it("doubles the wait after each unanswered attempt, up to 5 minutes", async () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(defaultBackoffMs)).toEqual([15_000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
    const { store, data } = fakeStore();
    const sender = fakeSender({ k: [offline, offline, offline] });
    const c = clock();
    const queue = new OfflineQueue({ store, send: sender.send, now: c.now });
    await queue.enqueue({ clientKey: "k", kind: "comment", input: {} });
    await queue.flush();
    c.advance(15_000);
    await queue.flush();
    expect(data.get("k")!.attempts).toBe(2);
    expect(data.get("k")!.nextAttemptAt).toBe(c.now() + 30_000);
    c.advance(29_000);
    await queue.flush();
    expect(sender.calls).toHaveLength(2);
  });

  it("tries at once when forced (the connection came back), whatever the backoff", async () => {
    const { store, data } = fakeStore();
    const sender = fakeSender({ k: [offline] });
    const queue = new OfflineQueue({ store, send: sender.send, now: clock().now });
    await queue.enqueue({ clientKey: "k", kind: "setStatus", input: { id: "wo1", status: "in_progress" } });
    await queue.flush();
    expect(data.has("k")).toBe(true);
    await queue.flush({ force: true });
    expect(sender.calls).toEqual(["k", "k"]);
    expect(data.has("k")).toBe(false);
  });

  it("marks an entry the server refused for good, keeps it to be seen, and sends the ones after it", async () => {
    const { store, data } = fakeStore();
    const refusal: SendOutcome = { status: "rejected", message: "Not enough FC-5-20 in stock: 6 requested, 4 available", httpStatus: 400 };
    const sender = fakeSender({ bad: [refusal] });
    const c = clock();
    const queue = new OfflineQueue({ store, send: sender.send, now: c.now });
    await queue.enqueue({ clientKey: "bad", kind: "usePart", input: { quantity: 6 } });
    await queue.enqueue({ clientKey: "good", kind: "logLabour", input: { minutes: 15 } });
    const result = await queue.flush();
    expect(result).toEqual({ sent: 1, rejected: 1, waiting: 0 });
    expect(sender.calls).toEqual(["bad", "good"]);
    expect(queue.getSnapshot().map((e) => [e.clientKey, e.failed?.message, e.failed?.httpStatus])).toEqual([
      ["bad", "Not enough FC-5-20 in stock: 6 requested, 4 available", 400],
    ]);
    expect(data.get("bad")!.failed!.at).toBe(c.now());

    // never sent again
    await queue.flush({ force: true });
    expect(sender.calls).toEqual(["bad", "good"]);

    expect(await queue.dismiss("bad")).toBe(true);
    expect(data.size).toBe(0);
    expect(queue.getSnapshot()).toEqual([]);
  });

  it("does not let a waiting entry be dismissed", async () => {
    const { store, data } = fakeStore();
    const queue = new OfflineQueue({ store, send: fakeSender({ k: [offline] }).send, now: clock().now });
    await queue.enqueue({ clientKey: "k", kind: "comment", input: { body: "seal replaced" } });
    await queue.flush();
    expect(await queue.dismiss("k")).toBe(false);
    expect(data.has("k")).toBe(true);
  });

  it("stores and sends an entry once per clientKey", async () => {
    const { store, data } = fakeStore();
    const sender = fakeSender({ k: [offline] });
    const queue = new OfflineQueue({ store, send: sender.send, now: clock().now });
    const a = await queue.enqueue({ clientKey: "k", kind: "logLabour", input: { minutes: 30 } });
    const b = await queue.enqueue({ clientKey: "k", kind: "logLabour", input: { minutes: 60 } });
    expect(b).toEqual(a);
    expect(b.input).toEqual({ minutes: 30 });
    expect(data.size).toBe(1);
    expect(queue.getSnapshot()).toHaveLength(1);
    await queue.flush({ force: true });
    // the first attempt got no answer, the second went through: never a second entry
    expect(sender.calls).toEqual(["k", "k"]);
    expect(data.size).toBe(0);
  });

  it("survives a reload: a new queue on the same store sends what the old one could not", async () => {
    const { store, data } = fakeStore();
    const c = clock();
    const before = new OfflineQueue({ store, send: fakeSender({ a: [offline] }).send, now: c.now });
    await before.enqueue({ clientKey: "a", kind: "logLabour", input: { id: "wo1", minutes: 15 } });
    await before.flush();
    await before.enqueue({ clientKey: "b", kind: "usePart", input: { id: "wo1", quantity: 1 } });
    await before.flush();
    expect([...data.keys()].sort()).toEqual(["a", "b"]);

    // the page is reloaded: the old instance is gone
    const sender = fakeSender();
    const after = new OfflineQueue({ store, send: sender.send, now: c.now });
    await after.load();
    expect(after.getSnapshot().map((e) => [e.clientKey, e.kind, e.attempts])).toEqual([
      ["a", "logLabour", 1],
      ["b", "usePart", 0],
    ]);
    // still within a's backoff
    await after.flush();
    expect(sender.calls).toEqual([]);
    await after.flush({ force: true });
    expect(sender.calls).toEqual(["a", "b"]);
    expect(data.size).toBe(0);

  });

  it("does not store a key again that an earlier page left in the store", async () => {
    const c = clock();
    const left: QueueEntry = { clientKey: "c", kind: "logLabour", input: { minutes: 30 }, createdAt: c.now() - 60_000, attempts: 2, lastError: "offline", nextAttemptAt: c.now() + 60_000, failed: null };
    const { store, data } = fakeStore([left]);
    const queue = new OfflineQueue({ store, send: fakeSender().send, now: c.now });
    const entry = await queue.enqueue({ clientKey: "c", kind: "logLabour", input: { minutes: 45 } });
    expect(entry.input).toEqual({ minutes: 30 });
    expect(data.size).toBe(1);
    expect(queue.getSnapshot()).toHaveLength(1);
  });

  it("keeps the entry while its send is in flight (a reload then sends it again; the server dedupes)", async () => {
    const { store, data } = fakeStore();
    let answer!: (o: SendOutcome) => void;
    const queue = new OfflineQueue({ store, now: clock().now, send: () => new Promise<SendOutcome>((r) => (answer = r)) });
    await queue.enqueue({ clientKey: "k", kind: "comment", input: {} });
    const flushing = queue.flush();
    await Promise.resolve();
    expect(data.has("k")).toBe(true);
    const reloaded = new OfflineQueue({ store, now: clock().now, send: fakeSender().send });
    await reloaded.load();
    expect(reloaded.getSnapshot().map((e) => e.clientKey)).toEqual(["k"]);
    answer({ status: "sent" });
    await flushing;
    expect(data.has("k")).toBe(false);
  });

  it("calls onSent with the server's answer before the entry leaves the store", async () => {
    const { store, data } = fakeStore();
    const seen: [string, unknown, boolean][] = [];
    const queue = new OfflineQueue({
      store,
      now: clock().now,
      send: fakeSender().send,
      onSent: (entry, result) => {
        seen.push([entry.clientKey, result, data.has(entry.clientKey)]);
      },
    });
    await queue.enqueue({ clientKey: "k", kind: "logLabour", input: {} });
    await queue.flush();
    expect(seen).toEqual([["k", { id: "srv-k" }, true]]);
    expect(data.size).toBe(0);
  });

  it("treats a sender that throws as no answer", async () => {
    const { store, data } = fakeStore();
    const queue = new OfflineQueue({
      store,
      now: clock().now,
      send: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    await queue.enqueue({ clientKey: "k", kind: "comment", input: {} });
    await queue.flush();
    expect(data.get("k")).toMatchObject({ attempts: 1, lastError: "Failed to fetch", failed: null });
  });

  it("shares one run between concurrent flushes and sends what was enqueued meanwhile", async () => {
    const { store, data } = fakeStore();
    const calls: string[] = [];
    const queue: OfflineQueue = new OfflineQueue({
      store,
      now: clock().now,
      send: async (entry) => {
        calls.push(entry.clientKey);
        // typed while the first entry is on its way
        if (entry.clientKey === "a") await queue.enqueue({ clientKey: "b", kind: "comment", input: {} });
        return { status: "sent" };
      },
    });
    await queue.enqueue({ clientKey: "a", kind: "comment", input: {} });
    const [x, y] = [queue.flush(), queue.flush()];
    expect(x).toBe(y);
    await x;
    expect(calls).toEqual(["a", "b"]);
    expect(data.size).toBe(0);
  });

  it("tells subscribers about every change with a new snapshot", async () => {
    const { store } = fakeStore();
    const queue = new OfflineQueue({ store, now: clock().now, send: fakeSender({ k: [offline] }).send });
    const sizes: number[] = [];
    const attempts: number[] = [];
    queue.subscribe(() => {
      sizes.push(queue.getSnapshot().length);
      attempts.push(queue.getSnapshot()[0]?.attempts ?? -1);
    });
    const before = queue.getSnapshot();
    await queue.enqueue({ clientKey: "k", kind: "comment", input: {} });
    await queue.flush();
    expect(queue.getSnapshot()).not.toBe(before);
    expect(sizes.at(-1)).toBe(1);
    expect(attempts.at(-1)).toBe(1);
    await queue.flush({ force: true });
    expect(sizes.at(-1)).toBe(0);
  });
});
