import type { Db } from "@/server/db";

export interface MetricInfo {
  key: string;
  name: string;
  unit: string;
  minValid: number;
  maxValid: number;
  kind: string;
  rawRetentionDays: number;
  builtIn: boolean;
}

/** The metric catalogue visible to an organisation: the built-in keys plus its own. */
export async function listMetrics(db: Db, organizationId: string | null): Promise<MetricInfo[]> {
  return db.metric.findMany({
    where: organizationId ? { OR: [{ organizationId: null }, { organizationId }] } : {},
    select: { key: true, name: true, unit: true, minValid: true, maxValid: true, kind: true, rawRetentionDays: true, builtIn: true },
    orderBy: [{ builtIn: "desc" }, { key: "asc" }],
  });
}
