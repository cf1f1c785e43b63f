import { z } from "zod";
import { Priority, ScheduleKind, WorkOrderType } from "@/generated/prisma/enums";
import { managerProcedure, router, viewerProcedure } from "@/server/api/trpc";
import { getSchedule, listSchedules, scheduleFormOptions } from "@/server/maintenance/schedules/list-schedules";
import { createSchedule, deleteSchedule, setScheduleActive, updateSchedule } from "@/server/maintenance/schedules/manage-schedules";
import { runDueSchedules } from "@/server/maintenance/schedules/run-due-schedules";

const scheduleId = z.string().trim().min(1).max(64);
const code = z.string().trim().min(1).max(64);

// Kind-specific rules (which fields a kind needs) live in the domain, which also sees the stored row
// on update; here only shapes and ranges.
const scheduleFields = z.object({
  name: z.string().trim().min(1, "Give the schedule a name.").max(200),
  systemCode: code,
  componentCode: code.nullish(),
  kind: z.enum(ScheduleKind),
  workOrderType: z.enum(WorkOrderType).optional(),
  priority: z.enum(Priority).optional(),
  intervalDays: z.number().int().min(1).max(3650).nullish(),
  nextDueAt: z.date().nullish(),
  meterMetricKey: z.string().trim().min(1).max(64).nullish(),
  meterInterval: z.number().finite().positive().nullish(),
  lastMeterValue: z.number().finite().min(0).nullish(),
  conditionMetricKey: z.string().trim().min(1).max(64).nullish(),
  conditionOp: z.string().trim().max(4).nullish(),
  conditionThreshold: z.number().finite().nullish(),
  conditionHoldMinutes: z.number().int().min(1).max(10_080).nullish(),
  leadTimeDays: z.number().int().min(0).max(365).optional(),
  checklist: z.array(z.string().max(200)).max(50).optional(),
  active: z.boolean().optional(),
});

const actor = (u: { id: string; email: string; organizationId: string }) => ({ id: u.id, email: u.email, organizationId: u.organizationId });

// Preventive schedules (issue 5): everyone sees them; managers and admins change them and run them now.
export const schedulesRouter = router({
  list: viewerProcedure
    .input(z.object({ systemCode: code.optional(), kind: z.enum(ScheduleKind).optional(), active: z.boolean().optional() }).optional())
    .query(({ ctx, input }) => listSchedules(ctx.db, ctx.user.organizationId, input ?? {})),
  get: viewerProcedure.input(z.object({ id: scheduleId })).query(({ ctx, input }) => getSchedule(ctx.db, ctx.user.organizationId, input.id)),
  options: viewerProcedure.query(({ ctx }) => scheduleFormOptions(ctx.db, ctx.user.organizationId)),
  create: managerProcedure.input(scheduleFields).mutation(({ ctx, input }) => createSchedule(ctx.db, actor(ctx.user), input)),
  update: managerProcedure
    .input(scheduleFields.partial().extend({ id: scheduleId }))
    .mutation(({ ctx, input: { id, ...fields } }) => updateSchedule(ctx.db, actor(ctx.user), id, fields)),
  setActive: managerProcedure
    .input(z.object({ id: scheduleId, active: z.boolean() }))
    .mutation(({ ctx, input }) => setScheduleActive(ctx.db, actor(ctx.user), input.id, input.active)),
  delete: managerProcedure.input(z.object({ id: scheduleId })).mutation(({ ctx, input }) => deleteSchedule(ctx.db, actor(ctx.user), input.id)),
  /** Opens what is due now in the caller's organisation (or for one schedule), as the worker would. */
  runNow: managerProcedure
    .input(z.object({ id: scheduleId.optional() }).optional())
    .mutation(async ({ ctx, input }) => {
      const result = await runDueSchedules(ctx.db, new Date(), {
        organizationId: ctx.user.organizationId,
        scheduleId: input?.id,
        actor: { type: "user", userId: ctx.user.id, label: ctx.user.email },
      });
      return {
        created: result.created.map(({ organizationId: _org, ...c }) => c),
        meterResets: result.meterResets.map((r) => ({ scheduleId: r.scheduleId, at: r.reset.at, from: r.reset.from, to: r.reset.to })),
        failed: result.failed,
      };
    }),
});
