import Link from "next/link";
import type { ComponentTimeline as ComponentTimelineData, TimelineEvent, TimelineSeries } from "@/server/maintenance/history/get-component-timeline";
import { Card } from "@/components/ui/page-header";
import { bandPath, linePath, scale } from "@/components/reliability/chart-math";
import { formatValue, unitLabel } from "@/components/telemetry/format";
import { eventTone, formatDuration } from "./timeline-format";

const W = 340;
const H = 84;
const PAD = { left: 4, right: 4, top: 6, bottom: 6 };

const TONE_STROKE: Record<ReturnType<typeof eventTone>, string> = { failure: "#e11d48", work: "#0891b2", alert: "#f59e0b" };
const TONE_DOT: Record<ReturnType<typeof eventTone>, string> = { failure: "bg-rose-600", work: "bg-brand-500", alert: "bg-amber-500" };

function dateTime(timeZone: string) {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone });
}

/** One metric as a band (min–max of each bucket) with its average, and the events as vertical marks. */
function SeriesStrip(props: { series: TimelineSeries; from: number; to: number; widthMs: number; events: TimelineEvent[]; timeZone: string }) {
  const { series, from, to, widthMs, events, timeZone } = props;
  const x = scale([from, to], [PAD.left, W - PAD.right]);
  const lo = Math.min(...series.min);
  const hi = Math.max(...series.max);
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.max(Math.abs(hi) * 0.05, 0.5);
  const y = scale([lo - pad, hi + pad], [H - PAD.bottom, PAD.top]);
  // a gap of more than two buckets breaks the line rather than bridging a stop in the data
  const segments: number[][] = [];
  series.t.forEach((t, i) => {
    const prev = series.t[i - 1];
    if (prev === undefined || t - prev > 2 * widthMs) segments.push([]);
    segments.at(-1)!.push(i);
  });
  const unit = unitLabel(series.metric.unit);
  const last = series.avg.at(-1);
  const label = `${series.metric.name}${unit ? ` (${unit})` : ""}`;
  return (
    <div>
      <div className="flex items-baseline justify-between gap-2 text-xs">
        <span className="font-medium text-slate-700">{label}</span>
        <span className="tabular-nums text-slate-500">
          {formatValue(lo, series.metric.kind)} – {formatValue(hi, series.metric.kind)}
          {last !== undefined ? ` · last ${formatValue(last, series.metric.kind)}` : ""}
        </span>
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={`${label} from ${dateTime(timeZone).format(from)} to ${dateTime(timeZone).format(to)}`}>
        <rect x={PAD.left} y={PAD.top} width={W - PAD.left - PAD.right} height={H - PAD.top - PAD.bottom} fill="#f8fafc" />
        {events.map((e) => {
          const ex = x(e.at.getTime());
          if (ex < PAD.left || ex > W - PAD.right) return null;
          return <line key={`${e.kind}-${e.id}`} x1={ex} x2={ex} y1={PAD.top} y2={H - PAD.bottom} stroke={TONE_STROKE[eventTone(e)]} strokeWidth="1" strokeDasharray="2 2" />;
        })}
        {segments.map((idx, k) => (
          <g key={k}>
            <path
              d={bandPath(
                idx.map((i) => [x(series.t[i]!), y(series.max[i]!)]),
                idx.map((i) => [x(series.t[i]!), y(series.min[i]!)]),
              )}
              fill="rgba(8, 145, 178, 0.16)"
            />
            <path d={linePath(idx.map((i) => [x(series.t[i]!), y(series.avg[i]!)]))} fill="none" stroke="#0e7490" strokeWidth="1.25" />
          </g>
        ))}
      </svg>
    </div>
  );
}

function EventItem({ event, timeZone }: { event: TimelineEvent; timeZone: string }) {
  const tone = eventTone(event);
  const when = dateTime(timeZone).format(event.at);
  return (
    <li className="relative text-sm">
      <span aria-hidden="true" className={`absolute top-1.5 -left-[1.3rem] h-2.5 w-2.5 rounded-full ${TONE_DOT[tone]}`} />
      {event.kind === "work_order" ? (
        <>
          <Link href={`/work-orders/${event.id}`} className="font-medium text-brand-700 hover:underline">
            WO-{event.number} · {event.title}
          </Link>
          <span className="block text-slate-600">
            {event.type} · {event.status.replace(/_/g, " ")}
            {event.failureMode ? ` · ${event.failureMode.code} ${event.failureMode.name}` : ""}
            {event.downtime?.end ? ` · down ${formatDuration(event.downtime.end.getTime() - event.downtime.start.getTime())}` : ""}
          </span>
        </>
      ) : (
        <>
          <Link href={`/alerts/${event.id}`} className="font-medium text-brand-700 hover:underline">
            {event.severity} alert · {event.message}
          </Link>
          <span className="block text-slate-600">
            {event.end ? `cleared after ${formatDuration(event.end.getTime() - event.at.getTime())}` : event.state.replace(/_/g, " ")}
          </span>
        </>
      )}
      <span className="block text-xs text-slate-500">{when}</span>
    </li>
  );
}

/**
 * A component's history: its readings (from the rollups) with work orders and alerts marked on them,
 * and the events newest first. Takes the answer of `maintenance.history.componentTimeline` (load it on
 * the server with `loadComponentTimeline`). No hooks and no server imports, so it renders in server
 * and client components alike; at 375 px the strips and the list stack.
 */
export function ComponentTimeline({ timeline, title = "History" }: { timeline: ComponentTimelineData; title?: string }) {
  const { component, readings, events } = timeline;
  const tz = component.timeZone;
  const from = timeline.from.getTime();
  const to = timeline.to.getTime();
  const withData = readings.series.filter((s) => s.t.length > 0);
  const dateOnly = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: tz });
  return (
    <Card className="p-4">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2" data-testid="component-history">
        <h2 className="font-semibold">{title}</h2>
        <span className="text-xs text-slate-500">
          {dateOnly.format(timeline.from)} – {dateOnly.format(timeline.to)} · {readings.source === "1m" ? "minute" : "hourly"} data
        </span>
      </div>
      {withData.length ? (
        <div className="space-y-3">
          {withData.map((s) => (
            <SeriesStrip key={s.seriesId} series={s} from={from} to={to} widthMs={readings.widthMs} events={events} timeZone={tz} />
          ))}
          <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-500">
            <span><span className="mr-1 inline-block h-2 w-2 rounded-full bg-rose-600" />failure</span>
            <span><span className="mr-1 inline-block h-2 w-2 rounded-full bg-brand-500" />other work</span>
            <span><span className="mr-1 inline-block h-2 w-2 rounded-full bg-amber-500" />alert</span>
          </p>
        </div>
      ) : (
        <p className="text-sm text-slate-500">No readings of this component in this period.</p>
      )}
      <h3 className="mt-4 mb-2 text-sm font-semibold">Work orders and alerts</h3>
      {events.length ? (
        <ol className="space-y-3 border-l border-slate-200 pl-4">
          {events.map((e) => (
            <EventItem key={`${e.kind}-${e.id}`} event={e} timeZone={tz} />
          ))}
        </ol>
      ) : (
        <p className="text-sm text-slate-500">No work orders or alerts in this period.</p>
      )}
      {timeline.truncated ? <p className="mt-2 text-xs text-slate-500">Only the newest 500 work orders and alerts are shown; narrow the period for older ones.</p> : null}
    </Card>
  );
}
