import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { getPool } from "../../src/server/db";
import { EMAIL_TEST_CHANNEL, startEmailTestListener, type EmailTestListener } from "../../src/server/notifications/email-test";
import { testNotificationChannel } from "../../src/server/notifications/manage-channels";
import { callerAs, makeOrg, testDb, uid, type TestOrg } from "./helpers";
import { startSmtp } from "./smtp-server";

const db = testDb();
const pool = getPool();


/** A port nothing listens on: an SMTP server that is down. */
async function closedPort(): Promise<number> {
  const smtp = await startSmtp();
  await smtp.close();
  return smtp.port;
}

function mailHeader(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** The decoded text body of a raw message (nodemailer sends plain text as quoted-printable or 7bit). */
function mailBody(raw: string): string {
  const body = raw.split(/\r?\n\r?\n/).slice(1).join("\n\n");
  return body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    return err as TRPCError;
  }
  throw new Error("expected the call to fail");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listener(smtpUrl: string | undefined, opts: { unconfiguredDelayMs?: number } = {}): Promise<EmailTestListener> {
  const l = startEmailTestListener({ pool, db, smtp: { url: smtpUrl, from: "EcoMate Test <alerts@ecomate.test>" }, ...opts });
  await l.ready();
  return l;
}

async function emailChannel(org: TestOrg, name = `Ops ${uid()}`) {
  const target = `ops-${uid()}@plant.test`;
  const { channel } = await callerAs(db, org.users.admin).notifications.channels.create({ kind: "email", name, target, minSeverity: "major", active: false });
  return channel;
}

function testAudits(channelId: string) {
  return db.auditLog.findMany({ where: { entityId: channelId, action: "notification_channel.test" }, orderBy: { id: "asc" } });
}

describe("Send test e-mail (web asks, a worker sends)", () => {
  let org: TestOrg;
  let other: TestOrg;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    [org, other, smtp] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 }), startSmtp()]);
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it("sends one e-mail through the worker's SMTP server and says so; a replayed request sends nothing", async () => {
    const worker = await listener(smtp.url);
    try {
      const channel = await emailChannel(org, `Night shift ${uid()}`);
      const result = await callerAs(db, org.users.admin).notifications.channels.test({ id: channel.id });
      expect(result).toMatchObject({ kind: "email", outcome: "sent", delivered: true, recipients: [channel.target], smtpServer: smtp.url, error: null, hint: null });
      if (result.kind !== "email") throw new Error("expected an e-mail result");
      expect(result.response).toMatch(/^250 /);
      expect(result.messageId).toMatch(/@/);
      expect(result.message).toContain(`Test e-mail sent to 1 recipient (${channel.target}) through ${smtp.url}`);

      const mine = smtp.mails.filter((m) => m.to.includes(channel.target));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.to).toEqual([channel.target]);
      expect(mine[0]!.from).toBe("alerts@ecomate.test");
      expect(mailHeader(mine[0]!.raw, "subject")).toBe(`EcoMate test e-mail for channel ${channel.name}`);
      const body = mailBody(mine[0]!.raw);
      expect(body).toContain(`${org.users.admin.email} asked for it`);
      expect(body).toMatch(/at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(UTC\)/);

      const audits = await testAudits(channel.id);
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ organizationId: org.organizationId, userId: org.users.admin.id, actor: org.users.admin.email, actorType: "user" });
      expect(audits[0]!.details).toMatchObject({ kind: "email", requestId: result.requestId, outcome: "sent", delivered: true, recipients: [channel.target], smtpServer: smtp.url });

      // A worker that hears the same request late (or a replay) finds it answered and sends nothing.
      const replay = { requestId: result.requestId, channelId: channel.id, organizationId: org.organizationId, requestedBy: { userId: org.users.admin.id, email: org.users.admin.email }, requestedAt: new Date().toISOString() };
      await pool.query("SELECT pg_notify($1, $2)", [EMAIL_TEST_CHANNEL, JSON.stringify(replay)]);
      await sleep(500);
      expect(smtp.mails.filter((m) => m.to.includes(channel.target))).toHaveLength(1);
      expect(await testAudits(channel.id)).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });

  it("reports an SMTP server that is down, with the error and what to check", async () => {
    const port = await closedPort();
    const worker = await listener(`smtp://user:s3cret@127.0.0.1:${port}`);
    try {
      const channel = await emailChannel(org);
      const result = await callerAs(db, org.users.admin).notifications.channels.test({ id: channel.id });
      expect(result).toMatchObject({ kind: "email", outcome: "failed", delivered: false, recipients: [channel.target], smtpServer: `smtp://127.0.0.1:${port}` });
      if (result.kind !== "email") throw new Error("expected an e-mail result");
      expect(result.error).toMatch(/ECONNREFUSED/);
      expect(result.hint).toMatch(/check that the mail server runs and the port in SMTP_URL/);
      expect(result.message).toMatch(/^Test e-mail not sent through smtp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
      // the credentials in SMTP_URL never leave the worker
      expect(JSON.stringify(result)).not.toContain("s3cret");
      const audits = await testAudits(channel.id);
      expect(audits.map((a) => a.details)).toMatchObject([{ outcome: "failed", delivered: false, requestId: result.requestId }]);
      expect(JSON.stringify(audits.map((a) => a.details))).not.toContain("s3cret");
    } finally {
      await worker.stop();
    }
  });

  it("reports a recipient the SMTP server refuses", async () => {
    const refusing = await startSmtp({ rejectRcpt: true });
    const worker = await listener(refusing.url);
    try {
      const channel = await emailChannel(org);
      const result = await callerAs(db, org.users.admin).notifications.channels.test({ id: channel.id });
      expect(result).toMatchObject({ kind: "email", outcome: "failed", delivered: false });
      if (result.kind !== "email") throw new Error("expected an e-mail result");
      expect(result.error).toMatch(/550/);
      expect(result.hint).toMatch(/refused the recipient: check the channel's address/);
      expect(refusing.mails).toHaveLength(0);
    } finally {
      await worker.stop();
      await refusing.close();
    }
  });

  it("says so when the worker has no SMTP_URL", async () => {
    const worker = await listener(undefined, { unconfiguredDelayMs: 0 });
    try {
      const channel = await emailChannel(org);
      const result = await callerAs(db, org.users.admin).notifications.channels.test({ id: channel.id });
      expect(result).toMatchObject({
        kind: "email",
        outcome: "not_configured",
        delivered: false,
        message: "The worker has no SMTP_URL: set it in the worker's environment (docs/operations.md) and restart the worker.",
      });
      expect((await testAudits(channel.id)).map((a) => a.details)).toMatchObject([{ outcome: "not_configured" }]);
    } finally {
      await worker.stop();
    }
  });

  it("says no worker answered when none listens, within the timeout, and audits it", async () => {
    const channel = await emailChannel(org);
    const started = Date.now();
    const result = await testNotificationChannel(db, org.users.admin, channel.id, { workerTimeoutMs: 400 });
    // gave up after its own timeout, not the default 20 s
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result).toMatchObject({ kind: "email", outcome: "no_answer", delivered: false, recipients: [] });
    if (result.kind !== "email") throw new Error("expected an e-mail result");
    expect(result.message).toBe("No worker answered within 400 ms: is `npm run worker` running? (Only workers in the alert engine send e-mail: WORKER_ALERTS must not be false.)");
    const audits = await testAudits(channel.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ userId: org.users.admin.id });
    expect(audits[0]!.details).toMatchObject({ kind: "email", outcome: "no_answer", acknowledged: false, requestId: result.requestId });
    // the borrowed connection went back to the pool without its LISTEN
    const idle = await Promise.all(Array.from({ length: pool.idleCount }, () => pool.connect()));
    try {
      for (const c of idle) expect((await c.query("SELECT pg_listening_channels() AS channel")).rows).toEqual([]);
    } finally {
      for (const c of idle) c.release();
    }
  });

  it("sends one e-mail however many workers listen; a worker that can send wins over one without SMTP", async () => {
    // The worker without SMTP lets the others claim first for this long (1 s by default): time enough
    // for them on a loaded machine, where six claims wait for the pool's connections.
    const workers = [await listener(smtp.url), await listener(smtp.url), await listener(undefined, { unconfiguredDelayMs: 3_000 })];
    const stopWorkers = () => Promise.all(workers.map((w) => w.stop()));
    try {
      const channel = await emailChannel(org);
      const results = await Promise.all([1, 2, 3].map(() => callerAs(db, org.users.admin).notifications.channels.test({ id: channel.id })));
      for (const r of results) expect(r).toMatchObject({ kind: "email", outcome: "sent" });
      const requestIds = new Set(results.map((r) => (r.kind === "email" ? r.requestId : "")));
      expect(requestIds.size).toBe(3);
      // the late worker (without SMTP) had its turn too: stopping waits for the requests it is answering
      await stopWorkers();
      expect(smtp.mails.filter((m) => m.to.includes(channel.target))).toHaveLength(3);
      const audits = await testAudits(channel.id);
      expect(audits).toHaveLength(3);
      expect(new Set(audits.map((a) => (a.details as { requestId: string }).requestId))).toEqual(requestIds);
      expect(audits.every((a) => (a.details as { outcome: string }).outcome === "sent")).toBe(true);
    } finally {
      await stopWorkers();
    }
  });

  it("is for admins of the channel's organisation only", async () => {
    const worker = await listener(smtp.url);
    try {
      const channel = await emailChannel(org);
      expect((await failure(callerAs(db, other.users.admin).notifications.channels.test({ id: channel.id }))).code).toBe("NOT_FOUND");
      expect((await failure(callerAs(db, org.users.manager).notifications.channels.test({ id: channel.id }))).code).toBe("FORBIDDEN");
      await sleep(300);
      expect(smtp.mails.filter((m) => m.to.includes(channel.target))).toHaveLength(0);
      expect(await testAudits(channel.id)).toHaveLength(0);
    } finally {
      await worker.stop();
    }
  });
});
