/**
 * "Send test e-mail" for an e-mail notification channel. The SMTP settings live in the worker only
 * (src/server/env/worker.ts), so the web process asks and a worker sends, over PostgreSQL
 * LISTEN/NOTIFY like the rest of the app:
 *
 *   web     LISTEN ecomate_email_test_result, then NOTIFY ecomate_email_test {requestId, channelId, ...}
 *   worker  claims the request (advisory lock + the audit row: one worker answers however many run),
 *           NOTIFY ecomate_email_test_result {requestId, outcome: "working"} at once, sends one e-mail
 *           through SmtpMailer (the path alert e-mails take), writes the audit entry and NOTIFYs the
 *           result in the same transaction
 *   web     waits up to 20 s for its requestId, else reports that no worker answered
 *
 * Only workers that take part in alerts (WORKER_ALERTS) listen: they are the ones that send alert e-mail.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { listenPersistently } from "@/server/db/listen";
import { z } from "zod";
import type { Severity } from "@/generated/prisma/enums";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { moduleLogger, type Logger } from "@/server/logger";
import { oneLine, SmtpMailer, type MailOutcome } from "@/server/telemetry/alerts/notify";
import { emailRecipients } from "./preferences";

export const EMAIL_TEST_CHANNEL = "ecomate_email_test";
export const EMAIL_TEST_RESULT_CHANNEL = "ecomate_email_test_result";
export const EMAIL_TEST_TIMEOUT_MS = 20_000;
export const EMAIL_TEST_AUDIT_ACTION = "notification_channel.test";

// First key of the two-key advisory lock: keeps these locks apart from the app's single-key ones
// (alert engine leadership, Prisma's migration lock).
const LOCK_NAMESPACE = "ecomate_email_test";
// The claim transaction stays open while the mail goes out; nodemailer's timeouts (10 s connect,
// 10 s greeting, 30 s idle socket) end a dead server's attempt well before this.
const CLAIM_TRANSACTION_MS = 120_000;
const MAX_ERROR_CHARS = 500;
const MAX_RESPONSE_CHARS = 300;

const requestSchema = z.object({
  requestId: z.uuid(),
  channelId: z.string().min(1).max(64),
  organizationId: z.string().min(1).max(64),
  requestedBy: z.object({ userId: z.string().min(1).max(64), email: z.string().min(1).max(320) }),
  requestedAt: z.iso.datetime(),
});
export type EmailTestRequest = z.infer<typeof requestSchema>;

const replySchema = z.discriminatedUnion("outcome", [
  // a worker claimed the request and is talking to the SMTP server
  z.object({ requestId: z.string(), outcome: z.literal("working"), smtpServer: z.string() }),
  z.object({
    requestId: z.string(),
    outcome: z.literal("sent"),
    recipients: z.array(z.string()),
    smtpServer: z.string(),
    response: z.string().nullable(),
    messageId: z.string().nullable(),
  }),
  z.object({
    requestId: z.string(),
    outcome: z.literal("failed"),
    recipients: z.array(z.string()),
    smtpServer: z.string().nullable(),
    error: z.string(),
    hint: z.string(),
  }),
  z.object({ requestId: z.string(), outcome: z.literal("not_configured") }),
]);
export type EmailTestReply = z.infer<typeof replySchema>;
type FinalReply = Exclude<EmailTestReply, { outcome: "working" }>;

/** What the web side got: the worker's final answer, or nothing in time (`smtpServer` set when a worker had claimed it). */
export type EmailTestAnswer = FinalReply | { requestId: string; outcome: "no_answer"; acknowledged: boolean; smtpServer: string | null };

/** The result of a test of an e-mail channel, as the admin page shows it. */
export interface EmailTestResult {
  kind: "email";
  requestId: string;
  outcome: "sent" | "failed" | "not_configured" | "no_answer";
  /** the SMTP server accepted the e-mail */
  delivered: boolean;
  /** what happened and, unless sent, what to check: in plain words */
  message: string;
  recipients: string[];
  /** scheme://host:port of the SMTP server, never its credentials */
  smtpServer: string | null;
  /** the SMTP server's answer to the message, e.g. "250 2.0.0 Ok: queued as 4F2A1" */
  response: string | null;
  messageId: string | null;
  error: string | null;
  hint: string | null;
}

function parseJson<T>(schema: z.ZodType<T>, payload: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const parseEmailTestRequest = (payload: string): EmailTestRequest | null => parseJson(requestSchema, payload);
export const parseEmailTestReply = (payload: string): EmailTestReply | null => parseJson(replySchema, payload);

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function testEmailSubject(channelName: string): string {
  return `EcoMate test e-mail for channel ${oneLine(channelName, 120)}`;
}

export function testEmailText(t: { channelName: string; address: string; minSeverity: Severity; requestedBy: string; requestedAt: Date; smtpServer: string }): string {
  return [
    `This is a test e-mail from EcoMate for the notification channel "${oneLine(t.channelName, 120)}".`,
    "",
    `${t.requestedBy} asked for it on the notification settings page at ${t.requestedAt.toISOString()} (UTC).`,
    `Reading it here means alert e-mails for this channel reach ${t.address}: alerts from ${t.minSeverity} up when raised or escalated, and criticals when they clear.`,
    "",
    `Sent by the EcoMate worker through ${t.smtpServer}. No action is needed.`,
  ].join("\n");
}

/** What an admin should check after an SMTP failure, from nodemailer's error code, SMTP reply code, command and message. */
export function smtpFailureHint(f: Pick<Extract<MailOutcome, { ok: false }>, "error" | "code" | "responseCode" | "command">): string {
  const message = f.error;
  const command = (f.command ?? "").toUpperCase();
  if (f.code === "EAUTH" || f.responseCode === 535 || f.responseCode === 534 || command.startsWith("AUTH")) {
    return "The SMTP server refused the login: check the user name and password in SMTP_URL (URL-encode special characters, e.g. @ as %40).";
  }
  // nodemailer reports a refused sender as EENVELOPE too: the command tells them apart
  if (command.startsWith("MAIL")) return "The SMTP server refused the sender: set SMTP_FROM to an address this server lets you send from.";
  if (f.code === "EENVELOPE" || command.startsWith("RCPT")) {
    return "The SMTP server refused the recipient: check the channel's address, and that the server accepts mail for it from SMTP_FROM.";
  }
  if (f.code === "EDNS" || /ENOTFOUND|EAI_AGAIN/.test(message)) return "The worker cannot resolve the SMTP host name: check the host in SMTP_URL.";
  if (/ECONNREFUSED/.test(message)) {
    return "Nothing accepts connections at that host and port: check that the mail server runs and the port in SMTP_URL (587 or 25 with smtp://, 465 with smtps://).";
  }
  if (f.code === "ETIMEDOUT" || /timed? ?out/i.test(message)) {
    return "The SMTP server did not answer in time: check the host and port in SMTP_URL and that no firewall blocks the worker.";
  }
  if (f.code === "ETLS" || /\bTLS\b|SSL|certificate|wrong version number/i.test(message)) {
    return "The TLS handshake failed: use smtps:// for port 465 and smtp:// (STARTTLS) for 587 or 25, and check the server's certificate.";
  }
  if (f.code === "ECONNECTION" || f.code === "ESOCKET") return "The connection to the SMTP server failed: check SMTP_URL and that the mail server runs and is reachable from the worker.";
  if (typeof f.responseCode === "number" && f.responseCode >= 500) return "The SMTP server refused the message; its answer says why: fix it on the mail server or in SMTP_URL / SMTP_FROM.";
  if (typeof f.responseCode === "number" && f.responseCode >= 400) return "The SMTP server asked to try again later (a temporary failure, which alert e-mails retry): send the test again in a minute.";
  return 'Check SMTP_URL and SMTP_FROM in the worker\'s environment and the worker\'s log (module "email-test").';
}

function duration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The admin page's result for a worker's answer (or its absence after `timeoutMs`). */
export function describeEmailTest(answer: EmailTestAnswer, timeoutMs: number): EmailTestResult {
  const base = { kind: "email" as const, requestId: answer.requestId, delivered: answer.outcome === "sent", recipients: [] as string[], smtpServer: null, response: null, messageId: null, error: null, hint: null };
  switch (answer.outcome) {
    case "sent": {
      const n = answer.recipients.length;
      const said = answer.response ? `; it answered "${answer.response}"` : "";
      return {
        ...base,
        outcome: "sent",
        recipients: answer.recipients,
        smtpServer: answer.smtpServer,
        response: answer.response,
        messageId: answer.messageId,
        message: `Test e-mail sent to ${n} recipient${n === 1 ? "" : "s"} (${answer.recipients.join(", ")}) through ${answer.smtpServer}${said}. Check that it arrived, and look in the spam folder if not.`,
      };
    }
    case "failed":
      return {
        ...base,
        outcome: "failed",
        recipients: answer.recipients,
        smtpServer: answer.smtpServer,
        error: answer.error,
        hint: answer.hint,
        message: `Test e-mail not sent${answer.smtpServer ? ` through ${answer.smtpServer}` : ""}: ${answer.error}. ${answer.hint}`,
      };
    case "not_configured":
      return { ...base, outcome: "not_configured", message: "The worker has no SMTP_URL: set it in the worker's environment (docs/operations.md) and restart the worker." };
    case "no_answer":
      return {
        ...base,
        outcome: "no_answer",
        smtpServer: answer.smtpServer,
        message: answer.acknowledged
          ? `A worker took the request, but ${answer.smtpServer ?? "the SMTP server"} had not accepted the e-mail within ${duration(timeoutMs)}: check that the host and port in SMTP_URL are reachable from the worker. The worker's log (module "email-test") and the audit log show the outcome.`
          : `No worker answered within ${duration(timeoutMs)}: is \`npm run worker\` running? (Only workers in the alert engine send e-mail: WORKER_ALERTS must not be false.)`,
      };
  }
}

// ---- web side ------------------------------------------------------------------------------------

/**
 * Sends the request and waits for the worker's final answer. The reply channel is LISTENed before the
 * request goes out, so a quick answer cannot be missed; the connection is borrowed from the pool for
 * the wait and handed back without its LISTEN.
 */
export async function requestEmailTest(
  pool: pg.Pool,
  request: Omit<EmailTestRequest, "requestId" | "requestedAt"> & { requestedAt?: Date },
  opts: { timeoutMs?: number } = {},
): Promise<EmailTestAnswer> {
  const timeoutMs = opts.timeoutMs ?? EMAIL_TEST_TIMEOUT_MS;
  const full: EmailTestRequest = { ...request, requestId: randomUUID(), requestedAt: (request.requestedAt ?? new Date()).toISOString() };
  const client = await pool.connect();
  let failure: Error | undefined;
  let onNotification: ((n: pg.Notification) => void) | undefined;
  let onError: ((err: Error) => void) | undefined;
  try {
    return await new Promise<EmailTestAnswer>((resolve, reject) => {
      let acknowledged: string | null = null;
      const timer = setTimeout(() => resolve({ requestId: full.requestId, outcome: "no_answer", acknowledged: acknowledged !== null, smtpServer: acknowledged }), timeoutMs);
      const fail = (err: Error) => {
        failure = err;
        clearTimeout(timer);
        reject(err);
      };
      onNotification = (n) => {
        if (n.channel !== EMAIL_TEST_RESULT_CHANNEL || !n.payload) return;
        const reply = parseEmailTestReply(n.payload);
        if (!reply || reply.requestId !== full.requestId) return;
        if (reply.outcome === "working") {
          acknowledged = reply.smtpServer;
          return;
        }
        clearTimeout(timer);
        resolve(reply);
      };
      onError = fail;
      client.on("notification", onNotification);
      client.on("error", onError);
      client
        .query(`LISTEN ${EMAIL_TEST_RESULT_CHANNEL}`)
        .then(() => client.query("SELECT pg_notify($1, $2)", [EMAIL_TEST_CHANNEL, JSON.stringify(full)]))
        .catch(fail);
    });
  } finally {
    if (onNotification) client.off("notification", onNotification);
    // a pooled connection must not keep listening for the next borrower
    if (!failure) await client.query(`UNLISTEN ${EMAIL_TEST_RESULT_CHANNEL}`).catch((err: Error) => (failure = err));
    if (onError) client.off("error", onError);
    client.release(failure);
  }
}

// ---- worker side ---------------------------------------------------------------------------------

export interface EmailTestListenerOptions {
  pool: pg.Pool;
  db: Db;
  /** the worker's SMTP_URL and SMTP_FROM; without a URL every request is answered "not configured" */
  smtp: { url?: string; from?: string };
  log?: Logger;
  /** A worker without SMTP waits this long before claiming a request, so that one able to send answers it (default 1 s). */
  unconfiguredDelayMs?: number;
  /** wait before listening again after the connection was lost (default 2 s) */
  retryMs?: number;
}

export interface EmailTestListener {
  /** resolves once the first LISTEN is in place */
  ready(): Promise<void>;
  /** stops listening, waits for tests being sent, closes the mail transport */
  stop(): Promise<void>;
}

/** Answers test e-mail requests in a worker (src/worker/index.ts starts it next to the notification dispatcher). */
export function startEmailTestListener(opts: EmailTestListenerOptions): EmailTestListener {
  const log = opts.log ?? moduleLogger("email-test");
  const mailer = opts.smtp.url ? new SmtpMailer(opts.smtp.url, opts.smtp.from) : null;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const onNotification = (payload: string | undefined) => {
    if (!payload || stopped) return;
    const request = parseEmailTestRequest(payload);
    if (!request) {
      log.warn({ payload: payload.slice(0, 200) }, "ignoring a malformed test e-mail request");
      return;
    }
    const task: Promise<void> = answer(request)
      .catch((err: unknown) => log.error({ err: (err as Error).message, requestId: request.requestId, channelId: request.channelId }, "test e-mail request failed"))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };


  async function answer(request: EmailTestRequest): Promise<void> {
    // Let a worker that can send claim it first; this one answers "not configured" only if none did.
    // 5 s: a configured worker busy with its batches (waiting for a pooled connection) still wins,
    // and the answer comes well inside the web's 20 s wait.
    if (!mailer) await new Promise((resolve) => setTimeout(resolve, opts.unconfiguredDelayMs ?? 5_000));
    await opts.db.$transaction(
      async (tx) => {
        // The lock keeps a second worker out while this one sends; the audit row, written in the same
        // transaction, tells a worker that got the notification late that the request was answered.
        const [lock] = await tx.$queryRaw<{ claimed: boolean }[]>`
          SELECT pg_try_advisory_xact_lock(hashtext(${LOCK_NAMESPACE}::text), hashtext(${request.requestId}::text)) AS claimed`;
        if (!lock?.claimed) return;
        // Also covers the web having given up already (it audits "no_answer" under the same request id).
        const answered = await tx.auditLog.count({
          where: { action: EMAIL_TEST_AUDIT_ACTION, entityType: "notification_channel", entityId: request.channelId, details: { path: ["requestId"], equals: request.requestId } },
        });
        if (answered > 0) return;
        // Outside the transaction so that the web hears it now: a worker is on it, the SMTP server is slow.
        if (mailer) await opts.pool.query("SELECT pg_notify($1, $2)", [EMAIL_TEST_RESULT_CHANNEL, JSON.stringify({ requestId: request.requestId, outcome: "working", smtpServer: mailer.server })]);
        const reply = await sendTest(tx, request);
        await recordAudit(
          tx,
          { type: "user", userId: request.requestedBy.userId, label: request.requestedBy.email },
          {
            organizationId: request.organizationId,
            action: EMAIL_TEST_AUDIT_ACTION,
            entityType: "notification_channel",
            entityId: request.channelId,
            details: auditDetails(reply),
          },
        );
        // delivered on commit, with the audit row
        await tx.$executeRaw`SELECT pg_notify(${EMAIL_TEST_RESULT_CHANNEL}, ${JSON.stringify(reply)})`;
      },
      { maxWait: 10_000, timeout: CLAIM_TRANSACTION_MS },
    );
  }

  async function sendTest(tx: Pick<Db, "notificationChannel">, request: EmailTestRequest): Promise<FinalReply> {
    const { requestId } = request;
    if (!mailer) {
      log.warn({ requestId, channelId: request.channelId }, "test e-mail requested but this worker has no SMTP_URL");
      return { requestId, outcome: "not_configured" };
    }
    const channel = await tx.notificationChannel.findFirst({
      where: { id: request.channelId, organizationId: request.organizationId, kind: "email" },
      select: { name: true, target: true, minSeverity: true },
    });
    if (!channel) {
      return {
        requestId,
        outcome: "failed",
        recipients: [],
        smtpServer: mailer.server,
        error: `Notification channel "${request.channelId}" is not an e-mail channel of this organisation (any more)`,
        hint: "Reload the page: it was deleted or changed meanwhile.",
      };
    }
    // The same recipient rule as alert e-mails: a channel's own address, trimmed, once.
    const recipients = emailRecipients(channel.minSeverity, [channel], []);
    const subject = testEmailSubject(channel.name);
    let last: Extract<MailOutcome, { ok: true }> | null = null;
    for (const to of recipients) {
      const text = testEmailText({ channelName: channel.name, address: to, minSeverity: channel.minSeverity, requestedBy: request.requestedBy.email, requestedAt: new Date(request.requestedAt), smtpServer: mailer.server });
      const sent = await mailer.send({ to, subject, text });
      if (!sent.ok) {
        log.warn({ requestId, channelId: request.channelId, to, smtp: mailer.server, err: sent.error, code: sent.code, responseCode: sent.responseCode }, "test e-mail not sent");
        return { requestId, outcome: "failed", recipients, smtpServer: mailer.server, error: clip(sent.error, MAX_ERROR_CHARS), hint: smtpFailureHint(sent) };
      }
      last = sent;
    }
    log.info({ requestId, channelId: request.channelId, recipients, smtp: mailer.server, messageId: last?.messageId }, "test e-mail sent");
    return { requestId, outcome: "sent", recipients, smtpServer: mailer.server, response: last?.response ? clip(last.response, MAX_RESPONSE_CHARS) : null, messageId: last?.messageId ?? null };
  }

  // One pooled connection is held while listening; the rest of the pool serves the worker's queries.
  const listening = listenPersistently({ pool: opts.pool, channel: EMAIL_TEST_CHANNEL, log, what: "test e-mail requests", retryMs: opts.retryMs, onNotification });
  log.info({ smtp: mailer?.server ?? null }, "test e-mail requests are answered here");

  return {
    ready: () => listening.ready,
    async stop() {
      stopped = true;
      await listening.stop();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      mailer?.close();
    },
  };
}

/** The audit entry of a test: the outcome and where it went, never SMTP credentials. */
export function auditDetails(answer: EmailTestAnswer): Record<string, string | number | boolean | string[] | null> {
  const common = { kind: "email", requestId: answer.requestId, outcome: answer.outcome, delivered: answer.outcome === "sent" };
  switch (answer.outcome) {
    case "sent":
      return { ...common, recipients: answer.recipients, smtpServer: answer.smtpServer, messageId: answer.messageId, response: answer.response };
    case "failed":
      return { ...common, recipients: answer.recipients, smtpServer: answer.smtpServer, error: answer.error };
    case "not_configured":
      return common;
    case "no_answer":
      return { ...common, acknowledged: answer.acknowledged };
  }
}
