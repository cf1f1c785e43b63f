import { describe, expect, it, vi } from "vitest";
import {
  MAX_PHOTO_BYTES,
  outboxRefusal,
  OUTBOX_MAX_BYTES,
  OUTBOX_MAX_PHOTOS,
  photoRefusal,
  photoSender,
  sniffPhotoType,
  uploadTimeoutMs,
  type PhotoInput,
} from "./photos";
import { memoryStore, OfflineQueue, type QueueEntry } from "./queue";

const bytes = (...parts: (number[] | string)[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));
const JPEG = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF");
const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "IHDR");
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

describe("sniffPhotoType", () => {
  it("knows the types the server accepts by their first bytes", () => {
    expect(sniffPhotoType(JPEG)).toBe("image/jpeg");
    expect(sniffPhotoType(PNG)).toBe("image/png");
    expect(sniffPhotoType(bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "))).toBe("image/webp");
    expect(sniffPhotoType(bytes([0, 0, 0, 0x18], "ftypheic", [0, 0, 0, 0]))).toBe("image/heic");
    expect(sniffPhotoType(bytes([0, 0, 0, 0x18], "ftypheix"))).toBe("image/heic");
    expect(sniffPhotoType(bytes([0, 0, 0, 0x18], "ftypmif1"))).toBe("image/heif");
  });

  it("refuses what the server refuses: other images, video, documents, text, too few bytes", () => {
    expect(sniffPhotoType(bytes("GIF89a"))).toBeNull();
    expect(sniffPhotoType(bytes([0, 0, 0, 0x1c], "ftypavif"))).toBeNull();
    expect(sniffPhotoType(bytes([0, 0, 0, 0x1c], "ftyphevc"))).toBeNull();
    expect(sniffPhotoType(bytes([0, 0, 0, 0x1c], "ftypisom"))).toBeNull();
    expect(sniffPhotoType(bytes("%PDF-1.4"))).toBeNull();
    expect(sniffPhotoType(bytes("RIFF", [0, 0, 0, 0], "WAVE"))).toBeNull();
    expect(sniffPhotoType(bytes("just some notes"))).toBeNull();
    expect(sniffPhotoType(bytes([0xff, 0xd8]))).toBeNull();
    expect(sniffPhotoType(new Uint8Array(0))).toBeNull();
  });
});

describe("photoRefusal", () => {
  it("accepts a photo up to 10 MB", () => {
    expect(photoRefusal({ name: "a.jpg", size: MAX_PHOTO_BYTES, type: "image/jpeg" }, JPEG, mb)).toBeNull();
    // the bytes decide, not the name or the browser's guess
    expect(photoRefusal({ name: "a.bin", size: 10, type: "" }, PNG, mb)).toBeNull();
  });

  it("refuses a larger file with the page's message", () => {
    expect(photoRefusal({ name: "big.jpg", size: MAX_PHOTO_BYTES + 1, type: "image/jpeg" }, JPEG, mb)).toBe("big.jpg is 10.0 MB; photos may be at most 10 MB.");
  });

  it("refuses an empty file and files that are not JPEG, PNG, WebP or HEIC, saying what they are when it can", () => {
    expect(photoRefusal({ name: "e.jpg", size: 0, type: "image/jpeg" }, new Uint8Array(0), mb)).toBe('The file "e.jpg" is empty; choose the photo again.');
    expect(photoRefusal({ name: "scan.pdf", size: 900, type: "application/pdf" }, bytes("%PDF-1.4"), mb)).toBe(
      'The file "scan.pdf" is a application/pdf file; photos must be JPEG, PNG, WebP or HEIC.',
    );
    expect(photoRefusal({ name: "notes.png", size: 900, type: "image/png" }, bytes("just some notes"), mb)).toBe(
      'The file "notes.png" is not an image this phone recognises; photos must be JPEG, PNG, WebP or HEIC.',
    );
    expect(photoRefusal({ name: "anim.gif", size: 900, type: "image/gif" }, bytes("GIF89a"), mb)).toMatch(/is a image\/gif file/);
  });
});

describe("outboxRefusal", () => {
  it("lets photos wait up to 20 and 100 MB, counting refused ones still kept", () => {
    const nineteen = Array.from({ length: OUTBOX_MAX_PHOTOS - 1 }, () => ({ size: 1_000_000 }));
    expect(outboxRefusal([], MAX_PHOTO_BYTES, mb)).toBeNull();
    expect(outboxRefusal(nineteen, 1_000_000, mb)).toBeNull();
    expect(outboxRefusal([...nineteen, { size: 1 }], 1, mb)).toMatch(/^20 photos are already waiting on this phone.*dismiss the refused ones/);
  });

  it("refuses a photo that would take the total over 100 MB", () => {
    const nine = Array.from({ length: 9 }, () => ({ size: MAX_PHOTO_BYTES }));
    expect(outboxRefusal(nine, OUTBOX_MAX_BYTES - 9 * MAX_PHOTO_BYTES, mb)).toBeNull();
    expect(outboxRefusal(nine, OUTBOX_MAX_BYTES - 9 * MAX_PHOTO_BYTES + 1, mb)).toBe(
      "The photos waiting on this phone already take 90.0 MB and at most 100.0 MB can wait. Let them upload (get a connection), then take this one again.",
    );
  });
});

describe("uploadTimeoutMs", () => {
  it("gives a minute plus the file at 16 KB/s", () => {
    expect(uploadTimeoutMs(0)).toBe(60_000);
    expect(uploadTimeoutMs(16_384)).toBe(61_000);
    expect(uploadTimeoutMs(MAX_PHOTO_BYTES)).toBe(60_000 + 640_000);
  });
});

function photoEntry(clientKey = "photo-key-1", orderId = "wo 1"): QueueEntry<"photo", PhotoInput> {
  return {
    clientKey,
    kind: "photo",
    input: { id: orderId, clientKey, file: new Blob([JPEG], { type: "image/jpeg" }), fileName: "leak.jpg" },
    createdAt: 1,
    attempts: 0,
    lastError: null,
    nextAttemptAt: 0,
    failed: null,
  };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const saved = { id: "att-1", fileName: "leak.jpg", contentType: "image/jpeg", sizeBytes: JPEG.length };

describe("photoSender", () => {
  it("posts the file and its key as multipart, with the key as Idempotency-Key too, and returns the server's attachment", async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const send = photoSender({ fetch: async (url, init) => (seen.push({ url, init }), json(201, saved)) });
    expect(await send(photoEntry())).toEqual({ status: "sent", result: saved });
    expect(seen).toHaveLength(1);
    const { url, init } = seen[0]!;
    expect(url).toBe("/api/work-orders/wo%201/attachments");
    expect(init.method).toBe("POST");
    expect(init.headers).toEqual({ "Idempotency-Key": "photo-key-1" });
    const form = init.body as FormData;
    expect(form.get("clientKey")).toBe("photo-key-1");
    const file = form.get("file") as File;
    expect(file.name).toBe("leak.jpg");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(JPEG);
  });

  it("takes a replay's 200 as sent", async () => {
    const send = photoSender({ fetch: async () => json(200, saved) });
    expect(await send(photoEntry())).toEqual({ status: "sent", result: saved });
  });

  it("does not try while the phone is offline", async () => {
    let calls = 0;
    const send = photoSender({ fetch: async () => (calls++, json(201, saved)), isOnline: () => false });
    expect(await send(photoEntry())).toEqual({ status: "retry", message: "This phone is offline" });
    expect(calls).toBe(0);
  });

  it("keeps a refusal for good with the server's message, and retries what may change", async () => {
    const answer = (res: Response) => photoSender({ fetch: async () => res })(photoEntry());
    expect(await answer(json(415, { error: 'The file "leak.jpg" is a application/pdf file; photos must be JPEG, PNG, WebP or HEIC.' }))).toEqual({
      status: "rejected",
      message: 'The file "leak.jpg" is a application/pdf file; photos must be JPEG, PNG, WebP or HEIC.',
      httpStatus: 415,
    });
    expect(await answer(json(409, { error: "used on another work order" }))).toMatchObject({ status: "rejected", httpStatus: 409 });
    expect(await answer(new Response("<html>", { status: 413 }))).toEqual({ status: "rejected", message: "The upload failed (HTTP 413).", httpStatus: 413 });
    expect(await answer(json(401, { error: "Sign in to add photos." }))).toEqual({ status: "retry", message: "Sign in to add photos." });
    expect(await answer(json(503, { error: "down" }))).toEqual({ status: "retry", message: "down" });
    // a captive portal or a login page answering 200 is not the server storing the photo
    expect(await answer(new Response("<html>Welcome to the hotel wifi</html>", { status: 200 }))).toEqual({ status: "retry", message: "The server's answer was not understood (HTTP 200)" });
  });

  it("retries when there is no answer or the upload stalls", async () => {
    const failing = photoSender({
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    expect(await failing(photoEntry())).toEqual({ status: "retry", message: "No answer from the server (Failed to fetch)" });

    const stalled = photoSender({
      timeoutMs: () => 120_000,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    });
    vi.useFakeTimers();
    try {
      const pending = stalled(photoEntry());
      await vi.advanceTimersByTimeAsync(120_000);
      expect(await pending).toEqual({ status: "retry", message: "The upload took longer than 2 min; it will be tried again" });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("photos in an OfflineQueue", () => {
  it("keeps the photo (bytes included) in the store until the server has it, then it leaves once", async () => {
    const store = memoryStore();
    const answers: Response[] = [json(503, { error: "restarting" }), json(201, saved)];
    const bodies: Uint8Array[] = [];
    let t = 1_000;
    const queue = new OfflineQueue({
      store,
      now: () => t,
      send: photoSender({
        fetch: async (_url, init) => {
          bodies.push(new Uint8Array(await ((init.body as FormData).get("file") as File).arrayBuffer()));
          return answers.shift()!;
        },
      }),
    });
    const entry = photoEntry();
    await queue.enqueue({ clientKey: entry.clientKey, kind: "photo", input: entry.input, meta: { orderLabel: "WO-1" } });
    await queue.flush();
    const kept = store.data.get(entry.clientKey)!;
    expect(kept.attempts).toBe(1);
    expect(kept.lastError).toBe("restarting");
    expect(new Uint8Array(await (kept.input as PhotoInput).file.arrayBuffer())).toEqual(JPEG);

    t += 15_000;
    expect(await queue.flush()).toEqual({ sent: 1, rejected: 0, waiting: 0 });
    expect(bodies).toEqual([JPEG, JPEG]);
    expect(store.data.size).toBe(0);
  });

  it("keeps a refused photo as failed with the server's message until it is dismissed", async () => {
    const store = memoryStore();
    const queue = new OfflineQueue({ store, now: () => 1, send: photoSender({ fetch: async () => json(403, { error: "WO-7 is assigned to Ana; only they or a manager can edit or close it." }) }) });
    const entry = photoEntry();
    await queue.enqueue({ clientKey: entry.clientKey, kind: "photo", input: entry.input });
    await queue.flush();
    expect(queue.getSnapshot()[0]?.failed).toMatchObject({ message: "WO-7 is assigned to Ana; only they or a manager can edit or close it.", httpStatus: 403 });
    expect(await queue.dismiss(entry.clientKey)).toBe(true);
    expect(store.data.size).toBe(0);
  });
});
