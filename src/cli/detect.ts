// `ecomate detect` (contracts.md): fit the anomaly detector on the first N rows of a CSV, score the
// rest, write `<time column>,score,anomaly`. No database. The output appears whole or not at all: it is
// written to a temporary file beside the target and renamed into place.
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { AppError } from "@/server/errors";
import { fitDetector, scoreRows } from "@/server/predictions/detect/pca-detector";
import { readSensorCsv } from "@/server/predictions/detect/read-sensor-csv";
import { info } from "./output";

export interface DetectOptions {
  input: string;
  timeColumn: string;
  trainRows: string;
  exclude?: string;
  output: string;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Six significant digits: enough to rank rows, short enough to read. */
function formatScore(score: number): string {
  return String(Number(score.toPrecision(6)));
}

export function runDetect(opts: DetectOptions): void {
  const started = performance.now();
  if (!/^\d+$/.test(opts.trainRows.trim())) throw new AppError("BAD_REQUEST", `--train-rows "${opts.trainRows}" is not a whole number of rows.`);
  const trainRows = Number(opts.trainRows);
  if (trainRows < 2) throw new AppError("BAD_REQUEST", `--train-rows ${trainRows} is too few: the detector needs at least 2 anomaly-free rows to learn from.`);
  const exclude = (opts.exclude ?? "").split(",").map((s) => s.trim()).filter(Boolean);

  let text: string;
  try {
    text = fs.readFileSync(opts.input, "utf8");
  } catch (err) {
    throw new AppError("BAD_REQUEST", `Cannot read --input ${opts.input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  const table = readSensorCsv(text, { timeColumn: opts.timeColumn, exclude, source: opts.input });
  const rows = table.rows.length;
  if (trainRows >= rows) throw new AppError("BAD_REQUEST", `--train-rows ${trainRows} leaves nothing to score: ${opts.input} has ${rows} data row(s). Give fewer training rows.`);
  for (const s of table.skipped) if (!exclude.includes(s.column)) info(`column ${s.column} left out: ${s.reason}`);

  const { model, notes } = fitDetector(table.columns, table.rows.slice(0, trainRows));
  for (const n of notes) info(n);
  const { scores, imputedCells } = scoreRows(model, table.rows.slice(trainRows), table.rows.slice(0, trainRows));
  if (imputedCells > 0) info(`${imputedCells} missing cell(s) in the scored rows replaced by the column's training median`);

  const lines: string[] = [`${csvCell(table.timeColumn)},score,anomaly`];
  let flagged = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    flagged += s.anomaly;
    lines.push(`${csvCell(table.times[trainRows + i]!)},${formatScore(s.score)},${s.anomaly}`);
  }
  writeWhole(opts.output, lines.join("\n") + "\n");
  info(
    `detect: ${model.used.length} sensor column(s), ${model.training.components} PCA component(s) (${(model.training.explainedVariance * 100).toFixed(0)} % of the variance), ` +
      `threshold ${model.threshold.toPrecision(4)} (${model.training.thresholdFrom}); ${flagged} of ${scores.length} rows flagged; ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
}

/** Writes to a temporary file in the target's directory, then renames it: readers never see half a file. */
function writeWhole(target: string, content: string): void {
  if (target === "-") {
    process.stdout.write(content);
    return;
  }
  const tmp = path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new AppError("BAD_REQUEST", `Cannot write --output ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
}

export function registerDetect(program: Command): void {
  program
    .command("detect")
    .description("anomaly detection on a sensor CSV: learn from the first N rows, score the rest (method: docs/predictions.md)")
    .requiredOption("--input <csv>", "the recording: `,` or `;` separated, with a header")
    .requiredOption("--time-column <name>", "the time column, copied verbatim to the output")
    .requiredOption("--train-rows <n>", "the first N rows are anomaly-free: the detector learns from them")
    .option("--exclude <a,b>", "columns to leave out (labels, ids), comma-separated")
    .requiredOption("--output <csv>", "where to write `<time column>,score,anomaly` (- for stdout)")
    .action((opts: DetectOptions) => runDetect(opts));
}
