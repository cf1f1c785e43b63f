import { describe, expect, it } from "vitest";
import { memoryStore, OfflineQueue, type QueueEntry, type SendOutcome } from "@/lib/offline-queue/queue";
import type { WorkOrderEntryInputs } from "./entries";
import { NewOrderAnswers, type NewOrderAnswer } from "./offline";

// The form's wait for a new order's answer, on a real OfflineQueue with a memory store and a sender
// wired as sendEntry is: every create's outcome goes through NewOrderAnswers.answer.

const input = (clientKey: string): WorkOrderEntryInputs["createWorkOrder"] => ({
  systemCode: "NBG-01",
  componentCode: "pump-1",
  type: "corrective",
  priority: "high",
  title: "Leak under pump-1",
  clientKey,
});
const meta = { systemName: "Nürnberg 1", componentName: "Booster pump" };
const fieldError = Object.assign(new Error("A work order needs a title."), { data: { httpStatus: 400, fieldErrors: [{ path: "title", message: "A work order needs a title." }] } });

function setup(script: (entry: QueueEntry, call: number) => Promise<{ outcome: SendOutcome; error?: unknown }> | { outcome: SendOutcome; error?: unknown }, initial: QueueEntry[] = []) {
  const answers = new NewOrderAnswers();
  const store = memoryStore(initial);
  const sent: string[] = [];
  let calls = 0;
  const queue = new OfflineQueue({
    store,
    backoffMs: () => 60_000,
    send: async (entry) => {
      sent.push(entry.clientKey);
      const { outcome, error } = await script(entry, calls++);
      if (entry.kind === "createWorkOrder") answers.answer(entry.clientKey, outcome, error);
      return outcome;
    },
  });
  const submit = (key: string, waitMs = 2_000): Promise<NewOrderAnswer> => answers.submit(queue, { clientKey: key, input: input(key), meta }, waitMs);
  return { answers, queue, store, sent, submit };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("NewOrderAnswers.submit", () => {
  it("saves the order before sending it and answers with the server's order", async () => {
    let storedWhenSent = false;
    const { submit, store, queue } = setup((entry) => {
      storedWhenSent = store.data.has(entry.clientKey);
      return { outcome: { status: "sent", result: { id: "wo-9", number: 1042 } } };
    });
    const answer = await submit("key-aaaaaaaa");
    expect(storedWhenSent).toBe(true);
    expect(answer).toEqual({ status: "created", order: { id: "wo-9", number: 1042 } });
    await settle();
    expect(queue.getSnapshot()).toHaveLength(0);
  });

  it("says the order is kept on the phone when there is no answer, and keeps it to send later", async () => {
    const { submit, queue, store } = setup(() => ({ outcome: { status: "retry", message: "This phone is offline" } }));
    const answer = await submit("key-bbbbbbbb");
    expect(answer).toEqual({ status: "saved", reason: "This phone is offline" });
    expect(queue.getSnapshot().map((e) => e.kind)).toEqual(["createWorkOrder"]);
    expect(store.data.get("key-bbbbbbbb")?.input).toMatchObject({ title: "Leak under pump-1", clientKey: "key-bbbbbbbb" });
  });

  it("stops waiting after waitMs on a send that hangs, leaving the order in the queue", async () => {
    const { submit, queue } = setup(() => new Promise(() => undefined));
    // A submit that ignored waitMs would never resolve and the test would time out.
    const answer = await submit("key-cccccccc", 50);
    expect(answer.status).toBe("saved");
    expect(queue.getSnapshot().map((e) => e.clientKey)).toEqual(["key-cccccccc"]);
  });

  it("hands a refusal to the form with the tRPC error and takes it out of the queue, so the same key can be sent again", async () => {
    const { submit, queue, sent } = setup((_, call) =>
      call === 0 ? { outcome: { status: "rejected", message: fieldError.message, httpStatus: 400 }, error: fieldError } : { outcome: { status: "sent", result: { id: "wo-1", number: 7 } } },
    );
    const refused = await submit("key-dddddddd");
    expect(refused).toEqual({ status: "refused", error: fieldError });
    await settle();
    expect(queue.getSnapshot()).toHaveLength(0);
    const again = await submit("key-dddddddd");
    expect(again).toEqual({ status: "created", order: { id: "wo-1", number: 7 } });
    expect(sent).toEqual(["key-dddddddd", "key-dddddddd"]);
  });

  it("sends entries waiting in backoff before the new order first, in their order", async () => {
    const waitingLabour: QueueEntry = {
      clientKey: "labour-1",
      kind: "logLabour",
      input: { id: "wo-3", minutes: 15, clientKey: "labour-1" },
      createdAt: 1,
      attempts: 2,
      lastError: "Failed to fetch",
      nextAttemptAt: Date.now() + 60 * 60_000,
      failed: null,
    };
    const { submit, sent } = setup(() => ({ outcome: { status: "sent", result: { id: "wo-4", number: 8 } } }), [waitingLabour]);
    const answer = await submit("key-eeeeeeee");
    expect(answer.status).toBe("created");
    expect(sent).toEqual(["labour-1", "key-eeeeeeee"]);
  });

  it("answers 'saved' when an older entry gets no answer and the order waits behind it", async () => {
    const older: QueueEntry = { clientKey: "comment-1", kind: "comment", input: { id: "wo-3", body: "hi", clientKey: "comment-1" }, createdAt: 1, attempts: 0, lastError: null, nextAttemptAt: 0, failed: null };
    const { submit, sent } = setup((entry) => (entry.kind === "comment" ? { outcome: { status: "retry", message: "503 Service Unavailable" } } : { outcome: { status: "sent" } }), [older]);
    const answer = await submit("key-ffffffff");
    expect(answer).toEqual({ status: "saved", reason: null });
    // tried (the forced send retries it at once), never passed: the order keeps its place behind it
    expect(sent).not.toContain("key-ffffffff");
    expect(sent[0]).toBe("comment-1");
  });
});
