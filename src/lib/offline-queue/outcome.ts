import type { SendOutcome } from "./queue";

// Which refusals are final. A 4xx means the server understood the entry and said no; sending it
// again gives the same answer, except for these, which depend on when or by whom it is sent:
// 401 (signed out: sign in and it goes through), 408 (timeout), 425 (too early), 429 (rate limit).
const TRANSIENT_4XX = new Set([401, 408, 425, 429]);

export function isPermanentRefusal(httpStatus: number): boolean {
  return httpStatus >= 400 && httpStatus < 500 && !TRANSIENT_4XX.has(httpStatus);
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : null;
}

/**
 * The HTTP status of a failed call: a tRPC client error carries it in `data.httpStatus`, a fetch
 * wrapper in `status`. null when the request got no answer at all (offline, DNS, reset).
 */
export function httpStatusOf(err: unknown): number | null {
  const e = record(err);
  if (!e) return null;
  const data = record(e.data);
  const candidates = [data?.httpStatus, e.httpStatus, e.status];
  for (const c of candidates) if (typeof c === "number" && Number.isInteger(c) && c >= 100 && c < 600) return c;
  return null;
}

/** What the queue should do with an entry whose send threw `err`. */
export function outcomeFromError(err: unknown): SendOutcome {
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : "The request failed";
  const httpStatus = httpStatusOf(err);
  if (httpStatus !== null && isPermanentRefusal(httpStatus)) return { status: "rejected", message, httpStatus };
  return { status: "retry", message: httpStatus === null ? `No answer from the server (${message})` : message };
}

/**
 * A random v4 UUID for an entry. crypto.randomUUID exists only in secure contexts (HTTPS,
 * localhost); a phone on the plant's LAN may use plain http, where getRandomValues still works.
 */
export function newClientKey(cryptoImpl: Pick<Crypto, "getRandomValues"> & { randomUUID?: () => string } = globalThis.crypto): string {
  if (typeof cryptoImpl.randomUUID === "function") return cryptoImpl.randomUUID();
  const b = cryptoImpl.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
