/**
 * Configuration of the Next.js server. Parsed lazily on first use so that `next build` works
 * on a machine without a database or broker.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import {
  coreEnvShape,
  lazyEnv,
  parseEnvWith,
  portVar,
  resolveServiceUrls,
  unsetIfEmpty,
  type EnvSource,
  type ServiceUrls,
} from "./core";

export const webEnvSchema = z.object({
  ...coreEnvShape,
  PORT: portVar(3000),
  NEXTAUTH_SECRET: z.preprocess(unsetIfEmpty, z.string().optional()),
});

export type WebEnv = Readonly<z.infer<typeof webEnvSchema>>;

export function parseWebEnv(source: EnvSource = process.env): WebEnv {
  return parseEnvWith("web", webEnvSchema, source);
}

/** The web server's configuration, parsed and frozen on first call. */
export const webEnv = lazyEnv(parseWebEnv);

/** Database and broker URLs for the web server (env, else the running demo, else an error). */
export function webServiceUrls(env: WebEnv = webEnv()): ServiceUrls {
  return resolveServiceUrls(env);
}

export function authSecretPath(dataDir: string): string {
  return path.join(dataDir, "auth-secret");
}

/**
 * The next-auth secret: NEXTAUTH_SECRET, else a random one kept in `<data dir>/auth-secret`
 * (mode 600, created once) so that sessions survive restarts of the demo.
 */
export function resolveAuthSecret(env: Pick<WebEnv, "NEXTAUTH_SECRET" | "ECOMATE_DATA_DIR"> = webEnv()): string {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  const file = authSecretPath(env.ECOMATE_DATA_DIR);
  const existing = readSecretFile(file);
  if (existing) return existing;

  fs.mkdirSync(env.ECOMATE_DATA_DIR, { recursive: true });
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
  if (!created) throw new Error(`Could not read the auth secret from ${file}; delete the file and try again.`);
  return created;
}

function readSecretFile(file: string): string | null {
  try {
    const secret = fs.readFileSync(file, "utf8").trim();
    return secret.length > 0 ? secret : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
