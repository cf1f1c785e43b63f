/**
 * The scheduled compliance run (the worker, every few minutes) and the backfill of a date range
 * (seed, CLI, tests). Per system in service: today in the site's zone, and every day of the last
 * week that has no final record yet (yesterday until two hours after local midnight, and days
 * missed while no worker ran), from the day the platform started to monitor the system (the later
 * of its commissioning and its registration): history imported from before is judged when it is
 * backfilled, not behind the operator's back.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { addDays, daysBetween, localDay, monitoredSince, parseDay } from "./calendar";
import { computeComplianceDay, type ComplianceDayDetails, type DayResult } from "./compute-day";
import { loadComplianceSystems, type ComplianceSystem } from "./load-systems";

/** Days back the run looks for days without a final record. */
export const CATCH_UP_DAYS = 7;
/** The longest backfill one call takes. */
export const MAX_BACKFILL_DAYS = 400;

export interface ComplianceRunResult {
  computed: DayResult[];
  failed: { system: string; day: string; message: string }[];
}

function inService(opts: { organizationId?: string; systemCode?: string }): Prisma.TreatmentSystemWhereInput {
  return {
    status: { not: "decommissioned" },
    ...(opts.organizationId ? { organizationId: opts.organizationId } : {}),
    ...(opts.systemCode ? { code: opts.systemCode } : {}),
  };
}

async function computeDays(db: Db, system: ComplianceSystem, days: string[], now: Date, result: ComplianceRunResult): Promise<void> {
  for (const day of days) {
    try {
      const r = await computeComplianceDay(db, system, day, now);
      if (r) result.computed.push(r);
    } catch (err) {
      result.failed.push({ system: system.code, day, message: (err as Error).message });
    }
  }
}

/** What the worker runs: the open day of every system in service and the recent days not yet final. */
export async function runCompliance(db: Db, now: Date, opts: { organizationId?: string; systemCode?: string } = {}): Promise<ComplianceRunResult> {
  const systems = await loadComplianceSystems(db, inService(opts));
  const result: ComplianceRunResult = { computed: [], failed: [] };
  for (const system of systems) {
    const today = localDay(now, system.site.timeZone);
    const first = monitoredSince(system, system.site.timeZone);
    const oldest = addDays(today, -CATCH_UP_DAYS);
    const records = await db.complianceRecord.findMany({
      where: { systemId: system.id, day: { gte: new Date(`${oldest}T00:00:00Z`), lte: new Date(`${today}T00:00:00Z`) } },
      select: { day: true, details: true },
    });
    const final = new Set(records.filter((r) => (r.details as Partial<ComplianceDayDetails> | null)?.final === true).map((r) => r.day.toISOString().slice(0, 10)));
    const days: string[] = [];
    for (let d = oldest; d <= today; d = addDays(d, 1)) if (d >= first && !final.has(d)) days.push(d);
    await computeDays(db, system, days, now, result);
  }
  return result;
}

/**
 * Recomputes every day from `from` to `to` (inclusive, YYYY-MM-DD in each site's zone) for the
 * systems in scope (or the one named), e.g. after importing history or for the seeded telemetry.
 */
export async function backfillCompliance(
  db: Db,
  scope: Scope,
  input: { from: string; to: string; systemCode?: string },
  now: Date = new Date(),
): Promise<ComplianceRunResult> {
  const from = parseDay(input.from);
  const to = parseDay(input.to);
  const span = daysBetween(from, to) + 1;
  if (span < 1) throw new AppError("BAD_REQUEST", `Backfill: "from" (${from}) must not be after "to" (${to}).`);
  if (span > MAX_BACKFILL_DAYS) throw new AppError("BAD_REQUEST", `Backfill: at most ${MAX_BACKFILL_DAYS} days at once, got ${span} (${from} to ${to}).`);
  const where: Prisma.TreatmentSystemWhereInput = input.systemCode ? { code: input.systemCode, ...orgFilter(scope) } : { ...inService({}), ...orgFilter(scope) };
  const systems = await loadComplianceSystems(db, where);
  if (input.systemCode && systems.length === 0) throw notFound("System", input.systemCode);
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  const result: ComplianceRunResult = { computed: [], failed: [] };
  for (const system of systems) await computeDays(db, system, days, now, result);
  return result;
}
