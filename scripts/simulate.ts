/**
 * Fleet telemetry simulator (domain.md §7): the demo fleet's readings over HTTP ingest or MQTT.
 *
 *   npm run simulate -- [--systems N] [--rate R] [--via mqtt|http] [--backfill 30d] [--live]
 *                       [--seed S] [--labels <file>] [--url http://localhost:3000]
 *                       [--mqtt-url mqtt://127.0.0.1:1884] [--devices <demo-devices.json>]
 *                       [--failure-rate 0.5] [--state <file> | --no-state] [--dry-run]
 *
 * Without --backfill it runs live (what `npm run demo` starts): all demo systems at their natural
 * sampling (10 s / 60 s / 5 min per series), over MQTT when a broker URL is known (MQTT_URL or the
 * running demo), else HTTP. With --backfill it first generates that much history at full speed
 * (1,000 readings per HTTP request, 100 per MQTT message) and exits, or goes live with --live.
 * Ground-truth labels of injected and natural failures are appended to the labels file as JSON
 * lines (the last line per id is the current truth). Logs and progress go to stderr.
 * Over MQTT (not HTTP) each device also takes the platform's setpoint commands (pump_speed,
 * uv_power) on its commands topic and acknowledges them.
 */
import { CommanderError } from "commander";
import { parseCoreEnv } from "@/server/env/core";
import { isProcessAlive } from "@/server/infra/runtime-file";
import { moduleLogger } from "@/server/logger";
import { readDemoRuntime, resolveOptions } from "./lib/simulator/options";
import { runSimulator } from "./lib/simulator/runner";

const log = moduleLogger("simulator");

async function main(): Promise<number> {
  const dataDir = parseCoreEnv().ECOMATE_DATA_DIR;
  let options;
  try {
    options = resolveOptions(process.argv.slice(2), { env: process.env, dataDir, runtime: readDemoRuntime(dataDir, isProcessAlive) });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander printed the message (or the help)
    process.stderr.write(`simulate: ${(error as Error).message}\n`);
    return 2;
  }

  const controller = new AbortController();
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write("simulate: stopping now\n");
      process.exit(130);
    }
    log.info({ signal }, "stopping: flushing queued readings and saving the state");
    controller.abort();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const summary = await runSimulator(options, {
    log,
    signal: controller.signal,
    progress: (line, final) => {
      if (tty) process.stderr.write(`\r${line}\x1b[K${final ? "\n" : ""}`);
      else if (final || Date.now() - lastLine >= 10_000) {
        lastLine = Date.now();
        process.stderr.write(`${line}\n`);
      }
    },
  });
  log.info(
    { generated: summary.generated, sent: summary.sent, labels: summary.labels, seconds: Number(summary.seconds.toFixed(1)), readingsPerSecond: Math.round(summary.generated / Math.max(summary.seconds, 1e-3)) },
    "simulator stopped",
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.fatal({ err: error }, "simulator failed");
    process.stderr.write(`simulate: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
