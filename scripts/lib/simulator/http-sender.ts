// HTTP client for `POST /api/ingest` (contracts.md "HTTP ingest"): JSON array bodies with a device
// bearer token over a keep-alive agent; retries 429/503 honouring Retry-After, and network errors
// and other 5xx with exponential backoff; a 400 is fatal for the batch and carries the errors.
import http from "node:http";
import https from "node:https";
import type { SimReading } from "@/lib/sim";

export interface IngestItemError {
  index: number;
  field?: string;
  message: string;
}

/** The server refused the batch as invalid (400): nothing of it was stored. */
export class IngestRejectedError extends Error {
  constructor(
    readonly deviceId: string,
    readonly errors: IngestItemError[],
    readonly body: string,
  ) {
    super(`ingest refused the batch of device ${deviceId} (400): ${errors.slice(0, 3).map((e) => `#${e.index} ${e.field ?? ""}: ${e.message}`).join("; ") || body.slice(0, 300)}`);
    this.name = "IngestRejectedError";
  }
}

/** A refusal that retrying cannot fix (401, 403, 413, 415, other 4xx). */
export class IngestRefusedError extends Error {
  constructor(
    readonly deviceId: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`ingest refused device ${deviceId} with HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = "IngestRefusedError";
  }
}

export interface HttpSenderOptions {
  /** Base URL of the app, e.g. http://localhost:3000. */
  url: string;
  /** Parallel requests over the keep-alive agent (default 4). */
  maxSockets?: number;
  /** Retries per batch for retryable failures (default 8; Infinity keeps trying). */
  maxRetries?: number;
  /** First backoff delay [ms] (default 500), doubled per attempt up to maxBackoffMs (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After honoured [ms] (default 5 min). */
  maxRetryAfterMs?: number;
  requestTimeoutMs?: number;
  /** Called before each retry (logging). */
  onRetry?: (info: { deviceId: string; attempt: number; delayMs: number; reason: string }) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as a delay [ms]: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return null;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export class HttpSender {
  private readonly endpoint: URL;
  private readonly agent: http.Agent;
  private readonly options: Required<Omit<HttpSenderOptions, "onRetry">> & Pick<HttpSenderOptions, "onRetry">;
  private closed = false;

  constructor(options: HttpSenderOptions) {
    this.endpoint = new URL("/api/ingest", options.url);
    this.options = {
      maxSockets: 4,
      maxRetries: 8,
      backoffMs: 500,
      maxBackoffMs: 30_000,
      maxRetryAfterMs: 300_000,
      requestTimeoutMs: 60_000,
      sleep: defaultSleep,
      ...options,
    };
    const AgentClass = this.endpoint.protocol === "https:" ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: this.options.maxSockets });
  }

  /** Sends one batch for a device; resolves once the server committed it (202). */
  async send(deviceId: string, token: string, readings: readonly SimReading[]): Promise<IngestResult> {
    const body = Buffer.from(JSON.stringify(readings));
    for (let attempt = 1; ; attempt++) {
      let response: RawResponse | null = null;
      let reason: string;
      try {
        response = await this.post(body, token);
      } catch (error) {
        if (this.closed) throw error;
        reason = (error as Error).message;
      }
      let retryAfter: number | null = null;
      if (response) {
        const { status } = response;
        if (status === 202 || status === 200) {
          try {
            const parsed = JSON.parse(response.body) as Partial<IngestResult>;
            return { accepted: parsed.accepted ?? readings.length, duplicates: parsed.duplicates ?? 0 };
          } catch {
            return { accepted: readings.length, duplicates: 0 };
          }
        }
        if (status === 400) throw new IngestRejectedError(deviceId, parseErrors(response.body), response.body);
        if (status < 500 && status !== 429 && status !== 408) throw new IngestRefusedError(deviceId, status, response.body);
        retryAfter = status === 429 || status === 503 ? parseRetryAfter(response.headers["retry-after"]) : null;
        reason = `HTTP ${status}`;
      }
      if (attempt > this.options.maxRetries) throw new Error(`giving up on a batch of device ${deviceId} after ${attempt} attempts: ${reason!}`);
      const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (attempt - 1));
      const delayMs = retryAfter !== null ? Math.min(this.options.maxRetryAfterMs, retryAfter) : backoff * (0.75 + 0.5 * Math.random());
      this.options.onRetry?.({ deviceId, attempt, delayMs, reason: reason! });
      await this.options.sleep(delayMs);
      if (this.closed) throw new Error("sender closed");
    }
  }

  /** Live mode keeps retrying a batch; a backfill gives up (and fails) after a few attempts. */
  setMaxRetries(maxRetries: number): void {
    this.options.maxRetries = maxRetries;
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  private post(body: Buffer, token: string): Promise<RawResponse> {
    const transport = this.endpoint.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        this.endpoint,
        {
          method: "POST",
          agent: this.agent,
          headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${token}` },
          timeout: this.options.requestTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no response within ${this.options.requestTimeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }
}

function parseErrors(body: string): IngestItemError[] {
  try {
    const parsed = JSON.parse(body) as { errors?: IngestItemError[]; error?: { message?: string } };
    if (Array.isArray(parsed.errors)) return parsed.errors;
    if (parsed.error?.message) return [{ index: -1, message: parsed.error.message }];
  } catch {
    // not JSON: the raw body is kept on the error
  }
  return [];
}
