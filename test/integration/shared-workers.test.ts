// Several workers at once through the MQTT v5 shared subscription, on Mosquitto with the repo's
// config (the embedded broker has no shared subscriptions): every message is stored exactly once
// and the work is spread over the workers.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import mqtt from "mqtt";
import { getPool } from "../../src/server/db";
import { createDevice } from "../../src/server/devices/manage-devices";
import { MQTT_SERVICE_USERNAME } from "../../src/server/env/mqtt-service";
import { withDynsec } from "../../src/server/mqtt/mosquitto-dynsec";
import { startWorker, type RunningWorker } from "../../src/worker/index";
import { startMosquitto, type MosquittoHandle } from "./deploy-harness";
import { makeOrg, testDb, uid } from "./helpers";

const db = testDb();
const pool = getPool();
const servicePassword = `svc-${uid()}-${uid()}`;
let mosquitto: MosquittoHandle;
const workers: RunningWorker[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto("ecomate.conf");
  process.env.MOSQUITTO_DYNSEC_URL = mosquitto.adminUrl;
  await withDynsec(mosquitto.adminUrl, (dynsec) => dynsec.ensurePlatformUser(servicePassword));
});

afterAll(async () => {
  delete process.env.MOSQUITTO_DYNSEC_URL;
  // the workers share this process's pool: stop the last one last
  for (const w of workers.reverse()) await w.stop();
  await mosquitto?.stop();
});

describe("several workers on a shared subscription", () => {
  it("spreads messages over the workers and stores each reading once", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } });
    const device = await createDevice(db, { all: true }, { type: "cli", label: "test" }, { systemCode: system.code });
    const serviceUrl = `mqtt://${MQTT_SERVICE_USERNAME}:${servicePassword}@127.0.0.1:${mosquitto.port}`;
    for (let w = 0; w < 2; w++) {
      workers.push(
        startWorker({ databaseUrl: inject("databaseUrl"), mqttUrl: serviceUrl, clientId: `shared-${randomBytes(3).toString("hex")}-${w}`, connections: 2, shared: true, heartbeatMs: 3_600_000, maintenance: false, alerts: false }),
      );
    }
    for (let i = 0; i < 100 && !workers.every((w) => w.clients.every((c) => c.connected)); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));

    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { username: device.id, password: device.token, clientId: `dev-${uid()}`, protocolVersion: 5 });
    const t0 = Date.parse("2026-11-22T00:00:00.000Z");
    const MESSAGES = 200;
    for (let m = 0; m < MESSAGES; m++) {
      const body = JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ metric: "pump_pressure", ts: t0 + (m * 10 + i) * 1000, value: 3 + (m % 10) / 10 })));
      await publisher.publishAsync(`ecomate/v1/${device.id}/telemetry`, body, { qos: 1 });
    }
    await publisher.endAsync();
    const count = async () =>
      (await pool.query(`SELECT count(*)::int AS n FROM telemetry_reading r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1`, [system.id])).rows[0].n as number;
    for (let i = 0; i < 150 && (await count()) < MESSAGES * 10; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await count()).toBe(MESSAGES * 10);
    const perWorker = workers.map((w) => w.stats.messages);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(MESSAGES); // each message delivered to one worker only
    for (const n of perWorker) expect(n).toBeGreaterThan(0);
    expect(workers.reduce((a, w) => a + w.ingest.stats.duplicates, 0)).toBe(0);
  }, 60_000);
});
