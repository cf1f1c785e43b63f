// Command line and defaults of `npm run simulate` (see scripts/simulate.ts for the usage).
import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { z } from "zod";

export type Via = "mqtt" | "http";

export interface SimulateOptions {
  /** First N devices of the devices file (default: all). */
  systems: number | null;
  /** Total readings per second in live mode (default: the natural sampling, about 0.7/s per system). */
  rate: number | null;
  via: Via;
  backfillMs: number | null;
  live: boolean;
  seed: string;
  labelsFile: string;
  url: string;
  mqttUrl: string | null;
  devicesFile: string;
  /** Live-mode state for resuming after a restart; null = none. */
  stateFile: string | null;
  dryRun: boolean;
  /** Injected failures per system per 30 days. */
  failureRate: number;
  batchSize: number;
  concurrency: number;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d", "12h", "90m", "45s", "2w", "500ms" -> milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (!match) throw new InvalidArgumentError(`"${text}" is not a duration like 30d, 12h, 90m or 45s`);
  const ms = Number(match[1]) * (DURATION_UNITS[match[2]!.toLowerCase()] ?? NaN);
  if (!(ms > 0)) throw new InvalidArgumentError(`"${text}" must be longer than zero`);
  return ms;
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${text}" is not a positive number`);
  return n;
}

function nonNegativeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${text}" is not a number ≥ 0`);
  return n;
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`"${text}" is not a positive whole number`);
  return n;
}

const runtimeSchema = z.object({ appUrl: z.string().min(1), mqttUrl: z.string().min(1), pid: z.number().int().positive() });

export interface Environment {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** runtime.json of a running demo (only when its process is alive). */
  runtime: { appUrl: string; mqttUrl: string } | null;
}

/** `<data dir>/runtime.json` when the demo that wrote it is still running. */
export function readDemoRuntime(dataDir: string, isAlive: (pid: number) => boolean): Environment["runtime"] {
  try {
    const parsed = runtimeSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dataDir, "runtime.json"), "utf8")));
    return parsed.success && isAlive(parsed.data.pid) ? { appUrl: parsed.data.appUrl, mqttUrl: parsed.data.mqttUrl } : null;
  } catch {
    return null;
  }
}

export function buildCommand(): Command {
  return new Command("simulate")
    .description("Fleet telemetry simulator: streams the demo fleet's readings to the ingest API or the MQTT broker")
    .option("--systems <n>", "simulate the first N demo devices (default: all)", positiveInteger)
    .option("--rate <r>", "live mode: readings per second in total, spread over the systems (default: natural sampling)", positiveNumber)
    .option("--via <transport>", "mqtt or http (default: mqtt when an MQTT URL is known, else http); over MQTT the devices also take the platform's setpoint commands, over HTTP they cannot")
    .option("--backfill <duration>", "first generate history, e.g. 30d, 12h", parseDuration)
    .option("--live", "send current readings continuously (default when --backfill is not given)")
    .option("--seed <s>", "random seed (default 1)", "1")
    .option("--labels <file>", "ground-truth labels, JSON lines (default <data dir>/simulator-labels.jsonl)")
    .option("--url <url>", "app URL for HTTP ingest (default: the running demo, else http://localhost:3000)")
    .option("--mqtt-url <url>", "broker URL (default: MQTT_URL, else the running demo's)")
    .option("--devices <file>", "device credentials (default <data dir>/demo-devices.json)")
    .option("--state <file>", "live-mode state for resuming after a restart (default <data dir>/simulator-state.json)")
    .option("--no-state", "do not save or resume the live-mode state")
    .option("--failure-rate <n>", "injected failures per system per 30 days (default 0.5)", nonNegativeNumber, 0.5)
    .option("--batch-size <n>", "readings per request (default 1000 for HTTP, 100 for MQTT)", positiveInteger)
    .option("--concurrency <n>", "HTTP requests in flight (default 4)", positiveInteger, 4)
    .option("--dry-run", "generate only, send nothing, print the generation speed")
    .allowExcessArguments(false);
}

interface RawOptions {
  systems?: number;
  rate?: number;
  via?: string;
  backfill?: number;
  live?: boolean;
  seed: string;
  labels?: string;
  url?: string;
  mqttUrl?: string;
  devices?: string;
  state?: string | boolean;
  failureRate: number;
  batchSize?: number;
  concurrency: number;
  dryRun?: boolean;
}

/** Parses argv (without node and script) and fills the defaults from the environment. */
export function resolveOptions(argv: string[], environment: Environment): SimulateOptions {
  const command = buildCommand().exitOverride();
  command.parse(argv, { from: "user" });
  const raw = command.opts<RawOptions>();
  const { env, dataDir, runtime } = environment;
  const port = env.PORT && /^\d+$/.test(env.PORT) ? env.PORT : null;
  const url = raw.url ?? runtime?.appUrl ?? (port ? `http://127.0.0.1:${port}` : "http://localhost:3000");
  const mqttUrl = raw.mqttUrl ?? (env.MQTT_URL || null) ?? runtime?.mqttUrl ?? null;
  if (raw.via !== undefined && raw.via !== "mqtt" && raw.via !== "http") throw new InvalidArgumentError(`--via must be mqtt or http, not "${raw.via}"`);
  const via: Via = (raw.via as Via | undefined) ?? (mqttUrl ? "mqtt" : "http");
  if (via === "mqtt" && !mqttUrl && !raw.dryRun) {
    throw new InvalidArgumentError("--via mqtt needs a broker: pass --mqtt-url, set MQTT_URL, or start the demo");
  }
  const backfillMs = raw.backfill ?? null;
  // The ingest refuses readings older than the raw retention (400 days by default).
  if (backfillMs !== null && backfillMs > 400 * 86_400_000) throw new InvalidArgumentError("--backfill can go back at most 400 days (the default raw retention)");
  return {
    systems: raw.systems ?? null,
    rate: raw.rate ?? null,
    via,
    backfillMs,
    live: raw.live === true || backfillMs === null,
    seed: raw.seed,
    labelsFile: path.resolve(raw.labels ?? path.join(dataDir, "simulator-labels.jsonl")),
    url,
    mqttUrl,
    devicesFile: path.resolve(raw.devices ?? path.join(dataDir, "demo-devices.json")),
    stateFile: raw.state === false ? null : path.resolve(typeof raw.state === "string" ? raw.state : path.join(dataDir, "simulator-state.json")),
    dryRun: raw.dryRun === true,
    failureRate: raw.failureRate,
    batchSize: raw.batchSize ?? (via === "mqtt" ? 100 : 1000),
    concurrency: raw.concurrency,
  };
}

export const devicesFileSchema = z.object({
  devices: z.array(
    z.object({
      id: z.string().min(1),
      token: z.string().min(1),
      system: z.string().min(1),
      organization: z.string().optional(),
      mqtt: z.object({ username: z.string(), topic: z.string() }).partial().optional(),
    }),
  ),
});

export type DemoDevice = z.infer<typeof devicesFileSchema>["devices"][number];

/** The devices file, or null when it does not exist yet. Throws when it is malformed. */
export function readDevicesFile(file: string): DemoDevice[] | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const parsed = devicesFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a devices file ({ devices: [{ id, token, system }] }): ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data.devices;
}
