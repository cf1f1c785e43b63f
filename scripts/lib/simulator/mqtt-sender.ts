// One MQTT connection per device (contracts.md "MQTT"): username = device id, password = token;
// telemetry published with QoS 1 on ecomate/v1/{id}/telemetry; the platform's rejections arrive on
// ecomate/v1/{id}/errors and are reported. mqtt.js reconnects and re-sends unacknowledged QoS 1
// messages by itself; a bounded in-flight window keeps a backfill from queueing unboundedly.
// With `onCommand`, the device also takes setpoint commands on ecomate/v1/{id}/commands and answers
// each on .../commands/ack (commands.ts).
import mqtt, { type MqttClient } from "mqtt";
import type { SimReading } from "@/lib/sim";
import { commandAckTopic, commandsTopic, parseSetpointCommand, type CommandAnswer, type SetpointCommand } from "./commands";

export const telemetryTopic = (deviceId: string) => `ecomate/v1/${deviceId}/telemetry`;
export const errorsTopic = (deviceId: string) => `ecomate/v1/${deviceId}/errors`;

export interface PlatformError {
  ts?: string;
  error?: { code?: string; message?: string };
  payload?: string;
}

export interface MqttDeviceOptions {
  url: string;
  deviceId: string;
  token: string;
  /** Unacknowledged publishes allowed at once (default 32). */
  maxInFlight?: number;
  onPlatformError?: (deviceId: string, error: PlatformError) => void;
  onConnectionError?: (deviceId: string, error: Error) => void;
  /**
   * Takes setpoint commands: subscribes to the commands topic and publishes the returned answer on
   * the ack topic (QoS 1). A command id seen before is answered again the same way, not decided twice
   * (the platform sends at least once).
   */
  onCommand?: (deviceId: string, command: SetpointCommand) => CommandAnswer;
  /** A command message without an id (nothing to answer), or an ack that could not be published. */
  onCommandError?: (deviceId: string, error: Error) => void;
  /** Give up on the first connection after this long [ms] (default: keep trying). */
  connectTimeoutMs?: number;
  /** Stops waiting for the first connection. */
  signal?: AbortSignal;
}

/** Answers kept for repeated command ids. */
const ANSWERS_KEPT = 256;

export class MqttDevice {
  readonly deviceId: string;
  private readonly client: MqttClient;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly maxInFlight: number;
  private markSubscribed: () => void = () => undefined;
  private readonly subscribed = new Promise<void>((resolve) => (this.markSubscribed = resolve));

  private constructor(client: MqttClient, options: MqttDeviceOptions) {
    this.client = client;
    this.deviceId = options.deviceId;
    this.maxInFlight = options.maxInFlight ?? 32;
  }

  /**
   * Starts connecting (retrying while the broker is not up yet) and subscribes to the errors topic
   * on every connect. Publishing before the first connect is fine: mqtt.js queues QoS 1 messages.
   */
  static create(options: MqttDeviceOptions): MqttDevice {
    const client = mqtt.connect(options.url, {
      username: options.deviceId,
      password: options.token,
      clientId: `${options.deviceId}-sim-${process.pid}`,
      protocolVersion: 4, // MQTT 3.1.1 (the embedded broker)
      clean: true,
      keepalive: 30,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
    });
    const device = new MqttDevice(client, options);
    const answered = new Map<string, CommandAnswer>();
    const answer = (payload: Buffer) => {
      const parsed = parseSetpointCommand(payload);
      let reply: CommandAnswer;
      if (!parsed.ok) {
        if (parsed.id === null) return options.onCommandError?.(options.deviceId, new Error(parsed.reason));
        reply = { id: parsed.id, status: "rejected", message: parsed.reason };
      } else {
        reply = answered.get(parsed.command.id) ?? options.onCommand!(options.deviceId, parsed.command);
        answered.set(reply.id, reply);
        if (answered.size > ANSWERS_KEPT) answered.delete(answered.keys().next().value!);
      }
      client.publishAsync(commandAckTopic(options.deviceId), JSON.stringify(reply), { qos: 1 }).catch((error: Error) => options.onCommandError?.(options.deviceId, error));
    };
    client.on("error", (error) => options.onConnectionError?.(options.deviceId, error));
    client.on("message", (topic, payload) => {
      if (options.onCommand && topic === commandsTopic(options.deviceId)) return answer(payload);
      if (topic !== errorsTopic(options.deviceId)) return;
      let parsed: PlatformError;
      try {
        parsed = JSON.parse(payload.toString("utf8")) as PlatformError;
      } catch {
        parsed = { payload: payload.toString("utf8").slice(0, 1024) };
      }
      options.onPlatformError?.(options.deviceId, parsed);
    });
    // Resubscribe on every (re)connect: the session is clean (commands sent while away are lost; the
    // platform expires them unanswered).
    const topics = options.onCommand ? [errorsTopic(options.deviceId), commandsTopic(options.deviceId)] : errorsTopic(options.deviceId);
    client.on("connect", () => {
      client.subscribe(topics, { qos: 1 }, (error) => {
        if (error) options.onConnectionError?.(options.deviceId, error);
        else device.markSubscribed();
      });
    });
    return device;
  }

  /** create() and wait for the first connection (with an optional time limit and abort signal). */
  static async connect(options: MqttDeviceOptions): Promise<MqttDevice> {
    const device = MqttDevice.create(options);
    const client = device.client;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        client.end(true);
        reject(error);
      };
      const onAbort = () => fail(new Error(`stopped while connecting device ${options.deviceId}`));
      const timer =
        options.connectTimeoutMs === undefined
          ? undefined
          : setTimeout(() => fail(new Error(`could not connect device ${options.deviceId} to ${options.url} within ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      client.once("connect", () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      });
    });
    return device;
  }

  /** Publishes one message (QoS 1) of readings; resolves on PUBACK. Waits while the window is full. */
  async publish(readings: readonly SimReading[]): Promise<void> {
    while (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.inFlight++;
    try {
      await this.client.publishAsync(telemetryTopic(this.deviceId), JSON.stringify(readings), { qos: 1 });
    } finally {
      this.inFlight--;
      this.waiters.shift()?.();
    }
  }

  /** Resolves once the first subscription (errors, and commands with `onCommand`) is in place. */
  whenSubscribed(): Promise<void> {
    return this.subscribed;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Publishes not yet acknowledged (including those waiting for the window). */
  get pending(): number {
    return this.inFlight + this.waiters.length;
  }

  /** Waits for unacknowledged publishes (up to `timeoutMs`), then disconnects. */
  async close(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline && this.client.connected) await new Promise((r) => setTimeout(r, 50));
    await this.client.endAsync(true);
  }
}
