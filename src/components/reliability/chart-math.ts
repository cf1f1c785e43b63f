// Pure helpers for the reliability charts (plain SVG and CSS bars, drawn on the server): ticks,
// scales, paths, and how hours and ratios are written.

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  const step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A linear map from a domain to a range of pixels. */
export function scale(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** An SVG path through the points, rounded to 0.1 px. */
export function linePath(points: readonly [number, number][]): string {
  return points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join("");
}

/** A closed band between an upper and a lower line over the same x values. */
export function bandPath(upper: readonly [number, number][], lower: readonly [number, number][]): string {
  if (upper.length === 0) return "";
  return `${linePath([...upper, ...[...lower].reverse()])}Z`;
}

const whole = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Hours as people read them: "7.5 h", "36 h", "166 d", "2.3 y". */
export function formatHours(hours: number | null): string {
  if (hours === null || !Number.isFinite(hours)) return "—";
  if (hours < 10) return `${oneDecimal.format(hours)} h`;
  if (hours < 72) return `${whole.format(hours)} h`;
  const days = hours / 24;
  if (days < 730) return `${whole.format(days)} d`;
  return `${oneDecimal.format(days / 365.25)} y`;
}

/** A ratio as a percentage with enough digits to tell 99.8 % from 99.9 %. */
export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return "—";
  const p = ratio * 100;
  return `${p >= 99 && p < 100 ? p.toFixed(2) : p.toFixed(1)} %`;
}

/** A Weibull parameter with its interval: "1.65 (0.77–3.52)". */
export function formatEstimate(value: number, interval: [number, number] | null, digits: number): string {
  const f = (v: number) => (digits === 0 ? whole.format(v) : v.toFixed(digits));
  return interval ? `${f(value)} (${f(interval[0])}–${f(interval[1])})` : f(value);
}
