// The round trip with clients we did not write: curl -> POST /api/ingest -> export, and
// mosquitto_pub -> broker -> worker -> export, with the values coming back exactly as sent.
import { execFile } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { getPool } from "../../src/server/db";
import { handleIngestNode } from "../../src/server/telemetry/http-ingest";
import { getIngestRuntime } from "../../src/server/telemetry/ingest-runtime";
import { createDevice } from "../../src/server/devices/manage-devices";
import { makeOrg, testDb, type TestOrg } from "./helpers";
import { startPrivateWorker, type PrivateWorker } from "./private-worker";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/ecomate.mjs");
const db = testDb();
let org: TestOrg;
let server: http.Server;
let port: number;
let running: PrivateWorker;

// POST /api/ingest served over real HTTP as the web server does (Next's routing aside, this code answers it).
function serveRoute(): Promise<http.Server> {
  const s = http.createServer((req, res) => void handleIngestNode(req, res, { pool: getPool(), ...getIngestRuntime() }));
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

async function exportCsv(system: string, from: string, to: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [bin, "export", "telemetry", "--system", system, "--from", from, "--to", to], {
    env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "warn" },
  });
  return stdout.trim().split("\n");
}

beforeAll(async () => {
  org = await makeOrg(db, { systems: 2 });
  server = await serveRoute();
  port = (server.address() as { port: number }).port;
  running = await startPrivateWorker("rt-worker");
});

afterAll(async () => {
  await running?.stop();
  await new Promise((r) => server?.close(r));
});

describe("round trip with outside clients", () => {
  it("curl -> /api/ingest -> ecomate export gives back the exact values", async () => {
    const device = await createDevice(db, { all: true }, { type: "cli", label: "test" }, { systemCode: org.systemCodes[0]! });
    const body = JSON.stringify([
      { metric: "flow_rate", value: 9.8, ts: "2026-11-21T10:00:00.000Z", component: "pump-1" },
      { metric: "flow_rate", value: 0.30000000000000004, ts: "2026-11-21T10:00:00.001Z", component: "pump-1" },
      { metric: "water_temperature", value: 12.345678901234567, ts: 1795255200002 },
      { metric: "energy", value: 123456789.00000001, ts: "2026-11-21T10:00:00.003Z" },
    ]);
    const { stdout } = await run("curl", ["-sS", "-X", "POST", `http://127.0.0.1:${port}/api/ingest`, "-H", `Authorization: Bearer ${device.token}`, "-H", "Content-Type: application/json", "--data-binary", body, "-w", "\n%{http_code}"]);
    const [json, code] = stdout.trim().split("\n");
    expect(code).toBe("202");
    expect(JSON.parse(json!)).toEqual({ accepted: 4, duplicates: 0 });
    expect(await exportCsv(org.systemCodes[0]!, "2026-11-21T10:00:00.000Z", "2026-11-21T10:00:01.000Z")).toEqual([
      "ts,component,metric,value",
      "2026-11-21T10:00:00.000Z,pump-1,flow_rate,9.8",
      "2026-11-21T10:00:00.001Z,pump-1,flow_rate,0.30000000000000004",
      "2026-11-21T10:00:00.002Z,,water_temperature,12.345678901234567",
      "2026-11-21T10:00:00.003Z,,energy,123456789.00000001",
    ]);
  });

  it("mosquitto_pub -> broker -> worker -> ecomate export gives back the exact values", async () => {
    const device = await createDevice(db, { all: true }, { type: "cli", label: "test" }, { systemCode: org.systemCodes[1]! });
    const url = new URL(running.broker.url);
    const body = JSON.stringify({ readings: [
      { metric: "uv_intensity", value: 48.123456789, ts: "2026-11-21T11:00:00.000Z", component: "pump-1" },
      { metric: "uvt", value: 93.7, ts: "2026-11-21T11:00:00.500Z" },
    ] });
    await run("mosquitto_pub", ["-h", url.hostname, "-p", url.port || "1883", "-q", "1", "-i", `pub-${randomBytes(3).toString("hex")}`, "-u", device.id, "-P", device.token, "-t", `ecomate/v1/${device.id}/telemetry`, "-m", body]);
    let lines: string[] = [];
    for (let i = 0; i < 50; i++) {
      lines = await exportCsv(org.systemCodes[1]!, "2026-11-21T11:00:00.000Z", "2026-11-21T11:00:01.000Z");
      if (lines.length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(lines).toEqual([
      "ts,component,metric,value",
      "2026-11-21T11:00:00.000Z,pump-1,uv_intensity,48.123456789",
      "2026-11-21T11:00:00.500Z,,uvt,93.7",
    ]);
  });
});
