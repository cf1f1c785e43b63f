// Shared pieces of the benchmarks (shared/docs/benchmarks.md): a scratch database, a seeded PRNG,
// round statistics and the `name: value unit` output lines.
import fs from "node:fs";
import os from "node:os";
import type pg from "pg";
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists } from "../../src/server/db/migrate";
import { prepareDatabase } from "../../src/server/db/prepare";

export function adminDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
}

/** Runs a benchmark's main function: a failure prints its error and exits non-zero. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/** Ends a benchmark: stops the processes it started, closes its connections, drops its scratch database. */
export async function closeBench(parts: { children?: ({ kill(signal: NodeJS.Signals): boolean } | undefined)[]; db?: { $disconnect(): Promise<void> }; pool: pg.Pool; scratch: { drop(): Promise<void> } }): Promise<void> {
  for (const child of parts.children ?? []) child?.kill("SIGTERM");
  await parts.db?.$disconnect();
  await parts.pool.end();
  await parts.scratch.drop();
}

/** A fresh, migrated database of its own; `drop()` removes it. */
export async function scratchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = adminDatabaseUrl();
  const name = `${prefix}_${Date.now()}`;
  await createDatabaseIfMissing(admin, name);
  const url = databaseUrl(admin, name);
  await prepareDatabase(url);
  return { url, drop: () => dropDatabaseIfExists(admin, name) };
}

export { mulberry32 } from "../../src/lib/random";

export function stats(values: number[]): { median: number; min: number; max: number; p95: number; p99: number } {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { median: q(0.5), min: s[0]!, max: s[s.length - 1]!, p95: q(0.95), p99: q(0.99) };
}

export function figure(name: string, value: number, unit: string, digits = 0): void {
  process.stdout.write(`${name}: ${value.toFixed(digits)} ${unit}\n`);
}

export function machineLine(): string {
  return `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load generator, app, database and broker all on this one machine`;
}

export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${message}\x1b[K`);
  else process.stderr.write(`${message}\n`);
}

// ---- CPU time per process, to say where the time goes (Linux /proc; ticks of 1/100 s) -------------------

export function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** Server processes of the scratch database (Postgres is shared with whatever else runs on it). */
export async function backendPids(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
  return rows.map((r) => r.pid);
}

/** Busy and total ticks of the whole machine. */
export function machineTicks(): { busy: number; total: number } {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3]! - (cpu[4] ?? 0), total };
}

