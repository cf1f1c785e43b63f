/**
 * A device's answer to a setpoint command (contracts.md "MQTT"): it publishes
 * `{"id","status":"applied"|"rejected","message"?}` on `ecomate/v1/{deviceId}/commands/ack`, and the
 * worker records it here before it acknowledges the MQTT message (so an answer is never lost).
 *
 * - Bad input is refused with a reason (the worker publishes it on the device's errors topic and
 *   keeps it as a dead letter, as for telemetry): not JSON, no id, a status other than the two.
 * - A device answers only its own commands: an id of another device's command is refused exactly
 *   like an unknown id (nothing changes, and the device learns nothing about other devices).
 * - `sent` -> `applied` | `rejected`; also from `approved`, when the ack overtook the sent mark (the
 *   dispatcher's publish timed out after the device got the message). `applied` sets the system's
 *   setpoint in the same transaction.
 * - A second ack for an answered command (QoS 1 redelivery) changes nothing.
 * - An ack for an expired or cancelled command keeps that status; the answer is added to ackMessage.
 *   A device that applied it anyway does run at that value, so the setpoint is updated (source
 *   "device") and the worker logs a warning.
 *
 * The command row is locked (`FOR UPDATE`) while deciding, so an ack and the expiry job, or two
 * workers receiving the same redelivered ack, are serialised.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { CommandStatus } from "@/generated/prisma/enums";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { DEFAULT_SAFE_RANGES, isSetpointKey } from "./setpoints";

type Tx = Prisma.TransactionClient;

/** Devices answer here (contracts.md). */
export const commandAckTopic = (deviceId: string) => `ecomate/v1/${deviceId}/commands/ack`;

/** `ecomate/v1/{deviceId}/commands/ack` -> `{ deviceId }`, or null for any other topic. */
export function parseCommandAckTopic(topic: string): { deviceId: string } | null {
  const parts = topic.split("/");
  if (parts.length !== 5 || parts[0] !== "ecomate" || parts[1] !== "v1" || parts[3] !== "commands" || parts[4] !== "ack") return null;
  const deviceId = parts[2];
  return deviceId ? { deviceId } : null;
}

export type AckStatus = "applied" | "rejected";

export interface CommandAck {
  id: string;
  status: AckStatus;
  message?: string;
}

export type AckRefusalCode = "bad_json" | "invalid_ack" | "unknown_device" | "unknown_command" | "not_sent";

export type ParsedCommandAck = { ok: true; ack: CommandAck } | { ok: false; code: "bad_json" | "invalid_ack"; reason: string };

export const MAX_ACK_BYTES = 64 * 1024;
const MAX_ID_CHARS = 200;
/** Longer device messages are cut (ackMessage is shown on the control page). */
export const MAX_ACK_MESSAGE_CHARS = 1_000;

const invalid = (reason: string): ParsedCommandAck => ({ ok: false, code: "invalid_ack", reason });

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

/** Validates an ack payload; the reason names what is wrong in words a device developer can act on. */
export function parseCommandAck(payload: Buffer | string): ParsedCommandAck {
  const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_ACK_BYTES) return invalid(`The acknowledgement is ${size} bytes; at most ${MAX_ACK_BYTES} are accepted.`);
  let body: unknown;
  try {
    body = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
  } catch (err) {
    return { ok: false, code: "bad_json", reason: `The acknowledgement is not valid JSON (${(err as Error).message}).` };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return invalid(`The acknowledgement must be a JSON object {"id","status","message"?}, not ${typeName(body)}.`);
  }
  const { id, status, message } = body as Record<string, unknown>;
  if (id === undefined) return invalid('"id" is missing: name the command being answered.');
  if (typeof id !== "string") return invalid(`"id" must be the command's id as a string, not ${typeName(id)}.`);
  if (id.trim() === "") return invalid('"id" is empty: name the command being answered.');
  if (id.length > MAX_ID_CHARS) return invalid(`"id" is ${id.length} characters long; command ids are at most ${MAX_ID_CHARS}.`);
  if (status === undefined) return invalid('"status" is missing: it must be "applied" or "rejected".');
  if (status !== "applied" && status !== "rejected") {
    return invalid(`"status" must be "applied" or "rejected", not ${typeof status === "string" ? JSON.stringify(status.slice(0, 50)) : typeName(status)}.`);
  }
  if (message !== undefined && message !== null && typeof message !== "string") return invalid(`"message" must be a string, not ${typeName(message)}.`);
  const text = typeof message === "string" && message.trim() !== "" ? message.slice(0, MAX_ACK_MESSAGE_CHARS) : undefined;
  return { ok: true, ack: text === undefined ? { id, status } : { id, status, message: text } };
}

export interface AppliedSetpoint {
  key: string;
  value: number;
  unit: string;
  /** the value before, or null when the system had no such setpoint yet */
  previous: number | null;
  source: "manual" | "optimiser" | "device";
}

export type CommandAckResult =
  | { outcome: "applied" | "rejected"; commandId: string; organizationId: string; systemId: string; setpoint: AppliedSetpoint | null; message: string | null }
  /** already answered: nothing changed (`conflicting` when this ack says otherwise than the first) */
  | { outcome: "duplicate"; commandId: string; status: CommandStatus; conflicting: boolean }
  /** answered after it expired or was cancelled: the status stays, the answer is in ackMessage */
  | { outcome: "late"; commandId: string; organizationId: string; status: "expired" | "cancelled"; answered: AckStatus; setpoint: AppliedSetpoint | null }
  | {
      outcome: "refused";
      code: AckRefusalCode;
      /** for the device's errors topic */
      reason: string;
      commandId?: string;
      /** for the log only: the device that does own the command this one tried to answer */
      ownerDeviceId?: string;
    };

const refused = (code: AckRefusalCode, reason: string, extra: { commandId?: string; ownerDeviceId?: string } = {}): CommandAckResult => ({ outcome: "refused", code, reason, ...extra });

async function setSetpoint(tx: Tx, c: { systemId: string; setpointKey: string; value: number; unit: string }, source: AppliedSetpoint["source"]): Promise<AppliedSetpoint> {
  const key = { systemId_key: { systemId: c.systemId, key: c.setpointKey } };
  const existing = await tx.setpoint.findUnique({ where: key, select: { value: true } });
  // Without a row yet (the first command for this key), it gets the safe range the lifecycle checked
  // the command against: the default while none was validated (setpoints.ts). A key outside the
  // catalogue has no range but the value itself. An upsert, as acks of two commands for the same key
  // may be recorded at once.
  const range = isSetpointKey(c.setpointKey) ? DEFAULT_SAFE_RANGES[c.setpointKey] : { min: c.value, max: c.value };
  await tx.setpoint.upsert({
    where: key,
    update: { value: c.value, unit: c.unit, source },
    create: { systemId: c.systemId, key: c.setpointKey, value: c.value, unit: c.unit, minSafe: range.min, maxSafe: range.max, source },
  });
  return { key: c.setpointKey, value: c.value, unit: c.unit, previous: existing?.value ?? null, source };
}

/**
 * Records device `deviceId`'s answer `payload` (the raw MQTT payload). Never throws for bad input:
 * a refusal comes back with its reason. Throws only when the database fails (the caller retries and
 * does not acknowledge the message meanwhile).
 */
export async function recordCommandAck(db: Db, deviceId: string, payload: Buffer, now: Date = new Date()): Promise<CommandAckResult> {
  const parsed = parseCommandAck(payload);
  if (!parsed.ok) return refused(parsed.code, parsed.reason);
  const { ack } = parsed;

  return db.$transaction(async (tx) => {
    const device = await tx.device.findUnique({ where: { id: deviceId }, select: { revokedAt: true } });
    if (!device || device.revokedAt) return refused("unknown_device", `Device ${deviceId} is unknown or revoked.`, { commandId: ack.id });

    const [mine] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM device_command WHERE id = ${ack.id} AND device_id = ${deviceId} FOR UPDATE`;
    if (!mine) {
      const other = await tx.deviceCommand.findUnique({ where: { id: ack.id }, select: { deviceId: true } });
      return refused("unknown_command", `Device ${deviceId} has no command "${ack.id}".`, { commandId: ack.id, ...(other ? { ownerDeviceId: other.deviceId } : {}) });
    }
    const command = await tx.deviceCommand.findUniqueOrThrow({ where: { id: ack.id } });
    const actor = { type: "device", deviceId } as const;
    const message = ack.message ?? null;

    switch (command.status) {
      case "proposed":
        return refused("not_sent", `Command "${command.id}" was never sent to device ${deviceId}: it is still proposed, not approved.`, { commandId: command.id });

      case "applied":
      case "rejected":
        return { outcome: "duplicate", commandId: command.id, status: command.status, conflicting: command.status !== ack.status };

      case "expired":
      case "cancelled": {
        // the first late answer is kept; a redelivery of it changes nothing
        if (command.ackAt) return { outcome: "duplicate", commandId: command.id, status: command.status, conflicting: false };
        const before = command.ackMessage ?? (command.status === "cancelled" ? "Cancelled." : `Expired at ${command.expiresAt.toISOString()}.`);
        const ackMessage = `${before}${/[.!?]$/.test(before) ? "" : "."} The device answered "${ack.status}" late, at ${now.toISOString()}${message ? `: ${message}` : ""}`.slice(0, 2 * MAX_ACK_MESSAGE_CHARS);
        await tx.deviceCommand.update({ where: { id: command.id }, data: { ackAt: now, ackMessage } });
        const setpoint = ack.status === "applied" ? await setSetpoint(tx, command, "device") : null;
        await recordAudit(tx, actor, {
          organizationId: command.organizationId,
          action: "command.late_ack",
          entityType: "device_command",
          entityId: command.id,
          details: { status: command.status, answered: ack.status, message, ...(setpoint ? { setpoint: { ...setpoint } } : {}) },
        });
        return { outcome: "late", commandId: command.id, organizationId: command.organizationId, status: command.status, answered: ack.status, setpoint };
      }

      case "approved":
      case "sent": {
        await tx.deviceCommand.update({ where: { id: command.id }, data: { status: ack.status, ackAt: now, ackMessage: message } });
        const setpoint = ack.status === "applied" ? await setSetpoint(tx, command, command.proposedBy === "optimiser" || (command.reason as { source?: string } | null)?.source === "optimiser" ? "optimiser" : "manual") : null;
        await recordAudit(tx, actor, {
          organizationId: command.organizationId,
          action: ack.status === "applied" ? "command.apply" : "command.reject",
          entityType: "device_command",
          entityId: command.id,
          details: { systemId: command.systemId, was: command.status, message, ...(setpoint ? { setpoint: { ...setpoint } } : {}) },
        });
        return { outcome: ack.status, commandId: command.id, organizationId: command.organizationId, systemId: command.systemId, setpoint, message };
      }
    }
  });
}
