import type { AlertState, Severity } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import type { WorkOrderUser } from "./access";
import { summarySelect, toSummary, type WorkOrderSummary } from "./list-work-orders";

export interface WorkOrderContext {
  liveValues: { componentCode: string | null; metric: string; unit: string; value: number; ts: Date }[];
  recentAlerts: { id: string; title: string; severity: Severity; state: AlertState; raisedAt: Date }[];
  lastWorkOrders: WorkOrderSummary[];
}

/**
 * What a technician wants beside an order: the latest reading of each series of its component (of the
 * whole system when the order has none), the component's recent alerts and its last work orders.
 */
export async function getWorkOrderContext(db: Db, user: WorkOrderUser, id: string, now = new Date()): Promise<WorkOrderContext> {
  const order = await db.workOrder.findFirst({ where: { id, organizationId: user.organizationId }, select: { id: true, systemId: true, componentId: true } });
  if (!order) throw notFound("Work order", id);
  const scope = order.componentId ? { componentId: order.componentId } : { systemId: order.systemId };
  const [series, alerts, orders] = await Promise.all([
    db.series.findMany({
      where: { systemId: order.systemId, ...(order.componentId ? { componentId: order.componentId } : {}), latest: { isNot: null } },
      select: { latest: { select: { ts: true, value: true } }, metric: { select: { key: true, unit: true } }, component: { select: { code: true } } },
    }),
    db.alert.findMany({
      where: { organizationId: user.organizationId, ...scope },
      orderBy: [{ raisedAt: "desc" }, { id: "desc" }],
      take: 10,
      select: { id: true, message: true, severity: true, state: true, raisedAt: true },
    }),
    db.workOrder.findMany({
      where: { organizationId: user.organizationId, id: { not: order.id }, ...(order.componentId ? { componentId: order.componentId } : { systemId: order.systemId, componentId: null }) },
      orderBy: [{ createdAt: "desc" }, { number: "desc" }],
      take: 5,
      select: summarySelect,
    }),
  ]);
  const liveValues = series
    .filter((s) => s.latest)
    .map((s) => ({ componentCode: s.component?.code ?? null, metric: s.metric.key, unit: s.metric.unit, value: s.latest!.value, ts: s.latest!.ts }))
    .sort((a, b) => (a.componentCode ?? "").localeCompare(b.componentCode ?? "") || a.metric.localeCompare(b.metric));
  return {
    liveValues,
    recentAlerts: alerts.map((a) => ({ id: a.id, title: a.message, severity: a.severity, state: a.state, raisedAt: a.raisedAt })),
    lastWorkOrders: orders.map((w) => toSummary(w, now)),
  };
}
