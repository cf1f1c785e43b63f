// Notification settings (issue 4): each person's preferences, the e-mail they lead to (real local
// SMTP), the organisation's channels (admins, secret shown once, signed test) and maintenance windows
// (managers), with roles and organisation isolation.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../src/server/db";
import { NotificationDispatcher, type AlertNotificationEvent } from "../../src/server/telemetry/alerts/notify";
import { callerAs, makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();
const pool = getPool();

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; fieldErrors: { path: string; message: string }[] | null }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    // zod problems: the same list the error formatter sends to forms
    const cause = err.cause as { issues?: { path: PropertyKey[]; message: string }[] } | undefined;
    const fieldErrors = cause?.issues ? cause.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })) : null;
    return { code: err.code, message: err.message, fieldErrors };
  }
  throw new Error("expected the call to fail");
}

/** A webhook receiver on a free port answering `status`. */
async function startReceiver(status = 200) {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("notification preferences", () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await makeOrg(db, { systems: 1 });
  });

  it("start from the role's defaults and round-trip what a person stores", async () => {
    const tech = callerAs(db, org.users.technician);
    expect(await tech.notifications.preferences.get()).toEqual({
      address: org.users.technician.email,
      browser: { enabled: true, minSeverity: "major", isDefault: true },
      email: { enabled: false, minSeverity: "critical", isDefault: true },
    });
    expect((await callerAs(db, org.users.viewer).notifications.preferences.get()).browser).toEqual({ enabled: true, minSeverity: "critical", isDefault: true });

    const saved = await tech.notifications.preferences.update({ email: { enabled: true, minSeverity: "minor" } });
    expect(saved.email).toEqual({ enabled: true, minSeverity: "minor", isDefault: false });
    // the channel not sent keeps its value
    expect(saved.browser).toEqual({ enabled: true, minSeverity: "major", isDefault: true });

    await tech.notifications.preferences.update({ browser: { enabled: false, minSeverity: "warning" }, email: { enabled: false, minSeverity: "critical" } });
    const again = await tech.notifications.preferences.get();
    expect(again.browser).toEqual({ enabled: false, minSeverity: "warning", isDefault: false });
    expect(again.email).toEqual({ enabled: false, minSeverity: "critical", isDefault: false });
    const rows = await db.notificationPreference.findMany({ where: { userId: org.users.technician.id }, orderBy: { channel: "asc" } });
    expect(rows.map((r) => [r.channel, r.enabled, r.minSeverity])).toEqual([
      ["browser", false, "warning"],
      ["email", false, "critical"],
    ]);
    expect(await db.auditLog.count({ where: { entityType: "user", entityId: org.users.technician.id, action: "notification_preference.update" } })).toBe(2);
    // another person's settings are untouched
    expect((await callerAs(db, org.users.manager).notifications.preferences.get()).email.isDefault).toBe(true);
  });

  it("refuses a bad severity or an empty change, and needs a sign-in", async () => {
    const viewer = callerAs(db, org.users.viewer);
    const bad = await failure(viewer.notifications.preferences.update({ email: { enabled: true, minSeverity: "loud" as never } }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.fieldErrors).toEqual([{ path: "email.minSeverity", message: "Pick a minimum severity: critical, major, minor or warning." }]);
    const empty = await failure(viewer.notifications.preferences.update({}));
    expect(empty.fieldErrors?.[0]?.message).toBe("Send the browser or the e-mail settings (or both).");
    expect(await db.notificationPreference.count({ where: { userId: org.users.viewer.id } })).toBe(0);
    expect((await failure(callerAs(db, null).notifications.preferences.get())).code).toBe("UNAUTHORIZED");
  });
});

describe("e-mail honours the preferences", () => {
  const mails: { to: string[]; raw: string }[] = [];
  let smtp: SMTPServer;
  let smtpUrl: string;
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["AUTH", "STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it("mails the people whose stored setting asks for the severity, and the channels set on the admin page", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! }, select: { id: true, code: true } });
    const u = uid();
    await callerAs(db, org.users.viewer).notifications.preferences.update({ email: { enabled: true, minSeverity: "warning" } });
    await callerAs(db, org.users.technician).notifications.preferences.update({ email: { enabled: true, minSeverity: "critical" } });
    await callerAs(db, org.users.manager).notifications.preferences.update({ email: { enabled: false, minSeverity: "warning" } });
    // the admin stores nothing: e-mail is opt-in; but sets up an e-mail channel from major up
    const ops = `ops-${u}@plant.test`;
    await callerAs(db, org.users.admin).notifications.channels.create({ kind: "email", name: "Ops list", target: ops, minSeverity: "major" });

    const d = new NotificationDispatcher({ db, pool, smtpUrl, retry: { attempts: 2, baseMs: 5 } });
    const event = (severity: AlertNotificationEvent["severity"], tag: string): AlertNotificationEvent => ({
      alertId: `a-${tag}-${u}`,
      organizationId: org.organizationId,
      change: "raised",
      systemId: system.id,
      systemCode: system.code,
      severity,
      state: "active_unacknowledged",
      isCompliance: false,
      message: `${tag} ${u}`,
      at: Date.now(),
    });
    await d.dispatch(event("minor", "minor"));
    await d.dispatch(event("major", "major"));
    await d.dispatch(event("critical", "critical"));
    await d.drain();
    await d.close();

    const to = (tag: string) => mails.filter((m) => m.raw.includes(`${tag} ${u}`)).flatMap((m) => m.to).sort();
    expect(to("minor")).toEqual([org.users.viewer.email]);
    expect(to("major")).toEqual([ops, org.users.viewer.email].sort());
    expect(to("critical")).toEqual([ops, org.users.technician.email, org.users.viewer.email].sort());
  });
});

describe("notification channels", () => {
  let org: TestOrg;
  let other: TestOrg;
  beforeAll(async () => {
    [org, other] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
  });

  it("shows a webhook's secret once: at creation and rotation, never in the list; the test payload is signed with it", async () => {
    const receiver = await startReceiver();
    try {
      const admin = callerAs(db, org.users.admin);
      const created = await admin.notifications.channels.create({ kind: "webhook", name: " Pager ", target: receiver.url, minSeverity: "critical" });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
      expect(created.channel).toMatchObject({ kind: "webhook", name: "Pager", target: receiver.url, minSeverity: "critical", active: true, signed: true });

      const listed = await admin.notifications.channels.list();
      expect(listed).toHaveLength(1);
      expect(JSON.stringify(listed)).not.toContain(created.secret!);
      expect(Object.keys(listed[0]!).sort()).toEqual(["active", "createdAt", "id", "kind", "minSeverity", "name", "signed", "target"]);
      const audit = await db.auditLog.findMany({ where: { entityId: created.channel.id } });
      expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(created.secret!);

      const result = await admin.notifications.channels.test({ id: created.channel.id });
      expect(result).toMatchObject({ kind: "webhook", delivered: true, status: 200 });
      if (result.kind !== "webhook") throw new Error("expected a webhook test result");
      expect(receiver.received).toHaveLength(1);
      const { headers, body } = receiver.received[0]!;
      expect(headers["x-ecomate-event"]).toBe("test");
      expect(headers["x-ecomate-delivery"]).toBe(result.deliveryId);
      expect(headers["x-ecomate-signature"]).toBe(`sha256=${createHmac("sha256", created.secret!).update(body).digest("hex")}`);
      expect(JSON.parse(body)).toMatchObject({ event: "test", deliveryId: result.deliveryId, organizationId: org.organizationId, channelId: created.channel.id });

      const rotated = await admin.notifications.channels.rotateSecret({ id: created.channel.id });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);
      await admin.notifications.channels.test({ id: created.channel.id });
      const second = receiver.received[1]!;
      expect(second.headers["x-ecomate-signature"]).toBe(`sha256=${createHmac("sha256", rotated.secret!).update(second.body).digest("hex")}`);
    } finally {
      await receiver.close();
    }
  });

  // e-mail channels are tested through a worker: test/integration/email-channel-test.test.ts
  it("reports a receiver that refuses the test", async () => {
    const receiver = await startReceiver(410);
    try {
      const admin = callerAs(db, org.users.admin);
      const { channel } = await admin.notifications.channels.create({ kind: "webhook", name: "Gone", target: receiver.url, minSeverity: "major", active: false });
      expect(await admin.notifications.channels.test({ id: channel.id })).toMatchObject({ delivered: false, status: 410 });
      // one attempt: a test is not retried
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("validates the target for the kind, on create and on update", async () => {
    const admin = callerAs(db, org.users.admin);
    const bad = await failure(admin.notifications.channels.create({ kind: "webhook", name: "x", target: "ftp://example.com/in", minSeverity: "major" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.fieldErrors).toEqual([{ path: "target", message: "A webhook URL starts with https:// (or http://), not ftp://." }]);
    const noName = await failure(admin.notifications.channels.create({ kind: "email", name: " ", target: "not-an-address", minSeverity: "major" }));
    expect(noName.fieldErrors?.map((e) => e.path).sort()).toEqual(["name", "target"]);

    const { channel } = await admin.notifications.channels.create({ kind: "email", name: "Ops", target: `ops-${uid()}@plant.test`, minSeverity: "major" });
    const wrongKind = await failure(admin.notifications.channels.update({ id: channel.id, target: "https://hooks.example.com/x" }));
    expect(wrongKind.code).toBe("BAD_REQUEST");
    expect(wrongKind.message).toMatch(/is not an e-mail address/);
    const updated = await admin.notifications.channels.update({ id: channel.id, active: false, minSeverity: "critical" });
    expect(updated).toMatchObject({ active: false, minSeverity: "critical", target: channel.target });
    const rotate = await failure(admin.notifications.channels.rotateSecret({ id: channel.id }));
    expect(rotate.message).toMatch(/only webhooks have a signing secret/);
  });

  it("is for admins of the organisation only", async () => {
    const { channel } = await callerAs(db, org.users.admin).notifications.channels.create({ kind: "webhook", name: "Mine", target: "https://hooks.example.com/in", minSeverity: "major" });
    for (const role of ["viewer", "technician", "manager"] as const) {
      const caller = callerAs(db, org.users[role]);
      expect((await failure(caller.notifications.channels.list())).code).toBe("FORBIDDEN");
      expect((await failure(caller.notifications.channels.create({ kind: "webhook", name: "x", target: "https://h.example/x", minSeverity: "major" }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.notifications.channels.delete({ id: channel.id }))).code).toBe("FORBIDDEN");
    }
    // another organisation's admin neither sees nor touches it
    const foreign = callerAs(db, other.users.admin);
    expect((await foreign.notifications.channels.list()).map((c) => c.id)).not.toContain(channel.id);
    expect((await failure(foreign.notifications.channels.update({ id: channel.id, active: false }))).code).toBe("NOT_FOUND");
    expect((await failure(foreign.notifications.channels.test({ id: channel.id }))).code).toBe("NOT_FOUND");
    expect((await failure(foreign.notifications.channels.rotateSecret({ id: channel.id }))).code).toBe("NOT_FOUND");
    expect((await failure(foreign.notifications.channels.delete({ id: channel.id }))).code).toBe("NOT_FOUND");
    expect(await db.notificationChannel.findUniqueOrThrow({ where: { id: channel.id } })).toMatchObject({ active: true });

    expect(await callerAs(db, org.users.admin).notifications.channels.delete({ id: channel.id })).toEqual({ id: channel.id });
    expect(await db.notificationChannel.count({ where: { id: channel.id } })).toBe(0);
    expect(await db.auditLog.count({ where: { entityId: channel.id, action: "notification_channel.delete" } })).toBe(1);
  });
});

describe("maintenance windows", () => {
  let org: TestOrg;
  let other: TestOrg;
  beforeAll(async () => {
    [org, other] = await Promise.all([makeOrg(db, { systems: 2 }), makeOrg(db, { systems: 1 })]);
  });

  it("managers create and delete them; everyone sees them and the silence they cause", async () => {
    const [code, code2] = org.systemCodes as [string, string];
    const manager = callerAs(db, org.users.manager);
    const now = Date.now();
    const open = await manager.notifications.windows.create({ systemCode: code, endsAt: new Date(now + 3_600_000), reason: " Lamp change " });
    expect(open).toMatchObject({ system: { code }, reason: "Lamp change", open: true });
    expect(Math.abs(open.startsAt.getTime() - now)).toBeLessThan(60_000);
    // joins the first one: the silence lasts until its end
    const next = await manager.notifications.windows.create({ systemCode: code, startsAt: new Date(now + 3_000_000), endsAt: new Date(now + 7_200_000) });
    expect(next.open).toBe(false);
    await manager.notifications.windows.create({ systemCode: code2, startsAt: new Date(now + 86_400_000), endsAt: new Date(now + 90_000_000) });

    const viewer = callerAs(db, org.users.viewer);
    const listed = await viewer.notifications.windows.list({ systemCode: code });
    expect(listed.map((w) => w.id)).toEqual([open.id, next.id]);
    expect((await viewer.notifications.windows.list()).length).toBe(3);
    const silence = await viewer.notifications.windows.silence({ systemCode: code });
    expect(silence.until?.getTime()).toBe(now + 7_200_000);
    expect(silence.reasons).toEqual(["Lamp change"]);
    expect(await viewer.notifications.windows.silence({ systemCode: code2 })).toEqual({ until: null, reasons: [] });

    // deleting the open window ends the silence: the next one has not started yet
    await manager.notifications.windows.delete({ id: open.id });
    expect((await viewer.notifications.windows.silence({ systemCode: code })).until).toBeNull();
    expect(await db.auditLog.count({ where: { entityType: "maintenance_window", entityId: open.id } })).toBe(2);
  });

  it("validates the times on the field that is wrong", async () => {
    const manager = callerAs(db, org.users.manager);
    const code = org.systemCodes[0]!;
    const mine = { system: { organizationId: org.organizationId } };
    const before = await db.maintenanceWindow.count({ where: mine });
    const backwards = await failure(manager.notifications.windows.create({ systemCode: code, startsAt: new Date(Date.now() + 7_200_000), endsAt: new Date(Date.now() + 3_600_000) }));
    expect(backwards.fieldErrors).toEqual([{ path: "endsAt", message: "The window must end after it starts." }]);
    const past = await failure(manager.notifications.windows.create({ systemCode: code, startsAt: new Date(Date.now() - 7_200_000), endsAt: new Date(Date.now() - 3_600_000) }));
    expect(past.fieldErrors?.[0]?.message).toMatch(/already passed/);
    const long = await failure(manager.notifications.windows.create({ systemCode: code, endsAt: new Date(Date.now() + 40 * 86_400_000) }));
    expect(long.fieldErrors?.[0]).toMatchObject({ path: "endsAt", message: expect.stringMatching(/at most 31 days/) as unknown as string });
    const unknown = await failure(manager.notifications.windows.create({ systemCode: "NO-SUCH-SYS", endsAt: new Date(Date.now() + 3_600_000) }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toMatch(/NO-SUCH-SYS/);
    expect(await db.maintenanceWindow.count({ where: mine })).toBe(before);
  });

  it("technicians and viewers may not change them; other organisations neither see nor touch them", async () => {
    const code = org.systemCodes[1]!;
    const w = await callerAs(db, org.users.admin).notifications.windows.create({ systemCode: code, endsAt: new Date(Date.now() + 3_600_000) });
    for (const role of ["viewer", "technician"] as const) {
      const caller = callerAs(db, org.users[role]);
      expect((await failure(caller.notifications.windows.create({ systemCode: code, endsAt: new Date(Date.now() + 3_600_000) }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.notifications.windows.delete({ id: w.id }))).code).toBe("FORBIDDEN");
    }
    const foreign = callerAs(db, other.users.manager);
    expect((await foreign.notifications.windows.list()).map((x) => x.id)).not.toContain(w.id);
    expect((await failure(foreign.notifications.windows.delete({ id: w.id }))).code).toBe("NOT_FOUND");
    expect((await failure(foreign.notifications.windows.create({ systemCode: code, endsAt: new Date(Date.now() + 3_600_000) }))).code).toBe("NOT_FOUND");
    expect((await failure(foreign.notifications.windows.silence({ systemCode: code }))).code).toBe("NOT_FOUND");
    expect(await db.maintenanceWindow.count({ where: { id: w.id } })).toBe(1);
  });
});
