// The app under test for the Playwright journeys: a fresh database with the demo fleet, a broker,
// a production build served by the web server (src/server/http, as `npm start`). Real parts only: DATABASE_URL / MQTT_URL when set (CI: the
// machine's PostgreSQL and Mosquitto), else the embedded ones. Playwright starts and stops it.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists } from "../src/server/db/migrate";
import { prepareDatabase } from "../src/server/db/prepare";
import { createDbState } from "../src/server/db";
import { seedDemo } from "../src/server/seed";
import { createDevice } from "../src/server/devices/manage-devices";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../src/server/infra/embedded-postgres";
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from "../src/server/infra/embedded-broker";
import { buildReason } from "../scripts/lib/build-state";

const root = path.resolve(import.meta.dirname, "..");
const port = Number(process.env.E2E_PORT ?? 3100);
const log = (msg: string) => process.stderr.write(`[e2e-server] ${msg}\n`);

let pg: EmbeddedPostgresHandle | undefined;
let broker: EmbeddedBrokerHandle | undefined;
let adminUrl: string | undefined;
const dbName = `ecomate_e2e_${Date.now()}`;

async function cleanup(): Promise<void> {
  if (adminUrl) await dropDatabaseIfExists(adminUrl, dbName).catch(() => undefined);
  await broker?.stop().catch(() => undefined);
  await pg?.stop().catch(() => undefined);
}

async function main() {
  if (process.env.DATABASE_URL) adminUrl = process.env.DATABASE_URL;
  else {
    pg = await startEmbeddedPostgres({ port: Number(process.env.E2E_EMBEDDED_PG_PORT ?? 54338), dataDir: path.join(root, ".data", "e2e") });
    adminUrl = pg.databaseUrl;
  }
  await createDatabaseIfMissing(adminUrl, dbName);
  const url = databaseUrl(adminUrl, dbName);
  await prepareDatabase(url);
  const state = createDbState(url, 2);
  // with the degradation models' two weeks of history (NBG-03, LIS-02, NBG-04; never NBG-01/02) and
  // the failure-risk model's year of pump history (ten systems; never NBG-01/02)
  await seedDemo(state.db, { telemetryHistory: { pool: state.pool, pumpYear: true } });
  // a device of NBG-01 for the journeys that publish readings (mosquitto_pub, as a device would)
  const device = await createDevice(state.db, { all: true }, { type: "cli", label: "e2e" }, { systemCode: "NBG-01" });
  await state.db.$disconnect();
  await state.pool.end();
  log(`database ${dbName} migrated and seeded`);

  let mqttUrl = process.env.MQTT_URL;
  if (!mqttUrl) {
    broker = await startEmbeddedBroker({ port: Number(process.env.E2E_EMBEDDED_MQTT_PORT ?? 18848) });
    mqttUrl = broker.url;
  }

  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const reason = buildReason(root);
  if (reason) {
    log(`building the app (${reason})`);
    const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (build.status !== 0) throw new Error(`next build failed with exit code ${build.status}`);
  }

  const app = spawn(process.execPath, ["--import", "tsx", "src/server/http/main.ts", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: url,
      MQTT_URL: mqttUrl,
      AUTH_TRUST_HOST: "true",
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      LOG_LEVEL: "warn",
    },
  });
  // the worker, as in production: MQTT ingest and the alert engine
  const worker = spawn(process.execPath, ["--import", "tsx", "src/worker/index.ts"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DATABASE_URL: url, MQTT_URL: mqttUrl, WORKER_ID: "e2e", WORKER_MAINTENANCE: "false", WORKER_CONTROL: "true", LOG_LEVEL: "warn" },
  });
  const brokerUrl = new URL(mqttUrl);
  fs.mkdirSync(path.join(root, ".test-results"), { recursive: true });
  fs.writeFileSync(
    path.join(root, ".test-results", "e2e-runtime.json"),
    JSON.stringify({ mqtt: { host: brokerUrl.hostname, port: Number(brokerUrl.port || 1883) }, device: { id: device.id, token: device.token, systemCode: "NBG-01" } }),
  );

  const stop = async (code: number) => {
    worker.kill("SIGTERM");
    app.kill("SIGTERM");
    await cleanup();
    process.exit(code);
  };
  app.on("exit", (code) => void stop(code ?? 1));
  process.on("SIGTERM", () => void stop(0));
  process.on("SIGINT", () => void stop(0));
}

main().catch(async (err: unknown) => {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  await cleanup();
  process.exit(1);
});
