"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { CHART_LIMIT, timeAxis, valueAxis, followContainerWidth } from "@/components/telemetry/chart-axes";
import { offSpecColumns, type ChartDay } from "./chart-data";

interface OffSpecChartProps {
  days: ChartDay[];
  timeZone: string;
  label: string;
  height?: number;
}

const DAILY = "#f97316";
const CUMULATIVE = "#b91c1c";

const m3 = (v: number | null | undefined) => (v == null ? "—" : `${v.toLocaleString("en-GB", { maximumFractionDigits: 3 })} m³`);

/**
 * A month of off-spec water: each day's volume as bars (right axis), the month's total so far as a
 * line and its budget so far (5 % of the water delivered so far) dashed in red (left axis). Days in
 * the site's zone; sized to its container.
 */
export function OffSpecChart({ days, timeZone, label, height = 200 }: OffSpecChartProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const c = offSpecColumns(days);
    const dayS = 86_400;
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height,
      padding: [8, 12, 0, 0],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), timeZone),
      scales: {
        // the listed days and half a day either side, so the first and last bars are whole (from the
        // days themselves: with one day, or days without records, uPlot's own extent is no guide)
        x: { time: true, range: () => [(c.t[0] ?? 0) - dayS / 2, (c.t.at(-1) ?? 0) + dayS / 2] },
        // the month's totals on the left, a day's volume (much smaller) on its own scale on the right
        y: { range: (_u, _lo, hi) => [0, Math.max(hi ?? 0, 0.001) * 1.1] },
        day: { range: (_u, _lo, hi) => [0, Math.max(hi ?? 0, 0.001) * 1.25] },
      },
      series: [
        { label: "Day", value: (_u, v) => (v == null ? "—" : new Date(v * 1000).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone })) },
        { label: "off-spec that day", scale: "day", stroke: DAILY, fill: "rgba(249, 115, 22, 0.55)", width: 1, paths: uPlot.paths.bars!({ size: [0.7, 28] }), points: { show: false }, value: (_u, v) => m3(v) },
        { label: "month so far", stroke: CUMULATIVE, width: 2, points: { show: false }, value: (_u, v) => m3(v) },
        { label: "5 % budget so far", stroke: CHART_LIMIT, width: 1.5, dash: [5, 4], points: { show: false }, value: (_u, v) => m3(v) },
      ],
      axes: [timeAxis(timeZone, 48), valueAxis("m³ in the month"), { ...valueAxis("m³ per day"), scale: "day", side: 1, grid: { show: false } }],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
    };
    const u = new uPlot(opts, [c.t, c.daily, c.cumulative, c.budget], el);
    return followContainerWidth(u, el, height);
  }, [days, timeZone, height]);

  return (
    <div
      ref={host}
      role="img"
      aria-label={label}
      data-testid="compliance-chart"
      // uPlot's stylesheet is unlayered, so these overrides need !important to win over it
      className="w-full min-w-0 [&_.u-legend]:text-xs! [&_.u-legend]:text-slate-600 [&_.u-legend_th]:font-medium! [&_.u-legend_.u-series]:px-1.5! [&_.u-legend_.u-series]:py-0!"
    />
  );
}
