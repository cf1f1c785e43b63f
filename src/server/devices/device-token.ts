import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// Device tokens are 32 random bytes: a fast hash (sha256) is enough for a secret of that entropy
// and keeps the per-request check cheap on the ingest hot path. Only the hash is stored.
const PREFIX = "ecm_";

export function generateDeviceToken(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

export function hashDeviceToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The first characters, kept to let an admin recognise a token without storing it. */
export function tokenPrefix(token: string): string {
  return token.slice(0, PREFIX.length + 6);
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashDeviceToken(token), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Device ids are used as MQTT usernames and topic levels: lower-case letters, digits and dashes only. */
export function deviceIdFor(systemCode: string): string {
  const base = systemCode.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${base || "dev"}-${randomBytes(3).toString("hex")}`;
}

export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
