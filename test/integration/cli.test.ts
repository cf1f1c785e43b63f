import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { getPool } from "../../src/server/db";
import { makeOrg, testDb, type TestOrg } from "./helpers";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/ecomate.mjs");
const db = testDb();
let org: TestOrg;

async function ecomate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "warn" },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  org = await makeOrg(db, { systems: 2 });
});

describe("ecomate CLI", () => {
  it("systems list --json prints only a JSON array of {id,code,name,site,model}", async () => {
    const r = await ecomate(["systems", "list", "--json"]);
    expect(r.code).toBe(0);
    const systems = JSON.parse(r.stdout) as Record<string, string>[];
    const mine = systems.filter((s) => org.systemCodes.includes(s.code!));
    expect(mine.map((s) => s.code).sort()).toEqual(org.systemCodes);
    for (const s of mine) expect(Object.keys(s).sort()).toEqual(["code", "id", "model", "name", "site"]);
  });

  it("devices create --json returns the token once; rotate and revoke act on it", async () => {
    const r = await ecomate(["devices", "create", "--system", org.systemCodes[0]!, "--name", "Roof gateway", "--json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { id: string; token: string; system: string; mqtt: { username: string; topic: string } };
    expect(d.system).toBe(org.systemCodes[0]);
    expect(d.token).toMatch(/^ecm_/);
    expect(d.mqtt).toEqual({ username: d.id, topic: `ecomate/v1/${d.id}/telemetry` });
    const rotated = await ecomate(["devices", "rotate", d.id]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).toMatch(/^ecm_/);
    expect(rotated.stdout.trim()).not.toBe(d.token);
    expect((await ecomate(["devices", "revoke", d.id])).code).toBe(0);
    const list = JSON.parse((await ecomate(["devices", "list", "--system", org.systemCodes[0]!, "--json"])).stdout) as { id: string; status: string }[];
    expect(list.find((x) => x.id === d.id)?.status).toBe("revoked");
  });

  it("predictions run --system scores one system and prints the result as JSON; an unknown system is refused", async () => {
    const r = await ecomate(["predictions", "run", "--system", org.systemCodes[0]!, "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { scored: number; skipped: unknown[]; workOrders: unknown[]; failed: unknown[] };
    // a test system without telemetry: nothing to score, nothing opened, nothing failed
    expect(result).toMatchObject({ scored: 0, workOrders: [], failed: [] });
    const bad = await ecomate(["predictions", "run", "--system", "NOPE-99"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/NOPE-99/);
  });

  it("devices create for an unknown system exits non-zero with a one-line reason and nothing on stdout", async () => {
    const r = await ecomate(["devices", "create", "--system", "NOPE-99", "--json"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain('System "NOPE-99" was not found');
    // other test files create devices concurrently: look for traces of this call only
    const audits = await db.auditLog.findMany({ where: { action: "device.create" }, select: { details: true } });
    expect(audits.filter((a) => JSON.stringify(a.details).includes("NOPE-99"))).toEqual([]);
  });

  it("export telemetry writes the contract's CSV with values exactly as stored, from inclusive, to exclusive", async () => {
    const pool = getPool();
    const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[1]! }, include: { components: true } });
    const flow = await db.metric.findUniqueOrThrow({ where: { key: "flow_rate" } });
    const temp = await db.metric.findUniqueOrThrow({ where: { key: "water_temperature" } });
    const s1 = await db.series.create({ data: { systemId: sys.id, componentId: sys.components[0]!.id, metricId: flow.id } });
    const s2 = await db.series.create({ data: { systemId: sys.id, componentId: null, metricId: temp.id } });
    const t0 = Date.parse("2026-11-20T10:00:00.000Z");
    await pool.query("SELECT ecomate_ensure_partitions('telemetry_reading', $1, $2)", [new Date(t0 - 86_400_000), new Date(t0 + 86_400_000)]);
    const values = [9.8, 0.1 + 0.2, 1e-7, 12.345678901234567];
    for (let i = 0; i < values.length; i++) {
      await pool.query("INSERT INTO telemetry_reading (series_id, ts, value) VALUES ($1, $2, $3), ($4, $2, $5)", [s1.id, new Date(t0 + i * 1000), values[i], s2.id, 15 + i / 10]);
    }
    const r = await ecomate(["export", "telemetry", "--system", sys.code, "--from", "2026-11-20T10:00:00.000Z", "--to", "2026-11-20T10:00:03.000Z"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("ts,component,metric,value");
    expect(lines.slice(1)).toEqual([
      "2026-11-20T10:00:00.000Z,,water_temperature,15",
      "2026-11-20T10:00:00.000Z,pump-1,flow_rate,9.8",
      "2026-11-20T10:00:01.000Z,,water_temperature,15.1",
      "2026-11-20T10:00:01.000Z,pump-1,flow_rate,0.30000000000000004",
      "2026-11-20T10:00:02.000Z,,water_temperature,15.2",
      "2026-11-20T10:00:02.000Z,pump-1,flow_rate,1e-7",
    ]);
    const empty = await ecomate(["export", "telemetry", "--system", sys.code, "--from", "2020-01-01T00:00:00Z", "--to", "2020-01-02T00:00:00Z", "--resolution", "1h"]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe("ts,component,metric,min,max,avg,count,last\n");
    const bad = await ecomate(["export", "telemetry", "--system", sys.code, "--from", "yesterday", "--to", "2020-01-02T00:00:00Z"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--from "yesterday" is not an ISO-8601 time');
  });

  it("users create refuses an unknown role with a clear message", async () => {
    const r = await ecomate(["users", "create", "--email", "x@y.local", "--role", "root", "--password", "long-enough-pass", "--org", org.slug]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unknown role "root"');
  });
});
