// PostgreSQL restarts during HTTP ingest. The test runs its own PostgreSQL instance (embedded, on a
// free port), not the shared one. Clients get 503 + Retry-After, never 202 for an unstored reading,
// and nothing accepted is lost.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDbState } from "../../src/server/db";
import { prepareDatabase } from "../../src/server/db/prepare";
import { createDevice } from "../../src/server/devices/manage-devices";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../src/server/infra/embedded-postgres";
import { handleIngestRequest } from "../../src/server/telemetry/http-ingest";
import { IngestDirectory } from "../../src/server/telemetry/ingest-directory";
import { RateLimiter } from "../../src/server/telemetry/rate-limit";
import { TelemetryStore } from "../../src/server/telemetry/store";

const root = path.resolve(import.meta.dirname, "../..");
const dataDir = path.join(root, ".data", `tmp-fault-${randomBytes(3).toString("hex")}`);
let handle: EmbeddedPostgresHandle | undefined;
let pool: pg.Pool | undefined;
let directory: IngestDirectory | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

afterAll(async () => {
  await directory?.close();
  await pool?.end().catch(() => undefined);
  await handle?.stop().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("fault: PostgreSQL restarts during HTTP ingest", () => {
  it("answers 503 + Retry-After while it is down, 202 only for committed readings, loses nothing", async () => {
    const port = await freePort();
    handle = await startEmbeddedPostgres({ port, dataDir });
    const url = handle.databaseUrl;
    await prepareDatabase(url);
    const setup = createDbState(url, 2);
    const org = await setup.db.organization.create({ data: { slug: `f-${Date.now()}`, name: "Fault" } });
    const site = await setup.db.site.create({ data: { organizationId: org.id, code: "F", name: "F", timeZone: "UTC" } });
    const model = await setup.db.systemModel.create({ data: { organizationId: org.id, code: "FM", manufacturer: "F", name: "F", ratedFlowM3h: 10 } });
    const system = await setup.db.treatmentSystem.create({ data: { organizationId: org.id, siteId: site.id, modelId: model.id, code: `FAULT-${Date.now()}`, name: "F", requiredDoseMjCm2: 40 } });
    const device = await createDevice(setup.db, { all: true }, { type: "cli", label: "test" }, { systemCode: system.code });
    await setup.db.$disconnect();
    await setup.pool.end();

    pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000 });
    pool.on("error", () => undefined);
    directory = new IngestDirectory(pool, url);
    await directory.listen();
    const deps = { pool, directory, store: new TelemetryStore(pool), limiter: new RateLimiter(1e6, 1e6) };

    const t0 = Date.parse("2026-11-20T00:00:00.000Z");
    const BATCHES = 60;
    const PER = 100;
    const body = (b: number) => JSON.stringify(Array.from({ length: PER }, (_, i) => ({ metric: "flow_rate", ts: t0 + (b * PER + i) * 1000, value: b + i / 1000 })));
    const send = (b: number) =>
      handleIngestRequest(
        new Request("http://localhost/api/ingest", { method: "POST", headers: { authorization: `Bearer ${device.token}`, "content-type": "application/json" }, body: body(b) }),
        deps,
      );

    const statuses = new Map<number, number>();
    let unavailable = 0;
    let restarted = false;
    for (let b = 0; b < BATCHES; b++) {
      if (b === 20) {
        // stop PostgreSQL while requests keep coming, then bring it back
        const stopping = handle.stop();
        for (let k = 0; k < 5; k++) {
          const res = await send(b);
          expect([202, 503]).toContain(res.status);
          if (res.status === 503) {
            unavailable++;
            expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
            expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        await stopping;
        for (let k = 0; k < 3; k++) {
          const res = await send(b);
          expect(res.status).toBe(503);
          unavailable++;
        }
        handle = await startEmbeddedPostgres({ port, dataDir });
        restarted = true;
      }
      // a client that honours 503: retry the same batch until it is accepted
      for (let attempt = 0; ; attempt++) {
        const res = await send(b);
        expect([202, 503]).toContain(res.status);
        if (res.status === 202) {
          statuses.set(b, 202);
          break;
        }
        unavailable++;
        expect(attempt).toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(restarted).toBe(true);
    expect(unavailable).toBeGreaterThan(0);
    expect(statuses.size).toBe(BATCHES);
    const { rows } = await pool.query("SELECT count(*)::int AS n, count(DISTINCT ts)::int AS d, sum(value) AS s FROM telemetry_reading");
    expect(rows[0].n).toBe(BATCHES * PER);
    expect(rows[0].d).toBe(BATCHES * PER);
    const rolled = await pool.query("SELECT sum(count)::int AS n FROM telemetry_rollup_1m");
    expect(rolled.rows[0].n).toBe(BATCHES * PER);
  }, 120_000);
});
