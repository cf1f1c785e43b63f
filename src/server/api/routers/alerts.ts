import { z } from "zod";
import { AlertRuleKind, ComponentType, Severity } from "@/generated/prisma/enums";
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
import { createAlertRule, listAlertRules, listAssignees, MAX_DELAY_SEC, updateAlertRule } from "@/server/telemetry/alerts/rules-admin";

const alertId = z.string().trim().min(1).max(64);

// Rule fields; the checks that need the rule's kind and metric (limit inside the metric's valid
// range, deadband narrower than the limit) are the domain's (rules-admin.ts ruleValuesProblem).
const ruleName = z.string().trim().min(1, "Give the rule a name.").max(120, "A rule name is at most 120 characters.");
const ruleThreshold = z.number({ error: "Enter the limit as a number." }).finite("Enter the limit as a number.");
const ruleDeadband = z.number({ error: "Enter the deadband as a number." }).finite().min(0, "The deadband is 0 or more.");
const ruleDelay = (which: "On" | "Off") =>
  z
    .number({ error: `Enter the ${which.toLowerCase()}-delay in seconds.` })
    .int(`${which}-delay is whole seconds.`)
    .min(0, `${which}-delay is 0 s or more.`)
    .max(MAX_DELAY_SEC, `${which}-delay is at most ${MAX_DELAY_SEC} s (24 h).`);

const ruleUpdateInput = z.object({
  id: z.string().trim().min(1).max(64),
  name: ruleName.optional(),
  enabled: z.boolean().optional(),
  threshold: ruleThreshold.optional(),
  deadband: ruleDeadband.optional(),
  onDelaySec: ruleDelay("On").optional(),
  offDelaySec: ruleDelay("Off").optional(),
  severity: z.enum(Severity).optional(),
});

const ruleCreateInput = z.object({
  name: ruleName,
  systemCode: z.string().trim().min(1).max(64).nullable(),
  metricKey: z.string().trim().min(1, "Pick the metric the rule watches.").max(64),
  componentType: z.enum(ComponentType).nullable().default(null),
  kind: z.enum(AlertRuleKind, { error: "Pick the kind of rule." }),
  threshold: ruleThreshold,
  deadband: ruleDeadband.default(0),
  onDelaySec: ruleDelay("On").default(0),
  offDelaySec: ruleDelay("Off").default(0),
  severity: z.enum(Severity, { error: "Pick a severity." }),
  enabled: z.boolean().default(true),
  windowSec: z.number().int("The rate window is whole seconds.").min(10, "The rate window is at least 10 s.").max(MAX_DELAY_SEC).nullish(),
});

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
      .input(
        z
          .object({
            systemCode: z.string().trim().min(1).max(64).optional(),
            metricKey: z.string().trim().min(1).max(64).optional(),
            kind: z.enum(AlertRuleKind).optional(),
          })
          .optional(),
      )
      .query(({ ctx, input }) => listAlertRules(ctx.db, ctx.user.organizationId, input)),
    update: managerProcedure.input(ruleUpdateInput).mutation(({ ctx, input }) => updateAlertRule(ctx.db, ctx.user, input)),
    create: managerProcedure.input(ruleCreateInput).mutation(({ ctx, input }) => createAlertRule(ctx.db, ctx.user, input)),
  }),
});
