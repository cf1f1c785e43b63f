import pg from "pg";
import { moduleLogger } from "@/server/logger";

/** The channel on which ingest processes announce the batches they store (src/lib/live-events.ts). */
export const READINGS_CHANNEL = "ecomate_readings";

/** What a stored batch holds for one series: the newest value and the batch's extremes. */
export interface SeriesSummary {
  seriesId: number;
  /** epoch ms of `last` */
  ts: number;
  last: number;
  min: number;
  max: number;
  count: number;
}

// NOTIFY payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7_600;
const FLUSH_MS = 10;

/** One payload: `{"r":[[seriesId, ts, last, min, max, count], ...]}`. */
export function encodeSummaries(summaries: SeriesSummary[]): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let size = 8;
  for (const s of summaries) {
    const part = JSON.stringify([s.seriesId, s.ts, s.last, s.min, s.max, s.count]);
    if (size + part.length + 1 > MAX_PAYLOAD && parts.length) {
      payloads.push(`{"r":[${parts.join(",")}]}`);
      parts = [];
      size = 8;
    }
    parts.push(part);
    size += part.length + 1;
  }
  if (parts.length) payloads.push(`{"r":[${parts.join(",")}]}`);
  return payloads;
}

export function decodeSummaries(payload: string): SeriesSummary[] {
  const parsed = JSON.parse(payload) as { r?: unknown };
  if (!Array.isArray(parsed.r)) return [];
  const out: SeriesSummary[] = [];
  for (const row of parsed.r as unknown[]) {
    if (!Array.isArray(row) || row.length !== 6 || !row.every((v) => typeof v === "number")) continue;
    const [seriesId, ts, last, min, max, count] = row as number[];
    out.push({ seriesId: seriesId!, ts: ts!, last: last!, min: min!, max: max!, count: count! });
  }
  return out;
}

/**
 * Announces the batches being stored to other processes (alert engine, live feed) with PostgreSQL
 * NOTIFY, off the request path: summaries gathered for 10 ms go out in one statement on
 * a connection of its own with synchronous_commit off (a notification needs no durable commit, and
 * NOTIFY serialises committing transactions, so it never rides on the ingest transaction). Best
 * effort: when the database is unreachable the announcement is dropped with a warning; the alert
 * engine reconciles from series_latest.
 */
export class LivePublisher {
  // in order, not merged per series: a rule's on-delay must see a dip between two excursions
  private pending: SeriesSummary[] = [];
  private timer: NodeJS.Timeout | null = null;
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly log = moduleLogger("live-publisher");

  constructor(private readonly databaseUrl: string) {}

  publish(summaries: SeriesSummary[]): void {
    if (this.stopped || summaries.length === 0) return;
    for (const s of summaries) this.pending.push(s);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, FLUSH_MS);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "ecomate-live-publisher" });
      client.on("error", () => {
        if (this.client === client) this.client = null;
      });
      try {
        await client.connect();
        await client.query("SET synchronous_commit = off");
      } catch (err) {
        client.end().catch(() => undefined);
        throw err;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      const client = await this.connection();
      await client.query(`SELECT pg_notify('${READINGS_CHANNEL}', p) FROM unnest($1::text[]) AS p`, [encodeSummaries(batch)]);
    } catch (err) {
      this.client?.end().catch(() => undefined);
      this.client = null;
      this.log.warn({ err: (err as Error).message, series: batch.length }, "could not announce committed readings");
    }
  }

  /** Sends what is pending and closes the connection. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }
    this.stopped = true;
    await this.flushing;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}
