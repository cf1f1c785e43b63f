import { z } from "zod";
import { router, viewerProcedure } from "@/server/api/trpc";
import { summarizeReliability } from "@/server/maintenance/reliability/summarize-reliability";

// Reliability figures per group (docs/maintenance.md "Reliability"): everyone who sees the fleet sees them.
export const reliabilityRouter = router({
  summary: viewerProcedure
    .input(
      z.object({
        groupBy: z.enum(["componentType", "systemModel", "site"]),
        from: z.date().optional(),
        to: z.date().optional(),
        confidence: z.union([z.literal(0.9), z.literal(0.95)]).optional(),
      }),
    )
    .query(({ ctx, input }) => summarizeReliability(ctx.db, { organizationId: ctx.user.organizationId }, input)),
});
