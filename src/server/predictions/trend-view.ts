/**
 * What the Predictions page draws for one stored prediction: the hourly values the model was fitted
 * on, its fitted trend carried forward to the limit, and the limit. The values are read again with
 * the job's own reader (readTrend) as of the prediction's time, so the chart shows what the model saw,
 * live or weeks later; the line comes from the stored fit (level and slope at that time, linear or
 * log), never from a second fit that could disagree with the stored numbers.
 */
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { readPredictionInputs } from "./list-predictions";
import { readTrend } from "./read-trend";
import { DEGRADATION_SPECS, type TrendSample } from "./trend/specs";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** a log trend is a curve: drawn through this many points */
const CURVE_POINTS = 21;
const DEFAULT_HORIZON_HOURS = 14 * 24;

export interface PredictionTrend {
  predictionId: string;
  /** the catalogue's name of the metric, with the normalisation when the values are normalised */
  metricName: string;
  /** the catalogue unit (m3/h, W/m2, …) */
  unit: string;
  limit: number | null;
  /** epoch ms: when the prediction was scored; the fitted level is as of then */
  scoredAt: number;
  samples: TrendSample[];
  fitted: TrendSample[];
  /** why there are no values to show (the series is gone, the model is no longer in this version) */
  note: string | null;
}

export interface FittedLineInput {
  level: number;
  /** the rate of change at `at` (for "log" the derivative level·b of level·e^(b·d)) */
  slopePerDay: number;
  transform: "linear" | "log";
  /** epoch ms of the fit's reference time (the prediction's `now`) */
  at: number;
  from: number;
  to: number;
}

/**
 * The stored fit as points from `from` to `to`: the ends for a straight line, a curve of
 * CURVE_POINTS for "log" (v = level·e^(b·d), d in days from `at`, b = slopePerDay/level).
 */
export function fittedLine(f: FittedLineInput): TrendSample[] {
  if (![f.level, f.slopePerDay, f.at, f.from, f.to].every(Number.isFinite) || f.to <= f.from) return [];
  const log = f.transform === "log" && f.level > 0;
  const b = log ? f.slopePerDay / f.level : f.slopePerDay;
  const valueAt = (t: number) => {
    const d = (t - f.at) / DAY_MS;
    return log ? f.level * Math.exp(b * d) : f.level + b * d;
  };
  const n = log ? CURVE_POINTS : 2;
  return Array.from({ length: n }, (_, i) => {
    const t = i === n - 1 ? f.to : Math.round(f.from + ((f.to - f.from) * i) / (n - 1));
    return { t, v: valueAt(t) };
  });
}

/**
 * Where the line stops: at the crossing when it comes within the horizon, else at the horizon (a
 * crossing months away would squeeze the two weeks of data into a sliver); at the scoring time when
 * the level was already past the limit.
 */
export function fittedEnd(at: number, rulHours: number | null, horizonHours: number | null): number {
  const horizon = horizonHours !== null && horizonHours > 0 ? horizonHours : DEFAULT_HORIZON_HOURS;
  if (rulHours === null) return at + horizon * HOUR_MS;
  return at + Math.min(Math.max(0, rulHours), horizon) * HOUR_MS;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export async function readPredictionTrend(db: Db, organizationId: string, predictionId: string): Promise<PredictionTrend> {
  const p = await db.prediction.findFirst({
    where: { id: predictionId, organizationId },
    select: {
      id: true,
      systemId: true,
      componentId: true,
      horizonHours: true,
      rulHours: true,
      inputs: true,
      createdAt: true,
      model: { select: { key: true, version: true } },
    },
  });
  if (!p) throw notFound("Prediction", predictionId);

  const stored = readPredictionInputs(p.inputs);
  // the fields run-predictions.ts (predictionInputs) writes
  const inputs = record(p.inputs);
  const spec = DEGRADATION_SPECS.find((s) => s.key === p.model.key && s.version === p.model.version) ?? null;
  const metricKey = stored.metric ?? spec?.metric ?? null;
  const metric = metricKey ? await db.metric.findUnique({ where: { key: metricKey }, select: { name: true, unit: true } }) : null;
  const at = p.createdAt.getTime();

  let samples: TrendSample[] = [];
  let note: string | null = null;
  let readFrom: number | null = null;
  let readUnit: string | null = null;
  if (!spec || !p.componentId) {
    note = `model ${p.model.key}@${p.model.version} is not a trend model this version of EcoMate can read again`;
  } else {
    const system = await db.treatmentSystem.findUniqueOrThrow({
      where: { id: p.systemId },
      select: {
        limits: { select: { metricKey: true, min: true, max: true, source: true } },
        components: { where: { status: "active", type: { in: spec.componentTypes } }, select: { id: true } },
      },
    });
    // the same target the job builds (run-predictions.ts), as of the prediction's time
    const read = await readTrend(
      db,
      {
        organizationId,
        systemId: p.systemId,
        componentId: p.componentId,
        limits: new Map(system.limits.map((l) => [l.metricKey, l])),
        peers: new Set(system.components.filter((c) => c.id !== p.componentId).map((c) => c.id)),
      },
      spec,
      p.createdAt,
    );
    if (read.status === "ok") {
      samples = read.samples;
      readFrom = read.window.from.getTime();
      readUnit = read.unit;
    } else {
      note = read.status === "no_series" ? `the ${spec.metric} series of this component is no longer there` : read.reason;
    }
  }

  const level = num(inputs.level);
  const slopePerDay = num(inputs.slopePerDay);
  const windowFrom = record(inputs.window).from;
  const storedFrom = typeof windowFrom === "string" ? Date.parse(windowFrom) : NaN;
  const from = Number.isFinite(storedFrom) ? storedFrom : (readFrom ?? at - (spec?.windowDays ?? 14) * DAY_MS);
  const transform = inputs.transform === "log" ? "log" : "linear";
  const fitted =
    level !== null && slopePerDay !== null ? fittedLine({ level, slopePerDay, transform, at, from, to: fittedEnd(at, p.rulHours, p.horizonHours) }) : [];

  const normalisation = record(inputs.normalisation);
  const refFlow = num(normalisation.refFlowM3h);
  const refTemp = num(normalisation.referenceTemperatureC);
  const name = metric?.name ?? metricKey ?? "value";
  return {
    predictionId: p.id,
    metricName: refFlow !== null ? `${name} (normalised to ${Math.round(refFlow * 10) / 10} m³/h${refTemp !== null ? `, ${refTemp} °C` : ""})` : name,
    unit: stored.unit ?? readUnit ?? metric?.unit ?? "",
    limit: stored.limit,
    scoredAt: at,
    samples,
    fitted,
    note,
  };
}
