import { z } from "zod";
import { router, viewerProcedure } from "@/server/api/trpc";
import { getComplianceFleet, getComplianceMonth, listOffSpecEvents } from "@/server/compliance/month-report";

const systemCode = z.string().trim().min(1).max(64);
// a calendar month of the site, e.g. 2026-03 (month boundaries follow the site's time zone)
const month = z.string().trim().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be in the format YYYY-MM, e.g. 2026-03");

// UV compliance (domain.md §5): everyone who sees the fleet sees compliance (contracts.md, roles).
export const complianceRouter = router({
  // the monthly operating report of one system: validated conditions, one row per day, the verdict
  month: viewerProcedure
    .input(z.object({ systemCode, month }))
    .query(({ ctx, input }) => getComplianceMonth(ctx.db, { organizationId: ctx.user.organizationId }, input, new Date())),
  // every system's off-spec share and verdict; without a month, each site's current month
  fleet: viewerProcedure
    .input(z.object({ month: month.optional() }).optional())
    .query(({ ctx, input }) => getComplianceFleet(ctx.db, { organizationId: ctx.user.organizationId }, input ?? {}, new Date())),
  // the off-spec ledger: each interval outside validated conditions, its reasons and the water that passed
  events: viewerProcedure
    .input(z.object({ systemCode, from: z.date(), to: z.date() }))
    .query(({ ctx, input }) => listOffSpecEvents(ctx.db, { organizationId: ctx.user.organizationId }, input)),
});
