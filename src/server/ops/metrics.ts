/**
 * Prometheus metrics of a process (docs/operations.md lists them): ingest counters and store latency
 * counted by the hot paths, Node's process metrics, and gauges read from the database at scrape time.
 *
 * One registry per process, kept on globalThis: Next.js bundles the route handler's copy of this
 * module apart from the custom web server's (src/server/http), and both must count into the same
 * metrics. The hot-path helpers use label children bound once, so a call costs prom-client's own
 * bookkeeping and nothing more.
 *
 * Served at `GET /api/metrics` to Prometheus on the loopback (no proxy in between), or to anyone with
 * `Authorization: Bearer <METRICS_TOKEN>` when that is set (`checkMetricsAccess`).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import { isIPv4, isIPv6 } from "node:net";
import type pg from "pg";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { metricsEnv } from "@/server/env/metrics";
import { moduleLogger } from "@/server/logger";

export type IngestTransport = "http" | "mqtt";

const TRANSPORTS: readonly IngestTransport[] = ["http", "mqtt"];
const ALERT_STATES = ["active_unacknowledged", "active_acknowledged", "cleared_unacknowledged", "cleared"] as const;
const SEVERITIES = ["critical", "major", "minor", "warning"] as const;
const DEAD_LETTER_TRANSPORTS = ["http", "mqtt", "import"] as const;
/** A scrape answers within this even when the database hangs (Prometheus' default timeout is 10 s). */
const DB_GAUGES_TIMEOUT_MS = 3_000;

const log = moduleLogger("metrics");

interface MetricsState {
  registry: Registry;
  ingested: Record<IngestTransport, Counter.Internal>;
  duplicates: Record<IngestTransport, Counter.Internal>;
  rejected: Counter<"transport" | "code">;
  rejectedByCode: Record<IngestTransport, Map<string, Counter.Internal>>;
  batchSeconds: Record<IngestTransport, Histogram.Internal<"transport">>;
  batchReadings: Record<IngestTransport, Histogram.Internal<"transport">>;
  alerts: Gauge<"state" | "severity">;
  deadLetters: Gauge<"transport">;
  deadLettersLastHour: Gauge<"transport">;
  newestReadingAge: Gauge;
  databaseUp: Gauge;
}

function perTransport<T>(make: (transport: IngestTransport) => T): Record<IngestTransport, T> {
  return { http: make("http"), mqtt: make("mqtt") };
}

function createState(): MetricsState {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const ingested = new Counter({
    name: "ecomate_ingest_readings_total",
    help: "Readings committed to storage (duplicates not included), by transport.",
    labelNames: ["transport"] as const,
    registers,
  });
  const duplicates = new Counter({
    name: "ecomate_ingest_duplicate_readings_total",
    help: "Readings received for a (series, ts) already stored, and not stored again (the first value stays).",
    labelNames: ["transport"] as const,
    registers,
  });
  const rejected = new Counter({
    name: "ecomate_ingest_rejected_total",
    help: "Ingest requests (HTTP) or messages (MQTT) refused, by transport and error code.",
    labelNames: ["transport", "code"] as const,
    registers,
  });
  const batchSeconds = new Histogram({
    name: "ecomate_ingest_batch_duration_seconds",
    help: "Time to store one batch of readings (one database transaction), by transport.",
    labelNames: ["transport"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const batchReadings = new Histogram({
    name: "ecomate_ingest_batch_readings",
    help: "Readings per stored batch, by transport.",
    labelNames: ["transport"] as const,
    buckets: [1, 5, 10, 50, 100, 500, 1000, 5000, 10000, 50000],
    registers,
  });

  const alerts = new Gauge({
    name: "ecomate_alerts",
    help: "Alerts in the database by state and severity (all organisations; read at scrape time).",
    labelNames: ["state", "severity"] as const,
    registers,
  });
  const deadLetters = new Gauge({
    name: "ecomate_ingest_dead_letters",
    help: "Rejected ingest messages kept in ingest_dead_letter, by transport (read at scrape time).",
    labelNames: ["transport"] as const,
    registers,
  });
  const deadLettersLastHour = new Gauge({
    name: "ecomate_ingest_dead_letters_last_hour",
    help: "Rejected ingest messages received in the last hour, by transport (read at scrape time).",
    labelNames: ["transport"] as const,
    registers,
  });
  const newestReadingAge = new Gauge({
    name: "ecomate_newest_reading_age_seconds",
    help: "Now minus the time of the newest committed reading of any series (max of series_latest.ts); NaN when there is none.",
    registers,
  });
  const databaseUp = new Gauge({
    name: "ecomate_metrics_database_up",
    help: "1 when this scrape read the database gauges, 0 when the database could not be queried (those gauges are then absent).",
    registers,
  });

  const state: MetricsState = {
    registry,
    ingested: perTransport((t) => ingested.labels(t)),
    duplicates: perTransport((t) => duplicates.labels(t)),
    rejected,
    rejectedByCode: perTransport(() => new Map()),
    batchSeconds: perTransport((t) => batchSeconds.labels(t)),
    batchReadings: perTransport((t) => batchReadings.labels(t)),
    alerts,
    deadLetters,
    deadLettersLastHour,
    newestReadingAge,
    databaseUp,
  };
  // Every transport's series exists from the start at 0, so rate() and absent() behave before the first reading.
  for (const t of TRANSPORTS) {
    state.ingested[t].inc(0);
    state.duplicates[t].inc(0);
    batchSeconds.zero({ transport: t });
    batchReadings.zero({ transport: t });
  }
  newestReadingAge.set(Number.NaN);
  return state;
}

const globalForMetrics = globalThis as unknown as { __ecomateMetrics?: MetricsState };

function metrics(): MetricsState {
  return (globalForMetrics.__ecomateMetrics ??= createState());
}

/** The process's registry (for tests and for adding metrics elsewhere). */
export function metricsRegistry(): Registry {
  return metrics().registry;
}

// ---- called from the hot paths ---------------------------------------------------------------------

/** `readings` committed by one batch. */
export function countIngested(transport: IngestTransport, readings: number): void {
  if (readings > 0) metrics().ingested[transport].inc(readings);
}

/** `n` readings of a batch that were already stored. */
export function countDuplicates(transport: IngestTransport, n: number): void {
  if (n > 0) metrics().duplicates[transport].inc(n);
}

/** One request or message refused with error `code` (the ingest error code, e.g. "unauthorized", "rate_limited"). */
export function countRejected(transport: IngestTransport, code: string): void {
  const m = metrics();
  const children = m.rejectedByCode[transport];
  let child = children.get(code);
  if (!child) {
    child = m.rejected.labels(transport, code);
    children.set(code, child);
  }
  child.inc();
}

/** One batch stored in `seconds` with `readings` readings in it. */
export function observeBatch(transport: IngestTransport, seconds: number, readings: number): void {
  const m = metrics();
  m.batchSeconds[transport].observe(seconds);
  m.batchReadings[transport].observe(readings);
}

// ---- read from the database at scrape time ----------------------------------------------------------

type Queryable = pg.Pool | pg.ClientBase;

interface DatabaseGauges {
  alerts: { state: string; severity: string; n: number }[];
  deadLetters: { transport: string; total: number; lastHour: number }[];
  newestAgeSeconds: number | null;
}

async function readDatabaseGauges(db: Queryable): Promise<DatabaseGauges> {
  // Three small queries, one after the other (one connection at a time): alerts grouped (16 groups at most),
  // dead letters grouped by transport, and the max over series_latest (one row per series).
  const alerts = await db.query<{ state: string; severity: string; n: number }>(
    "SELECT state::text AS state, severity::text AS severity, count(*)::int AS n FROM alert GROUP BY 1, 2",
  );
  const deadLetters = await db.query<{ transport: string; total: number; last_hour: number }>(
    `SELECT transport, count(*)::int AS total, count(*) FILTER (WHERE received_at > now() - interval '1 hour')::int AS last_hour
       FROM ingest_dead_letter GROUP BY transport`,
  );
  const newest = await db.query<{ age: number | null }>("SELECT extract(epoch FROM now() - max(ts))::float8 AS age FROM series_latest");
  return {
    alerts: alerts.rows,
    deadLetters: deadLetters.rows.map((r) => ({ transport: r.transport, total: r.total, lastHour: r.last_hour })),
    newestAgeSeconds: newest.rows[0]?.age ?? null,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database gauges timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Sets the database gauges from one read (synchronously, so a scrape never sees half of them). */
function setDatabaseGauges(m: MetricsState, g: DatabaseGauges | null): void {
  m.alerts.reset();
  m.deadLetters.reset();
  m.deadLettersLastHour.reset();
  m.databaseUp.set(g ? 1 : 0);
  if (!g) {
    m.newestReadingAge.set(Number.NaN);
    return;
  }
  // Every state and severity appears, at 0 when there is none, so that sums and alerts on absence work.
  for (const state of ALERT_STATES) for (const severity of SEVERITIES) m.alerts.set({ state, severity }, 0);
  for (const r of g.alerts) m.alerts.set({ state: r.state, severity: r.severity }, r.n);
  for (const transport of DEAD_LETTER_TRANSPORTS) {
    m.deadLetters.set({ transport }, 0);
    m.deadLettersLastHour.set({ transport }, 0);
  }
  for (const r of g.deadLetters) {
    m.deadLetters.set({ transport: r.transport }, r.total);
    m.deadLettersLastHour.set({ transport: r.transport }, r.lastHour);
  }
  m.newestReadingAge.set(g.newestAgeSeconds ?? Number.NaN);
}

/**
 * The text exposition of this process's metrics, with the database gauges read now from `pool`
 * (or any pg client; null when no database is configured: those gauges are then left out). Never
 * throws for a database problem: Prometheus still gets the process metrics and the counters.
 */
export async function metricsResponse(pool: Queryable | null): Promise<{ contentType: string; body: string }> {
  const m = metrics();
  let gauges: DatabaseGauges | null = null;
  if (pool) {
    try {
      gauges = await withTimeout(readDatabaseGauges(pool), DB_GAUGES_TIMEOUT_MS);
    } catch (error) {
      log.warn({ err: (error as Error).message }, "metrics: database gauges not read");
    }
  }
  setDatabaseGauges(m, gauges);
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}

// ---- who may scrape ----------------------------------------------------------------------------------

export interface MetricsAccessRequest {
  /**
   * The TCP peer, when the caller has the socket (the custom web server, any node:http server).
   * Undefined in a Next.js route handler, which has no socket: Next.js then puts the peer in
   * X-Forwarded-For itself, when the request did not bring one.
   */
  remoteAddress?: string | null;
  authorization?: string | null;
  /** X-Forwarded-For */
  forwardedFor?: string | null;
  /** X-Real-IP */
  realIp?: string | null;
  /** Forwarded (RFC 7239) */
  forwarded?: string | null;
}

export type MetricsAccess =
  | { allowed: true; via: "loopback" | "token" }
  | { allowed: false; status: 401 | 403; code: "UNAUTHORIZED" | "FORBIDDEN"; message: string };

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.x.x). */
export function isLoopbackAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const a = address.trim().replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (isIPv4(a)) return a.startsWith("127.");
  if (!isIPv6(a)) return false;
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const mapped = /^(?:::|0:0:0:0:0:)ffff:(.+)$/.exec(a)?.[1];
  return mapped !== undefined && isIPv4(mapped) && mapped.startsWith("127.");
}

function tokenMatches(authorization: string | null | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return false;
  // Compare digests: timingSafeEqual needs equal lengths, and the token's length must not leak either.
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

/**
 * Whether a scrape may see the metrics: a request from the loopback that did not pass through a
 * proxy, or one with `Authorization: Bearer <token>` when a token is configured.
 *
 * A proxy on the same machine (deploy/nginx) connects from the loopback for every client on the
 * internet, so a request carrying forwarding headers is not local, wherever its socket comes from.
 * Without a socket (route handler) the only trace of the peer is the X-Forwarded-For that Next.js
 * adds; a client talking to Next.js directly could forge it, which the custom web server (socket
 * check, answers /api/metrics before Next.js) does not allow.
 */
export function checkMetricsAccess(req: MetricsAccessRequest, token: string | undefined): MetricsAccess {
  if (token && tokenMatches(req.authorization, token)) return { allowed: true, via: "token" };
  const hops = (req.forwardedFor ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  const proxied = !!req.realIp?.trim() || !!req.forwarded?.trim();
  const local =
    req.remoteAddress !== undefined && req.remoteAddress !== null
      ? isLoopbackAddress(req.remoteAddress) && hops.length === 0 && !proxied
      : hops.length === 1 && isLoopbackAddress(hops[0]) && !proxied;
  if (local) return { allowed: true, via: "loopback" };
  if (token) {
    return {
      allowed: false,
      status: 401,
      code: "UNAUTHORIZED",
      message: req.authorization ? "The metrics token is wrong." : "Metrics need Authorization: Bearer <METRICS_TOKEN> from other hosts.",
    };
  }
  return {
    allowed: false,
    status: 403,
    code: "FORBIDDEN",
    message: "Metrics are served to the loopback only; set METRICS_TOKEN to scrape from other hosts.",
  };
}

/** The refusal as an HTTP answer, the same for every transport. */
export function metricsRefusal(access: Extract<MetricsAccess, { allowed: false }>): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (access.status === 401) headers["www-authenticate"] = 'Bearer realm="ecomate-metrics"';
  return { status: access.status, headers, body: JSON.stringify({ error: { code: access.code, message: access.message } }) };
}

/** `GET /api/metrics` (with or without a query string), for servers that route it themselves. */
export function isMetricsRequest(method: string | undefined, url: string | undefined): boolean {
  if ((method !== "GET" && method !== "HEAD") || !url) return false;
  return url === "/api/metrics" || url.startsWith("/api/metrics?");
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Answers a metrics scrape on a node:http server (the custom web server; a worker could serve the
 * same on a port of its own). `token` defaults to METRICS_TOKEN.
 */
export async function handleMetricsNode(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pool: Queryable | null,
  opts: { token?: string } = {},
): Promise<void> {
  try {
    const token = "token" in opts ? opts.token : metricsEnv().METRICS_TOKEN;
    const access = checkMetricsAccess(
      {
        remoteAddress: req.socket.remoteAddress ?? null,
        authorization: header(req, "authorization"),
        forwardedFor: header(req, "x-forwarded-for"),
        realIp: header(req, "x-real-ip"),
        forwarded: header(req, "forwarded"),
      },
      token,
    );
    if (!access.allowed) {
      const refusal = metricsRefusal(access);
      res.writeHead(refusal.status, refusal.headers).end(refusal.body);
      return;
    }
    const { contentType, body } = await metricsResponse(pool);
    res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (error) {
    log.error({ err: (error as Error).message }, "metrics scrape failed");
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("metrics unavailable\n");
  }
}
