import http from "node:http";
import net from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "../../src/app/api/ingest/route";
import { getPool } from "../../src/server/db";
import { handleIngestNode } from "../../src/server/telemetry/http-ingest";
import { getIngestRuntime } from "../../src/server/telemetry/ingest-runtime";
import { createDevice, revokeDevice, rotateDeviceToken } from "../../src/server/devices/manage-devices";
import { makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
const pool = getPool();
const actor = { type: "cli", label: "test" } as const;
let orgA: TestOrg;
let orgB: TestOrg;
let deviceA: string;
let tokenA: string;
let tokenB: string;

let transport: "route" | "node" = "route";
let server: http.Server | undefined;
let port = 0;

// The web server answers POST /api/ingest on Node's HTTP server (handleIngestNode); the Next.js route
// handler (POST) runs the same handling for `next start`. Every test runs against both.
async function setUp(t: "route" | "node") {
  transport = t;
  [orgA, orgB] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
  // a component only system B has
  const sysB = await db.treatmentSystem.findUniqueOrThrow({ where: { code: orgB.systemCodes[0]! } });
  await db.component.create({ data: { systemId: sysB.id, code: "uv-9", type: "uv_reactor", name: "UV reactor" } });
  ({ id: deviceA, token: tokenA } = await createDevice(db, { all: true }, actor, { systemCode: orgA.systemCodes[0]! }));
  tokenB = (await createDevice(db, { all: true }, actor, { systemCode: orgB.systemCodes[0]! })).token;
  if (t === "node" && !server) {
    server = http.createServer((req, res) => void handleIngestNode(req, res, { pool, ...getIngestRuntime() }));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  }
}

afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

function ingest(body: string | Buffer, opts: { token?: string | null; type?: string | null; encoding?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? tokenA}`;
  if (opts.type !== null) headers["content-type"] = opts.type ?? "application/json";
  if (opts.encoding) headers["content-encoding"] = opts.encoding;
  const payload = typeof body === "string" ? body : new Uint8Array(body);
  if (transport === "node") return fetch(`http://127.0.0.1:${port}/api/ingest`, { method: "POST", headers, body: payload });
  return POST(new Request("http://localhost/api/ingest", { method: "POST", headers, body: payload }));
}

/** The status of an answer, its body read (an unread body keeps the connection busy). */
async function statusOf(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.arrayBuffer();
  return r.status;
}

async function countReadings(systemCode: string): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM telemetry_reading r JOIN series s ON s.id = r.series_id JOIN "system" y ON y.id = s.system_id WHERE y.code = $1`,
    [systemCode],
  );
  return rows[0].n;
}

describe.each(["route", "node"] as const)("POST /api/ingest (%s)", (t) => {
  beforeAll(() => setUp(t));

  it("accepts a reading, an array and {readings}, and counts duplicates (first value stays)", async () => {
    const ts = "2026-11-10T10:00:00.000Z";
    let res = await ingest(JSON.stringify({ metric: "flow_rate", value: 9.8, ts, component: "pump-1" }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    res = await ingest(JSON.stringify([{ metric: "flow_rate", value: 1, ts, component: "pump-1" }, { metric: "water_temperature", value: 12.5, ts: Date.parse(ts) }]));
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 1 });
    res = await ingest(JSON.stringify({ readings: [{ metric: "uvt", value: 93.2, ts }] }));
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const { rows } = await pool.query(
      `SELECT r.value FROM telemetry_reading r JOIN series s ON s.id = r.series_id JOIN metric m ON m.id = s.metric_id JOIN "system" y ON y.id = s.system_id
        WHERE y.code = $1 AND m.key = 'flow_rate' AND r.ts = $2`,
      [orgA.systemCodes[0], new Date(ts)],
    );
    expect(rows).toEqual([{ value: 9.8 }]);
  });

  it("accepts NDJSON, SenML and gzip", async () => {
    const nd = ['{"metric":"power","value":1.5,"ts":"2026-11-10T11:00:00.000Z"}', '{"metric":"power","value":1.6,"ts":"2026-11-10T11:00:01.000Z"}'].join("\n");
    expect(await (await ingest(nd, { type: "application/x-ndjson" })).json()).toEqual({ accepted: 2, duplicates: 0 });
    const senml = JSON.stringify([{ bn: "pump-1/", bt: Date.parse("2026-11-10T12:00:00Z") / 1000, n: "pump_pressure", v: 3.1 }, { n: "pump_pressure", t: 1, v: 3.2 }]);
    expect(await (await ingest(senml, { type: "application/senml+json" })).json()).toEqual({ accepted: 2, duplicates: 0 });
    const gz = gzipSync(JSON.stringify([{ metric: "turbidity", value: 0.3, ts: "2026-11-10T13:00:00.000Z" }]));
    expect(await (await ingest(gz, { encoding: "gzip" })).json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("rejects the whole request with 400 listing each bad item, and stores nothing of it", async () => {
    const before = await countReadings(orgA.systemCodes[0]!);
    const bad = JSON.stringify([
      { metric: "flow_rate", value: 5, ts: "2026-11-10T14:00:00.000Z" },
      { metric: "nope", value: 1 },
      { metric: "flow_rate", value: 1000 },
      { metric: "flow_rate", value: 1, ts: new Date(Date.now() + 10 * 60_000).toISOString() },
      { metric: "flow_rate", value: 1, component: "pump-99" },
    ]);
    const res = await ingest(bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { index: number; field: string; message: string }[] };
    expect(body.errors.map((e) => [e.index, e.field])).toEqual([
      [1, "metric"],
      [2, "value"],
      [3, "ts"],
      [4, "component"],
    ]);
    for (const e of body.errors) expect(e.message.length).toBeGreaterThan(5);
    expect(await countReadings(orgA.systemCodes[0]!)).toBe(before);
    // the dead letter is written off the response path: wait for it (this device's only one so far)
    const kept = await vi.waitFor(
      async () => {
        const { rows } = await pool.query(`SELECT code, payload FROM ingest_dead_letter WHERE device_id = $1 AND transport = 'http'`, [deviceA]);
        expect(rows).toHaveLength(1);
        return rows[0];
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(kept).toEqual({ code: "invalid_readings", payload: bad });
  });

  it("refuses missing, unknown, rotated and revoked tokens with 401 at once", async () => {
    const body = JSON.stringify({ metric: "flow_rate", value: 1 });
    for (const res of [await ingest(body, { token: null }), await ingest(body, { token: "ecm_wrong" })]) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    const dev = await createDevice(db, { all: true }, actor, { systemCode: orgA.systemCodes[0]! });
    expect((await ingest(body, { token: dev.token })).status).toBe(202);
    // The change notification travels through PostgreSQL and drops the cached token: wait for it, for
    // less than the cache's 60 s lifetime, so that only the notification can make the token fail.
    const refused = { timeout: 15_000, interval: 100 };
    const rotated = await rotateDeviceToken(db, { all: true }, actor, dev.id);
    await expect.poll(() => statusOf(ingest(body, { token: dev.token })), refused).toBe(401);
    expect((await ingest(JSON.stringify({ metric: "flow_rate", value: 2 }), { token: rotated.token })).status).toBe(202);
    await revokeDevice(db, { all: true }, actor, dev.id);
    await expect.poll(() => statusOf(ingest(body, { token: rotated.token })), refused).toBe(401);
  });

  it("refuses other content types (415), encodings (415), oversized bodies (413) with the shared error body", async () => {
    const body = JSON.stringify({ metric: "flow_rate", value: 1 });
    let res = await ingest(body, { type: "text/plain" });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string; message: string } }).error.message).toMatch(/application\/json/);
    res = await ingest(body, { type: null });
    expect(res.status).toBe(415);
    res = await ingest(body, { encoding: "br" });
    expect(res.status).toBe(415);
    const huge = JSON.stringify(Array.from({ length: 90_000 }, () => ({ metric: "flow_rate", value: 1.23456789, ts: "2026-11-10T15:00:00.000Z" })));
    expect(huge.length).toBeGreaterThan(4 * 1024 * 1024);
    res = await ingest(huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBeTruthy();
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 32));
    res = await ingest(bomb, { encoding: "gzip" });
    expect(res.status).toBe(413);
  });


  it("rate-limits per device with 429 and Retry-After", async () => {
    const dev = await createDevice(db, { all: true }, actor, { systemCode: orgA.systemCodes[0]! });
    let retryAfter: string | null = null;
    // One request first, so that the device is cached and the burst's token checks come close
    // together; then 250 at once, 150 over the burst of 100: a 429 unless they spread over 3 s of refill (50/s).
    const statuses = [await statusOf(ingest("[]", { token: dev.token }))];
    const responses = await Promise.all(Array.from({ length: 250 }, () => ingest("[]", { token: dev.token })));
    for (const res of responses) {
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(100);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // another device is not slowed down
    expect((await ingest("[]", { token: tokenB })).status).toBe(202);
  });

  it("device A cannot write device B's data by naming B's component", async () => {
    const before = await countReadings(orgB.systemCodes[0]!);
    const res = await ingest(JSON.stringify({ metric: "uv_intensity", value: 50, component: "uv-9" }), { token: tokenA });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("uv-9");
    expect(await countReadings(orgB.systemCodes[0]!)).toBe(before);
    // B itself may
    expect((await ingest(JSON.stringify({ metric: "uv_intensity", value: 50, component: "uv-9" }), { token: tokenB })).status).toBe(202);
  });
});

describe("POST /api/ingest on Node's HTTP server", () => {
  beforeAll(() => setUp("node"));

  it("refuses a body streamed without a length once it passes the cap, answering while the client still sends and keeping none of it", async () => {
    // A device's plain socket sends 16 MiB chunked. The 413 comes while it is still sending; the
    // server then reads and drops the rest (lingering close), so the device reads the answer and
    // finishes its body without a reset (EPIPE/ECONNRESET) that could swallow the 413.
    const outcome = await new Promise<{ answer: string; error?: string }>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      let answer = "";
      socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
      socket.on("error", (err: NodeJS.ErrnoException) => resolve({ answer, error: err.code ?? err.message }));
      socket.on("close", () => resolve({ answer }));
      socket.write(`POST /api/ingest HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${tokenA}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(256 * 1024, 32);
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && socket.write(frame)) sent++;
        if (sent < 64) socket.once("drain", pump);
        else socket.end("0\r\n\r\n");
      };
      pump();
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.answer).toContain('"too_large"');
  });
});
