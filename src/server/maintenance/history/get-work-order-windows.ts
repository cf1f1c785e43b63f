import type { WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import {
  checkWindowDays,
  DEFAULT_AFTER_DAYS,
  DEFAULT_BEFORE_DAYS,
  listWorkOrderWindowRows,
  windowOf,
  type WindowPhase,
  type WindowResolution,
} from "./window-rows";

export interface WorkOrderWindows {
  workOrder: {
    id: string;
    number: number;
    title: string;
    type: WorkOrderType;
    status: WorkOrderStatus;
    system: string;
    component: string | null;
    failureMode: { code: string; name: string } | null;
    /** downtime start, else when it was opened */
    eventAt: Date;
    /** completion (or downtime end); null while the work goes on */
    completedAt: Date | null;
  };
  window: { from: Date; to: Date; beforeDays: number; afterDays: number; resolution: WindowResolution };
  /** every series of the order's system, the order's component first; buckets as index-aligned columns */
  series: {
    seriesId: number;
    component: string | null;
    metric: { key: string; name: string; unit: string };
    t: Date[];
    min: number[];
    max: number[];
    avg: number[];
    offsetHours: number[];
    phase: WindowPhase[];
  }[];
}

/** One work order with the telemetry of its system before, during and after it. */
export async function getWorkOrderWindows(
  db: Db,
  scope: Scope,
  input: { id: string; beforeDays?: number; afterDays?: number; now?: Date },
): Promise<WorkOrderWindows> {
  const beforeDays = input.beforeDays ?? DEFAULT_BEFORE_DAYS;
  const afterDays = input.afterDays ?? DEFAULT_AFTER_DAYS;
  checkWindowDays(beforeDays, afterDays);
  const now = input.now ?? new Date();
  const wo = await db.workOrder.findFirst({
    where: { id: input.id, ...orgFilter(scope) },
    select: {
      id: true,
      number: true,
      title: true,
      type: true,
      status: true,
      createdAt: true,
      completedAt: true,
      downtimeStart: true,
      downtimeEnd: true,
      componentId: true,
      system: { select: { id: true, code: true } },
      component: { select: { code: true } },
      failureMode: { select: { code: true, name: true } },
    },
  });
  if (!wo) throw notFound("Work order", input.id);
  const eventAt = wo.downtimeStart ?? wo.createdAt;
  const completedAt = wo.completedAt ?? wo.downtimeEnd;
  const window = windowOf(eventAt, completedAt ?? now, beforeDays, afterDays);

  const [series, rows] = await Promise.all([
    db.series.findMany({
      where: { systemId: wo.system.id },
      select: { id: true, componentId: true, component: { select: { code: true } }, metric: { select: { key: true, name: true, unit: true } } },
    }),
    listWorkOrderWindowRows(scope, { workOrderIds: [wo.id], beforeDays, afterDays, now }),
  ]);
  const rank = (s: (typeof series)[number]) => (s.componentId && s.componentId === wo.componentId ? 0 : s.componentId ? 2 : 1);
  series.sort((a, b) => rank(a) - rank(b) || (a.component?.code ?? "").localeCompare(b.component?.code ?? "") || a.metric.key.localeCompare(b.metric.key));
  const out = series.map((s) => ({
    seriesId: s.id,
    component: s.component?.code ?? null,
    metric: s.metric,
    t: [] as Date[],
    min: [] as number[],
    max: [] as number[],
    avg: [] as number[],
    offsetHours: [] as number[],
    phase: [] as WindowPhase[],
  }));
  const byId = new Map(out.map((s) => [s.seriesId, s]));
  for (const r of rows) {
    const s = byId.get(r.seriesId);
    if (!s) continue;
    s.t.push(r.bucket);
    s.min.push(r.min);
    s.max.push(r.max);
    s.avg.push(r.avg);
    s.offsetHours.push(r.offsetHours);
    s.phase.push(r.phase);
  }
  return {
    workOrder: {
      id: wo.id,
      number: wo.number,
      title: wo.title,
      type: wo.type,
      status: wo.status,
      system: wo.system.code,
      component: wo.component?.code ?? null,
      failureMode: wo.failureMode,
      eventAt,
      completedAt,
    },
    window: { from: window.from, to: window.to, beforeDays, afterDays, resolution: window.resolution },
    series: out,
  };
}
