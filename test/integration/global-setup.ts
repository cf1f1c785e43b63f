// Integration tests talk to a real PostgreSQL and a real MQTT broker, never mocks:
// DATABASE_URL / MQTT_URL when set (CI: the machine's PostgreSQL 15 and Mosquitto), else embedded ones.
// Each run gets its own fresh database, migrated like production; each test makes its own data in it.
import path from "node:path";
import type { TestProject } from "vitest/node";
import { databaseUrl, dropDatabaseIfExists, createDatabaseIfMissing } from "../../src/server/db/migrate";
import { prepareDatabase } from "../../src/server/db/prepare";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../src/server/infra/embedded-postgres";
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from "../../src/server/infra/embedded-broker";

let pgHandle: EmbeddedPostgresHandle | undefined;
let broker: EmbeddedBrokerHandle | undefined;
let adminUrl: string | undefined;
let testDb: string | undefined;

export async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, "../..");
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    pgHandle = await startEmbeddedPostgres({ port: Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54339), dataDir: path.join(root, ".data", "test") });
    adminUrl = pgHandle.databaseUrl;
  }
  testDb = `ecomate_test_${Date.now()}_${process.pid}`;
  await createDatabaseIfMissing(adminUrl, testDb);
  const url = databaseUrl(adminUrl, testDb);
  await prepareDatabase(url);

  let mqttUrl = process.env.MQTT_URL;
  if (!mqttUrl) {
    broker = await startEmbeddedBroker({ port: Number(process.env.TEST_EMBEDDED_MQTT_PORT ?? 18849) });
    mqttUrl = broker.url;
  }
  // Workers are forked after this runs and inherit the environment.
  process.env.ECOMATE_ADMIN_DATABASE_URL = adminUrl;
  process.env.DATABASE_URL = url;
  process.env.MQTT_URL = mqttUrl;
  project.provide("databaseUrl", url);
  project.provide("mqttUrl", mqttUrl);
}

export async function teardown() {
  if (adminUrl && testDb && !process.env.KEEP_TEST_DB) await dropDatabaseIfExists(adminUrl, testDb);
  await broker?.stop();
  await pgHandle?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    mqttUrl: string;
  }
}
