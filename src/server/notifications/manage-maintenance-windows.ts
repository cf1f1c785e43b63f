/**
 * Maintenance windows per system (managers create and delete; everyone sees them). The window row has
 * no organisation of its own: every query reaches it through its system's organisation.
 */
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { isOpenAt, silencedUntil, windowProblem } from "./maintenance-windows";

export interface WindowSummary {
  id: string;
  system: { code: string; name: string };
  startsAt: Date;
  endsAt: Date;
  reason: string | null;
  /** open at the time of the call */
  open: boolean;
}

export interface WindowUser {
  id: string;
  email: string;
  organizationId: string;
}

const windowSelect = { id: true, startsAt: true, endsAt: true, reason: true, system: { select: { code: true, name: true } } } as const;

type WindowRow = { id: string; startsAt: Date; endsAt: Date; reason: string | null; system: { code: string; name: string } };

const summary = (row: WindowRow, now: Date): WindowSummary => ({ ...row, open: isOpenAt(row, now) });

async function systemOf(db: Pick<Db, "treatmentSystem">, organizationId: string, code: string) {
  const system = await db.treatmentSystem.findFirst({ where: { code, organizationId }, select: { id: true, code: true } });
  if (!system) throw new AppError("NOT_FOUND", `System "${code}" was not found in your organisation.`, { field: "systemCode" });
  return system;
}

/** Open and coming windows (with `includeEnded`, the ended ones too), soonest first. */
export async function listMaintenanceWindows(
  db: Db,
  organizationId: string,
  opts: { systemCode?: string; includeEnded?: boolean; now?: Date } = {},
): Promise<WindowSummary[]> {
  const now = opts.now ?? new Date();
  const rows = await db.maintenanceWindow.findMany({
    where: {
      system: { organizationId, ...(opts.systemCode ? { code: opts.systemCode } : {}) },
      ...(opts.includeEnded ? {} : { endsAt: { gt: now } }),
    },
    select: windowSelect,
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: 500,
  });
  return rows.map((r) => summary(r, now));
}

/** Until when a system's notifications are silenced now (null: not silenced), with the open windows' reasons. */
export async function systemSilence(db: Db, organizationId: string, systemCode: string, now = new Date()): Promise<{ until: Date | null; reasons: string[] }> {
  const system = await systemOf(db, organizationId, systemCode);
  const windows = await db.maintenanceWindow.findMany({
    where: { systemId: system.id, endsAt: { gt: now } },
    select: { startsAt: true, endsAt: true, reason: true },
  });
  const until = silencedUntil(windows, now);
  const reasons = until ? windows.filter((w) => isOpenAt(w, now) && w.reason).map((w) => w.reason!) : [];
  return { until, reasons };
}

export async function createMaintenanceWindow(
  db: Db,
  user: WindowUser,
  input: { systemCode: string; startsAt?: Date; endsAt: Date; reason?: string | null },
  now = new Date(),
): Promise<WindowSummary> {
  const startsAt = input.startsAt ?? now;
  const problem = windowProblem({ startsAt, endsAt: input.endsAt }, now);
  if (problem) throw new AppError("BAD_REQUEST", problem.message, { field: problem.field });
  const reason = input.reason?.trim() || null;
  return db.$transaction(async (tx) => {
    const system = await systemOf(tx, user.organizationId, input.systemCode);
    const row = await tx.maintenanceWindow.create({ data: { systemId: system.id, startsAt, endsAt: input.endsAt, reason }, select: windowSelect });
    await recordAudit(tx, { type: "user", userId: user.id, label: user.email }, {
      organizationId: user.organizationId,
      action: "maintenance_window.create",
      entityType: "maintenance_window",
      entityId: row.id,
      details: { system: system.code, startsAt: startsAt.toISOString(), endsAt: input.endsAt.toISOString(), reason },
    });
    return summary(row, now);
  });
}

/** Deletes a window; deleting an open one ends the silence at once. */
export async function deleteMaintenanceWindow(db: Db, user: WindowUser, id: string): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const row = await tx.maintenanceWindow.findFirst({ where: { id, system: { organizationId: user.organizationId } }, select: windowSelect });
    if (!row) throw notFound("Maintenance window", id);
    await tx.maintenanceWindow.delete({ where: { id } });
    await recordAudit(tx, { type: "user", userId: user.id, label: user.email }, {
      organizationId: user.organizationId,
      action: "maintenance_window.delete",
      entityType: "maintenance_window",
      entityId: id,
      details: { system: row.system.code, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString(), reason: row.reason },
    });
    return { id };
  });
}
