/**
 * The web server: Next.js (pages, tRPC, auth, every route) behind one Node HTTP server that answers
 * `POST /api/ingest` itself, before Next.js. The ingest hot path needs no rendering, session or
 * routing, and skipping Next's per-request machinery (web Request, body stream, async context) halves
 * its CPU per batch (bench:ingest); the route handler in src/app/api/ingest stays for `next start`
 * and shares the same code (handleIngest).
 */
import http from "node:http";
import next from "next";
import { getPool } from "@/server/db";
import { moduleLogger } from "@/server/logger";
import { handleMetricsNode, isMetricsRequest } from "@/server/ops/metrics";
import { handleIngestNode } from "@/server/telemetry/http-ingest";
import { getIngestRuntime } from "@/server/telemetry/ingest-runtime";

export interface WebServerOptions {
  /** the project root (package.json, .next) */
  dir: string;
  dev?: boolean;
  /** undefined: every interface */
  hostname?: string;
  port: number;
}

export interface WebServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

const log = moduleLogger("web-server");

/** The ingest endpoint, with or without a query string. */
export function isIngestRequest(method: string | undefined, url: string | undefined): boolean {
  if (method !== "POST" || !url) return false;
  return url === "/api/ingest" || url.startsWith("/api/ingest?");
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const app = next({ dev: opts.dev ?? false, dir: opts.dir, hostname: opts.hostname ?? "localhost", port: opts.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = http.createServer((req, res) => {
    if (isIngestRequest(req.method, req.url)) {
      void handleIngestNode(req, res, { pool: getPool(), ...getIngestRuntime() });
      return;
    }
    // here rather than in Next: the loopback check needs the real peer address
    if (isMetricsRequest(req.method, req.url)) {
      void handleMetricsNode(req, res, getPool());
      return;
    }
    handle(req, res).catch((err: unknown) => {
      log.error({ err: (err as Error).message, url: req.url }, "request failed");
      if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
    });
  });
  if (opts.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on("upgrade", (req, socket, head) => void upgrade(req, socket, head));
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    server,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await app.close();
    },
  };
}
