/**
 * The prediction run: every degradation model of trend/specs.ts on every matching component of every
 * system in service, on the latest hourly telemetry, then each organisation's trained failure-risk
 * model on its pump sets (risk/score-pump-risk.ts). Each forecast with enough data is stored as a
 * Prediction that explains itself (model and version, inputs, score, a sentence a manager reads) and
 * goes through the governed workflow (act-on-prediction.ts). The worker calls it every hour.
 *
 * A component without the watched series is simply not scored; one with too little data is listed
 * as skipped with the forecast's reason and stores nothing; one that fails is listed and the others
 * still run.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { PredictionAction } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { actOnPrediction, degradationProposal, type OkForecast } from "./act-on-prediction";
import { ensureDegradationModels, type DegradationModel } from "./models";
import { scorePumpRisk } from "./risk/score-pump-risk";
import { systemsInService } from "./systems-in-service";
import { readTrend, type Normalisation, type ResolvedLimit, type TrendRead } from "./read-trend";
import { forecastCrossing } from "./trend/forecast";
import { DEGRADATION_SPECS, type DegradationSpec } from "./trend/specs";

export interface PredictionRunResult {
  scored: number;
  skipped: { system: string; component: string; model: string; reason: string }[];
  actions: Partial<Record<PredictionAction, number>>;
  workOrders: { id: string; number: number; system: string; component: string; model: string }[];
  failed: { system: string; component: string; model: string; message: string }[];
}

export interface PredictionRunOptions {
  organizationId?: string;
  systemCode?: string;
}

export async function runPredictions(db: Db, now: Date, opts: PredictionRunOptions = {}, specs: readonly DegradationSpec[] = DEGRADATION_SPECS): Promise<PredictionRunResult> {
  const types = [...new Set(specs.flatMap((s) => s.componentTypes))];
  const systems = await db.treatmentSystem.findMany({
    where: systemsInService(opts),
    select: {
      id: true,
      code: true,
      organizationId: true,
      site: { select: { id: true, code: true } },
      limits: { select: { metricKey: true, min: true, max: true, source: true } },
      components: { where: { status: "active", type: { in: types } }, select: { id: true, code: true, type: true, parentId: true }, orderBy: { code: "asc" } },
    },
    orderBy: { code: "asc" },
  });
  if (opts.systemCode && systems.length === 0) throw notFound("System", opts.systemCode);

  const result: PredictionRunResult = { scored: 0, skipped: [], actions: {}, workOrders: [], failed: [] };
  const modelsByOrg = new Map<string, Promise<Map<string, DegradationModel>>>();
  for (const system of systems) {
    const limits = new Map(system.limits.map((l) => [l.metricKey, l]));
    for (const spec of specs) {
      const scored = system.components.filter((c) => spec.componentTypes.includes(c.type));
      for (const component of scored) {
        const where = { system: system.code, component: component.code, model: `${spec.key}@${spec.version}` };
        try {
          let models = modelsByOrg.get(system.organizationId);
          if (!models) modelsByOrg.set(system.organizationId, (models = ensureDegradationModels(db, system.organizationId, specs)));
          const model = (await models).get(spec.key);
          if (!model || model.status !== "active") {
            result.skipped.push({ ...where, reason: `the model is ${model?.status ?? "missing"}, not active` });
            continue;
          }
          const target = {
            organizationId: system.organizationId,
            systemId: system.id,
            componentId: component.id,
            limits,
            peers: new Set(scored.filter((c) => c.id !== component.id).map((c) => c.id)),
          };
          const read = await readTrend(db, target, spec, now);
          if (read.status === "no_series") continue;
          if (read.status === "unusable") {
            result.skipped.push({ ...where, reason: read.reason });
            continue;
          }
          const forecast = forecastCrossing(read.samples, {
            limit: read.limit.value,
            direction: spec.direction,
            now: now.getTime(),
            horizonHours: spec.horizonHours,
            transform: spec.transform,
          });
          if (!forecast.ok) {
            result.skipped.push({ ...where, reason: forecast.reason });
            continue;
          }
          const acted = await actOnPrediction(db, {
            organizationId: system.organizationId,
            system: { id: system.id, code: system.code, site: system.site },
            component,
            model,
            proposal: degradationProposal(spec, forecast, now),
            inputs: predictionInputs(spec, read, forecast),
            text: explainForecast(spec, forecast, read.unit, read.limit, read.normalisation),
            now,
          });
          result.scored++;
          result.actions[acted.action] = (result.actions[acted.action] ?? 0) + 1;
          if (acted.workOrder) result.workOrders.push({ ...acted.workOrder, ...where });
        } catch (err) {
          result.failed.push({ ...where, message: (err as Error).message });
        }
      }
    }
  }
  // the learnt failure-risk model of each organisation, on its pump sets
  for (const organizationId of new Set(systems.map((s) => s.organizationId))) {
    for (const item of await scorePumpRisk(db, organizationId, now, { systemCode: opts.systemCode })) {
      const where = { system: item.set.systemCode, component: item.set.pumpCode, model: item.model };
      const o = item.outcome;
      if ("skipped" in o) result.skipped.push({ ...where, reason: o.skipped });
      else if ("failed" in o) result.failed.push({ ...where, message: o.failed });
      else {
        result.scored++;
        result.actions[o.scored.action] = (result.actions[o.scored.action] ?? 0) + 1;
        if (o.scored.workOrder) result.workOrders.push({ ...o.scored.workOrder, ...where });
      }
    }
  }
  return result;
}

/** Everything the forecast was made from, stored with the prediction so it can be checked later. */
export function predictionInputs(spec: DegradationSpec, read: Extract<TrendRead, { status: "ok" }>, f: OkForecast): Prisma.InputJsonObject {
  return {
    metric: spec.metric,
    unit: read.unit,
    seriesId: read.seriesId,
    direction: spec.direction,
    points: f.points,
    spanHours: f.spanHours,
    window: { from: read.window.from.toISOString(), to: read.window.to.toISOString() },
    restartedAfter: read.restartedAfter?.toISOString() ?? null,
    running: read.running ? { ...read.running } : null,
    level: f.level,
    slopePerDay: f.slopePerDay,
    slopeLowPerDay: f.slopeLowPerDay,
    slopeHighPerDay: f.slopeHighPerDay,
    residualSd: f.residualSd,
    limit: f.limit,
    limitSource: read.limit.source,
    limitKind: read.limit.kind,
    alreadyPast: f.alreadyPast,
    transform: spec.transform,
    normalisation: read.normalisation ? { ...read.normalisation } : null,
    rulLowHours: f.rulLowHours,
    rulHighHours: f.rulHighHours,
  };
}

const METRIC_LABELS: Record<string, string> = { filter_dp: "Filter ΔP", uv_intensity: "UV intensity", vibration: "Vibration" };

/** Catalogue units as people write them. */
export function displayUnit(unit: string): string {
  return unit.replace(/m3/g, "m³").replace(/m2/g, "m²").replace(/^degC$/, "°C");
}

/** Two or three significant digits, as a manager reads a gauge. */
export function formatValue(x: number): string {
  const a = Math.abs(x);
  const s = a === 0 ? "0" : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
  return s.replace(/^-/, "−");
}

/** A limit keeps its written form: 1.0 bar, 4.5 mm/s, 45 W/m². */
function formatLimit(x: number): string {
  const s = Number.isInteger(x) && Math.abs(x) < 10 ? x.toFixed(1) : String(Number(x.toPrecision(3)));
  return s.replace(/^-/, "−");
}

/** "about 9 days (7–12)" or "about 20 hours (14–31)": days from two days on. */
export function formatRemaining(rulHours: number, lowHours: number | null, highHours: number | null): string {
  const inDays = rulHours >= 48;
  const n = (h: number) => String(Math.round(inDays ? h / 24 : h));
  const unit = inDays ? "days" : "hours";
  const range = lowHours === null ? "" : highHours === null ? ` (${n(lowHours)} or more)` : n(lowHours) === n(highHours) ? "" : ` (${n(lowHours)}–${n(highHours)})`;
  return `in about ${n(rulHours)} ${Math.round(inDays ? rulHours / 24 : rulHours) === 1 ? unit.slice(0, -1) : unit}${range}`;
}

/**
 * The sentence stored with the prediction and written into its work order, e.g. "Filter ΔP
 * (normalised to 8 m³/h, 20 °C) 0.62 bar, rising 0.041 bar/day (0.030–0.052): reaches 1.0 bar in
 * about 9 days (7–12); risk within 14 days 83 %."
 */
export function explainForecast(
  spec: DegradationSpec,
  f: OkForecast,
  unit: string,
  limit: Pick<ResolvedLimit, "kind">,
  normalisation: Pick<Normalisation, "refFlowM3h" | "referenceTemperatureC"> | null,
): string {
  const u = displayUnit(unit);
  const label = METRIC_LABELS[spec.metric] ?? spec.metric;
  const normalised = normalisation ? ` (normalised to ${String(Math.round(normalisation.refFlowM3h * 10) / 10)} m³/h, ${normalisation.referenceTemperatureC} °C)` : "";
  const lo = Math.min(f.slopeLowPerDay, f.slopeHighPerDay);
  const hi = Math.max(f.slopeLowPerDay, f.slopeHighPerDay);
  const sign = Math.sign(f.slopePerDay);
  let trend: string;
  if (sign === 0 || Math.sign(lo) !== sign || Math.sign(hi) !== sign) {
    // the interval holds both directions: no trend to speak of
    trend = `no clear trend (${formatValue(lo)} to ${formatValue(hi)} ${u}/day)`;
  } else {
    const [a, b] = sign > 0 ? [lo, hi] : [-hi, -lo];
    const range = formatValue(a) === formatValue(b) ? "" : ` (${formatValue(a)}–${formatValue(b)})`;
    trend = `${sign > 0 ? "rising" : "falling"} ${formatValue(Math.abs(f.slopePerDay))} ${u}/day${range}`;
  }
  const setpoint = limit.kind === "operating_limit" ? " (the validated setpoint)" : limit.kind === "fallback" ? " (default setpoint: the system has no validated one)" : "";
  const target = `${formatLimit(f.limit)} ${u}${setpoint}`;
  const crossing = f.alreadyPast
    ? `already at or past ${target}`
    : f.rulHours === null
      ? `not heading for ${target} at this rate`
      : `reaches ${target} ${formatRemaining(f.rulHours, f.rulLowHours, f.rulHighHours)}`;
  const horizonDays = Math.round(f.horizonHours / 24);
  return `${label}${normalised} ${formatValue(f.level)} ${u}, ${trend}: ${crossing}; risk within ${horizonDays} days ${Math.round(f.riskWithinHorizon * 100)} %.`;
}
