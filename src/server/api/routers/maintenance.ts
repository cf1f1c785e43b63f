import { z } from "zod";
import { router, viewerProcedure } from "@/server/api/trpc";
import { listWorkOrders } from "@/server/maintenance/list-work-orders";
import { WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";

export const maintenanceRouter = router({
  workOrder: router({
    list: viewerProcedure
      .input(
        z
          .object({
            status: z.array(z.enum(WorkOrderStatus)).optional(),
            type: z.enum(WorkOrderType).optional(),
            mine: z.boolean().optional(),
            systemCode: z.string().trim().min(1).optional(),
          })
          .optional(),
      )
      .query(({ ctx, input }) =>
        listWorkOrders(ctx.db, ctx.user.organizationId, {
          status: input?.status,
          type: input?.type,
          systemCode: input?.systemCode,
          assigneeId: input?.mine ? ctx.user.id : undefined,
        }),
      ),
  }),
});
