// The migrator and the initial migration against real PostgreSQL, in scratch databases of their own.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists, migrateDatabase } from "@/server/db/migrate";
import { diffSchemas } from "../../scripts/db-diff.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const migrationsDir = join(root, "prisma", "migrations");
// global-setup exports the admin URL; DATABASE_URL (its test database) also works for CREATE DATABASE
const adminUrl =
  process.env.ECOMATE_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
const dbName = `ecomate_test_migrate_${suffix}`;
const prismaDbName = `ecomate_test_prisma_${suffix}`;
const url = databaseUrl(adminUrl, dbName);

const migrationNames = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** Table names of every model in schema.prisma (their @@map). */
function modelTables(): string[] {
  const text = readFileSync(join(root, "prisma", "schema.prisma"), "utf8");
  return [...text.matchAll(/^model \w+ \{[\s\S]*?^\}/gm)].map((m) => {
    const mapped = /@@map\("([^"]+)"\)/.exec(m[0]);
    if (!mapped?.[1]) throw new Error(`model without @@map: ${m[0].slice(0, 40)}`);
    return mapped[1];
  });
}

async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function partitionsOf(c: pg.Client, table: string): Promise<string[]> {
  const { rows } = await c.query<{ relname: string }>(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1",
    [table],
  );
  return rows.map((r) => r.relname);
}

describe("migrateDatabase", () => {
  let client: pg.Client;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "ecomate-migrate-"));
    expect(await createDatabaseIfMissing(adminUrl, dbName)).toBe(true);
    expect(await createDatabaseIfMissing(adminUrl, dbName)).toBe(false);
  });

  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await dropDatabaseIfExists(adminUrl, dbName);
    await dropDatabaseIfExists(adminUrl, prismaDbName);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("migrates a fresh database once, even when two migrators race", async () => {
    const started = performance.now();
    const [a, b] = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    const ms = performance.now() - started;
    expect([...a.applied, ...b.applied]).toEqual(migrationNames);
    expect(ms).toBeLessThan(10_000);
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });

  it("creates every model's table", async () => {
    const { rows } = await client.query<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition",
    );
    const tables = rows.map((r) => r.relname);
    for (const table of modelTables()) expect(tables).toContain(table);
    expect(tables).toContain("_prisma_migrations");
  });

  it("records each migration like Prisma: sha256 of the file, finished, one step", async () => {
    const { rows } = await client.query(
      "SELECT id, migration_name, checksum, finished_at, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const row of rows) {
      const sha = execFileSync("sha256sum", [join(migrationsDir, row.migration_name, "migration.sql")], { encoding: "utf8" }).split(" ")[0];
      expect(row.checksum).toBe(sha);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("partitions the telemetry tables by range of time, with no default partition", async () => {
    const { rows } = await client.query<{ table: string; strategy: string; key: string; defpart: number }>(
      `SELECT p.partrelid::regclass::text AS table, p.partstrat AS strategy, a.attname AS key, p.partdefid::int AS defpart
         FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
        ORDER BY 1`,
    );
    expect(rows).toEqual([
      { table: "telemetry_compact", strategy: "r", key: "bucket", defpart: 0 },
      { table: "telemetry_reading", strategy: "r", key: "ts", defpart: 0 },
      { table: "telemetry_rollup_1h", strategy: "r", key: "bucket", defpart: 0 },
      { table: "telemetry_rollup_1m", strategy: "r", key: "bucket", defpart: 0 },
    ]);
    // migrations are deterministic: no partition exists until the app asks for one
    expect(await partitionsOf(client, "telemetry_reading")).toEqual([]);
  });

  it("ecomate_ensure_partitions creates UTC-aligned partitions idempotently", async () => {
    await client.query("SET TimeZone = 'Pacific/Auckland'"); // bounds must not depend on the session zone
    const ensure = async (table: string, from: string, to: string) =>
      (await client.query<{ n: number }>("SELECT ecomate_ensure_partitions($1, $2, $3) AS n", [table, from, to])).rows[0]?.n;

    expect(await ensure("telemetry_reading", "2026-11-20T00:00:00Z", "2026-12-10T00:00:00Z")).toBe(4);
    expect(await ensure("telemetry_reading", "2026-11-20T00:00:00Z", "2026-12-10T00:00:00Z")).toBe(0);
    expect(await ensure("telemetry_reading", "2026-11-30T00:00:00Z", "2026-12-20T00:00:00Z")).toBe(1);
    expect(await partitionsOf(client, "telemetry_reading")).toEqual([
      "telemetry_reading_p20261116",
      "telemetry_reading_p20261123",
      "telemetry_reading_p20261130",
      "telemetry_reading_p20261207",
      "telemetry_reading_p20261214",
    ]);
    await client.query("SET TimeZone = 'UTC'");
    const boundUtc = await client.query<{ b: string }>(
      "SELECT pg_get_expr(relpartbound, oid) AS b FROM pg_class WHERE relname = 'telemetry_reading_p20261123'",
    );
    expect(boundUtc.rows[0]?.b).toBe("FOR VALUES FROM ('2026-11-23 00:00:00+00') TO ('2026-11-30 00:00:00+00')");

    expect(await ensure("telemetry_rollup_1m", "2026-02-15T00:00:00Z", "2026-04-01T00:00:00Z")).toBe(3);
    expect(await partitionsOf(client, "telemetry_rollup_1m")).toEqual([
      "telemetry_rollup_1m_p20260201",
      "telemetry_rollup_1m_p20260301",
      "telemetry_rollup_1m_p20260401",
    ]);
    expect(await ensure("telemetry_rollup_1h", "2026-06-01T00:00:00Z", "2027-01-01T00:00:00Z")).toBe(2);
    expect(await partitionsOf(client, "telemetry_rollup_1h")).toEqual(["telemetry_rollup_1h_p20260101", "telemetry_rollup_1h_p20270101"]);

    await expect(ensure("series", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")).rejects.toThrow(/not a partitioned telemetry table/);
    await expect(ensure("telemetry_reading", "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z")).rejects.toThrow(/invalid range/);
  });

  it("ecomate_ensure_partitions is safe when called concurrently", async () => {
    const calls = await Promise.all(
      [0, 1, 2].map(() =>
        withClient(url, async (c) => {
          const { rows } = await c.query<{ n: number }>(
            "SELECT ecomate_ensure_partitions('telemetry_reading', '2031-01-01T00:00:00Z', '2031-03-01T00:00:00Z') AS n",
          );
          return rows[0]?.n ?? -1;
        }),
      ),
    );
    expect(calls.reduce((a, b) => a + b, 0)).toBe(9); // weeks starting 2030-12-30 .. 2031-02-24
    expect(calls.filter((n) => n === 0)).toHaveLength(2);
  });

  it("stores a reading in its partition, keeps the first value on a duplicate, refuses unpartitioned time", async () => {
    await client.query("INSERT INTO telemetry_reading (series_id, ts, value) VALUES (1, '2026-11-27T10:00:00Z', 1.5)");
    const dup = await client.query(
      "INSERT INTO telemetry_reading (series_id, ts, value) VALUES (1, '2026-11-27T10:00:00Z', 2.5) ON CONFLICT DO NOTHING",
    );
    expect(dup.rowCount).toBe(0);
    const { rows } = await client.query("SELECT tableoid::regclass::text AS part, value FROM telemetry_reading WHERE series_id = 1");
    expect(rows).toEqual([{ part: "telemetry_reading_p20261123", value: 1.5 }]);
    await expect(
      client.query("INSERT INTO telemetry_reading (series_id, ts, value) VALUES (1, '2040-01-01T00:00:00Z', 1)"),
    ).rejects.toMatchObject({ code: "23514" });
  });

  it("allows one system-level series per (system, metric): NULLS NOT DISTINCT", async () => {
    const idx = await client.query<{ nnd: boolean }>(
      "SELECT indnullsnotdistinct AS nnd FROM pg_index WHERE indexrelid = 'series_system_id_component_id_metric_id_key'::regclass",
    );
    expect(idx.rows).toEqual([{ nnd: true }]);
    await client.query(`
      INSERT INTO organization (id, slug, name) VALUES ('o1', 'o1', 'Org');
      INSERT INTO site (id, organization_id, code, name, time_zone) VALUES ('s1', 'o1', 'S1', 'Site', 'Europe/Berlin');
      INSERT INTO system_model (id, organization_id, code, manufacturer, name, rated_flow_m3h) VALUES ('m1', 'o1', 'M1', 'Acme', 'UV', 5);
      INSERT INTO system (id, organization_id, site_id, model_id, code, name, required_dose_mj_cm2) VALUES ('y1', 'o1', 's1', 'm1', 'Y-01', 'Unit', 40);
      INSERT INTO metric (id, key, name, unit, min_valid, max_valid) VALUES (1, 'flow', 'Flow', 'm3/h', 0, 100);
      INSERT INTO series (system_id, component_id, metric_id) VALUES ('y1', NULL, 1);`);
    await expect(client.query("INSERT INTO series (system_id, component_id, metric_id) VALUES ('y1', NULL, 1)")).rejects.toMatchObject({
      code: "23505",
    });
  });

  it("applies nothing when run again", async () => {
    const logs: string[] = [];
    expect(await migrateDatabase(url, { log: (m) => logs.push(m) })).toEqual({ applied: [] });
    expect(logs.join("\n")).toContain("up to date");
  });

  it("refuses an applied migration whose file was edited", async () => {
    const dir = join(tmp, "edited");
    cpSync(migrationsDir, dir, { recursive: true });
    const first = migrationNames[0] ?? "";
    appendFileSync(join(dir, first, "migration.sql"), "\n-- an afterthought\n");
    await expect(migrateDatabase(url, { migrationsDir: dir })).rejects.toThrow(/edited after being applied \(checksum mismatch\)/);
  });

  it("refuses when a migration in the database is missing on disk", async () => {
    const dir = join(tmp, "renamed");
    cpSync(migrationsDir, dir, { recursive: true });
    const first = migrationNames[0] ?? "";
    renameSync(join(dir, first), join(dir, `${first}_renamed`));
    await expect(migrateDatabase(url, { migrationsDir: dir })).rejects.toThrow(/not in .*renamed/);
  });

  it("refuses while a failed migration is recorded", async () => {
    await client.query(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (gen_random_uuid(), 'x', '29990101000000_failed', now(), 0)",
    );
    try {
      await expect(migrateDatabase(url)).rejects.toThrow(/29990101000000_failed failed earlier/);
    } finally {
      await client.query("DELETE FROM _prisma_migrations WHERE migration_name = '29990101000000_failed'");
    }
  });

  it("rolls a failing migration back entirely and records nothing", async () => {
    const dir = join(tmp, "broken");
    cpSync(migrationsDir, dir, { recursive: true });
    mkdirSync(join(dir, "29990101000000_broken"));
    writeFileSync(join(dir, "29990101000000_broken", "migration.sql"), "CREATE TABLE half_done (id int);\nSELECT 1/0;\n");
    await expect(migrateDatabase(url, { migrationsDir: dir })).rejects.toThrow(/29990101000000_broken failed and was rolled back.*division by zero/);
    const { rows } = await client.query(
      "SELECT to_regclass('half_done') AS t, (SELECT count(*)::int FROM _prisma_migrations WHERE migration_name LIKE '%broken') AS n",
    );
    expect(rows).toEqual([{ t: null, n: 0 }]);
  });

  it("has no drift: the migrations build what Prisma builds from schema.prisma, plus the hand-written parts", async () => {
    const { sql } = diffSchemas({ from: null, to: join(root, "prisma", "schema.prisma") });
    await createDatabaseIfMissing(adminUrl, prismaDbName);
    await withClient(databaseUrl(adminUrl, prismaDbName), async (c) => {
      c.on("notice", () => undefined);
      await c.query(sql);
    });
    const ours = await describeSchema(url);
    const prisma = await describeSchema(databaseUrl(adminUrl, prismaDbName));
    // The hand-written differences, and nothing else.
    const series = (s: string[]) => s.find((d) => d.includes("series_system_id_component_id_metric_id_key"));
    expect(series(ours.indexes)).toMatch(/NULLS NOT DISTINCT$/);
    expect(series(prisma.indexes)).not.toMatch(/NULLS NOT DISTINCT/);
    ours.indexes = ours.indexes.map((d) => d.replace(/ NULLS NOT DISTINCT$/, ""));
    // calibration_check: one to three finite reference readings, never null
    const refs = "calibration_check.reference_readings double precision[]";
    expect(ours.columns).toContain(`${refs} NOT NULL`);
    expect(prisma.columns).toContain(refs);
    ours.columns = ours.columns.map((d) => (d === `${refs} NOT NULL` ? refs : d));
    const checks = ours.constraints.filter((d) => /^calibration_check calibration_check_(reference_count|finite) CHECK /.test(d));
    expect(checks).toHaveLength(2);
    ours.constraints = ours.constraints.filter((d) => !checks.includes(d));
    expect(ours.functions).toEqual([
      "ecomate_ensure_partitions(p_table text, p_from timestamp with time zone, p_to timestamp with time zone)",
      "telemetry_points(p_series integer[], p_from timestamp with time zone, p_to timestamp with time zone)",
    ]);
    expect(prisma.functions).toEqual([]);
    expect(ours.partitioned).toEqual(["telemetry_compact", "telemetry_reading", "telemetry_rollup_1h", "telemetry_rollup_1m"]);
    expect(prisma.partitioned).toEqual([]);
    expect(prisma.columns.length).toBeGreaterThan(300);
    expect(prisma.indexes.length).toBeGreaterThan(60);
    expect(ours.columns).toEqual(prisma.columns);
    expect(ours.indexes).toEqual(prisma.indexes);
    expect(ours.constraints).toEqual(prisma.constraints);
    expect(ours.types).toEqual(prisma.types);
  });
});

/** The parts of a schema Prisma manages, normalised so a partitioned parent compares equal to a plain table. */
async function describeSchema(connectionString: string) {
  return withClient(connectionString, async (c) => {
    const tables = `SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                      AND NOT c.relispartition AND c.relname <> '_prisma_migrations'`;
    const list = async (sql: string) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
    return {
      columns: await list(`
        SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
               || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS x
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid IN (${tables}) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1`),
      indexes: await list(`
        SELECT replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') AS x
          FROM pg_index i WHERE i.indrelid IN (${tables}) ORDER BY 1`),
      constraints: await list(`
        SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS x
          FROM pg_constraint WHERE conrelid IN (${tables}) ORDER BY 1`),
      types: await list(`
        SELECT t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS x
          FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname ORDER BY 1`),
      functions: await list(`
        SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS x
          FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1`),
      partitioned: await list("SELECT partrelid::regclass::text AS x FROM pg_partitioned_table ORDER BY 1"),
    };
  });
}
