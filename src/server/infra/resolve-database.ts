/**
 * How the CLI finds its database: DATABASE_URL; else the database of a running `npm run demo`
 * (runtime.json with a live pid); else the embedded cluster on the same data folder, started by
 * this process and stopped again by release(). Logs go to stderr only (the logger writes there).
 */
import { cliEnv, type CliEnv } from "@/server/env/cli";
import { readLiveRuntime } from "@/server/infra/runtime-file";
import { startEmbeddedPostgres, type InfraLog } from "@/server/infra/embedded-postgres";
import { moduleLogger } from "@/server/logger";

export interface AcquireDatabaseOptions {
  /** Start the embedded cluster when nothing else is available (default true). */
  allowStart?: boolean;
  env?: Pick<CliEnv, "DATABASE_URL" | "ECOMATE_DATA_DIR" | "EMBEDDED_PG_PORT">;
  log?: InfraLog;
}

export interface AcquiredDatabase {
  databaseUrl: string;
  /** env: DATABASE_URL; demo: the running demo's; embedded: the cluster on the data folder. */
  source: "env" | "demo" | "embedded";
  /** Stops the embedded cluster if this process started it; otherwise does nothing. */
  release(): Promise<void>;
}

const noop = async () => {};

export async function acquireDatabase(options: AcquireDatabaseOptions = {}): Promise<AcquiredDatabase> {
  const env = options.env ?? cliEnv();
  const log = options.log ?? moduleLogger("database");
  const allowStart = options.allowStart ?? true;

  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL, source: "env", release: noop };

  const runtime = readLiveRuntime(env.ECOMATE_DATA_DIR);
  if (runtime) {
    log.debug({ pid: runtime.pid }, "using the database of the running demo");
    return { databaseUrl: runtime.databaseUrl, source: "demo", release: noop };
  }

  if (!allowStart) {
    throw new Error(
      "No database available: set DATABASE_URL, or start the product with `npm run demo` " +
        `(no running demo found in ${env.ECOMATE_DATA_DIR}).`,
    );
  }

  const cluster = await startEmbeddedPostgres({ port: env.EMBEDDED_PG_PORT, dataDir: env.ECOMATE_DATA_DIR, log });
  if (cluster.reused) return { databaseUrl: cluster.databaseUrl, source: "embedded", release: noop };

  // We own a postgres child now: never leave it running when the command is interrupted.
  const onSignal = (signal: NodeJS.Signals) => {
    log.warn({ signal }, "interrupted; stopping the embedded database");
    void release().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  let released: Promise<void> | undefined;
  const release = () =>
    (released ??= (async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await cluster.stop();
    })());
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  return { databaseUrl: cluster.databaseUrl, source: "embedded", release };
}
