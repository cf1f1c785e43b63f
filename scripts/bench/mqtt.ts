// npm run bench:mqtt — MQTT ingest throughput, readings/s committed in Postgres, through Mosquitto with the
// project's config (deploy/mosquitto/ecomate.conf, dynamic security, on a free port) and the worker as a
// separate process (src/worker/index.ts, shared subscription), against a raw COPY of the same rows into an
// identical table in the same run (shared/docs/benchmarks.md). Zero lost and zero duplicated are checked.
//   flags: --messages M (of 100 readings, per round; default 4000) --rounds R (default 5) --devices D (default 20)
//          --connections K (MQTT connections per worker process, default 16) --workers W (worker processes, default 2)
//          --inflight I (unacknowledged QoS 1 publishes per device connection, default 16)
import os from "node:os";
import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { createDbState } from "../../src/server/db";
import { MQTT_SERVICE_USERNAME } from "../../src/server/env/mqtt-service";
import { startMosquitto, type MosquittoHandle } from "../lib/mosquitto";
import { startWorkerProcess, waitUntil, type WorkerProcess } from "./worker-process";
import { backendPids, cpuTicks, figure, flag, machineLine, machineTicks, progress, scratchDatabase, stats, runBench, closeBench } from "./common";

const PER_MESSAGE = 100; // readings per message: 20 series x 5 timestamps
const messagesPerRound = flag("messages", 4000);
const rounds = flag("rounds", 5);
const deviceCount = flag("devices", 20);
// Defaults: the best measured on the 2-core machine (one worker process is latency-bound: its batches commit
// one after another; a second process commits in parallel).
const connections = flag("connections", 16);
const workerCount = flag("workers", 2);
const inflight = flag("inflight", 16);


interface CpuSample { bench: number; worker: number; broker: number; postgres: Map<number, number>; machine: { busy: number; total: number } }

async function main() {
  // Modules that log are loaded after this (dynamic imports): one info line per registered device is noise here.
  process.env.LOG_LEVEL ??= "warn";
  const { buildBodies, copyBaseline, createBenchFleet, createCopyTable, SERIES_PER_DEVICE } = await import("./fleet");
  const { withDynsec } = await import("../../src/server/mqtt/mosquitto-dynsec");
  console.log(machineLine());
  const scratch = await scratchDatabase("ecomate_bench_mqtt");
  const { db, pool } = createDbState(scratch.url, 4);
  let mosquitto: MosquittoHandle | undefined;
  const workers: WorkerProcess[] = [];
  const publishers: MqttClient[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const client of publishers) await client.endAsync(true).catch(() => {});
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.exited));
      await mosquitto?.stop();
      delete process.env.MOSQUITTO_DYNSEC_URL;
      await closeBench({ db, pool, scratch });
    })());
  // Ctrl-C still removes the broker, the workers and the scratch database.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      progress(`${signal}: cleaning up…`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    mosquitto = await startMosquitto("ecomate.conf");
    const broker = mosquitto;
    process.env.MOSQUITTO_DYNSEC_URL = broker.adminUrl; // createDevice registers each device in Mosquitto
    const servicePassword = randomBytes(18).toString("hex");
    await withDynsec(broker.adminUrl, (dynsec) => dynsec.ensurePlatformUser(servicePassword));
    const mqttUrl = `mqtt://${MQTT_SERVICE_USERNAME}:${servicePassword}@127.0.0.1:${broker.port}`;

    // A small fleet, as in bench:ingest: one device per system, 20 series each.
    const devices = await createBenchFleet(db, deviceCount);

    // Pre-built payloads: message g goes to device g % D and holds 20 series x 5 timestamps (1 s apart). Timestamps
    // end a few minutes before now, like live data: the worker compacts raw readings older than a day
    // (src/worker/maintenance.ts), which must not move the benchmark's rows away.
    progress("building payloads…");
    const totalMessages = messagesPerRound * (rounds + 1);
    const spanMs = Math.ceil(totalMessages / deviceCount) * 5 * 1000;
    if (spanMs > 20 * 3_600_000) throw new Error("more than 20 h of data per device: use more --devices or fewer --messages/--rounds");
    const messages = buildBodies(totalMessages, deviceCount, PER_MESSAGE / SERIES_PER_DEVICE, Date.now() - spanMs - 10 * 60_000).map((m) => ({
      ...m,
      topic: `ecomate/v1/${devices[m.device]!.id}/telemetry`,
    }));

    // The worker(s), as in production, then wait until every connection holds its shared subscription.
    // Compaction and retention run in one worker of a fleet (src/server/env/worker.ts, WORKER_MAINTENANCE).
    for (let w = 0; w < workerCount; w++) {
      workers.push(startWorkerProcess(`bench${w}`, connections, { DATABASE_URL: scratch.url, MQTT_URL: mqttUrl, WORKER_MAINTENANCE: w === 0 ? "true" : "false" }));
    }
    await waitUntil(
      () => {
        const dead = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
        if (dead) throw new Error(`a worker exited during start:\n${dead.errors.join("\n")}`);
        return workers.every((w) => w.subscribed >= connections);
      },
      "the worker connections to subscribe",
      60_000,
    );

    // Devices: one MQTT 3.1.1 connection each (a device may only publish on its own topic), QoS 1.
    let publisherTrouble = 0;
    for (const [d, device] of devices.entries()) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
        clientId: `bench-device-${d}`,
        username: device.id,
        password: device.token,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 1_000,
      });
      client.on("offline", () => (publisherTrouble += 1));
      client.on("error", () => (publisherTrouble += 1));
      publishers.push(client);
    }

    // Committed readings: the 1-hour rollups are merged in the same statement as the raw rows (so they
    // count exactly what is committed) and hold a few hundred rows: far cheaper to poll than count(*).
    const committed = async () =>
      Number((await pool.query<{ n: string }>("SELECT coalesce(sum(count), 0)::bigint AS n FROM telemetry_rollup_1h")).rows[0]!.n);

    // Backends are sampled per pid at both ends of a round (the worker's pool keeps its connections).
    const cpu = async (): Promise<CpuSample> => {
      const usage = process.cpuUsage();
      return {
        bench: (usage.user + usage.system) / 1e4,
        worker: workers.reduce((n, w) => n + cpuTicks(w.child.pid!), 0),
        broker: cpuTicks(broker.pid),
        postgres: new Map((await backendPids(pool)).map((pid) => [pid, cpuTicks(pid)])),
        machine: machineTicks(),
      };
    };

    // A round ends when all its readings are committed, or when nothing more arrives for STALL_MS after the
    // last PUBACK to the devices: then readings were lost (the final checks count them).
    const STALL_MS = 15_000;
    async function runRound(round: number): Promise<{ seconds: number; publishSeconds: number; stalled: boolean; cpu: { start: CpuSample; end: CpuSample } }> {
      const first = round * messagesPerRound;
      const target = (round + 1) * messagesPerRound * PER_MESSAGE;
      const perDevice: number[][] = devices.map(() => []);
      for (let g = first; g < first + messagesPerRound; g++) perDevice[messages[g]!.device]!.push(g);
      const cpuStart = await cpu();
      const started = process.hrtime.bigint();
      let publishedAt = 0n;
      const publishing = Promise.all(
        perDevice.map(async (list, d) => {
          let next = 0;
          // `inflight` lanes per connection: at most that many publishes wait for their PUBACK.
          await Promise.all(
            Array.from({ length: inflight }, async () => {
              while (next < list.length) {
                const m = messages[list[next++]!]!;
                await publishers[d]!.publishAsync(m.topic, m.body, { qos: 1 });
              }
            }),
          );
        }),
      ).then(() => void (publishedAt = process.hrtime.bigint()));
      let failed: unknown;
      publishing.catch((err: unknown) => (failed = err));
      let seen = -1;
      let changedAt = Date.now();
      let stalled = false;
      for (;;) {
        if (failed) throw failed;
        const now = await committed();
        if (now >= target) break;
        if (now !== seen) [seen, changedAt] = [now, Date.now()];
        else if (publishedAt && Date.now() - changedAt > STALL_MS) {
          stalled = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const ended = process.hrtime.bigint();
      await publishing;
      return { seconds: Number(ended - started) / 1e9, publishSeconds: Number(publishedAt - started) / 1e9, stalled, cpu: { start: cpuStart, end: await cpu() } };
    }

    // Baseline: COPY of the same rows into an identical table (same primary key index), same database,
    // right after each MQTT round, so that the noise of this shared machine hits both alike.
    await createCopyTable(pool);
    const copyRound = (round: number) =>
      copyBaseline(
        scratch.url,
        messages.slice(round * messagesPerRound, (round + 1) * messagesPerRound).map((m) => m.rows),
        messagesPerRound * PER_MESSAGE,
      );

    // warm-up round (not counted), then measured rounds
    progress("warm-up round…");
    let stalled = (await runRound(0)).stalled;
    let publishedMessages = messagesPerRound;
    if (!stalled) await copyRound(0);
    const mqttRates: number[] = [];
    const publishRates: number[] = [];
    const copyRates: number[] = [];
    const ratios: number[] = [];
    const measured: { start: CpuSample; end: CpuSample }[] = [];
    for (let r = 1; r <= rounds && !stalled; r++) {
      const res = await runRound(r);
      publishedMessages += messagesPerRound;
      if (res.stalled) {
        stalled = true;
        console.error(`round ${r}: no progress for ${STALL_MS / 1000} s after the last PUBACK; readings were lost`);
        break;
      }
      const rate = (messagesPerRound * PER_MESSAGE) / res.seconds;
      const copyRate = await copyRound(r);
      mqttRates.push(rate);
      publishRates.push((messagesPerRound * PER_MESSAGE) / res.publishSeconds);
      copyRates.push(copyRate);
      ratios.push(rate / copyRate);
      measured.push(res.cpu);
      progress(`round ${r}/${rounds}: mqtt ${rate.toFixed(0)} readings/s committed, copy ${copyRate.toFixed(0)} rows/s`);
    }

    // Stop the worker(s) cleanly: the stop log carries the ingest counters (messages received, duplicates).
    await Promise.all(publishers.map((c) => c.endAsync()));
    publishers.length = 0;
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    const expected = publishedMessages * PER_MESSAGE;
    const stored = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM telemetry_reading")).rows[0]!.n);
    const rollup1m = Number((await pool.query<{ n: string }>("SELECT coalesce(sum(count), 0)::bigint AS n FROM telemetry_rollup_1m")).rows[0]!.n);
    const rollup1h = await committed();
    const deadLetters = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM ingest_dead_letter")).rows[0]!.n);
    const received = workers.reduce((n, w) => n + (w.stopped?.messages ?? NaN), 0);
    const batches = workers.reduce((n, w) => n + (w.stopped?.ingest.batches ?? NaN), 0);
    const retries = workers.reduce((n, w) => n + (w.stopped?.ingest.retries ?? NaN), 0);
    const batchedReadings = workers.reduce((n, w) => n + (w.stopped?.ingest.readings ?? NaN), 0);
    const duplicateReadings = workers.reduce((n, w) => n + (w.stopped?.ingest.duplicates ?? NaN), 0);
    const dropped = (broker.log().match(/Outgoing messages are being dropped/g) ?? []).length;
    const problems = workers.flatMap((w) => w.errors);
    if (problems.length) console.error(`worker warnings/errors:\n${problems.slice(0, 10).join("\n")}`);

    // CPU over the measured rounds, in cores (1.00 = one core busy the whole time).
    const wall = measured.reduce((n, c) => n + (c.end.machine.total - c.start.machine.total), 0) / os.cpus().length; // machine ticks -> ticks of wall time
    const share = (pick: (s: CpuSample) => number) => measured.reduce((n, c) => n + pick(c.end) - pick(c.start), 0) / wall;
    const postgresCores =
      measured.reduce((n, c) => n + [...c.end.postgres].reduce((t, [pid, ticks]) => t + ticks - (c.start.postgres.get(pid) ?? 0), 0), 0) / wall;
    const m = mqttRates.length ? stats(mqttRates) : { median: NaN, min: NaN, max: NaN };
    const p = publishRates.length ? stats(publishRates) : { median: NaN };
    const c = copyRates.length ? stats(copyRates) : { median: NaN, min: NaN, max: NaN };
    const lost = Math.max(0, expected - stored);
    // "Duplicated", strictly: a message delivered to the worker more than once (a redelivery after a reconnect),
    // a reading the store saw twice, or a reading counted twice in the table or its rollups. The primary key
    // and ON CONFLICT DO NOTHING absorb redeliveries, so the stored data can be exact while this is not 0.
    const redelivered = Math.max(0, received - publishedMessages);
    const storedTwice = Math.max(0, stored - expected) + Math.max(0, rollup1m - stored) + Math.max(0, rollup1h - stored);
    const duplicated = Math.max(redelivered * PER_MESSAGE, duplicateReadings) + storedTwice;
    if (mqttRates.length) {
      figure("ingest_mqtt_median", m.median, "readings/s");
      figure("ingest_mqtt_min", m.min, "readings/s");
      figure("ingest_mqtt_max", m.max, "readings/s");
      figure("broker_accept_median", p.median, "readings/s (PUBACK to devices; not committed)");
      figure("copy_baseline_median", c.median, "rows/s");
      figure("copy_baseline_min", c.min, "rows/s");
      figure("copy_baseline_max", c.max, "rows/s");
      figure("ratio_mqtt_vs_copy", m.median / c.median, "x (median / median)", 2);
      figure("ratio_mqtt_vs_copy_paired", stats(ratios).median, "x (median of the per-round ratios)", 2);
    }
    figure("published_readings", expected, "readings");
    figure("stored_readings", stored, "readings");
    figure("lost_readings", lost, "readings");
    figure("worker_received_messages", received, `messages (published ${publishedMessages})`);
    figure("redelivered_messages", redelivered, "messages");
    figure("duplicate_readings_seen_by_store", duplicateReadings, "readings (absorbed: not stored again)");
    figure("duplicate_readings_stored", storedTwice, "readings");
    figure("duplicated_readings", duplicated, "readings (delivered or stored more than once)");
    figure("rollup_counts_1m_1h", rollup1m === stored && rollup1h === stored ? 1 : 0, `(1 = both equal the stored readings: ${rollup1m}, ${rollup1h})`);
    figure("dead_letters", deadLetters, "messages");
    figure("broker_drop_warnings", dropped, "lines");
    figure("publisher_disconnects", publisherTrouble, "events");
    figure("worker_retries", retries, "batches retried (storage unavailable, deadlock)");
    figure("worker_batch_size", batchedReadings / batches, "readings per transaction (mean)");
    if (measured.length) {
      figure("cpu_worker", share((s) => s.worker), "cores", 2);
      figure("cpu_postgres", postgresCores, "cores (backends of the scratch database)", 2);
      figure("cpu_mosquitto", share((s) => s.broker), "cores", 2);
      figure("cpu_load_generator", share((s) => s.bench), "cores", 2);
      figure("cpu_machine_busy", share((s) => s.machine.busy), `cores of ${os.cpus().length} (everything on the machine, other users included)`, 2);
    }
    const ok = !stalled && lost === 0 && duplicated === 0 && stored === expected && deadLetters === 0 && rollup1m === stored;
    console.log(
      `summary: MQTT ingest ${mqttRates.length ? m.median.toFixed(0) : "-"} readings/s committed (median of ${mqttRates.length} rounds of ${messagesPerRound} messages x ${PER_MESSAGE} readings from ${deviceCount} devices; ` +
        `Mosquitto with deploy/mosquitto/ecomate.conf -> ${workerCount} worker process(es) x ${connections} connections -> Postgres, rollups and latest values included; ` +
        `everything on one ${os.cpus().length}-core machine) = ${(m.median / c.median).toFixed(2)} x raw COPY (${c.median.toFixed(0)} rows/s); lost ${lost}, duplicated ${duplicated}${ok ? "" : " (CHECK FAILED)"}; ` +
        `goal >= 50000/s, 0 lost, 0 duplicated: ${ok && m.median >= 50_000 ? "met" : "NOT met"}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

runBench(main);
