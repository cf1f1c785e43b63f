// npm run bench:ingest — HTTP ingest throughput, readings/s committed, against a raw COPY of the same
// rows into an identical table in the same run (shared/docs/benchmarks.md).
//   flags: --batches N (per round, default 300) --rounds R (default 5) --concurrency C (default 8) --devices D (default 8)
import { spawn, spawnSync } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { createDbState } from "../../src/server/db";
import { buildReason } from "../lib/build-state";
import { backendPids, cpuTicks, figure, flag, machineLine, machineTicks, progress, scratchDatabase, stats, runBench, closeBench } from "./common";
import { buildBodies, copyBaseline, createBenchFleet, createCopyTable, SERIES_PER_DEVICE } from "./fleet";
import { freePort } from "../lib/mosquitto";

const root = path.resolve(import.meta.dirname, "../..");
const BATCH = 1000;
const batchesPerRound = flag("batches", 300);
const rounds = flag("rounds", 5);
const concurrency = flag("concurrency", 8);
const deviceCount = flag("devices", 8);



async function main() {
  console.log(machineLine());
  const scratch = await scratchDatabase("ecomate_bench_ingest");
  const { db, pool } = createDbState(scratch.url, 4);
  let app: ReturnType<typeof spawn> | undefined;
  try {
    const devices = await createBenchFleet(db, deviceCount);
    const totalBatches = batchesPerRound * (rounds + 1);
    // each batch is 1,000 readings of one device (20 series x 50 timestamps, 1 s apart), live data:
    // the whole run covers the recent past up to ten minutes ago, as devices pushing readings would
    const spanMs = Math.ceil(totalBatches / deviceCount) * (BATCH / SERIES_PER_DEVICE) * 1000;
    const bodies = buildBodies(totalBatches, deviceCount, BATCH / SERIES_PER_DEVICE, Date.now() - spanMs - 10 * 60_000);

    // The app: a production build, started as `npm start` does, on a free port against the scratch database.
    const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
    if (buildReason(root)) {
      progress("building the app (next build)…");
      const r = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
      if (r.status !== 0) throw new Error("next build failed");
    }
    const port = await freePort();
    app = spawn(process.execPath, ["--import", "tsx", "src/server/http/main.ts", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, NODE_ENV: "production", DATABASE_URL: scratch.url, MQTT_URL: "mqtt://127.0.0.1:1", NEXTAUTH_SECRET: randomBytes(16).toString("hex"), LOG_LEVEL: "warn" },
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const post = (i: number) =>
      new Promise<{ status: number; accepted: number }>((resolve, reject) => {
        const { device, body } = bodies[i]!;
        const req = http.request(
          { host: "127.0.0.1", port, path: "/api/ingest", method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${devices[device]!.token}`, "content-length": body.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString();
              if (res.statusCode !== 202 && res.statusCode !== 429) console.error(text.slice(0, 300));
              resolve({ status: res.statusCode ?? 0, accepted: res.statusCode === 202 ? (JSON.parse(text) as { accepted: number }).accepted : 0 });
            });
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    for (let i = 0; i < 100; i++) {
      try {
        const r = await new Promise<number>((resolve) => http.get({ host: "127.0.0.1", port, path: "/api/health" }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on("error", () => resolve(0)));
        if (r) break;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }

    async function runRound(first: number, count: number): Promise<{ seconds: number; accepted: number; rejected: number }> {
      let next = first;
      let accepted = 0;
      let rejected = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < first + count) {
            const i = next++;
            for (;;) {
              const r = await post(i);
              if (r.status === 202) { accepted += r.accepted; break; }
              if (r.status === 429 || r.status === 503) { await new Promise((res) => setTimeout(res, 20)); continue; }
              if (rejected++ === 0) console.error(`first rejection: HTTP ${r.status}`);
              break;
            }
          }
        }),
      );
      return { seconds: Number(process.hrtime.bigint() - started) / 1e9, accepted, rejected };
    }

    // Baseline: COPY of the same rows into an identical table (same primary key index), same database,
    // right after each HTTP round, so that the noise of this shared machine hits both alike.
    await createCopyTable(pool);
    const copyRound = (round: number) =>
      copyBaseline(
        scratch.url,
        bodies.slice(round * batchesPerRound, (round + 1) * batchesPerRound).map((b) => b.rows),
        batchesPerRound * BATCH,
      );
    const appPid = app.pid!;
    const cpu = async () => ({
      bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e4, // µs -> ticks of 1/100 s
      app: cpuTicks(appPid),
      postgres: new Map((await backendPids(pool)).map((pid) => [pid, cpuTicks(pid)])),
      machine: machineTicks(),
    });
    type CpuSample = Awaited<ReturnType<typeof cpu>>;

    // warm-up round (not counted), then measured rounds
    await runRound(0, batchesPerRound);
    await copyRound(0);
    const httpRates: number[] = [];
    const copyRates: number[] = [];
    const ratios: number[] = [];
    const measured: { start: CpuSample; end: CpuSample }[] = [];
    for (let r = 1; r <= rounds; r++) {
      const start = await cpu();
      const res = await runRound(r * batchesPerRound, batchesPerRound);
      measured.push({ start, end: await cpu() });
      if (res.rejected) throw new Error(`${res.rejected} batches were rejected`);
      const rate = res.accepted / res.seconds;
      const copyRate = await copyRound(r);
      httpRates.push(rate);
      copyRates.push(copyRate);
      ratios.push(rate / copyRate);
      progress(`round ${r}/${rounds}: http ${rate.toFixed(0)} readings/s committed, copy ${copyRate.toFixed(0)} rows/s`);
    }
    const stored = Number((await pool.query("SELECT count(*) AS n FROM telemetry_reading")).rows[0].n);
    const expected = totalBatches * BATCH;
    if (stored !== expected) throw new Error(`stored ${stored} readings, expected ${expected}`);

    // CPU per process during the HTTP rounds, in cores (ticks of 1/100 s per second of wall time)
    const wall = measured.reduce((n, c) => n + (c.end.machine.total - c.start.machine.total), 0) / os.cpus().length;
    const share = (pick: (s: CpuSample) => number) => measured.reduce((n, c) => n + pick(c.end) - pick(c.start), 0) / wall;
    const postgresCores = measured.reduce((n, c) => {
      let ticks = 0;
      for (const [pid, end] of c.end.postgres) ticks += end - (c.start.postgres.get(pid) ?? 0);
      return n + ticks;
    }, 0) / wall;

    const h = stats(httpRates);
    const c = stats(copyRates);
    const q = stats(ratios);
    figure("ingest_http_median", h.median, "readings/s");
    figure("ingest_http_min", h.min, "readings/s");
    figure("ingest_http_max", h.max, "readings/s");
    figure("copy_baseline_median", c.median, "rows/s");
    figure("copy_baseline_min", c.min, "rows/s");
    figure("copy_baseline_max", c.max, "rows/s");
    figure("ratio_http_vs_copy", q.median, "x (median of the per-round ratios)", 2);
    figure("ratio_http_vs_copy_min", q.min, "x", 2);
    figure("ratio_http_vs_copy_max", q.max, "x", 2);
    figure("cpu_app", share((s) => s.app), "cores (the web server process)", 2);
    figure("cpu_postgres", postgresCores, "cores (backends of the scratch database)", 2);
    // CPU time per batch of 1,000 readings: steadier than the rates on a shared machine
    const batchesPerSecond = (rounds * batchesPerRound) / (wall / 100);
    figure("cpu_app_per_batch", (share((s) => s.app) * 1000) / batchesPerSecond, "ms of CPU per 1,000 readings", 2);
    figure("cpu_postgres_per_batch", (postgresCores * 1000) / batchesPerSecond, "ms of CPU per 1,000 readings", 2);
    figure("cpu_load_generator", share((s) => s.bench), "cores", 2);
    figure("cpu_machine_busy", share((s) => s.machine.busy), `cores of ${os.cpus().length} (everything on the machine, other users included)`, 2);
    figure("stored_readings", stored, "readings (all committed, none missing)");
    console.log(
      `summary: HTTP ingest ${h.median.toFixed(0)} readings/s committed (batches of ${BATCH}, ${concurrency} concurrent, ${deviceCount} devices, live timestamps, rollups and latest values included) = ${q.median.toFixed(2)} x raw COPY (${c.median.toFixed(0)} rows/s, paired per round); goal >= 100000/s and >= 0.5 x`,
    );
  } finally {
    await closeBench({ children: [app], db, pool, scratch });
  }
}

runBench(main);
