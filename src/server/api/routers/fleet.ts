import { z } from "zod";
import { managerProcedure, router, viewerProcedure } from "@/server/api/trpc";
import { setAutonomyLevel } from "@/server/fleet/set-autonomy-level";
import { AutonomyLevel } from "@/generated/prisma/enums";
import { listFleet, listSystems } from "@/server/fleet/list-fleet";
import { getSystemByCode } from "@/server/fleet/get-system";

const systemCode = z.string().trim().min(1).max(64);

export const fleetRouter = router({
  overview: viewerProcedure.query(({ ctx }) => listFleet(ctx.db, { organizationId: ctx.user.organizationId })),
  systems: viewerProcedure.query(({ ctx }) => listSystems(ctx.db, { organizationId: ctx.user.organizationId })),
  system: viewerProcedure
    .input(z.object({ code: systemCode }))
    .query(({ ctx, input }) => getSystemByCode(ctx.db, { organizationId: ctx.user.organizationId }, input.code)),
  setAutonomyLevel: managerProcedure
    .input(z.object({ code: systemCode, level: z.enum(AutonomyLevel) }))
    .mutation(({ ctx, input }) =>
      setAutonomyLevel(ctx.db, { organizationId: ctx.user.organizationId }, { type: "user", userId: ctx.user.id, label: ctx.user.email }, input.code, input.level),
    ),
});
