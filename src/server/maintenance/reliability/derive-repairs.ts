/**
 * Repair times of failures whose downtime nobody logged, read from telemetry: the pump's 1-minute
 * rollups of flow_rate and pump_speed around the failure (repair-time.ts picks the stop), with planned
 * stops (maintenance windows, downtime of non-corrective orders) cut out.
 */
import type pg from "pg";
import type { Db } from "@/server/db";
import { DEFAULT_REPAIR_SEARCH, repairFromTelemetry, type Interval, type StateChange } from "./repair-time";

/** A minute counts as stopped when its highest flow stays at or below this (m³/h)... */
export const OFF_FLOW_M3H = 0.05;
/** ...or its highest pump speed at or below this (% of rated). */
export const OFF_SPEED_PERCENT = 0.5;
/** The longest repair looked for after the stop began. */
const MAX_REPAIR_MS = 14 * 86_400_000;

export interface FailureToDerive {
  id: string;
  systemId: string;
  at: Date;
}

/**
 * For each failure, the unplanned stop that belongs to it, or null. One query reads the state changes
 * of every failure's window (gaps-and-islands in SQL, so a two-week window is a few rows, not 20,000).
 */
export async function deriveRepairsFromTelemetry(db: Db, pool: pg.Pool, failures: readonly FailureToDerive[]): Promise<Map<string, Interval | null>> {
  const result = new Map<string, Interval | null>();
  if (failures.length === 0) return result;
  const { lookbackMs, lookaheadMs } = DEFAULT_REPAIR_SEARCH;
  const windows = failures.map((f) => ({
    ...f,
    from: new Date(f.at.getTime() - lookbackMs),
    to: new Date(f.at.getTime() + lookaheadMs + MAX_REPAIR_MS),
  }));
  const { rows } = await pool.query<{ id: string; bucket: Date; off: boolean }>(
    `WITH f AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS f(id, system_id, from_ts, to_ts)
     ), m AS (
       SELECT f.id, r.bucket,
              bool_or(CASE WHEN mt.key = 'flow_rate' THEN r.max <= $5 ELSE r.max <= $6 END) AS off
         FROM f
         JOIN series s ON s.system_id = f.system_id
         JOIN metric mt ON mt.id = s.metric_id AND mt.key IN ('flow_rate', 'pump_speed')
         JOIN telemetry_rollup_1m r ON r.series_id = s.id AND r.bucket >= f.from_ts AND r.bucket < f.to_ts
        GROUP BY f.id, r.bucket
     ), c AS (
       SELECT id, bucket, off, lag(off) OVER (PARTITION BY id ORDER BY bucket) AS prev FROM m
     )
     SELECT id, bucket, off FROM c WHERE prev IS DISTINCT FROM off ORDER BY id, bucket`,
    [windows.map((w) => w.id), windows.map((w) => w.systemId), windows.map((w) => w.from), windows.map((w) => w.to), OFF_FLOW_M3H, OFF_SPEED_PERCENT],
  );
  const changes = new Map<string, StateChange[]>();
  for (const r of rows) {
    const list = changes.get(r.id) ?? [];
    list.push({ t: r.bucket.getTime(), off: r.off });
    changes.set(r.id, list);
  }

  const systemIds = [...new Set(failures.map((f) => f.systemId))];
  const earliest = new Date(Math.min(...windows.map((w) => w.from.getTime())));
  const latest = new Date(Math.max(...windows.map((w) => w.to.getTime())));
  const [maintenanceWindows, plannedOrders] = await Promise.all([
    db.maintenanceWindow.findMany({
      where: { systemId: { in: systemIds }, startsAt: { lt: latest }, endsAt: { gt: earliest } },
      select: { systemId: true, startsAt: true, endsAt: true },
    }),
    // planned work (preventive, predictive, inspection) stops the unit on purpose: not repair time
    db.workOrder.findMany({
      where: {
        systemId: { in: systemIds },
        type: { not: "corrective" },
        downtimeStart: { lt: latest },
        downtimeEnd: { gt: earliest },
      },
      select: { systemId: true, downtimeStart: true, downtimeEnd: true },
    }),
  ]);
  const planned = new Map<string, Interval[]>();
  const addPlanned = (systemId: string, start: Date, end: Date) => {
    const list = planned.get(systemId) ?? [];
    list.push({ start: start.getTime(), end: end.getTime() });
    planned.set(systemId, list);
  };
  for (const w of maintenanceWindows) addPlanned(w.systemId, w.startsAt, w.endsAt);
  for (const o of plannedOrders) if (o.downtimeStart && o.downtimeEnd) addPlanned(o.systemId, o.downtimeStart, o.downtimeEnd);

  for (const f of failures) {
    result.set(f.id, repairFromTelemetry(changes.get(f.id) ?? [], planned.get(f.systemId) ?? [], f.at.getTime()));
  }
  return result;
}
