import type pg from "pg";
import { getPool } from "@/server/db";
import { metricsEnv } from "@/server/env/metrics";
import { moduleLogger } from "@/server/logger";
import { checkMetricsAccess, metricsRefusal, metricsResponse } from "@/server/ops/metrics";

export const dynamic = "force-dynamic";

const log = moduleLogger("api/metrics");

/**
 * Prometheus scrape (text exposition). The custom web server answers /api/metrics itself with the
 * socket's address (handleMetricsNode); this handler serves `next dev` / `next start` alone.
 */
export async function GET(request: Request): Promise<Response> {
  const access = checkMetricsAccess(
    {
      authorization: request.headers.get("authorization"),
      forwardedFor: request.headers.get("x-forwarded-for"),
      realIp: request.headers.get("x-real-ip"),
      forwarded: request.headers.get("forwarded"),
    },
    metricsEnv().METRICS_TOKEN,
  );
  if (!access.allowed) {
    const refusal = metricsRefusal(access);
    return new Response(refusal.body, { status: refusal.status, headers: refusal.headers });
  }
  let pool: pg.Pool | null = null;
  try {
    pool = getPool();
  } catch (error) {
    log.warn({ err: (error as Error).message }, "metrics: no database configured");
  }
  const { contentType, body } = await metricsResponse(pool);
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}
