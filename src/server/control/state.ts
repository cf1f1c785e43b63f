// What the control page shows for one system (phase 4): the autonomy level, the setpoints with their
// safe ranges, the optimiser's suggestion for the live state, where commands go, and the newest
// commands with their lifecycle.
import type { AutonomyLevel } from "@/generated/prisma/enums";
import { optimiseSetpoints, type OptimiseResult } from "@/lib/control/optimise";
import { hasRole, type RoleName } from "@/lib/roles";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { orgFilter, type Scope } from "@/server/scope";
import { listCommands, type CommandView } from "./commands";
import { commandDevice, loadLiveControl, type SetpointView } from "./setpoints";

export interface ControlState {
  systemCode: string;
  autonomyLevel: AutonomyLevel;
  setpoints: SetpointView[];
  /** The optimiser's result for the live state; null when autonomy is off or there is no live flow. */
  suggestion: OptimiseResult | null;
  /** Why there is no suggestion (or why it is infeasible), in plain words; null otherwise. */
  suggestionNote: string | null;
  /**
   * The flow the suggestion keeps delivering [m³/h]: the day's mean flow with a margin when a day of
   * history is there, else the live flow (see `loadLiveControl`); null without live flow.
   */
  demandM3h: number | null;
  /** The system's newest device that is not revoked: where commands go. */
  device: { id: string; name: string } | null;
  /** The newest 20 commands, newest first. */
  commands: CommandView[];
  canApprove: boolean;
  canSetAutonomy: boolean;
  canPropose: boolean;
}

export async function getControlState(db: Db, scope: Scope, user: { id: string; role: RoleName }, systemCode: string, options: { now?: Date } = {}): Promise<ControlState> {
  const now = options.now ?? new Date();
  const system = await db.treatmentSystem.findFirst({ where: { code: systemCode, ...orgFilter(scope) }, select: { id: true, code: true, organizationId: true, autonomyLevel: true } });
  if (!system) throw notFound("System", systemCode);
  const [live, device, commands] = await Promise.all([
    loadLiveControl(db, scope, system.code, { now }),
    commandDevice(db, system.id),
    listCommands(db, system.organizationId, system.id, user, { now }),
  ]);

  let suggestion: OptimiseResult | null = null;
  let suggestionNote: string | null = null;
  if (system.autonomyLevel === "off") suggestionNote = `Autonomy is off for ${system.code}: a manager can set it to advisory or above to see the optimiser's suggestion.`;
  else if (!live.input) {
    suggestionNote = `No live flow on ${system.code}: the optimiser needs fresh flow or pump-speed readings (newer than 15 min) with the pump running.`;
  } else {
    suggestion = optimiseSetpoints(live.input);
    if (!suggestion.feasible) suggestionNote = `No feasible setpoints: ${suggestion.reason}.`;
    else if (suggestion.setpoints.length === 0) suggestionNote = "Already optimal: no setpoint would change by 1 % or more.";
  }
  const sending = system.autonomyLevel === "supervised" || system.autonomyLevel === "autonomous";
  return {
    systemCode: system.code,
    autonomyLevel: system.autonomyLevel,
    setpoints: live.setpoints,
    suggestion,
    suggestionNote,
    demandM3h: live.demandM3h,
    device,
    commands,
    canApprove: hasRole(user.role, "manager") && sending,
    canSetAutonomy: hasRole(user.role, "manager"),
    canPropose: hasRole(user.role, "technician") && system.autonomyLevel !== "off" && device !== null,
  };
}
