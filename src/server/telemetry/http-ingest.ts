import { moduleLogger } from "@/server/logger";
import { MAX_DECODED_BYTES, bodyFormatOf, IngestRequestError, parseIngestRequest } from "@/server/telemetry/ingest-contract";
import type { IngestDirectory, DeviceIdentity } from "@/server/telemetry/ingest-directory";
import type { RateLimiter } from "@/server/telemetry/rate-limit";
import { StorageUnavailableError, type TelemetryStore } from "@/server/telemetry/store";
import { recordDeadLetter } from "@/server/telemetry/dead-letter";
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

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });
}

/** The one error body of contracts.md for every refusal except a 400 with item errors. */
function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: { code, message } }, headers);
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

const lastSeenWritten = new Map<string, number>();

/** Marks the device as seen, at most once a minute per device, off the response path. */
function touchDevice(pool: pg.Pool, device: DeviceIdentity, now: number): void {
  const prev = lastSeenWritten.get(device.deviceId) ?? 0;
  if (now - prev < 60_000) return;
  lastSeenWritten.set(device.deviceId, now);
  pool.query("UPDATE device SET last_seen_at = $2 WHERE id = $1", [device.deviceId, new Date(now)]).catch(() => undefined);
}

/**
 * `POST /api/ingest` (contracts.md "HTTP ingest"): device token -> rate limit -> content type -> body
 * (size cap, gzip) -> parse and validate all-or-nothing -> store in one transaction -> 202 only
 * after the commit. Storage trouble is a 503 with Retry-After, never a 202.
 */
export async function handleIngestRequest(req: Request, deps: IngestDeps): Promise<Response> {
  const now = deps.now?.() ?? Date.now();
  const token = bearerToken(req.headers.get("authorization"));
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

  const contentType = req.headers.get("content-type");
  try {
    bodyFormatOf(contentType);
  } catch (err) {
    if (err instanceof IngestRequestError) return refuse(err.status, err.code, err.message);
    throw err;
  }

  const body = await readLimited(req, MAX_RAW_BYTES);
  if (!body) return refuse(413, "too_large", `The body is over ${MAX_DECODED_BYTES / 1024 / 1024} MiB; send smaller batches.`);

  let catalogue;
  try {
    catalogue = await deps.directory.catalogueFor(device.systemId);
  } catch (err) {
    log.warn({ err: (err as Error).message }, "catalogue lookup failed");
    return refuse(503, "unavailable", "Storage is unavailable; retry later.", { "retry-after": String(RETRY_AFTER_UNAVAILABLE_S) });
  }
  const parsed = parseIngestRequest({ body, contentType, contentEncoding: req.headers.get("content-encoding"), now, catalogue });
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
    const result = await deps.store.store(device.systemId, parsed.readings);
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
