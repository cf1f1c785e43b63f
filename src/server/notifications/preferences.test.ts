import { describe, expect, it } from "vitest";
import { defaultPreference, effectivePreference, emailRecipients, meetsSeverity } from "./preferences";

describe("meetsSeverity", () => {
  it("passes the minimum and everything above it, nothing below", () => {
    expect(meetsSeverity("critical", "major")).toBe(true);
    expect(meetsSeverity("major", "major")).toBe(true);
    expect(meetsSeverity("minor", "major")).toBe(false);
    expect(meetsSeverity("warning", "warning")).toBe(true);
    expect(meetsSeverity("warning", "minor")).toBe(false);
  });
});

describe("preferences by role", () => {
  it("defaults: browser from major for technicians and up, criticals for viewers; e-mail off for everyone", () => {
    expect(defaultPreference("viewer", "browser")).toEqual({ enabled: true, minSeverity: "critical" });
    expect(defaultPreference("technician", "browser")).toEqual({ enabled: true, minSeverity: "major" });
    expect(defaultPreference("admin", "browser")).toEqual({ enabled: true, minSeverity: "major" });
    for (const role of ["viewer", "technician", "manager", "admin"] as const) expect(defaultPreference(role, "email").enabled).toBe(false);
  });

  it("a stored choice wins over the default", () => {
    expect(effectivePreference("viewer", "email", { enabled: true, minSeverity: "minor" })).toEqual({ enabled: true, minSeverity: "minor", isDefault: false });
    expect(effectivePreference("manager", "browser", null)).toEqual({ enabled: true, minSeverity: "major", isDefault: true });
    expect(effectivePreference("manager", "browser", { enabled: false, minSeverity: "warning" })).toEqual({ enabled: false, minSeverity: "warning", isDefault: false });
  });
});

describe("emailRecipients", () => {
  const channels = [
    { target: " Ops@Plant.test ", minSeverity: "major" as const },
    { target: "ceo@plant.test", minSeverity: "critical" as const },
    { target: "   ", minSeverity: "warning" as const },
  ];
  const users = [
    { email: "ana@plant.test", role: "admin" as const, emailPreference: { enabled: true, minSeverity: "minor" as const } },
    { email: "ben@plant.test", role: "technician" as const, emailPreference: { enabled: true, minSeverity: "critical" as const } },
    { email: "cy@plant.test", role: "manager" as const, emailPreference: { enabled: false, minSeverity: "warning" as const } },
    // no stored preference: e-mail is opt-in
    { email: "dee@plant.test", role: "manager" as const, emailPreference: null },
    // the same address as a channel: mailed once
    { email: "ops@plant.test", role: "viewer" as const, emailPreference: { enabled: true, minSeverity: "warning" as const } },
  ];

  it("a major goes to the channels and people whose minimum it meets, each address once", () => {
    expect(emailRecipients("major", channels, users).sort()).toEqual(["Ops@Plant.test", "ana@plant.test"]);
  });

  it("a critical reaches every minimum; a warning only the warning-level person", () => {
    expect(emailRecipients("critical", channels, users).sort()).toEqual(["Ops@Plant.test", "ana@plant.test", "ben@plant.test", "ceo@plant.test"]);
    expect(emailRecipients("warning", channels, users)).toEqual(["ops@plant.test"]);
  });

  it("a person who turned e-mail off still gets an organisation channel's mail to their address", () => {
    const own = [{ email: "ops@plant.test", role: "viewer" as const, emailPreference: { enabled: false, minSeverity: "warning" as const } }];
    expect(emailRecipients("major", channels.slice(0, 1), own)).toEqual(["Ops@Plant.test"]);
  });
});
