import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "../../src/app/api/metrics/route";
import { getPool } from "../../src/server/db";
import { parseMetricsEnv } from "../../src/server/env/metrics";
import {
  checkMetricsAccess,
  countDuplicates,
  countIngested,
  countRejected,
  handleMetricsNode,
  isLoopbackAddress,
  isMetricsRequest,
  metricsResponse,
  observeBatch,
} from "../../src/server/ops/metrics";
import { makeOrg, testDb, uid } from "./helpers";

const db = testDb();
const pool = getPool();

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: m[3]!.toLowerCase() === "nan" ? Number.NaN : Number(m[3]) });
  }
  return samples;
}

/** The value of one sample; undefined when the exposition does not have it. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hit = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length);
  return hit?.value;
}

async function scrape(q: Parameters<typeof metricsResponse>[0] = pool): Promise<Sample[]> {
  const { contentType, body } = await metricsResponse(q);
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(body);
}

describe("metrics exposition", () => {
  it("counts ingest by transport, with the batch histogram", async () => {
    const before = await scrape();
    const get = (s: Sample[], name: string, labels: Record<string, string>) => valueOf(s, name, labels) ?? 0;
    const code = `TEST_${uid()}`;

    countIngested("http", 120);
    countIngested("http", 30);
    countIngested("mqtt", 7);
    countDuplicates("mqtt", 3);
    countDuplicates("http", 0);
    countRejected("http", code);
    countRejected("http", code);
    countRejected("mqtt", code);
    observeBatch("http", 0.004, 120);
    observeBatch("http", 0.2, 30);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => get(after, name, labels) - get(before, name, labels);
    expect(delta("ecomate_ingest_readings_total", { transport: "http" })).toBe(150);
    expect(delta("ecomate_ingest_readings_total", { transport: "mqtt" })).toBe(7);
    expect(delta("ecomate_ingest_duplicate_readings_total", { transport: "mqtt" })).toBe(3);
    expect(delta("ecomate_ingest_duplicate_readings_total", { transport: "http" })).toBe(0);
    expect(get(after, "ecomate_ingest_rejected_total", { transport: "http", code })).toBe(2);
    expect(get(after, "ecomate_ingest_rejected_total", { transport: "mqtt", code })).toBe(1);
    expect(delta("ecomate_ingest_batch_duration_seconds_count", { transport: "http" })).toBe(2);
    expect(delta("ecomate_ingest_batch_duration_seconds_sum", { transport: "http" })).toBeCloseTo(0.204, 9);
    expect(delta("ecomate_ingest_batch_duration_seconds_bucket", { transport: "http", le: "0.005" })).toBe(1);
    expect(delta("ecomate_ingest_batch_duration_seconds_bucket", { transport: "http", le: "0.25" })).toBe(2);
    expect(delta("ecomate_ingest_batch_readings_sum", { transport: "http" })).toBe(150);
    // the process metrics are there too
    expect(valueOf(after, "process_cpu_user_seconds_total")).toBeGreaterThanOrEqual(0);
    expect(valueOf(after, "ecomate_metrics_database_up")).toBe(1);
  });

  it("reads the database gauges: alerts, dead letters, newest reading age", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! }, select: { id: true } });
    const metric = await db.metric.findFirstOrThrow({ where: { key: "flow_rate", organizationId: null }, select: { id: true } });
    const series = await db.series.create({ data: { systemId: system.id, metricId: metric.id }, select: { id: true } });

    // Other test files write to the same database at the same time: everything is read in one
    // REPEATABLE READ snapshot, so the only changes between the two scrapes are this transaction's.
    const client = await pool.connect();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      const before = await scrape(client);
      const alertsBefore = (state: string, severity: string) => valueOf(before, "ecomate_alerts", { state, severity });
      const dlBefore = (name: string) => valueOf(before, name, { transport: "mqtt" });
      expect(alertsBefore("active_unacknowledged", "critical")).toBeGreaterThanOrEqual(0);
      expect(dlBefore("ecomate_ingest_dead_letters")).toBeGreaterThanOrEqual(0);

      await client.query(
        `INSERT INTO alert (id, organization_id, system_id, severity, state, message, raised_at)
         VALUES ($1, $2, $3, 'critical', 'active_unacknowledged', 'metrics test', now()),
                ($4, $2, $3, 'minor', 'cleared', 'metrics test', now() - interval '1 day')`,
        [`m-${uid()}`, org.organizationId, system.id, `m-${uid()}`],
      );
      await client.query(
        `INSERT INTO ingest_dead_letter (device_id, transport, code, reason, payload, received_at)
         VALUES (NULL, 'mqtt', 'BAD_JSON', 'metrics test', '{', now()),
                (NULL, 'mqtt', 'BAD_JSON', 'metrics test', '{', now() - interval '2 hours')`,
      );
      // The newest reading: 42.5 s before the transaction's now(), unless another is newer.
      await client.query("INSERT INTO series_latest (series_id, ts, value) VALUES ($1, now() - interval '42.5 seconds', 1)", [series.id]);
      const { rows } = await client.query<{ age: number }>("SELECT extract(epoch FROM now() - max(ts))::float8 AS age FROM series_latest");

      const after = await scrape(client);
      expect(valueOf(after, "ecomate_alerts", { state: "active_unacknowledged", severity: "critical" })).toBe(alertsBefore("active_unacknowledged", "critical")! + 1);
      expect(valueOf(after, "ecomate_alerts", { state: "cleared", severity: "minor" })).toBe(alertsBefore("cleared", "minor")! + 1);
      expect(valueOf(after, "ecomate_alerts", { state: "active_acknowledged", severity: "major" })).toBe(alertsBefore("active_acknowledged", "major"));
      expect(after.filter((s) => s.name === "ecomate_alerts")).toHaveLength(16);
      expect(valueOf(after, "ecomate_ingest_dead_letters", { transport: "mqtt" })).toBe(dlBefore("ecomate_ingest_dead_letters")! + 2);
      expect(valueOf(after, "ecomate_ingest_dead_letters_last_hour", { transport: "mqtt" })).toBe(dlBefore("ecomate_ingest_dead_letters_last_hour")! + 1);
      const age = valueOf(after, "ecomate_newest_reading_age_seconds")!;
      expect(age).toBeCloseTo(rows[0]!.age, 6);
      expect(age).toBeLessThanOrEqual(42.501); // ts is stored to the millisecond
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release();
    }
  });

  it("still answers, without the database gauges, when the database cannot be queried", async () => {
    const broken = { query: () => Promise.reject(new Error("connection refused")) } as unknown as Parameters<typeof metricsResponse>[0];
    const samples = await scrape(broken);
    expect(valueOf(samples, "ecomate_metrics_database_up")).toBe(0);
    expect(samples.some((s) => s.name === "ecomate_alerts")).toBe(false);
    expect(valueOf(samples, "ecomate_newest_reading_age_seconds")).toBeNaN();
    expect(valueOf(samples, "ecomate_ingest_readings_total", { transport: "http" })).toBeGreaterThan(0);
  });
});

describe("metrics access", () => {
  const token = "s3cret-metrics-token-0123456789";

  it("lets the loopback in without a token, when nothing proxied the request", () => {
    for (const remoteAddress of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "127.3.2.1"]) {
      expect(checkMetricsAccess({ remoteAddress }, undefined)).toEqual({ allowed: true, via: "loopback" });
      expect(checkMetricsAccess({ remoteAddress }, token)).toEqual({ allowed: true, via: "loopback" });
    }
    // a proxy on the same machine speaks for someone else
    expect(checkMetricsAccess({ remoteAddress: "127.0.0.1", forwardedFor: "203.0.113.9" }, undefined)).toMatchObject({ allowed: false, status: 403 });
    expect(checkMetricsAccess({ remoteAddress: "127.0.0.1", realIp: "203.0.113.9" }, undefined)).toMatchObject({ allowed: false, status: 403 });
    expect(checkMetricsAccess({ remoteAddress: "::1", forwarded: "for=203.0.113.9" }, undefined)).toMatchObject({ allowed: false, status: 403 });
    // Next.js route handler: no socket, the peer is the X-Forwarded-For Next.js sets
    expect(checkMetricsAccess({ forwardedFor: "127.0.0.1" }, undefined)).toEqual({ allowed: true, via: "loopback" });
    expect(checkMetricsAccess({ forwardedFor: "203.0.113.9, 127.0.0.1" }, undefined)).toMatchObject({ allowed: false });
    expect(checkMetricsAccess({}, undefined)).toMatchObject({ allowed: false });
  });

  it("refuses other hosts, unless they bring METRICS_TOKEN", () => {
    expect(checkMetricsAccess({ remoteAddress: "192.0.2.10" }, undefined)).toMatchObject({ allowed: false, status: 403, code: "FORBIDDEN" });
    expect(checkMetricsAccess({ remoteAddress: "192.0.2.10" }, token)).toMatchObject({ allowed: false, status: 401, code: "UNAUTHORIZED" });
    expect(checkMetricsAccess({ remoteAddress: "192.0.2.10", authorization: "Bearer wrong-token" }, token)).toMatchObject({ allowed: false, status: 401 });
    expect(checkMetricsAccess({ remoteAddress: "192.0.2.10", authorization: `Basic ${token}` }, token)).toMatchObject({ allowed: false, status: 401 });
    expect(checkMetricsAccess({ remoteAddress: "192.0.2.10", authorization: `Bearer ${token}x` }, token)).toMatchObject({ allowed: false, status: 401 });
    // a token in the request means nothing when none is configured
    expect(checkMetricsAccess({ remoteAddress: "192.0.2.10", authorization: `Bearer ${token}` }, undefined)).toMatchObject({ allowed: false, status: 403 });
    expect(checkMetricsAccess({ remoteAddress: "192.0.2.10", authorization: `Bearer ${token}` }, token)).toEqual({ allowed: true, via: "token" });
    expect(checkMetricsAccess({ remoteAddress: "127.0.0.1", forwardedFor: "203.0.113.9", authorization: `bearer ${token}` }, token)).toEqual({ allowed: true, via: "token" });
  });

  it("knows loopback addresses and the metrics path", () => {
    expect(["127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:127.0.0.1"].every(isLoopbackAddress)).toBe(true);
    expect(["10.0.0.1", "::ffff:10.0.0.1", "::", "localhost", "", "1127.0.0.1", "fe80::1"].some(isLoopbackAddress)).toBe(false);
    expect(isMetricsRequest("GET", "/api/metrics")).toBe(true);
    expect(isMetricsRequest("GET", "/api/metrics?x=1")).toBe(true);
    expect(isMetricsRequest("POST", "/api/metrics")).toBe(false);
    expect(isMetricsRequest("GET", "/api/metricsx")).toBe(false);
  });

  it("reads METRICS_TOKEN through its env schema", () => {
    expect(parseMetricsEnv({}).METRICS_TOKEN).toBeUndefined();
    expect(parseMetricsEnv({ METRICS_TOKEN: " " }).METRICS_TOKEN).toBeUndefined();
    expect(parseMetricsEnv({ METRICS_TOKEN: token }).METRICS_TOKEN).toBe(token);
    expect(() => parseMetricsEnv({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
  });
});

describe("metrics endpoints", () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (isMetricsRequest(req.method, req.url)) void handleMetricsNode(req, res, pool, { token: "node-server-token-0123456789" });
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("a node:http server answers loopback scrapes, and refuses proxied ones without the token", async () => {
    const ok = await fetch(`http://127.0.0.1:${port}/api/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseExposition(await ok.text()).some((s) => s.name === "ecomate_ingest_readings_total")).toBe(true);

    const proxied = await fetch(`http://127.0.0.1:${port}/api/metrics`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(proxied.status).toBe(401);
    expect(proxied.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await proxied.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });

    const withToken = await fetch(`http://127.0.0.1:${port}/api/metrics`, {
      headers: { "x-forwarded-for": "203.0.113.9", authorization: "Bearer node-server-token-0123456789" },
    });
    expect(withToken.status).toBe(200);
    await withToken.text();
  });

  it("the route handler answers what Next.js marks as loopback and refuses the rest", async () => {
    const ok = await GET(new Request("http://localhost/api/metrics", { headers: { "x-forwarded-for": "127.0.0.1" } }));
    expect(ok.status).toBe(200);
    expect(parseExposition(await ok.text()).some((s) => s.name === "ecomate_alerts")).toBe(true);
    const refused = await GET(new Request("http://localhost/api/metrics", { headers: { "x-forwarded-for": "198.51.100.7" } }));
    expect([401, 403]).toContain(refused.status);
  });
});
