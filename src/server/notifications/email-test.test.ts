import { describe, expect, it } from "vitest";
import { smtpServerLabel } from "@/server/telemetry/alerts/notify";
import {
  auditDetails,
  describeEmailTest,
  parseEmailTestReply,
  parseEmailTestRequest,
  smtpFailureHint,
  testEmailSubject,
  testEmailText,
} from "./email-test";

const REQUEST = {
  requestId: "6f1c2f9e-3d1b-4a57-9a43-3f2c9c1d0b7e",
  channelId: "cmw-channel",
  organizationId: "cmw-org",
  requestedBy: { userId: "cmw-user", email: "admin@plant.test" },
  requestedAt: "2026-11-27T10:00:00.000Z",
};

describe("request and reply payloads", () => {
  it("reads a well-formed request and refuses anything else", () => {
    expect(parseEmailTestRequest(JSON.stringify(REQUEST))).toEqual(REQUEST);
    expect(parseEmailTestRequest("not json")).toBeNull();
    expect(parseEmailTestRequest(JSON.stringify({ ...REQUEST, requestId: "42" }))).toBeNull();
    expect(parseEmailTestRequest(JSON.stringify({ ...REQUEST, requestedBy: undefined }))).toBeNull();
    expect(parseEmailTestRequest(JSON.stringify({ ...REQUEST, requestedAt: "yesterday" }))).toBeNull();
  });

  it("reads each kind of reply by its outcome", () => {
    const sent = { requestId: "r", outcome: "sent", recipients: ["a@b.test"], smtpServer: "smtp://mx:587", response: "250 OK", messageId: "<m@x>" };
    expect(parseEmailTestReply(JSON.stringify(sent))).toEqual(sent);
    expect(parseEmailTestReply(JSON.stringify({ requestId: "r", outcome: "working", smtpServer: "smtp://mx:587" }))).toMatchObject({ outcome: "working" });
    expect(parseEmailTestReply(JSON.stringify({ requestId: "r", outcome: "not_configured" }))).toMatchObject({ outcome: "not_configured" });
    // a failure without its error is not an answer the page could show
    expect(parseEmailTestReply(JSON.stringify({ requestId: "r", outcome: "failed", recipients: [], smtpServer: null, hint: "x" }))).toBeNull();
    expect(parseEmailTestReply(JSON.stringify({ requestId: "r", outcome: "maybe" }))).toBeNull();
  });
});

describe("smtpServerLabel", () => {
  it("keeps scheme, host and port, never the credentials", () => {
    expect(smtpServerLabel("smtps://alerts%40plant.test:s3cret@mail.plant.test:465")).toBe("smtps://mail.plant.test:465");
    expect(smtpServerLabel("smtp://127.0.0.1:2525?connectionTimeout=5000")).toBe("smtp://127.0.0.1:2525");
    expect(smtpServerLabel("not a url")).toBe("(invalid SMTP URL)");
  });
});

describe("smtpFailureHint", () => {
  it("names what to check for each kind of failure", () => {
    expect(smtpFailureHint({ error: "connect ECONNREFUSED 127.0.0.1:2525", code: "ESOCKET" })).toMatch(/mail server runs and the port in SMTP_URL/);
    expect(smtpFailureHint({ error: "Invalid login: 535 5.7.8 Authentication failed", code: "EAUTH", responseCode: 535, command: "AUTH PLAIN" })).toMatch(/user name and password in SMTP_URL/);
    expect(smtpFailureHint({ error: "Can't send mail - all recipients were rejected: 550 5.1.1 unknown", code: "EENVELOPE", responseCode: 550, command: "RCPT TO" })).toMatch(/refused the recipient/);
    expect(smtpFailureHint({ error: "Mail command failed: 553 sender not allowed", code: "EENVELOPE", responseCode: 553, command: "MAIL FROM" })).toMatch(/refused the sender: set SMTP_FROM/);
    expect(smtpFailureHint({ error: "getaddrinfo ENOTFOUND mail.nowhere.test", code: "EDNS" })).toMatch(/resolve the SMTP host name/);
    expect(smtpFailureHint({ error: "Connection timeout", code: "ETIMEDOUT" })).toMatch(/did not answer in time/);
    expect(smtpFailureHint({ error: "140737:error:0A00010B:SSL routines::wrong version number", code: "ESOCKET" })).toMatch(/smtps:\/\/ for port 465/);
    expect(smtpFailureHint({ error: "451 try later", responseCode: 451, command: "DATA" })).toMatch(/try again later/);
    expect(smtpFailureHint({ error: "something odd" })).toMatch(/worker's log/);
  });
});

describe("the test e-mail", () => {
  it("has a one-line subject naming the channel", () => {
    expect(testEmailSubject("Night shift")).toBe("EcoMate test e-mail for channel Night shift");
    expect(testEmailSubject("Ops\r\nBcc: evil@x.test")).toBe("EcoMate test e-mail for channel Ops Bcc: evil@x.test");
    expect(testEmailSubject("x".repeat(300)).length).toBeLessThan(160);
  });

  it("says who asked, when, and what reaching the inbox means", () => {
    const text = testEmailText({
      channelName: "Night shift",
      address: "night@plant.test",
      minSeverity: "major",
      requestedBy: "admin@plant.test",
      requestedAt: new Date("2026-11-27T10:00:00Z"),
      smtpServer: "smtp://mx:587",
    });
    expect(text).toContain('notification channel "Night shift"');
    expect(text).toContain("admin@plant.test asked for it on the notification settings page at 2026-11-27T10:00:00.000Z (UTC).");
    expect(text).toContain("reach night@plant.test: alerts from major up");
    expect(text).toContain("through smtp://mx:587");
  });
});

describe("describeEmailTest", () => {
  it("words a sent test with the recipients, the server and its answer", () => {
    const r = describeEmailTest({ requestId: "r", outcome: "sent", recipients: ["a@b.test"], smtpServer: "smtp://mx:587", response: "250 2.0.0 Ok: queued as 4F2A1", messageId: "<m@x>" }, 20_000);
    expect(r).toMatchObject({ kind: "email", outcome: "sent", delivered: true, recipients: ["a@b.test"], smtpServer: "smtp://mx:587", messageId: "<m@x>", error: null });
    expect(r.message).toBe('Test e-mail sent to 1 recipient (a@b.test) through smtp://mx:587; it answered "250 2.0.0 Ok: queued as 4F2A1". Check that it arrived, and look in the spam folder if not.');
  });

  it("words a failure with the error and what to check", () => {
    const r = describeEmailTest({ requestId: "r", outcome: "failed", recipients: ["a@b.test"], smtpServer: "smtp://mx:587", error: "connect ECONNREFUSED 10.0.0.1:587", hint: "Check it." }, 20_000);
    expect(r).toMatchObject({ outcome: "failed", delivered: false, error: "connect ECONNREFUSED 10.0.0.1:587", hint: "Check it." });
    expect(r.message).toBe("Test e-mail not sent through smtp://mx:587: connect ECONNREFUSED 10.0.0.1:587. Check it.");
  });

  it("points to SMTP_URL when the worker has none", () => {
    expect(describeEmailTest({ requestId: "r", outcome: "not_configured" }, 20_000).message).toBe(
      "The worker has no SMTP_URL: set it in the worker's environment (docs/operations.md) and restart the worker.",
    );
  });

  it("tells a missing worker from a slow SMTP server", () => {
    const none = describeEmailTest({ requestId: "r", outcome: "no_answer", acknowledged: false, smtpServer: null }, 20_000);
    expect(none.message).toMatch(/^No worker answered within 20 s: is `npm run worker` running\?/);
    const slow = describeEmailTest({ requestId: "r", outcome: "no_answer", acknowledged: true, smtpServer: "smtp://mx:587" }, 20_000);
    expect(slow.message).toMatch(/^A worker took the request, but smtp:\/\/mx:587 had not accepted the e-mail within 20 s/);
    expect(describeEmailTest({ requestId: "r", outcome: "no_answer", acknowledged: false, smtpServer: null }, 1_500).message).toContain("within 1500 ms");
  });
});

describe("auditDetails", () => {
  it("records the outcome and where the mail went", () => {
    expect(auditDetails({ requestId: "r", outcome: "sent", recipients: ["a@b.test"], smtpServer: "smtp://mx:587", response: "250 OK", messageId: "<m@x>" })).toEqual({
      kind: "email",
      requestId: "r",
      outcome: "sent",
      delivered: true,
      recipients: ["a@b.test"],
      smtpServer: "smtp://mx:587",
      messageId: "<m@x>",
      response: "250 OK",
    });
    expect(auditDetails({ requestId: "r", outcome: "no_answer", acknowledged: true, smtpServer: "smtp://mx:587" })).toEqual({
      kind: "email",
      requestId: "r",
      outcome: "no_answer",
      delivered: false,
      acknowledged: true,
    });
  });
});
