// Devices on a real Mosquitto with the dynamic-security plugin, started from deploy/mosquitto/ecomate.conf:
// createDevice / rotateDeviceToken / revokeDevice keep it in step through MOSQUITTO_DYNSEC_URL.
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevice, revokeDevice, rotateDeviceToken } from "../../src/server/devices/manage-devices";
import { MQTT_SERVICE_USERNAME } from "../../src/server/env/mqtt-service";
import { AppError } from "../../src/server/errors";
import { syncBrokerFromEnv, withDynsec } from "../../src/server/mqtt/mosquitto-dynsec";
import { freePort, startMosquitto, type MosquittoHandle } from "./deploy-harness";
import { makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();
const actor = { type: "cli", label: "cli:dynsec-test" } as const;
const servicePassword = `svc-${uid()}-${uid()}`;
let org: TestOrg;
let mosquitto: MosquittoHandle;
let url: string;
let platform: MqttClient;
const clients: MqttClient[] = [];
const seen: string[] = [];

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
  mosquitto = await startMosquitto("ecomate.conf");
  url = `mqtt://127.0.0.1:${mosquitto.port}`;
  process.env.MOSQUITTO_DYNSEC_URL = mosquitto.adminUrl;
  await withDynsec(mosquitto.adminUrl, (dynsec) => dynsec.ensurePlatformUser(servicePassword));
  // The platform reads telemetry like several workers do: through the shared subscription.
  platform = await connect({ username: MQTT_SERVICE_USERNAME, password: servicePassword, protocolVersion: 5 });
  await platform.subscribeAsync("$share/ecomate-workers/ecomate/v1/+/telemetry", { qos: 1 });
  platform.on("message", (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
});

afterAll(async () => {
  delete process.env.MOSQUITTO_DYNSEC_URL;
  for (const client of clients) await client.endAsync(true).catch(() => {});
  await mosquitto?.stop();
});

async function connect(options: mqtt.IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 15_000, ...options });
  clients.push(client);
  return client;
}

const device = () => createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! });

function closed(client: MqttClient, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`timed out waiting until ${what}`)), 15_000);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("Mosquitto dynamic security", () => {
  it("registers a created device: it connects with its token and publishes its own telemetry only", async () => {
    const a = await device();
    const b = await device();
    await expect(connect({ username: a.id, password: "wrong" })).rejects.toThrow(/Not authorized|Bad user name or password/i);

    const devA = await connect({ username: a.id, password: a.token });
    const body = JSON.stringify({ metric: "flow_rate", value: 9.8, n: uid() });
    await devA.publishAsync(`ecomate/v1/${a.id}/telemetry`, body, { qos: 1 });
    await waitFor(() => seen.includes(`ecomate/v1/${a.id}/telemetry ${body}`), "the platform to receive the telemetry");

    // MQTT 5: the broker answers PUBACK 0x87 (not authorised) for another device's topic.
    const forged = JSON.stringify({ metric: "flow_rate", value: 1, n: uid() });
    await expect(devA.publishAsync(`ecomate/v1/${b.id}/telemetry`, forged, { qos: 1 })).rejects.toThrow(/Not authorized/i);
    const refusal = await devA.subscribeAsync(`ecomate/v1/${b.id}/commands`, { qos: 1 }).then(() => null, (error: { packet?: { granted?: number[] } }) => error);
    expect(refusal?.packet?.granted?.[0]).toBeGreaterThanOrEqual(128);
    await expect(devA.subscribeAsync(`ecomate/v1/${a.id}/commands`, { qos: 1 })).resolves.toMatchObject([{ qos: 1 }]);

    // A device speaking MQTT 3.1.1 works the same way.
    const v311 = await connect({ username: a.id, password: a.token, protocolVersion: 4 });
    await v311.publishAsync(`ecomate/v1/${a.id}/telemetry`, "{}", { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.some((line) => line.includes(forged))).toBe(false);
  });

  it("rotation: the old token's connection is closed and refused, the new token works", async () => {
    const d = await device();
    const old = await connect({ username: d.id, password: d.token });
    const gone = closed(old, "Mosquitto closes the connection of the old token");
    const rotated = await rotateDeviceToken(db, { all: true }, actor, d.id);
    await gone;
    await expect(connect({ username: d.id, password: d.token })).rejects.toThrow(/Not authorized|Bad user name or password/i);
    const fresh = await connect({ username: d.id, password: rotated.token });
    await fresh.publishAsync(`ecomate/v1/${d.id}/telemetry`, "{}", { qos: 1 });
  });

  it("revocation: the connected device is disconnected and cannot come back", async () => {
    const d = await device();
    const client = await connect({ username: d.id, password: d.token });
    const gone = closed(client, "Mosquitto disconnects the revoked device");
    await revokeDevice(db, { all: true }, actor, d.id);
    await gone;
    await expect(connect({ username: d.id, password: d.token })).rejects.toThrow(/Not authorized|Bad user name or password/i);
    const clientsOnBroker = await withDynsec(mosquitto.adminUrl, (dynsec) => dynsec.listClients());
    expect(clientsOnBroker.map((c) => c.username)).not.toContain(d.id);
  });

  it("an unreachable broker fails the call with UNAVAILABLE and says how to finish; sync repairs the rest", async () => {
    const registered = await device();
    const revokedLater = await device();

    // Broker down: the database change is committed, the call fails and tells what to run.
    process.env.MOSQUITTO_DYNSEC_URL = `mqtt://admin:x@127.0.0.1:${await freePort()}`;
    let unregistered: string;
    let revokeError: unknown;
    try {
      const error = await createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("UNAVAILABLE");
      expect((error as AppError).message).toMatch(/was created, but registering it with the MQTT broker failed .*ecomate devices rotate /);
      unregistered = String((error as AppError).details?.deviceId);
      revokeError = await revokeDevice(db, { all: true }, actor, revokedLater.id).catch((e: unknown) => e);
    } finally {
      process.env.MOSQUITTO_DYNSEC_URL = mosquitto.adminUrl;
    }
    expect(await db.device.findUnique({ where: { id: unregistered } })).not.toBeNull();
    expect((revokeError as AppError).message).toMatch(/is revoked .* ecomate broker sync/);
    // Not yet removed from the broker: the revoked device still gets in there.
    await (await connect({ username: revokedLater.id, password: revokedLater.token })).endAsync();

    // What `ecomate broker sync` runs.
    const report = await syncBrokerFromEnv(db, { MOSQUITTO_DYNSEC_URL: mosquitto.adminUrl, MQTT_SERVICE_PASSWORD: servicePassword, ECOMATE_DATA_DIR: mosquitto.dir });
    expect(report.platformUser).toBe("present");
    expect(report.removed).toContain(revokedLater.id);
    expect(report.registered).toContain(registered.id);
    expect(report.missing).toContain(unregistered);
    await expect(connect({ username: revokedLater.id, password: revokedLater.token })).rejects.toThrow(/Not authorized|Bad user name or password/i);

    // The documented way out for a device missing on the broker: rotate it.
    const rotated = await rotateDeviceToken(db, { all: true }, actor, unregistered);
    const client = await connect({ username: unregistered, password: rotated.token });
    await client.publishAsync(`ecomate/v1/${unregistered}/telemetry`, "{}", { qos: 1 });
  });
});
