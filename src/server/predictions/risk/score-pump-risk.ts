/**
 * Scoring the pump-set failure-risk model: for every pump set of the organisations that have an
 * active (or candidate) model, the features of the last complete hour (features.ts, the same code the
 * model was trained with), the probability of a failure within the horizon, and the features that
 * pushed it up, in a sentence. An active model's score at or above its threshold goes through the
 * governed workflow (act-on-prediction.ts); a candidate's is stored but never acted on.
 */
import { gunzipSync } from "node:zlib";
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";
import { boostedTreesFromJSON, predictProbability, type BoostedTrees } from "@/server/predictions/rul/gradient-boosting";
import { actOnPrediction, type ActResult, type Proposal } from "../act-on-prediction";
import { explainRow } from "./explain-risk";
import { PUMP_FEATURE_INDEX, PUMP_FEATURES, pumpFeatures } from "./features";
import { HOUR_MS } from "./pump-history";
import { listPumpSets, readPumpHistory, type PumpSet } from "./read-pump-history";
import { PUMP_RISK } from "./spec";
import type { RiskArtifact } from "./train-pump-risk-model";

export interface LoadedRiskModel {
  id: string;
  key: string;
  version: number;
  status: "active" | "candidate";
  trees: BoostedTrees;
  threshold: number;
  horizonHours: number;
}

const cache = new Map<string, LoadedRiskModel>();

/** The organisation's model in force (else its newest candidate), or null when none was trained. */
export async function loadRiskModel(db: Db, organizationId: string): Promise<LoadedRiskModel | null> {
  const row = await db.predictiveModel.findFirst({
    where: { organizationId, key: PUMP_RISK.key, status: { in: ["active", "candidate"] }, artifact: { not: null } },
    // "active" sorts before "candidate" in the enum's order: the model in force first, then the newest
    orderBy: [{ status: "asc" }, { version: "desc" }],
    select: { id: true, key: true, version: true, status: true },
  });
  if (!row) return null;
  const cached = cache.get(row.id);
  if (cached && cached.status === row.status) return cached;
  const { artifact } = await db.predictiveModel.findUniqueOrThrow({ where: { id: row.id }, select: { artifact: true } });
  const parsed = JSON.parse(gunzipSync(artifact!).toString("utf8")) as RiskArtifact;
  const expected = PUMP_FEATURES.map((f) => f.name).join(",");
  if (parsed.features.join(",") !== expected) throw new Error(`model ${row.key}@${row.version} was trained on other features (${parsed.features.join(", ")}); train it again`);
  const model: LoadedRiskModel = {
    id: row.id,
    key: row.key,
    version: row.version,
    status: row.status as "active" | "candidate",
    trees: boostedTreesFromJSON(parsed.trees),
    threshold: parsed.threshold,
    horizonHours: parsed.horizonHours,
  };
  cache.set(row.id, model);
  return model;
}

export interface RiskScore {
  probability: number;
  /** the row the model saw, by feature name (NaN as null) */
  features: Record<string, number | null>;
  /** features that raised the log-odds most, largest first */
  drivers: { feature: string; value: number | null; logOdds: number }[];
}

/** The features of the hour before `now` and the model's probability for them; null when the pump has too little data. */
export function scoreHistoryEnd(model: LoadedRiskModel, history: Parameters<typeof pumpFeatures>[0]): RiskScore | { skipped: string } {
  const { x } = pumpFeatures(history, history.hours - 1, history.hours);
  const coverage = x[PUMP_FEATURE_INDEX.coverage_24h]!;
  if (!(coverage >= PUMP_RISK.minCoverage)) {
    return { skipped: `only ${Math.round((Number.isNaN(coverage) ? 0 : coverage) * 100)} % of the last 24 hours have pump data (${Math.round(PUMP_RISK.minCoverage * 100)} % needed)` };
  }
  const probability = predictProbability(model.trees, x)[0]!;
  const why = explainRow(model.trees, x);
  const features: Record<string, number | null> = {};
  PUMP_FEATURES.forEach((f, i) => (features[f.name] = Number.isNaN(x[i]!) ? null : x[i]!));
  const drivers = PUMP_FEATURES.map((f, i) => ({ feature: f.name, value: features[f.name]!, logOdds: why.contributions[i]! }))
    .filter((d) => d.logOdds > 0.05)
    .sort((a, b) => b.logOdds - a.logOdds)
    .slice(0, 3);
  return { probability, features, drivers };
}

const DRIVER_TEXT: Record<string, (v: number) => string> = {
  vib_24h: (v) => `vibration ${v.toFixed(1)} mm/s (24 h mean)`,
  vib_max_24h: (v) => `vibration peaks of ${v.toFixed(1)} mm/s`,
  vib_change_7d: (v) => `vibration ${v >= 0 ? "up" : "down"} ${Math.abs(v).toFixed(1)} mm/s in a week`,
  vib_vs_baseline: (v) => `vibration ${v.toFixed(1)}× its level after the last service`,
  power_24h: (v) => `power ${v.toFixed(2)} kW`,
  specific_energy_24h: (v) => `${v.toFixed(2)} kWh per m³ pumped`,
  pressure_24h: (v) => `discharge pressure ${v.toFixed(1)} bar`,
  pressure_cv_24h: (v) => `discharge pressure fluctuating ±${Math.round(v * 100)} %`,
  flow_24h: (v) => `flow ${v.toFixed(1)} m³/h`,
  flow_change_7d: (v) => `flow ${v >= 0 ? "up" : "down"} ${Math.abs(v).toFixed(1)} m³/h in a week`,
  speed_24h: (v) => `speed ${Math.round(v)} %`,
  starts_24h: (v) => `${Math.round(v)} starts in a day`,
  running_hours_since_renewal: (v) => `${Math.round(v)} running hours since the last service`,
  hours_since_renewal: (v) => `${Math.round(v / 24)} days since the last service`,
  coverage_24h: (v) => `${Math.round(v * 100)} % data coverage`,
};

/** "Failure risk within 7 days 64 % (acts from 40 %): vibration 3.2× its level after the last service, vibration up 1.4 mm/s in a week." */
export function explainRisk(score: RiskScore, model: Pick<LoadedRiskModel, "threshold" | "horizonHours" | "status">): string {
  // below half a per cent reads "under 1 %", as the page's bar shows at least 1 %
  const pct = (p: number) => (p > 0 && p < 0.005 ? "under 1 %" : `${Math.round(p * 100)} %`);
  const why = score.drivers.filter((d) => d.value !== null).map((d) => DRIVER_TEXT[d.feature]!(d.value!));
  const head = `Failure risk within ${Math.round(model.horizonHours / 24)} days ${pct(score.probability)} (${model.status === "active" ? `acts from ${pct(model.threshold)}` : "candidate model: not acted on"})`;
  return why.length ? `${head}: ${why.join(", ")}.` : `${head}; nothing stands out.`;
}

export interface RiskRunItem {
  set: PumpSet;
  model: string;
  outcome: { scored: ActResult & { probability: number } } | { skipped: string } | { failed: string };
}

/** Scores every pump set of the organisation (or one system) with its model; nothing when it has none. */
export async function scorePumpRisk(db: Db, organizationId: string, now: Date, opts: { systemCode?: string } = {}): Promise<RiskRunItem[]> {
  const model = await loadRiskModel(db, organizationId);
  if (!model) return [];
  const ref = `${model.key}@${model.version}`;
  const end = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  const from = new Date(end.getTime() - PUMP_RISK.lookbackHours * HOUR_MS);
  const sets = await listPumpSets(db, { organizationId, systemCode: opts.systemCode });
  const items: RiskRunItem[] = [];
  for (const set of sets) {
    try {
      const history = await readPumpHistory(db, set, from, end);
      const score = scoreHistoryEnd(model, history);
      if ("skipped" in score) {
        items.push({ set, model: ref, outcome: score });
        continue;
      }
      const text = explainRisk(score, model);
      const acted = await actOnPrediction(db, {
        organizationId,
        system: { id: set.systemId, code: set.systemCode, site: { id: set.siteId, code: set.siteCode } },
        component: { id: set.pumpId, code: set.pumpCode, type: "pump", parentId: null },
        model,
        proposal: riskProposal(model, score, set, now),
        inputs: { features: score.features, drivers: score.drivers, threshold: model.threshold, modelStatus: model.status, hour: new Date(end.getTime() - HOUR_MS).toISOString() } as Prisma.InputJsonObject,
        text,
        now,
      });
      items.push({ set, model: ref, outcome: { scored: { ...acted, probability: score.probability } } });
    } catch (err) {
      items.push({ set, model: ref, outcome: { failed: (err as Error).message } });
    }
  }
  return items;
}

const VIBRATION = new Set(["vib_24h", "vib_max_24h", "vib_change_7d", "vib_vs_baseline"]);

/** The risk model's policy: act at the threshold (an active model only), due within two days, parts for the likely repair. */
export function riskProposal(model: Pick<LoadedRiskModel, "status" | "threshold" | "horizonHours">, score: RiskScore, set: Pick<PumpSet, "memberIds" | "pumpId">, now: Date): Proposal {
  // vibration-driven risk points at the motor's bearings; otherwise at the pump's seal, the commonest failure (domain.md §2.4)
  const bearings = score.drivers[0] !== undefined && VIBRATION.has(score.drivers[0].feature);
  return {
    kind: "failure_risk",
    score: score.probability,
    horizonHours: model.horizonHours,
    rulHours: null,
    qualifies: model.status === "active" && score.probability >= model.threshold,
    dueAt: new Date(now.getTime() + 2 * 24 * HOUR_MS),
    workOrder: PUMP_RISK.workOrder,
    partsFromBom: true,
    partComponentIds: bearings ? set.memberIds.filter((id) => id !== set.pumpId) : [set.pumpId],
    cooldownDays: PUMP_RISK.cooldownDays,
  };
}
