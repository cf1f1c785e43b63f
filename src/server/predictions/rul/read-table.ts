import { CsvError, parse } from "csv-parse/sync";
import { AppError } from "@/server/errors";

/**
 * A data file as read, cells still text: which columns are numbers is only known once the unit,
 * time and excluded columns are chosen (an excluded column may hold text).
 */
export interface RawTable {
  /** what the file is called in messages, e.g. "train_FD001.txt" */
  name: string;
  columns: string[];
  hasHeader: boolean;
  rows: string[][];
  /** 1-based line of each row in the file, for messages */
  lines: number[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isNumberText(s: string): boolean {
  return NUMBER.test(s) || s === "NaN" || s === "nan";
}

/**
 * Reads a run-to-failure table. A file whose first line is all numbers has no header: its cells are
 * separated by whitespace (trailing spaces ignored, as in NASA's C-MAPSS files) or by `,`/`;`, and its
 * columns are named c1..cN. Otherwise the first line is the header and the separator is `,`, `;` or
 * whitespace, whichever the header uses.
 */
export function readTable(text: string, name: string): RawTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rawLines = body.split(/\r?\n/);
  const first = rawLines.findIndex((l) => l.trim() !== "");
  if (first < 0) throw new AppError("BAD_REQUEST", `${name} is empty: it needs one row per unit and time step.`);
  const firstLine = rawLines[first]!;
  const delimiter = firstLine.includes(",") ? "," : firstLine.includes(";") ? ";" : null;

  let records: { cells: string[]; line: number }[];
  if (delimiter === null) {
    records = [];
    for (let i = first; i < rawLines.length; i++) {
      const t = rawLines[i]!.trim();
      if (t !== "") records.push({ cells: t.split(/\s+/), line: i + 1 });
    }
  } else {
    try {
      const parsed = parse(body, { delimiter, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
      records = parsed.map((p) => ({ cells: p.record, line: p.info.lines }));
    } catch (err) {
      if (err instanceof CsvError) throw new AppError("BAD_REQUEST", `${name}: ${err.message}`);
      throw err;
    }
    // a trailing separator (like the trailing spaces of C-MAPSS) leaves an empty last cell on every line
    if (records.length && records.every((r) => r.cells.length > 1 && r.cells[r.cells.length - 1] === "")) for (const r of records) r.cells.pop();
  }

  const head = records[0]!;
  const hasHeader = !head.cells.every((c) => isNumberText(c));
  const columns = hasHeader ? head.cells : head.cells.map((_c, i) => `c${i + 1}`);
  if (hasHeader) {
    const seen = new Set<string>();
    for (const c of columns) {
      if (c === "") throw new AppError("BAD_REQUEST", `${name} line ${head.line}: the header has an empty column name.`);
      if (seen.has(c)) throw new AppError("BAD_REQUEST", `${name} line ${head.line}: the header names column "${c}" twice.`);
      seen.add(c);
    }
  }
  const data = hasHeader ? records.slice(1) : records;
  for (const r of data) {
    if (r.cells.length !== columns.length) {
      throw new AppError("BAD_REQUEST", `${name} line ${r.line} has ${r.cells.length} columns, but the ${hasHeader ? "header has" : "first line has"} ${columns.length}.`);
    }
  }
  return { name, columns, hasHeader, rows: data.map((r) => r.cells), lines: data.map((r) => r.line) };
}

/** The index of a named column, or an error that lists the columns there are. */
export function columnIndex(table: RawTable, column: string, flag: string): number {
  const i = table.columns.indexOf(column);
  if (i < 0) {
    const shown = table.columns.length > 12 ? `${table.columns.slice(0, 12).join(", ")}, ...` : table.columns.join(", ");
    throw new AppError("BAD_REQUEST", `${flag} "${column}" is not a column of ${table.name} (columns: ${shown}${table.hasHeader ? "" : "; a file without a header has columns c1..cN"}).`);
  }
  return i;
}

/**
 * The cells of one column as numbers. Empty cells are missing (NaN) where `allowMissing`; anything
 * else that is not a plain number, a decimal comma included, is an error naming the line and column.
 */
export function numericColumn(table: RawTable, index: number, allowMissing: boolean): Float64Array {
  const out = new Float64Array(table.rows.length);
  const column = table.columns[index]!;
  for (let r = 0; r < table.rows.length; r++) {
    const cell = table.rows[r]![index]!;
    if (cell === "" || cell === "NaN" || cell === "nan") {
      if (!allowMissing) throw new AppError("BAD_REQUEST", `${table.name} line ${table.lines[r]}, column ${column}: the cell is empty, but this column needs a number on every row.`);
      out[r] = NaN;
    } else if (NUMBER.test(cell)) out[r] = Number(cell);
    else throw new AppError("BAD_REQUEST", `${table.name} line ${table.lines[r]}, column ${column}: "${cell.length > 40 ? cell.slice(0, 40) + "..." : cell}" is not a number${/^\d+,\d+$/.test(cell) ? " (use a decimal point, not a comma)" : ""}.`);
  }
  return out;
}
