// Setpoint commands from proposal to approval (phase 4, design.md "Autonomy"): proposed by a person
// (the optimiser's suggestion, or a manager's own value) or by the optimiser itself in autonomous
// mode, approved by a manager or admin (contracts.md roles), then sent by the dispatcher, which
// listens on COMMANDS_CHANNEL (dispatch.ts), and acknowledged by the device (acks.ts). Every change
// is one transaction with its audit entry; values outside the validated safe range never pass.
import { Prisma } from "@/generated/prisma/client";
import type { CommandStatus } from "@/generated/prisma/enums";
import { evaluateSetpoints, optimiseSetpoints, SETPOINT_DEADBAND_PCT, SETPOINT_UNITS, setpointOf, type OptimiseResult, type SetpointKey } from "@/lib/control/optimise";
import { hasRole, type RoleName } from "@/lib/roles";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { commandDevice, isSetpointKey, loadLiveControl, safeRangeFor, safeRangeRefusal, type LiveControl } from "./setpoints";

type Tx = Prisma.TransactionClient;

/** NOTIFY channel: the payload is the id of a command that just became approved. */
export const COMMANDS_CHANNEL = "ecomate_commands";

/** A proposal not approved within an hour is stale: the state it was computed for has moved on. */
export const PROPOSAL_TTL_MS = 60 * 60_000;

/** An approved command must reach the device soon or never: it was approved for the state of now. */
export const APPROVAL_TTL_MS = 10 * 60_000;

/** `proposedBy` of the optimiser's own commands (autonomous mode); a person's is their user id. */
export const OPTIMISER = "optimiser";

/** The signed-in caller (SessionUser fits). */
export interface ControlUser {
  id: string;
  email: string;
  role: RoleName;
  organizationId: string;
}

export interface CommandView {
  id: string;
  deviceId: string;
  key: string;
  value: number;
  unit: string;
  /** As stored, except a proposal past its expiry, shown as expired (it can no longer be approved). */
  status: CommandStatus;
  /** Why: optimiser checks, before/after outcome, levers, who or what proposed (CommandReason). */
  reason: Prisma.JsonValue;
  /** Display name of who proposed: a user's name, or "optimiser". */
  proposedBy: string;
  proposedByUserId: string | null;
  approvedByName: string | null;
  createdAt: Date;
  approvedAt: Date | null;
  sentAt: Date | null;
  ackAt: Date | null;
  ackMessage: string | null;
  expiresAt: Date;
  /** Whether the caller may cancel it now (the proposer or a manager, while proposed or approved). */
  canCancel: boolean;
}

/** What a command's `reason` holds (JSON). */
export interface CommandReason {
  source: "optimiser" | "manual";
  proposedBy: { type: "user"; userId: string; email: string } | { type: "optimiser" };
  note: string | null;
  /** The live flow the proposal keeps delivering; null without live flow. */
  demandM3h: number | null;
  setpoints: { key: SetpointKey; current: number | null; value: number }[];
  /** The model's verdict at the proposed setpoints; null when there was no live state to check against. */
  levers: { current: unknown; proposed: unknown } | null;
  checks: OptimiseResult["checks"];
  before: OptimiseResult["before"] | null;
  after: OptimiseResult["after"] | null;
  savings: OptimiseResult["savings"] | null;
  /** What the live levers could not tell (leversFromLive notes). */
  liveNotes: string[];
}

const userActor = (user: ControlUser): Actor => ({ type: "user", userId: user.id, label: user.email });
export const OPTIMISER_ACTOR: Actor = { type: "system", label: OPTIMISER };

const commandSelect = {
  id: true,
  deviceId: true,
  setpointKey: true,
  value: true,
  unit: true,
  status: true,
  reason: true,
  proposedBy: true,
  approvedAt: true,
  sentAt: true,
  ackAt: true,
  ackMessage: true,
  expiresAt: true,
  createdAt: true,
  approvedBy: { select: { name: true } },
} satisfies Prisma.DeviceCommandSelect;

type CommandRow = Prisma.DeviceCommandGetPayload<{ select: typeof commandSelect }>;

const mayCancel = (viewer: { id: string; role: RoleName }, proposedBy: string) => proposedBy === viewer.id || hasRole(viewer.role, "manager");
const staleProposal = (row: { status: CommandStatus; expiresAt: Date }, now: Date) => row.status === "proposed" && row.expiresAt.getTime() <= now.getTime();

async function toViews(db: Db | Tx, organizationId: string, rows: CommandRow[], viewer: { id: string; role: RoleName }, now: Date): Promise<CommandView[]> {
  const userIds = [...new Set(rows.map((r) => r.proposedBy).filter((p) => p !== OPTIMISER))];
  const users = userIds.length === 0 ? [] : await db.user.findMany({ where: { id: { in: userIds }, organizationId }, select: { id: true, name: true } });
  const names = new Map(users.map((u) => [u.id, u.name]));
  return rows.map((r) => {
    const status: CommandStatus = staleProposal(r, now) ? "expired" : r.status;
    const isUser = r.proposedBy !== OPTIMISER;
    return {
      id: r.id,
      deviceId: r.deviceId,
      key: r.setpointKey,
      value: r.value,
      unit: r.unit,
      status,
      reason: r.reason,
      proposedBy: isUser ? (names.get(r.proposedBy) ?? r.proposedBy) : OPTIMISER,
      proposedByUserId: isUser ? r.proposedBy : null,
      approvedByName: r.approvedBy?.name ?? null,
      createdAt: r.createdAt,
      approvedAt: r.approvedAt,
      sentAt: r.sentAt,
      ackAt: r.ackAt,
      ackMessage: r.ackMessage,
      expiresAt: r.expiresAt,
      canCancel: (status === "proposed" || status === "approved") && mayCancel(viewer, r.proposedBy),
    };
  });
}

/** A system's newest commands (default 20), newest first. */
export async function listCommands(db: Db, organizationId: string, systemId: string, viewer: { id: string; role: RoleName }, options: { take?: number; now?: Date } = {}): Promise<CommandView[]> {
  const rows = await db.deviceCommand.findMany({
    where: { systemId, organizationId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.take ?? 20,
    select: commandSelect,
  });
  return toViews(db, organizationId, rows, viewer, options.now ?? new Date());
}

const fmtPct = (x: number) => `${x.toLocaleString("en-GB", { maximumFractionDigits: 1, useGrouping: false })} %`;

export function autonomyOffMessage(systemCode: string): string {
  return `autonomy is off for ${systemCode}; a manager can set it to advisory or above`;
}

export const ADVISORY_MESSAGE = "advisory: proposals are shown, not sent; set supervised to send approved commands";

export interface NewCommand {
  key: SetpointKey;
  value: number;
  /** The value the unit runs at now [%]; null when unknown. */
  current: number | null;
}

/**
 * Inserts one command per setpoint for a system, in one transaction with the caller's: the system row
 * is locked so concurrent proposals for one system apply one after the other, and the system's
 * earlier proposed or approved command for the same key is cancelled (the new one supersedes it).
 * Commands that raise the dose (more lamp power, less speed) are created first, so a device that
 * takes them in order never runs a moment below the dose. Approved ones are announced on
 * COMMANDS_CHANNEL (delivered at commit).
 */
export async function insertCommands(
  tx: Tx,
  args: {
    system: { id: string; code: string; organizationId: string };
    deviceId: string;
    items: NewCommand[];
    reason: CommandReason;
    proposedBy: string;
    actor: Actor;
    now: Date;
    approve: { approvedById: string | null } | null;
  },
): Promise<string[]> {
  const { system, now } = args;
  await tx.$queryRaw`SELECT 1 FROM "system" WHERE id = ${system.id} FOR UPDATE`;
  const keys = args.items.map((i) => i.key);
  // FOR UPDATE: a command the dispatcher is sending right now is waited for and, once sent, left alone.
  const earlier = await tx.$queryRaw<{ id: string; setpoint_key: string; status: string }[]>`
    SELECT id, setpoint_key, status::text AS status FROM device_command
    WHERE system_id = ${system.id} AND setpoint_key IN (${Prisma.join(keys)}) AND status IN ('proposed', 'approved')
    FOR UPDATE`;

  const raisesDose = (i: NewCommand) => i.current !== null && (i.key === "uv_power" ? i.value >= i.current : i.value <= i.current);
  const ordered = [...args.items].sort((a, b) => Number(raisesDose(b)) - Number(raisesDose(a)));
  const ttl = args.approve ? APPROVAL_TTL_MS : PROPOSAL_TTL_MS;
  const ids: string[] = [];
  for (const [i, item] of ordered.entries()) {
    const createdAt = new Date(now.getTime() + i);
    const created = await tx.deviceCommand.create({
      data: {
        organizationId: system.organizationId,
        deviceId: args.deviceId,
        systemId: system.id,
        setpointKey: item.key,
        value: item.value,
        unit: SETPOINT_UNITS[item.key],
        status: args.approve ? "approved" : "proposed",
        reason: args.reason as unknown as Prisma.InputJsonObject,
        proposedBy: args.proposedBy,
        approvedById: args.approve?.approvedById ?? null,
        approvedAt: args.approve ? now : null,
        expiresAt: new Date(now.getTime() + ttl),
        createdAt,
      },
      select: { id: true },
    });
    ids.push(created.id);
    const details = { system: system.code, device: args.deviceId, key: item.key, value: item.value, current: item.current, source: args.reason.source };
    await recordAudit(tx, args.actor, { organizationId: system.organizationId, action: "command.propose", entityType: "device_command", entityId: created.id, details });
    if (args.approve) {
      await recordAudit(tx, args.actor, { organizationId: system.organizationId, action: "command.approve", entityType: "device_command", entityId: created.id, details });
      await tx.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${created.id})`;
    }
  }
  for (const old of earlier) {
    const by = ids[ordered.findIndex((i) => i.key === old.setpoint_key)];
    await tx.deviceCommand.update({ where: { id: old.id }, data: { status: "cancelled", ackMessage: `superseded by command ${by}` } });
    await recordAudit(tx, args.actor, {
      organizationId: system.organizationId,
      action: "command.cancel",
      entityType: "device_command",
      entityId: old.id,
      details: { system: system.code, key: old.setpoint_key, from: old.status, supersededBy: by ?? null },
    });
  }
  return ids;
}

/** The audit of why, from the live state (null parts when there is no live flow to check against). */
export function commandReason(
  live: LiveControl,
  items: NewCommand[],
  base: Pick<CommandReason, "source" | "proposedBy" | "note">,
  optimised: OptimiseResult | null,
): CommandReason {
  const setpoints = items.map(({ key, current, value }) => ({ key, current, value }));
  const liveNotes = live.twin.live.notes;
  if (optimised) {
    return { ...base, demandM3h: live.demandM3h, setpoints, levers: { current: live.twin.live.levers, proposed: optimised.levers }, checks: optimised.checks, before: optimised.before, after: optimised.after, savings: optimised.savings, liveNotes };
  }
  if (!live.input) {
    return {
      ...base,
      demandM3h: null,
      setpoints,
      levers: null,
      checks: [{ name: "model", ok: false, detail: "No live flow: the proposal was not checked against the unit model." }],
      before: null,
      after: null,
      savings: null,
      liveNotes,
    };
  }
  const values = Object.fromEntries(items.map((i) => [i.key, i.value])) as Partial<Record<SetpointKey, number>>;
  const e = evaluateSetpoints(live.input, values);
  return { ...base, demandM3h: live.demandM3h, setpoints, levers: { current: live.twin.live.levers, proposed: e.levers }, checks: e.checks, before: e.before, after: e.after, savings: e.savings, liveNotes };
}

export interface ProposeInput {
  systemCode: string;
  setpoints: { key: string; value: number }[];
  source: "optimiser" | "manual";
  /** The proposer's own words (why). */
  reason?: string;
}

/**
 * Proposes setpoints for a system: one command per setpoint, status proposed, expiring in an hour.
 * Technicians propose the optimiser's suggestion (recomputed here from the live state, never taken
 * from the client); a value of one's own ("manual") needs a manager or admin. Refused when autonomy
 * is off, without a device, or outside a safe range.
 */
export async function proposeCommands(db: Db, user: ControlUser, input: ProposeInput): Promise<CommandView[]> {
  const now = new Date();
  const scope = { organizationId: user.organizationId };
  if (input.setpoints.length === 0) throw new AppError("BAD_REQUEST", "Setpoints: propose at least one setpoint.", { field: "setpoints" });
  const seen = new Set<string>();
  for (const s of input.setpoints) {
    if (!isSetpointKey(s.key)) throw new AppError("BAD_REQUEST", `Setpoints: unknown key "${s.key}"; the keys are pump_speed and uv_power.`, { field: "setpoints" });
    if (seen.has(s.key)) throw new AppError("BAD_REQUEST", `Setpoints: ${s.key} is given twice.`, { field: "setpoints" });
    if (!Number.isFinite(s.value)) throw new AppError("BAD_REQUEST", `Setpoints: ${s.key} needs a number.`, { field: "setpoints" });
    seen.add(s.key);
  }
  if (input.source === "manual" && !hasRole(user.role, "manager")) {
    throw new AppError("FORBIDDEN", `Only managers and admins may propose setpoints of their own; you are signed in as ${user.role}. Propose the optimiser's suggestion instead.`);
  }
  const system = await db.treatmentSystem.findFirst({ where: { code: input.systemCode, organizationId: user.organizationId }, select: { id: true, code: true, organizationId: true, autonomyLevel: true } });
  if (!system) throw notFound("System", input.systemCode);
  if (system.autonomyLevel === "off") throw new AppError("BAD_REQUEST", autonomyOffMessage(system.code));
  const device = await commandDevice(db, system.id);
  if (!device) throw new AppError("BAD_REQUEST", `${system.code} has no device to send commands to: register a device first`);

  const live = await loadLiveControl(db, scope, system.code, { now });
  const items: NewCommand[] = input.setpoints.map((s) => {
    const key = s.key as SetpointKey;
    return { key, value: s.value, current: live.liveFlow ? setpointOf(live.twin.live.levers, key) : null };
  });
  for (const item of items) {
    const refusal = safeRangeRefusal(system.code, item.key, item.value, live.safe[item.key]);
    if (refusal) throw new AppError("BAD_REQUEST", refusal, { field: "setpoints", key: item.key });
  }

  let optimised: OptimiseResult | null = null;
  if (input.source === "optimiser") {
    if (!live.input) throw new AppError("BAD_REQUEST", `${system.code} has no live flow: the optimiser needs fresh flow or pump-speed readings with the pump running`);
    optimised = optimiseSetpoints(live.input);
    if (!optimised.feasible) throw new AppError("BAD_REQUEST", `The optimiser has no setpoints for ${system.code}: ${optimised.reason}`);
    if (optimised.setpoints.length === 0) throw new AppError("BAD_REQUEST", `${system.code} already runs at the optimiser's setpoints: nothing to propose`);
    // Pump speed and lamp power are chosen together (the dose depends on both): all or none.
    const wanted = optimised.setpoints.map((s) => s.key).sort();
    const given = items.map((i) => i.key).sort();
    if (wanted.join() !== given.join()) {
      throw new AppError("BAD_REQUEST", `The optimiser's setpoints for ${system.code} go together: propose ${wanted.join(" and ")} (you sent ${given.join(" and ")}).`);
    }
    for (const item of items) {
      const suggested = optimised.setpoints.find((s) => s.key === item.key)!;
      if (Math.abs(suggested.value - item.value) >= SETPOINT_DEADBAND_PCT) {
        throw new AppError(
          "CONFLICT",
          `The optimiser now suggests ${item.key} ${fmtPct(suggested.value)} for ${system.code} (you sent ${fmtPct(item.value)}): the live state has changed; reload the suggestion.`,
        );
      }
    }
  }

  const note = input.reason?.trim() || null;
  const reason = commandReason(live, items, { source: input.source, proposedBy: { type: "user", userId: user.id, email: user.email }, note }, optimised);
  const ids = await db.$transaction(async (tx) => {
    // A manager may have switched autonomy off while the optimiser ran: re-read under the row lock.
    await tx.$queryRaw`SELECT 1 FROM "system" WHERE id = ${system.id} FOR UPDATE`;
    const level = await tx.treatmentSystem.findUniqueOrThrow({ where: { id: system.id }, select: { autonomyLevel: true } });
    if (level.autonomyLevel === "off") throw new AppError("BAD_REQUEST", autonomyOffMessage(system.code));
    return insertCommands(tx, { system, deviceId: device.id, items, reason, proposedBy: user.id, actor: userActor(user), now, approve: null });
  });
  const rows = await db.deviceCommand.findMany({ where: { id: { in: ids } }, select: commandSelect, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return toViews(db, user.organizationId, rows, user, now);
}

/** Locks one command of the caller's organisation for a change (another organisation's: NOT_FOUND). */
async function lockCommand(tx: Tx, organizationId: string, id: string) {
  await tx.$queryRaw`SELECT 1 FROM device_command WHERE id = ${id} AND organization_id = ${organizationId} FOR UPDATE`;
  const command = await tx.deviceCommand.findFirst({
    where: { id, organizationId },
    select: {
      id: true,
      status: true,
      setpointKey: true,
      value: true,
      proposedBy: true,
      expiresAt: true,
      systemId: true,
      system: { select: { code: true, autonomyLevel: true } },
      device: { select: { id: true, revokedAt: true } },
    },
  });
  if (!command) throw notFound("Command", id);
  return command;
}

async function viewOf(db: Db, user: ControlUser, id: string): Promise<CommandView> {
  const row = await db.deviceCommand.findUniqueOrThrow({ where: { id }, select: commandSelect });
  const [view] = await toViews(db, user.organizationId, [row], user, new Date());
  return view!;
}

/**
 * Approves a proposed command (managers and admins): it may be sent now, within ten minutes. Refused
 * in advisory mode (proposals are only shown) and when autonomy is off; the safe range is checked
 * again (it may have been narrowed since). The dispatcher hears of it on COMMANDS_CHANNEL.
 */
export async function approveCommand(db: Db, user: ControlUser, id: string): Promise<CommandView> {
  if (!hasRole(user.role, "manager")) throw new AppError("FORBIDDEN", `Only managers and admins may approve setpoint commands; you are signed in as ${user.role}.`);
  const now = new Date();
  const outcome = await db.$transaction(async (tx) => {
    const command = await lockCommand(tx, user.organizationId, id);
    if (command.status !== "proposed") throw new AppError("CONFLICT", `Command ${id} is ${command.status}: only a proposed command can be approved.`);
    if (command.expiresAt.getTime() <= now.getTime()) {
      // Marked here so the list agrees; the refusal is thrown after this commits.
      await tx.deviceCommand.update({ where: { id }, data: { status: "expired", ackMessage: "not approved within an hour of its proposal" } });
      await recordAudit(tx, userActor(user), { organizationId: user.organizationId, action: "command.expire", entityType: "device_command", entityId: id, details: { system: command.system.code, key: command.setpointKey, at: "approval" } });
      return { expired: command.expiresAt };
    }
    if (command.system.autonomyLevel === "off") throw new AppError("BAD_REQUEST", autonomyOffMessage(command.system.code));
    if (command.system.autonomyLevel === "advisory") throw new AppError("BAD_REQUEST", ADVISORY_MESSAGE);
    if (command.device.revokedAt) throw new AppError("CONFLICT", `Command ${id} was for device ${command.device.id}, which has been revoked since: propose again.`);
    if (!isSetpointKey(command.setpointKey)) throw new AppError("BAD_REQUEST", `Command ${id} has the unknown setpoint key "${command.setpointKey}".`);
    const range = await safeRangeFor(tx, command.systemId, command.setpointKey);
    const refusal = safeRangeRefusal(command.system.code, command.setpointKey, command.value, range);
    if (refusal) throw new AppError("BAD_REQUEST", `${refusal}: the command cannot be approved`);
    await tx.deviceCommand.update({ where: { id }, data: { status: "approved", approvedById: user.id, approvedAt: now, expiresAt: new Date(now.getTime() + APPROVAL_TTL_MS) } });
    await recordAudit(tx, userActor(user), {
      organizationId: user.organizationId,
      action: "command.approve",
      entityType: "device_command",
      entityId: id,
      details: { system: command.system.code, device: command.device.id, key: command.setpointKey, value: command.value },
    });
    await tx.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${id})`;
    return { expired: null };
  });
  if (outcome.expired) {
    throw new AppError("CONFLICT", `Command ${id} expired at ${outcome.expired.toISOString()}: a proposal not approved within an hour is stale; propose again.`);
  }
  return viewOf(db, user, id);
}

/** Cancels a proposed or approved command: its proposer may, and managers and admins may. */
export async function cancelCommand(db: Db, user: ControlUser, id: string): Promise<CommandView> {
  await db.$transaction(async (tx) => {
    const command = await lockCommand(tx, user.organizationId, id);
    if (!mayCancel(user, command.proposedBy)) {
      throw new AppError("FORBIDDEN", `Command ${id} was proposed by someone else: only they or a manager can cancel it.`);
    }
    if (command.status !== "proposed" && command.status !== "approved") {
      throw new AppError("CONFLICT", `Command ${id} is ${command.status}: only a proposed or approved command can be cancelled.`);
    }
    await tx.deviceCommand.update({ where: { id }, data: { status: "cancelled", ackMessage: `cancelled by ${user.email}` } });
    await recordAudit(tx, userActor(user), {
      organizationId: user.organizationId,
      action: "command.cancel",
      entityType: "device_command",
      entityId: id,
      details: { system: command.system.code, key: command.setpointKey, value: command.value, from: command.status },
    });
  });
  return viewOf(db, user, id);
}

/** Marks proposals nobody approved within their hour as expired (all organisations). */
export async function expireStaleProposals(db: Db, now: Date): Promise<number> {
  return db.$transaction(async (tx) => {
    const stale = await tx.$queryRaw<{ id: string; organization_id: string; setpoint_key: string }[]>`
      UPDATE device_command SET status = 'expired', ack_message = 'not approved within an hour of its proposal'
      WHERE status = 'proposed' AND expires_at <= ${now}
      RETURNING id, organization_id, setpoint_key`;
    for (const row of stale) {
      await recordAudit(tx, OPTIMISER_ACTOR, { organizationId: row.organization_id, action: "command.expire", entityType: "device_command", entityId: row.id, details: { key: row.setpoint_key, at: "proposal" } });
    }
    return stale.length;
  });
}
