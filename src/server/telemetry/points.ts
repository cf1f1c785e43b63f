import type pg from "pg";

export interface Point {
  seriesId: number;
  ts: Date;
  value: number;
}

/**
 * Every reading of `seriesIds` with from <= ts < to, raw or compacted alike (the SQL function
 * telemetry_points), ordered by series then time. Values are the stored float64s, bit for bit.
 */
export async function readPoints(pool: pg.Pool | pg.ClientBase, seriesIds: number[], from: Date, to: Date): Promise<Point[]> {
  if (seriesIds.length === 0 || !(from < to)) return [];
  const { rows } = await pool.query<{ series_id: number; ts: Date; value: number }>(
    `SELECT series_id, ts, value FROM telemetry_points($1::int[], $2, $3) ORDER BY series_id, ts`,
    [seriesIds, from, to],
  );
  return rows.map((r) => ({ seriesId: r.series_id, ts: r.ts, value: r.value }));
}
