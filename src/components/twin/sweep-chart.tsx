"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { CHART_AXIS, CHART_FONT, CHART_GRID, strokeLimit, valueAxis, followContainerWidth } from "@/components/telemetry/chart-axes";
import type { SweepCurve } from "./sweep";

const DOSE = "#7c3aed";
const CURRENT = "#2563eb";

/** Up to where the dose axis goes: the near-zero-flow end of a curve would otherwise flatten the rest. */
function doseCeiling(curve: SweepCurve): number {
  const doses = curve.dose.filter((d): d is number => d !== null);
  const top = doses.length ? Math.max(...doses) : curve.required;
  const at = curve.x.reduce((best, x, i) => (Math.abs(x - curve.current) < Math.abs(curve.x[best]! - curve.current) ? i : best), 0);
  const here = curve.dose[at] ?? curve.required;
  return Math.min(Math.max(top, curve.required * 1.3), Math.max(curve.required * 3, here * 1.6));
}

/**
 * The validated dose over the range of one lever, the others held where the sliders are: the required
 * dose dashed in red, the slider's value as a blue line. Shows how far a lever can go before the water
 * is off-spec. The chart is created once and fed new data, so dragging a slider stays smooth.
 */
export function SweepChart({ curve, height = 170 }: { curve: SweepCurve; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const marks = useRef(curve);
  const xLabel = `${curve.label}${curve.unit ? ` (${curve.unit})` : ""}`;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height,
      padding: [8, 12, 0, 0],
      scales: { x: { time: false }, y: { range: () => [0, doseCeiling(marks.current)] } },
      series: [
        { label: xLabel, value: (_u, v) => (v == null ? "—" : v.toFixed(marks.current.digits)) },
        { label: "validated dose", stroke: DOSE, width: 2, points: { show: false }, value: (_u, v) => (v == null ? "—" : `${v.toFixed(1)} mJ/cm²`) },
      ],
      axes: [
        { stroke: CHART_AXIS, font: CHART_FONT, grid: { stroke: CHART_GRID }, ticks: { stroke: CHART_GRID }, label: xLabel, labelFont: CHART_FONT, labelSize: 18 },
        valueAxis("mJ/cm²"),
      ],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        draw: [
          (u) => {
            strokeLimit(u, marks.current.required);
            const x = Math.round(u.valToPos(marks.current.current, "x", true));
            const { ctx, bbox } = u;
            ctx.save();
            ctx.strokeStyle = CURRENT;
            ctx.lineWidth = 2 * uPlot.pxRatio;
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const u = new uPlot(opts, [marks.current.x, marks.current.dose], el);
    plot.current = u;
    const stop = followContainerWidth(u, el, height);
    return () => {
      stop();
      plot.current = null;
    };
  }, [height, xLabel]);

  useEffect(() => {
    marks.current = curve;
    plot.current?.setData([curve.x, curve.dose]);
  }, [curve]);

  return (
    <div>
      <div ref={host} role="img" aria-label={`Validated UV dose against ${curve.label.toLowerCase()}; required ${curve.required} mJ/cm²`} data-testid="twin-sweep-chart" className="w-full min-w-0" />
      <p className="mt-1 text-xs text-slate-500">
        {curve.limitText}
      </p>
    </div>
  );
}
