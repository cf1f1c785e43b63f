import type { ReactNode } from "react";
import Link from "next/link";
import type { ReliabilityGroup, ReliabilitySummary } from "@/server/maintenance/reliability/summarize-reliability";
import { Card, Stat } from "@/components/ui/page-header";
import { HorizontalBars } from "./bars";
import { formatEstimate, formatHours, formatPercent } from "./chart-math";
import { GROUP_BY_LABELS, pageHref, PERIOD_LABELS, type GroupBy, type Period, type ReliabilityPageState } from "./page-state";
import { ReliabilityCurve } from "./reliability-curve";

function Choice({ href, active, children }: { href: string; active: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
      aria-current={active ? "true" : undefined}
      className={`rounded-lg px-3 py-1.5 text-sm font-medium ${active ? "bg-brand-600 text-white" : "bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50"}`}
    >
      {children}
    </Link>
  );
}

function Controls({ state }: { state: ReliabilityPageState }) {
  return (
    <div className="mb-6 flex flex-wrap gap-x-6 gap-y-3">
      <nav aria-label="Group by" className="flex flex-wrap gap-2">
        {(Object.keys(GROUP_BY_LABELS) as GroupBy[]).map((by) => (
          <Choice key={by} href={pageHref(state, { by, group: null })} active={state.by === by}>
            {GROUP_BY_LABELS[by]}
          </Choice>
        ))}
      </nav>
      <nav aria-label="Period" className="flex flex-wrap gap-2">
        {(Object.keys(PERIOD_LABELS) as Period[]).map((period) => (
          <Choice key={period} href={pageHref(state, { period })} active={state.period === period}>
            {PERIOD_LABELS[period]}
          </Choice>
        ))}
      </nav>
      <nav aria-label="Confidence" className="flex flex-wrap gap-2">
        {([0.9, 0.95] as const).map((confidence) => (
          <Choice key={confidence} href={pageHref(state, { confidence })} active={state.confidence === confidence}>
            {confidence * 100} % bounds
          </Choice>
        ))}
      </nav>
    </div>
  );
}

function WeibullCard({ summary, state, selected }: { summary: ReliabilitySummary; state: ReliabilityPageState; selected: ReliabilityGroup | null }) {
  const fitted = summary.groups.filter((g) => g.weibull);
  return (
    <Card className="p-4">
      <h2 className="font-semibold">Weibull fit and reliability R(t)</h2>
      {fitted.length > 1 ? (
        <nav aria-label="Group of the fit" className="mt-2 flex flex-wrap gap-1.5">
          {fitted.map((g) => (
            <Link
              key={g.key}
              href={pageHref(state, { group: g.key })}
              aria-current={selected?.key === g.key ? "true" : undefined}
              className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${selected?.key === g.key ? "bg-brand-50 text-brand-700 ring-1 ring-brand-500" : "bg-slate-100 text-slate-600 hover:bg-slate-200"}`}
            >
              {g.label}
            </Link>
          ))}
        </nav>
      ) : null}
      {selected?.weibull ? (
        <>
          <ReliabilityCurve weibull={selected.weibull} label={`Reliability R(t) of ${selected.label}: Weibull β ${selected.weibull.beta.toFixed(2)}, η ${Math.round(selected.weibull.eta)} h`} />
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-500">{selected.label}</dt>
            <dd className="text-slate-600">
              {selected.weibull.failures} failures, {selected.weibull.suspensions} still running
            </dd>
            <dt className="text-slate-500">shape β</dt>
            <dd className="tabular-nums">
              {formatEstimate(selected.weibull.beta, selected.weibull.betaInterval, 2)}
              <span className="ml-1 text-xs text-slate-500">{selected.weibull.beta > 1.2 ? "wear-out" : selected.weibull.beta < 0.8 ? "early failures" : "random failures"}</span>
            </dd>
            <dt className="text-slate-500">scale η</dt>
            <dd className="tabular-nums">{formatEstimate(selected.weibull.eta, selected.weibull.etaInterval, 0)} h</dd>
            <dt className="text-slate-500">mean life</dt>
            <dd className="tabular-nums">{formatHours(selected.weibull.meanLifeHours)}</dd>
          </dl>
          <p className="mt-2 text-xs text-slate-500">
            Line: fitted R(t); band: {selected.weibull.confidence * 100} % bounds; dots: observed failures (adjusted median ranks).
          </p>
        </>
      ) : (
        <p className="mt-2 text-sm text-slate-500">
          {selected?.weibullNote ? `No fit for ${selected.label}: ${selected.weibullNote}.` : "No group has enough failures for a fit yet (at least one failure and a longer-running unit)."}
        </p>
      )}
    </Card>
  );
}

function GroupTable({ summary }: { summary: ReliabilitySummary }) {
  const rows = [...summary.groups, summary.overall];
  return (
    <Card className="overflow-hidden">
      <div className="overflow-x-auto">
        <table className="w-full min-w-[760px] text-sm">
          <caption className="sr-only">Reliability per {GROUP_BY_LABELS[summary.groupBy].toLowerCase()}</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="sticky left-0 bg-slate-50 px-3 py-2">
                {GROUP_BY_LABELS[summary.groupBy]}
              </th>
              <th scope="col" className="px-3 py-2 text-right">Units</th>
              <th scope="col" className="px-3 py-2 text-right">Failures</th>
              <th scope="col" className="px-3 py-2 text-right">Running</th>
              <th scope="col" className="px-3 py-2 text-right">MTBF</th>
              <th scope="col" className="px-3 py-2 text-right">MTTR</th>
              <th scope="col" className="px-3 py-2 text-right">Availability</th>
              <th scope="col" className="px-3 py-2 text-right">Measured</th>
              <th scope="col" className="px-3 py-2 text-right">β ({summary.confidence * 100} %)</th>
              <th scope="col" className="px-3 py-2 text-right">η, h ({summary.confidence * 100} %)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={g.key} className={`border-t border-slate-100 ${g.key === "all" ? "font-medium" : ""}`}>
                <th scope="row" className="sticky left-0 bg-white px-3 py-2 text-left font-medium capitalize">
                  {g.label}
                </th>
                <td className="px-3 py-2 text-right tabular-nums">{g.components}</td>
                <td className="px-3 py-2 text-right tabular-nums">{g.failures}</td>
                <td className="px-3 py-2 text-right tabular-nums">{g.lives.censored}</td>
                <td className="px-3 py-2 text-right tabular-nums">{formatHours(g.mtbfHours)}</td>
                <td className="px-3 py-2 text-right tabular-nums" title={`repair times: ${g.repairs.logged} logged, ${g.repairs.telemetry} from telemetry, ${g.repairs.unknown} unknown`}>
                  {formatHours(g.mttrHours)}
                </td>
                <td className="px-3 py-2 text-right tabular-nums">{formatPercent(g.availability.inherent)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{formatPercent(g.availability.measured)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{g.weibull ? formatEstimate(g.weibull.beta, g.weibull.betaInterval, 2) : "—"}</td>
                <td className="px-3 py-2 text-right tabular-nums">{g.weibull ? formatEstimate(g.weibull.eta, g.weibull.etaInterval, 0) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** The /reliability page's body: controls, headline figures, MTBF/MTTR and failure-mode bars, the Weibull fit, the table. */
export function ReliabilityView({ summary, state }: { summary: ReliabilitySummary; state: ReliabilityPageState }) {
  const overall = summary.overall;
  const selected = summary.groups.find((g) => g.key === state.group && g.weibull) ?? summary.groups.find((g) => g.weibull) ?? summary.groups[0] ?? null;
  const hoursItem = (g: ReliabilityGroup, v: number | null) => ({ key: g.key, label: g.label, value: v, display: formatHours(v) });
  return (
    <>
      <Controls state={state} />
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Failures" value={overall.failures} hint={`${overall.components} units`} />
        <Stat label="MTBF" value={formatHours(overall.mtbfHours)} hint="operating time per failure" />
        <Stat label="MTTR" value={formatHours(overall.mttrHours)} hint={`${overall.repairs.logged} logged, ${overall.repairs.telemetry} from telemetry`} />
        <Stat label="Availability" value={formatPercent(overall.availability.inherent)} hint={`measured ${formatPercent(overall.availability.measured)}`} />
      </div>
      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <Card className="p-4">
          <h2 className="mb-3 font-semibold">MTBF per {GROUP_BY_LABELS[summary.groupBy].toLowerCase()}</h2>
          <HorizontalBars items={summary.groups.map((g) => hoursItem(g, g.mtbfHours))} color="bg-brand-500" label="Mean time between failures" empty="No failures in this period." />
        </Card>
        <Card className="p-4">
          <h2 className="mb-3 font-semibold">MTTR per {GROUP_BY_LABELS[summary.groupBy].toLowerCase()}</h2>
          <HorizontalBars items={summary.groups.map((g) => hoursItem(g, g.mttrHours))} color="bg-amber-500" label="Mean time to repair" empty="No repair times known in this period." />
        </Card>
        <Card className="p-4">
          <h2 className="mb-3 font-semibold">Failures by mode</h2>
          <HorizontalBars
            items={overall.failuresByMode.map((m) => ({ key: m.code, label: `${m.code} · ${m.name}`, value: m.count, display: String(m.count) }))}
            color="bg-rose-500"
            label="Failures by failure mode"
            empty="No failures in this period."
          />
        </Card>
        <WeibullCard summary={summary} state={state} selected={selected} />
      </div>
      <GroupTable summary={summary} />
      <p className="mt-3 text-xs text-slate-500">
        Failures are corrective work orders with a failure mode. MTBF counts operating time from installation or the end of the previous repair, units still running
        included; MTTR uses the logged downtime, else the pump stop seen in telemetry. How each figure is computed: docs/maintenance.md.
      </p>
    </>
  );
}
