/**
 * One system's compliance record and off-spec ledger for one site-local day: the 1-minute rollups of
 * the day (and half an hour either side, for lamp strikes and held values) through evaluateMinutes,
 * written in one transaction under a lock per system and day, so a day is never half-written and
 * two workers never interleave. Idempotent: rows already equal to the result are left untouched
 * (same ids, same computedAt), so running it twice gives the same rows.
 */
import { isDeepStrictEqual } from "node:util";
import type { ComplianceStatus } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { getPool } from "@/server/db";
import { dayBounds, monitoringStart } from "./calendar";
import { outOfCalibrationIntervals } from "./calibration-rules";
import { evaluateMinutes, MINUTE_MS, type IntervalSummary, type MinuteSeries } from "./evaluate";
import type { ComplianceSystem } from "./load-systems";
import { readMinuteSeries } from "./read-minutes";
import { dayStatus } from "./verdict";

/** Context read before and after the day: longer than any lamp warm-up and any held value. */
export const CONTEXT_MS = 30 * MINUTE_MS;
/** Readings arrive a little late (device batching, the worker's batch delay): the newest minutes wait. */
export const INGEST_LAG_MS = 2 * MINUTE_MS;
/** A day is final this long after its end: data arriving later only counts after a backfill. */
export const CLOSE_AFTER_MS = 2 * 3_600_000;

/** What a record's `details` holds beyond its columns (version 1): the day's summary figures that have no column of their own. */
export interface ComplianceDayDetails
  extends Pick<
    IntervalSummary,
    "minutes" | "completeMinutes" | "estimatedVolumeM3" | "p5DoseMjCm2" | "maxFlowM3h" | "minUvtPct" | "minIntensityWm2" | "minWaterTempC" | "maxWaterTempC" | "byReason"
  > {
  version: 1;
  /** the minutes judged: [evaluatedFrom, evaluatedTo); evaluatedTo < the day's end while the day is open */
  evaluatedFrom: string;
  evaluatedTo: string;
  /** computed after the day closed */
  final: boolean;
  runHours: number;
  events: number;
  eventMinutes: number;
  /** "calculated": UVT measured, the calculated dose is judged too; "setpoint": the sensor setpoint alone */
  doseApproach: "calculated" | "setpoint";
}

export interface DayResult {
  system: string;
  day: string;
  status: ComplianceStatus;
  final: boolean;
  treatedVolumeM3: number;
  offSpecVolumeM3: number;
  events: number;
  /** false when the stored rows already said the same */
  changed: boolean;
}

const floorMinute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;
const eventKey = (e: { reason: string; startedAt: Date; endedAt: Date | null; volumeM3: number; minDoseMjCm2: number | null }) =>
  `${e.reason}|${e.startedAt.getTime()}|${e.endedAt?.getTime() ?? ""}|${e.volumeM3}|${e.minDoseMjCm2 ?? ""}`;

/** When the system's duty UV sensor(s) and UVT analyser were out of calibration, from its checks before `until`. */
async function calibrationIntervals(db: Db, systemId: string, until: Date): Promise<NonNullable<MinuteSeries["outOfCalibration"]>> {
  const checks = await db.calibrationCheck.findMany({
    where: { systemId, checkedAt: { lt: until } },
    select: { componentId: true, instrument: true, checkedAt: true, result: true },
  });
  const intervals = outOfCalibrationIntervals(checks);
  return {
    uvSensor: intervals.filter((i) => i.instrument === "uv_sensor"),
    uvtAnalyser: intervals.filter((i) => i.instrument === "uvt_analyser"),
  };
}

/**
 * Computes and stores `day` (YYYY-MM-DD, the site's calendar) of `system` as of `now`: the whole day
 * once it is over, else up to a couple of minutes before now. Null for a day that has not begun.
 */
export async function computeComplianceDay(db: Db, system: ComplianceSystem, day: string, now: Date): Promise<DayResult | null> {
  const { start, end } = dayBounds(day, system.site.timeZone);
  // the day monitoring began is judged from that minute: water delivered before it is history (the
  // demo's seeded telemetry, a unit's past), not EcoMate's to call off-spec; days wholly before it
  // (a backfill) are judged whole
  const began = monitoringStart(system);
  const beganToday = began >= start.getTime() && began < end.getTime();
  const from = beganToday ? began : start.getTime();
  const to = Math.min(end.getTime(), floorMinute(now.getTime() - INGEST_LAG_MS));
  if (to <= from) return null;
  const open = to < end.getTime();
  const final = now.getTime() >= end.getTime() + CLOSE_AFTER_MS;

  // evidence starts when monitoring began: no context from before it (held values, the flow before a
  // gap: the demo's seeded flow would otherwise be bridged into its first minutes as "no data")
  const series = await readMinuteSeries(getPool(), system.series, beganToday ? from : from - CONTEXT_MS, Math.min(end.getTime() + CONTEXT_MS, floorMinute(now.getTime() - INGEST_LAG_MS)));
  if (beganToday) series.flowBefore = null;
  series.outOfCalibration = await calibrationIntervals(db, system.id, new Date(to));
  const { summary: s, events } = evaluateMinutes(series, { params: system.params, from, to, monitoringStartsAtSeries: beganToday });
  const status = dayStatus(s);
  const details: ComplianceDayDetails = {
    version: 1,
    evaluatedFrom: new Date(from).toISOString(),
    evaluatedTo: new Date(to).toISOString(),
    final,
    minutes: s.minutes,
    completeMinutes: s.completeMinutes,
    runHours: s.runMinutes / 60,
    estimatedVolumeM3: s.estimatedVolumeM3,
    p5DoseMjCm2: s.p5DoseMjCm2,
    maxFlowM3h: s.maxFlowM3h,
    minUvtPct: s.minUvtPct,
    minIntensityWm2: s.minIntensityWm2,
    minWaterTempC: s.minWaterTempC,
    maxWaterTempC: s.maxWaterTempC,
    events: events.length,
    eventMinutes: events.reduce((n, e) => n + e.minutes, 0),
    byReason: s.byReason,
    doseApproach: system.series.uvtExpected ? "calculated" : "setpoint",
  };
  const record = {
    treatedVolumeM3: s.treatedVolumeM3,
    offSpecVolumeM3: s.offSpecVolumeM3,
    offSpecMinutes: s.offSpecMinutes,
    minDoseMjCm2: s.minDoseMjCm2,
    avgDoseMjCm2: s.avgDoseMjCm2,
    validatedFraction: s.validatedFraction,
    dataCompleteness: s.dataCompleteness,
    status,
  };
  // an event still running when the open day's evaluation stops has no end yet
  const ledger = events.map((e) => ({
    reason: e.reason,
    startedAt: new Date(e.startedAt),
    endedAt: open && e.endedAt === to ? null : new Date(e.endedAt),
    volumeM3: e.volumeM3,
    minDoseMjCm2: e.minDoseMjCm2,
  }));
  const dayDate = new Date(`${day}T00:00:00.000Z`);

  const changed = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`compliance_day:${system.id}:${day}`}))`;
    const existing = await tx.complianceRecord.findUnique({ where: { systemId_day: { systemId: system.id, day: dayDate } } });
    const stored = existing?.details as Partial<ComplianceDayDetails> | null | undefined;
    // another worker got further into the day meanwhile: keep its answer
    if (stored?.evaluatedTo && Date.parse(stored.evaluatedTo) > to) return false;
    let wrote = false;
    const same =
      existing &&
      existing.organizationId === system.organizationId &&
      (Object.keys(record) as (keyof typeof record)[]).every((k) => existing[k] === record[k]) &&
      isDeepStrictEqual(existing.details, JSON.parse(JSON.stringify(details)));
    if (!same) {
      const data = { organizationId: system.organizationId, ...record, details: JSON.parse(JSON.stringify(details)), computedAt: now };
      await tx.complianceRecord.upsert({ where: { systemId_day: { systemId: system.id, day: dayDate } }, create: { systemId: system.id, day: dayDate, ...data }, update: data });
      wrote = true;
    }
    // the day's ledger: keep the rows that are still right, replace the others
    const current = await tx.offSpecEvent.findMany({ where: { systemId: system.id, startedAt: { gte: start, lt: end } } });
    const wanted = new Map<string, number>();
    for (const e of ledger) wanted.set(eventKey(e), (wanted.get(eventKey(e)) ?? 0) + 1);
    const stale: string[] = [];
    for (const e of current) {
      const k = eventKey(e);
      const left = wanted.get(k) ?? 0;
      if (left > 0) wanted.set(k, left - 1);
      else stale.push(e.id);
    }
    const fresh = ledger.filter((e) => {
      const k = eventKey(e);
      const left = wanted.get(k) ?? 0;
      if (left <= 0) return false;
      wanted.set(k, left - 1);
      return true;
    });
    if (stale.length > 0) await tx.offSpecEvent.deleteMany({ where: { id: { in: stale } } });
    if (fresh.length > 0) await tx.offSpecEvent.createMany({ data: fresh.map((e) => ({ systemId: system.id, ...e })) });
    return wrote || stale.length > 0 || fresh.length > 0;
  });

  return { system: system.code, day, status, final, treatedVolumeM3: s.treatedVolumeM3, offSpecVolumeM3: s.offSpecVolumeM3, events: events.length, changed };
}
