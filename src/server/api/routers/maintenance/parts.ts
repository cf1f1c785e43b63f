import { z } from "zod";
import { ComponentType, PartsRequestStatus } from "@/generated/prisma/enums";
import { managerProcedure, router, technicianProcedure, viewerProcedure } from "@/server/api/trpc";
import { createPart, listParts, partsFormOptions, updatePart } from "@/server/maintenance/parts/manage-parts";
import { adjustStock, listStockMovements, receiveStock, setReorderLevels } from "@/server/maintenance/parts/manage-stock";
import { changePartsRequest, createPartsRequest, listPartsRequests } from "@/server/maintenance/parts/parts-requests";

const id = z.string().trim().min(1).max(64);
const quantity = z.number().finite().positive().max(1_000_000);
const note = z.string().trim().max(500).nullish();

const partFields = z.object({
  partNumber: z.string().trim().min(1, "Give the part a part number.").max(64),
  name: z.string().trim().min(1, "Give the part a name.").max(200),
  description: z.string().trim().max(2000).nullish(),
  componentType: z.enum(ComponentType).nullish(),
  supplierId: id.nullish(),
  leadTimeDays: z.number().int().min(0).max(365).optional(),
  unitCost: z.number().finite().min(0).max(10_000_000),
  currency: z.string().trim().length(3, "A currency is a 3-letter code, e.g. EUR.").toUpperCase().optional(),
  unit: z.string().trim().min(1).max(16).optional(),
});

const user = (u: { id: string; email: string; organizationId: string; role: "viewer" | "technician" | "manager" | "admin" }) => ({
  id: u.id,
  email: u.email,
  organizationId: u.organizationId,
  role: u.role,
});

const requestChange = (action: "approve" | "reject" | "order" | "receive" | "cancel", procedure: typeof managerProcedure | typeof technicianProcedure) =>
  procedure.input(z.object({ id, note })).mutation(({ ctx, input }) => changePartsRequest(ctx.db, user(ctx.user), input.id, action, input.note));

// Parts, stock per site and parts requests (issue 5). Everyone sees the catalogue; managers and admins
// keep it and the stock; technicians ask for parts; managers approve, order and receive them.
export const partsRouter = router({
  list: viewerProcedure
    .input(z.object({ search: z.string().trim().max(100).optional(), belowReorder: z.boolean().optional(), siteId: id.optional() }).optional())
    .query(({ ctx, input }) => listParts(ctx.db, ctx.user.organizationId, input ?? {})),
  options: viewerProcedure.query(({ ctx }) => partsFormOptions(ctx.db, ctx.user.organizationId)),
  create: managerProcedure.input(partFields).mutation(({ ctx, input }) => createPart(ctx.db, user(ctx.user), input)),
  update: managerProcedure
    .input(partFields.partial().extend({ id }))
    .mutation(({ ctx, input: { id: partId, ...fields } }) => updatePart(ctx.db, user(ctx.user), partId, fields)),
  receive: managerProcedure
    .input(z.object({ partId: id, siteId: id, quantity, note: z.string().trim().max(500).optional() }))
    .mutation(({ ctx, input }) => receiveStock(ctx.db, user(ctx.user), input)),
  adjust: managerProcedure
    .input(
      z.object({
        partId: id,
        siteId: id,
        delta: z.number().finite().min(-1_000_000).max(1_000_000).optional(),
        countedQuantity: z.number().finite().min(0).max(1_000_000).optional(),
        reason: z.string().trim().min(1, "Say why the stock is adjusted.").max(500),
      }),
    )
    .mutation(({ ctx, input }) => adjustStock(ctx.db, user(ctx.user), input)),
  setReorder: managerProcedure
    .input(
      z.object({
        partId: id,
        siteId: id,
        reorderPoint: z.number().finite().min(0).max(1_000_000),
        reorderQuantity: z.number().finite().min(0).max(1_000_000),
        bin: z.string().trim().max(32).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => setReorderLevels(ctx.db, user(ctx.user), input)),
  movements: viewerProcedure
    .input(z.object({ partId: id.optional(), siteId: id.optional(), limit: z.number().int().min(1).max(500).optional() }).optional())
    .query(({ ctx, input }) => listStockMovements(ctx.db, ctx.user.organizationId, input ?? {})),
  request: router({
    list: viewerProcedure
      .input(
        z
          .object({
            status: z.array(z.enum(PartsRequestStatus)).max(6).optional(),
            siteId: id.optional(),
            partId: id.optional(),
            mine: z.boolean().optional(),
            limit: z.number().int().min(1).max(500).optional(),
          })
          .optional(),
      )
      .query(({ ctx, input }) =>
        listPartsRequests(ctx.db, ctx.user.organizationId, { ...input, requestedById: input?.mine ? ctx.user.id : undefined }),
      ),
    create: technicianProcedure
      .input(z.object({ partId: id, siteId: id, quantity, reason: note, workOrderId: id.nullish() }))
      .mutation(({ ctx, input }) => createPartsRequest(ctx.db, user(ctx.user), input)),
    approve: requestChange("approve", managerProcedure),
    reject: requestChange("reject", managerProcedure),
    markOrdered: requestChange("order", managerProcedure),
    markReceived: requestChange("receive", managerProcedure),
    // technicians may cancel their own request while it is only requested (checked in the domain)
    cancel: requestChange("cancel", technicianProcedure),
  }),
});
