"use client";

import Link from "next/link";
import { useState, useSyncExternalStore } from "react";
import { useQuery } from "@tanstack/react-query";
import { RelativeTime } from "@/components/alerts/relative-time";
import { Card } from "@/components/ui/page-header";
import { formatValue, unitLabel } from "@/components/telemetry/format";
import { useTRPC } from "@/components/trpc";
import { actionLine, actionRisk, isPastLimit, remainingLifeText, riskLabel, riskPercent, riskTone, type LatestPredictionItem } from "./format";
import { driverBars, type DriverInput } from "./risk-format";
import { TrendChart } from "./trend-chart";

const TONE = {
  high: { bar: "bg-red-600", text: "text-red-700" },
  elevated: { bar: "bg-amber-500", text: "text-amber-800" },
  low: { bar: "bg-emerald-500", text: "text-emerald-700" },
} as const;

const ACTION_TONE = {
  approval: "bg-violet-50 text-violet-900",
  open: "bg-brand-50 text-brand-900",
  cooldown: "bg-slate-100 text-slate-700",
} as const;

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// wide screens show every chart at once; a phone folds them so the list fits the screen
const WIDE = "(min-width: 768px)";
function subscribeWide(onChange: () => void) {
  const mq = window.matchMedia(WIDE);
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}
const useWideScreen = () =>
  useSyncExternalStore(
    subscribeWide,
    () => window.matchMedia(WIDE).matches,
    () => false,
  );

/**
 * One latest prediction: what, how likely, how soon, why, what was done, and its trend; a failure
 * risk (no trend, no remaining life) shows its model's threshold and the measurements that raised it.
 */
export function PredictionCard({ p, now }: { p: LatestPredictionItem; now: number | null }) {
  const failureRisk = p.kind === "failure_risk";
  const pct = riskPercent(p.score);
  const tone = TONE[riskTone(p.score, actionRisk(p))];
  const past = isPastLimit(p);
  // before hydration the reader's clock is unknown: the cooldown line waits for it
  const action = now === null ? null : actionLine(p, now, (d) => dateFormat.format(d));

  return (
    <li data-testid={`prediction-card-${p.id}`}>
      <Card className="p-4">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
          <h2 className="min-w-0 break-words font-semibold">
            <span className="font-mono">{p.system}</span>
            {p.component ? <span> · {p.componentName && p.componentName !== p.component ? `${p.componentName} (${p.component})` : p.component}</span> : <span> · whole system</span>}
          </h2>
          <span className="text-xs text-slate-500">
            Scored <RelativeTime at={p.createdAt} />
          </span>
        </div>
        <p className="mt-0.5 break-words text-sm text-slate-600">{p.modelName}</p>

        <div className="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2">
          {failureRisk ? (
            <>
              <FailureRisk p={p} pct={pct} tone={tone} />
              <div data-testid="prediction-drivers" className="text-sm">
                <span className="block text-slate-500">Why</span>
                <RiskDriverList drivers={p.drivers} />
              </div>
            </>
          ) : (
            <>
              <div data-testid="prediction-risk">
                <div className="flex items-baseline justify-between gap-2 text-sm">
                  <span className="text-slate-500">{riskLabel(p.horizonHours)}</span>
                  <span className={`text-lg font-semibold tabular-nums ${tone.text}`}>{pct} %</span>
                </div>
                <div role="progressbar" aria-label={riskLabel(p.horizonHours)} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="mt-1 h-2.5 overflow-hidden rounded-full bg-slate-100">
                  <div className={`h-full rounded-full ${tone.bar}`} style={{ width: `${pct}%` }} />
                </div>
              </div>
              <div data-testid="prediction-rul" className="text-sm">
                <span className="block text-slate-500">Remaining life</span>
                <span className={`font-semibold ${past ? "text-red-700" : ""}`}>{remainingLifeText(p.rulHours, p.rulLowHours, p.rulHighHours)}</span>
              </div>
            </>
          )}
        </div>

        {p.explanation ? <p className="mt-3 break-words text-sm text-slate-800">{p.explanation}</p> : null}

        {action ? (
          <p className={`mt-3 rounded-lg px-3 py-2 text-sm ${ACTION_TONE[action.tone]}`} data-testid="prediction-action" data-action={p.action}>
            {action.before}
            {action.order ? (
              <Link href={`/work-orders/${action.order.id}`} className="inline-flex min-h-11 items-center font-semibold underline sm:min-h-0">
                {action.order.label}
              </Link>
            ) : null}
            {action.after}
          </p>
        ) : null}

        {failureRisk ? null : <TrendToggle predictionId={p.id} />}
      </Card>
    </li>
  );
}

/** The failure risk within the horizon, with a marker where its model starts to act. */
function FailureRisk({ p, pct, tone }: { p: LatestPredictionItem; pct: number; tone: (typeof TONE)[keyof typeof TONE] }) {
  const label = riskLabel(p.horizonHours, "Failure risk");
  const actsFrom = p.threshold === null ? null : riskPercent(p.threshold);
  return (
    <div data-testid="prediction-risk">
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="text-slate-500">{label}</span>
        <span className={`text-lg font-semibold tabular-nums ${tone.text}`}>{pct} %</span>
      </div>
      <div className="relative mt-1">
        <div
          role="progressbar"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-valuetext={actsFrom === null ? `${pct} %` : `${pct} %; acts from ${actsFrom} %`}
          className="h-2.5 overflow-hidden rounded-full bg-slate-100"
        >
          <div className={`h-full rounded-full ${tone.bar}`} style={{ width: `${pct}%` }} />
        </div>
        {actsFrom === null ? null : <div aria-hidden="true" className="absolute -top-1 h-4.5 w-0.5 -translate-x-1/2 rounded bg-slate-800" style={{ left: `${actsFrom}%` }} />}
      </div>
      {actsFrom === null ? null : (
        <p className="mt-1 text-xs text-slate-600" data-testid="prediction-threshold">
          {p.actedOn ? `acts from ${actsFrom} %` : `a candidate model: would act from ${actsFrom} %, not acted on`}
        </p>
      )}
    </div>
  );
}

/**
 * The measurements that raised a failure risk most, largest first: each with its value and a bar in
 * proportion to the log-odds it added (the trees' own arithmetic, explain-risk.ts). Also on the work order.
 */
export function RiskDriverList({ drivers }: { drivers: readonly DriverInput[] }) {
  const bars = driverBars(drivers);
  if (bars.length === 0) return <p className="text-slate-700">Nothing stands out: no measurement raised the risk much.</p>;
  return (
    <ul className="mt-1 space-y-1.5" aria-label="What raised the risk most, largest first">
      {bars.map((b) => (
        <li key={b.key} data-testid="prediction-driver">
          <div className="flex flex-wrap items-baseline justify-between gap-x-2">
            <span className="min-w-0 break-words">{b.label}</span>
            <span className="sr-only">: </span>
            <span className="font-semibold tabular-nums">{b.value}</span>
          </div>
          <div aria-hidden="true" className="mt-0.5 h-1.5 w-full max-w-48 rounded-full bg-slate-100">
            <div className="h-full rounded-full bg-red-400" style={{ width: `${b.width}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}

/** "Show trend": folded on a phone, open on a wide screen, the chart loaded when first shown. */
function TrendToggle({ predictionId }: { predictionId: string }) {
  const wide = useWideScreen();
  // null: follow the screen; a tap decides from then on
  const [open, setOpen] = useState<boolean | null>(null);
  const shown = open ?? wide;
  const chartId = `prediction-trend-${predictionId}`;
  return (
    <>
      <button
        type="button"
        className="mt-2 inline-flex min-h-11 items-center gap-1 rounded-lg px-1 text-sm font-medium text-brand-700 hover:underline"
        aria-expanded={shown}
        aria-controls={chartId}
        onClick={() => setOpen(!shown)}
        data-testid="prediction-trend-toggle"
      >
        <span aria-hidden="true">{shown ? "▴" : "▾"}</span>
        {shown ? "Hide trend" : "Show trend"}
      </button>
      <div id={chartId}>{shown ? <TrendPanel predictionId={predictionId} /> : null}</div>
    </>
  );
}

/** The trend of one prediction, loaded when it is first shown. */
function TrendPanel({ predictionId }: { predictionId: string }) {
  const trpc = useTRPC();
  const trend = useQuery(trpc.predictions.trend.queryOptions({ predictionId }, { staleTime: 10 * 60_000 }));
  if (trend.isPending) return <p className="py-6 text-center text-sm text-slate-500">Loading the trend…</p>;
  if (trend.isError) {
    return (
      <p role="alert" className="mt-2 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
        The trend could not be loaded ({trend.error.message}). Check your connection, then{" "}
        <button type="button" className="min-h-11 font-semibold underline" onClick={() => void trend.refetch()}>
          try again
        </button>
        .
      </p>
    );
  }
  const t = trend.data;
  const unit = unitLabel(t.unit);
  return (
    <div className="mt-1">
      {t.samples.length === 0 ? <p className="mb-2 text-sm text-slate-600">No hourly values to show{t.note ? `: ${t.note}` : ""}.</p> : null}
      <TrendChart
        samples={t.samples}
        fitted={t.fitted}
        limit={t.limit}
        scoredAt={t.scoredAt}
        unit={unit}
        label={`${t.metricName}: ${t.samples.length} hourly values, the fitted trend${t.limit !== null ? ` and the limit ${formatValue(t.limit)} ${unit}` : ""}`}
      />
      <p className="mt-1 text-xs text-slate-500">
        {t.metricName}. Dots: the hourly values the model used; purple: its fitted trend
        {t.limit !== null ? `; red dashes: the limit, ${formatValue(t.limit)} ${unit}` : ""}; grey: when it was scored.
      </p>
    </div>
  );
}
