/**
 * `ecomate export work-orders`: the work-order CSV (docs/maintenance.md), header always, one row per
 * order ordered by opening time, in a form `import work-orders` takes back as it is.
 */
import type { Writable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { WORK_ORDER_CSV_COLUMNS } from "./parse-work-order-csv";

const PAGE = 1_000;

export interface WorkOrderExportFilter {
  systemCode?: string;
  /** opened from (inclusive) */
  from?: Date;
  /** opened before (exclusive) */
  to?: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : "");

export async function exportWorkOrders(db: Db, scope: Scope, filter: WorkOrderExportFilter, out: Writable): Promise<{ rows: number }> {
  if (filter.from && filter.to && !(filter.from < filter.to)) throw new AppError("BAD_REQUEST", "--from must be before --to.");
  let systemId: string | undefined;
  if (filter.systemCode) {
    const system = await db.treatmentSystem.findFirst({ where: { code: filter.systemCode, ...orgFilter(scope) }, select: { id: true } });
    if (!system) throw notFound("System", filter.systemCode);
    systemId = system.id;
  }
  const write = (chunk: string) => (out.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve())));
  await write(stringify([WORK_ORDER_CSV_COLUMNS as unknown as string[]]));

  const where = {
    ...orgFilter(scope),
    ...(systemId ? { systemId } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
  };
  let rows = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await db.workOrder.findMany({
      where,
      select: {
        id: true,
        type: true,
        status: true,
        priority: true,
        title: true,
        description: true,
        createdAt: true,
        completedAt: true,
        downtimeStart: true,
        downtimeEnd: true,
        system: { select: { code: true } },
        component: { select: { code: true } },
        assignee: { select: { email: true } },
        failureMode: { select: { code: true } },
        failureCause: { select: { code: true } },
        remedy: { select: { code: true } },
        labour: { select: { minutes: true } },
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (page.length === 0) break;
    const records = page.map((w) => {
      const labour = w.labour.reduce((sum, l) => sum + l.minutes, 0);
      const cells: Record<(typeof WORK_ORDER_CSV_COLUMNS)[number], string> = {
        system: w.system.code,
        component: w.component?.code ?? "",
        type: w.type,
        status: w.status,
        priority: w.priority,
        title: w.title,
        opened: iso(w.createdAt),
        closed: iso(w.completedAt),
        failure_mode: w.failureMode?.code ?? "",
        failure_cause: w.failureCause?.code ?? "",
        remedy: w.remedy?.code ?? "",
        downtime_start: iso(w.downtimeStart),
        downtime_end: iso(w.downtimeEnd),
        labour_minutes: w.labour.length ? String(labour) : "",
        assignee_email: w.assignee?.email ?? "",
        description: w.description ?? "",
      };
      return WORK_ORDER_CSV_COLUMNS.map((c) => cells[c]);
    });
    await write(stringify(records));
    rows += page.length;
    cursor = page.at(-1)!.id;
    if (page.length < PAGE) break;
  }
  return { rows };
}
