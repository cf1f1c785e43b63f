/**
 * `GET /api/live`: the live feed as server-sent events (wire format in src/lib/live-events.ts).
 * `?systems=<id>,<id>` asks for those systems' readings (at most 50, all of the user's organisation);
 * alert events of the organisation always come.
 */
import type { Db } from "@/server/db";
import type { LiveHub } from "@/server/telemetry/live-hub";

export const MAX_LIVE_SYSTEMS = 50;
const PING_MS = 15_000;

function problem(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { "content-type": "application/json" } });
}

export async function openLiveStream(input: {
  db: Db;
  hub: LiveHub;
  user: { organizationId: string } | null;
  systems: string | null;
  signal: AbortSignal;
  pingMs?: number;
}): Promise<Response> {
  if (!input.user) return problem(401, "unauthorized", "Sign in to follow the live feed.");
  const ids = (input.systems ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (ids.length > MAX_LIVE_SYSTEMS) return problem(400, "too_many_systems", `Ask for at most ${MAX_LIVE_SYSTEMS} systems at a time (got ${ids.length}).`);
  const unique = [...new Set(ids)];
  if (unique.length) {
    const found = await input.db.treatmentSystem.findMany({ where: { id: { in: unique }, organizationId: input.user.organizationId }, select: { id: true } });
    const missing = unique.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) return problem(404, "not_found", `No system ${missing.map((m) => `"${m}"`).join(", ")} in your organisation.`);
  }
  const encoder = new TextEncoder();
  let unsubscribe: (() => void) | null = null;
  let ping: NodeJS.Timeout | null = null;
  const close = () => {
    unsubscribe?.();
    unsubscribe = null;
    if (ping) clearInterval(ping);
    ping = null;
  };
  const stream = new ReadableStream<Uint8Array>({
    start: async (controller) => {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      const event = (name: string, data: unknown) => send(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      try {
        unsubscribe = await input.hub.subscribe({
          organizationId: input.user!.organizationId,
          systems: unique.length ? new Set(unique) : null,
          readings: (e) => event("readings", e),
          alert: (e) => event("alert", e),
        });
      } catch {
        send(`event: error\ndata: ${JSON.stringify({ message: "The live feed is unavailable; retrying." })}\n\n`);
        controller.close();
        return;
      }
      send("retry: 3000\n\n");
      event("ready", { systems: unique.length });
      ping = setInterval(() => send(": ping\n\n"), input.pingMs ?? PING_MS);
      input.signal.addEventListener("abort", () => {
        close();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel: close,
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // nginx: pass events through as they come
      "x-accel-buffering": "no",
    },
  });
}
