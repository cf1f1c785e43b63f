// The simulator process: builds the fleet from the demo devices, runs a backfill at full speed
// and/or streams live readings, batching per device over HTTP or MQTT, and writes ground-truth
// labels. Over MQTT the devices also take the platform's setpoint commands (pump_speed, uv_power)
// into the simulation and acknowledge them; HTTP has no way to reach a device, so not there.
// Kept apart from scripts/simulate.ts so that tests can drive it with their own servers.
import fs from "node:fs";
import path from "node:path";
import {
  buildSeries,
  FleetSimulator,
  resolveSystemConfig,
  samplingForRate,
  type FleetSnapshot,
  type SamplingOptions,
  type SimLabel,
  type SimReading,
  type SimSystemSpec,
} from "@/lib/sim";
import type { Logger } from "@/server/logger";
import { demoSystemSpecs } from "./demo-systems";
import { HttpSender, IngestRefusedError, IngestRejectedError } from "./http-sender";
import { MqttDevice, type PlatformError } from "./mqtt-sender";
import { answerSetpointCommand, type CommandAnswer, type SetpointCommand } from "./commands";
import { readDevicesFile, type DemoDevice, type SimulateOptions } from "./options";
import { redactMqttUrl } from "../../../src/server/env/mqtt-service";

/**
 * Live mode resumes a saved state (counters, wear, failures in progress continue): a gap of up to
 * 6 h is sent as history; up to 30 days is simulated silently (no readings, no labels); older
 * states are dropped and the fleet starts afresh.
 */
const MAX_HISTORY_GAP_MS = 6 * 3_600_000;
const MAX_RESUME_GAP_MS = 30 * 86_400_000;
const STATE_SAVE_INTERVAL_MS = 60_000;
/** Live mode: oldest queued readings are dropped beyond this (the ingest is down for long). */
const MAX_QUEUED_LIVE = 2_000_000;

export interface RunnerDeps {
  log: Logger;
  /** Aborted on SIGTERM/SIGINT. */
  signal: AbortSignal;
  now?: () => number;
  /** Progress lines (stderr). */
  progress?: (line: string, final: boolean) => void;
}

export interface RunSummary {
  generated: number;
  sent: number;
  labels: number;
  seconds: number;
}

interface Transport {
  send(deviceIndex: number, readings: SimReading[]): Promise<void>;
  /** Parallel sends allowed in total and per device (a stalled device must not starve the rest). */
  readonly window: number;
  readonly deviceWindow: number;
  /** From backfill to live: keep retrying instead of failing. */
  goLive(): void;
  close(): Promise<void>;
}

class LabelWriter {
  private readonly stream: fs.WriteStream;
  count = 0;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.stream = fs.createWriteStream(file, { flags: "a" });
  }

  write(label: SimLabel): void {
    this.count++;
    this.stream.write(`${JSON.stringify(label)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/** Per-device queues, cut into batches, sent with a bounded number in flight. */
class Dispatcher {
  readonly queues: SimReading[][];
  sent = 0;
  dropped = 0;
  fatal: Error | null = null;
  private inFlight = 0;
  private readonly deviceInFlight: number[];
  private readonly idle: (() => void)[] = [];
  private readonly disabled = new Set<number>();

  constructor(
    private readonly transport: Transport,
    private readonly devices: DemoDevice[],
    private readonly batchSize: number,
    private readonly mode: "backfill" | "live",
    private readonly log: Logger,
  ) {
    this.queues = devices.map(() => []);
    this.deviceInFlight = devices.map(() => 0);
  }

  get queued(): number {
    return this.queues.reduce((sum, q) => sum + q.length, 0);
  }

  /**
   * Sends full batches (backfill) or everything queued (live, end). With `wait`, a full window
   * blocks (backpressure for the backfill); without, the rest stays queued for the next tick.
   */
  async flush(all: boolean, wait = true): Promise<void> {
    for (let i = 0; i < this.queues.length; i++) {
      const queue = this.queues[i]!;
      while (queue.length >= this.batchSize || (all && queue.length > 0)) {
        if (this.disabled.has(i)) {
          this.dropped += queue.length;
          queue.length = 0;
          break;
        }
        const full = () => this.inFlight >= this.transport.window || this.deviceInFlight[i]! >= this.transport.deviceWindow;
        if (full() && !wait) break;
        while (full()) await new Promise<void>((resolve) => this.idle.push(resolve));
        const batch = queue.splice(0, this.batchSize);
        this.inFlight++;
        this.deviceInFlight[i]!++;
        void this.transport
          .send(i, batch)
          .then(() => {
            this.sent += batch.length;
          })
          .catch((error: unknown) => this.failed(i, batch, error))
          .finally(() => {
            this.inFlight--;
            this.deviceInFlight[i]!--;
            // Wake every waiter: each re-checks its own condition (global or per device).
            for (const wake of this.idle.splice(0)) wake();
          });
      }
    }
    if (this.mode === "live") this.trim();
  }

  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private trim(): void {
    let excess = this.queued - MAX_QUEUED_LIVE;
    if (excess <= 0) return;
    const before = this.dropped;
    for (const queue of this.queues) {
      if (excess <= 0) break;
      const n = Math.min(excess, queue.length);
      queue.splice(0, n);
      this.dropped += n;
      excess -= n;
    }
    this.log.warn({ dropped: this.dropped - before, queued: this.queued }, "ingest is not keeping up; dropped the oldest queued readings");
  }

  private failed(i: number, batch: SimReading[], error: unknown): void {
    const device = this.devices[i]!;
    this.dropped += batch.length;
    if (error instanceof IngestRejectedError) {
      this.log.error({ device: device.id, system: device.system, errors: error.errors.slice(0, 20), readings: batch.length }, "ingest rejected a batch (400); nothing of it was stored");
    } else if (error instanceof IngestRefusedError) {
      this.log.error({ device: device.id, system: device.system, status: error.status, body: error.body.slice(0, 300) }, "ingest refused the device; no more readings are sent for it");
      this.disabled.add(i);
    } else {
      this.log.error({ device: device.id, err: (error as Error).message }, "could not deliver a batch");
    }
    // A backfill must be complete: the first failure ends it (after the batches in flight).
    if (this.mode === "backfill" && !this.fatal) this.fatal = error instanceof Error ? error : new Error(String(error));
  }
}

function httpTransport(opts: SimulateOptions, devices: DemoDevice[], log: Logger): Transport {
  let lastRetryLog = 0;
  const sender = new HttpSender({
    url: opts.url,
    maxSockets: opts.concurrency,
    maxRetries: opts.backfillMs === null ? Infinity : 8,
    onRetry: (info) => {
      if (Date.now() - lastRetryLog < 5_000) return;
      lastRetryLog = Date.now();
      log.warn({ device: info.deviceId, attempt: info.attempt, delayMs: Math.round(info.delayMs), reason: info.reason, url: opts.url }, "ingest not available; retrying");
    },
  });
  return {
    window: opts.concurrency,
    deviceWindow: opts.concurrency,
    send: async (i, readings) => {
      const device = devices[i]!;
      await sender.send(device.id, device.token, readings);
    },
    goLive: () => sender.setMaxRetries(Infinity),
    close: async () => sender.close(),
  };
}

/** Decides a setpoint command for device `deviceIndex` (its system in the simulation). */
type CommandHandler = (deviceIndex: number, command: SetpointCommand) => CommandAnswer;

async function mqttTransport(opts: SimulateOptions, devices: DemoDevice[], log: Logger, signal: AbortSignal, onCommand: CommandHandler): Promise<Transport> {
  const lastLog = new Map<string, number>();
  const deviceOptions = (d: DemoDevice) => ({
    url: opts.mqttUrl!,
    deviceId: d.id,
    token: d.token,
    connectTimeoutMs: 30_000,
    signal,
    onPlatformError: (deviceId: string, e: PlatformError) =>
      log.error({ device: deviceId, code: e.error?.code, message: e.error?.message, payload: e.payload?.slice(0, 200) }, "platform rejected a telemetry message"),
    onConnectionError: (deviceId: string, error: Error) => {
      if (Date.now() - (lastLog.get(deviceId) ?? 0) < 60_000) return;
      lastLog.set(deviceId, Date.now());
      log.warn({ device: deviceId, err: error.message, url: opts.mqttUrl }, "MQTT connection problem; retrying");
    },
    onCommand: (_deviceId: string, command: SetpointCommand) => onCommand(devices.indexOf(d), command),
    onCommandError: (deviceId: string, error: Error) => log.warn({ device: deviceId, err: error.message }, "could not answer a setpoint command"),
  });
  // A backfill waits for every device to connect; live mode starts at once (mqtt.js queues QoS 1
  // publishes until the broker is reachable, and the per-device window keeps the queue short).
  const connected =
    opts.backfillMs === null
      ? devices.map((d) => MqttDevice.create(deviceOptions(d)))
      : await Promise.all(devices.map((d) => MqttDevice.connect(deviceOptions(d))));
  log.info({ devices: connected.length, url: (opts.mqttUrl ? redactMqttUrl(opts.mqttUrl) : null) }, opts.backfillMs === null ? "MQTT devices connecting" : "MQTT devices connected");
  return {
    window: 32 * devices.length,
    deviceWindow: 32,
    send: (i, readings) => connected[i]!.publish(readings),
    goLive: () => {},
    close: async () => {
      await Promise.all(connected.map((c) => c.close()));
    },
  };
}

const dryTransport: Transport = { window: 1, deviceWindow: 1, send: async () => {}, goLive: () => {}, close: async () => {} };

interface StateFile {
  version: 1;
  seed: string;
  systems: string[];
  savedAt: string;
  snapshot: FleetSnapshot;
}

function saveState(file: string, seed: string, sim: FleetSimulator): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const content: StateFile = { version: 1, seed, systems: sim.configs.map((c) => c.code), savedAt: new Date().toISOString(), snapshot: sim.snapshot() };
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(content));
  fs.renameSync(temp, file);
}

function loadState(file: string, seed: string, codes: string[], now: number): FleetSnapshot | null {
  try {
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as StateFile;
    const sameFleet = state.version === 1 && state.seed === seed && state.systems.join(",") === codes.join(",");
    const gap = now - state.snapshot.t;
    return sameFleet && gap >= 0 && gap <= MAX_RESUME_GAP_MS ? state.snapshot : null;
  } catch {
    return null; // missing or unreadable: start afresh
  }
}

/** Waits for the devices file in live mode (the demo writes it when it seeds). */
async function waitForDevices(opts: SimulateOptions, log: Logger, signal: AbortSignal): Promise<DemoDevice[] | null> {
  let warned = false;
  for (;;) {
    const devices = readDevicesFile(opts.devicesFile);
    if (devices) return devices;
    if (!opts.live || opts.backfillMs !== null) throw new Error(`no devices file at ${opts.devicesFile}; seed the demo (npm run demo) or pass --devices`);
    if (!warned) log.warn({ file: opts.devicesFile }, "no demo devices file yet; waiting for it (the demo writes it when it seeds)");
    warned = true;
    await sleep(5_000, signal);
    if (signal.aborted) return null;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k` : String(n);
}

export async function runSimulator(opts: SimulateOptions, deps: RunnerDeps): Promise<RunSummary> {
  const { log, signal } = deps;
  const now = deps.now ?? Date.now;
  const startedAt = performance.now();
  const allDevices = await waitForDevices(opts, log, signal);
  if (!allDevices) return { generated: 0, sent: 0, labels: 0, seconds: 0 };

  const catalogue = demoSystemSpecs(now());
  const chosen = opts.systems === null ? allDevices : allDevices.slice(0, opts.systems);
  const devices: DemoDevice[] = [];
  const specs: SimSystemSpec[] = [];
  for (const device of chosen) {
    const spec = catalogue.get(device.system);
    if (!spec) {
      log.warn({ device: device.id, system: device.system }, "device belongs to a system outside the demo fleet; skipped");
      continue;
    }
    devices.push(device);
    specs.push(spec);
  }
  if (devices.length === 0) throw new Error(`no demo systems to simulate in ${opts.devicesFile}`);

  // --rate sets the live sampling; a backfill always uses the natural sampling.
  const liveSampling: Partial<SamplingOptions> | undefined =
    opts.rate !== null && opts.live ? samplingForRate(specs.flatMap((s) => buildSeries(resolveSystemConfig(s))), opts.rate) : undefined;
  const codes = specs.map((s) => s.code);
  const fleetOptions = { seed: opts.seed, injectedFailuresPerMonth: opts.failureRate };
  let sim: FleetSimulator;
  if (opts.backfillMs !== null) {
    sim = new FleetSimulator(specs, { ...fleetOptions, start: now() - opts.backfillMs });
  } else {
    const snapshot = opts.stateFile ? loadState(opts.stateFile, opts.seed, codes, now()) : null;
    sim = new FleetSimulator(specs, { ...fleetOptions, start: now(), sampling: liveSampling }, snapshot ?? undefined);
    if (snapshot) {
      const gap = now() - snapshot.t;
      if (gap > MAX_HISTORY_GAP_MS) {
        log.info({ from: new Date(snapshot.t).toISOString(), gapHours: Math.round(gap / 3_600_000) }, "resuming the saved simulator state; simulating the gap without sending it");
        sim.advanceTo(now() - 60_000, { reading: () => {}, label: () => {} });
      } else {
        log.info({ from: new Date(snapshot.t).toISOString() }, "resuming the saved simulator state; sending the gap as history");
      }
    }
  }

  const labels = new LabelWriter(opts.labelsFile);
  const live = opts.live;
  let transport: Transport;
  // A command takes effect in the simulation from its next process step (the readings after it).
  const onCommand: CommandHandler = (i, command) => {
    const answer = answerSetpointCommand(command, now(), (setpoint) => sim.setSetpoint(i, setpoint.key, setpoint.value, setpoint.unit));
    const device = devices[i]!;
    const fields = { device: device.id, system: device.system, command: command.id, setpoint: command.setpoint };
    if (answer.status === "applied") log.info(fields, "setpoint command applied");
    else log.warn({ ...fields, reason: answer.message }, "setpoint command refused");
    return answer;
  };
  try {
    if (opts.dryRun) transport = dryTransport;
    else if (opts.via === "http") {
      transport = httpTransport(opts, devices, log);
      log.info("over HTTP the simulated devices take no setpoint commands: the platform sends those over MQTT (--via mqtt)");
    } else transport = await mqttTransport(opts, devices, log, signal, onCommand);
  } catch (error) {
    await labels.close();
    if (signal.aborted) return { generated: 0, sent: 0, labels: 0, seconds: (performance.now() - startedAt) / 1000 };
    throw error;
  }

  const dispatcher = new Dispatcher(transport, devices, opts.batchSize, "backfill", log);
  let generated = 0;
  const sink = opts.dryRun
    ? { reading: () => void generated++, label: (l: SimLabel) => labels.write(l) }
    : {
        reading: (i: number, r: SimReading) => {
          generated++;
          dispatcher.queues[i]!.push(r);
        },
        label: (l: SimLabel) => labels.write(l),
      };

  log.info(
    { systems: codes, via: opts.dryRun ? "none (dry run)" : opts.via, target: opts.via === "http" ? opts.url : (opts.mqttUrl ? redactMqttUrl(opts.mqttUrl) : null), backfill: opts.backfillMs, live, seed: opts.seed, labels: opts.labelsFile, nominalReadingsPerSecond: Number(sim.nominalReadingsPerSecond().toFixed(2)) },
    "simulator starting",
  );

  try {
    if (opts.backfillMs !== null && !signal.aborted) {
      const from = sim.now;
      const until = now();
      const chunk = 10 * 60_000;
      let lastProgress = 0;
      const report = (final: boolean) => {
        const elapsed = (performance.now() - startedAt) / 1000;
        const done = Math.min(1, (sim.now - from) / Math.max(1, until - from));
        deps.progress?.(
          `backfill ${new Date(sim.now).toISOString().slice(0, 16)}Z ${(done * 100).toFixed(1)}% · generated ${formatCount(generated)} · sent ${formatCount(dispatcher.sent)} · ${formatCount(Math.round((opts.dryRun ? generated : dispatcher.sent) / Math.max(elapsed, 1e-3)))} readings/s`,
          final,
        );
      };
      while (sim.now < until && !signal.aborted) {
        sim.advanceTo(Math.min(until, sim.now + chunk), sink);
        await dispatcher.flush(false);
        if (dispatcher.fatal) throw dispatcher.fatal;
        if (performance.now() - lastProgress > 1_000) {
          lastProgress = performance.now();
          report(false);
        }
      }
      await dispatcher.flush(true);
      await dispatcher.drain();
      if (dispatcher.fatal) throw dispatcher.fatal;
      report(true);
    }

    if (live && !signal.aborted) {
      transport.goLive();
      if (liveSampling) sim.setSampling(liveSampling);
      const liveDispatcher = new Dispatcher(transport, devices, opts.batchSize, "live", log);
      dispatcher.queues.forEach((q, i) => liveDispatcher.queues[i]!.push(...q.splice(0)));
      const liveSink = opts.dryRun ? sink : { reading: (i: number, r: SimReading) => void (generated++, liveDispatcher.queues[i]!.push(r)), label: sink.label };
      const tickMs = (opts.rate ?? 0) > 500 ? 200 : 1_000;
      let lastSave = now();
      let lastStats = now();
      let sentAtStats = 0;
      log.info({ readingsPerSecond: Number(sim.nominalReadingsPerSecond().toFixed(2)) }, "live mode");
      while (!signal.aborted) {
        sim.advanceTo(now(), liveSink);
        await liveDispatcher.flush(true, false);
        if (opts.stateFile && now() - lastSave >= STATE_SAVE_INTERVAL_MS) {
          saveState(opts.stateFile, opts.seed, sim);
          lastSave = now();
        }
        if (now() - lastStats >= 60_000) {
          log.info({ sent: liveDispatcher.sent, perSecond: Number(((liveDispatcher.sent - sentAtStats) / ((now() - lastStats) / 1000)).toFixed(2)), queued: liveDispatcher.queued, dropped: liveDispatcher.dropped }, "live readings");
          sentAtStats = liveDispatcher.sent;
          lastStats = now();
        }
        await sleep(tickMs, signal);
      }
      // Shutdown: what is queued goes out if the transport answers within 5 s.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([liveDispatcher.flush(true).then(() => liveDispatcher.drain()), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      if (liveDispatcher.queued > 0) log.warn({ unsent: liveDispatcher.queued }, "stopped with readings not yet delivered");
      dispatcher.sent += liveDispatcher.sent;
    }
  } finally {
    if (opts.stateFile && live && !opts.dryRun) saveState(opts.stateFile, opts.seed, sim);
    await transport.close().catch(() => {});
    await labels.close();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  return { generated, sent: dispatcher.sent, labels: labels.count, seconds };
}
