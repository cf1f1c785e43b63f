import { z } from "zod";
import { router, technicianProcedure, viewerProcedure } from "@/server/api/trpc";
import { getSystemCalibration, recordCalibrationCheck } from "@/server/compliance/calibration-checks";
import { MAX_REFERENCE_READINGS } from "@/server/compliance/calibration-rules";
import { getComplianceFleet, getComplianceMonth, listOffSpecEvents } from "@/server/compliance/month-report";

const systemCode = z.string().trim().min(1).max(64);
// a calendar month of the site, e.g. 2026-03 (month boundaries follow the site's time zone)
const month = z.string().trim().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be in the format YYYY-MM, e.g. 2026-03");

const reading = (what: string) => z.number({ error: `${what} must be a number` }).finite(`${what} must be a finite number`);

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
  // calibration of the monitoring instruments: each one's state and the latest checks
  calibration: viewerProcedure
    .input(z.object({ systemCode }))
    .query(({ ctx, input }) => getSystemCalibration(ctx.db, { organizationId: ctx.user.organizationId }, input, new Date())),
  // a field check: the duty UV sensor against 1–3 reference readings, or the online UVT against the lab
  recordCalibration: technicianProcedure
    .input(
      z.object({
        systemCode,
        componentCode: z.string().trim().min(1, "Choose the instrument you checked.").max(64),
        checkedAt: z.date().optional(),
        instrumentReading: reading("The instrument reading"),
        referenceReadings: z
          .array(reading("A reference reading"))
          .min(1, "Enter at least one reference reading.")
          .max(MAX_REFERENCE_READINGS, `At most ${MAX_REFERENCE_READINGS} reference readings.`),
        note: z.string().max(2000, "A note is at most 2,000 characters.").optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      recordCalibrationCheck(ctx.db, { id: ctx.user.id, email: ctx.user.email, organizationId: ctx.user.organizationId }, input, new Date()),
    ),
});
