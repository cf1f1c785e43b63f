import type { WeibullSummary } from "@/server/maintenance/reliability/summarize-reliability";
import { bandPath, linePath, niceTicks, scale } from "./chart-math";

const W = 340;
const H = 210;
const PAD = { left: 34, right: 10, top: 10, bottom: 32 };

/**
 * R(t) of a Weibull fit as SVG: the fitted curve, its confidence band, the failures' plotting positions
 * (1 − F from adjusted median ranks) as dots and η marked. Scales with its container (viewBox).
 */
export function ReliabilityCurve({ weibull, label }: { weibull: WeibullSummary; label: string }) {
  const last = weibull.curve.at(-1)?.t ?? 1;
  // long lives read better in days
  const inDays = last > 2000;
  const unit = inDays ? 24 : 1;
  const x = scale([0, last / unit], [PAD.left, W - PAD.right]);
  const y = scale([0, 1], [H - PAD.bottom, PAD.top]);
  const xTicks = niceTicks(0, last / unit, 4);
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  const line = linePath(weibull.curve.map((p) => [x(p.t / unit), y(p.r)]));
  const banded = weibull.curve.every((p) => p.lower !== null && p.upper !== null);
  const band = banded
    ? bandPath(
        weibull.curve.map((p) => [x(p.t / unit), y(p.upper!)]),
        weibull.curve.map((p) => [x(p.t / unit), y(p.lower!)]),
      )
    : "";
  const etaX = x(weibull.eta / unit);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={label}>
      <title>{label}</title>
      {yTicks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#eef2f6" />
          <text x={PAD.left - 4} y={y(v) + 3} textAnchor="end" fontSize="9" fill="#64748b">
            {v.toFixed(2)}
          </text>
        </g>
      ))}
      {xTicks.map((v) => (
        <text key={v} x={x(v)} y={H - PAD.bottom + 12} textAnchor="middle" fontSize="9" fill="#64748b">
          {v.toLocaleString("en-GB")}
        </text>
      ))}
      <text x={(PAD.left + W - PAD.right) / 2} y={H - 4} textAnchor="middle" fontSize="9" fill="#64748b">
        operating time ({inDays ? "days" : "hours"})
      </text>
      {band ? <path d={band} fill="rgba(8, 145, 178, 0.14)" /> : null}
      <path d={line} fill="none" stroke="#0e7490" strokeWidth="1.75" />
      {etaX <= W - PAD.right ? (
        <g>
          <line x1={etaX} x2={etaX} y1={PAD.top} y2={H - PAD.bottom} stroke="#94a3b8" strokeDasharray="3 3" />
          <text x={etaX + 3} y={PAD.top + 9} fontSize="9" fill="#475569">
            η
          </text>
        </g>
      ) : null}
      {weibull.points.map((p, i) => (
        <circle key={i} cx={x(p.t / unit)} cy={y(1 - p.f)} r="3" fill="#f59e0b" stroke="#fff" strokeWidth="1">
          <title>{`failure after ${Math.round(p.t).toLocaleString("en-GB")} h: R ≈ ${(1 - p.f).toFixed(2)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
