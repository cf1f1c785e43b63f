/**
 * Reading compliance: a system's month (the monthly operating report of domain.md §5.1: header with
 * the validated conditions, one row per day, the month's verdict), the fleet's months, and the
 * off-spec ledger. Read only: the records are written by the worker's run and the backfill.
 */
import type { CalibrationInstrument, CalibrationResult, ComplianceStatus, NsfClass, SystemStatus } from "@/generated/prisma/enums";
import { logCredit, type TargetOrganism } from "@/lib/physics";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { calibrationSummaries, type CalibrationSummary } from "./calibration-checks";
import { daysOfMonth, localDay, localMonth, monitoredSince, monthBounds, parseMonth } from "./calendar";
import type { ComplianceDayDetails } from "./compute-day";
import { loadComplianceSystems } from "./load-systems";
import { reasonLabels } from "./reasons";
import { monthVerdict, type MonthTotals } from "./verdict";

export interface ComplianceHeader {
  system: { code: string; name: string; status: SystemStatus; site: { code: string; name: string; timeZone: string } };
  maxValidatedFlowM3h: number | null;
  minValidatedUvtPct: number | null;
  /** validated UV-intensity setpoint (setpoint approach) */
  sensorSetpointWm2: number | null;
  targetOrganism: TargetOrganism;
  /** log inactivation of the target organism credited at the required dose (dose table, domain.md §1.2) */
  logCreditTarget: number;
  requiredDoseMjCm2: number;
  validationFactor: number;
  nsfClass: NsfClass;
  certifications: string[];
  /** "calculated": a UVT analyser feeds the calculated dose; "setpoint": the sensor setpoint alone */
  doseApproach: "calculated" | "setpoint";
}

export type DayRowStatus = ComplianceStatus | "missing";

export interface ComplianceDayRow {
  day: string;
  /** "missing": an elapsed day of service without a record */
  status: DayRowStatus;
  /** the day is still open (today) or was computed before it closed */
  final: boolean;
  runHours: number | null;
  volumeM3: number | null;
  minDoseMjCm2: number | null;
  p5DoseMjCm2: number | null;
  maxFlowM3h: number | null;
  minUvtPct: number | null;
  minIntensityWm2: number | null;
  offSpecVolumeM3: number | null;
  offSpecEvents: number | null;
  offSpecMinutes: number | null;
  /** 0..1 */
  dataCompleteness: number | null;
}

export interface MonthSummary extends MonthTotals {
  days: { compliant: number; offSpec: number; incomplete: number; missing: number };
}

/** A calibration check of the month, for the operating log (the UVT analyser's weekly log, domain.md §5.1). */
export interface MonthCalibrationCheck {
  checkedAt: Date;
  componentCode: string;
  instrument: CalibrationInstrument;
  instrumentReading: number;
  /** the mean of the reference readings (the lab UVT for an analyser) */
  reference: number;
  /** uv_sensor: duty / reference − 1; uvt_analyser: online − lab [% UVT] */
  deviation: number;
  result: CalibrationResult;
  by: string;
}

export interface ComplianceMonth {
  month: string;
  /** the month's calibration checks of the monitoring instruments, oldest first */
  calibrationChecks: MonthCalibrationCheck[];
  /** the first day EcoMate monitors the system (YYYY-MM-DD): the later of commissioning and registration */
  monitoredSince: string;
  header: ComplianceHeader;
  days: ComplianceDayRow[];
  totals: MonthSummary;
}

interface RecordRow {
  day: Date;
  treatedVolumeM3: number;
  offSpecVolumeM3: number;
  offSpecMinutes: number;
  minDoseMjCm2: number | null;
  dataCompleteness: number | null;
  status: ComplianceStatus;
  details: unknown;
}

const recordSelect = {
  day: true,
  treatedVolumeM3: true,
  offSpecVolumeM3: true,
  offSpecMinutes: true,
  minDoseMjCm2: true,
  dataCompleteness: true,
  status: true,
  details: true,
} as const;

const dayKey = (d: Date) => d.toISOString().slice(0, 10);
const dateOf = (day: string) => new Date(`${day}T00:00:00.000Z`);

/**
 * The days a month report lists: the elapsed days since monitoring began (a day without a record among
 * them is missing data), and any other day that has a record (e.g. backfilled history).
 */
function reportDays(month: string, firstDay: string, today: string, recorded: Set<string>): string[] {
  return daysOfMonth(month).filter((d) => (d >= firstDay && d <= today) || recorded.has(d));
}

function dayRow(day: string, r: RecordRow | undefined): ComplianceDayRow {
  if (!r) {
    return {
      day,
      status: "missing",
      final: false,
      runHours: null,
      volumeM3: null,
      minDoseMjCm2: null,
      p5DoseMjCm2: null,
      maxFlowM3h: null,
      minUvtPct: null,
      minIntensityWm2: null,
      offSpecVolumeM3: null,
      offSpecEvents: null,
      offSpecMinutes: null,
      dataCompleteness: null,
    };
  }
  const d = (r.details ?? {}) as Partial<ComplianceDayDetails>;
  return {
    day,
    status: r.status,
    final: d.final === true,
    runHours: d.runHours ?? null,
    volumeM3: r.treatedVolumeM3,
    minDoseMjCm2: r.minDoseMjCm2,
    p5DoseMjCm2: d.p5DoseMjCm2 ?? null,
    maxFlowM3h: d.maxFlowM3h ?? null,
    minUvtPct: d.minUvtPct ?? null,
    minIntensityWm2: d.minIntensityWm2 ?? null,
    offSpecVolumeM3: r.offSpecVolumeM3,
    offSpecEvents: d.events ?? null,
    offSpecMinutes: r.offSpecMinutes,
    dataCompleteness: r.dataCompleteness,
  };
}

/** Month totals and verdict from its day rows (domain.md §5.2: the 5 % rule is monthly). */
export function summarizeDays(rows: readonly ComplianceDayRow[]): MonthSummary {
  let delivered = 0;
  let offSpec = 0;
  const days = { compliant: 0, offSpec: 0, incomplete: 0, missing: 0 };
  for (const r of rows) {
    delivered += r.volumeM3 ?? 0;
    offSpec += r.offSpecVolumeM3 ?? 0;
    if (r.status === "compliant") days.compliant++;
    else if (r.status === "off_spec") days.offSpec++;
    else if (r.status === "incomplete") days.incomplete++;
    else days.missing++;
  }
  const totals = monthVerdict({ deliveredM3: delivered, offSpecM3: offSpec, missingDays: days.missing, incompleteDays: days.incomplete });
  // a month with no day of service to judge has nothing to show yet
  return { ...totals, verdict: rows.length === 0 ? "incomplete" : totals.verdict, days };
}

/** One system's monthly report (month YYYY-MM in the site's calendar). */
export async function getComplianceMonth(db: Db, scope: Scope, input: { systemCode: string; month: string }, now: Date = new Date()): Promise<ComplianceMonth> {
  parseMonth(input.month);
  const [system] = await loadComplianceSystems(db, { code: input.systemCode, ...orgFilter(scope) });
  if (!system) throw notFound("System", input.systemCode);
  const all = daysOfMonth(input.month);
  const records = await db.complianceRecord.findMany({
    where: { systemId: system.id, day: { gte: dateOf(all[0]!), lte: dateOf(all[all.length - 1]!) } },
    select: recordSelect,
  });
  const byDay = new Map(records.map((r) => [dayKey(r.day), r]));
  const tz = system.site.timeZone;
  const bounds = monthBounds(input.month, tz);
  const checks = await db.calibrationCheck.findMany({
    where: { systemId: system.id, checkedAt: { gte: bounds.start, lt: bounds.end } },
    orderBy: [{ checkedAt: "asc" }, { createdAt: "asc" }],
    select: {
      checkedAt: true,
      instrument: true,
      instrumentReading: true,
      referenceReadings: true,
      deviation: true,
      result: true,
      component: { select: { code: true } },
      user: { select: { name: true, email: true } },
    },
  });
  const since = monitoredSince(system, tz);
  const days = reportDays(input.month, since, localDay(now, tz), new Set(byDay.keys()));
  const rows = days.map((d) => dayRow(d, byDay.get(d)));
  const c = system.params.compliance;
  return {
    month: input.month,
    calibrationChecks: checks.map((c) => ({
      checkedAt: c.checkedAt,
      componentCode: c.component.code,
      instrument: c.instrument,
      instrumentReading: c.instrumentReading,
      reference: c.referenceReadings.reduce((a, b) => a + b, 0) / c.referenceReadings.length,
      deviation: c.deviation,
      result: c.result,
      by: c.user.name || c.user.email,
    })),
    monitoredSince: since,
    header: {
      system: { code: system.code, name: system.name, status: system.status, site: system.site },
      maxValidatedFlowM3h: c.maxFlowM3h ?? null,
      minValidatedUvtPct: c.minUvtPct ?? null,
      sensorSetpointWm2: c.sensorSetpointWm2 ?? null,
      targetOrganism: c.targetOrganism,
      logCreditTarget: logCredit(c.targetOrganism, system.requiredDoseMjCm2),
      requiredDoseMjCm2: system.requiredDoseMjCm2,
      validationFactor: c.validationFactor,
      nsfClass: system.nsfClass,
      certifications: system.certifications,
      doseApproach: system.series.uvtExpected ? "calculated" : "setpoint",
    },
    days: rows,
    totals: summarizeDays(rows),
  };
}

export interface FleetComplianceRow {
  system: { code: string; name: string; status: SystemStatus; site: { code: string; name: string; timeZone: string } };
  /** the month shown: the one asked for, else the current month in the site's zone */
  month: string;
  totals: MonthSummary;
  /** its monitoring instruments now: how many, how many out of calibration, how many with a check overdue (or never done) */
  calibration: CalibrationSummary;
}

/** Every system in service with its month's off-spec share and verdict. */
export async function getComplianceFleet(db: Db, scope: Scope, input: { month?: string } = {}, now: Date = new Date()): Promise<FleetComplianceRow[]> {
  if (input.month !== undefined) parseMonth(input.month);
  const systems = await db.treatmentSystem.findMany({
    where: { status: { not: "decommissioned" }, ...orgFilter(scope) },
    select: { id: true, code: true, name: true, status: true, createdAt: true, commissionedAt: true, site: { select: { code: true, name: true, timeZone: true } } },
    orderBy: { code: "asc" },
  });
  if (systems.length === 0) return [];
  const months = new Map(systems.map((s) => [s.id, input.month ?? localMonth(now, s.site.timeZone)]));
  const spans = [...new Set(months.values())].map(daysOfMonth);
  const first = spans.map((d) => d[0]!).sort()[0]!;
  const last = spans.map((d) => d[d.length - 1]!).sort().at(-1)!;
  const records = await db.complianceRecord.findMany({
    where: { systemId: { in: systems.map((s) => s.id) }, day: { gte: dateOf(first), lte: dateOf(last) } },
    select: { systemId: true, ...recordSelect },
  });
  const calibration = await calibrationSummaries(db, systems.map((s) => s.id), now);
  return systems.map((s) => {
    const month = months.get(s.id)!;
    const own = new Map(records.filter((r) => r.systemId === s.id && dayKey(r.day).startsWith(month)).map((r) => [dayKey(r.day), r]));
    const tz = s.site.timeZone;
    const days = reportDays(month, monitoredSince(s, tz), localDay(now, tz), new Set(own.keys()));
    return {
      system: { code: s.code, name: s.name, status: s.status, site: s.site },
      month,
      totals: summarizeDays(days.map((d) => dayRow(d, own.get(d)))),
      calibration: calibration.get(s.id)!,
    };
  });
}

export interface LedgerEntry {
  id: string;
  startedAt: Date;
  /** null while it lasts */
  endedAt: Date | null;
  minutes: number | null;
  volumeM3: number;
  minDoseMjCm2: number | null;
  reasons: { code: string; label: string }[];
}

export const MAX_LEDGER_DAYS = 366;
export const MAX_LEDGER_ROWS = 5_000;

/** The off-spec ledger of a system between from (inclusive) and to (exclusive), oldest first. */
export async function listOffSpecEvents(
  db: Db,
  scope: Scope,
  input: { systemCode: string; from: Date; to: Date },
): Promise<{ events: LedgerEntry[]; truncated: boolean; timeZone: string }> {
  if (!(input.from < input.to)) throw new AppError("BAD_REQUEST", `Ledger range is empty: "from" (${input.from.toISOString()}) must be before "to" (${input.to.toISOString()}).`);
  if (input.to.getTime() - input.from.getTime() > MAX_LEDGER_DAYS * 86_400_000) {
    throw new AppError("BAD_REQUEST", `Ledger range is too long: at most ${MAX_LEDGER_DAYS} days, got ${input.from.toISOString()} to ${input.to.toISOString()}.`);
  }
  const system = await db.treatmentSystem.findFirst({ where: { code: input.systemCode, ...orgFilter(scope) }, select: { id: true, site: { select: { timeZone: true } } } });
  if (!system) throw notFound("System", input.systemCode);
  const rows = await db.offSpecEvent.findMany({
    where: { systemId: system.id, startedAt: { gte: input.from, lt: input.to } },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
    take: MAX_LEDGER_ROWS + 1,
  });
  return {
    timeZone: system.site.timeZone,
    truncated: rows.length > MAX_LEDGER_ROWS,
    events: rows.slice(0, MAX_LEDGER_ROWS).map((e) => ({
      id: e.id,
      startedAt: e.startedAt,
      endedAt: e.endedAt,
      minutes: e.endedAt ? Math.round((e.endedAt.getTime() - e.startedAt.getTime()) / 60_000) : null,
      volumeM3: e.volumeM3,
      minDoseMjCm2: e.minDoseMjCm2,
      reasons: reasonLabels(e.reason),
    })),
  };
}
