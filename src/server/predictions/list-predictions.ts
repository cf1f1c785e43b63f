import type { Db } from "@/server/db";

export async function listModels(db: Db, organizationId: string) {
  return db.predictiveModel.findMany({
    where: { organizationId },
    select: { id: true, key: true, version: true, name: true, kind: true, componentType: true, algorithm: true, status: true, trainedAt: true, evaluation: true },
    orderBy: [{ key: "asc" }, { version: "desc" }],
  });
}

export async function listRecentPredictions(db: Db, organizationId: string, filter: { systemCode?: string; limit?: number } = {}) {
  const rows = await db.prediction.findMany({
    where: { organizationId, ...(filter.systemCode ? { system: { code: filter.systemCode } } : {}) },
    select: {
      id: true,
      kind: true,
      score: true,
      horizonHours: true,
      rulHours: true,
      action: true,
      createdAt: true,
      system: { select: { code: true } },
      component: { select: { code: true } },
      model: { select: { key: true, version: true } },
    },
    orderBy: { createdAt: "desc" },
    take: filter.limit ?? 50,
  });
  return rows.map((p) => ({
    id: p.id,
    kind: p.kind,
    score: p.score,
    horizonHours: p.horizonHours,
    rulHours: p.rulHours,
    action: p.action,
    createdAt: p.createdAt,
    system: p.system.code,
    component: p.component?.code ?? null,
    model: `${p.model.key}@${p.model.version}`,
  }));
}
