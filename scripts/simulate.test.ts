import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SimReading } from "@/lib/sim";
import { HttpSender, IngestRefusedError, IngestRejectedError, parseRetryAfter } from "./lib/simulator/http-sender";
import { MqttDevice, telemetryTopic, errorsTopic } from "./lib/simulator/mqtt-sender";
import { parseDuration, readDemoRuntime, resolveOptions, type SimulateOptions } from "./lib/simulator/options";
import { runSimulator } from "./lib/simulator/runner";
import { answerSetpointCommand, commandAckTopic, commandsTopic, parseSetpointCommand, type CommandAnswer, type SetpointCommand } from "./lib/simulator/commands";
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from "@/server/infra/embedded-broker";

const silent = pino({ level: "silent" });

/** Polls until the condition holds (a loaded machine gets there later, never wrongly). */
async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny fake ingest endpoint: records every request; scripted responses first, then 202.

interface Recorded {
  auth: string | undefined;
  contentType: string | undefined;
  body: SimReading[];
  socket: number;
}

interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

class FakeIngest {
  readonly requests: Recorded[] = [];
  readonly script: FakeResponse[] = [];
  connections = 0;
  private readonly server: http.Server;
  url = "";

  constructor() {
    const sockets = new WeakMap<object, number>();
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SimReading[];
        this.requests.push({ auth: req.headers.authorization, contentType: req.headers["content-type"], body, socket: sockets.get(req.socket) ?? -1 });
        const next = this.script.shift() ?? { status: 202, body: { accepted: body.length, duplicates: 0 } };
        res.writeHead(next.status, { "content-type": "application/json", ...next.headers });
        res.end(JSON.stringify(next.body ?? {}));
      });
    });
    this.server.on("connection", (socket) => sockets.set(socket, ++this.connections));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const readings = (n: number): SimReading[] => Array.from({ length: n }, (_, i) => ({ metric: "flow_rate", component: "ft-1", value: i / 10, ts: 1_790_000_000_000 + i * 10_000 }));

describe("HttpSender", () => {
  let fake: FakeIngest;
  beforeAll(async () => {
    fake = await new FakeIngest().start();
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    fake.requests.length = 0;
    fake.script.length = 0;
  });

  it("posts a JSON array with the device's bearer token over one keep-alive connection", async () => {
    const sender = new HttpSender({ url: fake.url, maxSockets: 1 });
    const before = fake.connections;
    for (let k = 0; k < 3; k++) expect(await sender.send("dev-1", "tok-1", readings(5))).toEqual({ accepted: 5, duplicates: 0 });
    sender.close();
    expect(fake.requests).toHaveLength(3);
    for (const r of fake.requests) {
      expect(r.auth).toBe("Bearer tok-1");
      expect(r.contentType).toBe("application/json");
      expect(r.body).toEqual(readings(5));
    }
    expect(fake.connections - before).toBe(1);
  });

  it("retries 429 and 503, waiting as long as Retry-After says (seconds or HTTP date)", async () => {
    const waits: number[] = [];
    const sender = new HttpSender({ url: fake.url, sleep: async (ms) => void waits.push(ms) });
    fake.script.push(
      { status: 429, headers: { "retry-after": "2" }, body: { error: { code: "rate_limited", message: "slow down" } } },
      { status: 503, headers: { "retry-after": new Date(Date.now() + 30_000).toUTCString() }, body: { error: { code: "unavailable", message: "db" } } },
      { status: 503, body: { error: { code: "unavailable", message: "db" } } },
    );
    const result = await sender.send("dev-1", "tok-1", readings(3));
    sender.close();
    expect(result.accepted).toBe(3);
    expect(fake.requests).toHaveLength(4);
    expect(waits[0]).toBe(2_000);
    // An HTTP date has 1 s resolution and is read when the answer arrives: 29–30 s on an idle
    // machine; the lower bound leaves room for a loaded one.
    expect(waits[1]).toBeGreaterThan(20_000);
    expect(waits[1]).toBeLessThanOrEqual(30_000);
    expect(waits[2]).toBeGreaterThan(0); // no Retry-After: exponential backoff (3rd attempt ≈ 2 s ± 25 %)
    expect(waits[2]).toBeLessThan(3_000);
  });

  it("fails loudly on 400 with the server's errors, without retrying", async () => {
    const sender = new HttpSender({ url: fake.url, sleep: async () => {} });
    fake.script.push({ status: 400, body: { errors: [{ index: 1, field: "value", message: "outside 0 – 100" }] } });
    const error = await sender.send("dev-1", "tok-1", readings(2)).catch((e: unknown) => e);
    sender.close();
    expect(error).toBeInstanceOf(IngestRejectedError);
    expect((error as IngestRejectedError).errors).toEqual([{ index: 1, field: "value", message: "outside 0 – 100" }]);
    expect((error as Error).message).toContain("#1 value: outside 0 – 100");
    expect(fake.requests).toHaveLength(1);
  });

  it("does not retry a refused token (401)", async () => {
    const sender = new HttpSender({ url: fake.url, sleep: async () => {} });
    fake.script.push({ status: 401, body: { error: { code: "unauthorized", message: "unknown token" } } });
    await expect(sender.send("dev-1", "bad", readings(1))).rejects.toBeInstanceOf(IngestRefusedError);
    sender.close();
    expect(fake.requests).toHaveLength(1);
  });

  it("retries network errors with backoff and gives up after maxRetries", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const waits: number[] = [];
    const sender = new HttpSender({ url: `http://127.0.0.1:${port}`, maxRetries: 3, sleep: async (ms) => void waits.push(ms) });
    await expect(sender.send("dev-1", "tok", readings(1))).rejects.toThrow(/after 4 attempts/);
    sender.close();
    expect(waits).toHaveLength(3);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);
  });

  it("parses Retry-After", () => {
    expect(parseRetryAfter("5")).toBe(5_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-sim-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function devicesFile(ids: { id: string; system: string }[]): string {
  const file = path.join(tmp, `devices-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ devices: ids.map((d) => ({ ...d, token: `token-of-${d.id}`, organization: "nordwasser", mqtt: { username: d.id, topic: telemetryTopic(d.id) } })) }));
  return file;
}

function options(overrides: Partial<SimulateOptions>): SimulateOptions {
  return {
    systems: null,
    rate: null,
    via: "http",
    backfillMs: 20 * 60_000,
    live: false,
    seed: "7",
    labelsFile: path.join(tmp, `labels-${Math.random().toString(36).slice(2)}.jsonl`),
    url: "http://127.0.0.1:9",
    mqttUrl: null,
    devicesFile: "",
    stateFile: null,
    dryRun: false,
    failureRate: 0,
    batchSize: 1000,
    concurrency: 2,
    ...overrides,
  };
}

describe("runSimulator over HTTP (fake ingest)", () => {
  let fake: FakeIngest;
  beforeAll(async () => {
    fake = await new FakeIngest().start();
  });
  afterAll(() => fake.stop());

  it("backfills every generated reading in batches of at most 1,000 per device, surviving a 429", async () => {
    const file = devicesFile([
      { id: "nbg-01-gw", system: "NBG-01" },
      { id: "nai-01-gw", system: "NAI-01" },
    ]);
    fake.script.push({ status: 429, headers: { "retry-after": "0" }, body: { error: { code: "rate_limited", message: "x" } } });
    const summary = await runSimulator(options({ devicesFile: file, url: fake.url, backfillMs: 2 * 3_600_000 }), { log: silent, signal: new AbortController().signal });
    expect(summary.generated).toBeGreaterThan(4_000);
    expect(summary.sent).toBe(summary.generated);
    const accepted = fake.requests.slice(1); // the first request got the 429 and was retried
    expect(accepted.reduce((n, r) => n + r.body.length, 0)).toBe(summary.generated);
    expect(Math.max(...accepted.map((r) => r.body.length))).toBeLessThanOrEqual(1000);
    expect(new Set(accepted.map((r) => r.auth))).toEqual(new Set(["Bearer token-of-nbg-01-gw", "Bearer token-of-nai-01-gw"]));
    // NAI-01 (HX-20) reports the online UVT; NBG-01 (AQ-UV10) has no analyser.
    const uvtBy = (auth: string) => accepted.filter((r) => r.auth === auth).some((r) => r.body.some((x) => x.metric === "uvt"));
    expect(uvtBy("Bearer token-of-nai-01-gw")).toBe(true);
    expect(uvtBy("Bearer token-of-nbg-01-gw")).toBe(false);
    const now = Date.now();
    for (const r of accepted) for (const x of r.body) expect(x.ts).toBeLessThanOrEqual(now);
  });

  it("stops a backfill on a 400 and reports it", async () => {
    const file = devicesFile([{ id: "nbg-02-gw", system: "NBG-02" }]);
    fake.script.push({ status: 400, body: { errors: [{ index: 0, field: "component", message: "unknown component ft-1" }] } });
    await expect(runSimulator(options({ devicesFile: file, url: fake.url, backfillMs: 3 * 3_600_000 }), { log: silent, signal: new AbortController().signal })).rejects.toBeInstanceOf(IngestRejectedError);
  });

  it("runs live until stopped, saves its state and resumes from it", { timeout: 30_000 }, async () => {
    const file = devicesFile([{ id: "lis-01-gw", system: "LIS-01" }]);
    const stateFile = path.join(tmp, "state.json");
    const controller = new AbortController();
    const before = fake.requests.length;
    const run = runSimulator(options({ devicesFile: file, url: fake.url, backfillMs: null, live: true, rate: 50, stateFile, failureRate: 0 }), { log: silent, signal: controller.signal });
    await waitUntil(() => fake.requests.length - before >= 3 && fake.requests.slice(before).some((r) => r.body.some((x) => x.metric === "lamp_hours")));
    controller.abort();
    const summary = await run;
    expect(summary.sent).toBeGreaterThan(0);
    expect(fake.requests.length).toBeGreaterThan(before);
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as { seed: string; systems: string[] };
    expect(state).toMatchObject({ seed: "7", systems: ["LIS-01"] });

    // A restart resumes the saved state: the counters continue, no reading is sent twice.
    const firstRun = fake.requests.slice(before).flatMap((r) => r.body);
    const lastHours = firstRun.filter((r) => r.metric === "lamp_hours").at(-1)!;
    const seen = new Set(firstRun.map((r) => `${r.component}/${r.metric}/${r.ts}`));
    const mark = fake.requests.length;
    const again = new AbortController();
    const second = runSimulator(options({ devicesFile: file, url: fake.url, backfillMs: null, live: true, rate: 50, stateFile }), { log: silent, signal: again.signal });
    await waitUntil(() => fake.requests.length > mark);
    again.abort();
    await second;
    const secondRun = fake.requests.slice(mark).flatMap((r) => r.body);
    expect(secondRun.length).toBeGreaterThan(0);
    expect(secondRun.filter((r) => seen.has(`${r.component}/${r.metric}/${r.ts}`))).toEqual([]);
    const hours = secondRun.filter((r) => r.metric === "lamp_hours");
    if (hours.length > 0) expect(hours[0]!.value).toBeGreaterThanOrEqual(lastHours.value);
  });
});

describe("command line", () => {
  const environment = { env: {} as NodeJS.ProcessEnv, dataDir: "/data", runtime: null };

  it("defaults to live, all systems, HTTP to localhost:3000 without a broker", () => {
    const o = resolveOptions([], environment);
    expect(o).toMatchObject({ live: true, backfillMs: null, systems: null, via: "http", url: "http://localhost:3000", batchSize: 1000, devicesFile: "/data/demo-devices.json", labelsFile: "/data/simulator-labels.jsonl" });
  });

  it("prefers MQTT when a broker is known (env, or the running demo)", () => {
    expect(resolveOptions(["--live"], { ...environment, env: { NODE_ENV: "test", MQTT_URL: "mqtt://127.0.0.1:1884", PORT: "3100" } })).toMatchObject({ via: "mqtt", mqttUrl: "mqtt://127.0.0.1:1884", url: "http://127.0.0.1:3100", batchSize: 100 });
    expect(resolveOptions([], { ...environment, runtime: { appUrl: "http://localhost:3001", mqttUrl: "mqtt://127.0.0.1:1999" } })).toMatchObject({ via: "mqtt", url: "http://localhost:3001", mqttUrl: "mqtt://127.0.0.1:1999" });
  });

  it("parses the documented flags", () => {
    const o = resolveOptions(["--systems", "3", "--rate", "20", "--via", "http", "--backfill", "30d", "--live", "--seed", "9", "--labels", "/x/l.jsonl", "--url", "http://h:1", "--devices", "/x/d.json"], environment);
    expect(o).toMatchObject({ systems: 3, rate: 20, via: "http", backfillMs: 30 * 86_400_000, live: true, seed: "9", labelsFile: "/x/l.jsonl", url: "http://h:1", devicesFile: "/x/d.json" });
    expect(resolveOptions(["--backfill", "12h"], environment)).toMatchObject({ live: false, backfillMs: 12 * 3_600_000 });
    expect(() => resolveOptions(["--via", "carrier-pigeon"], environment)).toThrow(/mqtt or http/);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(() => parseDuration("soon")).toThrow();
  });

  it("reads runtime.json only while the demo that wrote it runs", () => {
    fs.writeFileSync(path.join(tmp, "runtime.json"), JSON.stringify({ databaseUrl: "postgres://x", mqttUrl: "mqtt://a:1", appUrl: "http://b:2", pid: 4242 }));
    expect(readDemoRuntime(tmp, () => true)).toEqual({ appUrl: "http://b:2", mqttUrl: "mqtt://a:1" });
    expect(readDemoRuntime(tmp, () => false)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// MQTT against the machine's Mosquitto (anonymous on the loopback): topic, QoS and payload.

const BROKER = process.env.SIMULATOR_TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";

async function brokerReachable(): Promise<boolean> {
  const url = new URL(BROKER);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port || 1883), url.hostname);
    socket.setTimeout(1_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

const reachable = await brokerReachable();

describe.skipIf(!reachable)(`MQTT (${BROKER})`, () => {
  const unique = `simtest-${process.pid}-${Date.now().toString(36)}`;
  let observer: mqtt.MqttClient;
  const seen: { topic: string; qos: number; body: unknown }[] = [];

  beforeAll(async () => {
    observer = await mqtt.connectAsync(BROKER, { clientId: `${unique}-observer`, protocolVersion: 4 });
    observer.on("message", (topic, payload, packet) => {
      if (topic.startsWith(`ecomate/v1/${unique}-`)) seen.push({ topic, qos: packet.qos, body: JSON.parse(payload.toString("utf8")) });
    });
    await observer.subscribeAsync("ecomate/v1/+/telemetry", { qos: 1 });
  });
  afterAll(() => observer.endAsync());

  it("publishes QoS 1 JSON arrays on ecomate/v1/{id}/telemetry and reports platform errors", async () => {
    const id = `${unique}-dev`;
    const errors: unknown[] = [];
    const device = await MqttDevice.connect({ url: BROKER, deviceId: id, token: "tok", connectTimeoutMs: 5_000, onPlatformError: (_d, e) => errors.push(e) });
    await device.publish(readings(3));
    await observer.publishAsync(errorsTopic(id), JSON.stringify({ ts: new Date().toISOString(), error: { code: "invalid_reading", message: "value out of range" }, payload: "[...]" }), { qos: 1 });
    const mine = () => seen.filter((m) => m.topic === telemetryTopic(id));
    await waitUntil(() => mine().length >= 1 && errors.length >= 1);
    await device.close();
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.qos).toBe(1);
    expect(mine()[0]!.body).toEqual(readings(3));
    // The machine's broker is shared: a running EcoMate worker may answer on the errors topic too.
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ error: { code: "invalid_reading", message: "value out of range" } })]));
  });

  it("backfills through MQTT in messages of at most 100 readings", async () => {
    const id = `${unique}-nbg`;
    const file = devicesFile([{ id, system: "NBG-03" }]);
    const summary = await runSimulator(options({ devicesFile: file, via: "mqtt", mqttUrl: BROKER, batchSize: 100, backfillMs: 30 * 60_000 }), { log: silent, signal: new AbortController().signal });
    const received = () => seen.filter((m) => m.topic === telemetryTopic(id)).reduce((n, m) => n + (m.body as unknown[]).length, 0);
    await waitUntil(() => received() >= summary.generated);
    const mine = seen.filter((m) => m.topic === telemetryTopic(id));
    expect(summary.generated).toBeGreaterThan(200);
    expect(mine.every((m) => m.qos === 1 && Array.isArray(m.body) && (m.body as unknown[]).length <= 100)).toBe(true);
    const all = mine.flatMap((m) => m.body as SimReading[]);
    expect(all).toHaveLength(summary.generated);
    for (const r of all.slice(0, 50)) {
      expect(Object.keys(r).sort()).toEqual(r.component === undefined ? ["metric", "ts", "value"] : ["component", "metric", "ts", "value"]);
      expect(typeof r.value).toBe("number");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Setpoint commands (contracts.md "MQTT"): the device side, on a broker of this file's own.

describe("setpoint commands: parsing and deciding", () => {
  const command: SetpointCommand = { id: "c1", setpoint: { key: "pump_speed", value: 70, unit: "%" }, expiresAt: "2026-11-27T10:30:00.000Z" };
  const before = Date.parse("2026-11-27T10:29:59.999Z");

  it("parses the contract's command and names what is wrong with others", () => {
    expect(parseSetpointCommand(JSON.stringify(command))).toEqual({ ok: true, command });
    expect(parseSetpointCommand("{nope")).toMatchObject({ ok: false, id: null, reason: expect.stringMatching(/^malformed command: not JSON/) });
    expect(parseSetpointCommand('{"setpoint":{}}')).toEqual({ ok: false, id: null, reason: 'malformed command: no "id"' });
    expect(parseSetpointCommand(JSON.stringify({ ...command, setpoint: { key: "pump_speed", value: "70", unit: "%" } }))).toEqual({
      ok: false,
      id: "c1",
      reason: 'malformed command: "setpoint.value" must be a finite number',
    });
    expect(parseSetpointCommand(JSON.stringify({ ...command, expiresAt: "soon" }))).toEqual({ ok: false, id: "c1", reason: 'malformed command: "expiresAt" must be an ISO-8601 time' });
  });

  it("refuses an expired command without applying it; applies or refuses by what `apply` says", () => {
    const applied: unknown[] = [];
    const apply = (sp: SetpointCommand["setpoint"]) => void applied.push(sp);
    expect(answerSetpointCommand(command, Date.parse(command.expiresAt), apply)).toEqual({
      id: "c1",
      status: "rejected",
      message: "expired: the command expired at 2026-11-27T10:30:00.000Z, it is 2026-11-27T10:30:00.000Z here",
    });
    expect(applied).toEqual([]);
    expect(answerSetpointCommand(command, before, apply)).toEqual({ id: "c1", status: "applied" });
    expect(applied).toEqual([command.setpoint]);
    expect(
      answerSetpointCommand(command, before, () => {
        throw new RangeError("pump_speed 130 % is outside the range");
      }),
    ).toEqual({ id: "c1", status: "rejected", message: "pump_speed 130 % is outside the range" });
  });
});

describe("setpoint commands over MQTT (embedded broker)", () => {
  let broker: EmbeddedBrokerHandle;
  let platform: mqtt.MqttClient;
  const acks: { topic: string; qos: number; body: CommandAnswer; at: number }[] = [];
  const telemetry: { topic: string; body: SimReading[] }[] = [];
  let clock: () => number = Date.now;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0, log: silent });
    // the platform's side: sends commands, reads acks and telemetry
    platform = await mqtt.connectAsync(broker.url, { clientId: `platform-${process.pid}`, protocolVersion: 4 });
    platform.on("message", (topic, payload, packet) => {
      const body = JSON.parse(payload.toString("utf8"));
      if (topic.endsWith("/commands/ack")) acks.push({ topic, qos: packet.qos, body, at: clock() });
      else telemetry.push({ topic, body });
    });
    await platform.subscribeAsync(["ecomate/v1/+/commands/ack", "ecomate/v1/+/telemetry"], { qos: 1 });
  });
  afterAll(async () => {
    await platform?.endAsync();
    await broker?.stop();
  });

  const send = (deviceId: string, c: SetpointCommand) => platform.publishAsync(commandsTopic(deviceId), JSON.stringify(c), { qos: 1 });
  const ackOf = (deviceId: string, id: string) => acks.filter((a) => a.topic === commandAckTopic(deviceId) && a.body.id === id);

  it("subscribes to its commands topic, answers each command on the ack topic at QoS 1, a repeated id the same way", async () => {
    const decided: string[] = [];
    const errors: string[] = [];
    const device = await MqttDevice.connect({
      url: broker.url,
      deviceId: "dev-cmd",
      token: "tok",
      connectTimeoutMs: 5_000,
      onCommand: (_id, c) => {
        decided.push(c.id);
        return c.setpoint.value > 100 ? { id: c.id, status: "rejected", message: "too fast" } : { id: c.id, status: "applied" };
      },
      onCommandError: (_id, e) => errors.push(e.message),
    });
    await device.whenSubscribed();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    await send("dev-cmd", { id: "a", setpoint: { key: "pump_speed", value: 70, unit: "%" }, expiresAt });
    await send("dev-cmd", { id: "b", setpoint: { key: "pump_speed", value: 130, unit: "%" }, expiresAt });
    await send("dev-cmd", { id: "a", setpoint: { key: "pump_speed", value: 70, unit: "%" }, expiresAt }); // redelivered
    await platform.publishAsync(commandsTopic("dev-cmd"), JSON.stringify({ id: "c", setpoint: "fast" }), { qos: 1 });
    await platform.publishAsync(commandsTopic("dev-cmd"), "garbage", { qos: 1 });
    await waitUntil(() => ackOf("dev-cmd", "a").length === 2 && ackOf("dev-cmd", "b").length === 1 && ackOf("dev-cmd", "c").length === 1 && errors.length === 1);
    await device.close();
    expect(ackOf("dev-cmd", "a").map((a) => [a.qos, a.body])).toEqual([
      [1, { id: "a", status: "applied" }],
      [1, { id: "a", status: "applied" }],
    ]);
    expect(ackOf("dev-cmd", "b")[0]!.body).toEqual({ id: "b", status: "rejected", message: "too fast" });
    expect(ackOf("dev-cmd", "c")[0]!.body).toEqual({ id: "c", status: "rejected", message: 'malformed command: "setpoint" must be an object {"key","value","unit"}' });
    expect(decided).toEqual(["a", "b"]); // the repeat was answered, not decided again
    expect(errors[0]).toMatch(/^malformed command: not JSON/);
  });

  it("a simulated unit applies pump_speed (its next readings show the speed) and refuses what it cannot take", { timeout: 60_000 }, async () => {
    const id = `sim-cmd-${process.pid}`;
    const file = devicesFile([{ id, system: "NBG-01" }]);
    // The simulated clock runs 1,200 times faster than the wall clock, so the pump starts and stops
    // within seconds; the device decides expiry on this clock too.
    const t0 = Date.now();
    const base = Date.parse("2026-06-01T00:00:00.000Z");
    clock = () => base + (Date.now() - t0) * 1_200;
    const controller = new AbortController();
    const run = runSimulator(options({ devicesFile: file, via: "mqtt", mqttUrl: broker.url, backfillMs: null, live: true, batchSize: 100 }), { log: silent, signal: controller.signal, now: clock });
    const speeds = (after: number) =>
      telemetry.filter((m) => m.topic === `ecomate/v1/${id}/telemetry`).flatMap((m) => m.body.filter((r) => r.metric === "pump_speed" && r.ts > after).map((r) => r.value));
    try {
      await waitUntil(() => speeds(0).length > 0);
      const hour = (h: number) => new Date(clock() + h * 3_600_000).toISOString();
      await send(id, { id: "speed", setpoint: { key: "pump_speed", value: 62.5, unit: "%" }, expiresAt: hour(1) });
      await send(id, { id: "too-fast", setpoint: { key: "pump_speed", value: 130, unit: "%" }, expiresAt: hour(1) });
      await send(id, { id: "pressure", setpoint: { key: "outlet_pressure", value: 2, unit: "bar" }, expiresAt: hour(1) });
      await send(id, { id: "late", setpoint: { key: "uv_power", value: 50, unit: "%" }, expiresAt: hour(-1) });
      await waitUntil(() => ["speed", "too-fast", "pressure", "late"].every((c) => ackOf(id, c).length > 0));
      expect(ackOf(id, "speed").map((a) => [a.qos, a.body])).toEqual([[1, { id: "speed", status: "applied" }]]);
      expect(ackOf(id, "too-fast")[0]!.body).toEqual({ id: "too-fast", status: "rejected", message: "pump_speed 130 % is outside the range this unit accepts (30–100 % of the pump's rated speed)" });
      expect(ackOf(id, "pressure")[0]!.body).toEqual({ id: "pressure", status: "rejected", message: 'unknown setpoint "outlet_pressure": this unit takes pump_speed and uv_power' });
      expect(ackOf(id, "late")[0]!.body).toMatchObject({ id: "late", status: "rejected", message: expect.stringMatching(/^expired: the command expired at /) });

      // Readings from one process step (10 s) after the ack on: the running pump holds 62.5 %.
      const appliedBy = ackOf(id, "speed")[0]!.at + 10_000;
      await waitUntil(() => speeds(appliedBy).filter((v) => v > 5).length >= 30, 40_000);
      const running = speeds(appliedBy).filter((v) => v > 5);
      for (const v of running) expect(Math.abs(v - 62.5)).toBeLessThanOrEqual(0.3);
      // while before the command, the unit's own control ran it at other speeds
      const own = telemetry.flatMap((m) => m.body.filter((r) => r.metric === "pump_speed" && r.ts < appliedBy - 20_000 && r.value > 5).map((r) => r.value));
      if (own.length > 0) expect(own.some((v) => Math.abs(v - 62.5) > 0.3)).toBe(true);
    } finally {
      controller.abort();
      await run;
      clock = Date.now;
    }
  });
});
