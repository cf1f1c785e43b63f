import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { parseCoreEnv, resolveDatabaseUrl } from "@/server/env/core";

export type Db = InstanceType<typeof PrismaClient>;

interface DbState {
  url: string;
  pool: pg.Pool;
  db: Db;
}

// One pg pool per process, shared by Prisma (through the driver adapter) and by the set-based SQL of the
// telemetry hot path. Cached on globalThis so Next's dev reloads do not open a new pool per edit.
const globalForDb = globalThis as unknown as { __ecomateDb?: DbState };

export function createDbState(url: string, max = 10): DbState {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, application_name: "ecomate" });
  // A dropped connection (database restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool) }) as Db;
  return { url, pool, db };
}

function state(): DbState {
  if (!globalForDb.__ecomateDb) globalForDb.__ecomateDb = createDbState(resolveDatabaseUrl(parseCoreEnv()).url);
  return globalForDb.__ecomateDb;
}

/** Points this process at a database explicitly (the CLI after acquiring one, tests). */
export function initDb(url: string): Db {
  const current = globalForDb.__ecomateDb;
  if (current && current.url === url) return current.db;
  if (current) throw new Error("initDb: this process already uses another database");
  globalForDb.__ecomateDb = createDbState(url);
  return globalForDb.__ecomateDb.db;
}

/** The one Prisma client of this process (connects lazily, so importing this module is free). */
export function getDb(): Db {
  return state().db;
}

/** The one pg pool of this process, for set-based SQL. */
export function getPool(): pg.Pool {
  return state().pool;
}

export async function closeDb(): Promise<void> {
  const s = globalForDb.__ecomateDb;
  if (!s) return;
  globalForDb.__ecomateDb = undefined;
  await s.db.$disconnect();
  await s.pool.end();
}
