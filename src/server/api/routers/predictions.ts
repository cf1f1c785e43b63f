import { z } from "zod";
import { managerProcedure, router, viewerProcedure } from "@/server/api/trpc";
import { listLatestPredictions, listModels, listRecentPredictions } from "@/server/predictions/list-predictions";
import { getRiskModelView } from "@/server/predictions/risk/risk-model-view";
import { beginPumpRiskTraining } from "@/server/predictions/risk/train-pump-risk-model";
import { runPredictions } from "@/server/predictions/run-predictions";
import { readPredictionTrend } from "@/server/predictions/trend-view";

const systemCode = z.string().trim().min(1).max(64);

export const predictionsRouter = router({
  models: viewerProcedure.query(({ ctx }) => listModels(ctx.db, ctx.user.organizationId)),
  recent: viewerProcedure
    .input(z.object({ systemCode: z.string().trim().min(1).optional(), limit: z.number().int().min(1).max(500).optional() }).optional())
    .query(({ ctx, input }) => listRecentPredictions(ctx.db, ctx.user.organizationId, input ?? {})),
  // the newest prediction per component and model, with the open predictive order it led to
  latest: viewerProcedure
    .input(z.object({ systemCode: systemCode.optional() }).optional())
    .query(({ ctx, input }) => listLatestPredictions(ctx.db, ctx.user.organizationId, input ?? {})),
  // what the worker does every hour, now, for the caller's organisation (or one of its systems)
  runNow: managerProcedure
    .input(z.object({ systemCode: systemCode.optional() }).optional())
    .mutation(({ ctx, input }) => runPredictions(ctx.db, new Date(), { organizationId: ctx.user.organizationId, systemCode: input?.systemCode })),
  // the learnt failure-risk model: its versions, the one in force, a training's progress
  riskModel: viewerProcedure.query(({ ctx }) => getRiskModelView(ctx.db, ctx.user.organizationId)),
  // trains a new version in the background; the page follows its progress through riskModel
  trainRisk: managerProcedure.mutation(async ({ ctx }) => {
    const { modelId, version } = await beginPumpRiskTraining(ctx.db, ctx.user.organizationId, new Date(), { type: "user", userId: ctx.user.id, label: ctx.user.email });
    return { modelId, version };
  }),
  // the hourly values a prediction was fitted on, its fitted line and the limit: the page's chart
  trend: viewerProcedure
    .input(z.object({ predictionId: z.string().trim().min(1).max(64) }))
    .query(({ ctx, input }) => readPredictionTrend(ctx.db, ctx.user.organizationId, input.predictionId)),
});
