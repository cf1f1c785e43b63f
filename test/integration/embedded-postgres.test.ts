import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { findProjectRoot } from "@/server/env/core";
import {
  embeddedPostgresDir,
  embeddedPostgresLogPath,
  readLivePostmaster,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from "@/server/infra/embedded-postgres";

const tempDirs: string[] = [];
const handles: EmbeddedPostgresHandle[] = [];

/** A temp data dir inside the project's .data (the system temp dir may not suit the postgres user). */
function makeDataDir(): string {
  const base = path.join(findProjectRoot(), ".data");
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, "tmp-pg-"));
  fs.chmodSync(dir, 0o755); // traversable by the postgres user when we run as root
  tempDirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function start(port: number, dataDir: string): Promise<EmbeddedPostgresHandle> {
  const handle = await startEmbeddedPostgres({ port, dataDir });
  handles.push(handle);
  return handle;
}

afterAll(async () => {
  for (const handle of handles.reverse()) await handle.stop();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("embedded PostgreSQL", () => {
  it("keeps data across a stop and a start, and reuses a running cluster", async () => {
    const dataDir = makeDataDir();
    const port = await freePort();

    const first = await start(port, dataDir);
    expect(first.reused).toBe(false);
    expect(first.databaseUrl).toBe(`postgresql://postgres:ecomate@127.0.0.1:${port}/ecomate`);
    expect(fs.existsSync(path.join(embeddedPostgresDir(dataDir), "PG_VERSION"))).toBe(true);
    expect(fs.statSync(embeddedPostgresLogPath(dataDir)).size).toBeGreaterThan(0);

    await query(first.databaseUrl, "create table kept (id int primary key, note text)");
    await query(first.databaseUrl, "insert into kept values (1, 'survives restarts')");
    expect(await query(first.databaseUrl, "select current_database() as name")).toEqual([{ name: "ecomate" }]);

    // A second start on the same folder while it runs connects to the running cluster.
    const postmaster = readLivePostmaster(embeddedPostgresDir(dataDir));
    expect(postmaster?.port).toBe(port);
    const second = await start(port, dataDir);
    expect(second.reused).toBe(true);
    expect(second.databaseUrl).toBe(first.databaseUrl);
    await second.stop(); // a reused cluster is not ours to stop
    expect(readLivePostmaster(embeddedPostgresDir(dataDir))?.pid).toBe(postmaster?.pid);
    expect(await query(second.databaseUrl, "select 1 as one")).toEqual([{ one: 1 }]);

    await first.stop();
    expect(readLivePostmaster(embeddedPostgresDir(dataDir))).toBeNull();
    await expect(query(first.databaseUrl, "select 1")).rejects.toThrow();

    const again = await start(port, dataDir);
    expect(again.reused).toBe(false);
    expect(await query(again.databaseUrl, "select id, note from kept")).toEqual([{ id: 1, note: "survives restarts" }]);
    await again.stop();
  });

  it("refuses a port that another program holds", async () => {
    const dataDir = makeDataDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      await expect(startEmbeddedPostgres({ port, dataDir })).rejects.toThrow(
        new RegExp(`Port ${port} is already in use.*EMBEDDED_PG_PORT`),
      );
      expect(fs.existsSync(path.join(embeddedPostgresDir(dataDir), "PG_VERSION"))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
