/**
 * `ecomate import work-orders <file.csv>`: every row checked (syntax in parse-work-order-csv.ts, then the
 * system, component, failure codes, assignee and duplicates against the database), then all rows
 * written in one transaction. Any problem: nothing is written and every problem is reported with its
 * row and column.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { recordAudit, type Actor } from "@/server/audit";
import { orgFilter, type Scope } from "@/server/scope";
import { formatCsvProblem, MAX_LISTED_PROBLEMS, parseWorkOrderCsv, type CsvProblem, type WorkOrderCsvRow } from "./parse-work-order-csv";

/** Work-order files are small (a big site logs a few thousand orders a year); a bigger one is a mistake. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

export class WorkOrderImportRejectedError extends AppError {
  constructor(
    readonly problems: CsvProblem[],
    readonly total: number,
  ) {
    super(
      "BAD_REQUEST",
      `nothing imported: ${total} problem${total === 1 ? "" : "s"} in the file${problems.length < total ? ` (the first ${problems.length} listed)` : ""}; fix them and run the import again`,
      { problems },
    );
    this.name = "WorkOrderImportRejectedError";
  }
}

export { formatCsvProblem };

export interface WorkOrderImportResult {
  imported: number;
  /** the new orders' numbers (WO-n), in file order */
  numbers: number[];
}

/** Reads a work-order file (or stdin for "-") with a clear message when it cannot. */
export function readWorkOrderFile(file: string): string {
  if (file === "-") return fs.readFileSync(0, "utf8");
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new AppError("NOT_FOUND", `File "${file}" was not found.`);
  }
  if (size > MAX_FILE_BYTES) throw new AppError("BAD_REQUEST", `File "${file}" is ${Math.round(size / 1e6)} MB; a work-order file may be at most ${MAX_FILE_BYTES / 1024 / 1024} MiB.`);
  return fs.readFileSync(file, "utf8");
}

export async function importWorkOrders(db: Db, scope: Scope, actor: Actor, input: { text: string; source?: string }): Promise<WorkOrderImportResult> {
  const parsed = parseWorkOrderCsv(input.text);
  const problems = [...parsed.problems];
  const rows = parsed.rows;
  if (problems.length === 0 && rows.length === 0) return { imported: 0, numbers: [] };
  if (problems.length) throw new WorkOrderImportRejectedError(problems.slice(0, MAX_LISTED_PROBLEMS), problems.length);

  const problem = (r: WorkOrderCsvRow, column: string | null, message: string) => problems.push({ row: r.row, line: r.line, column, message });

  const systems = await db.treatmentSystem.findMany({
    where: { code: { in: [...new Set(rows.map((r) => r.system))] }, ...orgFilter(scope) },
    select: { id: true, code: true, organizationId: true, components: { select: { id: true, code: true } } },
  });
  const systemOf = new Map(systems.map((s) => [s.code, s]));
  const codes = await db.failureCode.findMany({ select: { id: true, kind: true, code: true } });
  const codeOf = new Map(codes.map((c) => [`${c.kind}:${c.code}`, c.id]));
  const emails = [...new Set(rows.flatMap((r) => (r.assigneeEmail ? [r.assigneeEmail.toLowerCase()] : [])))];
  const users = emails.length
    ? await db.user.findMany({
        where: { OR: emails.map((e) => ({ email: { equals: e, mode: "insensitive" as const } })) },
        select: { id: true, email: true, organizationId: true },
      })
    : [];
  const userOf = new Map(users.map((u) => [u.email.toLowerCase(), u]));
  const existing = await db.workOrder.findMany({
    where: { systemId: { in: systems.map((s) => s.id) }, createdAt: { in: [...new Set(rows.map((r) => r.opened.getTime()))].map((t) => new Date(t)) } },
    select: { number: true, systemId: true, title: true, createdAt: true },
  });
  const key = (systemId: string, title: string, opened: Date) => `${systemId}\u0000${opened.getTime()}\u0000${title}`;
  const existingOf = new Map(existing.map((w) => [key(w.systemId, w.title, w.createdAt), w.number]));
  const seen = new Map<string, number>();

  const data: {
    id: string;
    row: WorkOrderCsvRow;
    organizationId: string;
    systemId: string;
    componentId: string | null;
    assigneeId: string | null;
    failureModeId: string | null;
    failureCauseId: string | null;
    remedyId: string | null;
  }[] = [];
  for (const r of rows) {
    const system = systemOf.get(r.system);
    if (!system) {
      problem(r, "system", `system "${r.system}" was not found (ecomate systems list shows the codes)`);
      continue;
    }
    let componentId: string | null = null;
    if (r.component) {
      componentId = system.components.find((c) => c.code === r.component)?.id ?? null;
      if (!componentId) problem(r, "component", `system ${r.system} has no component "${r.component}"`);
    }
    const failure = (kind: "mode" | "cause" | "remedy", column: string, code: string | null) => {
      if (!code) return null;
      const id = codeOf.get(`${kind}:${code}`);
      if (!id) problem(r, column, `"${code}" is not a failure ${kind === "mode" ? "mode" : kind} code of the catalogue (src/lib/failure-codes.ts)`);
      return id ?? null;
    };
    const failureModeId = failure("mode", "failure_mode", r.failureMode);
    const failureCauseId = failure("cause", "failure_cause", r.failureCause);
    const remedyId = failure("remedy", "remedy", r.remedy);
    let assigneeId: string | null = null;
    if (r.assigneeEmail) {
      const user = userOf.get(r.assigneeEmail.toLowerCase());
      if (!user || user.organizationId !== system.organizationId) problem(r, "assignee_email", `no user "${r.assigneeEmail}" in the organisation of system ${r.system}`);
      else assigneeId = user.id;
    }
    const k = key(system.id, r.title, r.opened);
    const number = existingOf.get(k);
    if (number !== undefined) problem(r, null, `work order WO-${number} of ${r.system} with this title and opening time already exists (imported before?)`);
    else if (seen.has(k)) problem(r, null, `the same work order (system, title, opened) as row ${seen.get(k)}`);
    seen.set(k, r.row);
    data.push({ id: randomUUID(), row: r, organizationId: system.organizationId, systemId: system.id, componentId, assigneeId, failureModeId, failureCauseId, remedyId });
  }
  if (problems.length) {
    problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    throw new WorkOrderImportRejectedError(problems.slice(0, MAX_LISTED_PROBLEMS), problems.length);
  }

  const note = `imported${input.source ? ` from ${input.source}` : ""}`;
  await db.$transaction(
    async (tx) => {
      await tx.workOrder.createMany({
        data: data.map((d) => ({
          id: d.id,
          organizationId: d.organizationId,
          systemId: d.systemId,
          componentId: d.componentId,
          type: d.row.type,
          status: d.row.status,
          priority: d.row.priority,
          title: d.row.title,
          description: d.row.description,
          assigneeId: d.assigneeId,
          createdAt: d.row.opened,
          completedAt: d.row.closed,
          failureModeId: d.failureModeId,
          failureCauseId: d.failureCauseId,
          remedyId: d.remedyId,
          downtimeStart: d.row.downtimeStart,
          downtimeEnd: d.row.downtimeEnd,
        })),
      });
      await tx.workOrderStatusChange.createMany({
        data: data.map((d) => ({ workOrderId: d.id, fromStatus: null, toStatus: d.row.status, at: d.row.closed ?? d.row.opened, note })),
      });
      const labour = data.filter((d) => d.row.labourMinutes && d.assigneeId);
      if (labour.length) {
        await tx.labourEntry.createMany({ data: labour.map((d) => ({ workOrderId: d.id, userId: d.assigneeId!, minutes: d.row.labourMinutes!, note })) });
      }
      const perOrg = new Map<string, number>();
      for (const d of data) perOrg.set(d.organizationId, (perOrg.get(d.organizationId) ?? 0) + 1);
      for (const [organizationId, count] of perOrg) {
        await recordAudit(tx, actor, { organizationId, action: "work_order.import", entityType: "work_order", details: { count, source: input.source ?? null } });
      }
    },
    { timeout: 120_000 },
  );
  const created = await db.workOrder.findMany({ where: { id: { in: data.map((d) => d.id) } }, select: { id: true, number: true } });
  const numberOf = new Map(created.map((c) => [c.id, c.number]));
  return { imported: data.length, numbers: data.map((d) => numberOf.get(d.id)!) };
}
