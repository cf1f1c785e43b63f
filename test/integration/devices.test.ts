import { beforeAll, describe, expect, it, vi } from "vitest";
import { Client } from "pg";
import { inject } from "vitest";
import { createDevice, DEVICE_CHANGED_CHANNEL, listDevices, revokeDevice, rotateDeviceToken } from "../../src/server/devices/manage-devices";
import { hashDeviceToken, tokenMatches } from "../../src/server/devices/device-token";
import { AppError } from "../../src/server/errors";
import { makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
let org: TestOrg;
const actor = { type: "cli", label: "cli:test" } as const;

beforeAll(async () => {
  org = await makeOrg(db, { systems: 1 });
});

describe("device registry", () => {
  it("creates a device whose token is stored only as a hash, and announces the change", async () => {
    const listener = new Client({ connectionString: inject("databaseUrl") });
    await listener.connect();
    const notified: string[] = [];
    listener.on("notification", (n) => notified.push(n.payload ?? ""));
    await listener.query(`LISTEN ${DEVICE_CHANGED_CHANNEL}`);
    try {
      const created = await createDevice(db, { organizationId: org.organizationId }, actor, { systemCode: org.systemCodes[0]!, name: "Gateway A" });
      expect(created.mqtt).toEqual({ username: created.id, topic: `ecomate/v1/${created.id}/telemetry` });
      const row = await db.device.findUniqueOrThrow({ where: { id: created.id } });
      expect(row.tokenHash).toBe(hashDeviceToken(created.token));
      expect(JSON.stringify(row)).not.toContain(created.token);
      // delivered to the listener some time after the commit
      await vi.waitFor(() => expect(notified).toContain(created.id), { timeout: 15_000, interval: 50 });
      const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: created.id, action: "device.create" } });
      expect(audit.actor).toBe("cli:test");
    } finally {
      await listener.end();
    }
  });

  it("rotating replaces the token: the old one no longer matches", async () => {
    const created = await createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! });
    const rotated = await rotateDeviceToken(db, { all: true }, actor, created.id);
    expect(rotated.token).not.toBe(created.token);
    const row = await db.device.findUniqueOrThrow({ where: { id: created.id } });
    expect(tokenMatches(rotated.token, row.tokenHash)).toBe(true);
    expect(tokenMatches(created.token, row.tokenHash)).toBe(false);
    expect(row.tokenRotatedAt).not.toBeNull();
  });

  it("revoking marks it revoked once; a second revoke or a rotate is a conflict", async () => {
    const created = await createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! });
    await revokeDevice(db, { all: true }, actor, created.id);
    const listed = await listDevices(db, { organizationId: org.organizationId });
    expect(listed.find((d) => d.id === created.id)?.status).toBe("revoked");
    await expect(revokeDevice(db, { all: true }, actor, created.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(rotateDeviceToken(db, { all: true }, actor, created.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("names the unknown system and creates nothing", async () => {
    const err = await createDevice(db, { all: true }, actor, { systemCode: "ZZ-404" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("NOT_FOUND");
    expect((err as AppError).message).toContain('System "ZZ-404" was not found');
    // other test files create devices concurrently: look for traces of this call only
    const audits = await db.auditLog.findMany({ where: { action: "device.create" }, select: { details: true } });
    expect(audits.filter((a) => JSON.stringify(a.details).includes("ZZ-404"))).toEqual([]);
  });
});
