// The month chart's columns: each day's off-spec volume (bars), the month's off-spec volume so far
// (line) and its budget so far, 5 % of the water delivered so far (dashed): where the line crosses the
// budget, the month is out of compliance.
import { MONTH_LIMIT_PCT } from "./format";

export interface ChartDay {
  /** site-local midnight of the day, epoch ms */
  t: number;
  volumeM3: number | null;
  offSpecVolumeM3: number | null;
}

export interface OffSpecColumns {
  /** seconds (uPlot's time scale) */
  t: number[];
  daily: (number | null)[];
  cumulative: number[];
  budget: number[];
}

export function offSpecColumns(days: readonly ChartDay[]): OffSpecColumns {
  const out: OffSpecColumns = { t: [], daily: [], cumulative: [], budget: [] };
  let off = 0;
  let delivered = 0;
  for (const d of days) {
    off += d.offSpecVolumeM3 ?? 0;
    delivered += d.volumeM3 ?? 0;
    out.t.push(d.t / 1000);
    out.daily.push(d.offSpecVolumeM3);
    out.cumulative.push(off);
    out.budget.push((delivered * MONTH_LIMIT_PCT) / 100);
  }
  return out;
}
