/**
 * Secrets the product generates for itself when the operator sets none (the next-auth secret, the
 * MQTT service password): one random value per data folder, created once, owner-readable only.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** The secret stored in `file`, or a new random one written there (mode 600) when there is none. */
export function readOrCreateSecretFile(file: string): string {
  const existing = readSecretFile(file);
  if (existing) return existing;

  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write a complete temp file, then link it into place: link fails if another process won the
  // race, and then we read the winner's secret instead of a half-written one.
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(temp, `${crypto.randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const created = readSecretFile(file);
  if (!created) throw new Error(`Could not read the secret from ${file}; delete the file and try again.`);
  return created;
}

/** The trimmed content of `file`, or null when it does not exist or is empty. */
export function readSecretFile(file: string): string | null {
  try {
    const secret = fs.readFileSync(file, "utf8").trim();
    return secret.length > 0 ? secret : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
