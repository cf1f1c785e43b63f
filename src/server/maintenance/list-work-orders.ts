import type { Db } from "@/server/db";
import type { WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";

export interface WorkOrderSummary {
  id: string;
  number: number;
  title: string;
  type: string;
  status: string;
  priority: string;
  system: string;
  component: string | null;
  assignee: string | null;
  dueAt: Date | null;
  createdAt: Date;
}

export async function listWorkOrders(
  db: Db,
  organizationId: string,
  filter: { status?: WorkOrderStatus[]; type?: WorkOrderType; assigneeId?: string; systemCode?: string; limit?: number } = {},
): Promise<WorkOrderSummary[]> {
  const rows = await db.workOrder.findMany({
    where: {
      organizationId,
      ...(filter.status?.length ? { status: { in: filter.status } } : {}),
      ...(filter.type ? { type: filter.type } : {}),
      ...(filter.assigneeId ? { assigneeId: filter.assigneeId } : {}),
      ...(filter.systemCode ? { system: { code: filter.systemCode } } : {}),
    },
    select: {
      id: true,
      number: true,
      title: true,
      type: true,
      status: true,
      priority: true,
      dueAt: true,
      createdAt: true,
      system: { select: { code: true } },
      component: { select: { code: true } },
      assignee: { select: { name: true } },
    },
    orderBy: [{ dueAt: { sort: "asc", nulls: "last" } }, { number: "desc" }],
    take: filter.limit ?? 100,
  });
  return rows.map((w) => ({
    id: w.id,
    number: w.number,
    title: w.title,
    type: w.type,
    status: w.status,
    priority: w.priority,
    system: w.system.code,
    component: w.component?.code ?? null,
    assignee: w.assignee?.name ?? null,
    dueAt: w.dueAt,
    createdAt: w.createdAt,
  }));
}
