/**
 * The one pino logger of a process. Everything goes to stderr, so that stdout stays free for
 * command results (CLI) and for the demo's single "ready" line. Modules take a child logger.
 */
import { pino, type Logger } from "pino";
import { logLevelFromEnv } from "@/server/env/core";

export type { Logger };

const globalForLogger = globalThis as unknown as { ecomateLogger?: Logger };

// Synchronous writes: a CLI that calls process.exit() right after logging must not lose lines.
export const logger: Logger =
  globalForLogger.ecomateLogger ??
  (globalForLogger.ecomateLogger = pino(
    { level: logLevelFromEnv(), base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: true }),
  ));

/** A child logger tagged with the module name, e.g. `moduleLogger("worker")`. */
export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return logger.child({ module, ...bindings });
}
