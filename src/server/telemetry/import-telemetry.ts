/**
 * `ecomate import telemetry <file.csv> --system <code>` (contracts.md "CLI"): one system's readings
 * from a CSV file -> the HTTP ingest rules (`validateReadings`) -> the telemetry store.
 *
 * Formats, told apart by the header:
 * - long: columns `ts`, `metric`, `value` and optionally `component` and `unit`, in any order (so an
 *   `ecomate export telemetry` file imports as it is);
 * - wide: a time column (the first one, or `timeColumn`), then one column per `metric` or
 *   `component/metric`.
 * Separator `,` or `;` (whichever the header line has more of). `ts` cells are ISO-8601 with a zone
 * or epoch milliseconds, as in HTTP ingest. Empty value cells are missing readings and are skipped.
 * Values must be plain decimal numbers with a point (`12.5`, `1e-7`): a decimal comma is an error,
 * never a guess. Line numbers in messages are the file's lines, the header being line 1.
 *
 * Error policy: all-or-nothing per file, like HTTP ingest is per request. A first pass streams the
 * whole file and validates every reading (the 5-minute future rule and each metric's retention
 * apply, with `now` = the import's start); if anything is wrong it reports the first
 * MAX_REPORTED_PROBLEMS problems with line and column plus the counts, keeps a dead letter, and
 * stores nothing. Only a clean file is read a second time and stored in batches of STORE_BATCH.
 * That second pass is not one transaction (a 1 GB file is not held in one), so a database failure
 * midway leaves a prefix stored; the store is idempotent, so running the import again completes it
 * and counts what is already there as duplicates.
 *
 * Memory stays flat for any file size: both passes stream; a stream input (stdin) is spooled to a
 * temporary file during the first pass so that it can be read twice.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CsvError, parse as parseCsv } from "csv-parse";
import type pg from "pg";
import { AppError } from "@/server/errors";
import { validateReadings, type IngestCatalogue, type ItemErrorField, type ValidReading } from "@/server/telemetry/ingest-contract";
import { IngestDirectory } from "@/server/telemetry/ingest-directory";
import { StorageUnavailableError, TelemetryStore, type StoreResult } from "@/server/telemetry/store";
import { recordDeadLetter } from "@/server/telemetry/dead-letter";

/** Readings validated per call and stored per transaction. */
export const STORE_BATCH = 5_000;
/** Problems listed with line and column; the rest are only counted. */
export const MAX_REPORTED_PROBLEMS = 20;
// A header line longer than this is not a CSV header (binary data, or no line breaks at all).
const MAX_HEADER_BYTES = 1024 * 1024;

export type CsvDelimiter = "," | ";";
export type ImportFormat = "wide" | "long";

export type ImportSource =
  | { file: string; stream?: never; name?: string }
  /** Read once while validating; spooled to a temporary file for the second pass. */
  | { stream: AsyncIterable<Uint8Array>; file?: never; name?: string };

export type ImportInput = ImportSource & {
  systemCode: string;
  /** Only systems of this organisation (the CLI operator sees all). */
  organizationId?: string;
  /** The time column's name. Default: the first column (wide) or `ts` (long). */
  timeColumn?: string;
  /** The validation clock, epoch ms. Default: the import's start. */
  now?: number;
};

export interface ImportProgress {
  phase: "validate" | "store";
  /** Bytes of the file handed to the parser in this phase, and the file's size when known. */
  bytes: number;
  totalBytes: number | null;
  /** Data rows and readings read in this phase. */
  rows: number;
  readings: number;
  /** Store phase: the readings the validation found, for a percentage. */
  totalReadings: number | null;
  accepted: number;
  duplicates: number;
  /** Since this phase began. */
  elapsedMs: number;
}

export interface ImportHooks {
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportResult {
  system: string;
  format: ImportFormat;
  /** Data rows (non-empty lines after the header). */
  rows: number;
  /** Non-empty value cells: accepted + duplicates. */
  readings: number;
  accepted: number;
  duplicates: number;
}

/** One problem in the file. `line` is the file's line (header = 1); `column` the header's name. */
export interface ImportProblem {
  line: number;
  column: string | null;
  message: string;
}

/** The file was refused: nothing was stored. */
export class ImportRejectedError extends AppError {
  constructor(
    message: string,
    /** The first MAX_REPORTED_PROBLEMS problems, in file order. */
    readonly problems: ImportProblem[],
    /** All problems, and the rows holding them. */
    readonly rejected: number,
    readonly rejectedRows: number,
  ) {
    super("BAD_REQUEST", message, { problems, rejected, rejectedRows });
    this.name = "ImportRejectedError";
  }
}

export function formatProblem(p: ImportProblem): string {
  return `line ${p.line}${p.column !== null ? `, column ${JSON.stringify(p.column)}` : ""}: ${p.message}`;
}

// ---------------------------------------------------------------------------------------------
// Pure parts: header -> layout, row -> contract items

/** `;` when the header line has more semicolons than commas (outside quotes), else `,`. */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine.charCodeAt(i);
    if (c === 34 /* " */) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 44) commas++;
    else if (c === 59) semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

export interface WideColumn {
  index: number;
  metric: string;
  component: string | null;
}

export type ImportLayout =
  | { format: "wide"; header: string[]; time: number; columns: WideColumn[] }
  | { format: "long"; header: string[]; time: number; metric: number; value: number; component: number; unit: number };

const LONG_COLUMNS = new Set(["ts", "metric", "value", "component", "unit"]);

/**
 * Reads the header: long when it has `metric` and `value` columns, wide otherwise. Every problem
 * of the header is collected (unknown metric or component columns are named) and thrown together.
 */
export function planImport(rawHeader: string[], catalogue: IngestCatalogue, opts: { timeColumn?: string; systemCode: string }): ImportLayout {
  const header = rawHeader.map((h) => h.trim());
  const problems: ImportProblem[] = [];
  const fail = (index: number | null, message: string) => problems.push({ line: 1, column: index === null ? null : (header[index] ?? ""), message });
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === "") fail(null, `column ${i + 1} has no name`);
    else if (seen.has(name)) fail(i, `column ${i + 1} repeats column ${seen.get(name)! + 1}`);
    else seen.set(name, i);
  });
  if (header.length < 2) {
    fail(null, `the header has ${header.length} column; expected a time column and metric columns, or ts,metric,value[,component] (separated by , or ;)`);
    throw rejectHeader(problems);
  }

  let layout: ImportLayout;
  if (seen.has("metric") && seen.has("value")) {
    const timeName = opts.timeColumn ?? "ts";
    const time = seen.get(timeName);
    if (time === undefined) fail(null, `the long format (metric and value columns) needs a ${JSON.stringify(timeName)} column: ts,metric,value[,component]${opts.timeColumn === undefined ? " (or name the time column: --time-column)" : ""}`);
    header.forEach((name, i) => {
      if (name !== "" && name !== timeName && !LONG_COLUMNS.has(name)) fail(i, `unexpected column in the long format ts,metric,value[,component]`);
    });
    layout = {
      format: "long",
      header,
      time: time ?? -1,
      metric: seen.get("metric")!,
      value: seen.get("value")!,
      component: seen.get("component") ?? -1,
      unit: seen.get("unit") ?? -1,
    };
  } else {
    let time = 0;
    if (opts.timeColumn !== undefined) {
      const t = seen.get(opts.timeColumn);
      if (t === undefined) fail(null, `there is no time column ${JSON.stringify(opts.timeColumn)}`);
      time = t ?? -1;
    }
    const columns: WideColumn[] = [];
    const series = new Map<string, number>();
    header.forEach((name, i) => {
      if (i === time || name === "" || seen.get(name) !== i) return;
      const parts = name.split("/");
      if (parts.length > 2 || parts.some((p) => p.trim() === "")) {
        fail(i, `a metric column is named "metric" or "component/metric"`);
        return;
      }
      const metric = parts[parts.length - 1]!.trim();
      const component = parts.length === 2 ? parts[0]!.trim() : null;
      if (!catalogue.metric(metric)) {
        fail(i, `unknown metric ${JSON.stringify(metric)}`);
        return;
      }
      if (component !== null && catalogue.component(component) === undefined) {
        fail(i, `unknown component ${JSON.stringify(component)} in system ${opts.systemCode}`);
        return;
      }
      const key = `${component ?? ""}/${metric}`;
      const other = series.get(key);
      if (other !== undefined) {
        fail(i, `column ${i + 1} is the same series as column ${other + 1}`);
        return;
      }
      series.set(key, i);
      columns.push({ index: i, metric, component });
    });
    layout = { format: "wide", header, time, columns };
  }
  if (problems.length) throw rejectHeader(problems);
  return layout;
}

function rejectHeader(problems: ImportProblem[]): ImportRejectedError {
  return new ImportRejectedError(
    `the header is not valid (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was imported. ${formatProblem(problems[0]!)}`,
    problems.slice(0, MAX_REPORTED_PROBLEMS),
    problems.length,
    1,
  );
}

// A plain decimal number with a point; Number() alone would also take "0x1A", "1_000"-less forms, " ", "".
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;
const EPOCH_MS = /^-?\d+(?:\.\d+)?$/;

/**
 * A value cell (non-empty, trimmed) -> a number (Number() is correctly rounded, so the float64 comes
 * back exactly as written), `true`/`false` for boolean metrics, or undefined when it is not one.
 */
export function parseValueCell(text: string): number | boolean | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return undefined;
}

/** Why parseValueCell refused `text`. */
export function valueCellProblem(text: string): string {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (DECIMAL_COMMA.test(text)) return `value ${shown} has a decimal comma; write numbers with a point (${text.replace(",", ".")})`;
  if (/^[+-]?(?:nan|inf|infinity)$/i.test(text)) return `value ${shown} is not a finite number`;
  return `value ${shown} is not a number (write numbers with a point, e.g. 12.5 or 1e-7)`;
}

/** A time cell (non-empty, trimmed) -> epoch ms when it is digits, else the string for the contract's ISO parser. */
export function tsCellValue(text: string): string | number {
  return EPOCH_MS.test(text) ? Number(text) : text;
}

/** An item for validateReadings plus where it came from. */
export interface RowSink {
  item(item: { metric: string; value: number | boolean; ts: string | number; component: string | null; unit?: string }, line: number, column: number): void;
  problem(line: number, column: number | null, message: string): void;
}

/**
 * One data row -> contract items (empty value cells skipped) or problems. Returns false for a blank
 * line (not a data row).
 */
export function convertRow(layout: ImportLayout, fields: string[], line: number, delimiter: CsvDelimiter, sink: RowSink): boolean {
  if (fields.length === 1 && fields[0]!.trim() === "") return false;
  const width = layout.header.length;
  if (fields.length !== width) {
    const hint = delimiter === "," && fields.length > width ? "; a decimal comma such as 12,5 splits a value in two: write 12.5" : "";
    sink.problem(line, null, `the row has ${fields.length} fields, the header has ${width}${hint}`);
    return true;
  }
  const tsText = fields[layout.time]!.trim();
  const ts = tsText === "" ? undefined : tsCellValue(tsText);

  if (layout.format === "wide") {
    let tsReported = false;
    for (const col of layout.columns) {
      const text = fields[col.index]!.trim();
      if (text === "") continue;
      if (ts === undefined) {
        if (!tsReported) sink.problem(line, layout.time, "the time is empty");
        tsReported = true;
        continue;
      }
      const value = parseValueCell(text);
      if (value === undefined) sink.problem(line, col.index, valueCellProblem(text));
      else sink.item({ metric: col.metric, value, ts, component: col.component }, line, col.index);
    }
    return true;
  }

  const valueText = fields[layout.value]!.trim();
  const metric = fields[layout.metric]!.trim();
  if (valueText === "") return true; // a missing reading
  if (metric === "") {
    sink.problem(line, layout.metric, "the metric is empty");
    return true;
  }
  if (ts === undefined) {
    sink.problem(line, layout.time, "the time is empty");
    return true;
  }
  const value = parseValueCell(valueText);
  if (value === undefined) {
    sink.problem(line, layout.value, valueCellProblem(valueText));
    return true;
  }
  const component = layout.component >= 0 ? fields[layout.component]!.trim() : "";
  const unit = layout.unit >= 0 ? fields[layout.unit]!.trim() : "";
  sink.item({ metric, value, ts, component: component === "" ? null : component, ...(unit === "" ? {} : { unit }) }, line, layout.value);
  return true;
}

/** The header column an item error belongs to. */
function errorColumn(layout: ImportLayout, field: ItemErrorField, itemColumn: number): number | null {
  if (field === "ts") return layout.time;
  if (layout.format === "wide") return field === "body" ? null : itemColumn;
  switch (field) {
    case "metric":
      return layout.metric;
    case "component":
      return layout.component >= 0 ? layout.component : null;
    case "unit":
      return layout.unit >= 0 ? layout.unit : null;
    case "value":
      return layout.value;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the file

interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Streams CSV records with their first line number. The separator comes from the header line, so
 * the first bytes are read before the parser is made.
 */
async function* readCsv(source: AsyncIterable<Uint8Array>, label: string, onBytes: (n: number) => void): AsyncGenerator<CsvRecord & { delimiter: CsvDelimiter }> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let newline = -1;
  while (newline < 0 && headBytes <= MAX_HEADER_BYTES) {
    const r = await it.next();
    if (r.done) break;
    const chunk = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    const at = chunk.indexOf(10);
    if (at >= 0) newline = headBytes + at;
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = Buffer.concat(head);
  if (newline < 0 && headBytes > MAX_HEADER_BYTES) {
    await it.return?.();
    throw new AppError("BAD_REQUEST", `the first line of "${label}" is over ${MAX_HEADER_BYTES / 1024 / 1024} MiB: this is not a CSV file with a header`);
  }
  const delimiter = detectDelimiter(first.subarray(0, newline < 0 ? first.length : newline).toString("utf8"));

  const parser = parseCsv({ delimiter, bom: true, relax_column_count: true, record_delimiter: ["\r\n", "\n"] });
  async function* bytes() {
    try {
      onBytes(first.length);
      yield first;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        onBytes(r.value.byteLength);
        yield r.value;
      }
    } finally {
      // stopped early (a bad header, an error): close the file
      await it.return?.();
    }
  }
  const feeding = pipeline(Readable.from(bytes()), parser);
  // The iteration below sees the same errors; this only keeps the promise from being unhandled.
  feeding.catch(() => undefined);

  let line = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line + 1;
      line = start;
      // A quoted field may span lines.
      for (const f of fields) for (let p = f.indexOf("\n"); p >= 0; p = f.indexOf("\n", p + 1)) line++;
      yield { fields, line: start, delimiter };
    }
  } catch (err) {
    if (err instanceof CsvError) throw new AppError("BAD_REQUEST", `"${label}" is not valid CSV near line ${typeof err.lines === "number" ? err.lines : line + 1}: ${err.message}`);
    throw err;
  } finally {
    parser.destroy();
  }
  await feeding;
}

/** Tees a stream into a file while it is read. */
async function* spoolTo(source: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const out = fs.createWriteStream(file);
  try {
    for await (const chunk of source) {
      if (!out.write(chunk)) await once(out, "drain");
      yield chunk;
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

function openFile(file: string): fs.ReadStream {
  return fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
}

async function statFile(file: string, label: string): Promise<fs.Stats> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT") throw new AppError("NOT_FOUND", `File "${label}" was not found.`);
    throw new AppError("BAD_REQUEST", `File "${label}" cannot be read: ${(err as Error).message}`);
  }
  if (!st.isFile()) throw new AppError("BAD_REQUEST", `"${label}" is not a file.`);
  return st;
}

// ---------------------------------------------------------------------------------------------
// The import

interface ScanState {
  layout: ImportLayout | null;
  rows: number;
  readings: number;
  accepted: number;
  duplicates: number;
  problems: (ImportProblem & { col: number })[];
  problemCount: number;
  badRows: number;
}

/**
 * Imports one CSV file of telemetry into one system: validates the whole file, then stores it.
 * Throws ImportRejectedError (nothing stored) for bad data, AppError for a missing system or file.
 */
export async function importTelemetry(pool: pg.Pool, input: ImportInput, hooks: ImportHooks = {}): Promise<ImportResult> {
  const now = input.now ?? Date.now();
  const label = input.name ?? (input.file !== undefined ? input.file : "stdin");

  const system = await pool.query<{ id: string; code: string }>(
    `SELECT id, code FROM "system" WHERE code = $1 AND ($2::text IS NULL OR organization_id = $2)`,
    [input.systemCode, input.organizationId ?? null],
  );
  const sys = system.rows[0];
  if (!sys) throw new AppError("NOT_FOUND", `System "${input.systemCode}" was not found. List systems with: ecomate systems list`);

  let file: string;
  let spoolDir: string | undefined;
  let size: number | null = null;
  let before: fs.Stats | undefined;
  if (input.file !== undefined) {
    file = input.file;
    before = await statFile(file, label);
    size = before.size;
  } else {
    spoolDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "ecomate-import-"));
    file = path.join(spoolDir, "input.csv");
  }

  try {
    // One snapshot of the catalogue for both passes (no change listener: the import is short-lived
    // next to catalogue changes, and a consistent view matters more).
    const catalogue = await new IngestDirectory(pool, "").catalogueFor(sys.id);
    const ctx: ScanContext = { label, catalogue, now, systemCode: sys.code, timeColumn: input.timeColumn, onProgress: hooks.onProgress };

    const firstPass = input.stream !== undefined ? spoolTo(input.stream, file) : openFile(file);
    const checked = await scan(firstPass, ctx, { phase: "validate", totalBytes: size, totalReadings: null, layout: null, store: null });
    if (checked.problemCount > 0) {
      const message = rejectionMessage(label, checked);
      await recordDeadLetter(pool, {
        deviceId: null,
        transport: "import",
        topic: `${sys.code} ${label}`,
        code: "invalid_rows",
        reason: message,
        payload: checked.problems.map(formatProblem).join("\n"),
      });
      throw new ImportRejectedError(message, checked.problems.map(({ line, column, message: m }) => ({ line, column, message: m })), checked.problemCount, checked.badRows);
    }
    if (!checked.layout) throw new AppError("BAD_REQUEST", `"${label}" is empty: expected a header line, e.g. ts,metric,value,component`);

    if (before) {
      const after = await statFile(file, label);
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw changedDuringImport(label);
    } else {
      size = (await fs.promises.stat(file)).size;
    }

    const store = new TelemetryStore(pool);
    const stored = await scan(openFile(file), ctx, {
      phase: "store",
      totalBytes: size,
      totalReadings: checked.readings,
      layout: checked.layout,
      store: (readings) => store.store(sys.id, readings),
    });
    if (stored.problemCount > 0 || stored.readings !== checked.readings) throw changedDuringImport(label);
    return {
      system: sys.code,
      format: checked.layout.format,
      rows: stored.rows,
      readings: stored.readings,
      accepted: stored.accepted,
      duplicates: stored.duplicates,
    };
  } catch (err) {
    if (err instanceof StorageUnavailableError) {
      throw new AppError("UNAVAILABLE", `${err.message}; run the import again: readings already stored count as duplicates`);
    }
    throw err;
  } finally {
    if (spoolDir) await fs.promises.rm(spoolDir, { recursive: true, force: true });
  }
}

function changedDuringImport(label: string): AppError {
  return new AppError("CONFLICT", `"${label}" changed during the import; run it again (readings already stored count as duplicates)`);
}

function rejectionMessage(label: string, s: ScanState): string {
  const first = s.problems[0];
  const rows = s.badRows === 1 ? "1 row" : `${s.badRows.toLocaleString("en")} rows`;
  const errors = s.problemCount === 1 ? "1 error" : `${s.problemCount.toLocaleString("en")} errors`;
  return `"${label}" has ${errors} in ${rows}; nothing was imported. First: ${first ? formatProblem(first) : "?"}`;
}

interface ScanContext {
  label: string;
  catalogue: IngestCatalogue;
  now: number;
  systemCode: string;
  timeColumn?: string;
  onProgress?: (p: ImportProgress) => void;
}

interface ScanPass {
  phase: "validate" | "store";
  totalBytes: number | null;
  totalReadings: number | null;
  /** The first pass plans it from the header; the second checks the header is the same. */
  layout: ImportLayout | null;
  /** null: validate only. */
  store: ((readings: ValidReading[]) => Promise<StoreResult>) | null;
}

type Item = Parameters<RowSink["item"]>[0];

/** One pass over the file: rows -> items -> validated chunks -> (second pass) the store. */
async function scan(source: AsyncIterable<Uint8Array>, ctx: ScanContext, pass: ScanPass): Promise<ScanState> {
  const started = performance.now();
  const state: ScanState = { layout: pass.layout, rows: 0, readings: 0, accepted: 0, duplicates: 0, problems: [], problemCount: 0, badRows: 0 };
  let bytes = 0;
  let items: Item[] = [];
  let itemLines: number[] = [];
  let itemColumns: number[] = [];
  let rowProblems: (ImportProblem & { col: number })[] = [];
  let rowsInChunk = 0;
  let lastBadLine = 0;
  // One batch is stored while the next is parsed; at most one in flight.
  let inflight: Promise<void> | null = null;

  const report = () =>
    ctx.onProgress?.({
      phase: pass.phase,
      bytes,
      totalBytes: pass.totalBytes,
      rows: state.rows,
      readings: state.readings,
      totalReadings: pass.totalReadings,
      accepted: state.accepted,
      duplicates: state.duplicates,
      elapsedMs: performance.now() - started,
    });

  const sink: RowSink = {
    item(item, line, column) {
      items.push(item);
      itemLines.push(line);
      itemColumns.push(column);
    },
    problem(line, column, message) {
      rowProblems.push({ line, col: column ?? -1, column: column === null ? null : (state.layout?.header[column] ?? null), message });
    },
  };

  const flush = async () => {
    const layout = state.layout!;
    const found = rowProblems;
    let readings: ValidReading[] | null = null;
    if (items.length) {
      const r = validateReadings(items, ctx.catalogue, ctx.now);
      if (r.ok) readings = r.readings;
      else {
        // Validate one at a time to get every error (the chunk's list is capped).
        for (let i = 0; i < items.length; i++) {
          const one = validateReadings([items[i]], ctx.catalogue, ctx.now);
          if (one.ok) continue;
          for (const e of one.errors) {
            const col = errorColumn(layout, e.field, itemColumns[i]!);
            found.push({ line: itemLines[i]!, col: col ?? -1, column: col === null ? null : (layout.header[col] ?? null), message: e.message });
          }
        }
      }
    }
    if (found.length) {
      found.sort((a, b) => a.line - b.line || a.col - b.col);
      let prev: (typeof found)[number] | undefined;
      for (const p of found) {
        // A bad time in a wide row fails every reading of the row: report it once.
        if (prev && prev.line === p.line && prev.col === p.col && prev.message === p.message) continue;
        prev = p;
        state.problemCount++;
        if (p.line !== lastBadLine) state.badRows++;
        lastBadLine = p.line;
        if (state.problems.length < MAX_REPORTED_PROBLEMS) state.problems.push(p);
      }
    }
    state.readings += items.length;
    items = [];
    itemLines = [];
    itemColumns = [];
    rowProblems = [];
    rowsInChunk = 0;
    if (readings && pass.store && state.problemCount === 0) {
      if (inflight) await inflight;
      const storing = pass.store(readings).then((r) => {
        state.accepted += r.accepted;
        state.duplicates += r.duplicates;
        report();
      });
      storing.catch(() => undefined); // awaited below or at the next batch
      inflight = storing;
    } else {
      report();
    }
  };

  let header = true;
  for await (const record of readCsv(source, ctx.label, (n) => (bytes += n))) {
    if (header) {
      header = false;
      if (state.layout) {
        if (record.fields.map((h) => h.trim()).join("\u0000") !== state.layout.header.join("\u0000")) throw new AppError("CONFLICT", "the file's header changed during the import");
      } else {
        state.layout = planImport(record.fields, ctx.catalogue, { timeColumn: ctx.timeColumn, systemCode: ctx.systemCode });
      }
      continue;
    }
    if (!convertRow(state.layout!, record.fields, record.line, record.delimiter, sink)) continue;
    state.rows++;
    rowsInChunk++;
    if (items.length >= STORE_BATCH || rowsInChunk >= STORE_BATCH) await flush();
  }
  if (state.layout) await flush();
  if (inflight) await inflight;
  return state;
}
