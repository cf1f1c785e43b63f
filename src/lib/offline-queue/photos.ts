// Photos taken on an order without signal (issue 5): kept on the phone in an OfflineQueue of their
// own (a second IndexedDB database, so a 10 MB upload on a weak link never holds back the labour or
// the close-out typed after it) and sent by fetch to POST /api/work-orders/<id>/attachments with
// the photo's client key, which the server stores once. Pure apart from the injected fetch:
// photos.test.ts.
import { outcomeFromError } from "./outcome";
import type { QueueEntry, Sender, SendOutcome } from "./queue";

/** The server's limit (attach-photo.ts), checked on the phone before a photo is kept. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** What may wait on one phone: enough for a day on a site without signal, small enough for any phone's storage. */
export const OUTBOX_MAX_PHOTOS = 20;
export const OUTBOX_MAX_BYTES = 100 * 1024 * 1024;
/** Bytes read from a file to tell its type. */
export const PHOTO_HEAD_BYTES = 16;

/** What a queued photo sends: the order, the key the server de-duplicates on, the file itself. */
export interface PhotoInput {
  /** the work order */
  id: string;
  clientKey: string;
  file: Blob;
  fileName: string;
}

/** What the server answers for a stored photo (201, or 200 for a replay). */
export interface UploadedPhoto {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

const ascii = (bytes: Uint8Array, from: number, text: string) => [...text].every((c, i) => bytes[from + i] === c.charCodeAt(0));

/**
 * The photo type the bytes start with, by the same magic numbers the server's file-type reads, for
 * the types it accepts (JPEG, PNG, WebP, HEIC/HEIF); null for anything else.
 */
export function sniffPhotoType(head: Uint8Array): string | null {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => head[i] === b)) return "image/png";
  if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) return "image/webp";
  // ISO base media: a box "ftyp" at offset 4 whose major brand says HEIC (sequences and AVIF are refused)
  if (ascii(head, 4, "ftyp")) {
    if (ascii(head, 8, "heic") || ascii(head, 8, "heix")) return "image/heic";
    if (ascii(head, 8, "mif1")) return "image/heif";
  }
  return null;
}

const ACCEPTED = new Set(["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]);

/**
 * Why a chosen file cannot be kept as a photo (null: it can), in the words the page used before
 * photos were queued and the server uses: the phone refuses it at once instead of an hour later.
 */
export function photoRefusal(file: { name: string; size: number; type: string }, head: Uint8Array, formatSize: (bytes: number) => string): string | null {
  if (file.size === 0) return `The file "${file.name}" is empty; choose the photo again.`;
  if (file.size > MAX_PHOTO_BYTES) return `${file.name} is ${formatSize(file.size)}; photos may be at most 10 MB.`;
  if (sniffPhotoType(head)) return null;
  const what = file.type && !ACCEPTED.has(file.type) ? `a ${file.type} file` : "not an image this phone recognises";
  return `The file "${file.name}" is ${what}; photos must be JPEG, PNG, WebP or HEIC.`;
}

/** Why one more photo of `size` bytes cannot wait on this phone (null: it can); `kept` counts refused ones too. */
export function outboxRefusal(kept: readonly { size: number }[], size: number, formatSize: (bytes: number) => string): string | null {
  if (kept.length >= OUTBOX_MAX_PHOTOS) {
    return `${kept.length} photos are already waiting on this phone, the most it keeps. Let them upload (get a connection) or dismiss the refused ones, then take this one again.`;
  }
  const total = kept.reduce((sum, p) => sum + p.size, 0);
  if (total + size > OUTBOX_MAX_BYTES) {
    return `The photos waiting on this phone already take ${formatSize(total)} and at most ${formatSize(OUTBOX_MAX_BYTES)} can wait. Let them upload (get a connection), then take this one again.`;
  }
  return null;
}

/**
 * How long one upload may take before it counts as no answer: a minute, plus the file at 16 KB/s
 * (a poor 2G link), so a slow upload finishes and a stalled one does not hold the queue forever.
 */
export function uploadTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 16.384);
}

export const attachmentsPath = (orderId: string) => `/api/work-orders/${encodeURIComponent(orderId)}/attachments`;

function isUploadedPhoto(body: unknown): body is UploadedPhoto {
  const b = body as Partial<UploadedPhoto> | null;
  return typeof b === "object" && b !== null && typeof b.id === "string" && typeof b.fileName === "string" && typeof b.contentType === "string" && typeof b.sizeBytes === "number";
}

export interface PhotoSenderDeps {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** navigator.onLine: false means no request is tried */
  isOnline?: () => boolean;
  timeoutMs?: (bytes: number) => number;
}

/** The queue's sender for photos: one multipart request per photo, its answer mapped to the queue's outcomes. */
export function photoSender(deps: PhotoSenderDeps): Sender {
  return async (entry: QueueEntry): Promise<SendOutcome> => {
    if (deps.isOnline?.() === false) return { status: "retry", message: "This phone is offline" };
    const { id, clientKey, file, fileName } = entry.input as PhotoInput;
    const form = new FormData();
    form.append("file", file, fileName);
    form.append("clientKey", clientKey);
    const timeout = (deps.timeoutMs ?? uploadTimeoutMs)(file.size);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout);
    let res: Response;
    let body: unknown;
    try {
      res = await deps.fetch(attachmentsPath(id), { method: "POST", body: form, headers: { "Idempotency-Key": clientKey }, credentials: "same-origin", signal: abort.signal });
      body = await res.json().catch(() => null);
    } catch (err) {
      if (abort.signal.aborted) return { status: "retry", message: `The upload took longer than ${Math.round(timeout / 60_000)} min; it will be tried again` };
      return outcomeFromError(err);
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) {
      // a login page or a captive portal also answers 200: only the server's own answer counts
      if (!isUploadedPhoto(body)) return { status: "retry", message: `The server's answer was not understood (HTTP ${res.status})` };
      return { status: "sent", result: body };
    }
    const error = (body as { error?: unknown } | null)?.error;
    const message = typeof error === "string" && error ? error : `The upload failed (HTTP ${res.status}).`;
    return outcomeFromError(Object.assign(new Error(message), { status: res.status }));
  };
}
