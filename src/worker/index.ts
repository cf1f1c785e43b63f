/**
 * The MQTT worker (`npm run worker`): one persistent MQTT session (`ecomate-worker`, clean: false,
 * so QoS 1 telemetry published while the worker is down is delivered when it comes back) that
 * feeds every telemetry message to `handleTelemetryMessage`.
 *
 * Lifecycle: validated env -> pg pool -> MQTT connect (reconnects forever) -> subscribe on each
 * connect without a stored session -> heartbeat log -> clean shutdown on SIGTERM/SIGINT.
 */
import { pathToFileURL } from "node:url";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type pg from "pg";
import { closeDb, getPool, initDb } from "@/server/db";
import { workerEnv, workerServiceUrls } from "@/server/env/worker";
import { moduleLogger, type Logger } from "@/server/logger";
import {
  handleTelemetryMessage,
  parseTelemetryTopic,
  TELEMETRY_TOPIC_FILTER,
  type TelemetryContext,
} from "@/worker/telemetry-handler";

export const WORKER_CLIENT_ID = "ecomate-worker";
/** Retained "online"/"offline" (the last will) so operators can see whether the worker runs. */
export const WORKER_STATUS_TOPIC = "ecomate/platform/worker/status";

const HEARTBEAT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;

export interface WorkerOptions {
  databaseUrl: string;
  mqttUrl: string;
  log?: Logger;
  clientId?: string;
  heartbeatMs?: number;
}

export interface RunningWorker {
  client: MqttClient;
  pool: pg.Pool;
  stats: WorkerStats;
  stop(): Promise<void>;
}

interface WorkerStats {
  messages: number;
  bytes: number;
  failures: number;
  connects: number;
  startedAt: Date;
}

export function startWorker(options: WorkerOptions): RunningWorker {
  const log = options.log ?? moduleLogger("worker");
  const stats: WorkerStats = { messages: 0, bytes: 0, failures: 0, connects: 0, startedAt: new Date() };

  // The process's one pool (shared with Prisma), pointed at the worker's database.
  initDb(options.databaseUrl);
  const pool = getPool();

  const clientOptions: IClientOptions = {
    clientId: options.clientId ?? WORKER_CLIENT_ID,
    protocolVersion: 4,
    clean: false,
    keepalive: 30,
    reconnectPeriod: 2_000,
    connectTimeout: 10_000,
    // We subscribe ourselves on every connect that has no stored session.
    resubscribe: false,
    will: { topic: WORKER_STATUS_TOPIC, payload: Buffer.from("offline"), qos: 1, retain: true },
  };
  const client = mqtt.connect(options.mqttUrl, clientOptions);

  const context: TelemetryContext = {
    log,
    pool,
    publish: async (topic, payload, publishOptions) => {
      await client.publishAsync(topic, payload, { qos: publishOptions?.qos ?? 1, retain: publishOptions?.retain ?? false });
    },
  };

  client.on("connect", (connack) => {
    stats.connects += 1;
    log.info({ sessionPresent: connack.sessionPresent, connects: stats.connects }, "connected to broker");
    void client.publishAsync(WORKER_STATUS_TOPIC, "online", { qos: 1, retain: true }).catch(() => {});
    if (connack.sessionPresent) return;
    client.subscribe(TELEMETRY_TOPIC_FILTER, { qos: 1 }, (error, granted) => {
      if (error) return log.error({ err: error.message }, "subscribe failed");
      const refused = granted?.filter((g) => g.qos === 128) ?? [];
      if (refused.length > 0) log.error({ topic: TELEMETRY_TOPIC_FILTER }, "broker refused the telemetry subscription");
      else log.info({ topic: TELEMETRY_TOPIC_FILTER, qos: granted?.[0]?.qos }, "subscribed");
    });
  });
  client.on("reconnect", () => log.info("reconnecting to broker"));
  client.on("offline", () => log.warn("broker connection lost"));
  client.on("close", () => log.debug("broker connection closed"));
  client.on("error", (error) => log.error({ err: error.message }, "mqtt error"));

  // The PUBACK goes out only after this callback: a message is acknowledged once it is handled.
  client.handleMessage = (packet, done) => {
    const topic = packet.topic;
    const parsed = parseTelemetryTopic(topic);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (!parsed) {
      log.debug({ topic }, "ignoring message outside the telemetry topics");
      return done();
    }
    stats.messages += 1;
    stats.bytes += payload.length;
    handleTelemetryMessage({ topic, deviceId: parsed.deviceId, payload, qos: packet.qos, receivedAt: new Date() }, context)
      .catch((error: unknown) => {
        // Acknowledge anyway: redelivering a message the handler cannot take would loop forever.
        stats.failures += 1;
        log.error({ err: error, topic }, "telemetry handler failed");
      })
      .finally(() => done());
  };

  let last = { messages: 0, bytes: 0 };
  const heartbeat = setInterval(() => {
    log.info(
      {
        connected: client.connected,
        messages: stats.messages - last.messages,
        bytes: stats.bytes - last.bytes,
        totalMessages: stats.messages,
        failures: stats.failures,
        uptimeS: Math.round((Date.now() - stats.startedAt.getTime()) / 1000),
      },
      "worker heartbeat",
    );
    last = { messages: stats.messages, bytes: stats.bytes };
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(heartbeat);
      if (client.connected) {
        await Promise.race([
          client.publishAsync(WORKER_STATUS_TOPIC, "offline", { qos: 1, retain: true }),
          new Promise((resolve) => setTimeout(resolve, 1_000)),
        ]).catch(() => {});
      }
      // end(false) lets in-flight messages finish; force it if the broker does not answer.
      await Promise.race([
        client.endAsync(false),
        new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS)),
      ]).catch(() => {});
      if (!client.disconnected) client.end(true);
      await closeDb().catch((error: unknown) => log.warn({ err: error }, "closing the database pool failed"));
      log.info({ messages: stats.messages }, "worker stopped");
    })());

  return { client, pool, stats, stop };
}

async function main(): Promise<void> {
  const log = moduleLogger("worker");
  let worker: RunningWorker;
  try {
    const env = workerEnv();
    const urls = workerServiceUrls(env);
    log.info({ database: urls.source.database, mqtt: urls.source.mqtt }, "worker starting");
    worker = startWorker({ databaseUrl: urls.databaseUrl, mqttUrl: urls.mqttUrl, log });
  } catch (error) {
    log.fatal((error as Error).message);
    process.exit(1);
  }

  worker.pool.query("select 1").then(
    () => log.info("database reachable"),
    (error: Error) => log.warn({ err: error.message }, "database not reachable yet"),
  );

  const shutdown = (signal: NodeJS.Signals) => {
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS * 2);
    force.unref();
    void worker.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) void main();
