// The drift test: prisma/schema.prisma must match the schema of the last migration
// (prisma/migrations/schema.snapshot.prisma). Runs the Prisma 6.19 CLI offline (≈2 s per diff), no database.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toWasmSchema } from "./wasm-schema.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = join(root, "scripts", "db-diff.mjs");
const schema = join(root, "prisma", "schema.prisma");
const snapshot = join(root, "prisma", "migrations", "schema.snapshot.prisma");
const TIMEOUT = 60_000;

function dbDiff(...args: string[]) {
  const run = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("db:diff", () => {
  let tmp: string;
  let changedSchema: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "ecomate-db-diff-"));
    const text = readFileSync(schema, "utf8");
    const anchor = /^(model Site \{[\s\S]*?\n)(\s+country\s+String\?\n)/m;
    expect(text).toMatch(anchor);
    changedSchema = join(tmp, "schema.prisma");
    writeFileSync(changedSchema, text.replace(anchor, "$1$2  note           String?\n"));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it(
    "finds no drift: schema.prisma has a migration (run `npm run db:diff -- <name>` if this fails)",
    () => {
      const run = dbDiff("--check");
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("no drift");
    },
    TIMEOUT,
  );

  it(
    "fails the check and names the change when the schema changed without a migration",
    () => {
      const run = dbDiff("--check", "--schema", changedSchema);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("changed without a migration: run npm run db:diff -- <name>");
      expect(run.stderr).toMatch(/ALTER TABLE "site" ADD COLUMN\s+"note" TEXT/);
    },
    TIMEOUT,
  );

  it(
    "authors a migration, updates the snapshot, then has nothing more to write",
    () => {
      const migrations = join(tmp, "migrations");
      mkdirSync(migrations);
      copyFileSync(snapshot, join(migrations, "schema.snapshot.prisma"));

      const authored = dbDiff("Add site note", "--schema", changedSchema, "--migrations", migrations);
      expect(authored.code, authored.stderr).toBe(0);
      const dirs = readdirSync(migrations).filter((d) => /^\d{14}_add_site_note$/.test(d));
      expect(dirs).toHaveLength(1);
      const sql = readFileSync(join(migrations, dirs[0] ?? "", "migration.sql"), "utf8");
      expect(sql).toMatch(/ALTER TABLE "site" ADD COLUMN\s+"note" TEXT/);
      expect(readFileSync(join(migrations, "schema.snapshot.prisma"), "utf8")).toBe(readFileSync(changedSchema, "utf8"));
      expect(existsSync(join(migrations, "migration_lock.toml"))).toBe(true);

      const again = dbDiff("again", "--schema", changedSchema, "--migrations", migrations);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("nothing written");
      expect(readdirSync(migrations).filter((d) => d.endsWith("_again"))).toHaveLength(0);
      expect(dbDiff("--check", "--schema", changedSchema, "--migrations", migrations).code).toBe(0);
    },
    TIMEOUT,
  );

  it("derives a Prisma 6.19 schema: url injected, generator dropped", () => {
    const out = toWasmSchema(
      'generator client {\n  provider = "prisma-client"\n  output   = "../x"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\nmodel A {\n  id Int @id\n}\n',
    );
    expect(out).toMatch(/datasource db \{\n {2}provider = "postgresql"\n {2}url = env\("DATABASE_URL"\)/);
    expect(out).not.toMatch(/^generator/m);
    expect(out).toContain("model A {");
    expect(toWasmSchema(out)).toBe(out);
  });
});
