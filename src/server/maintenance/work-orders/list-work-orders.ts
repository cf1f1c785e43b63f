import type { Prisma } from "@/generated/prisma/client";
import type { Priority, WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";

export interface WorkOrderSummary {
  id: string;
  number: number;
  title: string;
  type: WorkOrderType;
  status: WorkOrderStatus;
  priority: Priority;
  /** the system's code */
  system: string;
  systemName: string;
  /** the component's code */
  component: string | null;
  componentId: string | null;
  /** the assignee's name */
  assignee: string | null;
  assigneeId: string | null;
  dueAt: Date | null;
  overdue: boolean;
  createdAt: Date;
  alertId: string | null;
  scheduleId: string | null;
}

export const summarySelect = {
  id: true,
  number: true,
  title: true,
  type: true,
  status: true,
  priority: true,
  dueAt: true,
  createdAt: true,
  alertId: true,
  scheduleId: true,
  componentId: true,
  assigneeId: true,
  system: { select: { code: true, name: true } },
  component: { select: { code: true } },
  assignee: { select: { name: true } },
} satisfies Prisma.WorkOrderSelect;

type SummaryRow = Prisma.WorkOrderGetPayload<{ select: typeof summarySelect }>;

const OPEN_STATUSES: WorkOrderStatus[] = ["requested", "open", "in_progress", "on_hold"];

/** Past its due date and still to be done. */
export function isOverdue(order: { dueAt: Date | null; status: WorkOrderStatus }, now: Date): boolean {
  return order.dueAt !== null && order.dueAt < now && OPEN_STATUSES.includes(order.status);
}

export function toSummary(w: SummaryRow, now: Date): WorkOrderSummary {
  return {
    id: w.id,
    number: w.number,
    title: w.title,
    type: w.type,
    status: w.status,
    priority: w.priority,
    system: w.system.code,
    systemName: w.system.name,
    component: w.component?.code ?? null,
    componentId: w.componentId,
    assignee: w.assignee?.name ?? null,
    assigneeId: w.assigneeId,
    dueAt: w.dueAt,
    overdue: isOverdue(w, now),
    createdAt: w.createdAt,
    alertId: w.alertId,
    scheduleId: w.scheduleId,
  };
}

export interface WorkOrderFilter {
  status?: WorkOrderStatus[];
  type?: WorkOrderType;
  assigneeId?: string;
  systemCode?: string;
  componentId?: string;
  overdue?: boolean;
  priority?: Priority[];
  limit?: number;
}

export const MAX_LIST_LIMIT = 500;

/** Work orders of an organisation: overdue first, then by due date (none last), then newest number first. */
export async function listWorkOrders(db: Db, organizationId: string, filter: WorkOrderFilter = {}, now = new Date()): Promise<WorkOrderSummary[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIST_LIMIT);
  const where: Prisma.WorkOrderWhereInput = {
    organizationId,
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.assigneeId ? { assigneeId: filter.assigneeId } : {}),
    ...(filter.systemCode ? { system: { code: filter.systemCode } } : {}),
    ...(filter.componentId ? { componentId: filter.componentId } : {}),
    ...(filter.priority?.length ? { priority: { in: filter.priority } } : {}),
  };
  const overdueWhere: Prisma.WorkOrderWhereInput = { dueAt: { lt: now }, status: { in: OPEN_STATUSES } };
  // written out rather than NOT(overdue): NOT of a NULL due date is NULL in SQL and would drop the row
  const notOverdueWhere: Prisma.WorkOrderWhereInput = { OR: [{ dueAt: null }, { dueAt: { gte: now } }, { status: { notIn: OPEN_STATUSES } }] };
  const orderBy: Prisma.WorkOrderOrderByWithRelationInput[] = [{ dueAt: { sort: "asc", nulls: "last" } }, { number: "desc" }];
  // "Overdue first" depends on the clock, which ORDER BY cannot see through Prisma: two ordered reads.
  const overdue =
    filter.overdue === false ? [] : await db.workOrder.findMany({ where: { AND: [where, overdueWhere] }, select: summarySelect, orderBy, take: limit });
  const rest =
    filter.overdue === true || overdue.length >= limit
      ? []
      : await db.workOrder.findMany({ where: { AND: [where, notOverdueWhere] }, select: summarySelect, orderBy, take: limit - overdue.length });
  return [...overdue, ...rest].map((w) => toSummary(w, now));
}
