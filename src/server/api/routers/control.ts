import { z } from "zod";
import { AutonomyLevel } from "@/generated/prisma/enums";
import { SETPOINT_KEYS, type SetpointKey } from "@/lib/control/optimise";
import { managerProcedure, router, technicianProcedure, viewerProcedure } from "@/server/api/trpc";
import { approveCommand, cancelCommand, proposeCommands } from "@/server/control/commands";
import { getControlState } from "@/server/control/state";
import { setAutonomyLevel } from "@/server/fleet/set-autonomy-level";

const systemCode = z.string().trim().min(1, "Pick a system.").max(64);
const id = z.string().trim().min(1).max(64);
const setpoint = z.object({
  key: z.enum(SETPOINT_KEYS as [SetpointKey, ...SetpointKey[]], { error: `Setpoint key must be one of ${SETPOINT_KEYS.join(", ")}.` }),
  value: z.number({ error: "Setpoint value must be a number (in %)." }).finite("Setpoint value must be a finite number (in %)."),
});

const user = (u: { id: string; email: string; organizationId: string; role: "viewer" | "technician" | "manager" | "admin" }) => ({
  id: u.id,
  email: u.email,
  organizationId: u.organizationId,
  role: u.role,
});

// Setpoint control (phase 4): everyone sees the state and the optimiser's suggestion; technicians
// propose it (a value of one's own needs a manager: checked in proposeCommands) and cancel their own
// proposals; managers and admins approve commands and set the autonomy level (contracts.md roles).
export const controlRouter = router({
  state: viewerProcedure
    .input(z.object({ systemCode }))
    .query(({ ctx, input }) => getControlState(ctx.db, { organizationId: ctx.user.organizationId }, ctx.user, input.systemCode)),

  setAutonomy: managerProcedure
    .input(z.object({ systemCode, level: z.enum(AutonomyLevel, { error: "Autonomy level must be off, advisory, supervised or autonomous." }) }))
    .mutation(({ ctx, input }) =>
      setAutonomyLevel(ctx.db, { organizationId: ctx.user.organizationId }, { type: "user", userId: ctx.user.id, label: ctx.user.email }, input.systemCode, input.level),
    ),

  propose: technicianProcedure
    .input(
      z.object({
        systemCode,
        setpoints: z.array(setpoint).min(1, "Propose at least one setpoint.").max(SETPOINT_KEYS.length, `At most ${SETPOINT_KEYS.length} setpoints, one per key.`),
        source: z.enum(["optimiser", "manual"], { error: "Source must be optimiser or manual." }),
        reason: z.string().trim().max(500, "The reason is at most 500 characters.").optional(),
      }),
    )
    .mutation(({ ctx, input }) => proposeCommands(ctx.db, user(ctx.user), input)),

  approve: managerProcedure.input(z.object({ id })).mutation(({ ctx, input }) => approveCommand(ctx.db, user(ctx.user), input.id)),

  cancel: technicianProcedure.input(z.object({ id })).mutation(({ ctx, input }) => cancelCommand(ctx.db, user(ctx.user), input.id)),
});
