import type { Db } from "@/server/db";
import { getSystemByCode } from "@/server/fleet/get-system";
import type { Scope } from "@/server/scope";

/**
 * The twin record of one system: location, bill of materials, limits, latest telemetry, open alerts
 * and the latest predictions. Simulation joins it in phase 3.
 */
export async function getTwinState(db: Db, scope: Scope, code: string) {
  const system = await getSystemByCode(db, scope, code);
  const [latest, openAlerts, predictions] = await Promise.all([
    db.seriesLatest.findMany({
      where: { series: { systemId: system.id } },
      select: { ts: true, value: true, series: { select: { metric: { select: { key: true, unit: true } }, component: { select: { code: true } } } } },
    }),
    db.alert.findMany({
      where: { systemId: system.id, state: { in: ["active_unacknowledged", "active_acknowledged"] } },
      select: { id: true, severity: true, state: true, message: true, raisedAt: true, component: { select: { code: true } } },
      orderBy: { raisedAt: "desc" },
      take: 20,
    }),
    db.prediction.findMany({
      where: { systemId: system.id },
      distinct: ["componentId", "kind"],
      orderBy: [{ componentId: "asc" }, { kind: "asc" }, { createdAt: "desc" }],
      select: { kind: true, score: true, rulHours: true, createdAt: true, component: { select: { code: true } } },
    }),
  ]);
  return {
    system,
    telemetry: latest.map((l) => ({
      component: l.series.component?.code ?? null,
      metric: l.series.metric.key,
      unit: l.series.metric.unit,
      value: l.value,
      ts: l.ts,
    })),
    openAlerts: openAlerts.map((a) => ({ ...a, component: a.component?.code ?? null })),
    predictions: predictions.map((p) => ({ ...p, component: p.component?.code ?? null })),
  };
}
