// `ecomate rul` end to end: the real CLI in a child process on C-MAPSS-shaped files (contracts.md).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meanLifeBaseline } from "../../src/server/predictions/rul/predict-rul";
import { readTable } from "../../src/server/predictions/rul/read-table";
import { generateCmapssLike, rmse, type SyntheticData } from "../../src/server/predictions/rul/synthetic-cmapss";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../../bin/ecomate.mjs");
let dir: string;
let data: SyntheticData;

async function ecomate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, LOG_LEVEL: "warn" }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

function readOutput(p: string): { unit: string; rul: number }[] {
  const [head, ...rows] = fs.readFileSync(p, "utf8").trimEnd().split("\n");
  expect(head).toBe("unit,rul");
  return rows.map((r) => {
    expect(r).toMatch(/^[^,]+,\d+(\.\d{1,2})?$/);
    const [unit, rul] = r.split(",");
    return { unit: unit!, rul: Number(rul) };
  });
}

/** The same units as a CSV with a header, unit names "ESN-<n>", a text column, test units in reverse order. */
function toCsv(text: string, reverse: boolean): string {
  const rows = text.split("\n").filter((l) => l.trim() !== "").map((l) => l.trim().split(/\s+/));
  const byUnit = new Map<string, string[][]>();
  for (const r of rows) byUnit.set(r[0]!, [...(byUnit.get(r[0]!) ?? []), r]);
  const units = [...byUnit.keys()];
  if (reverse) units.reverse();
  const header = ["engine", "cycle", "alt", "mach", "tra", ...Array.from({ length: 21 }, (_v, i) => `s${i + 1}`), "note"].join(",");
  return header + "\n" + units.flatMap((u) => byUnit.get(u)!.map((r) => [`ESN-${r[0]}`, ...r.slice(1), "checked, ok"].map((c) => (c.includes(",") ? `"${c}"` : c)).join(","))).join("\n") + "\n";
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-rul-"));
  data = generateCmapssLike({ seed: 11, trainUnits: 40, testUnits: 20 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("ecomate rul", () => {
  it("predicts C-MAPSS-style header-less files: unit,rul in test order, far better than the mean-life baseline", async () => {
    const train = file("train_FD001.txt", data.train);
    const test = file("test_FD001.txt", data.test);
    const out = path.join(dir, "rul.csv");
    const r = await ecomate(["rul", "--train", train, "--test", test, "--unit-column", "c1", "--time-column", "c2", "--output", out]);
    expect(r.stderr).toContain("20 test units predicted");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const predicted = readOutput(out);
    expect(predicted.map((p) => p.unit)).toEqual(Array.from({ length: 20 }, (_v, i) => String(i + 1)));
    const baseline = meanLifeBaseline({ train: readTable(data.train, "train"), test: readTable(data.test, "test"), unitColumn: "c1", timeColumn: "c2" });
    const ours = rmse(predicted, data.truth);
    expect(ours).toBeLessThan(26);
    expect(ours).toBeLessThan(0.6 * rmse(baseline, data.truth));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 120_000);

  it("reads CSV with a header, leaves out --exclude columns (comma-separated or repeated) and gives the same predictions", async () => {
    const headerless = readOutput(path.join(dir, "rul.csv"));
    const train = file("train.csv", toCsv(data.train, false));
    const test = file("test.csv", toCsv(data.test, true));
    const without = await ecomate(["rul", "--train", train, "--test", test, "--unit-column", "engine", "--time-column", "cycle", "--output", path.join(dir, "x.csv")]);
    expect(without.code).not.toBe(0);
    expect(without.stderr.trim()).toBe('ecomate: train.csv line 2, column note: "checked, ok" is not a number.');
    const r = await ecomate(["rul", "--train", train, "--test", test, "--unit-column", "engine", "--time-column", "cycle", "--exclude", "note,s1", "--exclude", "s5", "--output", "-"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("unit,rul");
    // units verbatim, in order of first appearance (the test file lists them in reverse)
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(Array.from({ length: 20 }, (_v, i) => `ESN-${20 - i}`));
    // s1 and s5 are constant sensors and the note is text: the model sees the same data as before
    const byUnit = new Map(lines.slice(1).map((l) => [l.split(",")[0]!.slice(4), Number(l.split(",")[1])]));
    for (const p of headerless) expect(byUnit.get(p.unit)).toBe(p.rul);
  }, 120_000);

  describe("bad input exits non-zero with one line naming the problem and leaves the output alone", () => {
    const trainText = () => generateCmapssLike({ seed: 2, trainUnits: 3, testUnits: 2 }).train;
    const cases: { name: string; train?: () => string; test: () => string; args?: string[]; message: string }[] = [
      { name: "unknown column", test: () => data.test, args: ["--time-column", "cycle"], message: '--time-column "cycle" is not a column of train.txt' },
      { name: "unknown --exclude column", test: () => data.test, args: ["--exclude", "c99"], message: '--exclude "c99" is not a column of train.txt' },
      {
        name: "non-numeric cell",
        test: () => data.test.split("\n").map((l, i) => (i === 2 ? l.replace(/^(\S+ \S+ \S+ \S+ \S+ \S+) \S+/, "$1 abc") : l)).join("\n"),
        message: 'test.txt line 3, column c7: "abc" is not a number.',
      },
      { name: "empty test file", test: () => "\n  \n", message: "test.txt is empty" },
      { name: "test file with a header and no rows", train: () => "u,t,a\nA,1,1\nA,2,2\n", test: () => "u,t,a\n", args: ["--unit-column", "u", "--time-column", "t"], message: "test.txt has no data rows" },
      { name: "test rows with fewer columns than training", test: () => data.test.split("\n").map((l) => l.replace(/ \S+ *$/, "  ")).join("\n"), message: "test.txt has 25 columns, but train.txt has 26" },
      { name: "a row shorter than the others", test: () => data.test.split("\n").map((l, i) => (i === 4 ? l.replace(/ \S+ *$/, "") : l)).join("\n"), message: "test.txt line 5 has 25 columns, but the first line has 26." },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const train = file("train.txt", (c.train ?? trainText)());
        const test = file("test.txt", c.test());
        const out = file("kept.csv", "previous\n");
        const args = ["--unit-column", "c1", "--time-column", "c2", ...(c.args ?? [])];
        const r = await ecomate(["rul", "--train", train, "--test", test, ...args, "--output", out]);
        expect(r.code).not.toBe(0);
        expect(r.stdout).toBe("");
        const lines = r.stderr.trim().split("\n");
        expect(lines[lines.length - 1]).toContain(c.message);
        expect(lines.filter((l) => l.startsWith("ecomate:"))).toHaveLength(1);
        expect(fs.readFileSync(out, "utf8")).toBe("previous\n");
      }, 60_000);
    }
  });
});
