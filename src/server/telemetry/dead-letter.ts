import type pg from "pg";

const MAX_PAYLOAD_CHARS = 64 * 1024;

/** Keeps a rejected message with its reason (ingest never drops data silently). Never throws. */
export async function recordDeadLetter(
  pool: pg.Pool,
  entry: { deviceId: string | null; transport: "http" | "mqtt" | "import"; topic?: string; code: string; reason: string; payload: Buffer | string },
): Promise<boolean> {
  const text = (typeof entry.payload === "string" ? entry.payload : entry.payload.toString("utf8")).slice(0, MAX_PAYLOAD_CHARS).replace(/\u0000/g, "\uFFFD");
  try {
    await pool.query(
      "INSERT INTO ingest_dead_letter (device_id, transport, topic, code, reason, payload) VALUES ($1, $2, $3, $4, $5, $6)",
      [entry.deviceId, entry.transport, entry.topic ?? null, entry.code, entry.reason.slice(0, 2000), text],
    );
    return true;
  } catch {
    return false;
  }
}
