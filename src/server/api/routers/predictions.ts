import { z } from "zod";
import { router, viewerProcedure } from "@/server/api/trpc";
import { listModels, listRecentPredictions } from "@/server/predictions/list-predictions";

export const predictionsRouter = router({
  models: viewerProcedure.query(({ ctx }) => listModels(ctx.db, ctx.user.organizationId)),
  recent: viewerProcedure
    .input(z.object({ systemCode: z.string().trim().min(1).optional(), limit: z.number().int().min(1).max(500).optional() }).optional())
    .query(({ ctx, input }) => listRecentPredictions(ctx.db, ctx.user.organizationId, input ?? {})),
});
