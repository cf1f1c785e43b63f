import pg from "pg";
import { hashDeviceToken } from "@/server/devices/device-token";
import { DEVICE_CHANGED_CHANNEL } from "@/server/devices/manage-devices";
import type { IngestCatalogue } from "@/server/telemetry/ingest-contract";
import { moduleLogger } from "@/server/logger";

export interface DeviceIdentity {
  deviceId: string;
  systemId: string;
  organizationId: string;
}

interface MetricEntry {
  id: number;
  min: number;
  max: number;
  rawRetentionDays: number;
  kind: string;
  unit: string;
}

/** Other processes announce component or metric changes on this channel; caches reload. */
export const CATALOGUE_CHANGED_CHANNEL = "ecomate_catalogue_changed";

const DEVICE_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 5_000;
const CATALOGUE_TTL_MS = 60_000;

/**
 * What the ingest hot path looks up per request, cached in memory: device credentials (by token hash
 * and by id), the metric catalogue and each system's components. A LISTEN connection drops the caches
 * when a device or the catalogue changes in any process, so a created, rotated or revoked device takes
 * effect at once; TTLs bound staleness if that connection is down.
 */
export class IngestDirectory {
  private readonly byHash = new Map<string, { identity: DeviceIdentity | null; expires: number }>();
  private readonly byId = new Map<string, { identity: DeviceIdentity | null; expires: number }>();
  private metrics: { map: Map<string, MetricEntry>; expires: number } | null = null;
  private readonly components = new Map<string, { map: Map<string, string>; expires: number }>();
  private listener: pg.Client | null = null;
  private listening = false;
  private stopped = false;
  private readonly log = moduleLogger("ingest-directory");

  constructor(private readonly pool: pg.Pool, private readonly databaseUrl: string) {}

  /** Starts listening for changes (idempotent). Without it the caches still expire by TTL. */
  async listen(): Promise<void> {
    if (this.listening || this.stopped) return;
    this.listening = true;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "ecomate-ingest-listen" });
    client.on("notification", (n) => {
      if (n.channel === DEVICE_CHANGED_CHANNEL) this.forgetDevices();
      else this.forgetCatalogue();
    });
    client.on("error", (err) => {
      this.log.warn({ err: err.message }, "change listener lost; caches fall back to short expiry");
      this.resetListener();
    });
    client.on("end", () => this.resetListener());
    try {
      await client.connect();
      await client.query(`LISTEN ${DEVICE_CHANGED_CHANNEL}; LISTEN ${CATALOGUE_CHANGED_CHANNEL}`);
      this.listener = client;
      // anything may have changed while we were not listening
      this.forgetDevices();
      this.forgetCatalogue();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "could not listen for device changes; retrying");
      this.resetListener();
    }
  }

  private resetListener(): void {
    const old = this.listener;
    this.listener = null;
    this.listening = false;
    old?.removeAllListeners();
    old?.end().catch(() => undefined);
    this.forgetDevices();
    if (!this.stopped) setTimeout(() => void this.listen(), 2_000).unref();
  }

  private ttl(ms: number): number {
    // Without a change listener, keep entries only briefly.
    return Date.now() + (this.listener ? ms : Math.min(ms, 2_000));
  }

  forgetDevices(): void {
    this.byHash.clear();
    this.byId.clear();
  }

  forgetCatalogue(): void {
    this.metrics = null;
    this.components.clear();
  }

  async close(): Promise<void> {
    this.stopped = true;
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
  }

  /** The active device holding this token, or null (unknown, revoked, or rotated away). */
  deviceByToken(token: string): Promise<DeviceIdentity | null> {
    const hash = hashDeviceToken(token);
    return this.cachedDevice(this.byHash, hash, "token_hash");
  }

  /** The active device with this id (MQTT: the broker authenticated it; the topic names it). */
  deviceById(id: string): Promise<DeviceIdentity | null> {
    return this.cachedDevice(this.byId, id, "id");
  }

  private async cachedDevice(
    cache: Map<string, { identity: DeviceIdentity | null; expires: number }>,
    key: string,
    column: "token_hash" | "id",
  ): Promise<DeviceIdentity | null> {
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.identity;
    const { rows } = await this.pool.query<{ id: string; system_id: string; organization_id: string }>(
      `SELECT id, system_id, organization_id FROM device WHERE ${column} = $1 AND revoked_at IS NULL`,
      [key],
    );
    const row = rows[0];
    const identity = row ? { deviceId: row.id, systemId: row.system_id, organizationId: row.organization_id } : null;
    cache.set(key, { identity, expires: this.ttl(identity ? DEVICE_TTL_MS : NEGATIVE_TTL_MS) });
    return identity;
  }

  /** Device credentials check for the MQTT broker: the id and token must belong together. */
  async verifyDevice(id: string, token: string): Promise<DeviceIdentity | null> {
    const identity = await this.deviceByToken(token);
    return identity && identity.deviceId === id ? identity : null;
  }

  private async metricMap(): Promise<Map<string, MetricEntry>> {
    if (this.metrics && this.metrics.expires > Date.now()) return this.metrics.map;
    const { rows } = await this.pool.query<{ id: number; key: string; min_valid: number; max_valid: number; raw_retention_days: number; kind: string; unit: string }>(
      "SELECT id, key, min_valid, max_valid, raw_retention_days, kind, unit FROM metric",
    );
    const map = new Map(
      rows.map((r) => [r.key, { id: r.id, min: r.min_valid, max: r.max_valid, rawRetentionDays: r.raw_retention_days, kind: r.kind, unit: r.unit }]),
    );
    this.metrics = { map, expires: this.ttl(CATALOGUE_TTL_MS) };
    return map;
  }

  private async componentMap(systemId: string): Promise<Map<string, string>> {
    const hit = this.components.get(systemId);
    if (hit && hit.expires > Date.now()) return hit.map;
    const { rows } = await this.pool.query<{ id: string; code: string }>(
      "SELECT id, code FROM component WHERE system_id = $1 AND status <> 'removed'",
      [systemId],
    );
    const map = new Map(rows.map((r) => [r.code, r.id]));
    this.components.set(systemId, { map, expires: this.ttl(CATALOGUE_TTL_MS) });
    return map;
  }

  /** The catalogue a device of `systemId` validates against: every metric, its system's components. */
  async catalogueFor(systemId: string): Promise<IngestCatalogue> {
    const [metrics, components] = await Promise.all([this.metricMap(), this.componentMap(systemId)]);
    return {
      metric: (key: string) => metrics.get(key),
      component: (code: string) => components.get(code),
    };
  }
}
