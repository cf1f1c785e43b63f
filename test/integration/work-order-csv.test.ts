import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PassThrough } from "node:stream";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { exportWorkOrders } from "../../src/server/maintenance/work-order-csv/export-work-orders";
import { importWorkOrders, WorkOrderImportRejectedError } from "../../src/server/maintenance/work-order-csv/import-work-orders";
import { WORK_ORDER_CSV_COLUMNS } from "../../src/server/maintenance/work-order-csv/parse-work-order-csv";
import { makeOrg, testDb, type TestOrg } from "./helpers";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/ecomate.mjs");
const db = testDb();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-wo-csv-"));
const HEADER = WORK_ORDER_CSV_COLUMNS.join(",");

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

async function exportToString(org: TestOrg, systemCode: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  await exportWorkOrders(db, { organizationId: org.organizationId }, { systemCode }, out);
  return Buffer.concat(chunks).toString("utf8");
}

let a: TestOrg;
let b: TestOrg;

beforeAll(async () => {
  [a, b] = await Promise.all([makeOrg(db, { systems: 2 }), makeOrg(db, { systems: 1 })]);
  const sys = await db.treatmentSystem.findUniqueOrThrow({ where: { code: a.systemCodes[0]! }, include: { components: true } });
  const other = await db.treatmentSystem.findUniqueOrThrow({ where: { code: a.systemCodes[1]! } });
  const code = async (kind: "mode" | "cause" | "remedy", c: string) => (await db.failureCode.findUniqueOrThrow({ where: { kind_code: { kind, code: c } } })).id;
  const base = { organizationId: a.organizationId, systemId: sys.id };
  const seal = await db.workOrder.create({
    data: {
      ...base,
      componentId: sys.components[0]!.id,
      type: "corrective",
      status: "done",
      priority: "urgent",
      title: "Seal leaks, pump stopped",
      description: 'Replaced the "Type 21" seal.\nChecked alignment, all fine.',
      createdAt: new Date("2026-02-03T07:15:00.000Z"),
      completedAt: new Date("2026-02-03T12:40:30.250Z"),
      downtimeStart: new Date("2026-02-03T07:00:00.000Z"),
      downtimeEnd: new Date("2026-02-03T12:30:00.000Z"),
      failureModeId: await code("mode", "ELP"),
      failureCauseId: await code("cause", "WEA"),
      remedyId: await code("remedy", "RPL"),
      assigneeId: a.users.technician.id,
    },
  });
  await db.labourEntry.createMany({
    data: [
      { workOrderId: seal.id, userId: a.users.technician.id, minutes: 150 },
      { workOrderId: seal.id, userId: a.users.technician.id, minutes: 45 },
    ],
  });
  await db.workOrder.create({
    data: { ...base, type: "preventive", status: "open", priority: "low", title: "Quarterly UV sensor check", createdAt: new Date("2026-02-10T09:00:00.000Z"), assigneeId: a.users.manager.id },
  });
  await db.workOrder.create({
    data: { ...base, type: "inspection", status: "in_progress", title: "Walk-round", createdAt: new Date("2026-01-20T09:00:00.000Z") },
  });
  await db.workOrder.create({
    data: { organizationId: a.organizationId, systemId: other.id, type: "inspection", status: "open", title: "Other system", createdAt: new Date("2026-02-01T00:00:00.000Z") },
  });
});

describe("ecomate export / import work-orders", () => {
  it("round trip: export one system, import it into another organisation, export that: the same rows", async () => {
    const file = path.join(dir, "a.csv");
    const exported = await ecomate(["export", "work-orders", "--system", a.systemCodes[0]!, "--output", file]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe("");
    expect(exported.stderr).toContain("exported 3 work orders");
    const csv = fs.readFileSync(file, "utf8");
    const lines = csv.split("\n");
    expect(lines[0]).toBe(HEADER);
    // oldest first; labour summed; the multi-line, quoted description survives
    expect(lines[1]).toBe(`${a.systemCodes[0]},,inspection,in_progress,medium,Walk-round,2026-01-20T09:00:00.000Z,,,,,,,,,`);
    expect(lines[2]).toBe(
      `${a.systemCodes[0]},pump-1,corrective,done,urgent,"Seal leaks, pump stopped",2026-02-03T07:15:00.000Z,2026-02-03T12:40:30.250Z,ELP,WEA,RPL,2026-02-03T07:00:00.000Z,2026-02-03T12:30:00.000Z,195,${a.users.technician.email},"Replaced the ""Type 21"" seal.`,
    );

    // Organisation B: its own system code and its own people.
    const uA = a.slug.slice(2);
    const uB = b.slug.slice(2);
    const mapped = csv.replaceAll(a.systemCodes[0]!, b.systemCodes[0]!).replaceAll(`-${uA}@test.local`, `-${uB}@test.local`);
    const mappedFile = path.join(dir, "b.csv");
    fs.writeFileSync(mappedFile, mapped);
    const imported = await ecomate(["import", "work-orders", mappedFile]);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^3 work orders imported \(WO-\d+ to WO-\d+\)\n$/);

    const again = await ecomate(["export", "work-orders", "--system", b.systemCodes[0]!]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(mapped);

    const seal = await db.workOrder.findFirstOrThrow({
      where: { organizationId: b.organizationId, title: "Seal leaks, pump stopped" },
      include: { labour: true, statusHistory: true },
    });
    expect(seal.assigneeId).toBe(b.users.technician.id);
    expect(seal.labour.map((l) => [l.userId, l.minutes])).toEqual([[b.users.technician.id, 195]]);
    expect(seal.statusHistory.map((s) => [s.fromStatus, s.toStatus])).toEqual([[null, "done"]]);
    const audit = await db.auditLog.findFirstOrThrow({ where: { organizationId: b.organizationId, action: "work_order.import" } });
    expect(audit.details).toMatchObject({ count: 3 });
  });

  it("a file with bad rows: every problem on its own line with row and column, exit non-zero, nothing imported", async () => {
    const sys = a.systemCodes[1]!;
    const file = path.join(dir, "bad.csv");
    fs.writeFileSync(
      file,
      [
        "system,component,type,title,opened,failure_mode,assignee_email,labour_minutes",
        `${sys},pump-1,corrective,Fine row,2026-03-01T00:00:00Z,VIB,,`,
        `NOPE-99,,corrective,Unknown system,2026-03-01T00:00:00Z,,,`,
        `${sys},pump-9,corrective,Unknown component,2026-03-01T00:00:00Z,XXX,,`,
        `${sys},,inspection,Stranger,2026-03-01T00:00:00Z,,${b.users.technician.email},30`,
        `${sys},,inspection,Other system,2026-02-01T00:00:00Z,,,`,
        `${sys},,sometimes,Bad type,2026-03-01,,,`,
      ].join("\n"),
    );
    const before = await db.workOrder.count({ where: { organizationId: a.organizationId } });
    const r = await ecomate(["import", "work-orders", file]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    // the syntax pass stops before the database checks: first only row 6
    expect(lines).toEqual([
      '  row 6 (line 7), column "type": "sometimes" is not one of corrective, preventive, predictive or inspection',
      '  row 6 (line 7), column "opened": "2026-03-01" is not an ISO-8601 time with a zone (e.g. 2026-03-14T09:30:00Z or 2026-03-14T10:30:00+01:00)',
      "ecomate: nothing imported: 2 problems in the file; fix them and run the import again",
    ]);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").split("\n").slice(0, -1).join("\n"));
    const r2 = await ecomate(["import", "work-orders", file]);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr.trimEnd().split("\n")).toEqual([
      '  row 2 (line 3), column "system": system "NOPE-99" was not found (ecomate systems list shows the codes)',
      `  row 3 (line 4), column "component": system ${sys} has no component "pump-9"`,
      '  row 3 (line 4), column "failure_mode": "XXX" is not a failure mode code of the catalogue (src/lib/failure-codes.ts)',
      `  row 4 (line 5), column "assignee_email": no user "${b.users.technician.email}" in the organisation of system ${sys}`,
      `  row 5 (line 6): work order WO-${(await db.workOrder.findFirstOrThrow({ where: { title: "Other system", organizationId: a.organizationId } })).number} of ${sys} with this title and opening time already exists (imported before?)`,
      "ecomate: nothing imported: 5 problems in the file; fix them and run the import again",
    ]);
    expect(await db.workOrder.count({ where: { organizationId: a.organizationId } })).toBe(before);
  });

  it("export filters by opening time (from inclusive, to exclusive) and writes the header when empty", async () => {
    const r = await ecomate(["export", "work-orders", "--system", a.systemCodes[0]!, "--from", "2026-02-03T07:15:00Z", "--to", "2026-02-10T09:00:00Z"]);
    expect(r.code).toBe(0);
    const rows = parse(r.stdout) as string[][];
    expect(rows.map((row) => row[5])).toEqual(["title", "Seal leaks, pump stopped"]);
    const empty = await ecomate(["export", "work-orders", "--system", a.systemCodes[0]!, "--from", "2020-01-01T00:00:00Z", "--to", "2020-02-01T00:00:00Z"]);
    expect(empty.stdout).toBe(HEADER + "\n");
    const unknown = await ecomate(["export", "work-orders", "--system", "NOPE-99"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim()).toBe('ecomate: System "NOPE-99" was not found');
  });

  it("an organisation's scope neither sees nor writes another's systems", async () => {
    await expect(exportToString(b, a.systemCodes[0]!)).rejects.toThrow(/was not found/);
    const text = `${HEADER}\n${a.systemCodes[0]},,inspection,open,,Sneaky,2026-04-01T00:00:00Z,,,,,,,,,\n`;
    const err = await importWorkOrders(db, { organizationId: b.organizationId }, { type: "system", label: "test" }, { text }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkOrderImportRejectedError);
    expect((err as WorkOrderImportRejectedError).problems.map((p) => p.column)).toEqual(["system"]);
    // and an empty file (header only) imports nothing, without error
    expect(await importWorkOrders(db, { organizationId: b.organizationId }, { type: "system", label: "test" }, { text: HEADER + "\n" })).toEqual({ imported: 0, numbers: [] });
  });
});
