/**
 * The failure-risk model as the predictions page shows it: every trained version, newest first,
 * with its state (training and how far, in force, candidate, retired, failed and why) and what its
 * held-out check measured. Read defensively from the evaluation JSON the training job wrote.
 */
import type { ModelStatus } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { PUMP_FEATURES } from "./features";
import { PUMP_RISK } from "./spec";

export interface RiskModelVersion {
  id: string;
  version: number;
  status: ModelStatus;
  /** 0..1 while training */
  progress: number | null;
  createdAt: Date;
  trainedAt: Date | null;
  /** why it is not in force, or what the check said */
  message: string | null;
  check: {
    auc: number | null;
    baseRate: number;
    threshold: number;
    precision: number | null;
    recall: number | null;
    brier: number | null;
    trainingFailures: number;
    holdoutFailures: number;
    pumpSets: number;
    trainingRows: number;
    split: string;
    to: string;
    trainSeconds: number;
  } | null;
  importance: { feature: string; description: string; share: number }[];
}

export interface RiskModelView {
  key: string;
  name: string;
  horizonHours: number;
  retrainEveryDays: number;
  versions: RiskModelVersion[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const describe = new Map(PUMP_FEATURES.map((f) => [f.name as string, f.description]));

export function readRiskEvaluation(evaluation: unknown): Pick<RiskModelVersion, "message" | "check" | "importance"> {
  const e = isRecord(evaluation) ? evaluation : {};
  const h = isRecord(e.holdout) ? e.holdout : null;
  const message = str(e.verdict) ?? str(e.reason);
  const importance = Array.isArray(e.importance)
    ? e.importance.flatMap((i) => (isRecord(i) && str(i.feature) && num(i.share) !== null ? [{ feature: i.feature as string, description: describe.get(i.feature as string) ?? (i.feature as string), share: i.share as number }] : []))
    : [];
  const check = h
    ? {
        auc: num(h.auc),
        baseRate: num(e.baseRate) ?? num(h.baseRate) ?? 0,
        threshold: num(h.threshold) ?? 0.5,
        precision: num(h.precision),
        recall: num(h.recall),
        brier: num(h.brier),
        trainingFailures: num(e.trainingFailures) ?? 0,
        holdoutFailures: num(e.holdoutFailures) ?? 0,
        pumpSets: num(e.pumpSets) ?? 0,
        trainingRows: num(e.trainingRows) ?? 0,
        split: str(e.split) ?? "",
        to: str(e.to) ?? "",
        trainSeconds: num(e.trainSeconds) ?? 0,
      }
    : null;
  return { message, check, importance };
}

export async function getRiskModelView(db: Db, organizationId: string): Promise<RiskModelView> {
  const rows = await db.predictiveModel.findMany({
    where: { organizationId, key: PUMP_RISK.key },
    select: { id: true, version: true, status: true, progress: true, createdAt: true, trainedAt: true, evaluation: true },
    orderBy: { version: "desc" },
    take: 20,
  });
  return {
    key: PUMP_RISK.key,
    name: PUMP_RISK.name,
    horizonHours: PUMP_RISK.horizonHours,
    retrainEveryDays: PUMP_RISK.retrainEveryDays,
    versions: rows.map((r) => ({ id: r.id, version: r.version, status: r.status, progress: r.progress, createdAt: r.createdAt, trainedAt: r.trainedAt, ...readRiskEvaluation(r.evaluation) })),
  };
}
