/**
 * The live feed's fan-out in a web server process: one PostgreSQL connection LISTENs on
 * `ecomate_readings` (batches being stored, from any ingest process) and `ecomate_alerts` (alert changes,
 * from the alert engine or any web process) and hands each event to the browsers of this process that
 * may see it (same organisation; readings only for the systems a page asked for).
 */
import pg from "pg";
import type { LiveAlertEvent, LiveReading, LiveReadingsEvent } from "@/lib/live-events";
import { moduleLogger } from "@/server/logger";
import { ALERTS_CHANNEL, type AlertEvent } from "@/server/telemetry/alerts/lifecycle";
import { decodeSummaries, READINGS_CHANNEL, type SeriesSummary } from "@/server/telemetry/live-publisher";

export interface LiveSubscriber {
  organizationId: string;
  /** system ids whose readings this page wants; null: none (alerts only) */
  systems: Set<string> | null;
  readings(event: LiveReadingsEvent): void;
  alert(event: LiveAlertEvent): void;
}

interface SeriesInfo {
  organizationId: string;
  systemId: string;
  systemCode: string;
  component: string | null;
  metric: string;
}

export class LiveHub {
  private readonly subscribers = new Set<LiveSubscriber>();
  private readonly series = new Map<number, SeriesInfo>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly log = moduleLogger("live-hub");

  constructor(
    private readonly pool: pg.Pool,
    private readonly databaseUrl: string,
  ) {}

  /** Adds a subscriber; resolves once the hub listens, so nothing committed after this is missed. */
  async subscribe(sub: LiveSubscriber): Promise<() => void> {
    this.subscribers.add(sub);
    await this.ensureListening();
    return () => {
      this.subscribers.delete(sub);
    };
  }

  get size(): number {
    return this.subscribers.size;
  }

  private ensureListening(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.listen().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "ecomate-live-hub" });
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners();
      client.on("error", () => undefined);
      client.end().catch(() => undefined);
      this.log.warn({ why }, "live feed connection lost; reconnecting");
      if (!this.stopped && this.subscribers.size) this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        void this.ensureListening().catch(() => undefined);
      }, 2_000);
    };
    client.on("error", (err) => lost(err.message));
    client.on("end", () => lost("closed"));
    client.on("notification", (n) => {
      if (!n.payload) return;
      if (n.channel === READINGS_CHANNEL) void this.onReadings(decodeSummaries(n.payload));
      else if (n.channel === ALERTS_CHANNEL) this.onAlert(n.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${READINGS_CHANNEL}; LISTEN ${ALERTS_CHANNEL}`);
    this.client = client;
  }

  private async describe(ids: number[]): Promise<void> {
    const missing = ids.filter((id) => !this.series.has(id));
    if (!missing.length) return;
    const { rows } = await this.pool.query<{ id: number; organization_id: string; system_id: string; code: string; component: string | null; metric: string }>(
      `SELECT s.id, y.organization_id, s.system_id, y.code, c.code AS component, m.key AS metric
         FROM series s JOIN "system" y ON y.id = s.system_id JOIN metric m ON m.id = s.metric_id
         LEFT JOIN component c ON c.id = s.component_id
        WHERE s.id = ANY($1::int[])`,
      [missing],
    );
    for (const r of rows) this.series.set(r.id, { organizationId: r.organization_id, systemId: r.system_id, systemCode: r.code, component: r.component, metric: r.metric });
  }

  private async onReadings(summaries: SeriesSummary[]): Promise<void> {
    if (!this.subscribers.size || !summaries.length) return;
    try {
      await this.describe(summaries.map((s) => s.seriesId));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "could not look up series for the live feed");
      return;
    }
    const bySystem = new Map<string, { info: SeriesInfo; readings: LiveReading[] }>();
    for (const s of summaries) {
      const info = this.series.get(s.seriesId);
      if (!info) continue;
      let group = bySystem.get(info.systemId);
      if (!group) bySystem.set(info.systemId, (group = { info, readings: [] }));
      group.readings.push({ seriesId: s.seriesId, component: info.component, metric: info.metric, ts: s.ts, value: s.last, min: s.min, max: s.max, count: s.count });
    }
    for (const sub of this.subscribers) {
      if (!sub.systems) continue;
      for (const [systemId, group] of bySystem) {
        if (group.info.organizationId !== sub.organizationId || !sub.systems.has(systemId)) continue;
        sub.readings({ systemId, systemCode: group.info.systemCode, readings: group.readings });
      }
    }
  }

  private onAlert(payload: string): void {
    let event: AlertEvent;
    try {
      event = JSON.parse(payload) as AlertEvent;
    } catch {
      return;
    }
    const { organizationId, ...live } = event;
    for (const sub of this.subscribers) if (sub.organizationId === organizationId) sub.alert(live);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    c?.removeAllListeners();
    await c?.end().catch(() => undefined);
  }
}

const g = globalThis as unknown as { __ecomateLiveHub?: LiveHub };

/** The live hub of this process (one LISTEN connection however many browsers are connected). */
export function getLiveHub(pool: pg.Pool, databaseUrl: string): LiveHub {
  g.__ecomateLiveHub ??= new LiveHub(pool, databaseUrl);
  return g.__ecomateLiveHub;
}
