import type { Prisma } from "@/generated/prisma/client";
import type { ModelKind, PredictionAction, WorkOrderStatus } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { PUMP_FEATURES } from "./risk/features";
import { DEGRADATION_SPECS } from "./trend/specs";

export async function listModels(db: Db, organizationId: string) {
  return db.predictiveModel.findMany({
    where: { organizationId },
    select: { id: true, key: true, version: true, name: true, kind: true, componentType: true, algorithm: true, status: true, trainedAt: true, evaluation: true },
    orderBy: [{ key: "asc" }, { version: "desc" }],
  });
}

export async function listRecentPredictions(db: Db, organizationId: string, filter: { systemCode?: string; limit?: number } = {}) {
  const rows = await db.prediction.findMany({
    where: { organizationId, ...(filter.systemCode ? { system: { code: filter.systemCode } } : {}) },
    select: {
      id: true,
      kind: true,
      score: true,
      horizonHours: true,
      rulHours: true,
      action: true,
      createdAt: true,
      system: { select: { code: true } },
      component: { select: { code: true } },
      model: { select: { key: true, version: true } },
    },
    orderBy: { createdAt: "desc" },
    take: filter.limit ?? 50,
  });
  return rows.map((p) => ({
    id: p.id,
    kind: p.kind,
    score: p.score,
    horizonHours: p.horizonHours,
    rulHours: p.rulHours,
    action: p.action,
    createdAt: p.createdAt,
    system: p.system.code,
    component: p.component?.code ?? null,
    model: `${p.model.key}@${p.model.version}`,
  }));
}

// ── reading what a prediction stored about itself ──
// `inputs` and `explanation` are JSON written by the scoring job (run-predictions.ts) so that every
// automatic action can say why. They are read defensively: an older or hand-written row shows what
// it has rather than failing the work-order page.

type Scalar = string | number | boolean | null;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const finite = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

/** A key at the top level, else one level down (e.g. `forecast.rulLowHours`). */
function pick(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  for (const v of Object.values(obj)) if (isRecord(v) && key in v) return v[key];
  return undefined;
}

const MAX_INPUTS = 40;

/** Scalars of the inputs, nested keys dotted (`forecast.level`), short scalar lists joined; series and big arrays left out. */
export function flattenInputs(value: unknown): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  const walk = (v: unknown, prefix: string, depth: number) => {
    if (Object.keys(out).length >= MAX_INPUTS) return;
    if (v === null || typeof v === "string" || typeof v === "boolean") out[prefix] = v;
    else if (typeof v === "number") out[prefix] = Number.isFinite(v) ? v : null;
    else if (Array.isArray(v)) {
      if (v.length <= 10 && v.every((x) => typeof x === "string" || typeof x === "number")) out[prefix] = v.join(", ");
    } else if (isRecord(v) && depth < 3) {
      for (const [k, child] of Object.entries(v)) walk(child, prefix ? `${prefix}.${k}` : k, depth + 1);
    }
  };
  if (isRecord(value)) walk(value, "", 0);
  return out;
}

export interface PredictionReading {
  rulLowHours: number | null;
  rulHighHours: number | null;
  /** the limit the trend heads to, in the metric's unit */
  limit: number | null;
  /** where the limit comes from (a standard, the system's validated operating limit) */
  limitSource: string | null;
  metric: string | null;
  unit: string | null;
  inputs: Record<string, Scalar>;
}

/** The figures the order page shows, found in a prediction's stored inputs. */
export function readPredictionInputs(inputs: unknown): PredictionReading {
  const obj = isRecord(inputs) ? inputs : {};
  const limitValue = pick(obj, "limit");
  const limitObj = isRecord(limitValue) ? limitValue : null;
  return {
    rulLowHours: finite(pick(obj, "rulLowHours")),
    rulHighHours: finite(pick(obj, "rulHighHours")),
    limit: finite(limitValue) ?? (limitObj ? (finite(limitObj.value) ?? finite(limitObj.fallback)) : null),
    limitSource: text(pick(obj, "limitSource")) ?? (limitObj ? text(limitObj.source) : null),
    metric: text(pick(obj, "metric")),
    unit: text(pick(obj, "unit")),
    inputs: flattenInputs(inputs),
  };
}

/** The explanation as one text: stored as a string, `{ text | summary | message }` or a list of sentences. */
export function explanationText(explanation: unknown): string | null {
  if (typeof explanation === "string") return text(explanation);
  if (Array.isArray(explanation)) return text(explanation.filter((s) => typeof s === "string").join(" "));
  if (isRecord(explanation)) return text(explanation.text) ?? text(explanation.summary) ?? text(explanation.message);
  return null;
}

export const predictionViewSelect = {
  id: true,
  kind: true,
  score: true,
  horizonHours: true,
  rulHours: true,
  inputs: true,
  explanation: true,
  action: true,
  createdAt: true,
  model: { select: { key: true, version: true, name: true } },
} satisfies Prisma.PredictionSelect;

export interface PredictionView extends PredictionReading {
  id: string;
  model: { key: string; version: number; name: string; label: string };
  kind: ModelKind;
  /** probability (0..1) of reaching the limit within horizonHours; an anomaly score for anomaly models */
  score: number;
  horizonHours: number | null;
  rulHours: number | null;
  explanation: string | null;
  action: PredictionAction;
  createdAt: Date;
  /** failure-risk predictions: what raised the risk most; empty for trends */
  drivers: RiskDriver[];
  /** failure-risk predictions: the probability from which the model acts */
  threshold: number | null;  /** false for a candidate model's score: shown, never acted on */
  actedOn: boolean;
}

export function toPredictionView(p: Prisma.PredictionGetPayload<{ select: typeof predictionViewSelect }>): PredictionView {
  return {
    id: p.id,
    model: { key: p.model.key, version: p.model.version, name: p.model.name, label: `${p.model.key}@${p.model.version}` },
    kind: p.kind,
    score: p.score,
    horizonHours: p.horizonHours,
    rulHours: p.rulHours,
    ...readPredictionInputs(p.inputs),
    explanation: explanationText(p.explanation),
    action: p.action,
    createdAt: p.createdAt,
    ...readRiskInputs(p.kind === "failure_risk" ? p.inputs : null),
  };
}

// ── the latest prediction per component and model ──

const OPEN_ORDER_STATUSES: WorkOrderStatus[] = ["requested", "open", "in_progress", "on_hold"];

const keyOf = (systemId: string, componentId: string | null, modelKey: string) => `${systemId}/${componentId ?? ""}/${modelKey}`;

export interface LatestPrediction {
  id: string;
  system: string;
  systemName: string;
  /** the component's code; null for a prediction about the whole system */
  component: string | null;
  componentName: string | null;
  /** key@version */
  model: string;
  modelName: string;
  kind: ModelKind;
  score: number;
  horizonHours: number | null;
  rulHours: number | null;
  /** the remaining life's range, from the stored inputs */
  rulLowHours: number | null;
  rulHighHours: number | null;
  action: PredictionAction;
  explanation: string | null;
  createdAt: Date;
  /** "cooling_down": the latest dismissal of this model's order on the component plus the model's cooldown */
  cooldownUntil: Date | null;
  /** the open predictive order for this component and model key, if any (opened by this or an earlier prediction) */
  workOrder: { id: string; number: number; status: WorkOrderStatus } | null;
  /** failure-risk predictions: the features that raised the risk most, with their values */
  drivers: RiskDriver[];
  /** failure-risk predictions: the probability from which the model acts (null for trends) */
  threshold: number | null;  /** false for a candidate model's score: shown, never acted on */
  actedOn: boolean;
}

export interface RiskDriver {
  feature: string;
  /** what the feature measures, e.g. "Vibration, mean of the last 24 h" */
  label: string;
  unit: string;
  value: number | null;
  /** how much it raised the log-odds */
  logOdds: number;
}

const FEATURE_INFO = new Map<string, { description: string; unit: string }>(PUMP_FEATURES.map((f) => [f.name, f]));

/** The drivers, threshold and model status a failure-risk prediction stored in its inputs (score-pump-risk.ts). */
export function readRiskInputs(inputs: unknown): { drivers: RiskDriver[]; threshold: number | null; actedOn: boolean } {
  const obj = isRecord(inputs) ? inputs : {};
  const drivers = Array.isArray(obj.drivers)
    ? obj.drivers.flatMap((d) => {
        if (!isRecord(d) || typeof d.feature !== "string") return [];
        const info = FEATURE_INFO.get(d.feature);
        return [{ feature: d.feature, label: info?.description ?? d.feature, unit: info?.unit ?? "", value: finite(d.value), logOdds: finite(d.logOdds) ?? 0 }];
      })
    : [];
  // a candidate model's scores are stored and shown, never acted on
  return { drivers, threshold: finite(obj.threshold), actedOn: obj.modelStatus !== "candidate" };
}

/**
 * The newest prediction of each model (by key, any version) for each component (or whole system) of the organisation,
 * with the open predictive order it or an earlier prediction of the same model opened: a later
 * run that found the order already open ("deduplicated") still points at it.
 */
export async function listLatestPredictions(db: Db, organizationId: string, filter: { systemCode?: string } = {}): Promise<LatestPrediction[]> {
  let systemId: string | null = null;
  if (filter.systemCode) {
    const system = await db.treatmentSystem.findFirst({ where: { organizationId, code: filter.systemCode }, select: { id: true } });
    if (!system) throw notFound("System", filter.systemCode);
    systemId = system.id;
  }
  // per model key: a new version of a model takes over from the old one rather than listing both
  const latest = await db.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT ON (p.system_id, p.component_id, m.key) p.id
    FROM prediction p
    JOIN predictive_model m ON m.id = p.model_id
    WHERE p.organization_id = ${organizationId} AND (${systemId}::text IS NULL OR p.system_id = ${systemId})
    ORDER BY p.system_id, p.component_id, m.key, p.created_at DESC, p.id DESC`;
  if (latest.length === 0) return [];
  const rows = await db.prediction.findMany({
    where: { id: { in: latest.map((r) => r.id) } },
    select: {
      id: true,
      systemId: true,
      componentId: true,
      kind: true,
      score: true,
      horizonHours: true,
      rulHours: true,
      action: true,
      inputs: true,
      explanation: true,
      createdAt: true,
      system: { select: { code: true, name: true } },
      component: { select: { code: true, name: true } },
      model: { select: { key: true, version: true, name: true, params: true } },
    },
  });
  const orders = await db.workOrder.findMany({
    where: {
      organizationId,
      type: "predictive",
      status: { in: OPEN_ORDER_STATUSES },
      systemId: { in: [...new Set(rows.map((r) => r.systemId))] },
      // by key, as the job de-duplicates: an order of an earlier version of the model still counts
      prediction: { model: { key: { in: [...new Set(rows.map((r) => r.model.key))] } } },
    },
    select: { id: true, number: true, status: true, systemId: true, componentId: true, prediction: { select: { model: { select: { key: true } } } } },
    orderBy: [{ createdAt: "desc" }, { number: "desc" }],
  });
  const openOrder = new Map<string, { id: string; number: number; status: WorkOrderStatus }>();
  for (const o of orders) {
    if (!o.prediction) continue;
    const key = keyOf(o.systemId, o.componentId, o.prediction.model.key);
    if (!openOrder.has(key)) openOrder.set(key, { id: o.id, number: o.number, status: o.status });
  }
  const dismissedAt = await latestDismissals(db, organizationId, rows.filter((r) => r.action === "cooling_down"));
  const cooldownUntil = (p: (typeof rows)[number]): Date | null => {
    const at = dismissedAt.get(keyOf(p.systemId, p.componentId, p.model.key));
    const params = p.model.params as { cooldownDays?: unknown } | null;
    const days = typeof params?.cooldownDays === "number" ? params.cooldownDays : DEGRADATION_SPECS.find((s) => s.key === p.model.key)?.cooldownDays;
    return at && days !== undefined ? new Date(at.getTime() + days * 86_400_000) : null;
  };
  return rows
    .map((p) => ({
      ...rulRange(p.inputs),
      id: p.id,
      system: p.system.code,
      systemName: p.system.name,
      component: p.component?.code ?? null,
      componentName: p.component?.name ?? null,
      model: `${p.model.key}@${p.model.version}`,
      modelName: p.model.name,
      kind: p.kind,
      score: p.score,
      horizonHours: p.horizonHours,
      rulHours: p.rulHours,
      action: p.action,
      explanation: explanationText(p.explanation),
      createdAt: p.createdAt,
      cooldownUntil: p.action === "cooling_down" ? cooldownUntil(p) : null,
      workOrder: openOrder.get(keyOf(p.systemId, p.componentId, p.model.key)) ?? null,
      ...readRiskInputs(p.kind === "failure_risk" ? p.inputs : null),
    }))
    .sort((a, b) => a.system.localeCompare(b.system) || (a.component ?? "").localeCompare(b.component ?? "") || a.model.localeCompare(b.model));
}

function rulRange(inputs: unknown): Pick<LatestPrediction, "rulLowHours" | "rulHighHours"> {
  const { rulLowHours, rulHighHours } = readPredictionInputs(inputs);
  return { rulLowHours, rulHighHours };
}

/** When the predictive order of each (system, component, model key) was last dismissed, as the job's cooldown counts it. */
async function latestDismissals(db: Db, organizationId: string, rows: { systemId: string; componentId: string | null; model: { key: string } }[]): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  if (rows.length === 0) return out;
  const changes = await db.workOrderStatusChange.findMany({
    where: {
      toStatus: "cancelled",
      workOrder: { organizationId, type: "predictive", systemId: { in: rows.map((r) => r.systemId) }, prediction: { model: { key: { in: rows.map((r) => r.model.key) } } } },
    },
    select: { at: true, workOrder: { select: { systemId: true, componentId: true, prediction: { select: { model: { select: { key: true } } } } } } },
    orderBy: { at: "desc" },
  });
  for (const c of changes) {
    if (!c.workOrder.prediction) continue;
    const key = keyOf(c.workOrder.systemId, c.workOrder.componentId, c.workOrder.prediction.model.key);
    if (!out.has(key)) out.set(key, c.at);
  }
  return out;
}
