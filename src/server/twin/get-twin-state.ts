import { solveOperatingPoint } from "@/lib/physics";
import { leversFromLive, toPhysicsLevers } from "@/lib/twin/levers";
import type { Db } from "@/server/db";
import { getSystemByCode } from "@/server/fleet/get-system";
import type { Scope } from "@/server/scope";
import { loadTwinSystem } from "./load-twin-system";

/**
 * The twin record of one system: location, bill of materials, limits, latest telemetry, open alerts
 * and the latest predictions; and its physics: the unit's parameters, the current state estimated
 * from the latest telemetry as levers (`live`) and the model's outcome at that state.
 */
export async function getTwinState(db: Db, scope: Scope, code: string, options: { now?: number } = {}) {
  const [system, twin] = await Promise.all([getSystemByCode(db, scope, code), loadTwinSystem(db, scope, code)]);
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
  const telemetry = latest.map((l) => ({
    component: l.series.component?.code ?? null,
    metric: l.series.metric.key,
    unit: l.series.metric.unit,
    value: l.value,
    ts: l.ts,
  }));
  const live = leversFromLive(twin.params, telemetry, { now: options.now, filterCodes: twin.filterCodes });
  return {
    system,
    telemetry,
    openAlerts: openAlerts.map((a) => ({ ...a, component: a.component?.code ?? null })),
    predictions: predictions.map((p) => ({ ...p, component: p.component?.code ?? null })),
    params: twin.params,
    filterCodes: twin.filterCodes,
    lampCount: twin.lampCount,
    limits: twin.limits,
    live,
    outcomeNow: solveOperatingPoint(twin.params, toPhysicsLevers(live.levers)),
    components: twin.components,
  };
}

export type TwinState = Awaited<ReturnType<typeof getTwinState>>;
