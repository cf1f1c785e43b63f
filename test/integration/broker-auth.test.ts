// Device authentication and ACLs on the embedded broker (aedes with the broker-auth hooks), against
// the real database: tokens made by createDevice, revoked and rotated by the domain functions.
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDevice, revokeDevice, rotateDeviceToken } from "../../src/server/devices/manage-devices";
import { MQTT_SERVICE_USERNAME } from "../../src/server/env/mqtt-service";
import { startAuthenticatedBroker, type AuthenticatedBrokerHandle } from "../../src/server/mqtt/broker-auth";
import { makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();
const actor = { type: "cli", label: "cli:broker-auth-test" } as const;
const servicePassword = `svc-${uid()}-${uid()}`;
let org: TestOrg;
let broker: AuthenticatedBrokerHandle;
const clients: MqttClient[] = [];

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
  broker = await startAuthenticatedBroker({ port: 0, databaseUrl: inject("databaseUrl"), servicePassword, recheckIntervalMs: 60_000 });
});

afterAll(async () => {
  for (const client of clients) await client.endAsync(true).catch(() => {});
  await broker?.stop();
});

async function connect(options: mqtt.IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 15_000, ...options });
  clients.push(client);
  return client;
}

const device = () => createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! });

/**
 * Resolves when the broker has closed `client`'s connection; fails after 15 s. The broker re-verifies
 * every connection only each minute here (recheckIntervalMs), so a close within that comes from the
 * device-change notification.
 */
function closed(client: MqttClient, what = "the broker closes the connection"): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`timed out waiting until ${what}`)), 15_000);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => client.once("message", (topic, payload) => resolve({ topic, payload: payload.toString() })));
}

describe("embedded broker device auth", () => {
  it("lets a device in with its token and refuses a wrong token, no credentials and a reserved client id", async () => {
    const d = await device();
    const client = await connect({ username: d.id, password: d.token });
    expect(client.connected).toBe(true);

    await expect(connect({ username: d.id, password: `${d.token}x` })).rejects.toThrow(/Bad username or password/i);
    await expect(connect({})).rejects.toThrow(/Bad username or password/i);
    // Another device's token with this id: both must belong together.
    const other = await device();
    await expect(connect({ username: d.id, password: other.token })).rejects.toThrow(/Bad username or password/i);
    // A device must not be able to take over the worker's session.
    await expect(connect({ clientId: "ecomate-worker-1-0", username: d.id, password: d.token })).rejects.toThrow(/Bad username or password/i);
    await expect(connect({ username: MQTT_SERVICE_USERNAME, password: "not-the-service-password" })).rejects.toThrow(/Bad username or password/i);
  });

  it("lets the platform user read every device's telemetry, and devices only their own topics", async () => {
    const a = await device();
    const b = await device();
    const platform = await connect({ username: MQTT_SERVICE_USERNAME, password: servicePassword });
    await expect(platform.subscribeAsync("ecomate/v1/+/telemetry", { qos: 1 })).resolves.toEqual([{ topic: "ecomate/v1/+/telemetry", qos: 1 }]);

    const devA = await connect({ username: a.id, password: a.token });
    const body = JSON.stringify({ metric: "flow_rate", value: 9.8 });
    const received = nextMessage(platform);
    await devA.publishAsync(`ecomate/v1/${a.id}/telemetry`, body, { qos: 1 });
    await expect(received).resolves.toEqual({ topic: `ecomate/v1/${a.id}/telemetry`, payload: body });

    // Its own errors and commands: yes; another device's, or wildcards: no (SUBACK 0x80).
    await expect(devA.subscribeAsync(`ecomate/v1/${a.id}/commands`, { qos: 1 })).resolves.toEqual([{ topic: `ecomate/v1/${a.id}/commands`, qos: 1 }]);
    for (const topic of [`ecomate/v1/${b.id}/commands`, `ecomate/v1/${a.id}/#`, "ecomate/v1/+/telemetry", `ecomate/v1/${b.id}/telemetry`]) {
      const refusal = await devA.subscribeAsync(topic, { qos: 1 }).then(() => null, (error: { packet?: { granted?: number[] } }) => error);
      expect(refusal?.packet?.granted, topic).toEqual([128]);
    }

    // The platform's commands reach the device on its own topic.
    const command = nextMessage(devA);
    await platform.publishAsync(`ecomate/v1/${a.id}/commands`, '{"id":"c1"}', { qos: 1 });
    await expect(command).resolves.toEqual({ topic: `ecomate/v1/${a.id}/commands`, payload: '{"id":"c1"}' });
    await devA.publishAsync(`ecomate/v1/${a.id}/commands/ack`, '{"id":"c1","status":"applied"}', { qos: 1 });

    // Publishing as another device: nothing is delivered and the offender is disconnected.
    let leaked = false;
    platform.on("message", (topic) => (leaked ||= topic.includes(b.id)));
    const gone = closed(devA);
    devA.publish(`ecomate/v1/${b.id}/telemetry`, body, { qos: 1 });
    await gone;
    expect(devA.connected).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(leaked).toBe(false);
  });

  it("after revoke, refuses new connections and disconnects the connected client at once", async () => {
    const d = await device();
    const client = await connect({ username: d.id, password: d.token, clientId: `dev-${uid()}` });
    await client.subscribeAsync(`ecomate/v1/${d.id}/commands`, { qos: 1 });
    const gone = closed(client, "the revoked device is disconnected");

    await revokeDevice(db, { all: true }, actor, d.id);
    await gone;
    expect(client.connected).toBe(false);
    await expect(connect({ username: d.id, password: d.token })).rejects.toThrow(/Bad username or password/i);
  });

  it("after rotate, the old token is refused (and its connection closed) and the new one works", async () => {
    const d = await device();
    const old = await connect({ username: d.id, password: d.token });
    const gone = closed(old, "the connection with the rotated-away token is closed");

    const rotated = await rotateDeviceToken(db, { all: true }, actor, d.id);
    await gone;
    await expect(connect({ username: d.id, password: d.token })).rejects.toThrow(/Bad username or password/i);
    const fresh = await connect({ username: d.id, password: rotated.token });
    await fresh.publishAsync(`ecomate/v1/${d.id}/telemetry`, "{}", { qos: 1 });
    expect(fresh.connected).toBe(true);
  });

  it("leaves other devices' connections alone when one device changes", async () => {
    const keep = await device();
    const change = await device();
    const kept = await connect({ username: keep.id, password: keep.token });
    const changed = await connect({ username: change.id, password: change.token });
    const gone = closed(changed);
    await revokeDevice(db, { all: true }, actor, change.id);
    await gone;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(kept.connected).toBe(true);
    await kept.publishAsync(`ecomate/v1/${keep.id}/telemetry`, "{}", { qos: 1 });
  });
});
