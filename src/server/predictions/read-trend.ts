/**
 * What a degradation model reads for one component: the hourly means of its watched series over the
 * model's window, only the hours the unit was running, ΔP normalised to a reference flow and 20 °C,
 * and the limit the trend is heading for. Reads the 1-hour rollups only, in one query per component
 * and model (the running series, flow and temperature are joined to the watched series by hour).
 *
 * Which series: the component's own, else one the system reports (findScheduleSeries: the
 * system-level series, else the system's only series of the metric). A series another component of
 * the same model reports is that component's: filter-2 is never scored on filter-1's ΔP.
 *
 * The window starts after the latest completed predictive order of the same model on the component:
 * once the cartridges were changed (or the lamp), the readings before say nothing about the new ones,
 * and the old rising trend would open the next order at once.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import { findScheduleSeries } from "@/server/maintenance/schedules/read-telemetry";
import { normaliseFilterDp } from "./trend/normalise";
import type { DegradationSpec, TrendSample } from "./trend/specs";

type DbOrTx = Db | Prisma.TransactionClient;

const DAY_MS = 86_400_000;
/** Filter ΔP is compared at 80 % of the validated maximum flow: a typical busy hour, not the peak. */
export const REF_FLOW_SHARE_OF_MAX = 0.8;
export const REFERENCE_TEMPERATURE_C = 20;

export interface OperatingLimitRow {
  min: number | null;
  max: number | null;
  source: string | null;
}

export interface TrendTarget {
  organizationId: string;
  systemId: string;
  componentId: string;
  /** the system's operating limits by metric key */
  limits: ReadonlyMap<string, OperatingLimitRow>;
  /** the system's other components this model scores: their own series are not this component's */
  peers: ReadonlySet<string>;
}

export interface ResolvedLimit {
  value: number;
  /** for people: where the number comes from */
  source: string;
  kind: "fixed" | "operating_limit" | "fallback";
}

/** The limit of a spec for a system: fixed, or the system's validated operating limit with the spec's fallback. */
export function resolveLimit(spec: DegradationSpec, limits: ReadonlyMap<string, OperatingLimitRow>): ResolvedLimit {
  const l = spec.limit;
  if (l.kind === "fixed") return { value: l.value, source: l.source, kind: "fixed" };
  const row = limits.get(spec.metric);
  const value = row?.[l.bound] ?? null;
  if (value !== null) {
    return { value, source: `operating limit ${l.bound} of ${spec.metric}${row?.source ? ` (${row.source})` : ""}: ${l.source}`, kind: "operating_limit" };
  }
  return { value: l.fallback, source: `default ${l.fallback}: the system has no operating limit ${l.bound} for ${spec.metric}`, kind: "fallback" };
}

export interface Normalisation {
  method: "filter_dp_flow_temperature";
  refFlowM3h: number;
  /** "operating_limit": validated max flow × 0.8; "window_median": the median hourly flow of the window */
  refFlowSource: "operating_limit" | "window_median";
  refFlowNote: string;
  referenceTemperatureC: number;
  flowSeriesId: number;
  temperatureSeriesId: number | null;
  /** hours normalised for flow only (no water temperature in that hour) */
  hoursWithoutTemperature: number;
  /** hours left out because they could not be normalised */
  hoursDropped: number;
}

export type TrendRead =
  | { status: "no_series" }
  | { status: "unusable"; reason: string }
  | {
      status: "ok";
      samples: TrendSample[];
      seriesId: number;
      unit: string;
      window: { from: Date; to: Date };
      /** the window was shortened to start after this completed predictive order */
      restartedAfter: Date | null;
      limit: ResolvedLimit;
      running: { metric: string; above: number; seriesId: number } | null;
      normalisation: Normalisation | null;
    };

/** The median of a non-empty list (sorted copy). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The reference flow filter ΔP is normalised to: 80 % of the system's validated maximum flow when
 * it has one, else the median hourly flow of the window (null: no flow at all).
 */
export function referenceFlow(limits: ReadonlyMap<string, OperatingLimitRow>, hourlyFlows: readonly number[]): Pick<Normalisation, "refFlowM3h" | "refFlowSource" | "refFlowNote"> | null {
  const max = limits.get("flow_rate")?.max ?? null;
  if (max !== null && max > 0) {
    const ref = max * REF_FLOW_SHARE_OF_MAX;
    return { refFlowM3h: ref, refFlowSource: "operating_limit", refFlowNote: `${REF_FLOW_SHARE_OF_MAX * 100} % of the validated maximum flow ${max} m³/h` };
  }
  const flows = hourlyFlows.filter((f) => f > 0);
  if (!flows.length) return null;
  const ref = median(flows);
  return { refFlowM3h: ref, refFlowSource: "window_median", refFlowNote: `the median hourly flow of the window (no validated maximum flow)` };
}

interface Row {
  since: Date;
  bucket: Date | null;
  v: number | null;
  flow: number | null;
  temp: number | null;
}

export async function readTrend(db: DbOrTx, target: TrendTarget, spec: DegradationSpec, now: Date): Promise<TrendRead> {
  const where = { organizationId: target.organizationId, systemId: target.systemId, componentId: target.componentId };
  const watched = await findScheduleSeries(db, where, [spec.metric]);
  if (!watched) return { status: "no_series" };
  const owner = await db.series.findUnique({ where: { id: watched.seriesId }, select: { componentId: true } });
  if (owner?.componentId && owner.componentId !== target.componentId && target.peers.has(owner.componentId)) return { status: "no_series" };

  const running = spec.runningOnly ? await findScheduleSeries(db, where, [spec.runningOnly.metric]) : null;
  if (spec.runningOnly && !running) {
    return { status: "unusable", reason: `no ${spec.runningOnly.metric} series on the system to tell the hours it was running` };
  }
  const normalising = spec.normalise === "filter_dp_flow_temperature";
  const flow = !normalising ? null : running?.metricKey === "flow_rate" ? running : await findScheduleSeries(db, where, ["flow_rate"]);
  if (normalising && !flow) return { status: "unusable", reason: `no flow_rate series on the system to normalise ${spec.metric} to a reference flow` };
  const temperature = normalising ? await findScheduleSeries(db, where, ["water_temperature"]) : null;

  const from = new Date(now.getTime() - spec.windowDays * DAY_MS);
  const runningId = running?.seriesId ?? null;
  const above = spec.runningOnly?.above ?? 0;
  // LEFT JOIN LATERAL: the window's start comes back even when no hour qualifies
  const rows = await db.$queryRaw<Row[]>`
    WITH since AS (
      SELECT greatest(${from}::timestamptz, coalesce(max(wo.completed_at), '-infinity'::timestamptz)) AS t
        FROM work_order wo
        JOIN prediction p ON p.id = wo.prediction_id
        JOIN predictive_model m ON m.id = p.model_id
       WHERE wo.component_id = ${target.componentId} AND wo.status = 'done' AND m.key = ${spec.key}
         AND wo.completed_at <= ${now}::timestamptz
    )
    SELECT since.t AS since, h.bucket, h.v, h.flow, h.temp
      FROM since
      LEFT JOIN LATERAL (
        SELECT x.bucket, x.sum / x.count AS v, f.sum / f.count AS flow, w.sum / w.count AS temp
          FROM telemetry_rollup_1h x
          LEFT JOIN telemetry_rollup_1h r ON r.series_id = ${runningId}::int AND r.bucket = x.bucket
          LEFT JOIN telemetry_rollup_1h f ON f.series_id = ${flow?.seriesId ?? null}::int AND f.bucket = x.bucket
          LEFT JOIN telemetry_rollup_1h w ON w.series_id = ${temperature?.seriesId ?? null}::int AND w.bucket = x.bucket
         WHERE x.series_id = ${watched.seriesId}::int
           AND x.bucket >= since.t AND x.bucket <= ${now}::timestamptz - interval '1 hour'
           AND (${runningId}::int IS NULL OR r.min > ${above}::float8)
      ) h ON true
     ORDER BY h.bucket`;
  const since = rows[0]?.since ?? from;
  const hours = rows.filter((r): r is Row & { bucket: Date; v: number } => r.bucket !== null && r.v !== null);
  const base = {
    status: "ok" as const,
    seriesId: watched.seriesId,
    unit: watched.unit,
    window: { from: since, to: now },
    restartedAfter: since.getTime() > from.getTime() ? since : null,
    limit: resolveLimit(spec, target.limits),
    running: running && spec.runningOnly ? { ...spec.runningOnly, seriesId: running.seriesId } : null,
  };
  if (!normalising || !flow) {
    return { ...base, samples: hours.map((h) => ({ t: h.bucket.getTime(), v: h.v })), normalisation: null };
  }

  const ref = referenceFlow(target.limits, hours.flatMap((h) => (h.flow !== null ? [h.flow] : [])));
  const samples: TrendSample[] = [];
  let withoutTemperature = 0;
  let dropped = 0;
  for (const h of hours) {
    const v = ref && h.flow !== null ? normaliseFilterDp(h.v, h.flow, h.temp, ref.refFlowM3h) : null;
    if (v === null || !Number.isFinite(v)) {
      dropped++;
      continue;
    }
    if (h.temp === null) withoutTemperature++;
    samples.push({ t: h.bucket.getTime(), v });
  }
  const normalisation: Normalisation = {
    method: "filter_dp_flow_temperature",
    refFlowM3h: ref?.refFlowM3h ?? 0,
    refFlowSource: ref?.refFlowSource ?? "window_median",
    refFlowNote: ref?.refFlowNote ?? "no flow in the window",
    referenceTemperatureC: REFERENCE_TEMPERATURE_C,
    flowSeriesId: flow.seriesId,
    temperatureSeriesId: temperature?.seriesId ?? null,
    hoursWithoutTemperature: withoutTemperature,
    hoursDropped: dropped,
  };
  return { ...base, samples, normalisation };
}
