// A system's minute averages from the 1-minute rollups (avg = sum / count), never raw readings: one
// indexed range read per day however many readings a device sends (ARCHITECTURE.md "rollup tables").
import type pg from "pg";
import { MINUTE_MS, type MinuteSeries } from "./evaluate";
import type { ComplianceSeries } from "./load-systems";

/** How far before and after a gap in the flow we look for a measurement to bridge it from (see evaluate.ts). */
export const FLOW_SEARCH_MS = 24 * 3_600_000;

/**
 * Minute averages of the system's compliance series over [from, to) (minute-aligned), plus the
 * last flow before `from` and the first at or after `to` within FLOW_SEARCH_MS.
 */
export async function readMinuteSeries(pool: pg.Pool | pg.ClientBase, series: ComplianceSeries, from: number, to: number): Promise<MinuteSeries> {
  const n = Math.max(0, Math.round((to - from) / MINUTE_MS));
  const empty = () => new Array<number | null>(n).fill(null);
  const out: MinuteSeries = {
    start: from,
    flowM3h: empty(),
    intensityWm2: empty(),
    uvtPct: series.uvtExpected ? empty() : null,
    lampOn: series.lamps.map(empty),
    waterTempC: empty(),
    flowBefore: null,
    flowAfter: null,
  };
  const targets = new Map<number, (number | null)[]>();
  if (series.flow !== null) targets.set(series.flow, out.flowM3h);
  if (series.intensity !== null) targets.set(series.intensity, out.intensityWm2);
  if (series.uvt !== null && out.uvtPct) targets.set(series.uvt, out.uvtPct);
  if (series.temperature !== null && out.waterTempC) targets.set(series.temperature, out.waterTempC);
  series.lamps.forEach((id, i) => targets.set(id, out.lampOn[i]!));
  if (targets.size === 0 || n === 0) return out;

  const { rows } = await pool.query<{ series_id: number; bucket: Date; avg: number }>(
    `SELECT series_id, bucket, sum / count AS avg
       FROM telemetry_rollup_1m
      WHERE series_id = ANY($1::int[]) AND bucket >= $2 AND bucket < $3 AND count > 0`,
    [[...targets.keys()], new Date(from), new Date(to)],
  );
  for (const r of rows) {
    const i = Math.floor((r.bucket.getTime() - from) / MINUTE_MS);
    const target = targets.get(r.series_id);
    if (target && i >= 0 && i < n) target[i] = r.avg;
  }

  if (series.flow !== null) {
    const [before, after] = await Promise.all([
      pool.query<{ bucket: Date; avg: number }>(
        `SELECT bucket, sum / count AS avg FROM telemetry_rollup_1m
          WHERE series_id = $1 AND bucket < $2 AND bucket >= $3 AND count > 0 ORDER BY bucket DESC LIMIT 1`,
        [series.flow, new Date(from), new Date(from - FLOW_SEARCH_MS)],
      ),
      pool.query<{ bucket: Date; avg: number }>(
        `SELECT bucket, sum / count AS avg FROM telemetry_rollup_1m
          WHERE series_id = $1 AND bucket >= $2 AND bucket < $3 AND count > 0 ORDER BY bucket ASC LIMIT 1`,
        [series.flow, new Date(to), new Date(to + FLOW_SEARCH_MS)],
      ),
    ]);
    const b = before.rows[0];
    const a = after.rows[0];
    if (b) out.flowBefore = { t: b.bucket.getTime(), value: b.avg };
    if (a) out.flowAfter = { t: a.bucket.getTime(), value: a.avg };
  }
  return out;
}
