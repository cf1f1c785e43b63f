import net from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from "@/server/infra/embedded-broker";

const brokers: EmbeddedBrokerHandle[] = [];
const clients: MqttClient[] = [];

async function broker(options: Omit<Parameters<typeof startEmbeddedBroker>[0], "port"> = {}) {
  const handle = await startEmbeddedBroker({ port: 0, ...options });
  brokers.push(handle);
  return handle;
}

async function connect(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  clients.push(client);
  return client;
}

afterAll(async () => {
  for (const client of clients) await client.endAsync(true).catch(() => {});
  for (const handle of brokers) await handle.stop();
});

describe("embedded MQTT broker", () => {
  it("delivers a QoS 1 message from a publisher to a subscriber", async () => {
    const { url, port } = await broker();
    expect(url).toBe(`mqtt://127.0.0.1:${port}`);

    const subscriber = await connect(url, { clientId: "sub-1" });
    const granted = await subscriber.subscribeAsync("ecomate/v1/+/telemetry", { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);

    const received = new Promise<{ topic: string; payload: string; qos: number }>((resolve) => {
      subscriber.on("message", (topic, payload, packet) => resolve({ topic, payload: payload.toString(), qos: packet.qos }));
    });
    const publisher = await connect(url, { clientId: "dev-1" });
    const body = JSON.stringify({ metric: "flow_rate", value: 9.8 });
    // For QoS 1, publishAsync resolves once the broker's PUBACK has arrived.
    await publisher.publishAsync("ecomate/v1/dev-1/telemetry", body, { qos: 1 });

    await expect(received).resolves.toEqual({ topic: "ecomate/v1/dev-1/telemetry", payload: body, qos: 1 });
  });

  it("refuses a bad password and unauthorised subscriptions through the hooks", async () => {
    const seen: { username?: string; clientId: string }[] = [];
    const { url } = await broker({
      authenticate: async ({ clientId, username, password }) => {
        seen.push({ clientId, username });
        return username === "dev-7" && password?.toString() === "right-token";
      },
      authorizeSubscribe: ({ username, topic }) => topic.startsWith(`ecomate/v1/${username}/`),
    });

    await expect(connect(url, { clientId: "c-bad", username: "dev-7", password: "wrong-token" })).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connect(url, { clientId: "c-anon" })).rejects.toThrow(/Bad username or password/i);

    const good = await connect(url, { clientId: "c-good", username: "dev-7", password: "right-token" });
    expect(good.connected).toBe(true);
    expect(seen).toContainEqual({ clientId: "c-good", username: "dev-7" });

    // mqtt.js rejects when any topic is refused; the SUBACK on the error has the per-topic codes.
    const refusal = await good
      .subscribeAsync({ "ecomate/v1/dev-7/commands": { qos: 1 }, "ecomate/v1/dev-8/commands": { qos: 1 } })
      .then(() => null, (error: { packet?: { granted?: number[] } }) => error);
    expect(refusal?.packet?.granted).toEqual([1, 128]);
    await expect(good.subscribeAsync("ecomate/v1/dev-7/commands", { qos: 1 })).resolves.toEqual([
      { topic: "ecomate/v1/dev-7/commands", qos: 1 },
    ]);
  });

  it("disconnects a client that publishes where it may not", async () => {
    const { url } = await broker({ authorizePublish: ({ username, topic }) => topic.startsWith(`ecomate/v1/${username}/`) });
    const client = await connect(url, { clientId: "c-pub", username: "dev-1" });
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish("ecomate/v1/dev-2/telemetry", "{}", { qos: 1 });
    await closed;
    expect(client.connected).toBe(false);
  });

  it("says clearly when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      await expect(startEmbeddedBroker({ port })).rejects.toThrow(new RegExp(`Port ${port} .*already in use.*EMBEDDED_MQTT_PORT`));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
