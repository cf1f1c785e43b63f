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
  WORKER_SHARED: z.preprocess(unsetIfEmpty, z.enum(["true", "false", "1", "0"]).default("false")).transform((v) => v === "true" || v === "1"),
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
