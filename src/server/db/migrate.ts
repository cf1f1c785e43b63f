// Applies prisma/migrations/*/migration.sql with nothing but `pg` (environment.md §4).
//
// Prisma 7's migrate commands cannot run offline and the 6.19 wasm `migrate deploy` takes ≈10 s, so we
// apply migrations ourselves, recording them in `_prisma_migrations` exactly as Prisma does (same DDL,
// same sha256 checksums, same advisory lock). `prisma migrate status/deploy` therefore keep working on a
// database migrated here, and vice versa.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

/** Prisma's own migration lock key, so our migrator and `prisma migrate deploy` never run at once. */
export const MIGRATION_LOCK_KEY = 72707369;

// Verbatim from Prisma's schema engine (PostgreSQL flavour), including the missing schema qualifier.
const PRISMA_MIGRATIONS_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

export interface MigrateOptions {
  log?: (msg: string) => void;
  /** Folder holding `<name>/migration.sql`; default: prisma/migrations of the project (see below). */
  migrationsDir?: string;
}

export interface MigrationFile {
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** sha256 hex of the file's bytes: what Prisma stores in `_prisma_migrations.checksum`. */
export function migrationChecksum(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Like Prisma, a checkout that only changed line endings (git autocrlf) still matches. */
function checksumMatches(migration: MigrationFile, recorded: string): boolean {
  if (migration.checksum === recorded) return true;
  const lf = migration.sql.replace(/\r\n/g, "\n");
  return migrationChecksum(lf) === recorded || migrationChecksum(lf.replace(/\n/g, "\r\n")) === recorded;
}

function hasMigrations(dir: string): boolean {
  return existsSync(join(dir, "migration_lock.toml"));
}

/**
 * The project's prisma/migrations. This module runs under tsx (scripts, CLI), vitest and inside the Next
 * server (where the bundle lives under .next/), so: ECOMATE_MIGRATIONS_DIR, else the first
 * prisma/migrations found walking up from the working directory, else from this file.
 */
export function resolveMigrationsDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env.ECOMATE_MIGRATIONS_DIR;
  if (fromEnv) return resolve(fromEnv);
  const starts = [process.cwd()];
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // bundled: import.meta.url may not be a file: URL
  }
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, "prisma", "migrations");
      if (hasMigrations(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(
    `migrate: prisma/migrations not found from ${process.cwd()}; run from the project folder or set ECOMATE_MIGRATIONS_DIR`,
  );
}

/** The migrations on disk, in name order (Prisma's order: names start with a UTC timestamp). */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new Error(`migrate: ${migrationsDir} does not exist`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const path = join(migrationsDir, name, "migration.sql");
      if (!existsSync(path)) throw new Error(`migrate: ${join(migrationsDir, name)} has no migration.sql`);
      const bytes = readFileSync(path);
      return { name, path, sql: bytes.toString("utf8"), checksum: migrationChecksum(bytes) };
    });
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; position?: string; detail?: string };
  return [e.message, e.code && `SQLSTATE ${e.code}`, e.detail, e.position && `at character ${e.position}`]
    .filter(Boolean)
    .join("; ");
}

/**
 * Applies the pending migrations, each in its own transaction, under Prisma's advisory lock. Refuses
 * (throws, applying nothing) when an applied migration's file changed, when a failed migration is
 * recorded, or when the database has a migration that is missing on disk.
 */
export async function migrateDatabase(url: string, opts: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => undefined);
  const migrationsDir = resolveMigrationsDir(opts.migrationsDir);
  const migrations = readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: url, application_name: "ecomate-migrate" });
  await client.connect();
  try {
    // Harmless notices (e.g. "schema public already exists, skipping") would otherwise go to stderr.
    client.on("notice", () => undefined);
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      return { applied: await applyPending(client, migrations, migrationsDir, log) };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function applyPending(
  client: pg.Client,
  migrations: MigrationFile[],
  migrationsDir: string,
  log: (msg: string) => void,
): Promise<string[]> {
  // Prisma creates the table unqualified, i.e. in the first schema of the search_path; so do we.
  const exists = await client.query<{ found: string | null }>("SELECT to_regclass('_prisma_migrations')::text AS found");
  if (!exists.rows[0]?.found) await client.query(PRISMA_MIGRATIONS_DDL);

  const { rows } = await client.query<AppliedRow>(
    "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at",
  );
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    throw new Error(
      `migrate: migration ${failed.map((r) => r.migration_name).join(", ")} failed earlier and is recorded as ` +
        "unfinished in _prisma_migrations; fix the database by hand, then mark it rolled back " +
        "(UPDATE _prisma_migrations SET rolled_back_at = now() WHERE ...) or finished, and run again",
    );
  }
  // Rows with rolled_back_at set do not count as applied (Prisma's semantics): the migration runs again.
  const applied = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r]));
  const onDisk = new Map(migrations.map((m) => [m.name, m]));

  const missing = [...applied.keys()].filter((name) => !onDisk.has(name));
  if (missing.length > 0) {
    throw new Error(
      `migrate: the database has migration(s) ${missing.join(", ")} that are not in ${migrationsDir}; ` +
        "this checkout is older than the database (or a migration folder was renamed/deleted)",
    );
  }
  const edited = migrations.filter((m) => {
    const row = applied.get(m.name);
    return row !== undefined && !checksumMatches(m, row.checksum);
  });
  if (edited.length > 0) {
    throw new Error(
      `migrate: migration(s) ${edited.map((m) => m.name).join(", ")} were edited after being applied ` +
        "(checksum mismatch); restore the original file(s) and put the change in a new migration (npm run db:diff -- <name>)",
    );
  }

  const pending = migrations.filter((m) => !applied.has(m.name));
  if (pending.length === 0) {
    log("migrate: database is up to date");
    return [];
  }
  const done: string[] = [];
  for (const migration of pending) {
    const startedAt = new Date();
    await client.query("BEGIN");
    try {
      // Simple-query protocol: the file may hold many statements (and dollar-quoted function bodies).
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO _prisma_migrations
           (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
        [randomUUID(), migration.checksum, migration.name, startedAt],
      );
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw new Error(
        `migrate: ${migration.name} failed and was rolled back (nothing of it was applied): ${describeError(err)}` +
          (done.length > 0 ? `; applied before it: ${done.join(", ")}` : ""),
        { cause: err },
      );
    }
    done.push(migration.name);
    log(`migrate: applied ${migration.name} in ${Date.now() - startedAt.getTime()} ms`);
  }
  return done;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates database `name` unless it exists (connecting with `adminUrl`). Returns true when it created it. */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "ecomate-migrate" });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      // 42P04 duplicate_database: another process created it in the meantime
      if ((err as { code?: string }).code === "42P04") return false;
      throw err;
    }
  } finally {
    await client.end();
  }
}

/** Drops database `name` if it exists, disconnecting its sessions (tests and scratch databases). */
export async function dropDatabaseIfExists(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "ecomate-migrate" });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** `url` with its database name replaced by `name`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}
