import type pg from "pg";
import type { Logger } from "@/server/logger";
import { parseIngestRequest } from "@/server/telemetry/ingest-contract";
import type { IngestDirectory } from "@/server/telemetry/ingest-directory";
import { isRetryableDbError, StorageUnavailableError, type StoreReading, type TelemetryStore } from "@/server/telemetry/store";
import { recordDeadLetter } from "@/server/telemetry/dead-letter";
import { countDuplicates, countIngested, countRejected, observeBatch } from "@/server/ops/metrics";

export interface MqttIngestOptions {
  pool: pg.Pool;
  directory: IngestDirectory;
  store: TelemetryStore;
  log: Logger;
  /** Publishes on the device's errors topic (QoS 1). */
  publish(topic: string, payload: string): Promise<void>;
  /** Flush a batch at this many readings… */
  maxBatchReadings?: number;
  /** …or this long after its first message. */
  maxBatchDelayMs?: number;
  /** batches committing at once (default 4) */
  maxBatchesInFlight?: number;
  now?: () => number;
}

interface Pending {
  msg: { deviceId: string; topic: string; payload: Buffer };
  systemId: string;
  readings: StoreReading[];
  resolve: () => void;
}

export const errorsTopic = (deviceId: string) => `ecomate/v1/${deviceId}/errors`;

/**
 * MQTT telemetry ingest. `handle` resolves only once the message's readings are committed (or the
 * message is rejected and kept as a dead letter), and the worker sends the PUBACK after that: with
 * QoS 1 and a persistent session, nothing accepted is lost. Messages arriving together (several
 * connections, or a shared subscription) are stored in one transaction. While the database is
 * unavailable, batches are retried with backoff and not acknowledged.
 */
export class MqttIngest {
  private batch: Pending[] = [];
  private batchReadings = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private stopped = false;
  readonly stats = { messages: 0, readings: 0, duplicates: 0, rejected: 0, batches: 0, retries: 0 };

  constructor(private readonly opts: MqttIngestOptions) {}

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async handle(msg: { deviceId: string; topic: string; payload: Buffer }): Promise<void> {
    this.stats.messages += 1;
    const now = this.opts.now?.() ?? Date.now();
    const device = await this.retrying(() => this.opts.directory.deviceById(msg.deviceId));
    if (!device) return this.reject(msg, "unknown_device", `Device ${msg.deviceId} is unknown or revoked.`);
    const catalogue = await this.retrying(() => this.opts.directory.catalogueFor(device.systemId));
    const parsed = parseIngestRequest({ body: msg.payload, contentType: "application/json", contentEncoding: null, now, catalogue });
    if (!parsed.ok) {
      const message = parsed.error?.message ?? (parsed.errors ?? []).slice(0, 20).map((e) => `#${e.index} ${e.field}: ${e.message}`).join("; ");
      return this.reject(msg, parsed.error?.code ?? "invalid_readings", message);
    }
    if (parsed.readings.length === 0) return;
    await new Promise<void>((resolve) => {
      this.batch.push({ msg, systemId: device.systemId, readings: parsed.readings, resolve });
      this.batchReadings += parsed.readings.length;
      if (this.batchReadings >= (this.opts.maxBatchReadings ?? 5_000)) this.scheduleFlush(0);
      else if (!this.timer) this.scheduleFlush(this.opts.maxBatchDelayMs ?? 5);
    });
  }

  private scheduleFlush(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushPending();
    }, delay);
  }

  /**
   * Group commit with a few batches in flight: a batch goes out when one of MAX_IN_FLIGHT slots is
   * free, and what arrives meanwhile goes into the next one. Commits of this size mostly wait for the
   * WAL flush, which PostgreSQL shares between concurrent commits; one batch at a time made messages
   * queue behind commits (seconds under 20,000 readings/s, bench:alerts). Order between batches does
   * not matter: storage is idempotent and each message is acknowledged after its own batch commits.
   */
  private flushPending(): void {
    while (this.inFlight < (this.opts.maxBatchesInFlight ?? 4) && this.batch.length > 0) {
      const batch = this.batch;
      this.batch = [];
      this.batchReadings = 0;
      this.inFlight++;
      void this.flush(batch)
        .catch((err: unknown) => this.opts.log.error({ err }, "telemetry batch failed"))
        .finally(() => {
          this.inFlight--;
          this.flushPending();
        });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    const groups = new Map<string, StoreReading[]>();
    for (const p of batch) {
      const list = groups.get(p.systemId);
      if (list) for (const r of p.readings) list.push(r);
      else groups.set(p.systemId, [...p.readings]);
    }
    try {
      const started = performance.now();
      const result = await this.retrying(() => this.opts.store.storeBatch([...groups].map(([systemId, readings]) => ({ systemId, readings }))));
      observeBatch("mqtt", (performance.now() - started) / 1000, result.accepted + result.duplicates);
      this.count(result);
      for (const p of batch) p.resolve();
    } catch (err) {
      // Not an outage: something in this batch cannot be stored. Store message by message, so one bad
      // message becomes a dead letter instead of blocking the others.
      this.opts.log.error({ err, messages: batch.length }, "storing a batch failed; retrying message by message");
      for (const p of batch) {
        try {
          this.count(await this.retrying(() => this.opts.store.store(p.systemId, p.readings)));
        } catch (one) {
          await this.reject(p.msg, "store_failed", `The readings could not be stored: ${(one as Error).message}`);
        }
        p.resolve();
      }
    }
  }

  private count(result: { accepted: number; duplicates: number }): void {
    countIngested("mqtt", result.accepted);
    if (result.duplicates) countDuplicates("mqtt", result.duplicates);
    this.stats.batches += 1;
    this.stats.readings += result.accepted;
    this.stats.duplicates += result.duplicates;
  }

  /** Runs `fn`, retrying with backoff while storage is unavailable; never settles once stopped (no ack). */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    let delay = 500;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof StorageUnavailableError) && !isRetryableDbError(err)) throw err;
        if (this.stopped) return new Promise<T>(() => undefined); // never acknowledge
        this.stats.retries += 1;
        this.opts.log.warn({ err: (err as Error).message, retryInMs: delay }, "storage unavailable; holding messages unacknowledged");
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async reject(msg: { deviceId: string; topic: string; payload: Buffer }, code: string, message: string): Promise<void> {
    this.stats.rejected += 1;
    countRejected("mqtt", code);
    const stored = await recordDeadLetter(this.opts.pool, { deviceId: msg.deviceId, transport: "mqtt", topic: msg.topic, code, reason: message, payload: msg.payload });
    if (!stored) this.opts.log.error({ deviceId: msg.deviceId, code }, "could not record a dead letter");
    const body = JSON.stringify({
      ts: new Date().toISOString(),
      error: { code, message },
      payload: msg.payload.subarray(0, 1024).toString("utf8"),
    });
    // Not awaited: the worker's MQTT client handles incoming packets one at a time, so waiting here
    // for the broker's PUBACK of this publish (an incoming packet) would deadlock the connection.
    void this.opts.publish(errorsTopic(msg.deviceId), body).catch((err: unknown) =>
      this.opts.log.warn({ err: (err as Error).message, deviceId: msg.deviceId }, "could not publish to the errors topic"),
    );
  }
}
