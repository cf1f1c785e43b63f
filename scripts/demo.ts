/**
 * `npm run demo`: the whole product on embedded defaults.
 *
 *   embedded PostgreSQL (unless DATABASE_URL) -> migrate -> seed -> embedded MQTT broker (unless
 *   MQTT_URL) -> `next build` when sources changed -> web server (src/server/http) + worker (+ simulator) ->
 *   .data/runtime.json -> /api/health is 200 -> "EcoMate ready at http://localhost:<port>" on stdout.
 *
 * stdout carries only that line; all logs and the children's output go to stderr. Ctrl-C/SIGTERM,
 * or any child dying, stops every child, the broker and PostgreSQL, and removes runtime.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import dns from "node:dns/promises";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { cliEnv } from "@/server/env/cli";
import { EnvValidationError, findProjectRoot } from "@/server/env/core";
import { resolveAuthSecret } from "@/server/env/web";
import { resolveMqttServicePassword } from "@/server/env/mqtt-service";
import { startAuthenticatedBroker } from "@/server/mqtt/broker-auth";
import { isLoopbackPortFree, startEmbeddedPostgres } from "@/server/infra/embedded-postgres";
import { isProcessAlive, readLiveRuntime, removeRuntimeFile, writeRuntimeFile } from "@/server/infra/runtime-file";
import { moduleLogger } from "@/server/logger";
import { migrateDatabase } from "@/server/db/migrate";
import { seedDemoIfEmpty } from "@/server/seed";
import { closeDb } from "@/server/db";
import { buildReason } from "./lib/build-state";

const log = moduleLogger("demo");
const startedAt = Date.now();
const root = findProjectRoot();

const HEALTH_TIMEOUT_MS = 120_000;
const CHILD_STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Everything started here, so that shutdown can undo it from any point of the start-up.

interface ManagedChild {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

const children: ManagedChild[] = [];
/** Stop functions for in-process resources (forwarder, broker, PostgreSQL), run last-in first-out. */
const cleanups: { name: string; run: () => Promise<void> }[] = [];
let shuttingDown: Promise<never> | undefined;
let dataDir: string | undefined;

function elapsed(since = startedAt): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

async function stopChild({ name, child, exited }: ManagedChild): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    log.warn({ child: name }, "child did not stop in time; killing it");
    child.kill("SIGKILL");
  }, CHILD_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function shutdown(reason: string, exitCode: number): Promise<never> {
  shuttingDown ??= (async () => {
    log.info({ reason }, "stopping EcoMate");
    if (dataDir) removeRuntimeFile(dataDir, process.pid);
    await Promise.all(children.map((c) => stopChild(c).catch((error: unknown) => log.error({ err: error, child: c.name }, "stop failed"))));
    for (const cleanup of cleanups.reverse()) {
      await cleanup.run().catch((error: unknown) => log.error({ err: error, part: cleanup.name }, "stop failed"));
    }
    log.info("stopped");
    process.exit(exitCode);
  })();
  return shuttingDown;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => void shutdown(signal, 0));
}
process.on("unhandledRejection", (error) => {
  log.fatal({ err: error }, "unexpected error");
  void shutdown("unexpected error", 1);
});

/**
 * `npm run demo` runs us as npm -> sh -> tsx -> this process. npm forwards SIGTERM to sh only, and
 * sh dies without passing it on; so we also stop when any process of that launcher chain is gone.
 */
function watchLauncher(): void {
  const procStat = (pid: number) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const [, ppid] = stat.slice(close + 2).split(" ");
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      return { ppid: Number(ppid), name: `${stat.slice(stat.indexOf("(") + 1, close)} ${cmdline}` };
    } catch {
      return null;
    }
  };
  const chain: number[] = [];
  let npmFound = false;
  for (let pid = process.ppid; pid > 1 && chain.length < 4; ) {
    const info = procStat(pid);
    if (!info) break;
    chain.push(pid);
    if (/^npm\b|\bnpm-cli\.js\b/.test(info.name)) {
      npmFound = true;
      break;
    }
    pid = info.ppid;
  }
  const watched = npmFound ? chain : [process.ppid];
  const timer = setInterval(() => {
    const gone = watched.find((pid) => !isProcessAlive(pid));
    if (gone !== undefined) void shutdown(`launcher process ${gone} exited`, 0);
  }, 1_000);
  timer.unref();
}

function spawnChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ManagedChild {
  // The children write to our stderr: stdout is reserved for the "ready" line.
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", 2, 2] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const managed = { name, child, exited };
  children.push(managed);
  child.once("error", (error) => {
    log.error({ child: name, err: error.message }, "could not start child process");
    void shutdown(`${name} could not start`, 1);
  });
  child.once("exit", (code, signal) => {
    if (shuttingDown) return;
    log.error({ child: name, code, signal }, "child process exited unexpectedly");
    void shutdown(`${name} exited`, 1);
  });
  return managed;
}

// ---------------------------------------------------------------------------------------------
// Build only when needed.

async function buildIfNeeded(env: NodeJS.ProcessEnv): Promise<void> {
  const reason = buildReason(root);
  if (!reason) {
    log.info("production build is up to date");
    return;
  }
  const since = Date.now();
  log.info({ reason }, "building the web app (next build), progress follows");
  const build = spawnChild("next build", process.execPath, [nextBin(), "build"], env);
  // The build is expected to exit: take it out of the unexpected-exit watch.
  build.child.removeAllListeners("exit");
  const code = await new Promise<number | null>((resolve) => build.child.once("exit", (c) => resolve(c)));
  children.splice(children.indexOf(build), 1);
  if (shuttingDown) await shuttingDown;
  if (code !== 0) throw new Error(`next build failed (exit code ${code}); see the output above`);
  log.info({ took: elapsed(since) }, "build finished");
}

function nextBin(): string {
  return path.join(root, "node_modules", "next", "dist", "bin", "next");
}

// ---------------------------------------------------------------------------------------------
// Networking helpers.

/**
 * The web server listens on 127.0.0.1 only (all interfaces would expose the demo accounts to the
 * network). Where `localhost` may resolve to ::1, forward [::1]:port to it so both URLs work.
 */
async function startIpv6Forwarder(port: number): Promise<net.Server | null> {
  const server = net.createServer((socket) => {
    const upstream = net.connect({ host: "127.0.0.1", port });
    socket.pipe(upstream).pipe(socket);
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRNOTAVAIL" || error.code === "EAFNOSUPPORT") resolve(null);
      else reject(new Error(`Cannot listen on [::1]:${port}: ${error.message}`));
    });
    server.listen({ host: "::1", port, ipv6Only: true }, () => resolve(server));
  });
}

function getStatus(url: string, timeoutMs = 3_000): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(0));
  });
}

async function waitForHealth(port: number): Promise<void> {
  const url = `http://127.0.0.1:${port}/api/health`;
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 0;
  while (Date.now() < deadline) {
    if (shuttingDown) await shuttingDown;
    last = await getStatus(url);
    if (last === 200) return;
    await new Promise((resolve) => setTimeout(resolve, last === 0 ? 200 : 500));
  }
  throw new Error(`${url} did not return 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last status: ${last || "no answer"})`);
}

/** Checks that every address `localhost` resolves to (127.0.0.1, maybe ::1) answers. */
async function checkLocalhost(port: number): Promise<void> {
  const addresses = await dns.lookup("localhost", { all: true }).catch(() => []);
  for (const { address, family } of addresses) {
    const host = family === 6 ? `[${address}]` : address;
    const status = await getStatus(`http://${host}:${port}/api/health`);
    if (status === 200) log.debug({ address }, "localhost address answers");
    else log.warn({ address, status }, "localhost resolves to an address where the app does not answer");
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  watchLauncher();
  const env = cliEnv();
  dataDir = env.ECOMATE_DATA_DIR;
  fs.mkdirSync(dataDir, { recursive: true });

  const running = readLiveRuntime(dataDir);
  if (running) {
    throw new Error(`EcoMate is already running (pid ${running.pid}) at ${running.appUrl}; stop it first.`);
  }

  // Fail fast on taken ports, before minutes of work.
  if (!(await isLoopbackPortFree(env.PORT))) {
    throw new Error(`Port ${env.PORT} is already in use by another program. Stop it or set PORT to a free port.`);
  }
  if (!env.MQTT_URL && !(await isLoopbackPortFree(env.EMBEDDED_MQTT_PORT))) {
    throw new Error(
      `Port ${env.EMBEDDED_MQTT_PORT} is already in use by another program, so the embedded MQTT broker cannot start there. ` +
        "Stop that program, set EMBEDDED_MQTT_PORT to a free port, or set MQTT_URL to use an existing broker.",
    );
  }

  // 1. Database.
  let since = Date.now();
  let databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    log.info("using DATABASE_URL");
  } else {
    const cluster = await startEmbeddedPostgres({ port: env.EMBEDDED_PG_PORT, dataDir, log: moduleLogger("embedded-postgres") });
    cleanups.push({ name: "postgres", run: cluster.stop });
    databaseUrl = cluster.databaseUrl;
    log.info({ took: elapsed(since), port: cluster.port, reused: cluster.reused }, "PostgreSQL ready");
  }

  since = Date.now();
  const { applied } = await migrateDatabase(databaseUrl, { log: (msg) => log.info(msg) });
  log.info({ took: elapsed(since), applied: applied.length }, "migrations done");

  since = Date.now();
  const { seeded } = await seedDemoIfEmpty(databaseUrl);
  await closeDb(); // the demo process itself needs no database connection after this
  log.info({ took: elapsed(since), seeded }, seeded ? "demo data seeded" : "database already has data; not seeding");

  // 2. Broker. The embedded one admits devices by token (their own topics only) and the platform
  // user `ecomate-platform`; the web app, worker and runtime.json get a URL with that user in it.
  let mqttUrl = env.MQTT_URL;
  if (mqttUrl) {
    log.info("using MQTT_URL");
  } else {
    const broker = await startAuthenticatedBroker({
      port: env.EMBEDDED_MQTT_PORT,
      databaseUrl,
      servicePassword: resolveMqttServicePassword(env),
      log: moduleLogger("embedded-broker"),
    });
    cleanups.push({ name: "broker", run: broker.stop });
    mqttUrl = broker.serviceUrl;
  }

  // 3. Web app and worker.
  if (process.env.NEXTAUTH_URL) {
    log.warn("ignoring NEXTAUTH_URL: the demo trusts the request host so that localhost and 127.0.0.1 both work");
  }
  const { NEXTAUTH_URL: _ignored, ...inherited } = process.env;
  const childEnv: NodeJS.ProcessEnv = {
    ...inherited,
    DATABASE_URL: databaseUrl,
    MQTT_URL: mqttUrl,
    ECOMATE_DATA_DIR: dataDir,
    PORT: String(env.PORT),
    AUTH_TRUST_HOST: "true",
    NEXTAUTH_SECRET: resolveAuthSecret({ NEXTAUTH_SECRET: env.NEXTAUTH_SECRET, ECOMATE_DATA_DIR: dataDir }),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };

  await buildIfNeeded(childEnv);

  since = Date.now();
  spawnChild("web server", process.execPath, ["--import", "tsx", "src/server/http/main.ts", "-H", "127.0.0.1", "-p", String(env.PORT)], childEnv);
  const forwarder = await startIpv6Forwarder(env.PORT);
  if (forwarder) cleanups.push({ name: "ipv6 forwarder", run: () => new Promise((resolve) => forwarder.close(() => resolve())) });

  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  spawnChild("worker", tsx, ["src/worker/index.ts"], childEnv);
  if (fs.existsSync(path.join(root, "scripts", "simulate.ts"))) {
    spawnChild("simulator", tsx, ["scripts/simulate.ts", "--live"], childEnv);
  }

  const appUrl = `http://localhost:${env.PORT}`;
  writeRuntimeFile(dataDir, { databaseUrl, mqttUrl, appUrl, pid: process.pid });

  await waitForHealth(env.PORT);
  await checkLocalhost(env.PORT);
  log.info({ took: elapsed(since), total: elapsed() }, "app healthy");
  process.stdout.write(`EcoMate ready at ${appUrl}\n`);
}

main().catch((error: unknown) => {
  if (shuttingDown) return;
  const message = error instanceof EnvValidationError || error instanceof Error ? error.message : String(error);
  log.fatal({ err: error }, "demo failed to start");
  process.stderr.write(`\nEcoMate demo failed to start: ${message}\n`);
  void shutdown("start-up failed", 1);
});
