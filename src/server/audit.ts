import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db";

/** Who did something: a signed-in user, the CLI operator, a device, or the platform itself. */
export type Actor =
  | { type: "user"; userId: string; label?: string }
  | { type: "cli"; label: string }
  | { type: "device"; deviceId: string }
  | { type: "system"; label: string };

type Tx = Pick<Db, "auditLog">;

export async function recordAudit(
  tx: Tx,
  actor: Actor,
  entry: { organizationId: string | null; action: string; entityType: string; entityId?: string; details?: Prisma.InputJsonValue },
): Promise<void> {
  await tx.auditLog.create({
    data: {
      organizationId: entry.organizationId,
      userId: actor.type === "user" ? actor.userId : null,
      actorType: actor.type,
      actor: actor.type === "user" ? (actor.label ?? actor.userId) : actor.type === "device" ? actor.deviceId : actor.label,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      details: entry.details,
    },
  });
}

export function cliActor(): Actor {
  const user = process.env.SUDO_USER ?? process.env.USER ?? "operator";
  return { type: "cli", label: `cli:${user}` };
}
