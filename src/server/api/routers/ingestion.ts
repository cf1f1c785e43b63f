import { z } from "zod";
import { adminProcedure, router, viewerProcedure } from "@/server/api/trpc";
import { createDevice, listDevices, revokeDevice, rotateDeviceToken } from "@/server/devices/manage-devices";
import { listMetrics } from "@/server/telemetry/metrics";

const deviceId = z.string().trim().min(1).max(64);

// Ingestion itself arrives over HTTP (/api/ingest) and MQTT; this router manages what feeds it.
export const ingestionRouter = router({
  metrics: viewerProcedure.query(({ ctx }) => listMetrics(ctx.db, ctx.user.organizationId)),
  devices: router({
    list: adminProcedure
      .input(z.object({ systemCode: z.string().trim().min(1).optional() }).optional())
      .query(({ ctx, input }) => listDevices(ctx.db, { organizationId: ctx.user.organizationId }, { systemCode: input?.systemCode })),
    create: adminProcedure
      .input(z.object({ systemCode: z.string().trim().min(1).max(64), name: z.string().trim().max(120).optional() }))
      .mutation(({ ctx, input }) =>
        createDevice(ctx.db, { organizationId: ctx.user.organizationId }, { type: "user", userId: ctx.user.id, label: ctx.user.email }, input),
      ),
    revoke: adminProcedure
      .input(z.object({ id: deviceId }))
      .mutation(({ ctx, input }) =>
        revokeDevice(ctx.db, { organizationId: ctx.user.organizationId }, { type: "user", userId: ctx.user.id, label: ctx.user.email }, input.id),
      ),
    rotate: adminProcedure
      .input(z.object({ id: deviceId }))
      .mutation(({ ctx, input }) =>
        rotateDeviceToken(ctx.db, { organizationId: ctx.user.organizationId }, { type: "user", userId: ctx.user.id, label: ctx.user.email }, input.id),
      ),
  }),
});
