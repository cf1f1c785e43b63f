// The device side of setpoint commands (contracts.md "MQTT"): the platform publishes
// {"id","setpoint":{"key","value","unit"},"expiresAt"} on ecomate/v1/{id}/commands, the device answers
// {"id","status":"applied"|"rejected","message"?} on ecomate/v1/{id}/commands/ack. A simulated unit
// applies what its simulation can take (src/lib/sim/setpoints.ts) and refuses the rest with a reason.

export const commandsTopic = (deviceId: string) => `ecomate/v1/${deviceId}/commands`;
export const commandAckTopic = (deviceId: string) => `ecomate/v1/${deviceId}/commands/ack`;

export interface SetpointCommand {
  id: string;
  setpoint: { key: string; value: number; unit: string };
  expiresAt: string;
}

export interface CommandAnswer {
  id: string;
  status: "applied" | "rejected";
  message?: string;
}

export type ParsedCommand = { ok: true; command: SetpointCommand } | { ok: false; id: string | null; reason: string };

/** A command message, or why it is not one (with its id when it has one, so it can still be answered). */
export function parseSetpointCommand(payload: Buffer | string): ParsedCommand {
  let body: unknown;
  try {
    body = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
  } catch (error) {
    return { ok: false, id: null, reason: `malformed command: not JSON (${(error as Error).message})` };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, id: null, reason: "malformed command: not a JSON object" };
  const { id, setpoint, expiresAt } = body as Record<string, unknown>;
  if (typeof id !== "string" || id === "") return { ok: false, id: null, reason: 'malformed command: no "id"' };
  const bad = (what: string): ParsedCommand => ({ ok: false, id, reason: `malformed command: ${what}` });
  if (typeof setpoint !== "object" || setpoint === null || Array.isArray(setpoint)) return bad('"setpoint" must be an object {"key","value","unit"}');
  const { key, value, unit } = setpoint as Record<string, unknown>;
  if (typeof key !== "string" || key === "") return bad('"setpoint.key" must be a non-empty string');
  if (typeof value !== "number" || !Number.isFinite(value)) return bad('"setpoint.value" must be a finite number');
  if (typeof unit !== "string") return bad('"setpoint.unit" must be a string');
  if (typeof expiresAt !== "string" || Number.isNaN(Date.parse(expiresAt))) return bad('"expiresAt" must be an ISO-8601 time');
  return { ok: true, command: { id, setpoint: { key, value, unit }, expiresAt } };
}

/**
 * What the device answers: rejected when the command expired by the device's clock `now` (epoch ms),
 * else `apply` (which throws to refuse, with the reason as its message) decides.
 */
export function answerSetpointCommand(command: SetpointCommand, now: number, apply: (setpoint: SetpointCommand["setpoint"]) => void): CommandAnswer {
  const expiresAt = Date.parse(command.expiresAt);
  if (expiresAt <= now) return { id: command.id, status: "rejected", message: `expired: the command expired at ${command.expiresAt}, it is ${new Date(now).toISOString()} here` };
  try {
    apply(command.setpoint);
  } catch (error) {
    return { id: command.id, status: "rejected", message: (error as Error).message };
  }
  return { id: command.id, status: "applied" };
}
