import type { ReactNode } from "react";
import Link from "next/link";
import type { ComplianceDayRow, ComplianceMonth, FleetComplianceRow, LedgerEntry, MonthSummary } from "@/server/compliance/month-report";
import type { MonthVerdict } from "@/server/compliance/verdict";
import { Card, Stat } from "@/components/ui/page-header";
import { calibrationSummaryLook } from "./calibration-format";
import { CalibrationCard } from "./calibration-card";
import type { ChartDay } from "./chart-data";
import {
  DAY_STATUS_LABELS,
  DAY_STATUS_STYLES,
  dayLabel,
  duration,
  fixed,
  MONTH_LIMIT_PCT,
  monthLabel,
  monitoringNote,
  percent,
  shareBarWidth,
  siteDateTime,
  VERDICT_BARS,
  VERDICT_LABELS,
  VERDICT_STYLES,
  volume,
} from "./format";
import { OffSpecChart } from "./off-spec-chart";
import { csvHref, pageHref, shiftMonth, type CompliancePageState } from "./page-state";

export interface ComplianceDetail {
  report: ComplianceMonth;
  ledger: { events: LedgerEntry[]; truncated: boolean; timeZone: string };
  chartDays: ChartDay[];
}

interface ComplianceViewProps {
  state: CompliancePageState;
  /** the month in the picker */
  month: string;
  fleet: FleetComplianceRow[];
  /** the opened system's month; a string: why it could not be shown */
  detail: ComplianceDetail | string | null;
  /** technicians and up record instrument calibration checks */
  canRecordCalibration: boolean;
}

const badge = "inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

export function VerdictBadge({ verdict }: { verdict: MonthVerdict }) {
  return (
    <span className={`${badge} ${VERDICT_STYLES[verdict]}`} data-testid="compliance-verdict" data-verdict={verdict}>
      {VERDICT_LABELS[verdict]}
    </span>
  );
}

/** The off-spec share as a small bar on a 0–10 % track with the 5 % line in its middle. */
function ShareBar({ totals }: { totals: MonthSummary }) {
  return (
    <div className="flex min-w-[9rem] items-center gap-2">
      <div className="relative h-2.5 w-20 shrink-0 rounded-full bg-slate-100" aria-hidden>
        <div className={`h-2.5 rounded-full ${VERDICT_BARS[totals.verdict]}`} style={{ width: `${shareBarWidth(totals.offSpecPct)}%` }} />
        <div className="absolute inset-y-[-3px] left-1/2 w-px bg-red-600" title={`${MONTH_LIMIT_PCT} % limit`} />
      </div>
      <span className="tabular-nums">{percent(totals.offSpecPct)}</span>
    </div>
  );
}

function MonthPicker({ state, month }: { state: CompliancePageState; month: string }) {
  const step = "inline-flex min-h-11 items-center rounded-lg bg-white px-3 text-sm font-medium text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50";
  return (
    <form method="get" action="/compliance" className="mb-6 flex flex-wrap items-end gap-2" aria-label="Month">
      <Link href={pageHref(state, { month: shiftMonth(month, -1) })} className={step} aria-label="Previous month">
        ←
      </Link>
      <label className="flex flex-col text-xs font-medium text-slate-500">
        Month
        <input
          type="month"
          name="month"
          defaultValue={month}
          required
          pattern="\d{4}-\d{2}"
          className="mt-1 min-h-11 rounded-lg border border-slate-300 bg-white px-2 text-sm text-slate-900"
          data-testid="compliance-month"
        />
      </label>
      {state.system ? <input type="hidden" name="system" value={state.system} /> : null}
      <button type="submit" className="min-h-11 rounded-lg bg-brand-600 px-4 text-sm font-semibold text-white hover:bg-brand-700">
        Show
      </button>
      <Link href={pageHref(state, { month: shiftMonth(month, 1) })} className={step} aria-label="Next month">
        →
      </Link>
    </form>
  );
}

function systemHref(state: CompliancePageState, r: FleetComplianceRow): string {
  return `${pageHref(state, { system: r.system.code, month: state.month ?? r.month })}#month`;
}

/** The state of a system's monitoring instruments now (calibration), whatever month is shown. */
function CalibrationBadge({ row }: { row: FleetComplianceRow }) {
  const look = calibrationSummaryLook(row.calibration);
  if (!look) return null;
  return (
    <span
      className={`mt-2 inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset md:mt-0 ${look.className}`}
      title="Calibration of the UV sensors and UVT analysers, now"
      data-testid="compliance-calibration"
    >
      {look.label}
    </span>
  );
}

/** Phones: one card per system (the table's six columns do not fit 375 px). */
function FleetCards({ state, fleet }: { state: CompliancePageState; fleet: FleetComplianceRow[] }) {
  return (
    <ul className="space-y-2 md:hidden" aria-label="Systems" data-testid="compliance-fleet-cards">
      {fleet.map((r) => (
        <li key={r.system.code}>
          <Link
            href={systemHref(state, r)}
            className={`block rounded-2xl border bg-white p-3 shadow-sm ${state.system === r.system.code ? "border-brand-500" : "border-slate-200"}`}
            data-testid={`compliance-card-${r.system.code}`}
          >
            <div className="flex items-start justify-between gap-2">
              <div className="min-w-0">
                <p className="font-medium text-brand-700">{r.system.code}</p>
                <p className="truncate text-xs text-slate-500">
                  {r.system.name} · {r.system.site.name}
                  {!state.month ? ` · ${monthLabel(r.month)}` : ""}
                </p>
              </div>
              <VerdictBadge verdict={r.totals.verdict} />
            </div>
            <div className="mt-2 flex flex-wrap items-center justify-between gap-2 text-sm">
              <ShareBar totals={r.totals} />
              <span className="tabular-nums text-slate-600">
                {volume(r.totals.offSpecM3)} of {volume(r.totals.deliveredM3)}
              </span>
            </div>
            <CalibrationBadge row={r} />
          </Link>
        </li>
      ))}
    </ul>
  );
}

function FleetTable({ state, fleet }: { state: CompliancePageState; fleet: FleetComplianceRow[] }) {
  if (fleet.length === 0) return <p className="text-sm text-slate-500">No systems in service.</p>;
  return (
    <>
      <FleetCards state={state} fleet={fleet} />
      <Card className="hidden overflow-hidden md:block">
        <div className="overflow-x-auto">
          <table className="w-full min-w-[760px] text-sm" data-testid="compliance-fleet">
            <caption className="sr-only">Off-spec share of each system&apos;s month</caption>
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="sticky left-0 bg-slate-50 px-3 py-2">System</th>
                <th scope="col" className="px-3 py-2">Site</th>
                <th scope="col" className="px-3 py-2 text-right">Delivered</th>
                <th scope="col" className="px-3 py-2 text-right">Off-spec</th>
                <th scope="col" className="px-3 py-2">Share (limit {MONTH_LIMIT_PCT} %)</th>
                <th scope="col" className="px-3 py-2">Verdict</th>
                <th scope="col" className="px-3 py-2">Instruments</th>
              </tr>
            </thead>
            <tbody>
              {fleet.map((r) => {
                const open = state.system === r.system.code;
                return (
                  <tr key={r.system.code} className={`border-t border-slate-100 ${open ? "bg-brand-50/60" : ""}`} data-testid={`compliance-row-${r.system.code}`}>
                    <th scope="row" className={`sticky left-0 px-3 py-2 text-left font-medium ${open ? "bg-brand-50" : "bg-white"}`}>
                      <Link href={systemHref(state, r)} className="text-brand-700 hover:underline" aria-current={open ? "true" : undefined}>
                        {r.system.code}
                      </Link>
                      <span className="block text-xs font-normal text-slate-500">{r.system.name}</span>
                    </th>
                    <td className="px-3 py-2 text-slate-600">
                      {r.system.site.name}
                      {!state.month ? <span className="block text-xs text-slate-500">{monthLabel(r.month)}</span> : null}
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{volume(r.totals.deliveredM3)}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{volume(r.totals.offSpecM3)}</td>
                    <td className="px-3 py-2">
                      <ShareBar totals={r.totals} />
                    </td>
                    <td className="px-3 py-2">
                      <VerdictBadge verdict={r.totals.verdict} />
                    </td>
                    <td className="px-3 py-2">
                      <CalibrationBadge row={r} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Card>
    </>
  );
}

function Conditions({ report }: { report: ComplianceMonth }) {
  const h = report.header;
  const item = (label: string, value: ReactNode) => (
    <div className="flex justify-between gap-3 border-b border-slate-100 py-1.5 last:border-0 sm:block sm:border-0 sm:py-0">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-right font-medium tabular-nums sm:text-left">{value}</dd>
    </div>
  );
  return (
    <Card className="p-4">
      <h3 className="mb-3 font-semibold">Validated conditions</h3>
      <div data-testid="compliance-conditions">
        <dl className="grid gap-x-6 sm:grid-cols-3 sm:gap-y-3">
          {item("Required dose", `${fixed(h.requiredDoseMjCm2, 0)} mJ/cm²`)}
          {item("Maximum validated flow", h.maxValidatedFlowM3h === null ? "—" : `${fixed(h.maxValidatedFlowM3h, 1)} m³/h`)}
          {item("Minimum validated UVT", h.minValidatedUvtPct === null ? "—" : `${fixed(h.minValidatedUvtPct, 0)} %`)}
          {item("UV intensity setpoint", h.sensorSetpointWm2 === null ? "—" : `${fixed(h.sensorSetpointWm2, 0)} W/m²`)}
          {item("Target organism", `${h.targetOrganism}, ${fixed(h.logCreditTarget, 2)}-log at the required dose`)}
          {item("NSF/ANSI 55 class", h.nsfClass === "none" ? "none" : `Class ${h.nsfClass}`)}
        </dl>
        <p className="mt-3 text-xs text-slate-500">
          {h.doseApproach === "calculated"
            ? "Monitoring: the calculated dose from flow, UV intensity and the online UVT (validation factor " + String(h.validationFactor) + "), and the sensor setpoint."
            : "Monitoring: the UV-intensity setpoint approach (no online UVT analyser), so no calculated dose is reported."}
          {h.certifications.length > 0 ? ` Certifications: ${h.certifications.join("; ")}.` : ""}
        </p>
      </div>
    </Card>
  );
}

function DayTable({ days }: { days: ComplianceDayRow[] }) {
  const num = "px-2 py-1.5 text-right tabular-nums";
  return (
    <Card className="overflow-hidden">
      <h3 className="px-4 pt-4 font-semibold">Days</h3>
      <div className="overflow-x-auto p-2">
        <table className="w-full min-w-[880px] text-sm" data-testid="compliance-days">
          <caption className="sr-only">Daily operating log</caption>
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="sticky left-0 bg-white px-2 py-1.5">Day</th>
              <th scope="col" className="px-2 py-1.5 text-right">Run h</th>
              <th scope="col" className="px-2 py-1.5 text-right">Volume m³</th>
              <th scope="col" className="px-2 py-1.5 text-right">Min dose</th>
              <th scope="col" className="px-2 py-1.5 text-right">5th pct dose</th>
              <th scope="col" className="px-2 py-1.5 text-right">Max flow</th>
              <th scope="col" className="px-2 py-1.5 text-right">Min UVT</th>
              <th scope="col" className="px-2 py-1.5 text-right">Off-spec m³</th>
              <th scope="col" className="px-2 py-1.5 text-right">Events</th>
              <th scope="col" className="px-2 py-1.5 text-right">Data</th>
              <th scope="col" className="px-2 py-1.5">Status</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day} className="border-t border-slate-100" data-testid={`compliance-day-${d.day}`}>
                <th scope="row" className="sticky left-0 bg-white px-2 py-1.5 text-left font-medium whitespace-nowrap">
                  {dayLabel(d.day)}
                  {d.status !== "missing" && !d.final ? <span className="ml-1 text-xs font-normal text-slate-500">so far</span> : null}
                </th>
                <td className={num}>{fixed(d.runHours, 1)}</td>
                <td className={num}>{fixed(d.volumeM3, 2)}</td>
                <td className={num}>{fixed(d.minDoseMjCm2, 1)}</td>
                <td className={num}>{fixed(d.p5DoseMjCm2, 1)}</td>
                <td className={num}>{fixed(d.maxFlowM3h, 2)}</td>
                <td className={num}>{d.minUvtPct === null ? "—" : `${fixed(d.minUvtPct, 1)} %`}</td>
                <td className={`${num} ${d.offSpecVolumeM3 ? "font-semibold text-red-700" : ""}`}>{fixed(d.offSpecVolumeM3, 3)}</td>
                <td className={num}>{d.offSpecEvents === null ? "—" : `${d.offSpecEvents} · ${fixed(d.offSpecMinutes, 0)} min`}</td>
                <td className={num}>{d.dataCompleteness === null ? "—" : `${fixed(d.dataCompleteness * 100, 0)} %`}</td>
                <td className="px-2 py-1.5">
                  <span className={`${badge} ${DAY_STATUS_STYLES[d.status]}`}>{DAY_STATUS_LABELS[d.status]}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="px-4 pb-4 text-xs text-slate-500">Doses in mJ/cm² (validated calculated dose), flow in m³/h; &quot;so far&quot;: the day is still open or was not closed yet.</p>
    </Card>
  );
}

function Ledger({ ledger }: { ledger: ComplianceDetail["ledger"] }) {
  return (
    <Card className="p-4">
      <h3 className="font-semibold">Off-spec ledger</h3>
      {ledger.events.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">No water left this unit outside validated conditions this month.</p>
      ) : (
        <ol className="mt-2 divide-y divide-slate-100" data-testid="compliance-ledger">
          {ledger.events.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 py-2 text-sm">
              <div className="min-w-0">
                <p className="font-medium tabular-nums">
                  {siteDateTime(e.startedAt, ledger.timeZone)} · {duration(e.minutes)}
                </p>
                <ul className="mt-0.5 flex flex-wrap gap-1">
                  {e.reasons.map((r) => (
                    <li key={r.code} className="rounded bg-red-50 px-1.5 py-0.5 text-xs text-red-800" data-reason={r.code}>
                      {r.label}
                    </li>
                  ))}
                </ul>
              </div>
              <p className="shrink-0 tabular-nums text-slate-700">
                {volume(e.volumeM3)}
                {e.minDoseMjCm2 !== null ? <span className="ml-2 text-xs text-slate-500">min dose {fixed(e.minDoseMjCm2, 1)} mJ/cm²</span> : null}
              </p>
            </li>
          ))}
        </ol>
      )}
      {ledger.truncated ? <p className="mt-2 text-xs text-amber-700">Only the first {ledger.events.length} events are listed; the CSV has the daily totals.</p> : null}
    </Card>
  );
}

function SystemMonth({ state, detail, canRecordCalibration }: { state: CompliancePageState; detail: ComplianceDetail; canRecordCalibration: boolean }) {
  const { report, ledger, chartDays } = detail;
  const t = report.totals;
  const h = report.header;
  const note = monitoringNote(report.month, report.monitoredSince);
  return (
    <section id="month" className="mt-8 scroll-mt-20" aria-labelledby="month-title" data-testid="compliance-month-view">
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="month-title" className="text-xl font-semibold">
            {h.system.code} · {monthLabel(report.month)}
          </h2>
          <p className="text-sm text-slate-500">
            {h.system.name}, {h.system.site.name} · days in {h.system.site.timeZone}
          </p>
          {note ? (
            <p className="mt-1 text-sm text-slate-600" data-testid="compliance-monitored-since">
              {note}
            </p>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-2">
          <a
            href={csvHref(h.system.code, report.month)}
            download
            className="inline-flex min-h-11 items-center rounded-lg bg-white px-4 text-sm font-semibold text-brand-700 ring-1 ring-slate-200 hover:bg-slate-50"
            data-testid="compliance-csv"
          >
            Monthly operating log (CSV)
          </a>
          <Link href={pageHref(state, { system: null })} className="inline-flex min-h-11 items-center rounded-lg px-3 text-sm text-slate-600 hover:bg-slate-100">
            Close
          </Link>
        </div>
      </div>
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Delivered" value={volume(t.deliveredM3)} hint={`${report.days.length} day${report.days.length === 1 ? "" : "s"} listed`} />
        <Stat label="Off-spec water" value={volume(t.offSpecM3)} hint="outside validated conditions" />
        <Stat label="Off-spec share" value={percent(t.offSpecPct)} hint={`limit ${MONTH_LIMIT_PCT} % of the month's water`} />
        <Card className="p-4">
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Verdict</p>
          <p className="mt-2">
            <VerdictBadge verdict={t.verdict} />
          </p>
          <p className="mt-1 text-xs text-slate-500">
            {t.days.compliant} compliant, {t.days.offSpec} off-spec, {t.days.incomplete} incomplete, {t.days.missing} without record
          </p>
        </Card>
      </div>
      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <Card className="p-4">
          <h3 className="mb-2 font-semibold">Off-spec water per day</h3>
          {chartDays.some((d) => d.volumeM3 !== null) ? (
            <OffSpecChart days={chartDays} timeZone={h.system.site.timeZone} label={`Off-spec water per day of ${h.system.code} in ${monthLabel(report.month)}, with the month's total against its 5 % budget`} />
          ) : (
            <p className="text-sm text-slate-500">No day of service in this month.</p>
          )}
          <p className="mt-2 text-xs text-slate-500">Bars: each day&apos;s off-spec water; line: the month so far; dashed: 5 % of the water delivered so far.</p>
        </Card>
        <Conditions report={report} />
      </div>
      {/* the instruments the off-spec figures rest on, before the days they judged */}
      <div className="mb-6">
        <CalibrationCard systemCode={h.system.code} timeZone={h.system.site.timeZone} canRecord={canRecordCalibration} />
      </div>
      <div className="mb-6">
        <DayTable days={report.days} />
      </div>
      <Ledger ledger={ledger} />
    </section>
  );
}

/** The /compliance page's body: month picker, the fleet's months, and the opened system's month. */
export function ComplianceView({ state, month, fleet, detail, canRecordCalibration }: ComplianceViewProps) {
  return (
    <>
      <MonthPicker state={state} month={month} />
      <FleetTable state={state} fleet={fleet} />
      {typeof detail === "string" ? (
        <p className="mt-6 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-800" role="alert">
          {detail}
        </p>
      ) : detail ? (
        <SystemMonth state={state} detail={detail} canRecordCalibration={canRecordCalibration} />
      ) : null}
      <div className="mt-6 space-y-1 text-xs text-slate-500">
        <p>
          A unit is off-spec in a minute when its lamp is off or warming up, the UV intensity is below the validated setpoint, the calculated dose is below the
          required dose (units with an online UVT analyser), or the flow or UVT is outside the validated range (domain.md §5.2). The month complies when less than{" "}
          {MONTH_LIMIT_PCT} % of its water was off-spec; from 3 % it is at risk.
        </p>
        <p>
          <strong className="font-medium text-slate-600">No data counts as off-spec.</strong> Minutes without flow, UV intensity or lamp readings while the unit
          delivered water cannot show the water was treated, so that water is counted against the budget (the flow over a gap is estimated from the readings around
          it). Days with less than 90 % of their data are marked incomplete.
        </p>
      </div>
    </>
  );
}
