#!/usr/bin/env node
// `npm test`: unit, integration (real PostgreSQL + broker) and e2e (Debian's chromium) in turn,
// then one summary line. Uses DATABASE_URL / MQTT_URL when set, else embedded servers.
// Pass a stage name to run only some: `npm test -- unit integration`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = join(root, ".test-results");
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const wanted = process.argv.slice(2);
const stages = ["unit", "integration", "e2e"].filter((s) => wanted.length === 0 || wanted.includes(s));
const bin = (name) => join(root, "node_modules", ".bin", name);

function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(chromium)) return;
  if (process.getuid?.() !== 0) {
    console.error(`Chromium is missing at ${chromium}: install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.error("Installing Debian's chromium for the e2e tests…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const counts = { passed: 0, failed: 0, skipped: 0 };
let failedStages = [];

function vitestCounts(file) {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, "utf8"));
  // a suite that failed to load has no failed tests of its own: count it once
  const failed = r.numFailedTests || (r.success ? 0 : Math.max(1, r.numFailedTestSuites));
  return { passed: r.numPassedTests, failed, skipped: r.numPendingTests + r.numTodoTests };
}

function playwrightCounts(file) {
  if (!existsSync(file)) return null;
  const s = JSON.parse(readFileSync(file, "utf8")).stats;
  return { passed: s.expected + s.flaky, failed: s.unexpected, skipped: s.skipped };
}

for (const stage of stages) {
  console.error(`\n━━ ${stage} tests ━━`);
  let status;
  let stageCounts;
  if (stage === "e2e") {
    ensureChromium();
    status = spawnSync(bin("playwright"), ["test"], { stdio: "inherit", cwd: root }).status;
    stageCounts = playwrightCounts(join(results, "e2e.json"));
  } else {
    const out = join(results, `vitest-${stage}.json`);
    status = spawnSync(bin("vitest"), ["run", "--project", stage, "--reporter=default", "--reporter=json", `--outputFile=${out}`], { stdio: "inherit", cwd: root }).status;
    stageCounts = vitestCounts(out);
  }
  if (stageCounts) for (const k of Object.keys(counts)) counts[k] += stageCounts[k];
  if (status !== 0) {
    failedStages.push(stage);
    if (!stageCounts || stageCounts.failed === 0) counts.failed += 1; // the stage itself broke
  }
}

console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
if (failedStages.length) console.error(`failed stages: ${failedStages.join(", ")}`);
process.exit(failedStages.length ? 1 : 0);
