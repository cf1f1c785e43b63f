/**
 * The organisation's notification channels (admins): webhooks (signed JSON POST) and e-mail
 * addresses, each with a minimum severity and an on/off switch; the worker's notifier sends to the
 * active ones (src/server/telemetry/alerts/notify.ts). A webhook's signing secret is generated here
 * and returned once, at creation or rotation; lists never carry it. Every channel can be tested.
 */
import type pg from "pg";
import type { Severity } from "@/generated/prisma/enums";
import { recordAudit, type Actor } from "@/server/audit";
import { getPool, type Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { sendTestWebhook, type WebhookTestResult } from "@/server/telemetry/alerts/notify";
import { channelTargetProblem, generateChannelSecret, type ChannelKind } from "./channel-target";
import { auditDetails, describeEmailTest, EMAIL_TEST_AUDIT_ACTION, EMAIL_TEST_TIMEOUT_MS, requestEmailTest, type EmailTestResult } from "./email-test";

export interface ChannelSummary {
  id: string;
  kind: ChannelKind;
  name: string;
  target: string;
  minSeverity: Severity;
  active: boolean;
  /** whether deliveries are signed (the secret itself is never shown again) */
  signed: boolean;
  createdAt: Date;
}

export interface ChannelWithSecret {
  channel: ChannelSummary;
  /** the webhook signing secret: shown only in this answer; null for e-mail channels */
  secret: string | null;
}

export interface ChannelAdmin {
  id: string;
  email: string;
  organizationId: string;
}

const channelSelect = { id: true, kind: true, name: true, target: true, secret: true, minSeverity: true, active: true, createdAt: true } as const;

function summary(row: { id: string; kind: string; name: string; target: string; secret: string | null; minSeverity: Severity; active: boolean; createdAt: Date }): ChannelSummary {
  return {
    id: row.id,
    kind: row.kind === "email" ? "email" : "webhook",
    name: row.name,
    target: row.target,
    minSeverity: row.minSeverity,
    active: row.active,
    signed: row.secret !== null,
    createdAt: row.createdAt,
  };
}

const actorOf = (user: ChannelAdmin): Actor => ({ type: "user", userId: user.id, label: user.email });

function checkTarget(kind: ChannelKind, target: string): string {
  const problem = channelTargetProblem(kind, target);
  if (problem) throw new AppError("BAD_REQUEST", `Target: ${problem}`, { field: "target" });
  return target.trim();
}

export async function listNotificationChannels(db: Db, organizationId: string): Promise<ChannelSummary[]> {
  const rows = await db.notificationChannel.findMany({ where: { organizationId }, select: channelSelect, orderBy: [{ kind: "asc" }, { name: "asc" }] });
  return rows.map(summary);
}

export async function createNotificationChannel(
  db: Db,
  user: ChannelAdmin,
  input: { kind: ChannelKind; name: string; target: string; minSeverity: Severity; active?: boolean },
): Promise<ChannelWithSecret> {
  const target = checkTarget(input.kind, input.target);
  const secret = input.kind === "webhook" ? generateChannelSecret() : null;
  const row = await db.$transaction(async (tx) => {
    const created = await tx.notificationChannel.create({
      data: { organizationId: user.organizationId, kind: input.kind, name: input.name.trim(), target, secret, minSeverity: input.minSeverity, active: input.active ?? true },
      select: channelSelect,
    });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "notification_channel.create",
      entityType: "notification_channel",
      entityId: created.id,
      // never the secret
      details: { kind: created.kind, name: created.name, minSeverity: created.minSeverity, active: created.active },
    });
    return created;
  });
  return { channel: summary(row), secret };
}

async function loadChannel(db: Pick<Db, "notificationChannel">, organizationId: string, id: string) {
  const row = await db.notificationChannel.findFirst({ where: { id, organizationId }, select: { ...channelSelect, organizationId: true } });
  if (!row) throw notFound("Notification channel", id);
  return row;
}

export async function updateNotificationChannel(
  db: Db,
  user: ChannelAdmin,
  change: { id: string; name?: string; target?: string; minSeverity?: Severity; active?: boolean },
): Promise<ChannelSummary> {
  const { id, ...fields } = change;
  return db.$transaction(async (tx) => {
    const before = await loadChannel(tx, user.organizationId, id);
    const data = {
      ...(fields.name !== undefined ? { name: fields.name.trim() } : {}),
      ...(fields.target !== undefined ? { target: checkTarget(summary(before).kind, fields.target) } : {}),
      ...(fields.minSeverity !== undefined ? { minSeverity: fields.minSeverity } : {}),
      ...(fields.active !== undefined ? { active: fields.active } : {}),
    };
    const updated = await tx.notificationChannel.update({ where: { id }, data, select: channelSelect });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "notification_channel.update",
      entityType: "notification_channel",
      entityId: id,
      details: { before: Object.fromEntries(Object.keys(data).map((k) => [k, before[k as keyof typeof data]])), after: data },
    });
    return summary(updated);
  });
}

/** A new signing secret for a webhook (the old one stops working at once); returned once. */
export async function rotateChannelSecret(db: Db, user: ChannelAdmin, id: string): Promise<ChannelWithSecret> {
  return db.$transaction(async (tx) => {
    const before = await loadChannel(tx, user.organizationId, id);
    if (before.kind !== "webhook") throw new AppError("BAD_REQUEST", `Channel "${before.name}" sends e-mail: only webhooks have a signing secret.`);
    const secret = generateChannelSecret();
    const updated = await tx.notificationChannel.update({ where: { id }, data: { secret }, select: channelSelect });
    await recordAudit(tx, actorOf(user), { organizationId: user.organizationId, action: "notification_channel.rotate_secret", entityType: "notification_channel", entityId: id });
    return { channel: summary(updated), secret };
  });
}

export async function deleteNotificationChannel(db: Db, user: ChannelAdmin, id: string): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const before = await loadChannel(tx, user.organizationId, id);
    await tx.notificationChannel.delete({ where: { id } });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "notification_channel.delete",
      entityType: "notification_channel",
      entityId: id,
      details: { kind: before.kind, name: before.name },
    });
    return { id };
  });
}

export type ChannelTestResult = ({ kind: "webhook" } & WebhookTestResult) | EmailTestResult;

/**
 * Tests a channel, whether it is active or not (an admin tests before switching it on). A webhook
 * gets a signed test POST from this process. An e-mail channel is mailed by a worker, which alone
 * holds the SMTP settings: the request goes over LISTEN/NOTIFY (email-test.ts) and the answer, or
 * its absence after `workerTimeoutMs` (20 s), comes back in words the admin page shows.
 */
export async function testNotificationChannel(
  db: Db,
  user: ChannelAdmin,
  id: string,
  opts: { timeoutMs?: number; workerTimeoutMs?: number; pool?: pg.Pool } = {},
): Promise<ChannelTestResult> {
  const channel = await loadChannel(db, user.organizationId, id);
  if (channel.kind === "email") return testEmailChannel(db, user, channel.id, opts);
  const result = await sendTestWebhook(channel, opts);
  await recordAudit(db, actorOf(user), {
    organizationId: user.organizationId,
    action: "notification_channel.test",
    entityType: "notification_channel",
    entityId: id,
    details: { delivered: result.delivered, deliveryId: result.deliveryId, ...(result.status !== undefined ? { status: result.status } : {}) },
  });
  return { kind: "webhook", ...result };
}

async function testEmailChannel(db: Db, user: ChannelAdmin, channelId: string, opts: { workerTimeoutMs?: number; pool?: pg.Pool }): Promise<EmailTestResult> {
  const timeoutMs = opts.workerTimeoutMs ?? EMAIL_TEST_TIMEOUT_MS;
  const answer = await requestEmailTest(
    opts.pool ?? getPool(),
    { channelId, organizationId: user.organizationId, requestedBy: { userId: user.id, email: user.email } },
    { timeoutMs },
  );
  // The worker that answers writes the audit entry along with its claim; without one, it is written here.
  if (answer.outcome === "no_answer") {
    await recordAudit(db, actorOf(user), {
      organizationId: user.organizationId,
      action: EMAIL_TEST_AUDIT_ACTION,
      entityType: "notification_channel",
      entityId: channelId,
      details: auditDetails(answer),
    });
  }
  return describeEmailTest(answer, timeoutMs);
}
