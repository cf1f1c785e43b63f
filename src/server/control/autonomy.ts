// Autonomous mode (phase 4): for systems a manager set to "autonomous", the optimiser proposes and
// approves its own setpoints and the dispatcher sends them. The worker runs it every 15 minutes.
// Guard rails: only systems in operation with a device and live flow; only when it saves enough to be
// worth a change; never twice for a key within the cooldown; never outside the safe ranges; each
// command audited with the optimiser's checks as its reason.
import { optimiseSetpoints } from "@/lib/control/optimise";
import type { Db } from "@/server/db";
import { AppError } from "@/server/errors";
import { moduleLogger } from "@/server/logger";
import { commandReason, expireStaleProposals, insertCommands, OPTIMISER, OPTIMISER_ACTOR, type NewCommand } from "./commands";
import { commandDevice, loadLiveControl, safeRangeRefusal } from "./setpoints";

/** The optimiser acts on its own only for at least this saving in energy per m³ [%]. */
export const AUTONOMY_MIN_SAVING_PCT = 3;

/**
 * No new command for a key while one for it was proposed, approved, sent or applied in this window:
 * in flight, or so recent that the unit's telemetry may not show its effect yet.
 */
export const AUTONOMY_COOLDOWN_MS = 30 * 60_000;

export interface AutonomyAction {
  system: string;
  organizationId: string;
  action: "proposed" | "skipped";
  /** Why it was skipped, or what was sent, in plain words. */
  detail: string;
  commandIds: string[];
  savingsPct: number | null;
}

export interface AutonomyRun {
  /** Proposals (any mode) that passed their hour unapproved and were marked expired. */
  expiredProposals: number;
  systems: AutonomyAction[];
}

const log = moduleLogger("control");

/** One pass over every system in autonomous mode (all organisations). */
export async function runAutonomy(db: Db, now: Date = new Date()): Promise<AutonomyRun> {
  const expiredProposals = await expireStaleProposals(db, now);
  // Standby, maintenance or commissioning units are not driven by the optimiser.
  const systems = await db.treatmentSystem.findMany({
    where: { autonomyLevel: "autonomous", status: "operating" },
    select: { id: true, code: true, organizationId: true },
    orderBy: { code: "asc" },
  });
  const actions: AutonomyAction[] = [];
  for (const system of systems) {
    try {
      actions.push(await runForSystem(db, system, now));
    } catch (error) {
      // One system's failure (e.g. bad twin parameters) must not stop the others.
      log.error({ err: error, system: system.code }, "autonomy: the optimiser run failed for a system");
      actions.push({ system: system.code, organizationId: system.organizationId, action: "skipped", detail: `failed: ${(error as Error).message}`, commandIds: [], savingsPct: null });
    }
  }
  const proposed = actions.filter((a) => a.action === "proposed");
  if (proposed.length > 0 || expiredProposals > 0) log.info({ proposed: proposed.map((a) => a.system), expiredProposals }, "autonomy run");
  return { expiredProposals, systems: actions };
}

async function runForSystem(db: Db, system: { id: string; code: string; organizationId: string }, now: Date): Promise<AutonomyAction> {
  const skip = (detail: string, savingsPct: number | null = null): AutonomyAction => ({ system: system.code, organizationId: system.organizationId, action: "skipped", detail, commandIds: [], savingsPct });
  const device = await commandDevice(db, system.id);
  if (!device) return skip("no device to send commands to");
  const live = await loadLiveControl(db, { organizationId: system.organizationId }, system.code, { now });
  if (!live.input) return skip("no live flow");
  const result = optimiseSetpoints(live.input);
  if (!result.feasible) return skip(`no feasible setpoints: ${result.reason}`);
  if (result.setpoints.length === 0) return skip("already optimal");
  const pct = result.savings.pct;
  if (pct === null || pct < AUTONOMY_MIN_SAVING_PCT) return skip(`saves ${pct === null ? "nothing measurable" : `${pct.toFixed(1)} %`}, less than ${AUTONOMY_MIN_SAVING_PCT} %`, pct);
  for (const s of result.setpoints) {
    // The optimiser keeps to the safe ranges; checked again because these go out unattended.
    const refusal = safeRangeRefusal(system.code, s.key, s.value, live.safe[s.key]);
    if (refusal) throw new AppError("BAD_REQUEST", `the optimiser proposed ${refusal}`);
  }

  const items: NewCommand[] = result.setpoints.map((s) => ({ key: s.key, value: s.value, current: s.current }));
  const reason = commandReason(live, items, { source: "optimiser", proposedBy: { type: "optimiser" }, note: `autonomous mode: saves ${pct.toFixed(1)} % energy per m³` }, result);
  const outcome = await db.$transaction(async (tx) => {
    // Re-read under the system lock that insertCommands also takes: a manager may have switched the
    // mode, or another worker may have acted, since the optimiser ran.
    await tx.$queryRaw`SELECT 1 FROM "system" WHERE id = ${system.id} FOR UPDATE`;
    const current = await tx.treatmentSystem.findUniqueOrThrow({ where: { id: system.id }, select: { autonomyLevel: true } });
    if (current.autonomyLevel !== "autonomous") return { skipped: `the system is now ${current.autonomyLevel}` };
    const recent = await tx.deviceCommand.findFirst({
      where: {
        systemId: system.id,
        setpointKey: { in: items.map((i) => i.key) },
        status: { in: ["proposed", "approved", "sent", "applied"] },
        createdAt: { gt: new Date(now.getTime() - AUTONOMY_COOLDOWN_MS) },
      },
      orderBy: { createdAt: "desc" },
      select: { id: true, setpointKey: true, status: true },
    });
    // The setpoints are chosen together (the dose depends on both): one key cooling down holds all.
    if (recent) return { skipped: `cooling down: command ${recent.id} for ${recent.setpointKey} is ${recent.status} and less than ${AUTONOMY_COOLDOWN_MS / 60_000} min old` };
    const ids = await insertCommands(tx, { system, deviceId: device.id, items, reason, proposedBy: OPTIMISER, actor: OPTIMISER_ACTOR, now, approve: { approvedById: null } });
    return { ids };
  });
  if ("skipped" in outcome) return skip(outcome.skipped ?? "skipped", pct);
  return {
    system: system.code,
    organizationId: system.organizationId,
    action: "proposed",
    detail: result.setpoints.map((s) => `${s.key} ${s.current.toFixed(1)} → ${s.value.toFixed(1)} %`).join(", "),
    commandIds: outcome.ids,
    savingsPct: pct,
  };
}
