// npm run bench:rul — `ecomate rul` end to end (the real CLI in a child process: read, features,
// boosted trees, CSV) on 20,000 training rows x 26 columns of C-MAPSS-like data, against a baseline
// in the same run: ml-random-forest with default options on the same features, trained on a fixed
// sample (it is quadratic in rows, ~85 s per tree at 20,000; its time is extrapolated to the full
// set and the output says so). Both are scored by RMSE on the same held-out units.
// Goal (contracts.md): <= 5 minutes for 20,000 training rows.
//   flags: --rows N (training rows, default 20000) --units U (test units, default 100) --rounds R (default 3)
//          --sample S (rows for the forest, default 1000) --conditions 1|6 (default 1) --seed K (default 7)
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { RandomForestRegression } from "ml-random-forest";
import { buildRulDataset, meanLifeBaseline } from "../../src/server/predictions/rul/predict-rul";
import { readTable } from "../../src/server/predictions/rul/read-table";
import { generateCmapssLike, nasaScore, rmse, type SyntheticData } from "../../src/server/predictions/rul/synthetic-cmapss";
import { figure, flag, machineLine, mulberry32, progress, runBench, stats } from "./common";

const rows = flag("rows", 20_000);
const testUnits = flag("units", 100);
const rounds = flag("rounds", 3);
const sample = flag("sample", 1_000);
const conditions = flag("conditions", 1) === 6 ? 6 : 1;
const seed = flag("seed", 7);
const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/ecomate.mjs");

/** Enough whole run-to-failure units for at least `rows` training rows. */
function dataset(): SyntheticData {
  let units = Math.ceil(rows / 180);
  for (;;) {
    const d = generateCmapssLike({ seed, trainUnits: units, testUnits, conditions });
    if (d.trainRows >= rows) {
      // keep whole units up to the first that reaches `rows`
      const lines = d.train.split("\n");
      let end = rows;
      const unitOf = (l: string) => l.slice(0, l.indexOf(" "));
      while (end < lines.length && lines[end] !== "" && unitOf(lines[end]!) === unitOf(lines[rows - 1]!)) end++;
      return { ...d, train: lines.slice(0, end).join("\n") + "\n", trainRows: end };
    }
    units += 10;
  }
}

async function cli(trainFile: string, testFile: string, out: string): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [bin, "rul", "--train", trainFile, "--test", testFile, "--unit-column", "c1", "--time-column", "c2", "--output", out], { maxBuffer: 1 << 24 });
  return (performance.now() - started) / 1000;
}

function readPredictions(file: string): { unit: string; rul: number }[] {
  return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(1).map((l) => ({ unit: l.split(",")[0]!, rul: Number(l.split(",")[1]) }));
}

async function main() {
  console.log(machineLine());
  const d = dataset();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-rul-"));
  try {
    const trainFile = path.join(dir, "train.txt");
    const testFile = path.join(dir, "test.txt");
    const out = path.join(dir, "rul.csv");
    fs.writeFileSync(trainFile, d.train);
    fs.writeFileSync(testFile, d.test);
    console.log(`data: ${d.trainRows} training rows x 26 columns (${new Set(d.train.split("\n").filter(Boolean).map((l) => l.split(" ")[0])).size} run-to-failure units), ${testUnits} held-out test units, ${conditions} operating condition(s), seed ${seed}`);

    progress("warm-up run of ecomate rul");
    await cli(trainFile, testFile, out);
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      progress(`round ${r + 1}/${rounds}: ecomate rul`);
      times.push(await cli(trainFile, testFile, out));
    }
    const ours = readPredictions(out);
    const t = stats(times);

    // baseline: the same features, ml-random-forest with default options on a fixed sample of rows
    progress(`baseline: ml-random-forest on a ${sample}-row sample`);
    const train = readTable(d.train, "train.txt");
    const test = readTable(d.test, "test.txt");
    const data = buildRulDataset({ train, test, unitColumn: "c1", timeColumn: "c2" });
    const random = mulberry32(1234);
    const n = data.y.length;
    const picked = new Set<number>();
    while (picked.size < Math.min(sample, n)) picked.add(Math.floor(random() * n));
    const row = (x: Float64Array, i: number) => Array.from(x.subarray(i * data.width, (i + 1) * data.width));
    const sx = [...picked].map((i) => row(data.x, i));
    const sy = [...picked].map((i) => data.y[i]!);
    const started = performance.now();
    const forest = new RandomForestRegression({});
    forest.train(sx, sy);
    const forestSeconds = (performance.now() - started) / 1000;
    const testRows = data.testUnits.map((_u, i) => row(data.testX, i));
    const forestPredictions = data.testUnits.map((unit, i) => ({ unit, rul: Math.max(0, forest.predict([testRows[i]!])[0]!) }));
    const nEstimators = (forest.toJSON() as { baseModel: { nEstimators: number } }).baseModel.nEstimators;
    const extrapolated = forestSeconds * (n / sy.length) ** 2;
    const naive = meanLifeBaseline({ train, test, unitColumn: "c1", timeColumn: "c2" });
    if (process.stderr.isTTY) process.stderr.write("\n");

    figure("rul_cli_seconds_median", t.median, `s (ecomate rul, ${d.trainRows} training rows, process start to CSV written; min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)}, ${rounds} rounds after a warm-up)`, 1);
    figure("rul_rmse", rmse(ours, d.truth), `cycles on ${testUnits} held-out units (RUL target capped at ${data.cap.toFixed(1)})`, 2);
    figure("rul_nasa_score", nasaScore(ours, d.truth), "(PHM08 asymmetric score, lower is better)", 0);
    figure("baseline_forest_train_seconds_measured", forestSeconds, `s (ml-random-forest defaults, ${nEstimators} trees, on a fixed ${sy.length}-row sample of the same ${data.width} features)`, 1);
    figure("baseline_forest_train_seconds_extrapolated", extrapolated, `s EXTRAPOLATED, not run: measured x (${n} / ${sy.length})^2, training is quadratic in rows (shared/docs/environment.md)`, 0);
    figure("baseline_forest_rmse", rmse(forestPredictions, d.truth), `cycles on the same units (trained on the ${sy.length}-row sample)`, 2);
    figure("baseline_forest_nasa_score", nasaScore(forestPredictions, d.truth), "", 0);
    figure("baseline_mean_life_rmse", rmse(naive, d.truth), "cycles (mean training life minus elapsed cycles)", 2);
    figure("ratio_forest_over_ours", extrapolated / t.median, "x (extrapolated forest training on the full set / our whole CLI run)", 1);
    console.log(
      `summary: ecomate rul takes ${t.median.toFixed(1)} s (median) for ${d.trainRows} training rows x 26 columns, RMSE ${rmse(ours, d.truth).toFixed(1)} vs ml-random-forest ${rmse(forestPredictions, d.truth).toFixed(1)} (its ${sy.length}-row sample; the full set would take ~${(extrapolated / 60).toFixed(0)} min, extrapolated) and ${rmse(naive, d.truth).toFixed(1)} for mean life minus age; goal <= 300 s: ${t.median <= 300 ? "met" : "NOT met"}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
