import { getPool } from "@/server/db";
import { parseCoreEnv, resolveDatabaseUrl } from "@/server/env/core";
import { IngestDirectory } from "@/server/telemetry/ingest-directory";
import { RateLimiter } from "@/server/telemetry/rate-limit";
import { TelemetryStore } from "@/server/telemetry/store";
import { LivePublisher } from "@/server/telemetry/live-publisher";

export interface IngestRuntime {
  directory: IngestDirectory;
  store: TelemetryStore;
  limiter: RateLimiter;
}

const g = globalThis as unknown as { __ecomateIngest?: IngestRuntime };

/** The ingest caches of this process (one per process, shared by every request). */
export function getIngestRuntime(databaseUrl?: string): IngestRuntime {
  if (!g.__ecomateIngest) {
    const pool = getPool();
    const url = databaseUrl ?? resolveDatabaseUrl(parseCoreEnv()).url;
    const directory = new IngestDirectory(pool, url);
    void directory.listen();
    const publisher = new LivePublisher(url);
    g.__ecomateIngest = { directory, store: new TelemetryStore(pool, (summaries) => publisher.publish(summaries)), limiter: new RateLimiter() };
  }
  return g.__ecomateIngest;
}
