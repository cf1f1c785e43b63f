// Saved what-if scenarios (contracts.md: technicians, managers and admins run and save them;
// everyone sees them). The outcome is always recomputed here from the levers, never taken from the
// client, so a stored scenario is what the twin's physics says about those levers.
import type { Prisma } from "@/generated/prisma/client";
import type { UnitOutcome } from "@/lib/physics";
import { hasRole, type RoleName } from "@/lib/roles";
import { twinLeversSchema, type TwinLevers } from "@/lib/twin/levers";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { moduleLogger } from "@/server/logger";
import { loadTwinSystem } from "./load-twin-system";
import { outcomeFigures, simulateLevers, type OutcomeFigures } from "./simulate";

export const MAX_SCENARIO_NAME_LENGTH = 120;

/** Who lists scenarios: their organisation, and who they are for `canDelete`. */
export interface ScenarioViewer {
  id: string;
  organizationId: string;
  role: RoleName;
}

/** Who saves or deletes one (written to the audit log). */
export interface ScenarioUser extends ScenarioViewer {
  email: string;
}

/** What a scenario row stores in `outcomes` (JSON). */
interface StoredOutcomes {
  figures: OutcomeFigures;
  warnings: string[];
  offSpecReasons: string[];
  outcome: UnitOutcome;
}

export interface ScenarioSummary {
  id: string;
  systemCode: string;
  name: string;
  createdAt: Date;
  userId: string;
  userName: string;
  levers: TwinLevers;
  /** The key figures of the outcome computed when the scenario was saved. */
  summary: OutcomeFigures;
  warnings: string[];
  offSpecReasons: string[];
  /** Whether the caller may delete it (its author, or a manager or admin). */
  canDelete: boolean;
}

const scenarioSelect = {
  id: true,
  name: true,
  levers: true,
  outcomes: true,
  createdAt: true,
  userId: true,
  user: { select: { name: true } },
  system: { select: { code: true } },
} as const;

type ScenarioRow = {
  id: string;
  name: string;
  levers: Prisma.JsonValue;
  outcomes: Prisma.JsonValue;
  createdAt: Date;
  userId: string;
  user: { name: string };
  system: { code: string };
};

const log = moduleLogger("twin");

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);

const mayDelete = (viewer: ScenarioViewer, authorId: string) => authorId === viewer.id || hasRole(viewer.role, "manager");

/** The row as the API shows it; null when its stored JSON no longer reads as levers and figures. */
function summary(row: ScenarioRow, viewer: ScenarioViewer): ScenarioSummary | null {
  const levers = twinLeversSchema.safeParse(row.levers);
  const stored = isRecord(row.outcomes) ? row.outcomes : {};
  if (!levers.success || !isRecord(stored.figures)) {
    // Only if the lever ranges were narrowed after it was saved: shown in the log, not half-shown in the UI.
    log.warn({ scenario: row.id }, "a stored scenario no longer reads as levers and outcome figures; it is left out of the list");
    return null;
  }
  return {
    id: row.id,
    systemCode: row.system.code,
    name: row.name,
    createdAt: row.createdAt,
    userId: row.userId,
    userName: row.user.name,
    levers: levers.data,
    summary: stored.figures as unknown as OutcomeFigures,
    warnings: strings(stored.warnings),
    offSpecReasons: strings(stored.offSpecReasons),
    canDelete: mayDelete(viewer, row.userId),
  };
}

const actorOf = (user: ScenarioUser): Actor => ({ type: "user", userId: user.id, label: user.email });

/** A system's scenarios, newest first. */
export async function listScenarios(db: Db, viewer: ScenarioViewer, systemCode: string): Promise<ScenarioSummary[]> {
  const twin = await loadTwinSystem(db, { organizationId: viewer.organizationId }, systemCode);
  const rows = await db.scenario.findMany({
    where: { systemId: twin.id, organizationId: viewer.organizationId },
    select: scenarioSelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows.map((r) => summary(r, viewer)).filter((s): s is ScenarioSummary => s !== null);
}

/** Saves levers under a name with the outcome the server computes for them. */
export async function saveScenario(db: Db, user: ScenarioUser, input: { systemCode: string; name: string; levers: TwinLevers }): Promise<ScenarioSummary> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_SCENARIO_NAME_LENGTH) {
    throw new AppError("BAD_REQUEST", `Name: give the scenario a name of 1 to ${MAX_SCENARIO_NAME_LENGTH} characters.`, { field: "name" });
  }
  const twin = await loadTwinSystem(db, { organizationId: user.organizationId }, input.systemCode);
  const { outcome, warnings } = simulateLevers(twin, input.levers);
  const outcomes: StoredOutcomes = { figures: outcomeFigures(outcome), warnings, offSpecReasons: outcome.compliance.reasons, outcome };
  const row = await db.$transaction(async (tx) => {
    const created = await tx.scenario.create({
      data: {
        organizationId: user.organizationId,
        systemId: twin.id,
        userId: user.id,
        name,
        // plain JSON values (numbers, booleans, arrays, null)
        levers: input.levers as unknown as Prisma.InputJsonObject,
        outcomes: outcomes as unknown as Prisma.InputJsonObject,
      },
      select: scenarioSelect,
    });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "scenario.save",
      entityType: "scenario",
      entityId: created.id,
      details: { system: twin.code, name, onSpec: outcome.compliance.onSpec },
    });
    return created;
  });
  const saved = summary(row, user);
  if (!saved) throw new Error(`scenario ${row.id} was stored but does not read back`);
  return saved;
}

/** Deletes a scenario: its author may, and managers and admins may delete any of their organisation's. */
export async function deleteScenario(db: Db, user: ScenarioUser, id: string): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const scenario = await tx.scenario.findFirst({
      where: { id, organizationId: user.organizationId },
      select: { id: true, name: true, userId: true, user: { select: { name: true } }, system: { select: { code: true } } },
    });
    if (!scenario) throw notFound("Scenario", id);
    if (!mayDelete(user, scenario.userId)) {
      throw new AppError(
        "FORBIDDEN",
        `Scenario "${scenario.name}" was saved by ${scenario.user.name}: only they or a manager can delete it.`,
      );
    }
    await tx.scenario.delete({ where: { id: scenario.id } });
    await recordAudit(tx, actorOf(user), {
      organizationId: user.organizationId,
      action: "scenario.delete",
      entityType: "scenario",
      entityId: scenario.id,
      details: { system: scenario.system.code, name: scenario.name, savedBy: scenario.userId },
    });
    return { id: scenario.id };
  });
}
