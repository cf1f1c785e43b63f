/**
 * The work-order CSV (docs/maintenance.md "Work-order CSV"): parsing and every check that needs no
 * database. Pure, so the rules are unit-tested; import-work-orders.ts resolves the codes and e-mails.
 */
import { CsvError, parse } from "csv-parse/sync";
import { Priority, WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";

/** The columns, in the order the export writes them. */
export const WORK_ORDER_CSV_COLUMNS = [
  "system",
  "component",
  "type",
  "status",
  "priority",
  "title",
  "opened",
  "closed",
  "failure_mode",
  "failure_cause",
  "remedy",
  "downtime_start",
  "downtime_end",
  "labour_minutes",
  "assignee_email",
  "description",
] as const;
export type WorkOrderCsvColumn = (typeof WORK_ORDER_CSV_COLUMNS)[number];

const REQUIRED: readonly WorkOrderCsvColumn[] = ["system", "type", "title", "opened"];
export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 10_000;
export const MAX_LABOUR_MINUTES = 100_000;
/** Problems listed one per line; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 50;

export interface CsvProblem {
  /** data row, 1 = the first row after the header; null for the header or the file */
  row: number | null;
  /** the file's line where the row starts (header = 1) */
  line: number;
  column: WorkOrderCsvColumn | string | null;
  message: string;
}

export function formatCsvProblem(p: CsvProblem): string {
  const where = p.row === null ? `line ${p.line}` : `row ${p.row} (line ${p.line})`;
  return `${where}${p.column ? `, column "${p.column}"` : ""}: ${p.message}`;
}

export interface WorkOrderCsvRow {
  row: number;
  line: number;
  system: string;
  component: string | null;
  type: WorkOrderType;
  status: WorkOrderStatus;
  priority: Priority;
  title: string;
  opened: Date;
  closed: Date | null;
  failureMode: string | null;
  failureCause: string | null;
  remedy: string | null;
  downtimeStart: Date | null;
  downtimeEnd: Date | null;
  labourMinutes: number | null;
  assigneeEmail: string | null;
  description: string | null;
}

// ISO-8601 date and time with a zone: a time without one would be read in whatever zone the server runs in.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function listOf(values: Record<string, string>): string {
  const v = Object.values(values);
  return `${v.slice(0, -1).join(", ")} or ${v.at(-1)}`;
}

/** Parses the file's text. Rows are returned only when there is no problem at all. */
export function parseWorkOrderCsv(text: string): { rows: WorkOrderCsvRow[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    records = parse(text, { bom: true, delimiter, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    const line = err instanceof CsvError ? Number((err as CsvError & { lines?: number }).lines ?? 1) : 1;
    return { rows: [], problems: [{ row: null, line, column: null, message: `not a readable CSV file: ${(err as Error).message}` }] };
  }
  const header = records[0];
  if (!header) return { rows: [], problems: [{ row: null, line: 1, column: null, message: "the file is empty: it needs a header line with the columns" }] };

  const index = new Map<WorkOrderCsvColumn, number>();
  header.record.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!(WORK_ORDER_CSV_COLUMNS as readonly string[]).includes(name)) {
      problems.push({ row: null, line: 1, column: raw, message: `unknown column; the columns are ${WORK_ORDER_CSV_COLUMNS.join(", ")}` });
    } else if (index.has(name as WorkOrderCsvColumn)) {
      problems.push({ row: null, line: 1, column: name, message: "the column appears twice" });
    } else index.set(name as WorkOrderCsvColumn, i);
  });
  for (const c of REQUIRED) if (!index.has(c)) problems.push({ row: null, line: 1, column: c, message: "required column is missing from the header" });
  if (problems.length) return { rows: [], problems };

  const rows: WorkOrderCsvRow[] = [];
  // csv-parse counts lines up to a record's end; a quoted cell may span lines, so the start is the previous end + skipped empty lines + 1
  let prevEnd = header.info.lines;
  let prevEmpty = header.info.empty_lines;
  records.slice(1).forEach(({ record, info }, i) => {
    const row = i + 1;
    const line = prevEnd + (info.empty_lines - prevEmpty) + 1;
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
    const problem = (column: WorkOrderCsvColumn | null, message: string) => problems.push({ row, line, column, message });
    if (record.length > header.record.length) problem(null, `${record.length} cells, but the header has ${header.record.length} columns`);
    const raw = (c: WorkOrderCsvColumn) => (index.has(c) ? (record[index.get(c)!] ?? "") : "");
    const cell = (c: WorkOrderCsvColumn) => raw(c).trim();
    const optional = (c: WorkOrderCsvColumn) => cell(c) || null;
    const required = (c: WorkOrderCsvColumn) => {
      const v = cell(c);
      if (!v) problem(c, "is required");
      return v;
    };
    const time = (c: WorkOrderCsvColumn, isRequired = false): Date | null => {
      const v = isRequired ? required(c) : cell(c);
      if (!v) return null;
      const ms = Date.parse(v);
      if (!ISO_TIME.test(v) || Number.isNaN(ms)) {
        problem(c, `"${v}" is not an ISO-8601 time with a zone (e.g. 2026-03-14T09:30:00Z or 2026-03-14T10:30:00+01:00)`);
        return null;
      }
      return new Date(ms);
    };
    const oneOf = <T extends string>(c: WorkOrderCsvColumn, values: Record<string, T>, fallback: T | null): T | null => {
      const v = cell(c).toLowerCase().replace(/[\s-]+/g, "_");
      if (!v) {
        if (fallback === null) problem(c, "is required");
        return fallback;
      }
      if (!(Object.values(values) as string[]).includes(v)) {
        problem(c, `"${cell(c)}" is not one of ${listOf(values)}`);
        return null;
      }
      return v as T;
    };

    const system = required("system");
    const type = oneOf("type", WorkOrderType, null);
    const title = required("title");
    if (title.length > MAX_TITLE) problem("title", `is ${title.length} characters long; at most ${MAX_TITLE}`);
    const opened = time("opened", true);
    const closed = time("closed");
    const status = oneOf("status", WorkOrderStatus, closed ? "done" : "open");
    const priority = oneOf("priority", Priority, "medium");
    const downtimeStart = time("downtime_start");
    const downtimeEnd = time("downtime_end");
    if (opened && closed && closed < opened) problem("closed", `is before "opened" (${opened.toISOString()})`);
    if (downtimeEnd && !cell("downtime_start")) problem("downtime_end", "is set without downtime_start");
    if (downtimeStart && downtimeEnd && downtimeEnd < downtimeStart) problem("downtime_end", `is before downtime_start (${downtimeStart.toISOString()})`);

    let labourMinutes: number | null = null;
    const labour = cell("labour_minutes");
    if (labour) {
      if (!/^\d+$/.test(labour) || Number(labour) > MAX_LABOUR_MINUTES) problem("labour_minutes", `"${labour}" is not a whole number of minutes from 0 to ${MAX_LABOUR_MINUTES}`);
      else labourMinutes = Number(labour);
    }
    const assigneeEmail = optional("assignee_email");
    if (assigneeEmail && !EMAIL.test(assigneeEmail)) problem("assignee_email", `"${assigneeEmail}" is not an e-mail address`);
    if (labourMinutes && !assigneeEmail) problem("labour_minutes", "needs assignee_email: labour is logged against the person who did it");
    const description = raw("description") === "" ? null : raw("description");
    if (description && description.length > MAX_DESCRIPTION) problem("description", `is ${description.length} characters long; at most ${MAX_DESCRIPTION}`);

    if (type && status && priority && opened && system && title) {
      rows.push({
        row,
        line,
        system,
        component: optional("component"),
        type,
        status,
        priority,
        title,
        opened,
        closed,
        failureMode: optional("failure_mode")?.toUpperCase() ?? null,
        failureCause: optional("failure_cause")?.toUpperCase() ?? null,
        remedy: optional("remedy")?.toUpperCase() ?? null,
        downtimeStart,
        downtimeEnd,
        labourMinutes,
        assigneeEmail,
        description,
      });
    }
  });
  return { rows: problems.length ? [] : rows, problems };
}
