/**
 * Liveness of the parts the product needs: the database (`select 1` within 2 s) and the MQTT
 * broker (a long-lived probe client that reports whether it is connected).
 *
 * The probe client, and the pg pool used when the caller passes none (tests, scripts), are process
 * singletons kept on globalThis, so that `next dev` reloads do not leak connections.
 */
import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import pg from "pg";
import { moduleLogger } from "@/server/logger";

export type PartStatus = "ok" | "error";

export interface HealthReport {
  status: PartStatus;
  db: PartStatus;
  broker: PartStatus;
}

export interface CheckHealthInput {
  /** null/undefined when no database could be resolved: reported as an error. */
  databaseUrl?: string | null;
  mqttUrl?: string | null;
  /** The process's pool (`getPool()` from "@/server/db"); without it one is made from databaseUrl and kept. */
  pool?: pg.Pool | null;
}

const DB_TIMEOUT_MS = 2_000;
const BROKER_FIRST_CONNECT_MS = 2_000;

const log = moduleLogger("health");

interface HealthSingletons {
  pool?: { url: string; pool: pg.Pool };
  probe?: { url: string; client: MqttClient };
}
const singletons: HealthSingletons = ((globalThis as { ecomateHealth?: HealthSingletons }).ecomateHealth ??= {});

/** The pool health checks use when the caller has none: one per process and URL. */
export function healthPool(databaseUrl: string): pg.Pool {
  if (singletons.pool?.url === databaseUrl) return singletons.pool.pool;
  void singletons.pool?.pool.end().catch(() => {});
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    connectionTimeoutMillis: DB_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
  });
  pool.on("error", (error) => log.warn({ err: error.message }, "idle database connection failed"));
  singletons.pool = { url: databaseUrl, pool };
  return pool;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function checkDatabase(pool: pg.Pool): Promise<PartStatus> {
  try {
    await withTimeout(pool.query("select 1"), DB_TIMEOUT_MS, "select 1");
    return "ok";
  } catch (error) {
    log.warn({ err: (error as Error).message }, "database health check failed");
    return "error";
  }
}

function waitForConnect(client: MqttClient, ms: number): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve) => {
    // Settle on the first outcome: connected, refused (close) or timed out.
    const done = () => {
      clearTimeout(timer);
      client.off("connect", done);
      client.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.on("connect", done);
    client.on("close", done);
  });
}

/** Connected state of the long-lived probe client; the first call waits briefly for it to connect. */
export async function checkBroker(mqttUrl: string): Promise<PartStatus> {
  let probe = singletons.probe;
  if (!probe || probe.url !== mqttUrl) {
    probe?.client.end(true);
    const client = mqtt.connect(mqttUrl, {
      clientId: `ecomate-health-${process.pid}-${randomBytes(3).toString("hex")}`,
      protocolVersion: 4,
      clean: true,
      connectTimeout: BROKER_FIRST_CONNECT_MS,
      reconnectPeriod: 2_000,
      keepalive: 30,
    });
    client.on("error", (error) => log.debug({ err: error.message }, "broker probe error"));
    client.on("offline", () => log.debug("broker probe offline"));
    probe = singletons.probe = { url: mqttUrl, client };
    await waitForConnect(client, BROKER_FIRST_CONNECT_MS);
  }
  return probe.client.connected ? "ok" : "error";
}

export async function checkHealth(input: CheckHealthInput): Promise<HealthReport> {
  const pool = input.pool ?? (input.databaseUrl ? healthPool(input.databaseUrl) : null);
  const [db, broker] = await Promise.all([
    pool ? checkDatabase(pool) : Promise.resolve<PartStatus>("error"),
    input.mqttUrl ? checkBroker(input.mqttUrl) : Promise.resolve<PartStatus>("error"),
  ]);
  return { status: db === "ok" && broker === "ok" ? "ok" : "error", db, broker };
}

/** Closes the singletons (tests, clean shutdown). */
export async function closeHealthChecks(): Promise<void> {
  const { pool, probe } = singletons;
  singletons.pool = undefined;
  singletons.probe = undefined;
  probe?.client.end(true);
  await pool?.pool.end().catch(() => {});
}
