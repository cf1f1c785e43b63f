// The worker is killed (SIGKILL) while a device publishes at QoS 1, then restarted:
// every reading is stored exactly once (persistent session + ack after commit + idempotent store).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import mqtt from "mqtt";
import { getPool } from "../../src/server/db";
import { createDevice } from "../../src/server/devices/manage-devices";
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from "../../src/server/infra/embedded-broker";
import { makeOrg, testDb } from "./helpers";

const root = path.resolve(import.meta.dirname, "../..");
const db = testDb();
const pool = getPool();
const workerId = `kill-${randomBytes(3).toString("hex")}`;
// A broker of its own: a worker of another test file on a shared broker would take this device's
// messages too and store them while this worker is dead, so nothing would wait for the restart.
let broker: EmbeddedBrokerHandle;
let child: ChildProcess | undefined;
let workerLog = "";
let subscribed: Promise<void> = Promise.resolve();

function startWorkerProcess(): ChildProcess {
  // node with tsx's loader (not the tsx wrapper): one process, so SIGKILL hits the worker itself
  const p = spawn(process.execPath, ["--import", "tsx", "src/worker/index.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: inject("databaseUrl"), MQTT_URL: broker.url, WORKER_ID: workerId, WORKER_MAINTENANCE: "false", WORKER_ALERTS: "false", LOG_LEVEL: process.env.DEBUG_FAULT ? "debug" : "info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let onSubscribed: () => void = () => undefined;
  subscribed = new Promise<void>((resolve) => (onSubscribed = resolve));
  p.stderr?.on("data", (d: Buffer) => {
    if (process.env.DEBUG_FAULT) process.stderr.write(d);
    workerLog = (workerLog + d.toString()).slice(-8000); // shown when the test fails
    if (workerLog.includes('"msg":"subscribed"')) onSubscribed();
  });
  return p;
}

async function count(systemId: string): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM telemetry_reading r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1`, [systemId]);
  return rows[0].n;
}

beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
});

afterAll(async () => {
  child?.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, process.env.DEBUG_FAULT ? 3000 : 0));
  child?.kill("SIGKILL");
  await broker?.stop();
});

describe("fault: worker killed mid-stream", () => {
  it("stores every reading exactly once after a SIGKILL and restart", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } });
    const device = await createDevice(db, { all: true }, { type: "cli", label: "test" }, { systemCode: system.code });

    child = startWorkerProcess();
    // Wait until this worker's session exists: a loaded machine takes seconds to start it.
    await Promise.race([subscribed, new Promise((_, reject) => setTimeout(() => reject(new Error(`the worker did not subscribe within 60 s:\n${workerLog}`)), 60_000))]);
    const publisher = await mqtt.connectAsync(broker.url, { clientId: `pub-${workerId}`, username: device.id, password: device.token, protocolVersion: 4, clean: true });
    const topic = `ecomate/v1/${device.id}/telemetry`;
    const t0 = Date.parse("2026-11-15T00:00:00.000Z");
    const MESSAGES = 300;
    const PER = 50;
    const body = (m: number) =>
      JSON.stringify(Array.from({ length: PER }, (_, i) => ({ metric: "flow_rate", component: "pump-1", ts: t0 + (m * PER + i) * 1000, value: m / 10 + i / 1000 })));
    // (re-published until stored: before the worker's first subscription nothing is queued for it; duplicates are harmless)
    for (let i = 0; i < 60 && (await count(system.id)) < PER; i++) {
      await publisher.publishAsync(topic, body(0), { qos: 1 });
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await count(system.id)).toBe(PER);

    // publish the rest at QoS 1; kill the worker a third of the way through
    for (let m = 1; m < MESSAGES; m++) {
      await publisher.publishAsync(topic, body(m), { qos: 1 });
      if (m === Math.floor(MESSAGES / 3)) child.kill("SIGKILL");
    }
    await new Promise((r) => child!.exitCode !== null || child!.signalCode !== null ? r(null) : child!.once("exit", r));
    const whileDown = await count(system.id);
    expect(whileDown).toBeLessThan(MESSAGES * PER);

    child = startWorkerProcess();
    if (process.env.DEBUG_FAULT) console.error("restarted; stored so far", whileDown);
    // (a loaded machine may take a while to start the worker again)
    const deadline = Date.now() + 90_000;
    while ((await count(system.id)) < MESSAGES * PER && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 500)); // anything more would be a duplicate
    expect(await count(system.id), `the restarted worker's last log lines:\n${workerLog}`).toBe(MESSAGES * PER);
    const { rows } = await pool.query(
      `SELECT count(DISTINCT r.ts)::int AS distinct_ts, min(r.value) AS lo, max(r.value) AS hi FROM telemetry_reading r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1`,
      [system.id],
    );
    expect(rows[0]).toEqual({ distinct_ts: MESSAGES * PER, lo: 0, hi: (MESSAGES - 1) / 10 + (PER - 1) / 1000 });
    // rollups count each reading once as well
    const rolled = await pool.query(`SELECT sum(count)::int AS n FROM telemetry_rollup_1m r JOIN series s ON s.id = r.series_id WHERE s.system_id = $1`, [system.id]);
    expect(rolled.rows[0].n).toBe(MESSAGES * PER);
    await publisher.endAsync();
  }, 180_000);
});
