/**
 * The MQTT worker (`npm run worker`): one persistent MQTT session (`ecomate-worker`, clean: false,
 * so QoS 1 telemetry published while the worker is down is delivered when it comes back) that
 * feeds every telemetry message to `handleTelemetryMessage` and every command ack to the control
 * service (`src/worker/control.ts`), which also sends approved setpoint commands on it.
 *
 * Lifecycle: validated env -> pg pool -> MQTT connect (reconnects forever) -> subscribe on each
 * connect (telemetry when there is no stored session, command acks always) -> heartbeat log -> clean
 * shutdown on SIGTERM/SIGINT.
 */
import { pathToFileURL } from "node:url";
import http from "node:http";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type pg from "pg";
import { closeDb, getDb, getPool, initDb } from "@/server/db";
import { workerEnv, workerServiceUrls } from "@/server/env/worker";
import { moduleLogger, type Logger } from "@/server/logger";
import {
  handleTelemetryMessage,
  parseTelemetryTopic,
  SHARED_TELEMETRY_FILTER,
  TELEMETRY_TOPIC_FILTER,
  type TelemetryContext,
} from "@/worker/telemetry-handler";
import { IngestDirectory } from "@/server/telemetry/ingest-directory";
import { MqttIngest } from "@/server/telemetry/mqtt-ingest";
import { TelemetryStore } from "@/server/telemetry/store";
import { LivePublisher } from "@/server/telemetry/live-publisher";
import { startAlertEngine, type AlertEngine, type AlertEngineOptions } from "@/server/telemetry/alerts/engine";
import { announceAlertEvent } from "@/server/telemetry/alerts/lifecycle";
import { findAlertsToEscalate, NotificationDispatcher } from "@/server/telemetry/alerts/notify";
import { startEmailTestListener } from "@/server/notifications/email-test";
import { handleMetricsNode } from "@/server/ops/metrics";
import { scheduleTelemetryMaintenance } from "@/worker/maintenance";
import { scheduleCompliance } from "@/worker/compliance";
import { parseCommandAckTopic } from "@/server/control/acks";
import { COMMAND_ACK_FILTER, SHARED_COMMAND_ACK_FILTER, startControlService, type ControlService, type ControlServiceOptions } from "@/worker/control";

export const WORKER_CLIENT_ID = "ecomate-worker";
/** Retained "online"/"offline" (the last will) so operators can see whether the worker runs. */
export const WORKER_STATUS_TOPIC = "ecomate/platform/worker/status";

const HEARTBEAT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;

export interface WorkerOptions {
  databaseUrl: string;
  mqttUrl: string;
  log?: Logger;
  /** Base of the MQTT client ids; connection i uses `<clientId>-<i>` (stable, so sessions persist). */
  clientId?: string;
  connections?: number;
  /** Subscribe through the shared subscription (MQTT v5); needed when several connections or workers run. */
  shared?: boolean;
  heartbeatMs?: number;
  /** Run compaction and retention on a schedule in this process (default true). */
  maintenance?: boolean;
  /** Keep the UV compliance records and off-spec ledger up to date in this process (default: as `maintenance`). */
  compliance?: boolean;
  maxBatchReadings?: number;
  maxBatchDelayMs?: number;
  /**
   * Send approved setpoint commands, expire unanswered ones and run the optimiser in this process
   * (default: as `maintenance`). Every worker records the command acks it receives either way.
   */
  control?: boolean;
  /** Control timings and scope (tests). */
  controlService?: Pick<ControlServiceOptions, "scope" | "dispatchEveryMs" | "expireEveryMs" | "autonomyEveryMs" | "autonomyFirstRunDelayMs" | "runAutonomy" | "publishTimeoutMs">;
  /** Take part in the alert engine (default true; one process leads at a time). */
  alerts?: boolean;
  /** Alert engine timings (tests). */
  alertEngine?: Pick<AlertEngineOptions, "tickMs" | "reconcileMs" | "housekeepingMs" | "retryMs">;
  /** Notifications: e-mail (SMTP), links, escalation. */
  notify?: { smtpUrl?: string; from?: string; appUrl?: string; escalateAfterMinutes?: number };
  /** Serve this process's Prometheus metrics on 127.0.0.1:<port>. */
  metricsPort?: number;
}

export interface RunningWorker {
  clients: MqttClient[];
  pool: pg.Pool;
  ingest: MqttIngest;
  stats: WorkerStats;
  alerts: AlertEngine | null;
  control: ControlService;
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
  const connections = options.connections ?? 1;
  const shared = options.shared ?? false;
  if (connections > 1 && !shared) throw new Error("Several worker connections need the shared subscription (WORKER_SHARED=true).");
  const filter = shared ? SHARED_TELEMETRY_FILTER : TELEMETRY_TOPIC_FILTER;
  const ackFilter = shared ? SHARED_COMMAND_ACK_FILTER : COMMAND_ACK_FILTER;

  // The process's one pool (shared with Prisma), pointed at the worker's database.
  initDb(options.databaseUrl);
  const pool = getPool();
  const directory = new IngestDirectory(pool, options.databaseUrl);
  void directory.listen();

  const clients: MqttClient[] = [];
  const publisher = new LivePublisher(options.databaseUrl);
  const ingest = new MqttIngest({
    pool,
    directory,
    store: new TelemetryStore(pool, (summaries) => publisher.publish(summaries)),
    log,
    publish: async (topic, payload) => {
      const client = clients.find((c) => c.connected) ?? clients[0]!;
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    maxBatchReadings: options.maxBatchReadings,
    maxBatchDelayMs: options.maxBatchDelayMs,
  });
  const context: TelemetryContext = { log, ingest };
  const control = startControlService({
    db: getDb(),
    pool,
    log: log.child({ module: "control" }),
    // Fails at once without a connection: mqtt.js would queue the message until a reconnect, and the
    // command would wait, row locked, in a dispatch transaction.
    publish: async (topic, payload) => {
      const client = clients.find((c) => c.connected);
      if (!client) throw new Error("no connection to the MQTT broker");
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    jobs: options.control ?? options.maintenance !== false,
    ...options.controlService,
  });

  for (let i = 0; i < connections; i++) {
    const clientOptions: IClientOptions = {
      clientId: `${options.clientId ?? WORKER_CLIENT_ID}-${i}`,
      protocolVersion: shared ? 5 : 4,
      clean: false,
      // MQTT v5: keep the session (and its queued QoS 1 messages) for a day while we are away.
      ...(shared ? { properties: { sessionExpiryInterval: 86_400 } } : {}),
      keepalive: 30,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      // We subscribe ourselves on every connect that has no stored session.
      resubscribe: false,
      ...(i === 0 ? { will: { topic: WORKER_STATUS_TOPIC, payload: Buffer.from("offline"), qos: 1 as const, retain: true } } : {}),
    };
    const client = mqtt.connect(options.mqttUrl, clientOptions);
    clients.push(client);

    client.on("connect", (connack) => {
      stats.connects += 1;
      log.info({ connection: i, sessionPresent: connack.sessionPresent, connects: stats.connects }, "connected to broker");
      if (i === 0) void client.publishAsync(WORKER_STATUS_TOPIC, "online", { qos: 1, retain: true }).catch(() => {});
      // A stored session keeps the telemetry subscription; the ack subscription is renewed anyway
      // (idempotent), so a session stored by a worker from before command acks existed gets it too.
      const topics = connack.sessionPresent ? [ackFilter] : [filter, ackFilter];
      client.subscribe(topics, { qos: 1 }, (error, granted) => {
        if (error) return log.error({ err: error.message }, "subscribe failed");
        const refused = granted?.filter((g) => g.qos === 128) ?? [];
        if (refused.length > 0) log.error({ topics: refused.map((g) => g.topic) }, "broker refused a subscription");
        else log.info({ connection: i, topics, qos: granted?.[0]?.qos }, "subscribed");
      });
    });
    client.on("reconnect", () => log.debug({ connection: i }, "reconnecting to broker"));
    client.on("offline", () => log.warn({ connection: i }, "broker connection lost"));
    client.on("error", (error) => log.error({ connection: i, err: error.message }, "mqtt error"));
    // mqtt.js reads packets in order, so under a long backlog the broker's PINGRESP waits behind queued
    // messages and the keepalive would time out; each message received proves the connection alive.
    client.on("packetreceive", (packet) => {
      if (packet.cmd === "publish") client.reschedulePing(true);
    });

    // mqtt.js sends the PUBACK only after this callback: a message is acknowledged once it is committed
    // (or kept as a dead letter). While the database is down the handler waits, so nothing is acked.
    client.handleMessage = (packet, done) => {
      const topic = packet.topic;
      const parsed = parseTelemetryTopic(topic);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (!parsed) {
        const ack = parseCommandAckTopic(topic);
        if (!ack) {
          log.debug({ topic }, "ignoring message outside the telemetry and command-ack topics");
          return done();
        }
        // Acknowledged once recorded (or refused and reported); while the database is down it waits.
        control.handleAck({ topic, deviceId: ack.deviceId, payload }).then(
          () => done(),
          (error: unknown) => log.error({ err: error, topic }, "command ack handler failed; message left unacknowledged"),
        );
        return;
      }
      stats.messages += 1;
      stats.bytes += payload.length;
      if (packet.dup) log.debug({ topic, messageId: packet.messageId }, "redelivered message");
      handleTelemetryMessage({ topic, deviceId: parsed.deviceId, payload, qos: packet.qos, receivedAt: new Date() }, context).then(
        () => done(),
        (error: unknown) => {
          // A bug, not bad data (bad data is a dead letter): do not acknowledge, so the broker redelivers.
          stats.failures += 1;
          log.error({ err: error, topic }, "telemetry handler failed; message left unacknowledged");
        },
      );
    };
  }

  const maintenance = options.maintenance === false ? null : scheduleTelemetryMaintenance(pool, log);
  const compliance = (options.compliance ?? options.maintenance !== false) ? scheduleCompliance(log.child({ module: "compliance" })) : null;
  const dispatcher =
    options.alerts === false
      ? null
      : new NotificationDispatcher({ db: getDb(), pool, smtpUrl: options.notify?.smtpUrl, from: options.notify?.from, appUrl: options.notify?.appUrl });
  // "Send test e-mail" on the admin page: answered by the processes that send alert e-mail, with their SMTP settings.
  const emailTests = !dispatcher
    ? null
    : startEmailTestListener({ pool, db: getDb(), smtp: { url: options.notify?.smtpUrl, from: options.notify?.from }, log: log.child({ module: "email-test" }) });
  const alerts = !dispatcher
    ? null
    : startAlertEngine({
        db: getDb(),
        pool,
        databaseUrl: options.databaseUrl,
        log: log.child({ module: "alert-engine" }),
        onEvent: (event) => void dispatcher.dispatch(event).catch((err: unknown) => log.warn({ err: (err as Error).message }, "notification failed")),
        housekeeping: async () => {
          const escalated = await findAlertsToEscalate(getDb(), { afterMinutes: options.notify?.escalateAfterMinutes ?? 15 });
          for (const e of escalated) await announceAlertEvent(pool, e);
          return escalated;
        },
        ...options.alertEngine,
      });
  const metricsServer = options.metricsPort
    ? http.createServer((req, res) => void handleMetricsNode(req, res, pool)).listen(options.metricsPort, "127.0.0.1")
    : null;

  let last = { messages: 0, bytes: 0 };
  const heartbeat = setInterval(() => {
    log.info(
      {
        connected: clients.filter((c) => c.connected).length,
        messages: stats.messages - last.messages,
        bytes: stats.bytes - last.bytes,
        totalMessages: stats.messages,
        ingest: ingest.stats,
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
      maintenance?.stop();
      compliance?.stop();
      // before the MQTT connections close: a command being published gets its PUBACK
      await control.stop();
      await alerts?.stop();
      await dispatcher?.close();
      await emailTests?.stop();
      metricsServer?.close();
      ingest.stop();
      const first = clients[0];
      if (first?.connected) {
        await Promise.race([
          first.publishAsync(WORKER_STATUS_TOPIC, "offline", { qos: 1, retain: true }),
          new Promise((resolve) => setTimeout(resolve, 1_000)),
        ]).catch(() => {});
      }
      // end(false) lets in-flight messages finish; force it if the broker does not answer.
      await Promise.all(
        clients.map(async (client) => {
          await Promise.race([client.endAsync(false), new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS))]).catch(() => {});
          if (!client.disconnected) client.end(true);
        }),
      );
      await publisher.stop();
      await directory.close();
      await closeDb().catch((error: unknown) => log.warn({ err: error }, "closing the database pool failed"));
      log.info({ messages: stats.messages, ingest: ingest.stats }, "worker stopped");
    })());

  return { clients, pool, ingest, stats, alerts, control, stop };
}

async function main(): Promise<void> {
  const log = moduleLogger("worker");
  let worker: RunningWorker;
  try {
    const env = workerEnv();
    const urls = workerServiceUrls(env);
    log.info({ database: urls.source.database, mqtt: urls.source.mqtt }, "worker starting");
    worker = startWorker({
      databaseUrl: urls.databaseUrl,
      mqttUrl: urls.mqttUrl,
      log,
      clientId: `${WORKER_CLIENT_ID}-${env.WORKER_ID}`,
      connections: env.WORKER_CONNECTIONS,
      shared: env.WORKER_SHARED,
      maintenance: env.WORKER_MAINTENANCE,
      control: env.WORKER_CONTROL,
      alerts: env.WORKER_ALERTS,
      notify: { smtpUrl: env.SMTP_URL, from: env.SMTP_FROM, appUrl: env.APP_URL, escalateAfterMinutes: env.ALERT_ESCALATE_MINUTES },
      metricsPort: env.WORKER_METRICS_PORT,
    });
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
