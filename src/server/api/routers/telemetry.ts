import { z } from "zod";
import { router, viewerProcedure } from "@/server/api/trpc";
import { getFleetHealth, getSeriesCharts, listSystemSeries, MAX_CHART_POINTS_UI, MAX_CHART_SERIES } from "@/server/telemetry/dashboard";

// Charts, latest values and fleet health for the UI (src/server/telemetry/dashboard.ts).

const systemCode = z.string().trim().min(1).max(64);
/** a Date (superjson) or an ISO-8601 string with a zone */
const instant = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);

export const chartInput = z.object({
  systemCode,
  seriesIds: z.array(z.number().int().positive()).min(1, "Pick at least one series").max(MAX_CHART_SERIES, `At most ${MAX_CHART_SERIES} series per request`),
  from: instant,
  to: instant,
  points: z.number().int().min(1).max(MAX_CHART_POINTS_UI).default(600),
});

export const telemetryRouter = router({
  series: viewerProcedure
    .input(z.object({ systemCode }))
    .query(({ ctx, input }) => listSystemSeries(ctx.db, { organizationId: ctx.user.organizationId }, input.systemCode)),
  chart: viewerProcedure
    .input(chartInput)
    .query(({ ctx, input }) => getSeriesCharts(ctx.db, { organizationId: ctx.user.organizationId }, input)),
  fleetHealth: viewerProcedure.query(({ ctx }) => getFleetHealth(ctx.db, { organizationId: ctx.user.organizationId })),
});
