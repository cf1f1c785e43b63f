import { z } from "zod";
import { router, viewerProcedure } from "@/server/api/trpc";
import { getComponentTimeline } from "@/server/maintenance/history/get-component-timeline";
import { getWorkOrderWindows } from "@/server/maintenance/history/get-work-order-windows";
import { MAX_WINDOW_DAYS } from "@/server/maintenance/history/window-rows";

const id = z.string().trim().min(1).max(64);
const days = z.number().min(0).max(MAX_WINDOW_DAYS);

// Work orders joined with telemetry, and a component's history (docs/maintenance.md "History").
export const historyRouter = router({
  workOrderWindows: viewerProcedure
    .input(z.object({ id, beforeDays: days.optional(), afterDays: days.optional() }))
    .query(({ ctx, input }) => getWorkOrderWindows(ctx.db, { organizationId: ctx.user.organizationId }, input)),
  componentTimeline: viewerProcedure
    .input(z.object({ componentId: id, from: z.date().optional(), to: z.date().optional() }))
    .query(({ ctx, input }) => getComponentTimeline(ctx.db, { organizationId: ctx.user.organizationId }, input)),
});
