/**
 * The governed workflow of a prediction (design.md "Predictions are governed"), the same for every
 * model (a degradation trend, the failure-risk model): the prediction is stored with what was done
 * about it, in one transaction:
 * - it does not qualify (for a trend: remaining life above the model's threshold and risk below it;
 *   for the risk model: a probability below its action threshold): "none";
 * - a predictive order of the same model for the component is still open: "deduplicated";
 * - one was dismissed (cancelled) less than the model's cooldown ago: "cooling_down";
 * - else a predictive work order in "requested" (a manager approves or dismisses it, contracts.md
 *   roles) with the model's checklist, due at the earliest likely crossing, and one parts request per
 *   bill-of-materials part: "awaiting_approval".
 * Two runners scoring the same component and model queue on an advisory lock, so the second sees
 * the first's order and never opens a second one.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { ComponentType, ModelKind, PredictionAction, Priority } from "@/generated/prisma/enums";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { insertPartsRequest } from "@/server/maintenance/parts/parts-requests";
import { insertOrder, MAX_TITLE } from "@/server/maintenance/work-orders/create-work-order";
import type { DegradationSpec, Forecast } from "./trend/specs";

type Tx = Prisma.TransactionClient;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const PREDICTIONS_ACTOR: Actor = { type: "system", label: "predictions" };

export type OkForecast = Extract<Forecast, { ok: true }>;

/** The forecast calls for action: the limit is close (remaining life) or likely within the horizon (risk). */
export function qualifies(f: OkForecast, actWhen: DegradationSpec["actWhen"]): boolean {
  return (f.rulHours !== null && f.rulHours <= actWhen.rulHoursAtMost) || f.riskWithinHorizon >= actWhen.riskAtLeast;
}

/** When the order is due: the earliest likely crossing (the slope's fast bound), else the fitted one. */
export function orderDueAt(f: OkForecast, now: Date): Date | null {
  const hours = f.rulLowHours ?? f.rulHours;
  return hours === null ? null : new Date(now.getTime() + Math.max(0, hours) * HOUR_MS);
}

/** Components whose parts the replacement needs: a UV sensor reading low means the lamps and sleeves of its reactor. */
export const PART_SOURCES: Partial<Record<ComponentType, ComponentType[]>> = { uv_sensor: ["lamp", "sleeve"] };

/** What a model proposes, whatever the model: the policy of its spec applied to its output. */
export interface Proposal {
  kind: ModelKind;
  /** probability of reaching the limit / failing within the horizon */
  score: number;
  horizonHours: number;
  rulHours: number | null;
  /** the model's policy calls for action */
  qualifies: boolean;
  dueAt: Date | null;
  workOrder: { title: string; priority: Priority; checklist: readonly string[] };
  partsFromBom: boolean;
  /** the components whose bill of materials the parts come from (default: by PART_SOURCES, else the component) */
  partComponentIds?: string[];
  cooldownDays: number;
}

/** A degradation forecast as a proposal, by its spec's policy. */
export function degradationProposal(spec: DegradationSpec, f: OkForecast, now: Date): Proposal {
  return {
    kind: "degradation",
    score: f.riskWithinHorizon,
    horizonHours: f.horizonHours,
    rulHours: f.rulHours,
    qualifies: qualifies(f, spec.actWhen),
    dueAt: orderDueAt(f, now),
    workOrder: spec.workOrder,
    partsFromBom: spec.partsFromBom,
    cooldownDays: spec.cooldownDays,
  };
}

export interface PredictionToAct {
  organizationId: string;
  system: { id: string; code: string; site: { id: string; code: string } };
  component: { id: string; code: string; type: ComponentType; parentId: string | null };
  model: { id: string; key: string; version: number };
  proposal: Proposal;
  inputs: Prisma.InputJsonObject;
  /** the explanation a manager reads */
  text: string;
  now: Date;
}

export interface ActResult {
  predictionId: string;
  action: PredictionAction;
  workOrder: { id: string; number: number } | null;
  partsRequestIds: string[];
}

export async function actOnPrediction(db: Db, p: PredictionToAct): Promise<ActResult> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`prediction:${p.component.id}:${p.model.key}`}))`;
      const action = p.proposal.qualifies ? await decide(tx, p) : "none";
      const prediction = await tx.prediction.create({
        data: {
          organizationId: p.organizationId,
          modelId: p.model.id,
          systemId: p.system.id,
          componentId: p.component.id,
          kind: p.proposal.kind,
          score: p.proposal.score,
          horizonHours: p.proposal.horizonHours,
          rulHours: p.proposal.rulHours,
          inputs: p.inputs,
          explanation: { text: p.text, model: `${p.model.key}@${p.model.version}` },
          action,
          createdAt: p.now,
        },
        select: { id: true },
      });
      if (action !== "awaiting_approval") return { predictionId: prediction.id, action, workOrder: null, partsRequestIds: [] };
      const workOrder = await openPredictiveOrder(tx, p, prediction.id);
      const partsRequestIds = p.proposal.partsFromBom ? await requestParts(tx, p, prediction.id, workOrder) : [];
      return { predictionId: prediction.id, action, workOrder, partsRequestIds };
    },
    // a second runner may wait here for the first's transaction
    { maxWait: 10_000, timeout: 30_000 },
  );
}

/** Under the lock: the open order makes a duplicate, a recent dismissal a cooldown, else a new order. */
async function decide(tx: Tx, p: PredictionToAct): Promise<PredictionAction> {
  const sameModel = { componentId: p.component.id, type: "predictive" as const, prediction: { model: { key: p.model.key } } };
  const open = await tx.workOrder.findFirst({ where: { ...sameModel, status: { notIn: ["done", "cancelled"] } }, select: { id: true } });
  if (open) return "deduplicated";
  const dismissed = await tx.workOrderStatusChange.findFirst({
    where: { toStatus: "cancelled", at: { gt: new Date(p.now.getTime() - p.proposal.cooldownDays * DAY_MS) }, workOrder: sameModel },
    select: { id: true },
  });
  return dismissed ? "cooling_down" : "awaiting_approval";
}

async function openPredictiveOrder(tx: Tx, p: PredictionToAct, predictionId: string): Promise<{ id: string; number: number }> {
  const f = p.proposal;
  const modelRef = `${p.model.key}@${p.model.version}`;
  const title = `${f.workOrder.title} (${p.component.code})`;
  const order = await insertOrder(
    tx,
    { id: null, organizationId: p.organizationId },
    {
      type: "predictive",
      status: "requested",
      approvalStatus: "pending",
      priority: f.workOrder.priority,
      title: title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title,
      description: `${p.text}\n\nModel ${modelRef}, score ${f.score.toFixed(2)} (risk within ${Math.round(f.horizonHours / 24)} days); prediction ${predictionId}.`,
      systemId: p.system.id,
      componentId: p.component.id,
      assigneeId: null,
      dueAt: f.dueAt,
      alertId: null,
      checklist: f.workOrder.checklist.map((label) => ({ label, done: false })),
      predictionId,
      note: `proposed by model ${modelRef}; waits for a manager's approval`,
    },
  );
  await recordAudit(tx, PREDICTIONS_ACTOR, {
    organizationId: p.organizationId,
    action: "work_order.create_from_prediction",
    entityType: "work_order",
    entityId: order.id,
    details: {
      number: order.number,
      predictionId,
      model: modelRef,
      systemCode: p.system.code,
      componentCode: p.component.code,
      score: f.score,
      rulHours: f.rulHours,
    },
  });
  return order;
}

/**
 * One request per part of the bill of materials (quantities of the same part added up over the
 * components), for the system's site, with the explanation as the reason.
 */
async function requestParts(tx: Tx, p: PredictionToAct, predictionId: string, workOrder: { id: string; number: number }): Promise<string[]> {
  const sourceTypes = PART_SOURCES[p.component.type];
  const componentIds = p.proposal.partComponentIds
    ? p.proposal.partComponentIds
    : sourceTypes
    ? (
        await tx.component.findMany({
          // a sensor outside any reactor: the system's lamps and sleeves
          where: { systemId: p.system.id, status: "active", type: { in: sourceTypes }, ...(p.component.parentId ? { parentId: p.component.parentId } : {}) },
          select: { id: true },
        })
      ).map((c) => c.id)
    : [p.component.id];
  const lines = await tx.bomItem.findMany({
    where: { componentId: { in: componentIds }, part: { organizationId: p.organizationId } },
    select: { quantity: true, part: { select: { id: true, partNumber: true } } },
    orderBy: { part: { partNumber: "asc" } },
  });
  const byPart = new Map<string, { part: { id: string; partNumber: string }; quantity: number }>();
  for (const l of lines) {
    const entry = byPart.get(l.part.id) ?? { part: l.part, quantity: 0 };
    entry.quantity += l.quantity.toNumber();
    byPart.set(l.part.id, entry);
  }
  const ids: string[] = [];
  for (const { part, quantity } of byPart.values()) {
    if (!(quantity > 0)) continue;
    ids.push(
      await insertPartsRequest(tx, PREDICTIONS_ACTOR, {
        organizationId: p.organizationId,
        part,
        site: p.system.site,
        quantity,
        reason: p.text,
        workOrder,
        predictionId,
        requestedById: null,
      }),
    );
  }
  return ids;
}
