/**
 * Reliability per component type, system model or site: MTBF, MTTR, availability, failures by mode and
 * a Weibull fit with censored units. How each figure is computed: docs/maintenance.md "Reliability".
 */
import type { ComponentType } from "@/generated/prisma/enums";
import { getPool, type Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { deriveRepairsFromTelemetry } from "./derive-repairs";
import { componentLives, type FailureEvent } from "./lives";
import type { Interval } from "./repair-time";
import { fitWeibull, medianRanks, reliabilityCurve, type Confidence, type LifeSample, type ReliabilityPoint } from "./weibull";

export type ReliabilityGroupBy = "componentType" | "systemModel" | "site";

export interface ReliabilityInput {
  groupBy: ReliabilityGroupBy;
  /** failures from (inclusive; default: all history) ... */
  from?: Date;
  /** ... to (exclusive; default: now) */
  to?: Date;
  confidence?: Confidence;
  /** the clock (tests) */
  now?: Date;
}

export interface WeibullSummary {
  beta: number;
  eta: number;
  betaInterval: [number, number] | null;
  etaInterval: [number, number] | null;
  confidence: Confidence;
  /** η Γ(1 + 1/β), hours */
  meanLifeHours: number;
  failures: number;
  suspensions: number;
  /** the failures' plotting positions (Johnson's adjusted ranks, Bernard): hours, unreliability */
  points: { t: number; f: number }[];
  /** R(t) with its confidence band, from 0 to about where R falls to 1 % */
  curve: ReliabilityPoint[];
}

export interface ReliabilityGroup {
  key: string;
  label: string;
  components: number;
  /** failures inside the period (corrective orders with a failure mode) */
  failures: number;
  /** life samples: failed ones and still-running (censored) ones */
  lives: { failed: number; censored: number };
  operatingHours: number;
  /** operating hours / failed lives; null without a failure */
  mtbfHours: number | null;
  /** mean repair downtime; null when no repair time is known */
  mttrHours: number | null;
  /** where the repair times came from */
  repairs: { logged: number; telemetry: number; unknown: number };
  availability: {
    /** MTBF / (MTBF + MTTR) */
    inherent: number | null;
    /** (time in service − repair downtime) / time in service, from the records of the period */
    measured: number | null;
  };
  failuresByMode: { code: string; name: string; count: number }[];
  weibull: WeibullSummary | null;
  /** why there is no Weibull fit */
  weibullNote: string | null;
}

export interface ReliabilitySummary {
  groupBy: ReliabilityGroupBy;
  from: Date | null;
  to: Date;
  confidence: Confidence;
  /** every component of the organisation together */
  overall: ReliabilityGroup;
  groups: ReliabilityGroup[];
}

const HOUR = 3_600_000;

interface ComponentFacts {
  id: string;
  groupKey: string;
  groupLabel: string;
  installedAt: number | null;
  end: number;
}

interface FailureFacts extends FailureEvent {
  componentId: string;
  mode: { code: string; name: string };
  source: "logged" | "telemetry" | "unknown";
}

function groupOf(c: { type: ComponentType; system: { model: { id: string; manufacturer: string; name: string }; site: { id: string; name: string } } }, by: ReliabilityGroupBy) {
  if (by === "componentType") return { key: c.type, label: c.type.replace(/_/g, " ") };
  if (by === "systemModel") return { key: c.system.model.id, label: `${c.system.model.manufacturer} ${c.system.model.name}` };
  return { key: c.system.site.id, label: c.system.site.name };
}

export async function summarizeReliability(db: Db, scope: Scope, input: ReliabilityInput): Promise<ReliabilitySummary> {
  const now = input.now ?? new Date();
  const to = input.to ?? now;
  const from = input.from ?? null;
  const confidence = input.confidence ?? 0.9;
  if (from && !(from < to)) {
    throw new AppError("BAD_REQUEST", `Reliability period is empty: "from" (${from.toISOString()}) must be before "to" (${to.toISOString()}).`);
  }
  const end = Math.min(to.getTime(), now.getTime());

  const components = await db.component.findMany({
    where: { system: orgFilter(scope) },
    select: {
      id: true,
      type: true,
      installedAt: true,
      removedAt: true,
      system: {
        select: {
          commissionedAt: true,
          model: { select: { id: true, manufacturer: true, name: true } },
          site: { select: { id: true, name: true } },
        },
      },
    },
  });
  const facts = new Map<string, ComponentFacts>();
  for (const c of components) {
    const installed = c.installedAt ?? c.system.commissionedAt;
    // not yet in service during the period
    if (installed && installed.getTime() >= end) continue;
    const g = groupOf(c, input.groupBy);
    facts.set(c.id, {
      id: c.id,
      groupKey: g.key,
      groupLabel: g.label,
      installedAt: installed ? installed.getTime() : null,
      end: c.removedAt ? Math.min(end, c.removedAt.getTime()) : end,
    });
  }

  // Failures: corrective orders with a failure mode on a component, failure time = downtime start ?? opened.
  const orders = await db.workOrder.findMany({
    where: {
      ...orgFilter(scope),
      type: "corrective",
      status: { not: "cancelled" },
      failureModeId: { not: null },
      componentId: { in: [...facts.keys()] },
      OR: [{ downtimeStart: { lt: to } }, { downtimeStart: null, createdAt: { lt: to } }],
    },
    select: {
      id: true,
      systemId: true,
      componentId: true,
      createdAt: true,
      downtimeStart: true,
      downtimeEnd: true,
      failureMode: { select: { code: true, name: true } },
    },
  });
  const failures: FailureFacts[] = [];
  const toDerive: { id: string; systemId: string; at: Date }[] = [];
  for (const o of orders) {
    const at = o.downtimeStart ?? o.createdAt;
    const logged: Interval | null =
      o.downtimeStart && o.downtimeEnd && o.downtimeEnd > o.downtimeStart ? { start: o.downtimeStart.getTime(), end: o.downtimeEnd.getTime() } : null;
    if (!logged) toDerive.push({ id: o.id, systemId: o.systemId, at });
    failures.push({
      id: o.id,
      componentId: o.componentId!,
      at: at.getTime(),
      repair: logged,
      mode: o.failureMode!,
      source: logged ? "logged" : "unknown",
    });
  }
  const derived = await deriveRepairsFromTelemetry(db, getPool(), toDerive);
  for (const f of failures) {
    const d = derived.get(f.id);
    if (d) {
      f.repair = d;
      f.source = "telemetry";
    }
  }

  const byComponent = new Map<string, FailureFacts[]>();
  for (const f of failures) {
    const list = byComponent.get(f.componentId) ?? [];
    list.push(f);
    byComponent.set(f.componentId, list);
  }
  const groups = new Map<string, { label: string; members: ComponentFacts[] }>();
  for (const c of facts.values()) {
    const g = groups.get(c.groupKey) ?? { label: c.groupLabel, members: [] };
    g.members.push(c);
    groups.set(c.groupKey, g);
  }

  const summarize = (key: string, label: string, members: ComponentFacts[]): ReliabilityGroup => {
    const samples: LifeSample[] = [];
    const counted: FailureFacts[] = [];
    let observed = 0;
    let down = 0;
    let observedKnown = false;
    for (const c of members) {
      const lives = componentLives({ installedAt: c.installedAt, from: from?.getTime() ?? null, end: c.end, failures: byComponent.get(c.id) ?? [] });
      samples.push(...lives.samples);
      counted.push(...(lives.failures as FailureFacts[]));
      if (lives.observedHours !== null) {
        observedKnown = true;
        observed += lives.observedHours;
        down += lives.downtimeHours ?? 0;
      }
    }
    const failed = samples.filter((s) => s.failed).length;
    const operatingHours = samples.reduce((sum, s) => sum + s.time, 0);
    const repairHours = counted.filter((f) => f.repair).map((f) => (f.repair!.end - f.repair!.start) / HOUR);
    const mtbf = failed > 0 ? operatingHours / failed : null;
    const mttr = repairHours.length ? repairHours.reduce((a, b) => a + b, 0) / repairHours.length : null;
    const modes = new Map<string, { code: string; name: string; count: number }>();
    for (const f of counted) {
      const m = modes.get(f.mode.code) ?? { ...f.mode, count: 0 };
      m.count++;
      modes.set(f.mode.code, m);
    }
    const result = fitWeibull(samples, confidence);
    let weibull: WeibullSummary | null = null;
    if (result.fit) {
      const fit = result.fit;
      // draw R(t) out to where 1 % survive, or a little past the longest life seen
      const r01 = fit.eta * Math.log(100) ** (1 / fit.beta);
      const longest = Math.max(...samples.map((s) => s.time));
      weibull = {
        beta: fit.beta,
        eta: fit.eta,
        betaInterval: fit.betaInterval,
        etaInterval: fit.etaInterval,
        confidence,
        meanLifeHours: fit.meanLife,
        failures: fit.failures,
        suspensions: fit.suspensions,
        points: medianRanks(samples).map((p) => ({ t: p.time, f: p.unreliability })),
        curve: reliabilityCurve(fit, Math.max(Math.min(r01, longest * 3), longest * 1.1), 48),
      };
    }
    return {
      key,
      label,
      components: members.length,
      failures: counted.length,
      lives: { failed, censored: samples.length - failed },
      operatingHours,
      mtbfHours: mtbf,
      mttrHours: mttr,
      repairs: {
        logged: counted.filter((f) => f.source === "logged").length,
        telemetry: counted.filter((f) => f.source === "telemetry").length,
        unknown: counted.filter((f) => f.source === "unknown").length,
      },
      availability: {
        inherent: mtbf !== null && mttr !== null ? mtbf / (mtbf + mttr) : null,
        measured: observedKnown && observed > 0 ? (observed - down) / observed : null,
      },
      failuresByMode: [...modes.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      weibull,
      weibullNote: result.reason,
    };
  };

  const list = [...groups.entries()]
    .map(([key, g]) => summarize(key, g.label, g.members))
    .sort((a, b) => b.failures - a.failures || a.label.localeCompare(b.label));
  return { groupBy: input.groupBy, from, to, confidence, overall: summarize("all", "All components", [...facts.values()]), groups: list };
}
