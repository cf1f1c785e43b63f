import { getPool } from "@/server/db";
import { handleIngestRequest } from "@/server/telemetry/http-ingest";
import { getIngestRuntime } from "@/server/telemetry/ingest-runtime";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleIngestRequest(req, { pool: getPool(), ...getIngestRuntime() });
}
