import { NextResponse } from "next/server";
import type pg from "pg";
import { getPool } from "@/server/db";
import { webEnv } from "@/server/env/web";
import { resolveMqttUrl } from "@/server/env/core";
import { checkHealth, type HealthReport } from "@/server/health";
import { moduleLogger } from "@/server/logger";

export const dynamic = "force-dynamic";

const log = moduleLogger("api/health");

function orNull<T>(what: string, get: () => T): T | null {
  try {
    return get();
  } catch (error) {
    log.warn({ err: (error as Error).message }, `health: ${what} not configured`);
    return null;
  }
}

/** 200 {"status":"ok","db":"ok","broker":"ok"} when all parts are up, 503 naming the failing part otherwise. */
export async function GET(): Promise<NextResponse<HealthReport>> {
  let report: HealthReport;
  try {
    const env = webEnv();
    report = await checkHealth({
      pool: orNull<pg.Pool>("database", getPool),
      mqttUrl: orNull("broker", () => resolveMqttUrl(env).url),
    });
  } catch (error) {
    log.error({ err: error }, "health check failed");
    report = { status: "error", db: "error", broker: "error" };
  }
  return NextResponse.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
