// Fuzz through the real transports: thousands of malformed bodies to POST /api/ingest and hundreds
// over MQTT. Each is rejected with a reason, never a 5xx, no crash, and nothing is stored.
import { gzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { POST } from "../../src/app/api/ingest/route";
import { getPool } from "../../src/server/db";
import { createDevice } from "../../src/server/devices/manage-devices";
import { makeOrg, testDb, type TestOrg } from "./helpers";
import { startPrivateWorker, type PrivateWorker } from "./private-worker";
import { mulberry32 } from "../../scripts/bench/common";

const db = testDb();
const pool = getPool();
let org: TestOrg;
let device: { id: string; token: string };
let running: PrivateWorker | undefined;

const rand = mulberry32(20261127);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const good = () => ({ metric: "flow_rate", value: Math.round(rand() * 9000) / 100, ts: Date.now() - int(86_400_000), component: "pump-1" });

/**
 * [label, body, content type, encoding] — every one of them must be refused. For MQTT (JSON bodies,
 * no headers) the generators that are wrong only by their headers are left out.
 */
function malformed(transport: "http" | "mqtt" = "http"): [string, Buffer, string | null, string | null] {
  const text = JSON.stringify([good(), good(), { metric: "flow_rate", value: 1e9 }]);
  const gens: (() => [string, Buffer, string | null, string | null])[] = [
    () => ["truncated", Buffer.from(JSON.stringify([good(), good()]).slice(0, 5 + int(40))), "application/json", null],
    () => ["wrong value type", Buffer.from(JSON.stringify([{ ...good(), value: pick(["1", null, [], {}, true]) }])), "application/json", null],
    () => ["NaN token", Buffer.from(`[{"metric":"flow_rate","value":${pick(["NaN", "Infinity", "-Infinity", "1e400"])}}]`), "application/json", null],
    () => ["deep nesting", Buffer.from("[".repeat(100 + int(100_000))), pick(["application/json", "application/x-ndjson", "application/senml+json"]), null],
    () => ["random bytes", randomBytes(1 + int(3000)), pick(["application/json", "application/x-ndjson", "application/senml+json"]), null],
    () => ["broken gzip", gzipSync(text).subarray(0, 5 + int(20)), "application/json", "gzip"],
    () => ["gzip of bad data", gzipSync(text), "application/json", "gzip"],
    () => ["unknown metric", Buffer.from(JSON.stringify([good(), { metric: "chlorine_" + int(99), value: 1 }])), "application/json", null],
    () => ["out of range", Buffer.from(JSON.stringify({ readings: [good(), { metric: "uvt", value: 100.5 + rand() * 10 }] })), "application/json", null],
    () => ["future ts", Buffer.from(JSON.stringify([{ ...good(), ts: Date.now() + 3_600_000 }])), "application/json", null],
    ...(transport === "http"
      ? [
          (): [string, Buffer, string | null, string | null] => ["wrong content type", Buffer.from(JSON.stringify([good()])), pick(["text/plain", "application/xml", null, "multipart/form-data"]), null],
          (): [string, Buffer, string | null, string | null] => ["wrong encoding", Buffer.from(JSON.stringify([good()])), "application/json", pick(["br", "deflate", "compress"])],
        ]
      : []),
    () => ["bad senml", Buffer.from(JSON.stringify([{ n: "flow_rate", vs: "high" }])), "application/senml+json", null],
    () => ["bad ndjson line", Buffer.from(`${JSON.stringify(good())}\n{"metric":`), "application/x-ndjson", null],
    () => ["oversized", Buffer.alloc(4 * 1024 * 1024 + 70_000, 0x20), "application/json", null],
  ];
  return pick(gens)();
}

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
  device = await createDevice(db, { all: true }, { type: "cli", label: "fuzz" }, { systemCode: org.systemCodes[0]! });
});

afterAll(async () => {
  await running?.stop();
});

async function storedCount(): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM telemetry_reading r JOIN series s ON s.id = r.series_id JOIN "system" y ON y.id = s.system_id WHERE y.code = $1`,
    [org.systemCodes[0]],
  );
  return rows[0].n;
}

describe("ingest fuzz", () => {
  it("refuses 2,000 malformed HTTP bodies with a 4xx and a reason, stores nothing", async () => {
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const [label, body, type, encoding] = malformed();
      const headers: Record<string, string> = { authorization: `Bearer ${device.token}` };
      if (type) headers["content-type"] = type;
      if (encoding) headers["content-encoding"] = encoding;
      const res = await POST(new Request("http://localhost/api/ingest", { method: "POST", headers, body: new Uint8Array(body) }));
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      if (res.status === 429) {
        // the fuzzer outruns the per-device rate limit: that is a refusal with a reason as well
        expect(res.headers.get("retry-after")).toBeTruthy();
        await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      expect([400, 413, 415], `${label} -> ${res.status}`).toContain(res.status);
      const json = (await res.json()) as { errors?: { message: string }[]; error?: { code: string; message: string } };
      const reason = json.error?.message ?? json.errors?.[0]?.message ?? "";
      expect(reason.length, label).toBeGreaterThan(3);
    }
    expect([...counts.keys()].every((s) => s < 500)).toBe(true);
    expect(counts.get(400)).toBeGreaterThan(500);
    expect(await storedCount()).toBe(0);
  }, 300_000);

  it("rejects 200 malformed MQTT messages into the dead letters, stays alive, stores nothing", async () => {
    // the only worker on its broker: one dead letter per message, all of them this worker's
    running = await startPrivateWorker("fuzz-worker");
    const { worker, broker } = running;
    const before = (await pool.query(`SELECT count(*)::int AS n FROM ingest_dead_letter WHERE device_id = $1 AND transport = 'mqtt'`, [device.id])).rows[0].n;
    const client = await mqtt.connectAsync(broker.url, { clientId: `fuzzdev-${randomBytes(3).toString("hex")}`, username: device.id, password: device.token, protocolVersion: 4 });
    let sent = 0;
    while (sent < 200) {
      const [, body] = malformed("mqtt");
      if (body.length > 256 * 1024) continue; // the broker's message size limit, not ours
      await client.publishAsync(`ecomate/v1/${device.id}/telemetry`, body, { qos: 1 });
      sent++;
    }
    await client.endAsync();
    const deadLetters = async () =>
      (await pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE length(reason) > 3)::int AS with_reason FROM ingest_dead_letter WHERE device_id = $1 AND transport = 'mqtt'`, [device.id])).rows[0] as { n: number; with_reason: number };
    const deadline = Date.now() + 30_000;
    while ((await deadLetters()).n - before < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const after = await deadLetters();
    expect(after.n - before).toBe(200);
    expect(after.with_reason).toBe(after.n);
    expect(await storedCount()).toBe(0);
    expect(worker.stats.failures).toBe(0);
    expect(worker.clients.every((c) => c.connected)).toBe(true);
  }, 120_000);
});
