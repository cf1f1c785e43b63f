/**
 * A telemetry worker on an MQTT broker of its own (the embedded aedes broker on a free port).
 *
 * A worker subscribes to every device's telemetry (`ecomate/v1/+/telemetry`), so on a broker shared
 * with other test files (which run in parallel against the same database) every worker would also
 * take the others' messages: twice the dead letters, errors published twice on a device's errors
 * topic, readings stored by a worker other than the one under test. Each file gets its own broker.
 */
import { randomBytes } from "node:crypto";
import type { MqttClient, Packet } from "mqtt";
import { inject } from "vitest";
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from "../../src/server/infra/embedded-broker";
import { startWorker, type RunningWorker } from "../../src/worker/index";

const SUBSCRIBE_TIMEOUT_MS = 30_000;

export interface PrivateWorker {
  broker: EmbeddedBrokerHandle;
  worker: RunningWorker;
  stop(): Promise<void>;
}

/** Resolves on the client's first SUBACK: from then on the broker routes telemetry to it. */
function subscribed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    const onPacket = (packet: Packet) => {
      if (packet.cmd !== "suback") return;
      client.off("packetreceive", onPacket);
      resolve();
    };
    client.on("packetreceive", onPacket);
  });
}

async function withTimeout(promise: Promise<unknown>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${SUBSCRIBE_TIMEOUT_MS / 1000} s`)), SUBSCRIBE_TIMEOUT_MS);
  });
  await Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts a broker and a worker on it (test database, no maintenance, no alerts); resolves once the worker is subscribed. */
export async function startPrivateWorker(name: string): Promise<PrivateWorker> {
  const broker = await startEmbeddedBroker({ port: 0 });
  const worker = startWorker({
    databaseUrl: inject("databaseUrl"),
    mqttUrl: broker.url,
    clientId: `${name}-${randomBytes(3).toString("hex")}`,
    heartbeatMs: 3_600_000,
    maintenance: false,
    alerts: false,
  });
  const stop = async () => {
    await worker.stop();
    await broker.stop();
  };
  // Listening before the first CONNACK can arrive: startWorker only starts connecting.
  try {
    await withTimeout(Promise.all(worker.clients.map(subscribed)), "the worker did not subscribe");
  } catch (error) {
    await stop();
    throw error;
  }
  return { broker, worker, stop };
}
