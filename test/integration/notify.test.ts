import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getPool } from "../../src/server/db";
import {
  findAlertsToEscalate,
  NotificationDispatcher,
  signWebhookBody,
  type AlertNotificationEvent,
  type WebhookPayload,
} from "../../src/server/telemetry/alerts/notify";
import { makeOrg, testDb, uid, type TestOrg } from "./helpers";
import { startSmtp } from "./smtp-server";

const db = testDb();
const pool = getPool();
const RETRY = { attempts: 3, baseMs: 5 };

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on a free port; `status(n)` answers the n-th request (1-based), 0 drops the connection. */
async function startReceiver(status: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const code = status(received.length);
      if (code === 0) req.socket.destroy();
      else res.writeHead(code, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ecomate?key=abc`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}


/** A header of a raw RFC 5322 message, unfolded. */
function mailHeader(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

async function systemOf(org: TestOrg, index = 0) {
  return db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[index]! }, select: { id: true, code: true } });
}

function alertEvent(org: TestOrg, system: { id: string; code: string }, over: Partial<AlertNotificationEvent> = {}): AlertNotificationEvent {
  return {
    alertId: `alert-${uid()}`,
    organizationId: org.organizationId,
    change: "raised",
    systemId: system.id,
    systemCode: system.code,
    severity: "major",
    state: "active_unacknowledged",
    isCompliance: false,
    message: "UV intensity below 20 W/m2",
    at: Date.parse("2026-11-27T10:00:00.000Z"),
    ...over,
  };
}

async function webhookChannel(org: TestOrg, target: string, over: { minSeverity?: "critical" | "major" | "minor" | "warning"; secret?: string | null } = {}) {
  return db.notificationChannel.create({
    data: {
      organizationId: org.organizationId,
      kind: "webhook",
      name: `hook ${uid()}`,
      target,
      secret: over.secret === undefined ? `secret-${uid()}` : over.secret,
      minSeverity: over.minSeverity ?? "warning",
    },
  });
}

function dispatcher(opts: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {}) {
  return new NotificationDispatcher({ db, pool, retry: RETRY, appUrl: "http://ecomate.test", ...opts });
}

describe("signWebhookBody", () => {
  it("is sha256= and the hex HMAC-SHA256 of the body", () => {
    const expected = createHmac("sha256", "k").update('{"a":1}').digest("hex");
    expect(signWebhookBody("k", '{"a":1}')).toBe(`sha256=${expected}`);
  });
});

describe("webhooks", () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await makeOrg(db, { systems: 2 });
  });

  it("posts a signed JSON body with the documented headers", async () => {
    const receiver = await startReceiver();
    try {
      const orgW = await makeOrg(db, { systems: 1 });
      const channel = await webhookChannel(orgW, receiver.url);
      const system = await systemOf(orgW);
      const d = dispatcher();
      const event = alertEvent(orgW, system, { severity: "critical" });
      await d.dispatch(event);
      await d.drain();

      expect(receiver.received).toHaveLength(1);
      const { headers, body } = receiver.received[0]!;
      expect(headers["content-type"]).toBe("application/json");
      expect(headers["x-ecomate-event"]).toBe("alert.raised");
      expect(headers["x-ecomate-delivery"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(Number(headers["x-ecomate-timestamp"])).toBeGreaterThan(1_600_000_000);
      // The receiver's check: HMAC of the raw body with the channel secret.
      const expected = `sha256=${createHmac("sha256", channel.secret!).update(body).digest("hex")}`;
      expect(headers["x-ecomate-signature"]).toBe(expected);

      const payload = JSON.parse(body) as WebhookPayload;
      expect(payload).toEqual({
        event: "alert.raised",
        deliveryId: headers["x-ecomate-delivery"],
        organizationId: orgW.organizationId,
        alert: {
          id: event.alertId,
          change: "raised",
          severity: "critical",
          state: "active_unacknowledged",
          systemId: system.id,
          systemCode: system.code,
          message: "UV intensity below 20 W/m2",
          at: "2026-11-27T10:00:00.000Z",
          isCompliance: false,
          url: `http://ecomate.test/alerts/${event.alertId}`,
        },
      });
      await d.close();
    } finally {
      await receiver.close();
    }
  });

  it("retries 5xx with the same delivery id until it is delivered", async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
    try {
      const orgR = await makeOrg(db, { systems: 1 });
      await webhookChannel(orgR, receiver.url);
      const d = dispatcher();
      await d.dispatch(alertEvent(orgR, await systemOf(orgR)));
      await d.drain();
      expect(receiver.received).toHaveLength(3);
      const ids = receiver.received.map((r) => r.headers["x-ecomate-delivery"]);
      expect(new Set(ids).size).toBe(1);
      // The body, and so its signature, is the same on every attempt.
      expect(new Set(receiver.received.map((r) => r.headers["x-ecomate-signature"])).size).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it("retries a dropped connection", async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 0 : 200));
    try {
      const orgN = await makeOrg(db, { systems: 1 });
      await webhookChannel(orgN, receiver.url);
      const d = dispatcher();
      await d.dispatch(alertEvent(orgN, await systemOf(orgN)));
      await d.drain();
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[0]!.headers["x-ecomate-delivery"]).toBe(receiver.received[1]!.headers["x-ecomate-delivery"]);
    } finally {
      await receiver.close();
    }
  });

  it("gives up after the configured attempts", async () => {
    const receiver = await startReceiver(() => 503);
    try {
      const orgG = await makeOrg(db, { systems: 1 });
      await webhookChannel(orgG, receiver.url);
      const d = dispatcher();
      await d.dispatch(alertEvent(orgG, await systemOf(orgG)));
      await d.drain();
      expect(receiver.received).toHaveLength(RETRY.attempts);
    } finally {
      await receiver.close();
    }
  });

  it("stops retrying when closed (shutdown)", async () => {
    const receiver = await startReceiver(() => 503);
    try {
      const orgC = await makeOrg(db, { systems: 1 });
      await webhookChannel(orgC, receiver.url);
      // an hour between attempts: close() must not wait for it
      const d = dispatcher({ retry: { attempts: 5, baseMs: 3_600_000 } });
      await d.dispatch(alertEvent(orgC, await systemOf(orgC)));
      await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 30_000 });
      await d.close();
      expect(receiver.received).toHaveLength(1);
      // closed: later changes are dropped (and logged)
      await d.dispatch(alertEvent(orgC, await systemOf(orgC)));
      await d.drain();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("does not retry a 400", async () => {
    const receiver = await startReceiver(() => 400);
    try {
      const orgB = await makeOrg(db, { systems: 1 });
      await webhookChannel(orgB, receiver.url);
      const d = dispatcher();
      await d.dispatch(alertEvent(orgB, await systemOf(orgB)));
      await d.drain();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("respects each channel's minimum severity, inactive channels and the changes that notify", async () => {
    const critical = await startReceiver();
    const warning = await startReceiver();
    const inactive = await startReceiver();
    try {
      const orgS = await makeOrg(db, { systems: 1 });
      await webhookChannel(orgS, critical.url, { minSeverity: "critical" });
      await webhookChannel(orgS, warning.url, { minSeverity: "warning", secret: null });
      const off = await webhookChannel(orgS, inactive.url);
      await db.notificationChannel.update({ where: { id: off.id }, data: { active: false } });
      const system = await systemOf(orgS);
      const d = dispatcher();
      await d.dispatch(alertEvent(orgS, system, { severity: "minor" }));
      // not notified: repeats, acknowledgements, and clears of non-critical alerts
      await d.dispatch(alertEvent(orgS, system, { severity: "critical", change: "repeated" }));
      await d.dispatch(alertEvent(orgS, system, { severity: "critical", change: "acknowledged", state: "active_acknowledged" }));
      await d.dispatch(alertEvent(orgS, system, { severity: "major", change: "cleared", state: "cleared" }));
      await d.drain();

      expect(critical.received).toHaveLength(0);
      expect(inactive.received).toHaveLength(0);
      expect(warning.received).toHaveLength(1);
      expect(warning.received[0]!.headers["x-ecomate-signature"]).toBeUndefined();
      expect((JSON.parse(warning.received[0]!.body) as WebhookPayload).alert.severity).toBe("minor");

      // a critical clear and an escalation do notify
      await d.dispatch(alertEvent(orgS, system, { severity: "critical", change: "cleared", state: "cleared" }));
      await d.dispatch(alertEvent(orgS, system, { severity: "critical", change: "escalated" }));
      await d.drain();
      expect(critical.received.map((r) => r.headers["x-ecomate-event"]).sort()).toEqual(["alert.cleared", "alert.escalated"]);
    } finally {
      await Promise.all([critical.close(), warning.close(), inactive.close()]);
    }
  });

  it("stays silent for a system in a maintenance window, except for compliance alerts", async () => {
    const receiver = await startReceiver();
    try {
      await webhookChannel(org, receiver.url);
      const inWindow = await systemOf(org, 0);
      const other = await systemOf(org, 1);
      const now = Date.now();
      await db.maintenanceWindow.create({
        data: { systemId: inWindow.id, startsAt: new Date(now - 3_600_000), endsAt: new Date(now + 3_600_000), reason: "lamp change" },
      });
      // a window that has ended silences nothing
      await db.maintenanceWindow.create({ data: { systemId: other.id, startsAt: new Date(now - 7_200_000), endsAt: new Date(now - 3_600_000) } });

      const d = dispatcher();
      const silenced = alertEvent(org, inWindow, { severity: "critical" });
      const compliance = alertEvent(org, inWindow, { severity: "critical", isCompliance: true, message: "UV dose below NSF/ANSI 55 minimum" });
      const elsewhere = alertEvent(org, other, { severity: "major" });
      await d.dispatch(silenced);
      await d.dispatch(compliance);
      await d.dispatch(elsewhere);
      await d.drain();

      const ids = receiver.received.map((r) => (JSON.parse(r.body) as WebhookPayload).alert.id).sort();
      expect(ids).toEqual([compliance.alertId, elsewhere.alertId].sort());
    } finally {
      await receiver.close();
    }
  });
});

describe("e-mail", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it("mails the e-mail channels and the people who asked for it at this severity", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const u = uid();
    const ops = `ops-${u}@plant.test`;
    await db.notificationChannel.createMany({
      data: [
        { organizationId: org.organizationId, kind: "email", name: "ops", target: ops, minSeverity: "major" },
        { organizationId: org.organizationId, kind: "email", name: "ceo", target: `ceo-${u}@plant.test`, minSeverity: "critical" },
      ],
    });
    await db.notificationPreference.createMany({
      data: [
        { userId: org.users.admin.id, channel: "email", minSeverity: "minor", enabled: true },
        { userId: org.users.technician.id, channel: "email", minSeverity: "critical", enabled: true },
        { userId: org.users.manager.id, channel: "email", minSeverity: "warning", enabled: false },
        { userId: org.users.viewer.id, channel: "browser", minSeverity: "warning", enabled: true },
      ],
    });

    const from = `alerts-${u}@ecomate.test`;
    const d = dispatcher({ smtpUrl: smtp.url, from });
    const event = alertEvent(org, system, { severity: "major", message: `Filter dP high ${u}` });
    await d.dispatch(event);
    await d.drain();
    await d.close();

    const mine = smtp.mails.filter((m) => m.raw.includes(u) && mailHeader(m.raw, "subject")?.includes(u));
    expect(mine.flatMap((m) => m.to).sort()).toEqual([ops, org.users.admin.email].sort());
    for (const mail of mine) {
      expect(mail.from).toBe(from);
      expect(mailHeader(mail.raw, "subject")).toBe(`[EcoMate] MAJOR ${system.code}: Filter dP high ${u}`);
      expect(mail.raw).toContain(`http://ecomate.test/alerts/${event.alertId}`);
    }
  });

  it("sends no e-mail without SMTP configured and none for a silenced system", async () => {
    const org = await makeOrg(db, { systems: 1 });
    const system = await systemOf(org);
    const u = uid();
    await db.notificationChannel.create({ data: { organizationId: org.organizationId, kind: "email", name: "ops", target: `ops-${u}@plant.test`, minSeverity: "warning" } });
    const before = smtp.mails.length;
    const noSmtp = dispatcher();
    await noSmtp.dispatch(alertEvent(org, system, { message: `no smtp ${u}` }));
    await noSmtp.drain();

    await db.maintenanceWindow.create({ data: { systemId: system.id, startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 3_600_000) } });
    const d = dispatcher({ smtpUrl: smtp.url });
    await d.dispatch(alertEvent(org, system, { message: `silenced ${u}` }));
    await d.dispatch(alertEvent(org, system, { message: `compliance ${u}`, isCompliance: true }));
    await d.drain();
    await d.close();
    const mine = smtp.mails.slice(before).filter((m) => m.raw.includes(u));
    expect(mine.map((m) => mailHeader(m.raw, "subject"))).toEqual([`[EcoMate] MAJOR ${system.code}: compliance ${u}`]);
  });
});

describe("findAlertsToEscalate", () => {
  it("marks each overdue critical once, and nothing on a second call", async () => {
    const org = await makeOrg(db, { systems: 2 });
    const sys = await systemOf(org, 0);
    const inWindow = await systemOf(org, 1);
    const now = new Date();
    const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
    await db.maintenanceWindow.create({ data: { systemId: inWindow.id, startsAt: minutesAgo(60), endsAt: new Date(now.getTime() + 3_600_000) } });

    const make = (over: Record<string, unknown>) =>
      db.alert.create({
        data: {
          id: `esc-${uid()}`,
          organizationId: org.organizationId,
          systemId: sys.id,
          severity: "critical",
          state: "active_unacknowledged",
          message: "Lamp failure",
          raisedAt: minutesAgo(30),
          ...over,
        },
        select: { id: true },
      });
    const due = await make({});
    const dueCompliance = await make({ systemId: inWindow.id, isCompliance: true, message: "Dose below minimum" });
    await make({ raisedAt: minutesAgo(5) }); // too recent
    await make({ severity: "major" }); // not critical
    await make({ state: "active_acknowledged" }); // someone is on it
    await make({ state: "cleared_unacknowledged" }); // back to normal
    await make({ escalatedAt: minutesAgo(10) }); // already escalated
    await make({ shelvedUntil: new Date(now.getTime() + 600_000) }); // shelved
    await make({ systemId: inWindow.id }); // maintenance
    const shelfEnded = await make({ shelvedUntil: minutesAgo(1) });

    // Two callers at once: each alert is escalated by exactly one of them.
    const [a, b] = await Promise.all([
      findAlertsToEscalate(db, { afterMinutes: 15, now, organizationId: org.organizationId }),
      findAlertsToEscalate(db, { afterMinutes: 15, now, organizationId: org.organizationId }),
    ]);
    const escalated = [...a, ...b];
    expect(escalated.map((e) => e.alertId).sort()).toEqual([due.id, dueCompliance.id, shelfEnded.id].sort());
    const first = escalated.find((e) => e.alertId === due.id)!;
    expect(first).toMatchObject({
      change: "escalated",
      organizationId: org.organizationId,
      systemId: sys.id,
      systemCode: sys.code,
      severity: "critical",
      state: "active_unacknowledged",
      isCompliance: false,
      message: "Lamp failure",
      at: now.getTime(),
    });
    const row = await db.alert.findUniqueOrThrow({ where: { id: due.id }, select: { escalatedAt: true } });
    expect(row.escalatedAt?.getTime()).toBe(now.getTime());

    expect(await findAlertsToEscalate(db, { afterMinutes: 15, organizationId: org.organizationId })).toEqual([]);
  });

  it("feeds the dispatcher an escalated event", async () => {
    const receiver = await startReceiver();
    try {
      const org = await makeOrg(db, { systems: 1 });
      const sys = await systemOf(org);
      await webhookChannel(org, receiver.url, { minSeverity: "critical" });
      const alert = await db.alert.create({
        data: { id: randomUUID(), organizationId: org.organizationId, systemId: sys.id, severity: "critical", message: "Pump stopped", raisedAt: new Date(Date.now() - 3_600_000) },
      });
      const d = dispatcher();
      for (const event of await findAlertsToEscalate(db, { afterMinutes: 30, organizationId: org.organizationId })) await d.dispatch(event);
      await d.drain();
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.headers["x-ecomate-event"]).toBe("alert.escalated");
      expect((JSON.parse(receiver.received[0]!.body) as WebhookPayload).alert.id).toBe(alert.id);
    } finally {
      await receiver.close();
    }
  });
});
