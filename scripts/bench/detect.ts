// npm run bench:detect — `ecomate detect` end to end (process start, CSV read, fit, score, CSV write) on a
// seeded SKAB-like recording, against a baseline run the same way in the same rounds: a plain per-column
// z-score detector (max |z| over the sensors, threshold from the training rows), in its own process.
// contracts.md: at most 30 s for a 10,000-row file.
//   flags: --rows N (default 10000) --train-rows N (default 1000) --rounds N (default 5)
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { evaluateDetection } from "../../src/server/predictions/detect/evaluate-detection";
import { makeSyntheticRecording, recordingToCsv } from "../../src/server/predictions/detect/make-synthetic-recording";
import { figure, flag, machineLine, progress, runBench, stats } from "./common";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "bin/ecomate.mjs");

/** The baseline detector, run by this same script as a child (`--baseline in out trainRows`). */
function baselineDetect(input: string, output: string, trainRows: number): void {
  const lines = fs.readFileSync(input, "utf8").split(/\r?\n/).filter(Boolean);
  const header = lines[0]!.split(";");
  const sensors = header.map((_, j) => j).filter((j) => j > 0 && !["anomaly", "changepoint"].includes(header[j]!));
  const rows = lines.slice(1).map((l) => l.split(";"));
  const values = rows.map((r) => sensors.map((j) => Number(r[j])));
  const train = values.slice(0, trainRows);
  const mean = sensors.map((_, k) => train.reduce((a, r) => a + r[k]!, 0) / train.length);
  const sd = sensors.map((_, k) => Math.sqrt(train.reduce((a, r) => a + (r[k]! - mean[k]!) ** 2, 0) / (train.length - 1)) || 1);
  const score = (r: number[]) => Math.max(...r.map((v, k) => Math.abs((v - mean[k]!) / sd[k]!)));
  const trainScores = train.map(score).sort((a, b) => a - b);
  const threshold = trainScores[Math.ceil(0.995 * trainScores.length) - 1]! * 1.25;
  const out = ["datetime,score,anomaly"];
  for (let i = trainRows; i < rows.length; i++) {
    const s = score(values[i]!);
    out.push(`${rows[i]![0]},${s.toPrecision(6)},${s > threshold ? 1 : 0}`);
  }
  fs.writeFileSync(output, out.join("\n") + "\n");
}

async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, args, { cwd: root, maxBuffer: 1 << 26 });
  return (performance.now() - started) / 1000;
}

function flagsOf(file: string): (0 | 1)[] {
  return fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => (l.endsWith(",1") ? 1 : 0));
}

async function main() {
  const rowCount = flag("rows", 10_000);
  const trainRows = flag("train-rows", 1000);
  const rounds = flag("rounds", 5);
  console.log(machineLine());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-bench-detect-"));
  try {
    const rec = makeSyntheticRecording({ seed: 1, rows: rowCount, trainRows, kinds: ["step", "drift", "decouple", "burst"] });
    const input = path.join(dir, "recording.csv");
    fs.writeFileSync(input, recordingToCsv(rec));
    const ours = path.join(dir, "detect.csv");
    const base = path.join(dir, "baseline.csv");
    const detectArgs = [bin, "detect", "--input", input, "--time-column", "datetime", "--train-rows", String(trainRows), "--exclude", "anomaly,changepoint", "--output", ours];
    const tsxCli = path.join(root, "node_modules/tsx/dist/cli.mjs");
    const baselineArgs = [tsxCli, path.join(root, "scripts/bench/detect.ts"), "--baseline", input, base, String(trainRows)];

    progress("warm-up");
    await timed(detectArgs);
    await timed(baselineArgs);
    const detectTimes: number[] = [];
    const baselineTimes: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      progress(`round ${r + 1} of ${rounds}`);
      const b = await timed(baselineArgs);
      const d = await timed(detectArgs);
      baselineTimes.push(b);
      detectTimes.push(d);
      ratios.push(d / b);
    }
    const d = stats(detectTimes);
    const b = stats(baselineTimes);
    const q = stats(ratios);
    const labels = rec.labels.slice(trainRows);
    const oq = evaluateDetection(labels, flagsOf(ours));
    const bq = evaluateDetection(labels, flagsOf(base));
    figure("detect_cli_median", d.median, `s (${rowCount} rows x ${rec.columns.length} sensors, ${trainRows} training rows, whole process)`, 2);
    figure("detect_cli_min", d.min, "s", 2);
    figure("detect_cli_max", d.max, "s", 2);
    figure("zscore_baseline_median", b.median, "s (per-column z-score, own process via tsx, same file)", 2);
    figure("zscore_baseline_min", b.min, "s", 2);
    figure("zscore_baseline_max", b.max, "s", 2);
    figure("ratio_detect_vs_baseline", q.median, "x (median of the per-round ratios)", 2);
    figure("detect_f1", oq.f1, `(false alarms ${(oq.falseAlarmRate * 100).toFixed(1)} %, labels of the synthetic recording)`, 3);
    figure("zscore_baseline_f1", bq.f1, `(false alarms ${(bq.falseAlarmRate * 100).toFixed(1)} %)`, 3);
    console.log(
      `summary: ecomate detect scored ${rowCount} rows x ${rec.columns.length} sensors in ${d.median.toFixed(2)} s median (${d.min.toFixed(2)}-${d.max.toFixed(2)} s, ${rounds} rounds, whole CLI process) = ${q.median.toFixed(2)} x a per-column z-score baseline (${b.median.toFixed(2)} s) in the same run; F1 ${oq.f1.toFixed(2)} vs ${bq.f1.toFixed(2)}; goal <= 30 s: ${d.max <= 30 ? "met" : d.median <= 30 ? "met at the median" : "NOT met"}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf("--baseline");
if (at >= 0) baselineDetect(process.argv[at + 1]!, process.argv[at + 2]!, Number(process.argv[at + 3]));
else runBench(main);
