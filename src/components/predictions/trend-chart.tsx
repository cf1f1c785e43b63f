"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { strokeLimit, timeAxis, valueAxis, followContainerWidth } from "@/components/telemetry/chart-axes";
import { formatValue } from "@/components/telemetry/format";
import { trendPlotData, trendYRange, type TrendPoint } from "./chart-data";

interface TrendChartProps {
  samples: TrendPoint[];
  fitted: TrendPoint[];
  limit: number | null;
  /** epoch ms: the scoring time, marked on the axis */
  scoredAt: number;
  /** unit as displayed ("bar", "W/m²") */
  unit: string;
  label: string;
  height?: number;
}

const VALUES = "#0e7490";
const FITTED = "#7c3aed";
const NOW = "#94a3b8";

/** The limit dashed in red across the plot, the scoring time as a thin vertical line. */
function drawMarks(limit: number | null, scoredAt: number): (u: uPlot) => void {
  return (u) => {
    if (limit !== null) strokeLimit(u, limit);
    const { ctx, bbox } = u;
    ctx.save();
    ctx.lineWidth = uPlot.pxRatio;
    const x = Math.round(u.valToPos(scoredAt / 1000, "x", true));
    if (x >= bbox.left && x <= bbox.left + bbox.width) {
      ctx.strokeStyle = NOW;
      ctx.setLineDash([2 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  };
}

/**
 * The hourly values a model was fitted on as dots, its fitted trend carried forward as a line, the
 * limit dashed in red: the distance between the line's end and the limit is the remaining life. Times
 * in the reader's zone; sized to its container.
 */
export function TrendChart({ samples, fitted, limit, scoredAt, unit, label, height = 190 }: TrendChartProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const fmt = (v: number | null) => (v == null ? "—" : `${formatValue(v)}${unit ? ` ${unit}` : ""}`);
    const [lo, hi] = trendYRange(samples, fitted, limit);
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height,
      padding: [8, 12, 0, 0],
      scales: { x: { time: true }, y: { range: () => [lo, hi] } },
      series: [
        { label: "Time", value: (_u, v) => (v == null ? "—" : new Date(v * 1000).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })) },
        // dots only: the hours the unit stood still are left out, a line would draw across them
        { label: "hourly", stroke: VALUES, width: 0, paths: () => null, points: { show: true, size: 3, width: 0, fill: VALUES, stroke: VALUES }, value: (_u, v) => fmt(v) },
        { label: "trend", stroke: FITTED, width: 2, spanGaps: true, points: { show: false }, value: (_u, v) => fmt(v) },
      ],
      axes: [timeAxis(timeZone, 56), valueAxis(unit)],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [drawMarks(limit, scoredAt)] },
    };
    const u = new uPlot(opts, trendPlotData(samples, fitted), el);
    return followContainerWidth(u, el, height);
  }, [samples, fitted, limit, scoredAt, unit, height]);

  return (
    <div
      ref={host}
      role="img"
      aria-label={label}
      data-testid="prediction-chart"
      // uPlot's stylesheet is unlayered, so these overrides need !important to win over it
      className="w-full min-w-0 [&_.u-legend]:text-xs! [&_.u-legend]:text-slate-600 [&_.u-legend_th]:font-medium! [&_.u-legend_.u-series]:px-1.5! [&_.u-legend_.u-series]:py-0!"
    />
  );
}
