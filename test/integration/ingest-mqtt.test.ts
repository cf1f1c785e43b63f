import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { getPool } from "../../src/server/db";
import { createDevice, revokeDevice } from "../../src/server/devices/manage-devices";
import { makeOrg, testDb, type TestOrg } from "./helpers";
import { startPrivateWorker, type PrivateWorker } from "./private-worker";

const db = testDb();
const pool = getPool();
let org: TestOrg;
let running: PrivateWorker;
let device: { id: string; token: string };

async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
  device = await createDevice(db, { all: true }, { type: "cli", label: "test" }, { systemCode: org.systemCodes[0]! });
  // the only worker on its broker: each message is handled once, by the worker under test
  running = await startPrivateWorker("test-worker");
});

afterAll(async () => {
  await running?.stop();
});

async function deviceClient(id: string, token: string) {
  return mqtt.connectAsync(running.broker.url, { clientId: `${id}-${randomBytes(2).toString("hex")}`, username: id, password: token, protocolVersion: 4 });
}

async function stored(systemCode: string, metric: string) {
  const { rows } = await pool.query(
    `SELECT (extract(epoch FROM r.ts) * 1000)::int8 AS t, r.value, c.code AS component FROM telemetry_reading r JOIN series s ON s.id = r.series_id
       JOIN metric m ON m.id = s.metric_id JOIN "system" y ON y.id = s.system_id LEFT JOIN component c ON c.id = s.component_id
      WHERE y.code = $1 AND m.key = $2 ORDER BY r.ts`,
    [systemCode, metric],
  );
  return rows.map((r) => ({ t: Number(r.t), value: r.value as number, component: r.component as string | null }));
}

describe("MQTT ingest through the worker", () => {
  it("stores what a device publishes at QoS 1, exactly once, including a redelivered duplicate", async () => {
    const client = await deviceClient(device.id, device.token);
    const t = Date.parse("2026-11-12T08:00:00.000Z");
    const body = JSON.stringify([
      { metric: "flow_rate", value: 9.87654321, ts: t, component: "pump-1" },
      { metric: "flow_rate", value: 9.5, ts: t + 1000, component: "pump-1" },
    ]);
    await client.publishAsync(`ecomate/v1/${device.id}/telemetry`, body, { qos: 1 });
    await client.publishAsync(`ecomate/v1/${device.id}/telemetry`, JSON.stringify({ readings: [{ metric: "flow_rate", value: 1, ts: t, component: "pump-1" }] }), { qos: 1 });
    await client.endAsync();
    const rows = await waitFor(async () => {
      const r = await stored(org.systemCodes[0]!, "flow_rate");
      return r.length >= 2 && r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await stored(org.systemCodes[0]!, "flow_rate")).toEqual([
      { t, value: 9.87654321, component: "pump-1" },
      { t: t + 1000, value: 9.5, component: "pump-1" },
    ]);
    expect(rows).toHaveLength(2);
  });

  it("rejects a bad message into the dead letters and onto the device's errors topic, storing nothing", async () => {
    const client = await deviceClient(device.id, device.token);
    const errors: Buffer[] = [];
    await client.subscribeAsync(`ecomate/v1/${device.id}/errors`, { qos: 1 });
    client.on("message", (_topic, payload) => errors.push(payload));
    const bad = JSON.stringify([{ metric: "flow_rate", value: 5, ts: Date.parse("2026-11-12T09:00:00Z") }, { metric: "flow_rate", value: "high" }]);
    await client.publishAsync(`ecomate/v1/${device.id}/telemetry`, bad, { qos: 1 });
    await client.publishAsync(`ecomate/v1/${device.id}/telemetry`, "{not json", { qos: 1 });
    type ErrorBody = { ts: string; error: { code: string; message: string }; payload: string };
    const received = () => errors.map((e) => JSON.parse(e.toString()) as ErrorBody);
    await waitFor(async () => received().length >= 2);
    await client.endAsync();
    const [first, second] = received() as [ErrorBody, ErrorBody];
    expect(first.error.message).toMatch(/#1 value/);
    expect(first.payload).toBe(bad);
    expect(Number.isNaN(Date.parse(first.ts))).toBe(false);
    expect(second.error.code).toBe("bad_json");
    const { rows } = await pool.query(`SELECT code, reason, payload FROM ingest_dead_letter WHERE device_id = $1 AND transport = 'mqtt' ORDER BY id`, [device.id]);
    expect(rows.map((r) => r.code)).toEqual(["invalid_readings", "bad_json"]);
    expect(rows[0].payload).toBe(bad);
    expect((await stored(org.systemCodes[0]!, "flow_rate")).some((r) => r.t === Date.parse("2026-11-12T09:00:00Z"))).toBe(false);
  });

  it("does not store for a revoked device; keeps its message as a dead letter", async () => {
    const d2 = await createDevice(db, { all: true }, { type: "cli", label: "test" }, { systemCode: org.systemCodes[0]! });
    await revokeDevice(db, { all: true }, { type: "cli", label: "test" }, d2.id);
    await new Promise((r) => setTimeout(r, 300));
    const client = await mqtt.connectAsync(running.broker.url, { clientId: `anon-${randomBytes(3).toString("hex")}`, protocolVersion: 4 });
    await client.publishAsync(`ecomate/v1/${d2.id}/telemetry`, JSON.stringify({ metric: "uvt", value: 90 }), { qos: 1 });
    await client.endAsync();
    const rows = await waitFor(async () => {
      const r = await pool.query(`SELECT code FROM ingest_dead_letter WHERE device_id = $1`, [d2.id]);
      return r.rows.length > 0 && r.rows;
    });
    expect(rows[0].code).toBe("unknown_device");
    expect(await stored(org.systemCodes[0]!, "uvt")).toEqual([]);
  });
});
