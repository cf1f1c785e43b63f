import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { AppError } from "@/server/errors";
import { predictRul } from "@/server/predictions/rul/predict-rul";
import { readTable, type RawTable } from "@/server/predictions/rul/read-table";
import { info } from "./output";

function readInput(file: string, flag: string): RawTable {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new AppError("BAD_REQUEST", `${flag} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  return readTable(text, path.basename(file));
}

/** RUL with up to 2 decimals: the unit of the time column, no float noise in the CSV. */
function formatRul(rul: number): string {
  return String(Math.round(rul * 100) / 100);
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes next to the target and renames, so a failed run never leaves a half-written file. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new AppError("BAD_REQUEST", `--output ${file} cannot be written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
}

export function registerRulCommand(program: Command): void {
  program
    .command("rul")
    .description("predict the remaining useful life of each test unit from run-to-failure training units (docs/predictions.md)")
    .requiredOption("--train <file>", "run-to-failure units: one row per unit and time step (CSV with a header, or header-less whitespace columns c1..cN)")
    .requiredOption("--test <file>", "units to predict, same columns; the prediction is for each unit's last row")
    .requiredOption("--unit-column <name>", "the column naming the unit (c1 in C-MAPSS files)")
    .requiredOption("--time-column <name>", "the time or cycle column (c2 in C-MAPSS files); RUL comes out in its units")
    .option("--exclude <names...>", "columns to leave out (comma-separated or repeated)")
    .requiredOption("--output <csv>", "where to write unit,rul (- for stdout)")
    .action((opts: { train: string; test: string; unitColumn: string; timeColumn: string; exclude?: string[]; output: string }) => {
      const started = performance.now();
      const exclude = (opts.exclude ?? []).flatMap((e) => e.split(",")).map((e) => e.trim()).filter((e) => e !== "");
      const train = readInput(opts.train, "--train");
      const test = readInput(opts.test, "--test");
      const result = predictRul({ train, test, unitColumn: opts.unitColumn, timeColumn: opts.timeColumn, exclude, log: info });
      const csv = "unit,rul\n" + result.predictions.map((p) => `${csvCell(p.unit)},${formatRul(p.rul)}\n`).join("");
      if (opts.output === "-") process.stdout.write(csv);
      else writeAtomically(opts.output, csv);
      info(`rul: ${result.predictions.length} test units predicted in ${((performance.now() - started) / 1000).toFixed(1)} s${opts.output === "-" ? "" : `; written to ${opts.output}`}`);
    });
}
