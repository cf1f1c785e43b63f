import { getDb, getPool } from "@/server/db";
import { parseCoreEnv, resolveDatabaseUrl } from "@/server/env/core";
import { currentUser } from "@/server/auth/session";
import { getLiveHub } from "@/server/telemetry/live-hub";
import { openLiveStream } from "@/server/telemetry/live-stream";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  const hub = getLiveHub(getPool(), resolveDatabaseUrl(parseCoreEnv()).url);
  return openLiveStream({
    db: getDb(),
    hub,
    user: await currentUser(),
    systems: new URL(req.url).searchParams.get("systems"),
    signal: req.signal,
  });
}
