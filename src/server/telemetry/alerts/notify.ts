/**
 * Alert notifications outside the app: signed webhooks and e-mail. The alert engine hands every
 * alert change to `NotificationDispatcher.dispatch`, which returns at once; the deliveries (with
 * their retries) run in the background, and `drain()` waits for them (tests, shutdown).
 *
 * Webhook contract (documented for receivers):
 *   POST <channel target>, `Content-Type: application/json`, body `WebhookPayload`
 *   X-EcoMate-Event      alert.raised | alert.escalated | alert.cleared
 *   X-EcoMate-Delivery   a UUID per event and channel, the same on every retry (deduplicate on it)
 *   X-EcoMate-Timestamp  Unix time in seconds of this attempt
 *   X-EcoMate-Signature  sha256=<hex HMAC-SHA256 of the raw body, keyed with the channel secret>
 *                        (absent when the channel has no secret)
 * A 2xx answer is a delivery. Network errors, timeouts, 5xx and 429 are retried with exponential
 * backoff; any other answer (3xx, 4xx) is final.
 *
 * "Send test" (admin page) posts `WebhookTestPayload` once, with the same headers and signature and
 * `X-EcoMate-Event: test`; receivers should answer 2xx and otherwise ignore it.
 *
 * E-mail goes to the organisation's e-mail channels and to the people whose own e-mail preference
 * asks for the alert's severity (src/server/notifications/preferences.ts), each address once.
 */
import { createHmac, randomUUID } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import type pg from "pg";
import type { LiveAlertChange, LiveAlertEvent, LiveSeverity } from "@/lib/live-events";
import type { Db } from "@/server/db";
import { moduleLogger } from "@/server/logger";
import { emailRecipients, meetsSeverity } from "@/server/notifications/preferences";

export type AlertNotificationEvent = LiveAlertEvent & { organizationId: string };

export interface NotificationDispatcherOptions {
  db: Db;
  pool: pg.Pool;
  /** e.g. smtp://mail.example.com:587 or smtps://user:pass@host:465; no e-mail when unset */
  smtpUrl?: string;
  /** sender of alert e-mails */
  from?: string;
  /** `attempts` in all (first try included); the n-th retry waits about baseMs * 2^(n-1) */
  retry?: { attempts: number; baseMs: number };
  /** public URL of the app (no trailing slash needed), for links to the alert */
  appUrl?: string;
  /** per webhook request */
  timeoutMs?: number;
}

export interface WebhookPayload {
  event: string;
  deliveryId: string;
  organizationId: string;
  alert: {
    id: string;
    change: LiveAlertChange;
    severity: LiveSeverity;
    state: LiveAlertEvent["state"];
    systemId: string;
    systemCode: string;
    message: string;
    /** ISO-8601 time of the change */
    at: string;
    isCompliance: boolean;
    /** link to the alert in the app, when the app URL is configured */
    url?: string;
  };
}

const log = moduleLogger("notify");

const DEFAULT_RETRY = { attempts: 5, baseMs: 2_000 };
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_FROM = "EcoMate <ecomate@localhost>";
const MAX_RETRY_DELAY_MS = 5 * 60_000;
// nodemailer's defaults (2 min to connect, 10 min idle) would keep a dead mail server's deliveries
// pending for a quarter of an hour per attempt.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

// The severity order lives with the preferences (src/server/notifications/preferences.ts); kept here for callers.
export { meetsSeverity };

/**
 * Which changes reach people outside the app:
 * - raised: yes, it is what notifications are for.
 * - repeated: no. It is the condition already announced coming back before anyone acknowledged it;
 *   the alert counts repeats instead (alarm-flood protection), and paging again for each one would
 *   undo that. An unattended critical is re-announced by escalation instead.
 * - escalated: yes, a critical nobody acknowledged in time.
 * - cleared: for criticals only. Whoever was paged for a critical needs the all-clear (and may stop
 *   driving out); an all-clear for every minor or warning would double the noise.
 * - acknowledged, shelved, unshelved, assigned, commented: no, they are done inside the app by people
 *   who already see the alert.
 */
export function notifiesOn(event: Pick<LiveAlertEvent, "change" | "severity">): boolean {
  switch (event.change) {
    case "raised":
    case "escalated":
      return true;
    case "cleared":
      return event.severity === "critical";
    default:
      return false;
  }
}

/** `sha256=<hex HMAC-SHA256 of body keyed with secret>`, the X-EcoMate-Signature header. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

export function alertUrl(appUrl: string | undefined, alertId: string): string | undefined {
  return appUrl ? `${appUrl.replace(/\/+$/, "")}/alerts/${encodeURIComponent(alertId)}` : undefined;
}

export function webhookPayload(event: AlertNotificationEvent, deliveryId: string, appUrl?: string): WebhookPayload {
  const url = alertUrl(appUrl, event.alertId);
  return {
    event: `alert.${event.change}`,
    deliveryId,
    organizationId: event.organizationId,
    alert: {
      id: event.alertId,
      change: event.change,
      severity: event.severity,
      state: event.state,
      systemId: event.systemId,
      systemCode: event.systemCode,
      message: event.message,
      at: new Date(event.at).toISOString(),
      isCompliance: event.isCompliance,
      ...(url ? { url } : {}),
    },
  };
}

/** One line, no control characters, at most `max` characters (mail subjects, log fields). */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function alertEmailSubject(event: AlertNotificationEvent): string {
  const prefix = event.change === "escalated" ? "ESCALATED " : event.change === "cleared" ? "CLEARED " : "";
  return `[EcoMate] ${prefix}${event.severity.toUpperCase()} ${event.systemCode}: ${oneLine(event.message, 150)}`;
}

export function alertEmailText(event: AlertNotificationEvent, appUrl?: string): string {
  const what =
    event.change === "escalated"
      ? "is still active and unacknowledged (escalated)"
      : event.change === "cleared"
        ? "has cleared (the condition returned to normal)"
        : "was raised";
  const url = alertUrl(appUrl, event.alertId);
  return [
    `A ${event.severity} alert on system ${event.systemCode} ${what}.`,
    "",
    event.message,
    "",
    `Severity:   ${event.severity}`,
    `State:      ${event.state}`,
    `Compliance: ${event.isCompliance ? "yes" : "no"}`,
    `Time (UTC): ${new Date(event.at).toISOString()}`,
    ...(url ? ["", `Open the alert: ${url}`] : []),
    "",
    "You receive this because of your EcoMate notification settings.",
  ].join("\n");
}

type AttemptOutcome = { ok: true; detail: Record<string, unknown> } | { ok: false; retry: boolean; detail: Record<string, unknown>; retryAfterMs?: number };

interface WebhookChannel {
  id: string;
  target: string;
  secret: string | null;
}

/** Retry-After in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Only the origin of a webhook URL is logged: paths and queries often carry the receiver's token. */
function originOf(target: string): string {
  try {
    return new URL(target).origin;
  } catch {
    return "(invalid URL)";
  }
}

function webhookUrl(target: string): URL | null {
  try {
    const url = new URL(target);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

function webhookHeaders(eventName: string, deliveryId: string, secret: string | null, body: string): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "EcoMate-Webhook/1",
    "x-ecomate-event": eventName,
    "x-ecomate-delivery": deliveryId,
  };
  if (secret) headers["x-ecomate-signature"] = signWebhookBody(secret, body);
  return headers;
}

/** One POST of a webhook body: delivered, or failed with whether a retry may help. */
async function postWebhook(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<AttemptOutcome> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...headers, "x-ecomate-timestamp": String(Math.floor(Date.now() / 1000)) },
      body,
      // A redirect is an answer of its own: following it could send the alert somewhere else.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, detail: { status: res.status } };
    const retry = res.status >= 500 || res.status === 429;
    return { ok: false, retry, detail: { status: res.status }, retryAfterMs: retry ? retryAfterMs(res.headers.get("retry-after")) : undefined };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, retry: true, detail: { err: e.name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.message) } };
  }
}

export interface WebhookTestPayload {
  event: "test";
  deliveryId: string;
  organizationId: string;
  channelId: string;
  message: string;
  /** ISO-8601 time of the test */
  at: string;
}

export interface WebhookTestResult {
  delivered: boolean;
  deliveryId: string;
  /** the receiver's HTTP status, when it answered */
  status?: number;
  /** why it was not delivered (network error, timeout, bad target) */
  error?: string;
}

/**
 * "Send test" of the admin page: one signed POST through the same sender as alerts, no retries (an
 * admin is waiting for the answer, and a retry would only hide what went wrong).
 */
export async function sendTestWebhook(
  channel: { id: string; organizationId: string; target: string; secret: string | null },
  opts: { timeoutMs?: number; now?: Date } = {},
): Promise<WebhookTestResult> {
  const deliveryId = randomUUID();
  const url = webhookUrl(channel.target);
  if (!url) return { delivered: false, deliveryId, error: "the target is not an http(s) URL" };
  const payload: WebhookTestPayload = {
    event: "test",
    deliveryId,
    organizationId: channel.organizationId,
    channelId: channel.id,
    message: "Test notification from EcoMate: this webhook receives alert notifications.",
    at: (opts.now ?? new Date()).toISOString(),
  };
  const body = JSON.stringify(payload);
  const outcome = await postWebhook(url, webhookHeaders("test", deliveryId, channel.secret, body), body, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const status = typeof outcome.detail.status === "number" ? outcome.detail.status : undefined;
  const context = { channelId: channel.id, target: originOf(channel.target), deliveryId, status };
  if (outcome.ok) {
    log.info(context, "test webhook delivered");
    return { delivered: true, deliveryId, status };
  }
  log.warn({ ...context, ...outcome.detail }, "test webhook not delivered");
  return { delivered: false, deliveryId, ...(status !== undefined ? { status } : { error: String(outcome.detail.err ?? "no answer") }) };
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export type MailOutcome =
  | { ok: true; messageId: string | null; response: string | null }
  | { ok: false; permanent: boolean; error: string; code?: string; responseCode?: number; command?: string };

/** The SMTP server of an SMTP URL as `scheme://host:port`, without the user name and password it may carry. */
export function smtpServerLabel(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return "(invalid SMTP URL)";
  }
}

/**
 * The one way e-mail leaves EcoMate: alert e-mails (NotificationDispatcher) and the admin page's test
 * e-mail (src/server/notifications/email-test.ts) both send through it, so a test that passes proves
 * the path alerts take. One message per call, no retries (the caller decides).
 */
export class SmtpMailer {
  private transport?: Transporter;

  constructor(
    private readonly smtpUrl: string,
    private readonly from: string = DEFAULT_FROM,
  ) {}

  /** Where mail goes, safe to show and log (no credentials). */
  get server(): string {
    return smtpServerLabel(this.smtpUrl);
  }

  private mailTransport(): Transporter {
    if (!this.transport) {
      const url = new URL(this.smtpUrl);
      // nodemailer reads transport options from the URL's query; the operator's own values win.
      for (const [key, value] of Object.entries(SMTP_TIMEOUTS)) if (!url.searchParams.has(key)) url.searchParams.set(key, String(value));
      this.transport = nodemailer.createTransport(url.toString(), { from: this.from });
    }
    return this.transport;
  }

  async send(message: MailMessage): Promise<MailOutcome> {
    try {
      const info = await this.mailTransport().sendMail(message);
      return { ok: true, messageId: info.messageId ?? null, response: typeof info.response === "string" ? info.response : null };
    } catch (err) {
      const e = err as Error & { responseCode?: number; code?: string; command?: string };
      // SMTP 5xx is a permanent refusal (unknown mailbox, policy); 4xx and connection errors are transient.
      // EENVELOPE: nodemailer found no valid recipient, which no retry changes.
      const permanent = (typeof e.responseCode === "number" && e.responseCode >= 500) || e.code === "EENVELOPE";
      return { ok: false, permanent, error: e.message, code: e.code, responseCode: e.responseCode, command: e.command };
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}

export class NotificationDispatcher {
  private readonly db: Db;
  private readonly pool: pg.Pool;
  private readonly retry: { attempts: number; baseMs: number };
  private readonly timeoutMs: number;
  private readonly appUrl?: string;
  private readonly mailer: SmtpMailer | null;
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(opts: NotificationDispatcherOptions) {
    this.db = opts.db;
    this.pool = opts.pool;
    this.retry = {
      attempts: Math.max(1, Math.floor(opts.retry?.attempts ?? DEFAULT_RETRY.attempts)),
      baseMs: Math.max(0, opts.retry?.baseMs ?? DEFAULT_RETRY.baseMs),
    };
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.appUrl = opts.appUrl;
    this.mailer = opts.smtpUrl ? new SmtpMailer(opts.smtpUrl, opts.from ?? DEFAULT_FROM) : null;
  }

  /**
   * Starts the notifications for one alert change and returns without waiting for them. Never
   * throws: a failure is logged (the engine must not stop evaluating because a webhook is down).
   */
  async dispatch(event: AlertNotificationEvent): Promise<void> {
    if (!notifiesOn(event)) return;
    if (this.stopping.signal.aborted) {
      log.warn({ alertId: event.alertId, change: event.change }, "notification dropped: the dispatcher is closed");
      return;
    }
    const task: Promise<void> = this.notify(event)
      .catch((err: unknown) => {
        log.error({ err: (err as Error).message, alertId: event.alertId, change: event.change }, "notification failed");
      })
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves when every delivery started so far has succeeded or given up. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Shutdown: no new notifications, no further retries (each one still waiting gives up, logged), mail transport closed. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.drain();
    this.mailer?.close();
  }

  private async notify(event: AlertNotificationEvent): Promise<void> {
    const now = new Date();
    // Maintenance silences a system's alarms, but never a compliance alarm: like shelving, which compliance
    // alarms do not allow either (domain.md §4.3), a window must not hide that the water is off-spec.
    if (!event.isCompliance && (await this.inMaintenance(event.systemId, now))) {
      log.info({ alertId: event.alertId, systemCode: event.systemCode, change: event.change }, "notification suppressed: system in a maintenance window");
      return;
    }
    const [webhooks, emails] = await Promise.all([this.webhookChannels(event), this.mailer ? this.emailRecipients(event) : Promise.resolve([])]);
    log.debug({ alertId: event.alertId, change: event.change, webhooks: webhooks.length, emails: emails.length }, "notifying");
    await Promise.all([...webhooks.map((channel) => this.sendWebhook(event, channel)), ...emails.map((to) => this.sendEmail(event, to))]);
  }

  private async inMaintenance(systemId: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "SELECT 1 FROM maintenance_window WHERE system_id = $1 AND starts_at <= $2 AND ends_at > $2 LIMIT 1",
      [systemId, now],
    );
    return (rowCount ?? 0) > 0;
  }

  private async webhookChannels(event: AlertNotificationEvent): Promise<WebhookChannel[]> {
    const channels = await this.db.notificationChannel.findMany({
      where: { organizationId: event.organizationId, kind: "webhook", active: true },
      select: { id: true, target: true, secret: true, minSeverity: true },
    });
    return channels.filter((c) => meetsSeverity(event.severity, c.minSeverity));
  }

  /** E-mail channels and the organisation's people whose e-mail preference (or role default) asks for this severity, each address once. */
  private async emailRecipients(event: AlertNotificationEvent): Promise<string[]> {
    const [channels, users] = await Promise.all([
      this.db.notificationChannel.findMany({
        where: { organizationId: event.organizationId, kind: "email", active: true },
        select: { target: true, minSeverity: true },
      }),
      // every active person, not only those with a stored row: the role defaults apply to the others
      this.db.user.findMany({
        where: { organizationId: event.organizationId, active: true },
        select: { email: true, role: true, notificationPrefs: { where: { channel: "email" }, select: { enabled: true, minSeverity: true } } },
      }),
    ]);
    return emailRecipients(
      event.severity,
      channels,
      users.map((u) => ({ email: u.email, role: u.role, emailPreference: u.notificationPrefs[0] ?? null })),
    );
  }

  private async sendWebhook(event: AlertNotificationEvent, channel: WebhookChannel): Promise<void> {
    const deliveryId = randomUUID();
    const context = { channelId: channel.id, target: originOf(channel.target), deliveryId, alertId: event.alertId, change: event.change };
    const url = webhookUrl(channel.target);
    if (!url) {
      log.error(context, "webhook not sent: the channel target is not an http(s) URL");
      return;
    }
    const body = JSON.stringify(webhookPayload(event, deliveryId, this.appUrl));
    const headers = webhookHeaders(`alert.${event.change}`, deliveryId, channel.secret, body);
    await this.withRetries("webhook", context, () => postWebhook(url, headers, body, this.timeoutMs));
  }

  private async sendEmail(event: AlertNotificationEvent, to: string): Promise<void> {
    const mailer = this.mailer!;
    const context = { alertId: event.alertId, change: event.change, to };
    const message = { to, subject: alertEmailSubject(event), text: alertEmailText(event, this.appUrl) };
    await this.withRetries("email", context, async () => {
      const sent = await mailer.send(message);
      return sent.ok
        ? { ok: true, detail: { messageId: sent.messageId } }
        : { ok: false, retry: !sent.permanent, detail: { err: sent.error, code: sent.code, responseCode: sent.responseCode } };
    });
  }

  /** Runs `attempt` until it succeeds, fails for good, or `retry.attempts` are used; logs each attempt. */
  private async withRetries(what: "webhook" | "email", context: Record<string, unknown>, attempt: () => Promise<AttemptOutcome>): Promise<void> {
    const { attempts, baseMs } = this.retry;
    for (let n = 1; ; n++) {
      const outcome = await attempt();
      if (outcome.ok) {
        log.info({ ...context, ...outcome.detail, attempt: n }, `${what} delivered`);
        return;
      }
      if (!outcome.retry) {
        log.error({ ...context, ...outcome.detail, attempt: n }, `${what} refused, not retried`);
        return;
      }
      if (n >= attempts) {
        log.error({ ...context, ...outcome.detail, attempt: n }, `${what} failed, giving up after ${n} attempts`);
        return;
      }
      // Exponential backoff with jitter, so receivers that come back are not hit by every delivery at once.
      const backoff = baseMs * 2 ** (n - 1) + Math.random() * baseMs;
      const delayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(backoff, outcome.retryAfterMs ?? 0));
      if (!this.stopping.signal.aborted) {
        log.warn({ ...context, ...outcome.detail, attempt: n, retryInMs: Math.round(delayMs) }, `${what} failed, will retry`);
        await this.sleep(delayMs);
      }
      if (this.stopping.signal.aborted) {
        log.error({ ...context, ...outcome.detail, attempt: n }, `${what} failed, not retried: shutting down`);
        return;
      }
    }
  }

  /** Waits `ms`, or less when the dispatcher is closed. */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

interface EscalationRow {
  id: string;
  organization_id: string;
  system_id: string;
  system_code: string;
  severity: LiveSeverity;
  state: LiveAlertEvent["state"];
  is_compliance: boolean;
  message: string;
}

/**
 * Critical alerts nobody acknowledged within `afterMinutes` of being raised: still
 * active_unacknowledged, not escalated before, not shelved, and their system not in a maintenance
 * window (compliance alerts escalate regardless, as they notify regardless). Marks them escalated
 * and returns them as `escalated` events for the engine to announce and dispatch.
 *
 * One UPDATE with the conditions in its WHERE: a second caller racing on the same row waits for the
 * first one's row lock, then re-checks `escalated_at IS NULL` and skips it, so an alert escalates once.
 * `organizationId` narrows it to one organisation (tests); the engine passes none.
 */
export async function findAlertsToEscalate(
  db: Db,
  opts: { afterMinutes: number; now?: Date; organizationId?: string },
): Promise<AlertNotificationEvent[]> {
  const now = opts.now ?? new Date();
  const raisedBefore = new Date(now.getTime() - opts.afterMinutes * 60_000);
  const org = opts.organizationId ?? null;
  const rows = await db.$queryRaw<EscalationRow[]>`
    UPDATE alert a SET escalated_at = ${now}::timestamptz
      FROM "system" s
     WHERE s.id = a.system_id
       AND a.severity = 'critical'
       AND a.state = 'active_unacknowledged'
       AND a.escalated_at IS NULL
       AND a.raised_at < ${raisedBefore}::timestamptz
       AND (a.shelved_until IS NULL OR a.shelved_until <= ${now}::timestamptz)
       AND (${org}::text IS NULL OR a.organization_id = ${org}::text)
       AND (a.is_compliance OR NOT EXISTS (
             SELECT 1 FROM maintenance_window w
              WHERE w.system_id = a.system_id AND w.starts_at <= ${now}::timestamptz AND w.ends_at > ${now}::timestamptz))
    RETURNING a.id, a.organization_id, a.system_id, s.code AS system_code, a.severity::text AS severity,
              a.state::text AS state, a.is_compliance, a.message`;
  if (rows.length > 0) log.info({ count: rows.length, alertIds: rows.map((r) => r.id) }, "alerts escalated");
  return rows.map((r) => ({
    alertId: r.id,
    organizationId: r.organization_id,
    change: "escalated" as const,
    systemId: r.system_id,
    systemCode: r.system_code,
    severity: r.severity,
    state: r.state,
    isCompliance: r.is_compliance,
    message: r.message,
    at: now.getTime(),
  }));
}
