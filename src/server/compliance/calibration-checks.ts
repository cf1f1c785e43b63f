/**
 * Calibration checks of a system's monitoring instruments: the state of each (from its latest check),
 * the history, and recording a new check (technicians and up). A check that changes when an
 * instrument was out of calibration recomputes the compliance days it touches, in the same call, so
 * the month report and the ledger say so at once. Rules in calibration-rules.ts.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { CalibrationInstrument, CalibrationResult } from "@/generated/prisma/enums";
import { recordAudit, type Actor } from "@/server/audit";
import { clearConditionAlert, raiseConditionAlert, type ConditionAlertInput } from "@/server/telemetry/alerts/lifecycle";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { addDays, localDay, monitoredSince } from "./calendar";
import {
  CHECK_INTERVAL_DAYS,
  checkInputProblem,
  instrumentStatus,
  judgeCheck,
  outOfCalibrationIntervals,
  type InstrumentStatus,
  type OutOfCalibration,
} from "./calibration-rules";
import { computeComplianceDay } from "./compute-day";
import { loadComplianceSystems } from "./load-systems";
import { MAX_BACKFILL_DAYS } from "./run-compliance";

/** How far a check may be dated ahead of the server's clock (a phone's clock runs a little fast). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const HISTORY_LIMIT = 50;

export interface CalibrationCheckView {
  id: string;
  componentCode: string;
  instrument: CalibrationInstrument;
  checkedAt: Date;
  instrumentReading: number;
  referenceReadings: number[];
  reference: number;
  deviation: number;
  result: CalibrationResult;
  note: string | null;
  by: string;
}

export interface InstrumentView {
  componentCode: string;
  componentName: string;
  instrument: CalibrationInstrument;
  /** days between checks */
  intervalDays: number;
  last: CalibrationCheckView | null;
  status: InstrumentStatus;
  /** open inspection orders of the instrument (e.g. from its calibration schedule): a recorded check is noted on them */
  openWorkOrders: { id: string; number: number; dueAt: Date | null }[];
}

const OPEN_ORDER = ["requested", "open", "in_progress", "on_hold"] as const;

/** The open inspection work orders of the instruments, by component id. */
async function openInspections(db: Pick<Prisma.TransactionClient, "workOrder">, componentIds: string[]): Promise<Map<string, { id: string; number: number; dueAt: Date | null }[]>> {
  const rows = await db.workOrder.findMany({
    where: { componentId: { in: componentIds }, type: "inspection", status: { in: [...OPEN_ORDER] } },
    select: { id: true, number: true, dueAt: true, componentId: true },
    orderBy: { number: "asc" },
  });
  const out = new Map<string, { id: string; number: number; dueAt: Date | null }[]>();
  for (const r of rows) out.set(r.componentId!, [...(out.get(r.componentId!) ?? []), { id: r.id, number: r.number, dueAt: r.dueAt }]);
  return out;
}

export interface SystemCalibration {
  systemCode: string;
  timeZone: string;
  instruments: InstrumentView[];
  /** newest first, at most 50 */
  checks: CalibrationCheckView[];
}

interface InstrumentComponent {
  id: string;
  code: string;
  name: string;
  instrument: CalibrationInstrument;
}

const checkSelect = {
  id: true,
  instrument: true,
  checkedAt: true,
  instrumentReading: true,
  referenceReadings: true,
  deviation: true,
  result: true,
  note: true,
  component: { select: { code: true } },
  user: { select: { name: true, email: true } },
} as const;

type CheckRow = {
  id: string;
  instrument: CalibrationInstrument;
  checkedAt: Date;
  instrumentReading: number;
  referenceReadings: number[];
  deviation: number;
  result: CalibrationResult;
  note: string | null;
  component: { code: string };
  user: { name: string; email: string };
};

function toView(r: CheckRow): CalibrationCheckView {
  return {
    id: r.id,
    componentCode: r.component.code,
    instrument: r.instrument,
    checkedAt: r.checkedAt,
    instrumentReading: r.instrumentReading,
    referenceReadings: r.referenceReadings,
    reference: r.referenceReadings.reduce((a, b) => a + b, 0) / r.referenceReadings.length,
    deviation: r.deviation,
    result: r.result,
    note: r.note,
    by: r.user.name || r.user.email,
  };
}

/** The system (in scope) and its monitoring instruments: UV sensors, and the online UVT analyser if it has one. */
async function loadInstruments(db: Db, scope: Scope, systemCode: string) {
  const system = await db.treatmentSystem.findFirst({
    where: { code: systemCode, ...orgFilter(scope) },
    select: {
      id: true,
      code: true,
      organizationId: true,
      site: { select: { timeZone: true } },
      components: {
        select: { id: true, code: true, name: true, type: true, series: { select: { metric: { select: { key: true } } } } },
        orderBy: { code: "asc" },
      },
    },
  });
  if (!system) throw notFound("System", systemCode);
  const instruments: InstrumentComponent[] = [];
  for (const c of system.components) {
    const instrument = instrumentOf(c);
    if (instrument) instruments.push({ id: c.id, code: c.code, name: c.name, instrument });
  }
  return { system, instruments };
}

/** Which monitoring instrument a component is: a UV sensor, an online UVT analyser (by its code or its uvt series), or none. */
function instrumentOf(c: { code: string; type: string; series: { metric: { key: string } }[] }): CalibrationInstrument | null {
  if (c.type === "uv_sensor") return "uv_sensor";
  if (/^uvt-/.test(c.code) || c.series.some((s) => s.metric.key === "uvt")) return "uvt_analyser";
  return null;
}

export interface CalibrationSummary {
  instruments: number;
  /** out of calibration: the water they monitor is off-spec */
  failed: number;
  /** with a check overdue or never done */
  due: number;
}

/** Per system: how many instruments it has, and how many are out of calibration or overdue now (the fleet's view). */
export async function calibrationSummaries(db: Db, systemIds: string[], now: Date = new Date()): Promise<Map<string, CalibrationSummary>> {
  const out = new Map<string, CalibrationSummary>(systemIds.map((id) => [id, { instruments: 0, failed: 0, due: 0 }]));
  for (const i of await instrumentsWithLatest(db, systemIds)) {
    const sum = out.get(i.systemId)!;
    const state = instrumentStatus(i.instrument, i.latest, now).state;
    sum.instruments++;
    if (state === "failed") sum.failed++;
    else if (state === "overdue" || state === "never_checked") sum.due++;
  }
  return out;
}

/** The monitoring instruments of many systems with each one's latest check: two queries, whatever the count. */
async function instrumentsWithLatest(db: Db, systemIds: string[]): Promise<(InstrumentComponent & { systemId: string; latest: LatestCheck | null })[]> {
  if (systemIds.length === 0) return [];
  const components = await db.component.findMany({
    where: { systemId: { in: systemIds } },
    select: { id: true, systemId: true, code: true, name: true, type: true, series: { select: { metric: { select: { key: true } } } } },
    orderBy: { code: "asc" },
  });
  const instruments = components.flatMap((c) => {
    const instrument = instrumentOf(c);
    return instrument ? [{ id: c.id, systemId: c.systemId, code: c.code, name: c.name, instrument }] : [];
  });
  if (instruments.length === 0) return [];
  const latest = await db.$queryRaw<{ component_id: string; checked_at: Date; result: CalibrationResult; deviation: number }[]>`
    SELECT DISTINCT ON (component_id) component_id, checked_at, result::text AS result, deviation
      FROM calibration_check
     WHERE component_id = ANY (${instruments.map((i) => i.id)}::text[])
     ORDER BY component_id, checked_at DESC, created_at DESC`;
  const last = new Map(latest.map((r) => [r.component_id, { checkedAt: r.checked_at, result: r.result, deviation: r.deviation }]));
  return instruments.map((i) => ({ ...i, latest: last.get(i.id) ?? null }));
}

/** Each instrument's state and the latest checks of one system. */
export async function getSystemCalibration(db: Db, scope: Scope, input: { systemCode: string }, now: Date = new Date()): Promise<SystemCalibration> {
  const { system, instruments } = await loadInstruments(db, scope, input.systemCode);
  const rows = await db.calibrationCheck.findMany({
    where: { systemId: system.id },
    orderBy: [{ checkedAt: "desc" }, { createdAt: "desc" }],
    take: HISTORY_LIMIT,
    select: checkSelect,
  });
  const checks = rows.map(toView);
  const orders = await openInspections(db, instruments.map((i) => i.id));
  const views: InstrumentView[] = [];
  for (const i of instruments) {
    // the latest check of each instrument, even when it is older than the listed history
    let latest: CalibrationCheckView | null = checks.find((c) => c.componentCode === i.code) ?? null;
    if (!latest && rows.length === HISTORY_LIMIT) {
      const r = await db.calibrationCheck.findFirst({ where: { componentId: i.id }, orderBy: [{ checkedAt: "desc" }, { createdAt: "desc" }], select: checkSelect });
      latest = r ? toView(r) : null;
    }
    views.push({
      componentCode: i.code,
      componentName: i.name,
      instrument: i.instrument,
      intervalDays: CHECK_INTERVAL_DAYS[i.instrument],
      last: latest,
      status: instrumentStatus(i.instrument, latest, now),
      openWorkOrders: orders.get(i.id) ?? [],
    });
  }
  return { systemCode: system.code, timeZone: system.site.timeZone, instruments: views, checks };
}

export interface RecordCalibrationInput {
  systemCode: string;
  componentCode: string;
  /** default: now */
  checkedAt?: Date;
  instrumentReading: number;
  referenceReadings: number[];
  note?: string;
}

export interface RecordCalibrationResult {
  check: CalibrationCheckView;
  status: InstrumentStatus;
  /** compliance days recomputed because the out-of-calibration time changed */
  recomputedDays: string[];
  /** numbers of the open inspection orders of the instrument the check was noted on */
  notedOnWorkOrders: number[];
}

const sameIntervals = (a: OutOfCalibration[], b: OutOfCalibration[]) =>
  a.length === b.length && a.every((x, i) => x.componentId === b[i]!.componentId && x.from === b[i]!.from && x.to === b[i]!.to);

/** Records a check, judges it, audits it and recomputes the compliance days whose off-spec time it changes. */
export async function recordCalibrationCheck(
  db: Db,
  user: { id: string; email: string; organizationId: string },
  input: RecordCalibrationInput,
  now: Date = new Date(),
): Promise<RecordCalibrationResult> {
  const scope: Scope = { organizationId: user.organizationId };
  const { system, instruments } = await loadInstruments(db, scope, input.systemCode);
  const target = instruments.find((i) => i.code === input.componentCode);
  if (!target) {
    const known = instruments.map((i) => i.code).join(", ");
    throw new AppError(
      "BAD_REQUEST",
      known
        ? `Component "${input.componentCode}" of ${system.code} is not a monitoring instrument with calibration checks; its instruments are: ${known}.`
        : `${system.code} has no UV sensor or UVT analyser to check.`,
    );
  }
  const checkedAt = input.checkedAt ?? now;
  if (checkedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new AppError("BAD_REQUEST", `The check's time (${checkedAt.toISOString()}) is in the future; enter when the readings were taken.`);
  }
  const tz = system.site.timeZone;
  const firstDay = localDay(checkedAt, tz);
  const today = localDay(now, tz);
  if (firstDay < addDays(today, -(MAX_BACKFILL_DAYS - 1))) {
    throw new AppError("BAD_REQUEST", `The check's time (${checkedAt.toISOString()}) is more than ${MAX_BACKFILL_DAYS} days ago.`);
  }
  const readings = { instrument: target.instrument, instrumentReading: input.instrumentReading, referenceReadings: input.referenceReadings };
  const problem = checkInputProblem(readings);
  if (problem) throw new AppError("BAD_REQUEST", `Calibration check of ${target.code}: ${problem}.`);
  const outcome = judgeCheck(readings);
  const actor: Actor = { type: "user", userId: user.id, label: user.email };

  const { row, before, after, noted } = await db.$transaction(async (tx) => {
    // one check at a time per system, so the before/after comparison sees every other check
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`calibration:${system.id}`}))`;
    const existing = await tx.calibrationCheck.findMany({ where: { systemId: system.id }, select: { componentId: true, instrument: true, checkedAt: true, result: true } });
    const created = await tx.calibrationCheck.create({
      data: {
        systemId: system.id,
        componentId: target.id,
        instrument: target.instrument,
        checkedAt,
        instrumentReading: input.instrumentReading,
        referenceReadings: input.referenceReadings,
        deviation: outcome.deviation,
        result: outcome.result,
        note: input.note?.trim() || null,
        userId: user.id,
      },
      select: checkSelect,
    });
    await recordAudit(tx, actor, {
      organizationId: system.organizationId,
      action: "calibration_check.record",
      entityType: "calibration_check",
      entityId: created.id,
      details: {
        system: system.code,
        component: target.code,
        instrument: target.instrument,
        checkedAt: checkedAt.toISOString(),
        instrumentReading: input.instrumentReading,
        referenceReadings: input.referenceReadings,
        deviation: outcome.deviation,
        result: outcome.result,
      },
    });
    // noted on the instrument's open inspection orders, so the order that asked for the check shows its result
    const orders = (await openInspections(tx, [target.id])).get(target.id) ?? [];
    for (const o of orders) {
      await tx.workOrderComment.create({
        data: { workOrderId: o.id, userId: user.id, body: `Calibration check of ${target.code} recorded: ${checkSentence(target.instrument, input.instrumentReading, outcome)}.` },
      });
    }
    const withNew = [...existing, { componentId: target.id, instrument: target.instrument, checkedAt, result: outcome.result }];
    return { row: created, before: outOfCalibrationIntervals(existing), after: outOfCalibrationIntervals(withNew), noted: orders.map((o) => o.number) };
  });

  // recompute the monitored (or already reported) days from the check's day to today when the
  // out-of-calibration time changed
  const recomputedDays: string[] = [];
  if (!sameIntervals(before, after)) {
    const [complianceSystem] = await loadComplianceSystems(db, { id: system.id });
    if (complianceSystem) {
      const since = monitoredSince(complianceSystem, tz);
      const recorded = new Set(
        (
          await db.complianceRecord.findMany({
            where: { systemId: system.id, day: { gte: new Date(`${firstDay}T00:00:00Z`), lte: new Date(`${today}T00:00:00Z`) } },
            select: { day: true },
          })
        ).map((r) => r.day.toISOString().slice(0, 10)),
      );
      for (let d = firstDay; d <= today; d = addDays(d, 1)) {
        if (d < since && !recorded.has(d)) continue;
        if (await computeComplianceDay(db, complianceSystem, d, now)) recomputedDays.push(d);
      }
    }
  }
  const check = toView(row);
  const latest = await latestOf(db, target.id);
  await syncInstrumentAlerts(db, { organizationId: system.organizationId, systemId: system.id, systemCode: system.code, component: target, latest }, now);
  return { check, status: instrumentStatus(target.instrument, latest, now), recomputedDays, notedOnWorkOrders: noted };
}

const RESULT_WORDS: Record<CalibrationResult, string> = { pass: "passed", drift: "drifting (still in calibration)", fail: "failed (out of calibration)" };

/** "passed, duty 40.5 W/m² against 40 W/m² (+1.3 %)" */
function checkSentence(instrument: CalibrationInstrument, reading: number, o: { reference: number; deviation: number; result: CalibrationResult }): string {
  const n = (v: number) => String(Math.round(v * 100) / 100);
  return instrument === "uv_sensor"
    ? `${RESULT_WORDS[o.result]}, duty ${n(reading)} W/m² against ${n(o.reference)} W/m² (${deviationText(instrument, o.deviation).replace(" against the reference", "")})`
    : `${RESULT_WORDS[o.result]}, online ${n(reading)} % against the lab's ${n(o.reference)} % (${deviationText(instrument, o.deviation).replace(" against the lab", "")})`;
}

type LatestCheck = { checkedAt: Date; result: CalibrationResult; deviation: number };

async function latestOf(db: Db, componentId: string): Promise<LatestCheck | null> {
  return db.calibrationCheck.findFirst({
    where: { componentId },
    orderBy: [{ checkedAt: "desc" }, { createdAt: "desc" }],
    select: { checkedAt: true, result: true, deviation: true },
  });
}

/** Alert keys of an instrument: failed (a compliance alarm: water is off-spec) and overdue (a maintenance warning). */
export const calibrationAlertKeys = (componentId: string) => ({ failed: `calibration:${componentId}`, overdue: `calibration-due:${componentId}` });

const deviationText = (instrument: CalibrationInstrument, deviation: number) =>
  instrument === "uv_sensor" ? `${deviation >= 0 ? "+" : "−"}${Math.abs(deviation * 100).toFixed(1)} % against the reference` : `${deviation >= 0 ? "+" : "−"}${Math.abs(deviation).toFixed(1)} % UVT against the lab`;

/**
 * Raises or clears an instrument's calibration alerts from its latest check: a critical compliance
 * alarm while it is out of calibration (never shelvable: domain.md §4.3), a warning while its check
 * is overdue. Idempotent: an alert already open with the same words is left alone.
 */
async function syncInstrumentAlerts(
  db: Db,
  input: { organizationId: string; systemId: string; systemCode: string; component: InstrumentComponent; latest: LatestCheck | null },
  now: Date,
  /** the active alerts' messages by key, when the caller read them already (else every key is looked at) */
  active?: Map<string, string>,
): Promise<void> {
  const { component: c, latest } = input;
  const keys = calibrationAlertKeys(c.id);
  const status = instrumentStatus(c.instrument, latest, now);
  const base = { organizationId: input.organizationId, systemId: input.systemId, componentId: c.id, at: now };
  const want: { key: string; alert: Omit<ConditionAlertInput, keyof typeof base | "conditionKey"> | null }[] = [
    {
      key: keys.failed,
      alert:
        status.state === "failed" && latest
          ? {
              severity: "critical",
              isCompliance: true,
              // (the deviation is in the words: it has no rule unit to be shown in)
              value: null,
              message: `${c.code} of ${input.systemCode} failed its calibration check (${deviationText(c.instrument, latest.deviation)}): water counts as off-spec until a check passes.`,
            }
          : null,
    },
    {
      key: keys.overdue,
      alert:
        status.state === "overdue" && status.dueAt
          ? {
              severity: "warning",
              isCompliance: false,
              value: null,
              message: `The calibration check of ${c.code} on ${input.systemCode} was due on ${status.dueAt.toISOString().slice(0, 10)} (${c.instrument === "uv_sensor" ? "monthly" : "weekly"}).`,
            }
          : null,
    },
  ];
  for (const { key, alert } of want) {
    if (alert) {
      if (active?.get(key) !== alert.message) await raiseConditionAlert(db, { ...base, ...alert, conditionKey: key });
    } else if (!active || active.has(key)) {
      await clearConditionAlert(db, { conditionKey: key, at: now });
    }
  }
}

/** The worker's pass over every instrument of the systems in service: raises and clears their calibration alerts. */
export async function syncCalibrationAlerts(db: Db, now: Date = new Date(), opts: { organizationId?: string } = {}): Promise<{ instruments: number }> {
  const org = opts.organizationId ? { organizationId: opts.organizationId } : {};
  const systems = await db.treatmentSystem.findMany({ where: { status: { not: "decommissioned" }, ...org }, select: { id: true, code: true, organizationId: true } });
  // the calibration alerts still active, read once: most runs then write nothing
  const open = await db.alert.findMany({
    where: { conditionKey: { startsWith: "calibration" }, state: { in: ["active_unacknowledged", "active_acknowledged"] }, ...org },
    select: { conditionKey: true, message: true },
  });
  const active = new Map(open.map((a) => [a.conditionKey!, a.message]));
  const byId = new Map(systems.map((s) => [s.id, s]));
  const instruments = await instrumentsWithLatest(db, systems.map((s) => s.id));
  for (const { systemId, latest, ...component } of instruments) {
    const system = byId.get(systemId)!;
    await syncInstrumentAlerts(db, { organizationId: system.organizationId, systemId, systemCode: system.code, component, latest }, now, active);
  }
  return { instruments: instruments.length };
}
