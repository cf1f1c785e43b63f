import { z } from "zod";
import { router, viewerProcedure } from "@/server/api/trpc";
import { getTwinState } from "@/server/twin/get-twin-state";

export const twinRouter = router({
  state: viewerProcedure
    .input(z.object({ systemCode: z.string().trim().min(1).max(64) }))
    .query(({ ctx, input }) => getTwinState(ctx.db, { organizationId: ctx.user.organizationId }, input.systemCode)),
});
