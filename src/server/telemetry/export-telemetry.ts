import type { Writable } from "node:stream";
import type pg from "pg";
import { AppError } from "@/server/errors";

export type Resolution = "raw" | "1m" | "1h";

export const RAW_HEADER = "ts,component,metric,value";
export const ROLLUP_HEADER = "ts,component,metric,min,max,avg,count,last";

const tables: Record<Exclude<Resolution, "raw">, string> = { "1m": "telemetry_rollup_1m", "1h": "telemetry_rollup_1h" };

// Numbers are written with JavaScript's shortest round-trip form, so a float64 comes back exactly as ingested.
const num = (v: number) => String(v);

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Streams one system's telemetry as long-format CSV (contracts.md): `from` inclusive, `to` exclusive,
 * ordered by time, then component, then metric. Pages by key so memory stays flat for any range.
 */
export async function exportTelemetry(
  pool: pg.Pool,
  input: { systemCode: string; from: Date; to: Date; resolution: Resolution; organizationId?: string },
  out: Writable,
  onProgress?: (rows: number) => void,
): Promise<{ rows: number }> {
  if (!(input.from < input.to)) throw new AppError("BAD_REQUEST", "--from must be before --to.");
  const system = await pool.query<{ id: string }>(
    `SELECT id FROM "system" WHERE code = $1 AND ($2::text IS NULL OR organization_id = $2)`,
    [input.systemCode, input.organizationId ?? null],
  );
  if (!system.rows[0]) throw new AppError("NOT_FOUND", `System "${input.systemCode}" was not found. List systems with: ecomate systems list`);
  const systemId = system.rows[0].id;

  const write = (chunk: string) => (out.write(chunk) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  await write((input.resolution === "raw" ? RAW_HEADER : ROLLUP_HEADER) + "\n");

  const series = await pool.query<{ id: number; component: string | null; metric: string }>(
    `SELECT s.id, c.code AS component, m.key AS metric
       FROM series s JOIN metric m ON m.id = s.metric_id LEFT JOIN component c ON c.id = s.component_id
      WHERE s.system_id = $1`,
    [systemId],
  );
  if (series.rows.length === 0) return { rows: 0 };
  const label = new Map(series.rows.map((s) => [s.id, { component: s.component ?? "", metric: s.metric }]));
  const ids = series.rows.map((s) => s.id);
  // Sort key within one timestamp: component then metric.
  const order = [...series.rows].sort((a, b) => (a.component ?? "").localeCompare(b.component ?? "") || a.metric.localeCompare(b.metric));
  const rank = new Map(order.map((s, i) => [s.id, i]));

  const pageSize = 20_000;
  let rows = 0;
  let cursor = input.from;
  let cursorInclusive = true;
  for (;;) {
    const timeCol = input.resolution === "raw" ? "ts" : "bucket";
    const sql =
      input.resolution === "raw"
        ? `SELECT series_id, ts AS t, value FROM telemetry_reading`
        : `SELECT series_id, bucket AS t, min, max, sum / count AS avg, count, last FROM ${tables[input.resolution]}`;
    // Pages end on a whole timestamp, so rows of one instant are never split across pages.
    const page = await pool.query(
      `WITH page_end AS (
         SELECT max(t) AS t FROM (
           SELECT ${timeCol} AS t FROM ${input.resolution === "raw" ? "telemetry_reading" : tables[input.resolution]}
            WHERE series_id = ANY($1) AND ${timeCol} ${cursorInclusive ? ">=" : ">"} $2 AND ${timeCol} < $3
            ORDER BY ${timeCol} LIMIT ${pageSize}) x)
       ${sql} WHERE series_id = ANY($1) AND ${timeCol} ${cursorInclusive ? ">=" : ">"} $2 AND ${timeCol} <= (SELECT t FROM page_end) AND ${timeCol} < $3
       ORDER BY ${timeCol}`,
      [ids, cursor, input.to],
    );
    if (page.rows.length === 0) break;
    page.rows.sort((a, b) => (a.t as Date).getTime() - (b.t as Date).getTime() || rank.get(a.series_id)! - rank.get(b.series_id)!);
    let chunk = "";
    for (const r of page.rows) {
      const l = label.get(r.series_id as number)!;
      const head = `${(r.t as Date).toISOString()},${csvField(l.component)},${csvField(l.metric)}`;
      chunk +=
        input.resolution === "raw"
          ? `${head},${num(r.value as number)}\n`
          : `${head},${num(r.min as number)},${num(r.max as number)},${num(r.avg as number)},${r.count as number},${num(r.last as number)}\n`;
    }
    await write(chunk);
    rows += page.rows.length;
    onProgress?.(rows);
    cursor = page.rows[page.rows.length - 1]!.t as Date;
    cursorInclusive = false;
  }
  return { rows };
}
