/**
 * Configuration shared by every runtime (web, worker, CLI, demo).
 *
 * Each runtime has its own module (web.ts, worker.ts, cli.ts) that extends the shape below and
 * exposes one parsed, frozen object. Nothing else in the code base reads `process.env` directly.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { readLiveRuntime } from "@/server/infra/runtime-file";

export type EnvSource = Record<string, string | undefined>;

/** Thrown when the environment is invalid; the message lists every bad variable. */
export class EnvValidationError extends Error {
  readonly variables: string[];
  constructor(runtime: string, problems: { variable: string; message: string }[]) {
    super(
      `Invalid ${runtime} configuration (environment variables):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join("\n"),
    );
    this.name = "EnvValidationError";
    this.variables = problems.map((p) => p.variable);
  }
}

/** Thrown when a service URL can be found neither in the environment nor from a running demo. */
export class ServiceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServiceUnavailableError";
  }
}

// An empty string in a .env file means "not set", not "set to nothing".
export const unsetIfEmpty = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

function urlWithProtocols(protocols: string[]) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine(
        (value) => {
          try {
            return protocols.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
        { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}` },
      )
      .optional(),
  );
}

/** A TCP port variable with a default. */
export function portVar(defaultPort: number) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .default(String(defaultPort))
      .refine((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535, {
        message: "must be a TCP port number between 1 and 65535",
      })
      .transform(Number),
  );
}

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

const logLevelSchema = z.preprocess(
  (value) => (typeof value === "string" ? unsetIfEmpty(value.toLowerCase()) : value),
  z.enum(logLevels, { message: `must be one of ${logLevels.join(", ")}` }).default("info"),
);

/** Finds the project root: the nearest folder with EcoMate's package.json, from cwd or this file. */
export function findProjectRoot(): string {
  const starts = [process.cwd()];
  try {
    if (import.meta.url.startsWith("file:")) starts.push(path.dirname(fileURLToPath(import.meta.url)));
  } catch {
    // Bundled server code may not have a file URL; cwd is enough there.
  }
  for (const start of starts) {
    // turbopackIgnore: a runtime lookup, not a file the server bundle must include.
    let dir = path.resolve(/*turbopackIgnore: true*/ start);
    for (;;) {
      try {
        const pkgPath = path.join(/*turbopackIgnore: true*/ dir, "package.json");
        const pkg = JSON.parse(fs.readFileSync(/*turbopackIgnore: true*/ pkgPath, "utf8")) as { name?: unknown };
        if (pkg.name === "ecomate") return dir;
      } catch {
        // No (readable) package.json here: keep walking up.
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return process.cwd();
}

export const coreEnvShape = {
  NODE_ENV: z.preprocess(
    unsetIfEmpty,
    z.enum(["development", "test", "production"], { message: "must be development, test or production" }).default("development"),
  ),
  LOG_LEVEL: logLevelSchema,
  DATABASE_URL: urlWithProtocols(["postgres:", "postgresql:"]),
  MQTT_URL: urlWithProtocols(["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"]),
  // Password of the platform's MQTT user `ecomate-platform` (worker, health check, CLI); when unset, a
  // random one kept in <data dir>/mqtt-service-secret (src/server/env/mqtt-service.ts).
  MQTT_SERVICE_PASSWORD: z.preprocess(
    unsetIfEmpty,
    // mqtt.js splits user:password in a URL at the last colon, so the password must have none.
    z.string().min(12, "must be at least 12 characters").refine((v) => !v.includes(":"), "must not contain ':'").optional(),
  ),
  // Admin connection to Mosquitto's dynamic-security plugin (mqtt://admin:pass@host:port); when set, devices
  // created, rotated or revoked are registered there at once (src/server/mqtt/mosquitto-dynsec.ts).
  MOSQUITTO_DYNSEC_URL: urlWithProtocols(["mqtt:", "mqtts:"]),
  EMBEDDED_PG_PORT: portVar(54329),
  EMBEDDED_MQTT_PORT: portVar(1884),
  ECOMATE_DATA_DIR: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((dir) => (dir ? path.resolve(dir) : path.join(findProjectRoot(), ".data"))),
  ),
};

export const coreEnvSchema = z.object(coreEnvShape);
export type CoreEnv = Readonly<z.infer<typeof coreEnvSchema>>;

/** Parses `source` with `schema`; throws one EnvValidationError naming every bad variable. */
export function parseEnvWith<S extends z.ZodType<Record<string, unknown>>>(
  runtime: string,
  schema: S,
  source: EnvSource,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const byVariable = new Map<string, string>();
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? "(environment)");
      if (!byVariable.has(variable)) byVariable.set(variable, issue.message);
    }
    throw new EnvValidationError(
      runtime,
      [...byVariable].map(([variable, message]) => ({ variable, message })),
    );
  }
  return Object.freeze(result.data);
}

export function parseCoreEnv(source: EnvSource = process.env): CoreEnv {
  return parseEnvWith("core", coreEnvSchema, source);
}

/** Creates a lazily parsed, cached accessor so importing an env module never fails by itself. */
export function lazyEnv<T>(parse: (source: EnvSource) => T): (() => T) & { reset(): void } {
  let cached: T | undefined;
  const get = () => (cached ??= parse(process.env));
  return Object.assign(get, { reset: () => void (cached = undefined) });
}

/** The log level alone, never throwing: the logger must work even when the rest of the env is bad. */
export function logLevelFromEnv(source: EnvSource = process.env): LogLevel {
  const parsed = logLevelSchema.safeParse(source.LOG_LEVEL);
  return parsed.success ? parsed.data : "info";
}

export interface ServiceUrls {
  databaseUrl: string;
  mqttUrl: string;
  /** Where each URL came from: the environment or the running demo's runtime.json. */
  source: { database: "env" | "runtime"; mqtt: "env" | "runtime" };
}

type UrlEnv = Pick<CoreEnv, "DATABASE_URL" | "MQTT_URL" | "ECOMATE_DATA_DIR">;

/** The database URL for web/worker: DATABASE_URL, else the running demo's, else a clear error. */
export function resolveDatabaseUrl(env: UrlEnv): { url: string; source: "env" | "runtime" } {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: "env" };
  const runtime = readLiveRuntime(env.ECOMATE_DATA_DIR);
  if (runtime) return { url: runtime.databaseUrl, source: "runtime" };
  throw new ServiceUnavailableError(
    "No database configured: set DATABASE_URL, or start the embedded one with `npm run demo` " +
      `(no running demo found in ${env.ECOMATE_DATA_DIR}).`,
  );
}

/** The MQTT broker URL for web/worker: MQTT_URL, else the running demo's, else a clear error. */
export function resolveMqttUrl(env: UrlEnv): { url: string; source: "env" | "runtime" } {
  if (env.MQTT_URL) return { url: env.MQTT_URL, source: "env" };
  const runtime = readLiveRuntime(env.ECOMATE_DATA_DIR);
  if (runtime) return { url: runtime.mqttUrl, source: "runtime" };
  throw new ServiceUnavailableError(
    "No MQTT broker configured: set MQTT_URL, or start the embedded one with `npm run demo` " +
      `(no running demo found in ${env.ECOMATE_DATA_DIR}).`,
  );
}

/** Both service URLs at once (web and worker need both). */
export function resolveServiceUrls(env: UrlEnv): ServiceUrls {
  const database = resolveDatabaseUrl(env);
  const mqtt = resolveMqttUrl(env);
  return {
    databaseUrl: database.url,
    mqttUrl: mqtt.url,
    source: { database: database.source, mqtt: mqtt.source },
  };
}
