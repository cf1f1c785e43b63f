import { z } from "zod";
import { Severity } from "@/generated/prisma/enums";
import { adminProcedure, managerProcedure, router, viewerProcedure } from "@/server/api/trpc";
import { CHANNEL_KINDS, channelTargetProblem, MAX_TARGET_LENGTH } from "@/server/notifications/channel-target";
import {
  createNotificationChannel,
  deleteNotificationChannel,
  listNotificationChannels,
  rotateChannelSecret,
  testNotificationChannel,
  updateNotificationChannel,
} from "@/server/notifications/manage-channels";
import { createMaintenanceWindow, deleteMaintenanceWindow, listMaintenanceWindows, systemSilence } from "@/server/notifications/manage-maintenance-windows";
import { getNotificationSettings, updateNotificationSettings } from "@/server/notifications/manage-preferences";
import { MAX_REASON_LENGTH, windowProblem } from "@/server/notifications/maintenance-windows";

const id = z.string().trim().min(1).max(64);
const systemCode = z.string().trim().min(1, "Pick a system.").max(64);
const severity = z.enum(Severity, { error: "Pick a minimum severity: critical, major, minor or warning." });
const preference = z.object({ enabled: z.boolean(), minSeverity: severity });
const channelName = z.string().trim().min(1, "Give the channel a name.").max(120, "A channel name is at most 120 characters.");
const target = z.string().trim().max(MAX_TARGET_LENGTH, `The target is at most ${MAX_TARGET_LENGTH} characters.`);

// Notifications outside the inbox (issue 4): each person's own settings (everyone), the
// organisation's webhook and e-mail channels (admins: settings, contracts.md), and maintenance
// windows that silence a system (managers: like shelving, it keeps alerts from people).
export const notificationsRouter = router({
  preferences: router({
    get: viewerProcedure.query(({ ctx }) => getNotificationSettings(ctx.db, ctx.user)),
    update: viewerProcedure
      .input(
        z
          .object({ browser: preference.optional(), email: preference.optional() })
          .refine((v) => v.browser !== undefined || v.email !== undefined, { message: "Send the browser or the e-mail settings (or both)." }),
      )
      .mutation(({ ctx, input }) => updateNotificationSettings(ctx.db, ctx.user, input)),
  }),

  channels: router({
    list: adminProcedure.query(({ ctx }) => listNotificationChannels(ctx.db, ctx.user.organizationId)),
    create: adminProcedure
      .input(
        z
          .object({ kind: z.enum(CHANNEL_KINDS, { error: "Pick webhook or e-mail." }), name: channelName, target, minSeverity: severity, active: z.boolean().optional() })
          .superRefine((v, ctx) => {
            const problem = channelTargetProblem(v.kind, v.target);
            if (problem) ctx.addIssue({ code: "custom", path: ["target"], message: problem });
          }),
      )
      .mutation(({ ctx, input }) => createNotificationChannel(ctx.db, ctx.user, input)),
    update: adminProcedure
      .input(z.object({ id, name: channelName.optional(), target: target.optional(), minSeverity: severity.optional(), active: z.boolean().optional() }))
      .mutation(({ ctx, input }) => updateNotificationChannel(ctx.db, ctx.user, input)),
    rotateSecret: adminProcedure.input(z.object({ id })).mutation(({ ctx, input }) => rotateChannelSecret(ctx.db, ctx.user, input.id)),
    delete: adminProcedure.input(z.object({ id })).mutation(({ ctx, input }) => deleteNotificationChannel(ctx.db, ctx.user, input.id)),
    test: adminProcedure.input(z.object({ id })).mutation(({ ctx, input }) => testNotificationChannel(ctx.db, ctx.user, input.id)),
  }),

  windows: router({
    list: viewerProcedure
      .input(z.object({ systemCode: systemCode.optional(), includeEnded: z.boolean().optional() }).optional())
      .query(({ ctx, input }) => listMaintenanceWindows(ctx.db, ctx.user.organizationId, input)),
    silence: viewerProcedure.input(z.object({ systemCode })).query(({ ctx, input }) => systemSilence(ctx.db, ctx.user.organizationId, input.systemCode)),
    create: managerProcedure
      .input(
        z
          .object({
            systemCode,
            startsAt: z.date({ error: "Enter when the window starts." }).optional(),
            endsAt: z.date({ error: "Enter when the window ends." }),
            reason: z.string().trim().max(MAX_REASON_LENGTH, `A reason is at most ${MAX_REASON_LENGTH} characters.`).nullish(),
          })
          .superRefine((v, ctx) => {
            const problem = windowProblem({ startsAt: v.startsAt ?? new Date(), endsAt: v.endsAt }, new Date());
            if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
          }),
      )
      .mutation(({ ctx, input }) => createMaintenanceWindow(ctx.db, ctx.user, input)),
    delete: managerProcedure.input(z.object({ id })).mutation(({ ctx, input }) => deleteMaintenanceWindow(ctx.db, ctx.user, input.id)),
  }),
});
