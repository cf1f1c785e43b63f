import fs from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { AppError } from "@/server/errors";
import { EnvValidationError } from "@/server/env/core";
import { cliEnv } from "@/server/env/cli";
import { acquireDatabase, type AcquiredDatabase } from "@/server/infra/resolve-database";
import { closeDb, getPool, initDb, type Db } from "@/server/db";
import { prepareDatabase } from "@/server/db/prepare";
import { cliActor } from "@/server/audit";
import { listSystems } from "@/server/fleet/list-fleet";
import { createDevice, listDevices, revokeDevice, rotateDeviceToken } from "@/server/devices/manage-devices";
import { createUser, listUsers, resetPassword } from "@/server/users/manage-users";
import { exportTelemetry, type Resolution } from "@/server/telemetry/export-telemetry";
import { formatProblem, importTelemetry, ImportRejectedError, type ImportProgress } from "@/server/telemetry/import-telemetry";
import { exportWorkOrders } from "@/server/maintenance/work-order-csv/export-work-orders";
import { formatCsvProblem, importWorkOrders, readWorkOrderFile, WorkOrderImportRejectedError } from "@/server/maintenance/work-order-csv/import-work-orders";
import { isDemoSeeded, seedDemo, writeDemoDevices } from "@/server/seed";
import { syncBrokerFromEnv } from "@/server/mqtt/mosquitto-dynsec";
import { runPredictions } from "@/server/predictions/run-predictions";
import { trainPumpRiskModel } from "@/server/predictions/risk/train-pump-risk-model";
import { info, printJson, printTable } from "./output";
import { registerRulCommand } from "./rul";
import { registerDetect } from "./detect";

const ALL = { all: true } as const;

/** Runs `fn` with a database: DATABASE_URL, the running demo's, or the embedded cluster (started and stopped here). */
async function withDb<T>(fn: (db: Db) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  let acquired: AcquiredDatabase | undefined;
  try {
    acquired = await acquireDatabase();
    // Our own embedded cluster may be brand new: bring it to the current schema first.
    if (opts.migrate || acquired.source === "embedded") {
      const { applied } = await prepareDatabase(acquired.databaseUrl, { log: info });
      if (applied.length) info(`applied ${applied.length} migration(s): ${applied.join(", ")}`);
    }
    return await fn(initDb(acquired.databaseUrl));
  } finally {
    await closeDb();
    await acquired?.release();
  }
}

function parseInstant(value: string, flag: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new AppError("BAD_REQUEST", `${flag} "${value}" is not an ISO-8601 time (e.g. 2026-11-27T00:00:00Z).`);
  }
  return d;
}

function readPasswordOption(opts: { password?: string; passwordStdin?: boolean }): string {
  if (opts.passwordStdin) return fs.readFileSync(0, "utf8").replace(/\r?\n$/, "");
  if (opts.password) return opts.password;
  if (process.env.ECOMATE_PASSWORD) return process.env.ECOMATE_PASSWORD;
  throw new AppError("BAD_REQUEST", "Give the password with --password, --password-stdin or ECOMATE_PASSWORD.");
}

export function buildProgram(): Command {
  const program = new Command("ecomate")
    .description("EcoMate command line: fleet, devices, users, telemetry export and the database.")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  const systems = program.command("systems").description("treatment systems");
  systems
    .command("list")
    .description("list systems")
    .option("--json", "JSON output")
    .action(async (opts: { json?: boolean }) => {
      const rows = await withDb((db) => listSystems(db, ALL));
      if (opts.json) printJson(rows.map((s) => ({ id: s.id, code: s.code, name: s.name, site: s.site, model: s.model })));
      else printTable(rows.map((s) => ({ code: s.code, name: s.name, site: s.site, model: s.model, status: s.status })), ["code", "name", "site", "model", "status"]);
    });

  const devices = program.command("devices").description("devices and their tokens");
  devices
    .command("create")
    .description("register a device for a system; prints its token once")
    .requiredOption("--system <code>", "system code, e.g. NBG-01")
    .option("--name <name>", "device name")
    .option("--json", "JSON output")
    .action(async (opts: { system: string; name?: string; json?: boolean }) => {
      const d = await withDb((db) => createDevice(db, ALL, cliActor(), { systemCode: opts.system, name: opts.name }));
      if (opts.json) printJson({ id: d.id, token: d.token, system: d.system, mqtt: d.mqtt });
      else {
        process.stdout.write(`id:     ${d.id}\ntoken:  ${d.token}\nsystem: ${d.system}\nmqtt:   username ${d.mqtt.username}, topic ${d.mqtt.topic}\n`);
        info("Store the token now: it is not shown again.");
      }
    });
  devices
    .command("list")
    .description("list devices")
    .option("--system <code>", "only this system")
    .option("--json", "JSON output")
    .action(async (opts: { system?: string; json?: boolean }) => {
      const rows = await withDb((db) => listDevices(db, ALL, { systemCode: opts.system }));
      if (opts.json) printJson(rows);
      else printTable(rows as unknown as Record<string, unknown>[], ["id", "system", "name", "status", "lastSeenAt"]);
    });
  devices
    .command("revoke <id>")
    .description("revoke a device: its token stops working at once")
    .option("--json", "JSON output")
    .action(async (id: string, opts: { json?: boolean }) => {
      const r = await withDb((db) => revokeDevice(db, ALL, cliActor(), id));
      if (opts.json) printJson(r);
      else process.stdout.write(`revoked ${r.id}\n`);
    });
  devices
    .command("rotate <id>")
    .description("issue a new token; the old one stops working at once")
    .option("--json", "JSON output")
    .action(async (id: string, opts: { json?: boolean }) => {
      const r = await withDb((db) => rotateDeviceToken(db, ALL, cliActor(), id));
      if (opts.json) printJson(r);
      else process.stdout.write(`${r.token}\n`);
    });

  const exp = program.command("export").description("export data as CSV");
  exp
    .command("telemetry")
    .description("telemetry of one system as long-format CSV")
    .requiredOption("--system <code>", "system code")
    .requiredOption("--from <iso>", "start, inclusive")
    .requiredOption("--to <iso>", "end, exclusive")
    .addOption(new Option("--resolution <r>", "raw, 1m or 1h").choices(["raw", "1m", "1h"]).default("raw"))
    .option("--output <file>", "write to a file instead of stdout")
    .action(async (opts: { system: string; from: string; to: string; resolution: Resolution; output?: string }) => {
      const from = parseInstant(opts.from, "--from");
      const to = parseInstant(opts.to, "--to");
      const out = opts.output ? fs.createWriteStream(opts.output) : process.stdout;
      const result = await withDb(() =>
        exportTelemetry(getPool(), { systemCode: opts.system, from, to, resolution: opts.resolution }, out, (n) => {
          if (process.stderr.isTTY) process.stderr.write(`\rexported ${n.toLocaleString("en")} rows`);
        }),
      );
      if (opts.output) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (process.stderr.isTTY) process.stderr.write("\n");
      info(`exported ${result.rows} rows`);
    });

  exp
    .command("work-orders")
    .description("work orders as CSV (columns: docs/maintenance.md), re-importable with import work-orders")
    .option("--system <code>", "only this system")
    .option("--from <iso>", "opened from, inclusive")
    .option("--to <iso>", "opened before, exclusive")
    .option("--output <file>", "write to a file instead of stdout")
    .action(async (opts: { system?: string; from?: string; to?: string; output?: string }) => {
      const filter = { systemCode: opts.system, from: opts.from ? parseInstant(opts.from, "--from") : undefined, to: opts.to ? parseInstant(opts.to, "--to") : undefined };
      const out = opts.output ? fs.createWriteStream(opts.output) : process.stdout;
      const result = await withDb((database) => exportWorkOrders(database, ALL, filter, out));
      if (opts.output) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
      info(`exported ${result.rows} work orders`);
    });

  const imp = program.command("import").description("import data from files");
  imp
    .command("work-orders <file>")
    .description("import work orders from CSV (columns: docs/maintenance.md); all rows or none; - reads stdin")
    .option("--json", "JSON output")
    .action(async (file: string, opts: { json?: boolean }) => {
      const text = readWorkOrderFile(file);
      const result = await withDb((database) => importWorkOrders(database, ALL, cliActor(), { text, source: file === "-" ? "stdin" : file })).catch((err: unknown) => {
        // one line per problem; main() prints the one-line reason last
        if (err instanceof WorkOrderImportRejectedError) for (const p of err.problems) info(`  ${formatCsvProblem(p)}`);
        throw err;
      });
      if (opts.json) printJson(result);
      else process.stdout.write(`${result.imported} work orders imported${result.numbers.length ? ` (WO-${Math.min(...result.numbers)} to WO-${Math.max(...result.numbers)})` : ""}\n`);
    });
  imp
    .command("telemetry <file>")
    .description("import one system's readings from CSV (wide: a time column, then metric or component/metric columns; long: ts,metric,value[,component]); - reads stdin")
    .requiredOption("--system <code>", "system code")
    .option("--time-column <name>", "the time column (default: the first column, or ts in the long format)")
    .option("--json", "JSON output")
    .action(async (file: string, opts: { system: string; timeColumn?: string; json?: boolean }) => {
      const started = performance.now();
      const progress = importProgressLine(file === "-" ? "stdin" : file);
      const source = file === "-" ? { stream: process.stdin, name: "stdin" } : { file };
      const result = await withDb(() =>
        importTelemetry(getPool(), { ...source, systemCode: opts.system, timeColumn: opts.timeColumn }, { onProgress: progress.update }),
      ).catch((err: unknown) => {
        progress.end();
        // every listed problem on its own line; main() prints the one-line reason last
        if (err instanceof ImportRejectedError) for (const p of err.problems) info(`  ${formatProblem(p)}`);
        throw err;
      });
      progress.end();
      const seconds = (performance.now() - started) / 1000;
      info(`imported ${result.readings.toLocaleString("en")} readings from ${result.rows.toLocaleString("en")} rows (${result.format} format) in ${seconds.toFixed(1)} s, ${Math.round(result.readings / seconds).toLocaleString("en")} readings/s`);
      if (opts.json) printJson(result);
      else process.stdout.write(`${result.system}: ${result.accepted} readings imported, ${result.duplicates} duplicates (${result.readings} readings in ${result.rows} rows)\n`);
    });

  const users = program.command("users").description("people who sign in");
  users
    .command("create")
    .description("create a user")
    .requiredOption("--email <email>", "email (the sign-in name)")
    .requiredOption("--role <role>", "viewer, technician, manager or admin")
    .option("--name <name>", "full name")
    .option("--org <slug>", "organisation (needed when there is more than one)")
    .option("--password <password>", "initial password (or --password-stdin, or ECOMATE_PASSWORD)")
    .option("--password-stdin", "read the password from standard input")
    .option("--json", "JSON output")
    .action(async (opts: { email: string; role: string; name?: string; org?: string; password?: string; passwordStdin?: boolean; json?: boolean }) => {
      const password = readPasswordOption(opts);
      const u = await withDb((db) =>
        createUser(db, ALL, cliActor(), { email: opts.email, name: opts.name ?? "", role: opts.role, password, organizationSlug: opts.org }),
      );
      if (opts.json) printJson(u);
      else process.stdout.write(`created ${u.email} (${u.role}) in ${u.organization}\n`);
    });
  users
    .command("reset-password")
    .description("set a new password for a user")
    .requiredOption("--email <email>", "the user's email")
    .option("--password <password>", "new password (or --password-stdin, or ECOMATE_PASSWORD)")
    .option("--password-stdin", "read the password from standard input")
    .action(async (opts: { email: string; password?: string; passwordStdin?: boolean }) => {
      const password = readPasswordOption(opts);
      const r = await withDb((db) => resetPassword(db, ALL, cliActor(), opts.email, password));
      process.stdout.write(`password reset for ${r.email}\n`);
    });
  users
    .command("list")
    .description("list users")
    .option("--json", "JSON output")
    .action(async (opts: { json?: boolean }) => {
      const rows = await withDb((db) => listUsers(db, ALL));
      if (opts.json) printJson(rows);
      else printTable(rows as unknown as Record<string, unknown>[], ["email", "name", "role", "organization", "active"]);
    });

  const broker = program.command("broker").description("the production MQTT broker (Mosquitto dynamic security)");
  broker
    .command("sync")
    .description("(re)register the platform user and every active device with Mosquitto; remove revoked ones (MOSQUITTO_DYNSEC_URL)")
    .option("--reset-platform-password", "set the platform user's password again")
    .option("--json", "JSON output")
    .action(async (opts: { resetPlatformPassword?: boolean; json?: boolean }) => {
      const report = await withDb((database) => syncBrokerFromEnv(database, cliEnv(), { resetPlatformPassword: opts.resetPlatformPassword }));
      if (opts.json) printJson(report);
      else process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    });

  const db = program.command("db").description("the database");
  db.command("migrate")
    .description("apply pending migrations and the built-in catalogues")
    .action(async () => {
      await withDb(async () => undefined, { migrate: true });
      info("database is up to date");
    });
  db.command("seed")
    .description("load the demo fleet (3 sites, 12 systems, demo users); once per database")
    .option("--json", "print the demo device tokens as JSON")
    .action(async (opts: { json?: boolean }) => {
      await withDb(
        async (database) => {
          if (await isDemoSeeded(database)) {
            info("the demo fleet is already loaded; nothing to do");
            if (opts.json) printJson({ seeded: false });
            return;
          }
          const result = await seedDemo(database, { telemetryHistory: { pool: getPool(), pumpYear: true } });
          const file = writeDemoDevices(cliEnv().ECOMATE_DATA_DIR, result.devices);
          info(`seeded ${result.sites} sites, ${result.systems} systems, ${result.components} components, ${result.users} users; device tokens in ${file}`);
          const history = result.telemetryHistory;
          if (history && "error" in history) info(`the telemetry history was not written: ${history.error}`);
          else if (history) info(`${history.readings} readings of telemetry history (14 days) for ${history.systems.join(", ")}`);
          const pumps = result.pumpHistory;
          if (pumps && "error" in pumps) info(`the pump history was not written: ${pumps.error}`);
          else if (pumps) info(`${pumps.readings} readings of hourly pump history (a year, ${pumps.failures} failures) for ${pumps.systems.length} systems`);
          if (opts.json) printJson({ seeded: true, ...result });
        },
        { migrate: true },
      );
    });

  const predictions = program.command("predictions").description("degradation models and predictive work orders");
  predictions
    .command("run")
    .description("score the degradation models now (the worker does it every hour) and act on them")
    .option("--system <code>", "only this system")
    .option("--json", "JSON output")
    .action(async (opts: { system?: string; json?: boolean }) => {
      const result = await withDb((database) => runPredictions(database, new Date(), { systemCode: opts.system }));
      if (opts.json) return printJson(result);
      const actions = Object.entries(result.actions).map(([a, n]) => `${n} ${a}`).join(", ");
      info(`scored ${result.scored} component(s)${actions ? `: ${actions}` : ""}; ${result.skipped.length} skipped, ${result.failed.length} failed`);
      for (const f of result.failed) info(`failed: ${f.system} ${f.component} ${f.model}: ${f.message}`);
      printTable(
        result.workOrders.map((w) => ({ workOrder: `WO-${w.number}`, system: w.system, component: w.component, model: w.model })),
        ["workOrder", "system", "component", "model"],
      );
    });

  predictions
    .command("train")
    .description("train the pump-set failure-risk model now on the last year of telemetry and work orders (the worker does it weekly)")
    .option("--org <slug>", "only this organisation (default: every organisation with pump sets)")
    .option("--json", "JSON output")
    .action(async (opts: { org?: string; json?: boolean }) => {
      const results = await withDb(async (database) => {
        const orgs = await database.organization.findMany({
          where: { ...(opts.org ? { slug: opts.org } : {}), systems: { some: { components: { some: { type: "pump", status: "active" } } } } },
          select: { id: true, slug: true },
          orderBy: { slug: "asc" },
        });
        if (opts.org && orgs.length === 0) throw new AppError("NOT_FOUND", `Organisation "${opts.org}" was not found or has no pump sets`);
        const out = [];
        for (const o of orgs) {
          let shown = -1;
          const result = await trainPumpRiskModel(database, o.id, new Date(), cliActor(), {
            onProgress: (share) => {
              const step = Math.floor(share * 10);
              if (step > shown) info(`${o.slug}: training ${Math.round(share * 100)} %`);
              shown = Math.max(shown, step);
            },
          });
          out.push({ organization: o.slug, ...result });
        }
        return out;
      });
      if (opts.json) return printJson(results);
      for (const r of results) info(`${r.organization}: version ${r.version} ${r.status}: ${r.message}`);
    });

  registerDetect(program);

  registerRulCommand(program);

  return program;
}

/**
 * Import progress on stderr: one line rewritten in place on a terminal (at most 10 times a second),
 * otherwise a line per 10 % step or per 10 s, so logs stay short. Hand-written: one line needs no
 * dependency, and the progress-bar libraries draw on terminals only.
 */
function importProgressLine(label: string): { update: (p: ImportProgress) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  const fmt = (n: number) => n.toLocaleString("en");
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  let phase = "";
  let lastAt = 0;
  let lastStep = -1;
  let drawn = false;
  const update = (p: ImportProgress) => {
    const now = performance.now();
    if (p.phase !== phase) {
      if (drawn) process.stderr.write("\n");
      phase = p.phase;
      lastStep = -1;
    }
    const fraction = p.phase === "validate" ? (p.totalBytes ? p.bytes / p.totalBytes : null) : p.totalReadings ? (p.accepted + p.duplicates) / p.totalReadings : null;
    const percent = fraction === null ? "" : `${Math.min(100, Math.floor(fraction * 100))}% `;
    const rate = Math.round(((p.phase === "validate" ? p.readings : p.accepted + p.duplicates) * 1000) / Math.max(1, p.elapsedMs));
    const line =
      p.phase === "validate"
        ? `validating ${label}: ${percent}(${mb(p.bytes)}${p.totalBytes ? ` of ${mb(p.totalBytes)}` : ""}, ${fmt(p.rows)} rows, ${fmt(p.readings)} readings, ${fmt(rate)}/s)`
        : `storing ${label}: ${percent}(${fmt(p.accepted + p.duplicates)}${p.totalReadings !== null ? ` of ${fmt(p.totalReadings)}` : ""} readings, ${fmt(p.duplicates)} duplicates, ${fmt(rate)}/s)`;
    if (tty) {
      if (now - lastAt < 100 && fraction !== 1) return;
      process.stderr.write(`\r\x1b[K${line}`);
      drawn = true;
    } else {
      const step = fraction === null ? -1 : Math.floor(fraction * 10);
      if (step === lastStep && now - lastAt < 10_000) return;
      lastStep = step;
      info(line);
    }
    lastAt = now;
  };
  const end = () => {
    if (drawn) process.stderr.write("\n");
    drawn = false;
  };
  return { update, end };
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const message =
      err instanceof AppError || err instanceof EnvValidationError
        ? err.message
        : err instanceof Error
          ? `${err.message}${process.env.ECOMATE_DEBUG ? `\n${err.stack}` : ""}`
          : String(err);
    process.stderr.write(`ecomate: ${message.split("\n").join("\n  ")}\n`);
    return 1;
  }
}
