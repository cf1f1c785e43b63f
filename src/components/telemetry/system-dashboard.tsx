"use client";

import { useCallback, useMemo, useState } from "react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { useLiveEvent, useLiveFeed } from "@/components/live/use-live-feed";
import { LiveIndicator } from "./live-indicator";
import { MetricCard, type FetchedChart, type SeriesInfo } from "./metric-card";
import { RangePicker } from "./range-picker";
import { chunk, DASHBOARD_POINTS, MAX_SERIES_PER_REQUEST, rangeSpan, type RangeKey } from "./ranges";
import { useNow } from "./use-now";

const POINTS = DASHBOARD_POINTS;
const MIN_ZOOM_MS = 30_000;
const SOURCE_LABEL = { raw: "raw readings", "1m": "1-minute rollups", "1h": "1-hour rollups" } as const;

export type ChartAnswer = inferRouterOutputs<AppRouter>["telemetry"]["chart"];

interface DashboardCharts {
  /** the resolution and bucket width that answered (the same for every chunk: same range and points) */
  source: ChartAnswer["source"];
  widthMs: number;
  bySeries: Map<number, FetchedChart>;
}

function combineAnswers(answers: ChartAnswer[]): DashboardCharts {
  const bySeries = new Map<number, FetchedChart>();
  for (const a of answers) {
    for (const s of a.series) bySeries.set(s.seriesId, { columns: s, widthMs: a.widthMs, since: a.to.getTime() });
  }
  return { source: answers[0]!.source, widthMs: answers[0]!.widthMs, bySeries };
}

/** A drag-zoom: either a fixed range, or (when dragged up to the live edge) a shorter live window. */
type Zoom = { live: true; spanMs: number } | { live: false; from: number; to: number };

function formatSpan(ms: number): string {
  if (ms >= 2 * 86_400_000) return `${Math.round(ms / 86_400_000)} d`;
  if (ms >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

interface SystemDashboardProps {
  systemId: string;
  systemCode: string;
  timeZone: string;
  initialSeries: SeriesInfo[];
  /** the range shown first (the page's `?range=`), 1 h by default */
  initialRange?: RangeKey;
  /** the first range's charts, read while the page was rendered (no request after hydration) */
  initialCharts?: { anchor: number; answers: ChartAnswer[] };
}

/**
 * The live dashboard of one system: a chart per series over a chosen range (or a dragged zoom),
 * fetched in one request from the resolution that suits the span, then kept sliding with the live
 * feed's readings while the range ends now.
 */
export function SystemDashboard({ systemId, systemCode, timeZone, initialSeries, initialRange, initialCharts }: SystemDashboardProps) {
  const trpc = useTRPC();
  const feed = useLiveFeed([systemId]);
  const seriesQuery = useQuery(trpc.telemetry.series.queryOptions({ systemCode }, { initialData: initialSeries, staleTime: 60_000 }));
  const series = seriesQuery.data;

  const [range, setRange] = useState<RangeKey>(initialRange ?? "1h");
  const [zoom, setZoom] = useState<Zoom | null>(null);
  // the end of the range fetched while live; moved on to refetch
  const [anchor, setAnchor] = useState(() => initialCharts?.anchor ?? Date.now());
  const live = !zoom || zoom.live;
  const span = zoom ? (zoom.live ? zoom.spanMs : zoom.to - zoom.from) : rangeSpan(range);
  const now = useNow(Math.min(30_000, Math.max(1_000, Math.round(span / 600))));

  const fetchFrom = zoom && !zoom.live ? zoom.from : anchor - span;
  const fetchTo = zoom && !zoom.live ? zoom.to : anchor;
  const liveEnd = Math.max(now ?? anchor, anchor);
  const view = useMemo(() => (live ? { from: liveEnd - span, to: liveEnd } : { from: fetchFrom, to: fetchTo }), [live, liveEnd, span, fetchFrom, fetchTo]);

  // Refetch a sliding window now and then, so the live tail stays short and averages exact.
  if (live && now !== null && now - anchor > Math.min(30 * 60_000, Math.max(5 * 60_000, span / 4))) setAnchor(now);

  const queryClient = useQueryClient();
  const seriesIds = useMemo(() => series.map((s) => s.id), [series]);
  // One query for the whole dashboard, so the previous range stays on screen while the next one
  // loads; its chunks (telemetry.chart takes 24 series at most) go out in one batched HTTP request.
  const initial = useMemo(() => (initialCharts?.answers.length ? combineAnswers(initialCharts.answers) : undefined), [initialCharts]);
  const charts = useQuery({
    queryKey: ["telemetry", "dashboard-charts", { systemCode, seriesIds, from: fetchFrom, to: fetchTo, points: POINTS }],
    queryFn: async () =>
      combineAnswers(
        await Promise.all(
          chunk(seriesIds, MAX_SERIES_PER_REQUEST).map((ids) =>
            queryClient.fetchQuery({
              ...trpc.telemetry.chart.queryOptions({ systemCode, seriesIds: ids, from: new Date(fetchFrom), to: new Date(fetchTo), points: POINTS }),
              staleTime: Infinity,
            }),
          ),
        ),
      ),
    enabled: now !== null && seriesIds.length > 0,
    initialData: !zoom && initialCharts && anchor === initialCharts.anchor ? initial : undefined,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });

  useLiveEvent(feed, "ready", () => {
    // (re)subscribed after the charts were read: what came in between comes with a fresh fetch
    if (live && charts.data && !charts.isFetching) setAnchor(Date.now());
  });
  useLiveEvent(feed, "readings", (event) => {
    if (event.systemId !== systemId || seriesQuery.isFetching) return;
    if (event.readings.some((r) => !series.some((s) => s.id === r.seriesId))) void seriesQuery.refetch();
  });

  const pickRange = (key: RangeKey) => {
    setRange(key);
    setZoom(null);
    setAnchor(Date.now());
  };
  const resetZoom = () => {
    setZoom(null);
    setAnchor(Date.now());
  };
  const onZoom = useCallback(
    (from: number, to: number) => {
      let a = Math.min(from, to);
      let b = Math.max(from, to);
      if (b - a < MIN_ZOOM_MS) {
        const mid = (a + b) / 2;
        a = mid - MIN_ZOOM_MS / 2;
        b = mid + MIN_ZOOM_MS / 2;
      }
      // dragged up to the right edge of a live window: stay live on the shorter span
      if (live && b >= view.to - (view.to - view.from) * 0.02) {
        setZoom({ live: true, spanMs: Math.max(MIN_ZOOM_MS, view.to - a) });
        setAnchor(Date.now());
      } else {
        setZoom({ live: false, from: Math.round(a), to: Math.round(b) });
      }
    },
    [live, view.from, view.to],
  );

  const syncKey = `system-${systemId}`;
  return (
    <section
      aria-labelledby="dashboard-title"
      className="mb-6"
      // for tests and bench:dashboard: every chart has the data of the range shown
      data-charts-ready={series.length > 0 && charts.data && !charts.isFetching && !charts.isPlaceholderData ? "true" : "false"}
    >
      <div className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-2">
        <h2 id="dashboard-title" className="text-lg font-semibold">Live telemetry</h2>
        <LiveIndicator status={feed.status} paused={!live} />
        <div className="flex w-full flex-wrap items-center gap-2 sm:ml-auto sm:w-auto">
          <RangePicker value={zoom ? null : range} onChange={pickRange} />
          {zoom ? (
            <button
              type="button"
              onClick={resetZoom}
              data-testid="reset-zoom"
              className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
            >
              Reset zoom
            </button>
          ) : null}
        </div>
      </div>
      <p className="mb-3 text-xs text-slate-500" data-testid="chart-source">
        {zoom ? (zoom.live ? `Zoomed: last ${formatSpan(span)}` : `Zoomed: ${formatSpan(span)}`) : `Last ${formatSpan(span)}`}
        {charts.data ? ` · ${SOURCE_LABEL[charts.data.source]}, ${formatSpan(charts.data.widthMs)} buckets` : ""}
        {charts.isFetching ? " · updating…" : ""}
        {` · times in ${timeZone}`}
        <span className="hidden sm:inline"> · drag across a chart to zoom in</span>
      </p>
      {charts.error && !charts.isFetching ? (
        <div role="alert" className="mb-3 flex flex-wrap items-center gap-3 rounded-xl border border-red-200 bg-red-50 p-3 text-sm text-red-800">
          <span className="min-w-0 flex-1">
            The charts could not be loaded: {charts.error.message}. Check your connection, then retry; if it keeps failing, pick a shorter range.
          </span>
          <button
            type="button"
            className="rounded-lg bg-white px-3 py-1.5 font-medium ring-1 ring-red-300 hover:bg-red-100"
            onClick={() => void charts.refetch()}
          >
            Retry
          </button>
        </div>
      ) : null}
      {series.length === 0 ? (
        <p className="rounded-2xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          No telemetry yet. Once a device of this system sends readings (an admin can register one under Admin → Devices), a chart per metric appears here.
        </p>
      ) : (
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          {series.map((s) => (
            <MetricCard
              key={s.id}
              series={s}
              systemId={systemId}
              chart={charts.data?.bySeries.get(s.id)}
              failed={charts.isError}
              window={view}
              live={live}
              feed={feed}
              now={now}
              timeZone={timeZone}
              syncKey={syncKey}
              onZoom={onZoom}
            />
          ))}
        </div>
      )}
    </section>
  );
}
