/**
 * The degradation models of trend/specs.ts as rows of predictive_model, one per organisation, key
 * and version, so every stored prediction points at the exact model (and its parameters) that made it.
 *
 * A version is immutable: a changed spec gets a new version, so an existing row is never rewritten
 * here, and a model a manager retired stays retired (the runner scores only active ones).
 */
import type { Prisma } from "@/generated/prisma/client";
import type { ModelStatus } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { DEGRADATION_SPECS, type DegradationSpec } from "./trend/specs";

export const DEGRADATION_ALGORITHM = "theil_sen_trend";

export interface DegradationModel {
  id: string;
  key: string;
  version: number;
  status: ModelStatus;
  spec: DegradationSpec;
}

/** What the model row records of a spec: enough to reproduce a prediction from its inputs. */
export function modelParams(spec: DegradationSpec): Prisma.InputJsonObject {
  return {
    metric: spec.metric,
    direction: spec.direction,
    limit: { ...spec.limit },
    transform: spec.transform,
    normalise: spec.normalise,
    runningOnly: spec.runningOnly ? { ...spec.runningOnly } : null,
    windowDays: spec.windowDays,
    horizonHours: spec.horizonHours,
    actWhen: { ...spec.actWhen },
    cooldownDays: spec.cooldownDays,
  };
}

/**
 * Creates the organisation's missing degradation models and returns all of them by key. Idempotent
 * and safe when two runners start together: the insert skips rows that already exist (ON CONFLICT on
 * the unique organisation, key and version) and both then read the same rows.
 */
export async function ensureDegradationModels(
  db: Db | Prisma.TransactionClient,
  organizationId: string,
  specs: readonly DegradationSpec[] = DEGRADATION_SPECS,
): Promise<Map<string, DegradationModel>> {
  const now = new Date();
  await db.predictiveModel.createMany({
    data: specs.map((spec) => ({
      organizationId,
      key: spec.key,
      version: spec.version,
      name: spec.name,
      kind: "degradation" as const,
      // a model for several component types (pump and motor) has no single type
      componentType: spec.componentTypes.length === 1 ? spec.componentTypes[0]! : null,
      algorithm: DEGRADATION_ALGORITHM,
      params: modelParams(spec),
      status: "active" as const,
      // nothing is trained: the model is its fixed parameters, in force from its creation
      trainedAt: now,
    })),
    skipDuplicates: true,
  });
  const rows = await db.predictiveModel.findMany({
    where: { organizationId, OR: specs.map((s) => ({ key: s.key, version: s.version })) },
    select: { id: true, key: true, version: true, status: true },
  });
  const byKey = new Map<string, DegradationModel>();
  for (const spec of specs) {
    const row = rows.find((r) => r.key === spec.key && r.version === spec.version);
    if (row) byKey.set(spec.key, { ...row, spec });
  }
  return byKey;
}
