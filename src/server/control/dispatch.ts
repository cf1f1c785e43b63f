/**
 * Sending approved setpoint commands to devices over MQTT (contracts.md "MQTT"), and expiring those
 * that were never sent or never answered. The worker calls it on `NOTIFY ecomate_commands` and on a
 * timer (src/worker/control.ts); the device answers on `.../commands/ack` (acks.ts).
 *
 *   approved --publish QoS 1, PUBACK--> sent --device ack--> applied | rejected
 *   approved, past expiresAt ----------> expired ("never sent")
 *   sent, past expiresAt, no ack ------> expired ("no acknowledgement ... before <time>")
 *
 * Once per command, also with several workers: each command is claimed in a transaction of its own
 * with `FOR UPDATE SKIP LOCKED` (a second worker skips it instead of waiting), the row stays locked
 * while the broker takes the message, and it becomes `sent` in the same transaction. PostgreSQL
 * re-checks `status = 'approved'` on a row committed meanwhile, so a worker that read it before the
 * commit cannot send it again.
 *
 * At least once, never lost: the status changes only after the broker's PUBACK. A failed publish
 * (no broker connection, no PUBACK in time) rolls back, and the command stays `approved` for the next
 * pass; a worker dying between PUBACK and commit also leaves it approved, so it is sent again. A
 * device may therefore see one command id twice and must answer it again without applying it twice
 * (the simulated devices do; a duplicate ack is a no-op on the platform).
 *
 * Why the lock may be held across the publish: the PUBACK arrives on the worker's MQTT connection,
 * which handles incoming packets one at a time. An ack for the command being sent cannot come before
 * its PUBACK (the device gets the command after the broker took it), except for a second sending of
 * the same id, whose earlier ack may wait for this row lock in front of the PUBACK; the publish
 * timeout ends that wait (the ack then finds the command still approved and records it).
 */
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import type { Scope } from "@/server/scope";

type Tx = Prisma.TransactionClient;

/** The platform publishes commands here, QoS 1 (contracts.md). */
export const commandTopic = (deviceId: string) => `ecomate/v1/${deviceId}/commands`;

/** Publishes at QoS 1 and resolves on the broker's PUBACK; rejects when the message was not taken. */
export type PublishCommand = (topic: string, payload: string) => Promise<void>;

/** The command message exactly as contracts.md pins it: `{"id","setpoint":{"key","value","unit"},"expiresAt"}`. */
export interface CommandMessage {
  id: string;
  setpoint: { key: string; value: number; unit: string };
  /** ISO-8601 UTC with milliseconds */
  expiresAt: string;
}

export function commandMessage(c: { id: string; setpointKey: string; value: number; unit: string; expiresAt: Date }): CommandMessage {
  return { id: c.id, setpoint: { key: c.setpointKey, value: c.value, unit: c.unit }, expiresAt: c.expiresAt.toISOString() };
}

export interface DispatchOptions {
  /** Only this organisation's commands (default: all; the worker serves every organisation). */
  scope?: Scope;
  /** A publish without PUBACK within this long counts as failed (default 10 s). */
  publishTimeoutMs?: number;
  /** At most this many commands per pass (default 500; the next pass takes the rest). */
  limit?: number;
  /** Told about each failed publish (the worker logs it); the command stays approved. */
  onPublishError?: (failure: { commandId: string; deviceId: string; error: Error }) => void;
}

export interface DispatchResult {
  sent: { id: string; deviceId: string; topic: string; message: CommandMessage }[];
  /** publishes that failed: still approved, tried again at the next pass */
  failed: { id: string; deviceId: string; error: string }[];
  /** approved commands that expired before they could be sent */
  expired: ExpiredCommand[];
}

export interface ExpiredCommand {
  id: string;
  deviceId: string;
  organizationId: string;
  /** what the command was when it expired */
  was: "approved" | "sent";
  ackMessage: string;
}

interface ClaimedRow {
  id: string;
  organization_id: string;
  device_id: string;
  system_id: string;
  setpoint_key: string;
  value: number;
  unit: string;
  expires_at: Date;
}

const DISPATCHER: Actor = { type: "system", label: "command-dispatch" };
const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;

function orgId(scope: Scope | undefined): string | null {
  return scope && "organizationId" in scope ? scope.organizationId : null;
}

function withTimeout(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no PUBACK from the broker within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One pass: approved commands past their expiry become `expired`; every other approved command of
 * an active device is published (oldest approval first) and marked `sent` after the PUBACK.
 */
export async function dispatchApprovedCommands(db: Db, publish: PublishCommand, now: Date, opts: DispatchOptions = {}): Promise<DispatchResult> {
  const expired = await expireApprovedCommands(db, now, opts.scope);
  const timeoutMs = opts.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const limit = opts.limit ?? 500;
  const organizationId = orgId(opts.scope);
  const result: DispatchResult = { sent: [], failed: [], expired };
  // failed in this pass: not tried again until the next one
  const skip: string[] = [];

  while (result.sent.length + result.failed.length < limit) {
    // what the transaction got to: a failure after the PUBACK is not a failed publish
    const at: { row: ClaimedRow | null; published: boolean } = { row: null, published: false };
    try {
      const sent = await db.$transaction(
        async (tx) => {
          const [row] = await tx.$queryRaw<ClaimedRow[]>`
            SELECT c.id, c.organization_id, c.device_id, c.system_id, c.setpoint_key, c.value, c.unit, c.expires_at
              FROM device_command c JOIN device d ON d.id = c.device_id
             WHERE c.status = 'approved' AND c.expires_at > ${now} AND d.revoked_at IS NULL
               AND (${organizationId}::text IS NULL OR c.organization_id = ${organizationId}::text)
               AND c.id <> ALL(${skip}::text[])
             ORDER BY c.approved_at NULLS LAST, c.created_at, c.id
             LIMIT 1
             FOR UPDATE OF c SKIP LOCKED`;
          if (!row) return null;
          at.row = row;
          const message = commandMessage({ id: row.id, setpointKey: row.setpoint_key, value: row.value, unit: row.unit, expiresAt: row.expires_at });
          const topic = commandTopic(row.device_id);
          await withTimeout(publish(topic, JSON.stringify(message)), timeoutMs, `command ${row.id} to device ${row.device_id}`);
          at.published = true;
          await tx.deviceCommand.update({ where: { id: row.id }, data: { status: "sent", sentAt: now } });
          await recordAudit(tx, DISPATCHER, {
            organizationId: row.organization_id,
            action: "command.send",
            entityType: "device_command",
            entityId: row.id,
            details: { deviceId: row.device_id, systemId: row.system_id, topic, setpoint: message.setpoint, expiresAt: message.expiresAt },
          });
          return { id: row.id, deviceId: row.device_id, topic, message };
        },
        // the transaction must outlive the publish timeout, or Prisma ends it first
        { maxWait: 10_000, timeout: timeoutMs + 10_000 },
      );
      if (!sent) break;
      result.sent.push(sent);
    } catch (err) {
      const row = at.row;
      // Not a publish that failed (the database is down, or the sent mark did not commit): the command
      // stays approved and the caller's next pass sends it again.
      if (!row || at.published) throw err;
      const error = err instanceof Error ? err : new Error(String(err));
      skip.push(row.id);
      result.failed.push({ id: row.id, deviceId: row.device_id, error: error.message });
      opts.onPublishError?.({ commandId: row.id, deviceId: row.device_id, error });
    }
  }
  return result;
}

async function expireLocked(tx: Tx, rows: { id: string; organization_id: string; device_id: string }[], was: "approved" | "sent", message: (row: { id: string }) => string): Promise<ExpiredCommand[]> {
  const out: ExpiredCommand[] = [];
  for (const row of rows) {
    const ackMessage = message(row);
    await tx.deviceCommand.update({ where: { id: row.id }, data: { status: "expired", ackMessage } });
    await recordAudit(tx, DISPATCHER, {
      organizationId: row.organization_id,
      action: "command.expire",
      entityType: "device_command",
      entityId: row.id,
      details: { deviceId: row.device_id, at: was === "approved" ? "sending" : "ack", message: ackMessage },
    });
    out.push({ id: row.id, deviceId: row.device_id, organizationId: row.organization_id, was, ackMessage });
  }
  return out;
}

/** Approved commands whose expiry passed before they were sent become `expired`, saying so. */
export async function expireApprovedCommands(db: Db, now: Date, scope?: Scope): Promise<ExpiredCommand[]> {
  const organizationId = orgId(scope);
  return db.$transaction(async (tx) => {
    // SKIP LOCKED: a command being sent right now is left to that transaction (it becomes sent).
    const rows = await tx.$queryRaw<{ id: string; organization_id: string; device_id: string; expires_at: Date; revoked_at: Date | null }[]>`
      SELECT c.id, c.organization_id, c.device_id, c.expires_at, d.revoked_at
        FROM device_command c JOIN device d ON d.id = c.device_id
       WHERE c.status = 'approved' AND c.expires_at <= ${now}
         AND (${organizationId}::text IS NULL OR c.organization_id = ${organizationId}::text)
       ORDER BY c.expires_at
       LIMIT 1000
       FOR UPDATE OF c SKIP LOCKED`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    return expireLocked(tx, rows, "approved", ({ id }) => {
      const r = byId.get(id)!;
      const why = r.revoked_at ? `: device ${r.device_id} was revoked` : "";
      return `Never sent to device ${r.device_id}${why}; the command expired at ${r.expires_at.toISOString()} before it could be sent.`;
    });
  });
}

/**
 * Sent commands without an ack by their expiry become `expired` ("no acknowledgement from the device
 * before <expiresAt>"). An ack arriving later is still recorded (acks.ts), the status stays expired.
 */
export async function expireUnacknowledged(db: Db, now: Date, opts: { scope?: Scope } = {}): Promise<ExpiredCommand[]> {
  const organizationId = orgId(opts.scope);
  return db.$transaction(async (tx) => {
    // SKIP LOCKED: an ack being recorded right now holds the row; it wins.
    const rows = await tx.$queryRaw<{ id: string; organization_id: string; device_id: string; expires_at: Date }[]>`
      SELECT c.id, c.organization_id, c.device_id, c.expires_at
        FROM device_command c
       WHERE c.status = 'sent' AND c.expires_at <= ${now}
         AND (${organizationId}::text IS NULL OR c.organization_id = ${organizationId}::text)
       ORDER BY c.expires_at
       LIMIT 1000
       FOR UPDATE OF c SKIP LOCKED`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    return expireLocked(tx, rows, "sent", ({ id }) => `No acknowledgement from the device before ${byId.get(id)!.expires_at.toISOString()}.`);
  });
}
