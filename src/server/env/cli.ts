/**
 * Configuration of command-line programs (`npx ecomate`, `npm run demo`, scripts).
 * The CLI finds its database with `acquireDatabase` (src/server/infra/resolve-database.ts).
 */
import { z } from "zod";
import { coreEnvShape, lazyEnv, parseEnvWith, portVar, unsetIfEmpty, type EnvSource } from "./core";

export const cliEnvSchema = z.object({
  ...coreEnvShape,
  // The demo starts the web server, so it needs the web server's settings too.
  PORT: portVar(3000),
  NEXTAUTH_SECRET: z.preprocess(unsetIfEmpty, z.string().optional()),
});

export type CliEnv = Readonly<z.infer<typeof cliEnvSchema>>;

export function parseCliEnv(source: EnvSource = process.env): CliEnv {
  return parseEnvWith("cli", cliEnvSchema, source);
}

/** The CLI's configuration, parsed and frozen on first call. */
export const cliEnv = lazyEnv(parseCliEnv);
