import uPlot from "uplot";
import { formatAxisTime, formatTick } from "./format";

// The look of every time chart (telemetry, prediction trends): one place for axis colours, font and
// tick formatting, so the charts of one page read alike.
export const CHART_AXIS = "#64748b";
export const CHART_GRID = "#eef2f6";
export const CHART_FONT = "11px ui-sans-serif, system-ui, sans-serif";
export const CHART_LIMIT = "#dc2626";

/** A limit dashed in red across the plot at `value` (nothing when it lies outside the y range); for a draw hook. */
export function strokeLimit(u: uPlot, value: number): void {
  const { ctx, bbox } = u;
  const y = Math.round(u.valToPos(value, "y", true));
  if (y < bbox.top || y > bbox.top + bbox.height) return;
  ctx.save();
  ctx.strokeStyle = CHART_LIMIT;
  ctx.lineWidth = uPlot.pxRatio;
  ctx.setLineDash([5 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
  ctx.beginPath();
  ctx.moveTo(bbox.left, y);
  ctx.lineTo(bbox.left + bbox.width, y);
  ctx.stroke();
  ctx.restore();
}

/** The x axis: times in the site's zone, labelled to the tick spacing. */
export function timeAxis(timeZone: string, space: number): uPlot.Axis {
  return {
    stroke: CHART_AXIS,
    font: CHART_FONT,
    grid: { stroke: CHART_GRID, width: 1 },
    ticks: { stroke: CHART_GRID, width: 1 },
    space,
    values: (_u, splits, _axis, _space, incr) => splits.map((v) => formatAxisTime(v * 1000, incr * 1000, timeZone)),
  };
}

/** The y axis in the metric's unit; `overrides` for special scales (e.g. on/off). */
export function valueAxis(unit: string, overrides: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: CHART_AXIS,
    font: CHART_FONT,
    label: unit || undefined,
    labelFont: CHART_FONT,
    labelSize: unit ? 16 : 0,
    grid: { stroke: CHART_GRID, width: 1 },
    ticks: { stroke: CHART_GRID, width: 1 },
    space: 28,
    values: (_u, splits, _axis, _space, incr) => splits.map((v) => formatTick(v, incr)),
    // tick values at 11 px plus the tick and gap
    size: (_u, values) => Math.max(36, 20 + 6.8 * Math.max(0, ...(values ?? []).map((v) => v.length))),
    ...overrides,
  };
}

/**
 * Keeps a chart as wide as its container (a phone turned, a sidebar opened). Returns the cleanup for
 * the effect that made the chart: stops watching and destroys the chart.
 */
export function followContainerWidth(u: uPlot, el: HTMLElement, height: number): () => void {
  const resize = new ResizeObserver((entries) => {
    const w = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (w > 0 && w !== u.width) u.setSize({ width: w, height });
  });
  resize.observe(el);
  return () => {
    resize.disconnect();
    u.destroy();
  };
}
