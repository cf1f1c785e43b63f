/**
 * `npm start` / `npm run dev`: the web server (src/server/http/web-server.ts).
 *   flags: -p/--port (default $PORT or 3000), -H/--hostname (default: every interface), --dev
 */
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p" },
    hostname: { type: "string", short: "H" },
    dev: { type: "boolean", default: false },
  },
});
const dev = values.dev ?? false;
// Next.js reads NODE_ENV when it loads; set it before importing it.
(process.env as Record<string, string>).NODE_ENV ??= dev ? "development" : "production";

const { parseWebEnv } = await import("@/server/env/web");
const { closeDb } = await import("@/server/db");
const { moduleLogger } = await import("@/server/logger");
const { startWebServer } = await import("@/server/http/web-server");

const log = moduleLogger("web-server");
const env = parseWebEnv();
const port = values.port === undefined ? env.PORT : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a TCP port number, got '${values.port}'`);
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "../../..");

const web = await startWebServer({ dir: root, dev, hostname: values.hostname, port });
log.info({ url: `http://${values.hostname ?? "localhost"}:${web.port}`, dev }, "web server ready");

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "stopping the web server");
  const force = setTimeout(() => process.exit(0), 10_000);
  force.unref();
  await web.close().catch(() => undefined);
  await closeDb().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
