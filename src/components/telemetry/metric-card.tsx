"use client";

import { memo, useMemo, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import type { LiveReading } from "@/lib/live-events";
import { useLiveEvent, type LiveFeed } from "@/components/live/use-live-feed";
import { EMPTY_COLUMNS, mergeLiveReadings, type ChartColumns } from "./chart-data";
import { MetricChart, type ChartWindow } from "./metric-chart";
import { formatAge, formatTimestamp, formatValue, unitLabel } from "./format";

export type SeriesInfo = inferRouterOutputs<AppRouter>["telemetry"]["series"][number];

/** A fetched chart of one series: its buckets, their width, and the end of the range fetched. */
export interface FetchedChart {
  columns: ChartColumns;
  widthMs: number;
  /** live readings from here on are not in `columns` yet */
  since: number;
}

const STALE_MS = 5 * 60_000;

export function seriesTestId(s: SeriesInfo): string {
  return s.component ? `${s.metric.key}-${s.component.code}` : s.metric.key;
}

interface MetricCardProps {
  series: SeriesInfo;
  systemId: string;
  /** undefined while loading or when loading failed */
  chart: FetchedChart | undefined;
  failed: boolean;
  window: ChartWindow;
  /** the window ends now: append live readings to the chart */
  live: boolean;
  feed: LiveFeed;
  /** null until mounted (server render and hydration show no relative times) */
  now: number | null;
  timeZone: string;
  syncKey: string;
  onZoom: (from: number, to: number) => void;
}

/** One metric: its name, the current value big with its time, and the chart of the chosen range. */
export const MetricCard = memo(function MetricCard({ series, systemId, chart, failed, window, live, feed, now, timeZone, syncKey, onZoom }: MetricCardProps) {
  const [latest, setLatest] = useState<{ value: number; ts: number } | null>(null);
  const [tail, setTail] = useState<LiveReading[]>([]);

  useLiveEvent(feed, "readings", (event) => {
    if (event.systemId !== systemId) return;
    const r = event.readings.find((x) => x.seriesId === series.id);
    if (!r) return;
    setLatest((prev) => (prev && prev.ts > r.ts ? prev : { value: r.value, ts: r.ts }));
    if (live && chart) {
      const since = chart.since;
      setTail((prev) => [...prev.filter((p) => p.ts >= since), r]);
    }
  });

  const columns = useMemo(
    () => (chart ? (live ? mergeLiveReadings(chart.columns, tail, chart.widthMs, chart.since) : chart.columns) : EMPTY_COLUMNS),
    [chart, live, tail],
  );

  const stored = series.latest ? { value: series.latest.value, ts: series.latest.ts.getTime() } : null;
  const current = latest && (!stored || latest.ts >= stored.ts) ? latest : stored;
  const unit = unitLabel(series.metric.unit);
  const id = seriesTestId(series);
  const stale = current && now !== null ? now - current.ts > STALE_MS : false;
  const title = series.metric.name;
  const where = series.component ? series.component.name : "System";

  return (
    <article className="min-w-0 rounded-2xl border border-slate-200 bg-white p-3 shadow-sm sm:p-4">
      <header className="mb-2 flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 className="line-clamp-2 text-sm font-semibold text-slate-800" title={title}>{title}</h3>
          <p className="truncate text-xs text-slate-500">
            {where}
            {series.component ? <span className="font-mono"> · {series.component.code}</span> : null}
          </p>
        </div>
        <div className="shrink-0 text-right">
          <p className={`leading-none ${stale ? "text-slate-400" : "text-slate-900"}`}>
            <span className="text-2xl font-semibold tabular-nums sm:text-3xl" data-testid={`metric-value-${id}`} data-value={current?.value ?? ""}>
              {current ? formatValue(current.value, series.metric.kind) : "—"}
            </span>
            {unit && current ? <span className="ml-1 text-sm font-medium text-slate-500">{unit}</span> : null}
          </p>
          <p className={`mt-1 text-xs ${stale ? "font-medium text-amber-700" : "text-slate-500"}`}>
            {current && now !== null ? (
              <time dateTime={new Date(current.ts).toISOString()} title={new Date(current.ts).toISOString()}>
                {formatTimestamp(current.ts, timeZone, now)} · {stale ? `stale, ${formatAge(now - current.ts)}` : formatAge(now - current.ts)}
              </time>
            ) : current ? (
              "\u00a0"
            ) : (
              "no readings yet"
            )}
          </p>
        </div>
      </header>
      <div className="relative" data-testid={`metric-chart-${id}`}>
        <MetricChart
          columns={columns}
          widthMs={chart?.widthMs ?? 60_000}
          window={window}
          unit={unit}
          kind={series.metric.kind}
          limit={series.limit}
          timeZone={timeZone}
          syncKey={syncKey}
          onZoom={onZoom}
          label={`${title} (${where}) chart`}
        />
        {!chart ? (
          <p className="absolute inset-0 flex items-center justify-center bg-white/70 px-4 text-center text-sm text-slate-500">
            {failed ? "Chart not loaded (see the message above)." : "Loading chart…"}
          </p>
        ) : columns.t.length === 0 ? (
          <p className="pointer-events-none absolute inset-x-0 top-10 text-center text-sm text-slate-500">No readings in this range.</p>
        ) : null}
      </div>
    </article>
  );
});
