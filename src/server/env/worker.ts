/** Configuration of the MQTT worker process (`npm run worker`). */
import { z } from "zod";
import { coreEnvShape, lazyEnv, parseEnvWith, resolveServiceUrls, type EnvSource, type ServiceUrls } from "./core";

export const workerEnvSchema = z.object({ ...coreEnvShape });

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
