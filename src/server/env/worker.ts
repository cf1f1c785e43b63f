/** Configuration of the MQTT worker process (`npm run worker`). */
import { z } from "zod";
import { coreEnvShape, lazyEnv, parseEnvWith, resolveServiceUrls, unsetIfEmpty, type EnvSource, type ServiceUrls } from "./core";

export const workerEnvSchema = z.object({
  ...coreEnvShape,
  // Stable identity of this worker process: its MQTT sessions persist across restarts under it.
  WORKER_ID: z.preprocess(unsetIfEmpty, z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "letters, digits, - and _ only").default("1")),
  // MQTT connections in this process; each handles one message at a time, so more connections ingest in parallel.
  WORKER_CONNECTIONS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(64).default(1)),
  // Subscribe through the MQTT v5 shared subscription $share/ecomate-workers/... (needs a broker with
  // shared subscriptions, e.g. Mosquitto; the embedded aedes broker has none). Required for >1 connection.
  // Compaction and retention on a schedule in this worker (run them in one worker of a fleet).
  WORKER_MAINTENANCE: z.preprocess(unsetIfEmpty, z.enum(["true", "false", "1", "0"]).default("true")).transform((v) => v === "true" || v === "1"),
  // Send approved setpoint commands, expire unanswered ones and run the autonomous optimiser here
  // (default: as WORKER_MAINTENANCE). Every worker records the acks it receives either way.
  WORKER_CONTROL: z.preprocess(unsetIfEmpty, z.enum(["true", "false", "1", "0"]).optional()).transform((v) => (v === undefined ? undefined : v === "true" || v === "1")),
  WORKER_SHARED: z.preprocess(unsetIfEmpty, z.enum(["true", "false", "1", "0"]).default("false")).transform((v) => v === "true" || v === "1"),
  // Take part in the alert engine (one worker leads at a time, by an advisory lock; the others stand by).
  WORKER_ALERTS: z.preprocess(unsetIfEmpty, z.enum(["true", "false", "1", "0"]).default("true")).transform((v) => v === "true" || v === "1"),
  // Alert e-mails: an SMTP URL (smtp://host:587, smtps://user:pass@host:465) and the sender; none when unset.
  SMTP_URL: z.preprocess(unsetIfEmpty, z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://").optional()),
  SMTP_FROM: z.preprocess(unsetIfEmpty, z.string().default("EcoMate <alerts@ecomate.local>")),
  // The app's public URL, for links in notifications (e.g. https://ecomate.example.com).
  APP_URL: z.preprocess(unsetIfEmpty, z.url({ message: "must be a URL, e.g. https://ecomate.example.com" }).optional()),
  // A critical alert nobody acknowledged is escalated (notified again) after this many minutes.
  ALERT_ESCALATE_MINUTES: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(1440).default(15)),
  // Prometheus metrics of this worker (MQTT ingest) on 127.0.0.1:<port>/metrics; off when unset.
  WORKER_METRICS_PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(65535).optional()),
});

export type WorkerEnv = Readonly<z.infer<typeof workerEnvSchema>>;

export function parseWorkerEnv(source: EnvSource = process.env): WorkerEnv {
  return parseEnvWith("worker", workerEnvSchema, source);
}

/** The worker's configuration, parsed and frozen on first call. */
export const workerEnv = lazyEnv(parseWorkerEnv);

/** Database and broker URLs for the worker (env, else the running demo, else an error). */
export function workerServiceUrls(env: WorkerEnv = workerEnv()): ServiceUrls {
  return resolveServiceUrls(env);
}
