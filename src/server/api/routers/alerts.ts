import { z } from "zod";
import { Severity } from "@/generated/prisma/enums";
import { managerProcedure, router, technicianProcedure, viewerProcedure } from "@/server/api/trpc";
import {
  acknowledgeAlert,
  alertCounts,
  assignAlert,
  commentOnAlert,
  getAlert,
  listAlerts,
  MAX_SHELVE_MINUTES,
  shelveAlert,
  unshelveAlert,
} from "@/server/telemetry/alerts/lifecycle";
import { listAlertRules, listAssignees, updateAlertRule } from "@/server/telemetry/alerts/rules-admin";

const alertId = z.string().trim().min(1).max(64);

// Alert inbox and lifecycle (contracts.md roles: everyone sees; technicians acknowledge, comment and
// take alerts; managers shelve, assign anyone and edit rules).
export const alertsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          status: z.enum(["open", "active", "unacknowledged", "all"]).optional(),
          severities: z.array(z.enum(Severity)).max(4).optional(),
          systemCode: z.string().trim().min(1).max(64).optional(),
          assignedToMe: z.boolean().optional(),
          shelved: z.enum(["hide", "only", "include"]).optional(),
          limit: z.number().int().min(1).max(200).optional(),
          cursor: z.string().max(64).nullish(),
        })
        .optional(),
    )
    .query(({ ctx, input }) =>
      listAlerts(ctx.db, ctx.user.organizationId, { ...input, assignedTo: input?.assignedToMe ? ctx.user.id : undefined }),
    ),
  get: viewerProcedure.input(z.object({ id: alertId })).query(({ ctx, input }) => getAlert(ctx.db, ctx.user.organizationId, input.id)),
  counts: viewerProcedure.query(({ ctx }) => alertCounts(ctx.db, ctx.user.organizationId)),
  assignees: viewerProcedure.query(({ ctx }) => listAssignees(ctx.db, ctx.user.organizationId)),
  acknowledge: technicianProcedure.input(z.object({ id: alertId })).mutation(({ ctx, input }) => acknowledgeAlert(ctx.db, ctx.user, input.id)),
  comment: technicianProcedure
    .input(z.object({ id: alertId, body: z.string().max(4000, "A comment is at most 4000 characters.") }))
    .mutation(({ ctx, input }) => commentOnAlert(ctx.db, ctx.user, input.id, input.body)),
  assign: technicianProcedure
    .input(z.object({ id: alertId, assigneeId: z.string().trim().min(1).max(64).nullable() }))
    .mutation(({ ctx, input }) => assignAlert(ctx.db, ctx.user, input.id, input.assigneeId)),
  shelve: managerProcedure
    .input(z.object({ id: alertId, minutes: z.number().int().min(5).max(MAX_SHELVE_MINUTES), reason: z.string().trim().min(1, "Say why the alert is shelved.").max(500) }))
    .mutation(({ ctx, input }) => shelveAlert(ctx.db, ctx.user, input.id, input.minutes, input.reason)),
  unshelve: managerProcedure.input(z.object({ id: alertId })).mutation(({ ctx, input }) => unshelveAlert(ctx.db, ctx.user, input.id)),
  rules: router({
    list: viewerProcedure
      .input(z.object({ systemCode: z.string().trim().min(1).max(64).optional() }).optional())
      .query(({ ctx, input }) => listAlertRules(ctx.db, ctx.user.organizationId, input?.systemCode)),
    update: managerProcedure
      .input(
        z.object({
          id: z.string().trim().min(1).max(64),
          enabled: z.boolean().optional(),
          threshold: z.number().finite().optional(),
          deadband: z.number().finite().min(0).optional(),
          onDelaySec: z.number().int().min(0).max(86_400).optional(),
          offDelaySec: z.number().int().min(0).max(86_400).optional(),
          severity: z.enum(Severity).optional(),
        }),
      )
      .mutation(({ ctx, input }) => updateAlertRule(ctx.db, ctx.user, input)),
  }),
});
