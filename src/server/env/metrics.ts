/**
 * Configuration of the Prometheus endpoint (`GET /api/metrics`, src/server/ops/metrics.ts), read by
 * every process that serves it. Prometheus on the same machine scrapes without credentials; from
 * elsewhere it must send `Authorization: Bearer <METRICS_TOKEN>`.
 */
import { z } from "zod";
import { lazyEnv, parseEnvWith, unsetIfEmpty, type EnvSource } from "./core";

export const metricsEnvSchema = z.object({
  // unset: only loopback scrapes (no proxy in between) are answered
  METRICS_TOKEN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .min(16, "must be at least 16 characters")
      .refine((v) => !/\s/.test(v), "must not contain whitespace")
      .optional(),
  ),
});

export type MetricsEnv = Readonly<z.infer<typeof metricsEnvSchema>>;

export function parseMetricsEnv(source: EnvSource = process.env): MetricsEnv {
  return parseEnvWith("metrics", metricsEnvSchema, source);
}

/** The metrics endpoint's configuration, parsed and frozen on first call. */
export const metricsEnv = lazyEnv(parseMetricsEnv);
