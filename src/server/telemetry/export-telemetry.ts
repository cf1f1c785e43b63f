import type { Writable } from "node:stream";
import type pg from "pg";
import { AppError } from "@/server/errors";

export type Resolution = "raw" | "1m" | "1h";

export const RAW_HEADER = "ts,component,metric,value";
export const ROLLUP_HEADER = "ts,component,metric,min,max,avg,count,last";

const tables: Record<Exclude<Resolution, "raw">, string> = { "1m": "telemetry_rollup_1m", "1h": "telemetry_rollup_1h" };

// Numbers are written with JavaScript's shortest round-trip form, so a float64 comes back exactly as ingested
// (String() alone would print -0 as 0).
const num = (v: number) => (Object.is(v, -0) ? "-0" : String(v));

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Streams one system's telemetry as long-format CSV (contracts.md): `from` inclusive, `to` exclusive,
 * ordered by time, then component, then metric. Raw readings are read through telemetry_points, so
 * compacted ones come out exactly like the others. Pages by time so memory stays flat for any range.
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

  let rows = 0;
  const emit = async (page: ExportRow[]) => {
    page.sort((a, b) => a.t.getTime() - b.t.getTime() || rank.get(a.series_id)! - rank.get(b.series_id)!);
    let chunk = "";
    for (const r of page) {
      const l = label.get(r.series_id)!;
      const head = `${r.t.toISOString()},${csvField(l.component)},${csvField(l.metric)}`;
      chunk +=
        input.resolution === "raw"
          ? `${head},${num(r.value!)}\n`
          : `${head},${num(r.min!)},${num(r.max!)},${num(r.avg!)},${r.count!},${num(r.last!)}\n`;
    }
    await write(chunk);
    rows += page.length;
    onProgress?.(rows);
  };
  if (input.resolution === "raw") await exportRaw(pool, ids, input.from, input.to, emit);
  else await exportRollups(pool, tables[input.resolution], ids, input.from, input.to, emit);
  return { rows };
}

interface ExportRow {
  series_id: number;
  t: Date;
  value?: number;
  min?: number;
  max?: number;
  avg?: number;
  count?: number;
  last?: number;
}

const PAGE_SIZE = 20_000;

/** Rollup rows, paged by key; pages end on a whole timestamp, so rows of one instant are never split. */
async function exportRollups(pool: pg.Pool, table: string, ids: number[], from: Date, to: Date, emit: (page: ExportRow[]) => Promise<void>) {
  let cursor = from;
  let cursorInclusive = true;
  for (;;) {
    const op = cursorInclusive ? ">=" : ">";
    const page = await pool.query<ExportRow>(
      `WITH page_end AS (
         SELECT max(t) AS t FROM (
           SELECT bucket AS t FROM ${table}
            WHERE series_id = ANY($1) AND bucket ${op} $2 AND bucket < $3
            ORDER BY bucket LIMIT ${PAGE_SIZE}) x)
       SELECT series_id, bucket AS t, min, max, sum / count AS avg, count, last FROM ${table}
        WHERE series_id = ANY($1) AND bucket ${op} $2 AND bucket <= (SELECT t FROM page_end) AND bucket < $3`,
      [ids, cursor, to],
    );
    if (page.rows.length === 0) return;
    await emit(page.rows);
    cursor = page.rows.reduce((m, r) => (r.t > m ? r.t : m), page.rows[0]!.t);
    cursorInclusive = false;
  }
}

const HOUR_MS = 3_600_000;
const MAX_STEP_MS = 24 * HOUR_MS;

/**
 * Raw readings through telemetry_points (raw and compacted alike), paged by time: each page is a time
 * window [start, end) of at most PAGE_SIZE readings whose width adapts to the data's density, cut
 * before its last instant when full, so an instant is never split and memory stays flat for any range.
 * After an empty window it jumps to the next stored reading.
 */
async function exportRaw(pool: pg.Pool, ids: number[], from: Date, to: Date, emit: (page: ExportRow[]) => Promise<void>) {
  let cursor = from.getTime();
  const end = to.getTime();
  let step = HOUR_MS;
  let jump = true;
  while (cursor < end) {
    if (jump) {
      const next = await nextReadingTime(pool, ids, new Date(cursor), to);
      if (next === null) return;
      cursor = Math.max(cursor, next);
    }
    let windowEnd = Math.min(end, cursor + step);
    const page = await pool.query<{ series_id: number; t: Date; value: number }>(
      `SELECT series_id, ts AS t, value FROM telemetry_points($1::int[], $2, $3) ORDER BY ts LIMIT ${PAGE_SIZE + 1}`,
      [ids, new Date(cursor), new Date(windowEnd)],
    );
    let rows: ExportRow[] = page.rows;
    if (rows.length > PAGE_SIZE) {
      // Full: keep the instants before the last one; the next page starts at it.
      const last = rows[rows.length - 1]!.t.getTime();
      rows = rows.filter((r) => r.t.getTime() < last);
      if (rows.length === 0) {
        // more than PAGE_SIZE readings at one instant: take that instant whole
        rows = (await pool.query<ExportRow>(`SELECT series_id, ts AS t, value FROM telemetry_points($1::int[], $2, $3)`, [ids, new Date(last), new Date(last + 1)])).rows;
        windowEnd = last + 1;
      } else {
        windowEnd = last;
      }
      step = Math.max(1000, Math.floor((windowEnd - cursor) / 2));
    } else if (rows.length < PAGE_SIZE / 2) {
      step = Math.min(MAX_STEP_MS, step * 2);
    }
    jump = rows.length === 0;
    if (rows.length > 0) await emit(rows);
    cursor = windowEnd;
  }
}

/** The earliest time >= from (and < to) with a stored reading of these series, as epoch ms; a compacted hour counts from its start. */
async function nextReadingTime(pool: pg.Pool, ids: number[], from: Date, to: Date): Promise<number | null> {
  const { rows } = await pool.query<{ t: Date | null }>(
    `SELECT least(
       (SELECT min(x.ts) FROM unnest($1::int[]) AS s(id)
          CROSS JOIN LATERAL (SELECT ts FROM telemetry_reading r WHERE r.series_id = s.id AND r.ts >= $2 AND r.ts < $3 ORDER BY ts LIMIT 1) x),
       (SELECT greatest(min(x.bucket), $2) FROM unnest($1::int[]) AS s(id)
          CROSS JOIN LATERAL (SELECT bucket FROM telemetry_compact c WHERE c.series_id = s.id AND c.bucket > $2::timestamptz - interval '1 hour' AND c.bucket < $3
                               ORDER BY bucket LIMIT 1) x)) AS t`,
    [ids, from, to],
  );
  return rows[0]?.t ? rows[0].t.getTime() : null;
}
