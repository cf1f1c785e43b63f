/**
 * Configuration of the Next.js server. Parsed lazily on first use so that `next build` works
 * on a machine without a database or broker.
 */
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
import { readOrCreateSecretFile } from "./secret-file";

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
  return env.NEXTAUTH_SECRET ?? readOrCreateSecretFile(authSecretPath(env.ECOMATE_DATA_DIR));
}
