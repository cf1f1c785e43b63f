import { z } from "zod";
import { ComponentType, Priority, WorkOrderStatus, WorkOrderType } from "@/generated/prisma/enums";
import { managerProcedure, router, technicianProcedure, viewerProcedure } from "@/server/api/trpc";
import { assignWorkOrder, takeWorkOrder } from "@/server/maintenance/work-orders/assign-work-order";
import { closeWorkOrder, reopenWorkOrder } from "@/server/maintenance/work-orders/close-work-order";
import { commentOnWorkOrder, MAX_COMMENT } from "@/server/maintenance/work-orders/comment-on-work-order";
import { createWorkOrder, createWorkOrderFromAlert, MAX_TITLE } from "@/server/maintenance/work-orders/create-work-order";
import { getWorkOrder } from "@/server/maintenance/work-orders/get-work-order";
import { getWorkOrderContext } from "@/server/maintenance/work-orders/get-work-order-context";
import { listWorkOrders, MAX_LIST_LIMIT } from "@/server/maintenance/work-orders/list-work-orders";
import { listFailureCodes, listPartOptions, listTechnicians } from "@/server/maintenance/work-orders/list-work-order-options";
import { logLabour } from "@/server/maintenance/work-orders/log-labour";
import { setWorkOrderStatus } from "@/server/maintenance/work-orders/set-work-order-status";
import { setChecklist, setChecklistItem, updateWorkOrder } from "@/server/maintenance/work-orders/update-work-order";
import { returnPart, usePart } from "@/server/maintenance/work-orders/use-part";

// maintenance.workOrder.* — the contract the work-order UI is built against (input and output shapes
// are fixed there). Roles: viewers read; technicians create and work on orders; managers assign and
// reopen. Edit rights per order are the domain's (work-orders/rules.ts).

const id = z.string().trim().min(1).max(64);
const code = z.string().trim().min(1).max(64);
const failureCode = z.string().trim().min(1).max(16);
const title = z.string().trim().min(1, "A work order needs a title.").max(MAX_TITLE, `A title is at most ${MAX_TITLE} characters.`);
const description = z.string().max(10_000, "A description is at most 10000 characters.");
const checklistLabel = z.string().trim().min(1, "A checklist item needs some text.").max(200, "A checklist item is at most 200 characters.");
const checklist = z.array(checklistLabel).max(100, "A checklist has at most 100 items.");
const note = z.string().max(2000, "A note is at most 2000 characters.");
const clientKey = z.string().min(8, "clientKey must be 8 to 64 characters (a client-generated id).").max(64, "clientKey must be 8 to 64 characters.");

export const workOrdersRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          status: z.array(z.enum(WorkOrderStatus)).max(6).optional(),
          type: z.enum(WorkOrderType).optional(),
          mine: z.boolean().optional(),
          systemCode: code.optional(),
          componentId: id.optional(),
          assigneeId: id.optional(),
          overdue: z.boolean().optional(),
          priority: z.array(z.enum(Priority)).max(4).optional(),
          limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) =>
      listWorkOrders(ctx.db, ctx.user.organizationId, {
        ...input,
        // "mine" wins over an explicit assignee: it is what the technician's home screen asks for
        assigneeId: input?.mine ? ctx.user.id : input?.assigneeId,
      }),
    ),

  get: viewerProcedure.input(z.object({ id })).query(({ ctx, input }) => getWorkOrder(ctx.db, ctx.user, input.id)),

  context: viewerProcedure.input(z.object({ id })).query(({ ctx, input }) => getWorkOrderContext(ctx.db, ctx.user, input.id)),

  create: technicianProcedure
    .input(
      z.object({
        systemCode: code,
        componentCode: code.optional(),
        type: z.enum(WorkOrderType),
        priority: z.enum(Priority).optional(),
        title,
        description: description.optional(),
        dueAt: z.date().optional(),
        assigneeId: id.optional(),
        checklist: checklist.optional(),
        // optional: the phone's offline queue sends one so a replay returns the stored order
        clientKey: clientKey.optional(),
      }),
    )
    .mutation(({ ctx, input }) => createWorkOrder(ctx.db, ctx.user, input)),

  createFromAlert: technicianProcedure.input(z.object({ alertId: id })).mutation(({ ctx, input }) => createWorkOrderFromAlert(ctx.db, ctx.user, input.alertId)),

  setStatus: technicianProcedure
    .input(z.object({ id, status: z.enum(WorkOrderStatus), note: note.optional() }))
    .mutation(({ ctx, input }) => setWorkOrderStatus(ctx.db, ctx.user, input)),

  assign: managerProcedure.input(z.object({ id, assigneeId: id.nullable() })).mutation(({ ctx, input }) => assignWorkOrder(ctx.db, ctx.user, input)),

  take: technicianProcedure.input(z.object({ id })).mutation(({ ctx, input }) => takeWorkOrder(ctx.db, ctx.user, input.id)),

  update: technicianProcedure
    .input(
      z.object({
        id,
        title: title.optional(),
        description: description.nullable().optional(),
        priority: z.enum(Priority).optional(),
        dueAt: z.date().nullable().optional(),
        componentCode: code.nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateWorkOrder(ctx.db, ctx.user, input)),

  setChecklistItem: technicianProcedure
    .input(z.object({ id, index: z.number().int().min(0).max(99), done: z.boolean() }))
    .mutation(({ ctx, input }) => setChecklistItem(ctx.db, ctx.user, input)),

  setChecklist: technicianProcedure.input(z.object({ id, items: checklist })).mutation(({ ctx, input }) => setChecklist(ctx.db, ctx.user, input)),

  logLabour: technicianProcedure
    .input(
      z.object({
        id,
        minutes: z.number().int("Labour is whole minutes.").min(1, "Labour is at least 1 minute.").max(1440, "Labour is at most 1440 minutes (one day) per entry."),
        note: note.optional(),
        startedAt: z.date().optional(),
        clientKey,
      }),
    )
    .mutation(({ ctx, input }) => logLabour(ctx.db, ctx.user, input)),

  usePart: technicianProcedure
    .input(z.object({ id, partId: id, quantity: z.number().finite().positive("The quantity must be more than 0.").max(1_000_000), clientKey }))
    .mutation(({ ctx, input }) => usePart(ctx.db, ctx.user, input)),

  returnPart: technicianProcedure.input(z.object({ usageId: id })).mutation(({ ctx, input }) => returnPart(ctx.db, ctx.user, input.usageId)),

  comment: technicianProcedure
    .input(z.object({ id, body: z.string().trim().min(1, "A comment needs some text.").max(MAX_COMMENT, `A comment is at most ${MAX_COMMENT} characters.`), clientKey }))
    .mutation(({ ctx, input }) => commentOnWorkOrder(ctx.db, ctx.user, input)),

  close: technicianProcedure
    .input(
      z.object({
        id,
        failureModeCode: failureCode.optional(),
        failureCauseCode: failureCode.optional(),
        remedyCode: failureCode.optional(),
        downtimeStart: z.date().optional(),
        downtimeEnd: z.date().optional(),
        note: note.optional(),
        completedAt: z.date().optional(),
      }),
    )
    .mutation(({ ctx, input }) => closeWorkOrder(ctx.db, ctx.user, input)),

  reopen: managerProcedure
    .input(z.object({ id, note: note.trim().min(1, "Say why the work order is reopened.") }))
    .mutation(({ ctx, input }) => reopenWorkOrder(ctx.db, ctx.user, input)),

  failureCodes: viewerProcedure
    .input(z.object({ componentType: z.enum(ComponentType).optional() }).optional())
    .query(({ ctx, input }) => listFailureCodes(ctx.db, input?.componentType)),

  partOptions: viewerProcedure.input(z.object({ id })).query(({ ctx, input }) => listPartOptions(ctx.db, ctx.user.organizationId, input.id)),

  technicians: viewerProcedure.query(({ ctx }) => listTechnicians(ctx.db, ctx.user.organizationId)),
});
