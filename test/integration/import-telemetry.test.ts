import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { getPool } from "../../src/server/db";
import { makeOrg, testDb, type TestOrg } from "./helpers";

const bin = path.resolve(import.meta.dirname, "../../bin/ecomate.mjs");
const db = testDb();
let org: TestOrg;
let dir: string;

/** Runs the CLI as a child process against the test database; `stdin` is piped in when given. */
function ecomate(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "warn" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(stdin ?? "");
  });
}

function writeCsv(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

// Two days ago on a whole minute: inside every metric's retention, never in the future.
const T0 = Math.floor((Date.now() - 2 * 86_400_000) / 60_000) * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function exportRaw(system: string, from: number, to: number): Promise<string[]> {
  const r = await ecomate(["export", "telemetry", "--system", system, "--from", iso(from), "--to", iso(to)]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trimEnd().split("\n");
}

async function readingCount(system: string): Promise<number> {
  const { rows } = await getPool().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM telemetry_reading r JOIN series s ON s.id = r.series_id JOIN "system" y ON y.id = s.system_id WHERE y.code = $1`,
    [system],
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  org = await makeOrg(db, { systems: 6 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-import-test-"));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("ecomate import telemetry", () => {
  it("imports a wide file; export returns exactly the imported float64 values; a re-import only counts duplicates", { timeout: 120_000 }, async () => {
    const system = org.systemCodes[0]!;
    const file = writeCsv("wide.csv", [
      "time,flow_rate,pump-1/flow_rate,pump-1/pump_pressure",
      `${iso(T0)},9.8,${String(0.1 + 0.2)},1e-7`,
      // an offset zone, an empty cell (a missing reading)
      `${iso(T0 + 1000).replace("Z", "+00:00")},,12.345678901234567,2.5`,
      // epoch milliseconds
      `${T0 + 2000},0.1,,`,
    ]);
    const r = await ecomate(["import", "telemetry", file, "--system", system, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ system, format: "wide", rows: 3, readings: 6, accepted: 6, duplicates: 0 });

    const expected = [
      "ts,component,metric,value",
      `${iso(T0)},,flow_rate,9.8`,
      `${iso(T0)},pump-1,flow_rate,0.30000000000000004`,
      `${iso(T0)},pump-1,pump_pressure,1e-7`,
      `${iso(T0 + 1000)},pump-1,flow_rate,12.345678901234567`,
      `${iso(T0 + 1000)},pump-1,pump_pressure,2.5`,
      `${iso(T0 + 2000)},,flow_rate,0.1`,
    ];
    expect(await exportRaw(system, T0, T0 + 3000)).toEqual(expected);

    const again = await ecomate(["import", "telemetry", file, "--system", system, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ readings: 6, accepted: 0, duplicates: 6 });
    expect(await exportRaw(system, T0, T0 + 3000)).toEqual(expected);
    expect(await readingCount(system)).toBe(6);
  });

  it("imports a long file separated by ; and re-imports its own export into another system unchanged", { timeout: 120_000 }, async () => {
    const [a, b] = [org.systemCodes[1]!, org.systemCodes[2]!];
    const file = writeCsv("long.csv", [
      "component;metric;ts;value",
      `pump-1;pump_pressure;${iso(T0)};3.25`,
      `;water_temperature;${iso(T0)};-0.5`,
      `;water_temperature;${iso(T0 + 60_000)};${String(0.1 + 0.2)}`,
      `pump-1;vibration;${iso(T0 + 60_000)};`,
      `pump-1;lamp_on;${iso(T0 + 60_000)};1`,
    ]);
    const r = await ecomate(["import", "telemetry", file, "--system", a]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${a}: 4 readings imported, 0 duplicates (4 readings in 5 rows)\n`);
    const exported = await exportRaw(a, T0, T0 + 120_000);
    expect(exported).toEqual([
      "ts,component,metric,value",
      `${iso(T0)},,water_temperature,-0.5`,
      `${iso(T0)},pump-1,pump_pressure,3.25`,
      `${iso(T0 + 60_000)},,water_temperature,0.30000000000000004`,
      `${iso(T0 + 60_000)},pump-1,lamp_on,1`,
    ]);

    // the export's own format (ts,component,metric,value) imports as it is
    const roundTrip = writeCsv("export.csv", exported);
    const r2 = await ecomate(["import", "telemetry", roundTrip, "--system", b, "--json"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ format: "long", accepted: 4 });
    expect(await exportRaw(b, T0, T0 + 120_000)).toEqual(exported);
  });

  it("reads stdin with -", async () => {
    const system = org.systemCodes[5]!;
    const r = await ecomate(["import", "telemetry", "-", "--system", system, "--json"], `ts,metric,value\n${iso(T0)},flow_rate,4.5\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: 1 });
    expect(await exportRaw(system, T0, T0 + 1)).toEqual(["ts,component,metric,value", `${iso(T0)},,flow_rate,4.5`]);
  });

  it("refuses a file with bad rows: imports nothing, names each row and column, ends with a one-line reason", { timeout: 120_000 }, async () => {
    const system = org.systemCodes[3]!;
    const file = writeCsv("bad.csv", [
      "time,flow_rate,pump-1/pump_pressure",
      `${iso(T0)},1,2`,
      `${iso(T0 + 1000)},abc,2`,
      `${iso(T0 + 2000)},3,4`,
      `${iso(T0 + 3000)},300,4`,
      `2026-11-27T10:00:00,5,6`,
      `${iso(Date.now() + 3_600_000)},5,6`,
      `${iso(T0 + 4000)},7,8,9`,
    ]);
    const r = await ecomate(["import", "telemetry", file, "--system", system]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    const lines = r.stderr
      .trimEnd()
      .split("\n")
      .filter((l) => !l.startsWith("validating "));
    expect(lines).toEqual([
      `  line 3, column "flow_rate": value "abc" is not a number (write numbers with a point, e.g. 12.5 or 1e-7)`,
      `  line 5, column "flow_rate": value 300 is outside the valid range of flow_rate: 0 to 100 m3/h`,
      `  line 6, column "time": ts "2026-11-27T10:00:00" has no time zone; add Z or an offset such as +01:00`,
      expect.stringMatching(/^ {2}line 7, column "time": ts .* is more than 5 minutes ahead of the server clock/),
      `  line 8: the row has 4 fields, the header has 3; a decimal comma such as 12,5 splits a value in two: write 12.5`,
      `ecomate: "${file}" has 5 errors in 5 rows; nothing was imported. First: line 3, column "flow_rate": value "abc" is not a number (write numbers with a point, e.g. 12.5 or 1e-7)`,
    ]);
    expect(await readingCount(system)).toBe(0);
    const { rows } = await getPool().query<{ reason: string }>(`SELECT reason FROM ingest_dead_letter WHERE transport = 'import' AND topic = $1`, [`${system} ${file}`]);
    expect(rows).toHaveLength(1);

    const comma = writeCsv("comma.csv", ["ts;metric;value", `${iso(T0)};flow_rate;12,5`]);
    const c = await ecomate(["import", "telemetry", comma, "--system", system]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain(`line 2, column "value": value "12,5" has a decimal comma; write numbers with a point (12.5)`);

    const unknown = writeCsv("unknown.csv", ["time,flow_rte,pump-9/flow_rate,pump-1/flow_rate", `${iso(T0)},1,2,3`]);
    const u = await ecomate(["import", "telemetry", unknown, "--system", system]);
    expect(u.code).not.toBe(0);
    expect(u.stderr).toContain(`line 1, column "flow_rte": unknown metric "flow_rte"`);
    expect(u.stderr).toContain(`line 1, column "pump-9/flow_rate": unknown component "pump-9" in system ${system}`);

    const longUnknown = writeCsv("long-unknown.csv", ["ts,metric,value,component", `${iso(T0)},flow_rate,1,pump-7`, `${iso(T0)},turbidty,1,`]);
    const lu = await ecomate(["import", "telemetry", longUnknown, "--system", system]);
    expect(lu.code).not.toBe(0);
    expect(lu.stderr).toContain(`line 2, column "component": unknown component "pump-7" in this system`);
    expect(lu.stderr).toContain(`line 3, column "metric": unknown metric "turbidty"`);
    expect(await readingCount(system)).toBe(0);
  });

  it("exits non-zero with one line on stderr for an unknown system or a missing file", async () => {
    const file = writeCsv("one.csv", ["ts,metric,value", `${iso(T0)},flow_rate,1`]);
    const r = await ecomate(["import", "telemetry", file, "--system", "NOPE-99", "--json"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual(['ecomate: System "NOPE-99" was not found. List systems with: ecomate systems list']);

    const missing = await ecomate(["import", "telemetry", path.join(dir, "nope.csv"), "--system", org.systemCodes[0]!]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("was not found");
  });

  it("imports 200,000 readings with progress lines on stderr", { timeout: 180_000 }, async () => {
    const system = org.systemCodes[4]!;
    const columns = ["flow_rate", "water_temperature", "pump-1/flow_rate", "pump-1/pump_pressure", "pump-1/power", "pump-1/vibration", "pump-1/pump_speed", "pump-1/energy"];
    const rows = 25_000;
    const file = path.join(dir, "large.csv");
    const out = fs.createWriteStream(file);
    out.write(`time,${columns.join(",")}\n`);
    for (let i = 0; i < rows; i++) {
      let line = iso(T0 - 86_400_000 + i * 1000);
      for (let c = 0; c < columns.length; c++) line += `,${((i * 7 + c * 13) % 200) / 10 + 1e-9 * c}`;
      out.write(line + "\n");
    }
    await new Promise<void>((resolve) => out.end(resolve));

    const started = performance.now();
    const r = await ecomate(["import", "telemetry", file, "--system", system, "--json"]);
    const seconds = (performance.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ system, format: "wide", rows, readings: 200_000, accepted: 200_000, duplicates: 0 });
    expect(r.stderr).toMatch(/^validating .*large\.csv: \d+% /m);
    expect(r.stderr).toMatch(/^storing .*large\.csv: \d+% /m);
    expect(await readingCount(system)).toBe(200_000);
    const summary = r.stderr.split("\n").find((l) => l.startsWith("imported "));
    console.log(`import throughput: ${Math.round(200_000 / seconds)} readings/s end to end (${seconds.toFixed(1)} s with process start); ${summary}`);
  });
});
