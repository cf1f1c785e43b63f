import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { recordAudit, type Actor } from "@/server/audit";
import { syncDeviceToBroker, type DeviceBrokerChange } from "@/server/mqtt/mosquitto-dynsec";
import { deviceIdFor, generateDeviceToken, hashDeviceToken, tokenPrefix } from "./device-token";

export interface CreatedDevice {
  id: string;
  token: string;
  system: string;
  name: string;
  mqtt: { username: string; topic: string };
}

export interface DeviceSummary {
  id: string;
  name: string;
  system: string;
  tokenPrefix: string;
  status: "active" | "revoked";
  lastSeenAt: Date | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export const telemetryTopic = (deviceId: string) => `ecomate/v1/${deviceId}/telemetry`;

// Other processes (ingest route, MQTT worker, broker auth) drop cached credentials on this signal,
// so a device created, rotated or revoked takes effect at once (contracts.md).
export const DEVICE_CHANGED_CHANNEL = "ecomate_device_changed";

async function notifyDeviceChanged(db: Db, deviceId: string): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${DEVICE_CHANGED_CHANNEL}, ${deviceId})`;
}

/**
 * With Mosquitto (MOSQUITTO_DYNSEC_URL), applies the committed change to its dynamic security. The
 * database stays the source of truth: a broker that cannot be updated fails the call with UNAVAILABLE
 * and a message saying what is already done and how to finish (docs/deploy.md, "Device sync").
 */
async function syncBroker(change: DeviceBrokerChange, explain: (reason: string) => string): Promise<void> {
  try {
    await syncDeviceToBroker(change);
  } catch (error) {
    throw new AppError("UNAVAILABLE", explain((error as Error).message), { deviceId: change.deviceId });
  }
}

export async function createDevice(
  db: Db,
  scope: Scope,
  actor: Actor,
  input: { systemCode: string; name?: string },
): Promise<CreatedDevice> {
  const system = await db.treatmentSystem.findFirst({
    where: { code: input.systemCode, ...orgFilter(scope) },
    select: { id: true, code: true, organizationId: true },
  });
  if (!system) {
    throw new AppError("NOT_FOUND", `System "${input.systemCode}" was not found. List systems with: ecomate systems list`);
  }
  const token = generateDeviceToken();
  const id = deviceIdFor(system.code);
  const name = input.name?.trim() || `${system.code} gateway`;
  await db.$transaction(async (tx) => {
    await tx.device.create({
      data: { id, name, organizationId: system.organizationId, systemId: system.id, tokenHash: hashDeviceToken(token), tokenPrefix: tokenPrefix(token) },
    });
    await recordAudit(tx, actor, { organizationId: system.organizationId, action: "device.create", entityType: "device", entityId: id, details: { system: system.code, name } });
  });
  await notifyDeviceChanged(db, id);
  await syncBroker(
    { kind: "register", deviceId: id, token },
    (reason) =>
      `Device "${id}" was created, but registering it with the MQTT broker failed (${reason}). ` +
      `Its token was not shown; once the broker is reachable, issue one that works everywhere with: ecomate devices rotate ${id}`,
  );
  return { id, token, system: system.code, name, mqtt: { username: id, topic: telemetryTopic(id) } };
}

export async function listDevices(db: Db, scope: Scope, filter: { systemCode?: string } = {}): Promise<DeviceSummary[]> {
  const rows = await db.device.findMany({
    where: { ...orgFilter(scope), ...(filter.systemCode ? { system: { code: filter.systemCode } } : {}) },
    select: { id: true, name: true, tokenPrefix: true, lastSeenAt: true, createdAt: true, revokedAt: true, system: { select: { code: true } } },
    orderBy: [{ system: { code: "asc" } }, { createdAt: "asc" }],
  });
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    system: d.system.code,
    tokenPrefix: d.tokenPrefix,
    status: d.revokedAt ? "revoked" : "active",
    lastSeenAt: d.lastSeenAt,
    createdAt: d.createdAt,
    revokedAt: d.revokedAt,
  }));
}

async function findDevice(db: Db, scope: Scope, id: string) {
  const device = await db.device.findFirst({ where: { id, ...orgFilter(scope) }, select: { id: true, organizationId: true, revokedAt: true } });
  if (!device) throw notFound("Device", id);
  return device;
}

export async function revokeDevice(db: Db, scope: Scope, actor: Actor, id: string): Promise<{ id: string; revokedAt: Date }> {
  const device = await findDevice(db, scope, id);
  if (device.revokedAt) throw new AppError("CONFLICT", `Device "${id}" is already revoked (since ${device.revokedAt.toISOString()}).`);
  const revokedAt = new Date();
  await db.$transaction(async (tx) => {
    await tx.device.update({ where: { id }, data: { revokedAt } });
    await recordAudit(tx, actor, { organizationId: device.organizationId, action: "device.revoke", entityType: "device", entityId: id });
  });
  await notifyDeviceChanged(db, id);
  await syncBroker(
    { kind: "unregister", deviceId: id },
    (reason) =>
      `Device "${id}" is revoked (HTTP ingest and the worker refuse it), but removing it from the MQTT broker failed (${reason}). ` +
      "It can still connect to the broker until you run: ecomate broker sync",
  );
  return { id, revokedAt };
}

/** A new token; the old one stops working at once. */
export async function rotateDeviceToken(db: Db, scope: Scope, actor: Actor, id: string): Promise<{ id: string; token: string }> {
  const device = await findDevice(db, scope, id);
  if (device.revokedAt) throw new AppError("CONFLICT", `Device "${id}" is revoked; create a new device instead of rotating.`);
  const token = generateDeviceToken();
  await db.$transaction(async (tx) => {
    await tx.device.update({ where: { id }, data: { tokenHash: hashDeviceToken(token), tokenPrefix: tokenPrefix(token), tokenRotatedAt: new Date() } });
    await recordAudit(tx, actor, { organizationId: device.organizationId, action: "device.rotate", entityType: "device", entityId: id });
  });
  await notifyDeviceChanged(db, id);
  await syncBroker(
    { kind: "register", deviceId: id, token },
    (reason) =>
      `The token of device "${id}" was replaced, but setting the new one on the MQTT broker failed (${reason}); ` +
      `the old token may still work there. Once the broker is reachable, run again: ecomate devices rotate ${id}`,
  );
  return { id, token };
}
