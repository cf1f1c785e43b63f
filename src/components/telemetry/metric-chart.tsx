"use client";

import { useEffect, useEffectEvent, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { toPlotData, type ChartColumns } from "./chart-data";
import { strokeLimit, timeAxis, valueAxis, followContainerWidth } from "./chart-axes";
import { formatValue, type MetricKind } from "./format";

export interface ChartWindow {
  from: number;
  to: number;
}

interface MetricChartProps {
  columns: ChartColumns;
  widthMs: number;
  /** the x range shown, epoch ms */
  window: ChartWindow;
  /** unit as displayed ("m³/h"); empty for on/off metrics */
  unit: string;
  kind: MetricKind;
  limit: { min: number | null; max: number | null } | null;
  timeZone: string;
  /** charts with the same key share the hover cursor */
  syncKey: string;
  onZoom: (from: number, to: number) => void;
  label: string;
  height?: number;
}

const AVG = "#0e7490";
const BAND = "rgba(8, 145, 178, 0.16)";
const EDGE = "rgba(8, 145, 178, 0.45)";

/** The y range: the data's, padded, stretched to a nearby operating limit so the margin to it shows. */
function yRange(kind: MetricKind, limit: MetricChartProps["limit"]): uPlot.Range.Function {
  return (_u, dataMin, dataMax) => {
    if (kind === "boolean") return [-0.1, 1.1];
    if (dataMin == null || dataMax == null || !Number.isFinite(dataMin) || !Number.isFinite(dataMax)) return [0, 1];
    let lo = dataMin;
    let hi = dataMax;
    const spread = Math.max(hi - lo, Math.abs(hi) * 0.05, 1e-9);
    for (const l of [limit?.min, limit?.max]) {
      if (l == null) continue;
      if (l < lo && lo - l <= spread) lo = l;
      if (l > hi && l - hi <= spread) hi = l;
    }
    return uPlot.rangeNum(lo, hi, 0.1, true);
  };
}

function drawLimits(limit: MetricChartProps["limit"]): (u: uPlot) => void {
  return (u) => {
    for (const v of [limit?.min, limit?.max]) if (v != null) strokeLimit(u, v);
  };
}

/**
 * One series as a uPlot chart: the min–max band of each bucket with the average as a line, the
 * system's operating limits dashed in red, the unit on the y axis, times in the site's zone. Sized
 * to its container (ResizeObserver). Dragging across it asks for that range (`onZoom`); the chart
 * itself never zooms, the dashboard refetches at the finer resolution.
 */
export function MetricChart(props: MetricChartProps) {
  const { columns, widthMs, window, unit, kind, limit, timeZone, syncKey, label, height = 170 } = props;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const current = useRef({ columns, widthMs, window });
  const zoom = useEffectEvent((from: number, to: number) => props.onZoom(from, to));

  // Declared before the effect that creates the chart, so a new chart starts from the current data.
  useEffect(() => {
    current.current = { columns, widthMs, window: { from: window.from, to: window.to } };
    plot.current?.setData(toPlotData(columns, widthMs, current.current.window));
  }, [columns, widthMs, window.from, window.to]);

  const limitMin = limit?.min ?? null;
  const limitMax = limit?.max ?? null;
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const lim = limitMin == null && limitMax == null ? null : { min: limitMin, max: limitMax };
    const fmt = (v: number | null) => (v == null ? "—" : `${formatValue(v, kind)}${unit ? ` ${unit}` : ""}`);
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), timeZone),
      padding: [8, 16, 0, 0],
      scales: {
        // always the dashboard's window, also on double-click
        x: { time: true, range: () => [current.current.window.from / 1000, current.current.window.to / 1000] },
        y: { range: yRange(kind, lim) },
      },
      series: [
        { label: "Time", value: "{DD} {MMM} {HH}:{mm}:{ss}" },
        { label: "max", stroke: EDGE, width: 1, points: { show: false }, value: (_u, v) => fmt(v) },
        { label: "min", stroke: EDGE, width: 1, points: { show: false }, value: (_u, v) => fmt(v) },
        {
          label: "avg",
          stroke: AVG,
          width: 1.75,
          points: { show: false },
          value: (_u, v) => fmt(v),
          ...(kind === "boolean" ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
        },
      ],
      bands: [{ series: [1, 2], fill: BAND }],
      axes: [
        timeAxis(timeZone, 64),
        valueAxis(unit, kind === "boolean" ? { splits: () => [0, 1], values: (_u: uPlot, splits: number[]) => splits.map((v) => (v >= 0.5 ? "On" : "Off")) } : {}),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false, setScale: false }, sync: { key: syncKey } },
      hooks: {
        draw: [drawLimits(lim)],
        setSelect: [
          (u) => {
            if (u.select.width >= 6) {
              const from = u.posToVal(u.select.left, "x") * 1000;
              const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
              zoom(from, to);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
      },
    };
    const { columns: cols, widthMs: width, window: win } = current.current;
    const u = new uPlot(opts, toPlotData(cols, width, win), el);
    plot.current = u;
    const stop = followContainerWidth(u, el, height);
    return () => {
      stop();
      plot.current = null;
    };
  }, [unit, kind, limitMin, limitMax, timeZone, syncKey, height]);

  return (
    <div
      ref={host}
      role="img"
      aria-label={label}
      // uPlot's stylesheet is unlayered, so these overrides need !important to win over it
      className="w-full min-w-0 [&_.u-legend]:text-xs! [&_.u-legend]:text-slate-600 [&_.u-legend_th]:font-medium! [&_.u-legend_.u-series]:px-1.5! [&_.u-legend_.u-series]:py-0!"
    />
  );
}
