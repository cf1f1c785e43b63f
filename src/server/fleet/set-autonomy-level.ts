import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { recordAudit, type Actor } from "@/server/audit";
import { orgFilter, type Scope } from "@/server/scope";
import type { AutonomyLevel } from "@/generated/prisma/enums";

/**
 * How far the setpoint optimiser may act on a system (phase 4): off, advisory (proposals only),
 * supervised (sent after a manager approves), autonomous (sent within validated limits). Audited.
 */
export async function setAutonomyLevel(db: Db, scope: Scope, actor: Actor, systemCode: string, level: AutonomyLevel) {
  const system = await db.treatmentSystem.findFirst({ where: { code: systemCode, ...orgFilter(scope) }, select: { id: true, organizationId: true, autonomyLevel: true } });
  if (!system) throw notFound("System", systemCode);
  return db.$transaction(async (tx) => {
    const updated = await tx.treatmentSystem.update({ where: { id: system.id }, data: { autonomyLevel: level }, select: { code: true, autonomyLevel: true } });
    await recordAudit(tx, actor, {
      organizationId: system.organizationId,
      action: "system.set_autonomy_level",
      entityType: "system",
      entityId: system.id,
      details: { from: system.autonomyLevel, to: level },
    });
    return updated;
  });
}
