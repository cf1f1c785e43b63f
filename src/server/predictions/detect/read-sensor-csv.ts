// Reads a sensor recording for `ecomate detect` (contracts.md): `,` or `;` separated with a header,
// a time column copied verbatim, empty cells missing, decimal commas refused. Pure: text in, table out.
import { CsvError, parse } from "csv-parse/sync";
import { AppError } from "@/server/errors";
import type { SensorRow } from "./pca-detector";

export interface SensorTable {
  delimiter: string;
  timeColumn: string;
  /** the time cells, as written */
  times: string[];
  /** the sensor columns, in file order */
  columns: string[];
  rows: SensorRow[];
  /** columns left out and why (the excluded ones, unnamed ones) */
  skipped: { column: string; reason: string }[];
  missingCells: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Exports from pandas and spreadsheets write these for "no value"; reading them as missing is kinder
// than refusing the file.
const MISSING = new Set(["", "nan", "na", "n/a", "null", "none"]);

/** The separator of the header line: the most frequent of `,`, `;` and tab outside quotes. */
function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[",", 0], [";", 0], ["\t", 0]]);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ",";
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

export function readSensorCsv(text: string, opts: { timeColumn: string; exclude?: readonly string[]; source?: string }): SensorTable {
  const source = opts.source ?? "the input";
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw new AppError("BAD_REQUEST", `${source} is empty: it needs a header line and data rows.`);
  const delimiter = detectDelimiter(body);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, { delimiter, skip_empty_lines: true, info: true, relax_column_count: false }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      const hint = err.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" && delimiter === "," ? " (a decimal comma in a comma-separated file splits a value in two; write decimals with a point)" : "";
      throw new AppError("BAD_REQUEST", `${source}${line ? ` line ${line}` : ""}: ${err.message.replace(/^Invalid Record Length: /, "")}${hint}`);
    }
    throw err;
  }
  const header = records[0]!.record;
  const seen = new Set<string>();
  for (const name of header) {
    if (name !== "" && seen.has(name)) throw new AppError("BAD_REQUEST", `${source}: the header names column "${name}" twice; column names must be unique.`);
    seen.add(name);
  }
  const timeIndex = header.indexOf(opts.timeColumn);
  if (timeIndex < 0) throw new AppError("BAD_REQUEST", `${source} has no time column "${opts.timeColumn}" (its columns: ${header.join(", ")}); give the right name with --time-column.`);
  const exclude = new Set(opts.exclude ?? []);
  for (const name of exclude) {
    if (!seen.has(name)) throw new AppError("BAD_REQUEST", `--exclude names column "${name}", which ${source} does not have (its columns: ${header.join(", ")}).`);
  }

  const skipped: SensorTable["skipped"] = [];
  const indexes: number[] = [];
  header.forEach((name, j) => {
    if (j === timeIndex) return;
    if (exclude.has(name)) skipped.push({ column: name, reason: "excluded (--exclude)" });
    else if (name.trim() === "") skipped.push({ column: `#${j + 1}`, reason: "no name in the header (a row index?)" });
    else indexes.push(j);
  });
  if (indexes.length === 0) throw new AppError("BAD_REQUEST", `${source} has no sensor column left besides the time column and the excluded ones.`);
  const columns = indexes.map((j) => header[j]!);

  const times: string[] = [];
  const rows: SensorRow[] = [];
  let missingCells = 0;
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    times.push(record[timeIndex]!);
    const row: (number | null)[] = [];
    for (const j of indexes) {
      const cell = record[j]!.trim();
      if (MISSING.has(cell.toLowerCase())) {
        row.push(null);
        missingCells++;
        continue;
      }
      if (!NUMBER.test(cell)) {
        const where = `${source} line ${info.lines}, column "${header[j]}"`;
        if (/^[+-]?\d*,\d+$/.test(cell)) throw new AppError("BAD_REQUEST", `${where}: "${cell}" uses a decimal comma; write decimals with a point (${cell.replace(",", ".")}).`);
        throw new AppError("BAD_REQUEST", `${where}: "${cell}" is not a number; sensor columns must be numeric (leave it out with --exclude "${header[j]}").`);
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) throw new AppError("BAD_REQUEST", `${source} line ${info.lines}, column "${header[j]}": "${cell}" is out of the range of a number.`);
      row.push(value);
    }
    rows.push(row);
  }
  return { delimiter, timeColumn: opts.timeColumn, times, columns, rows, skipped, missingCells };
}
