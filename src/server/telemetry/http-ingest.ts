import { moduleLogger } from "@/server/logger";
import { MAX_DECODED_BYTES, bodyFormatOf, IngestRequestError, parseIngestRequest } from "@/server/telemetry/ingest-contract";
import type { IngestDirectory, DeviceIdentity } from "@/server/telemetry/ingest-directory";
import type { RateLimiter } from "@/server/telemetry/rate-limit";
import { StorageUnavailableError, type TelemetryStore } from "@/server/telemetry/store";
import { recordDeadLetter } from "@/server/telemetry/dead-letter";
import { countDuplicates, countIngested, countRejected, observeBatch } from "@/server/ops/metrics";
import type { IncomingMessage, ServerResponse } from "node:http";
import type pg from "pg";

export interface IngestDeps {
  pool: pg.Pool;
  directory: IngestDirectory;
  store: TelemetryStore;
  limiter: RateLimiter;
  now?: () => number;
}

const log = moduleLogger("ingest-http");
const RETRY_AFTER_UNAVAILABLE_S = 5;
// Compressed bodies may not exceed the decoded cap either (a little slack for gzip framing).
const MAX_RAW_BYTES = MAX_DECODED_BYTES + 64 * 1024;

/** What the transport needs from a request: its headers and a way to read the body. */
export interface IngestHttpRequest {
  /** A header by its lower-case name; null when absent. */
  header(name: string): string | null;
  /** The body, or null as soon as it is over `limit` bytes (the rest is not buffered). */
  readBody(limit: number): Promise<Buffer | null>;
}

/** The answer, written by the transport. */
export interface IngestHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** the refusal's code (metrics) */
  code?: string;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): IngestHttpResponse {
  return { status, body: JSON.stringify(body), headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } };
}

/** The one error body of contracts.md for every refusal except a 400 with item errors. */
function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): IngestHttpResponse {
  return { ...json(status, { error: { code, message } }, headers), code };
}

function bearerToken(header: string | null): string | null {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1] ?? null;
}

/** Reads the body, refusing past `limit` bytes without buffering the rest. */
async function readLimited(req: Request, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Reads a Node request body, refusing past `limit` bytes without buffering the rest. */
function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
    // the client went away mid-body: nothing to answer
    req.on("close", () => {
      if (!req.complete) reject(new Error("client closed the request before the end of the body"));
    });
  });
}

const lastSeenWritten = new Map<string, number>();

/** Marks the device as seen, at most once a minute per device, off the response path. */
function touchDevice(pool: pg.Pool, device: DeviceIdentity, now: number): void {
  const prev = lastSeenWritten.get(device.deviceId) ?? 0;
  if (now - prev < 60_000) return;
  lastSeenWritten.set(device.deviceId, now);
  pool.query("UPDATE device SET last_seen_at = $2 WHERE id = $1", [device.deviceId, new Date(now)]).catch(() => undefined);
}

/** `POST /api/ingest` for a web Request (the Next.js route handler). */
export async function handleIngestRequest(req: Request, deps: IngestDeps): Promise<Response> {
  const r = await handleIngest({ header: (name) => req.headers.get(name), readBody: (limit) => readLimited(req, limit) }, deps);
  return new Response(r.body, { status: r.status, headers: r.headers });
}

/** How long the rest of a refused body (413) is read and thrown away before the connection is cut. */
const LINGER_MS = 3_000;

/**
 * A body we stopped reading (413): the answer goes out at once, and the rest of the body is read and
 * discarded (never buffered) for up to LINGER_MS. Closing at once instead would make the kernel reset
 * the connection over the unread bytes, and a client still sending can then lose the 413 itself
 * (EPIPE/ECONNRESET before it reads the answer); nginx's lingering close does the same.
 */
function lingerThenClose(req: IncomingMessage): void {
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.once("end", done);
  req.once("close", done);
  req.resume();
}

/**
 * `POST /api/ingest` straight on Node's HTTP server (the web server in src/server/http routes it here
 * before Next.js): the same handling without a web Request and stream per request, which costs
 * about as much CPU as the rest of the request (bench:ingest).
 */
export async function handleIngestNode(req: IncomingMessage, res: ServerResponse, deps: IngestDeps): Promise<void> {
  let r: IngestHttpResponse;
  try {
    r = await handleIngest(
      {
        header: (name) => {
          const v = req.headers[name];
          return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
        },
        readBody: (limit) => readNodeBody(req, limit),
      },
      deps,
    );
  } catch (err) {
    if (res.destroyed || req.destroyed) return;
    log.error({ err: (err as Error).message }, "ingest request failed");
    r = refuse(500, "internal", "The request failed on the server; nothing was stored. Retry later.");
  }
  if (res.destroyed) return;
  if (!req.complete) lingerThenClose(req);
  res.writeHead(r.status, { ...r.headers, "content-length": Buffer.byteLength(r.body) });
  res.end(r.body);
}

/**
 * `POST /api/ingest` (contracts.md "HTTP ingest"): device token -> rate limit -> content type -> body
 * (size cap, gzip) -> parse and validate all-or-nothing -> store in one transaction -> 202 only
 * after the commit. Storage trouble is a 503 with Retry-After, never a 202.
 */
export async function handleIngest(req: IngestHttpRequest, deps: IngestDeps): Promise<IngestHttpResponse> {
  const res = await handleIngestUncounted(req, deps);
  if (res.status !== 202) countRejected("http", res.code ?? "invalid_readings");
  return res;
}

async function handleIngestUncounted(req: IngestHttpRequest, deps: IngestDeps): Promise<IngestHttpResponse> {
  const now = deps.now?.() ?? Date.now();
  const token = bearerToken(req.header("authorization"));
  if (!token) return refuse(401, "unauthorized", "Send the device token as 'Authorization: Bearer <token>'.", { "www-authenticate": "Bearer" });

  let device: DeviceIdentity | null;
  try {
    device = await deps.directory.deviceByToken(token);
  } catch (err) {
    log.warn({ err: (err as Error).message }, "device lookup failed");
    return refuse(503, "unavailable", "Storage is unavailable; retry later.", { "retry-after": String(RETRY_AFTER_UNAVAILABLE_S) });
  }
  if (!device) return refuse(401, "unauthorized", "Unknown or revoked device token.", { "www-authenticate": "Bearer" });

  const wait = deps.limiter.take(device.deviceId);
  if (wait > 0) {
    return refuse(429, "rate_limited", `Too many requests from device ${device.deviceId} (limit ${deps.limiter.ratePerSecond}/s, burst ${deps.limiter.burst}).`, {
      "retry-after": String(Math.max(1, Math.ceil(wait))),
    });
  }

  const contentType = req.header("content-type");
  try {
    bodyFormatOf(contentType);
  } catch (err) {
    if (err instanceof IngestRequestError) return refuse(err.status, err.code, err.message);
    throw err;
  }

  const body = await req.readBody(MAX_RAW_BYTES);
  if (!body) return refuse(413, "too_large", `The body is over ${MAX_DECODED_BYTES / 1024 / 1024} MiB; send smaller batches.`);

  let catalogue;
  try {
    catalogue = await deps.directory.catalogueFor(device.systemId);
  } catch (err) {
    log.warn({ err: (err as Error).message }, "catalogue lookup failed");
    return refuse(503, "unavailable", "Storage is unavailable; retry later.", { "retry-after": String(RETRY_AFTER_UNAVAILABLE_S) });
  }
  const parsed = parseIngestRequest({ body, contentType, contentEncoding: req.header("content-encoding"), now, catalogue });
  if (!parsed.ok) {
    // Rejected data is kept with its reason (never silently dropped), best effort.
    void recordDeadLetter(deps.pool, {
      deviceId: device.deviceId,
      transport: "http",
      code: parsed.error?.code ?? "invalid_readings",
      reason: parsed.error?.message ?? parsed.errors?.map((e) => `#${e.index} ${e.field}: ${e.message}`).slice(0, 5).join("; ") ?? "rejected",
      payload: body,
    });
    if (parsed.errors) return json(400, { errors: parsed.errors });
    return refuse(parsed.status, parsed.error?.code ?? "bad_request", parsed.error?.message ?? "The request was rejected.");
  }

  try {
    const started = performance.now();
    const result = await deps.store.store(device.systemId, parsed.readings);
    observeBatch("http", (performance.now() - started) / 1000, parsed.readings.length);
    countIngested("http", result.accepted);
    if (result.duplicates) countDuplicates("http", result.duplicates);
    touchDevice(deps.pool, device, now);
    return json(202, { accepted: result.accepted, duplicates: result.duplicates });
  } catch (err) {
    if (err instanceof StorageUnavailableError) {
      log.warn({ err: err.message, device: device.deviceId }, "storage unavailable; asked the device to retry");
      return refuse(503, "unavailable", "Storage is unavailable; nothing was stored. Retry later.", { "retry-after": String(RETRY_AFTER_UNAVAILABLE_S) });
    }
    throw err;
  }
}
