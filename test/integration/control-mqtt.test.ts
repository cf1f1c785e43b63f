// Setpoint commands over MQTT (contracts.md "MQTT"): approved commands go out on the device's
// commands topic at QoS 1, the device's acks come back on .../commands/ack and are recorded; expiry;
// several workers send a command once. Against real brokers: the embedded broker with device
// authentication and ACLs (as in the demo), and Mosquitto with the repo's config (shared
// subscription, dynamic-security ACLs). The approved commands are inserted directly: proposing and
// approving them is the control lifecycle's part.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import mqtt, { type MqttClient, type Packet } from "mqtt";
import { getPool, type Db } from "../../src/server/db";
import { createDevice } from "../../src/server/devices/manage-devices";
import { MQTT_SERVICE_USERNAME } from "../../src/server/env/mqtt-service";
import { startAuthenticatedBroker, type AuthenticatedBrokerHandle } from "../../src/server/mqtt/broker-auth";
import { withDynsec } from "../../src/server/mqtt/mosquitto-dynsec";
import { commandAckTopic } from "../../src/server/control/acks";
import { commandTopic, dispatchApprovedCommands, expireUnacknowledged } from "../../src/server/control/dispatch";
import { startWorker, type RunningWorker } from "../../src/worker/index";
import { COMMANDS_CHANNEL } from "../../src/server/control/commands";
import { DEFAULT_SAFE_RANGES } from "../../src/server/control/setpoints";
import { startMosquitto, type MosquittoHandle } from "./deploy-harness";
import { makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db: Db = testDb();
const pool = getPool();
const servicePassword = `svc-${uid()}-${uid()}`;
const actor = { type: "cli", label: "cli:control-test" } as const;
const HOUR = 3_600_000;

let broker: AuthenticatedBrokerHandle;
const workers: RunningWorker[] = [];
const devices: TestDevice[] = [];
let org: TestOrg;
let systemIds: string[];
const autonomyCalls: { db: unknown; now: unknown }[] = [];

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Received {
  topic: string;
  payload: string;
  qos: number;
}

/** A device's MQTT client logged in with its id and token, subscribed to its commands and errors. */
class TestDevice {
  readonly commands: Received[] = [];
  readonly errors: { error: { code: string; message: string }; payload: string }[] = [];
  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {}

  static async connect(url: string, device: { id: string; token: string }, protocolVersion: 4 | 5 = 4): Promise<TestDevice> {
    const client = await mqtt.connectAsync(url, { clientId: `${device.id}-${randomBytes(2).toString("hex")}`, username: device.id, password: device.token, protocolVersion, reconnectPeriod: 0 });
    const d = new TestDevice(device.id, client);
    client.on("message", (topic, payload, packet) => {
      if (topic === commandTopic(device.id)) d.commands.push({ topic, payload: payload.toString("utf8"), qos: packet.qos });
      else d.errors.push(JSON.parse(payload.toString("utf8")));
    });
    const granted = await client.subscribeAsync([commandTopic(device.id), `ecomate/v1/${device.id}/errors`], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1]);
    devices.push(d);
    return d;
  }

  ack(body: unknown): Promise<unknown> {
    return this.client.publishAsync(commandAckTopic(this.id), typeof body === "string" ? body : JSON.stringify(body), { qos: 1 });
  }

  received(commandId: string): Received[] {
    return this.commands.filter((c) => (JSON.parse(c.payload) as { id: string }).id === commandId);
  }
}

interface NewCommand {
  organizationId: string;
  systemId: string;
  deviceId: string;
  key?: string;
  value?: number;
  unit?: string;
  expiresAt?: Date;
  proposedBy?: string;
  status?: "approved" | "sent" | "proposed";
}

/** An approved command as the lifecycle leaves it, announced like the lifecycle does unless `notify` is false. */
async function approvedCommand(c: NewCommand, notify = true) {
  const command = await db.deviceCommand.create({
    data: {
      organizationId: c.organizationId,
      systemId: c.systemId,
      deviceId: c.deviceId,
      setpointKey: c.key ?? "pump_speed",
      value: c.value ?? 80,
      unit: c.unit ?? "%",
      status: c.status ?? "approved",
      proposedBy: c.proposedBy ?? "optimiser",
      approvedAt: new Date(),
      expiresAt: c.expiresAt ?? new Date(Date.now() + HOUR),
    },
  });
  if (notify) await pool.query("SELECT pg_notify($1, $2)", [COMMANDS_CHANNEL, command.id]);
  return command;
}

const command = (id: string) => db.deviceCommand.findUniqueOrThrow({ where: { id } });
const contractPayload = (c: { id: string; setpointKey: string; value: number; unit: string; expiresAt: Date }) =>
  `{"id":"${c.id}","setpoint":{"key":"${c.setpointKey}","value":${c.value},"unit":"${c.unit}"},"expiresAt":"${c.expiresAt.toISOString()}"}`;
/**
 * Both workers of the embedded broker receive every ack: once their counts agree, each has handled
 * every ack sent so far (every test waits until at least one worker recorded its acks).
 */
const settledAcks = (pair: RunningWorker[]) => waitFor("both workers to have handled every ack", () => pair[0]!.control.stats.acks === pair[1]!.control.stats.acks && pair[0]!.control.stats.acks);
const audits = (id: string, action: string) => db.auditLog.count({ where: { entityType: "device_command", entityId: id, action } });

/** Resolves on each connection's first SUBACK (telemetry and command acks in one SUBSCRIBE). */
function subscribed(worker: RunningWorker): Promise<unknown> {
  return Promise.all(
    worker.clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          const onPacket = (packet: Packet) => {
            if (packet.cmd !== "suback") return;
            client.off("packetreceive", onPacket);
            resolve();
          };
          client.on("packetreceive", onPacket);
        }),
    ),
  );
}

function controlledWorker(mqttUrl: string, organizationId: string, extra: Partial<Parameters<typeof startWorker>[0]> = {}): RunningWorker {
  const worker = startWorker({
    databaseUrl: inject("databaseUrl"),
    mqttUrl,
    clientId: `control-${randomBytes(3).toString("hex")}`,
    heartbeatMs: HOUR,
    maintenance: false,
    alerts: false,
    control: true,
    // Only the NOTIFY (and the pass when LISTEN starts) sends here: the 5 s pass would hide a missed
    // notification. Scoped: other files' data in the shared test database is not ours to send.
    controlService: { scope: { organizationId }, dispatchEveryMs: HOUR, expireEveryMs: HOUR, runAutonomy: null },
    ...extra,
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  org = await makeOrg(db, { systems: 2 });
  systemIds = (await db.treatmentSystem.findMany({ where: { organizationId: org.organizationId }, orderBy: { code: "asc" }, select: { id: true } })).map((s) => s.id);
  broker = await startAuthenticatedBroker({ port: 0, databaseUrl: inject("databaseUrl"), servicePassword });
  // Two workers on one broker (no shared subscriptions on the embedded broker): both receive every
  // ack, both are notified of every approval.
  const first = controlledWorker(broker.serviceUrl, org.organizationId, {
    controlService: {
      scope: { organizationId: org.organizationId },
      dispatchEveryMs: HOUR,
      expireEveryMs: HOUR,
      autonomyFirstRunDelayMs: 0,
      runAutonomy: async (d, now) => void autonomyCalls.push({ db: d, now }),
    },
  });
  const second = controlledWorker(broker.serviceUrl, org.organizationId);
  // listening for SUBACKs before the first CONNACK can arrive: startWorker only starts connecting
  await Promise.all([subscribed(first), subscribed(second), first.control.ready(), second.control.ready()]);
});

afterAll(async () => {
  for (const d of devices) await d.client.endAsync(true).catch(() => {});
  // together: they share this process's pool, which waits for each one's listening connection
  await Promise.all(workers.map((w) => w.stop()));
  await broker?.stop();
});

describe("setpoint commands through the embedded broker", () => {
  let gw: TestDevice;
  let other: TestDevice;
  beforeAll(async () => {
    const a = await createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! });
    const b = await createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[1]! });
    gw = await TestDevice.connect(broker.url, a);
    other = await TestDevice.connect(broker.url, b);
    // a setpoint with its validated range, as the lifecycle keeps it
    await db.setpoint.create({ data: { systemId: systemIds[0]!, key: "pump_speed", value: 90, unit: "%", minSafe: 40, maxSafe: 100, source: "manual" } });
  });

  it("sends an approved command on NOTIFY with exactly the contract's payload at QoS 1; applied updates the setpoint", async () => {
    const c = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, value: 72.5, proposedBy: "optimiser" });
    const [message] = await waitFor("the command at the device", () => gw.received(c.id).length > 0 && gw.received(c.id));
    expect(message).toEqual({ topic: `ecomate/v1/${gw.id}/commands`, payload: contractPayload(c), qos: 1 });
    expect(JSON.parse(message!.payload)).toEqual({ id: c.id, setpoint: { key: "pump_speed", value: 72.5, unit: "%" }, expiresAt: c.expiresAt.toISOString() });
    const sent = await waitFor("the sent mark", async () => ((await command(c.id)).status === "sent" ? command(c.id) : null));
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(sent.ackAt).toBeNull();

    await gw.ack({ id: c.id, status: "applied" });
    const applied = await waitFor("applied", async () => ((await command(c.id)).status === "applied" ? command(c.id) : null));
    expect(applied.ackAt).toBeInstanceOf(Date);
    expect(applied.ackAt!.getTime()).toBeGreaterThanOrEqual(sent.sentAt!.getTime());
    expect(applied.ackMessage).toBeNull();
    // the validated range stays; the value and who set it change
    expect(await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: systemIds[0]!, key: "pump_speed" } } })).toMatchObject({
      value: 72.5,
      unit: "%",
      minSafe: 40,
      maxSafe: 100,
      source: "optimiser",
    });
    expect(await audits(c.id, "command.send")).toBe(1);
    // both workers got the ack: one applied it, the other found it answered
    await waitFor("both workers' handling", async () => (await audits(c.id, "command.apply")) === 1 && workers.every((w) => w.control.stats.acks >= 1));
    expect(gw.received(c.id)).toHaveLength(1);
  });

  it("creates the setpoint a system did not have yet; a user's command is a manual one", async () => {
    const c = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, key: "uv_power", value: 60, proposedBy: org.users.manager.id });
    await waitFor("the command at the device", () => gw.received(c.id).length > 0);
    await gw.ack({ id: c.id, status: "applied", message: "lamp dimmed" });
    await waitFor("applied", async () => (await command(c.id)).status === "applied");
    expect((await command(c.id)).ackMessage).toBe("lamp dimmed");
    expect(await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: systemIds[0]!, key: "uv_power" } } })).toMatchObject({
      value: 60,
      unit: "%",
      // the lifecycle's default safe range: the system had no validated one
      minSafe: DEFAULT_SAFE_RANGES.uv_power.min,
      maxSafe: DEFAULT_SAFE_RANGES.uv_power.max,
      source: "manual",
    });
  });

  it("stores the device's reason when it rejects a command, leaving the setpoint alone", async () => {
    const c = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, value: 55 });
    await waitFor("the command at the device", () => gw.received(c.id).length > 0);
    await waitFor("the sent mark", async () => (await command(c.id)).status === "sent");
    await gw.ack({ id: c.id, status: "rejected", message: "pump in local mode: remote setpoints are locked" });
    const rejected = await waitFor("rejected", async () => ((await command(c.id)).status === "rejected" ? command(c.id) : null));
    expect(rejected.ackMessage).toBe("pump in local mode: remote setpoints are locked");
    expect(rejected.ackAt).toBeInstanceOf(Date);
    expect((await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: systemIds[0]!, key: "pump_speed" } } })).value).toBe(72.5);
  });

  it("refuses an ack for another device's command: nothing changes, the device hears why", async () => {
    const c = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, value: 66 });
    await waitFor("the sent mark", async () => (await command(c.id)).status === "sent");
    const errorsBefore = other.errors.length;
    // `other` may publish only on its own ack topic (broker ACL); it names gw's command there
    await other.ack({ id: c.id, status: "applied" });
    await waitFor("the refusal on the errors topic", () => other.errors.length > errorsBefore);
    const refusal = other.errors.at(-1)!;
    expect(refusal.error).toEqual({ code: "unknown_command", message: `Device ${other.id} has no command "${c.id}".` });
    expect(JSON.parse(refusal.payload)).toEqual({ id: c.id, status: "applied" });
    const after = await command(c.id);
    expect(after).toMatchObject({ status: "sent", ackAt: null, ackMessage: null });
    expect((await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: systemIds[0]!, key: "pump_speed" } } })).value).toBe(72.5);
    const { rows } = await pool.query(`SELECT code, topic, payload FROM ingest_dead_letter WHERE device_id = $1 ORDER BY id`, [other.id]);
    expect(rows.map((r) => r.code)).toContain("unknown_command");
    expect(rows.find((r) => r.code === "unknown_command")!.topic).toBe(commandAckTopic(other.id));
    // the owner's own answer still counts
    await gw.ack({ id: c.id, status: "applied" });
    await waitFor("applied", async () => (await command(c.id)).status === "applied");
  });

  it("ignores a duplicate ack (QoS 1 redelivery), also one that says otherwise", async () => {
    const c = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, value: 81 });
    await waitFor("the command at the device", () => gw.received(c.id).length > 0);
    await gw.ack({ id: c.id, status: "applied" });
    const first = await waitFor("applied", async () => ((await command(c.id)).status === "applied" ? command(c.id) : null));
    const setpointBefore = await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: systemIds[0]!, key: "pump_speed" } } });
    const pair = workers.slice(0, 2);
    const handled = await settledAcks(pair);
    const duplicatesBefore = pair.map((w) => w.control.stats.duplicateAcks);
    await gw.ack({ id: c.id, status: "applied" });
    await gw.ack({ id: c.id, status: "rejected", message: "changed my mind" });
    // each of the two workers handles each of the two acks, as duplicates
    await waitFor("the duplicates handled", () => pair.every((w) => w.control.stats.acks >= handled + 2));
    expect(pair.map((w, i) => w.control.stats.duplicateAcks - duplicatesBefore[i]!)).toEqual([2, 2]);
    expect(await command(c.id)).toEqual(first);
    expect(await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: systemIds[0]!, key: "pump_speed" } } })).toEqual(setpointBefore);
    expect(await audits(c.id, "command.apply")).toBe(1);
    expect(await audits(c.id, "command.reject")).toBe(0);
  });

  it("refuses a malformed ack on the device's errors topic", async () => {
    const before = gw.errors.length;
    await gw.ack("{not json");
    await gw.ack({ status: "applied" });
    await gw.ack({ id: "nope", status: "applied" });
    // two workers, three acks: each refusal comes twice
    await waitFor("the refusals", () => gw.errors.length >= before + 6);
    const codes = gw.errors.slice(before).map((e) => e.error.code);
    expect(codes.filter((c) => c === "bad_json")).toHaveLength(2);
    expect(gw.errors.slice(before).filter((e) => e.error.code === "invalid_ack").map((e) => e.error.message)).toEqual([
      '"id" is missing: name the command being answered.',
      '"id" is missing: name the command being answered.',
    ]);
    expect(gw.errors.slice(before).filter((e) => e.error.code === "unknown_command").map((e) => e.error.message)).toEqual([
      `Device ${gw.id} has no command "nope".`,
      `Device ${gw.id} has no command "nope".`,
    ]);
  });

  it("never sends an approved command that expired first; it says so", async () => {
    const expiresAt = new Date(Date.now() - 60_000);
    const c = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, value: 77, expiresAt });
    const expired = await waitFor("expired", async () => ((await command(c.id)).status === "expired" ? command(c.id) : null));
    expect(expired.ackMessage).toBe(`Never sent to device ${gw.id}; the command expired at ${expiresAt.toISOString()} before it could be sent.`);
    expect(expired.sentAt).toBeNull();
    // a later command reaches the device: anything sent before it would have arrived first
    const later = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, value: 78 });
    await waitFor("the later command", () => gw.received(later.id).length > 0);
    expect(gw.received(c.id)).toEqual([]);
  });

  it("expires a sent command nobody answered; a late answer is recorded, the status stays expired", async () => {
    const expiresAt = new Date(Date.now() + 30 * 60_000);
    const c = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[1]!, deviceId: other.id, value: 64, expiresAt });
    await waitFor("the sent mark", async () => (await command(c.id)).status === "sent");
    const scope = { organizationId: org.organizationId };
    expect(await expireUnacknowledged(db, new Date(expiresAt.getTime() - 1), { scope })).toEqual([]);
    const [expiry] = await expireUnacknowledged(db, new Date(expiresAt.getTime() + 1), { scope });
    const message = `No acknowledgement from the device before ${expiresAt.toISOString()}.`;
    expect(expiry).toEqual({ id: c.id, deviceId: other.id, organizationId: org.organizationId, was: "sent", ackMessage: message });
    expect(await command(c.id)).toMatchObject({ status: "expired", ackMessage: message, ackAt: null });
    expect(await expireUnacknowledged(db, new Date(expiresAt.getTime() + 2), { scope })).toEqual([]);

    // the device applied it after all: the status stays, the answer is kept, the setpoint says what runs
    await other.ack({ id: c.id, status: "applied", message: "was offline" });
    const late = await waitFor("the late answer", async () => ((await command(c.id)).ackAt ? command(c.id) : null));
    expect(late.status).toBe("expired");
    expect(late.ackMessage).toBe(`${message} The device answered "applied" late, at ${late.ackAt!.toISOString()}: was offline`);
    expect(await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: systemIds[1]!, key: "pump_speed" } } })).toMatchObject({ value: 64, source: "device" });
    expect(await audits(c.id, "command.late_ack")).toBe(1);
  });

  it("sends each of many commands once with two workers notified together", async () => {
    const sentBefore = workers.map((w) => w.control.stats.sent);
    const created = await db.$transaction(async (tx) => {
      const out: { id: string }[] = [];
      for (let i = 0; i < 20; i++) {
        out.push(
          await tx.deviceCommand.create({
            data: { organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, setpointKey: "pump_speed", value: 50 + i, unit: "%", status: "approved", proposedBy: "optimiser", approvedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) },
            select: { id: true },
          }),
        );
      }
      return out;
    });
    await pool.query("SELECT pg_notify($1, $2)", [COMMANDS_CHANNEL, created[0]!.id]);
    const ids = created.map((c) => c.id);
    await waitFor("every command at the device", () => ids.every((id) => gw.received(id).length > 0));
    await waitFor("every sent mark", async () => (await db.deviceCommand.count({ where: { id: { in: ids }, status: "sent" } })) === ids.length);
    // a pass of each worker now finds nothing; a command sent after them arrives after any second copy would have
    await Promise.all(workers.map((w) => w.control.dispatchNow()));
    const sentinel = await approvedCommand({ organizationId: org.organizationId, systemId: systemIds[0]!, deviceId: gw.id, value: 99 });
    await waitFor("the sentinel", () => gw.received(sentinel.id).length > 0);
    for (const id of ids) expect(gw.received(id)).toHaveLength(1);
    // the workers' counters also count what earlier tests left for them (a loaded run sends those
    // late): once-only is proven above by the device and below by the audit, per command of this test
    const sentByWorkers = workers.map((w, i) => w.control.stats.sent - sentBefore[i]!);
    expect(sentByWorkers.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(ids.length + 1);
    expect(await db.auditLog.count({ where: { entityType: "device_command", entityId: { in: ids }, action: "command.send" } })).toBe(ids.length);
  });

  it("runs the optimiser in the worker with the database and the time", async () => {
    await waitFor("an autonomy run", () => autonomyCalls.length > 0);
    expect(autonomyCalls[0]!.db).toBe(db);
    expect(autonomyCalls[0]!.now).toBeInstanceOf(Date);
  });
});

describe("dispatch passes (no broker: the publish is the test's)", () => {
  let org2: TestOrg;
  let systemId: string;
  let deviceId: string;
  beforeAll(async () => {
    // an organisation no worker serves: only these passes touch its commands
    org2 = await makeOrg(db, { systems: 1 });
    systemId = (await db.treatmentSystem.findUniqueOrThrow({ where: { code: org2.systemCodes[0]! } })).id;
    deviceId = (await createDevice(db, { all: true }, actor, { systemCode: org2.systemCodes[0]! })).id;
  });
  const scope = () => ({ organizationId: org2.organizationId });

  it("leaves a command approved when the publish fails or gets no PUBACK in time, and sends it at the next pass", async () => {
    const c = await approvedCommand({ organizationId: org2.organizationId, systemId, deviceId }, false);
    const failures: string[] = [];
    const refused = await dispatchApprovedCommands(db, () => Promise.reject(new Error("no connection to the MQTT broker")), new Date(), {
      scope: scope(),
      onPublishError: (f) => failures.push(`${f.commandId} ${f.error.message}`),
    });
    expect(refused).toEqual({ sent: [], failed: [{ id: c.id, deviceId, error: "no connection to the MQTT broker" }], expired: [] });
    expect(failures).toEqual([`${c.id} no connection to the MQTT broker`]);
    expect(await command(c.id)).toMatchObject({ status: "approved", sentAt: null });

    const silent = await dispatchApprovedCommands(db, () => new Promise<void>(() => undefined), new Date(), { scope: scope(), publishTimeoutMs: 100 });
    expect(silent.failed).toEqual([{ id: c.id, deviceId, error: `command ${c.id} to device ${deviceId}: no PUBACK from the broker within 100 ms` }]);
    expect(await command(c.id)).toMatchObject({ status: "approved", sentAt: null });

    const published: [string, string][] = [];
    const now = new Date();
    const ok = await dispatchApprovedCommands(db, async (topic, payload) => void published.push([topic, payload]), now, { scope: scope() });
    expect(published).toEqual([[`ecomate/v1/${deviceId}/commands`, contractPayload(c)]]);
    expect(ok.sent.map((s) => s.id)).toEqual([c.id]);
    expect(await command(c.id)).toMatchObject({ status: "sent", sentAt: now });
    expect((await dispatchApprovedCommands(db, async () => void published.push(["again", ""]), new Date(), { scope: scope() })).sent).toEqual([]);
    expect(published).toHaveLength(1);
  });

  it("skips a command another pass is sending, so it goes out once", async () => {
    const c = await approvedCommand({ organizationId: org2.organizationId, systemId, deviceId }, false);
    const published: string[] = [];
    let entered: () => void = () => undefined;
    const inPublish = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = dispatchApprovedCommands(
      db,
      async (_topic, payload) => {
        published.push(payload);
        entered();
        await gate;
      },
      new Date(),
      { scope: scope() },
    );
    await inPublish; // the first pass holds the row while its publish waits for the PUBACK
    const second = await dispatchApprovedCommands(db, async (_t, payload) => void published.push(payload), new Date(), { scope: scope() });
    expect(second).toEqual({ sent: [], failed: [], expired: [] });
    release();
    expect((await first).sent.map((s) => s.id)).toEqual([c.id]);
    const third = await dispatchApprovedCommands(db, async (_t, payload) => void published.push(payload), new Date(), { scope: scope() });
    expect(third.sent).toEqual([]);
    expect(published).toEqual([contractPayload(c)]);
    expect(await command(c.id)).toMatchObject({ status: "sent" });
  });

  it("does not send to a revoked device; the command expires saying so", async () => {
    const d = await createDevice(db, { all: true }, actor, { systemCode: org2.systemCodes[0]! });
    const expiresAt = new Date(Date.now() + HOUR);
    const c = await approvedCommand({ organizationId: org2.organizationId, systemId, deviceId: d.id, expiresAt }, false);
    await db.device.update({ where: { id: d.id }, data: { revokedAt: new Date() } });
    const published: string[] = [];
    expect((await dispatchApprovedCommands(db, async (_t, p) => void published.push(p), new Date(), { scope: scope() })).sent).toEqual([]);
    expect(published).toEqual([]);
    const later = await dispatchApprovedCommands(db, async (_t, p) => void published.push(p), new Date(expiresAt.getTime() + 1), { scope: scope() });
    expect(later.expired).toEqual([
      {
        id: c.id,
        deviceId: d.id,
        organizationId: org2.organizationId,
        was: "approved",
        ackMessage: `Never sent to device ${d.id}: device ${d.id} was revoked; the command expired at ${expiresAt.toISOString()} before it could be sent.`,
      },
    ]);
    expect(published).toEqual([]);
  });
});

describe("setpoint commands through Mosquitto (shared subscription, dynamic-security ACLs)", () => {
  let mosquitto: MosquittoHandle;
  let org3: TestOrg;
  let worker: RunningWorker;

  beforeAll(async () => {
    mosquitto = await startMosquitto("ecomate.conf");
    process.env.MOSQUITTO_DYNSEC_URL = mosquitto.adminUrl;
    await withDynsec(mosquitto.adminUrl, (dynsec) => dynsec.ensurePlatformUser(servicePassword));
    org3 = await makeOrg(db, { systems: 1 });
    worker = controlledWorker(`mqtt://${MQTT_SERVICE_USERNAME}:${servicePassword}@127.0.0.1:${mosquitto.port}`, org3.organizationId, { connections: 2, shared: true });
    await Promise.all([subscribed(worker), worker.control.ready()]);
  });

  afterAll(async () => {
    delete process.env.MOSQUITTO_DYNSEC_URL;
    // The workers share this process's pool (each one's stop closes it and waits for the others'
    // listening connections): all of them now, together, before this broker goes.
    for (const d of devices.splice(0)) await d.client.endAsync(true).catch(() => {});
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await mosquitto?.stop();
  });

  it("sends the command to the device and records its ack received through $share/ecomate-workers", async () => {
    const created = await createDevice(db, { all: true }, actor, { systemCode: org3.systemCodes[0]! });
    const device = await TestDevice.connect(`mqtt://127.0.0.1:${mosquitto.port}`, created, 5);
    const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org3.systemCodes[0]! } });
    const c = await approvedCommand({ organizationId: org3.organizationId, systemId: system.id, deviceId: device.id, value: 68.25 });
    const [message] = await waitFor("the command at the device", () => device.received(c.id).length > 0 && device.received(c.id));
    expect(message).toEqual({ topic: `ecomate/v1/${device.id}/commands`, payload: contractPayload(c), qos: 1 });
    await waitFor("the sent mark", async () => (await command(c.id)).status === "sent");
    await device.ack({ id: c.id, status: "applied" });
    await waitFor("applied", async () => (await command(c.id)).status === "applied");
    expect(await db.setpoint.findUniqueOrThrow({ where: { systemId_key: { systemId: system.id, key: "pump_speed" } } })).toMatchObject({ value: 68.25, source: "optimiser" });

    const r = await approvedCommand({ organizationId: org3.organizationId, systemId: system.id, deviceId: device.id, key: "uv_power", value: 20 });
    await waitFor("the second command at the device", () => device.received(r.id).length > 0);
    await waitFor("the sent mark", async () => (await command(r.id)).status === "sent");
    await device.ack({ id: r.id, status: "rejected", message: "uv_power 20 % is below the lamp's minimum of 30 %" });
    await waitFor("rejected", async () => (await command(r.id)).status === "rejected");
    expect((await command(r.id)).ackMessage).toBe("uv_power 20 % is below the lamp's minimum of 30 %");
    // the shared subscription gives each ack to one connection of the worker group
    await waitFor("both acks handled", () => worker.control.stats.acks >= 2);
    expect(worker.control.stats).toMatchObject({ acks: 2, duplicateAcks: 0, refusedAcks: 0 });
    expect(device.received(c.id)).toHaveLength(1);
  });
});
