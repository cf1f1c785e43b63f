/**
 * The parts catalogue of an organisation: parts with their stock per site and reorder flags; parts
 * created and changed by managers and admins (audited).
 */
import type { Prisma } from "@/generated/prisma/client";
import type { ComponentType } from "@/generated/prisma/enums";
import { recordAudit, type Actor } from "@/server/audit";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { isBelowReorder, PENDING_REQUEST_STATUSES } from "./parts-rules";

type Tx = Prisma.TransactionClient;

export interface PartsUser {
  id: string;
  email: string;
  organizationId: string;
}

export const partsActor = (user: PartsUser): Actor => ({ type: "user", userId: user.id, label: user.email });

export interface StockView {
  siteId: string;
  siteCode: string;
  siteName: string;
  quantity: number;
  reorderPoint: number;
  reorderQuantity: number;
  bin: string | null;
  belowReorder: boolean;
  /** a request for this part and site is still requested, approved or ordered */
  pendingRequest: boolean;
}

export interface PartView {
  id: string;
  partNumber: string;
  name: string;
  description: string | null;
  componentType: ComponentType | null;
  supplier: { id: string; name: string } | null;
  leadTimeDays: number;
  unitCost: number;
  currency: string;
  unit: string;
  totalQuantity: number;
  belowReorder: boolean;
  stock: StockView[];
}

const partSelect = {
  id: true,
  partNumber: true,
  name: true,
  description: true,
  componentType: true,
  leadTimeDays: true,
  unitCost: true,
  currency: true,
  unit: true,
  supplier: { select: { id: true, name: true } },
  stock: {
    select: { siteId: true, quantity: true, reorderPoint: true, reorderQuantity: true, bin: true, site: { select: { code: true, name: true } } },
    orderBy: { site: { code: "asc" } },
  },
} satisfies Prisma.PartSelect;

type PartRow = Prisma.PartGetPayload<{ select: typeof partSelect }>;

function toView(p: PartRow, pending: Set<string>): PartView {
  const stock = p.stock.map((s) => {
    const quantity = s.quantity.toNumber();
    const reorderPoint = s.reorderPoint.toNumber();
    const reorderQuantity = s.reorderQuantity.toNumber();
    return {
      siteId: s.siteId,
      siteCode: s.site.code,
      siteName: s.site.name,
      quantity,
      reorderPoint,
      reorderQuantity,
      bin: s.bin,
      belowReorder: isBelowReorder(quantity, reorderPoint, reorderQuantity),
      pendingRequest: pending.has(`${p.id}|${s.siteId}`),
    };
  });
  return {
    id: p.id,
    partNumber: p.partNumber,
    name: p.name,
    description: p.description,
    componentType: p.componentType,
    supplier: p.supplier,
    leadTimeDays: p.leadTimeDays,
    unitCost: p.unitCost.toNumber(),
    currency: p.currency,
    unit: p.unit,
    totalQuantity: stock.reduce((sum, s) => sum + s.quantity, 0),
    belowReorder: stock.some((s) => s.belowReorder),
    stock,
  };
}

export interface PartFilter {
  /** part number, name or description contains */
  search?: string;
  /** only parts below their reorder point at some site */
  belowReorder?: boolean;
  siteId?: string;
}

export async function listParts(db: Db, organizationId: string, filter: PartFilter = {}): Promise<PartView[]> {
  const search = filter.search?.trim();
  const rows = await db.part.findMany({
    where: {
      organizationId,
      ...(search
        ? {
            OR: [
              { partNumber: { contains: search, mode: "insensitive" } },
              { name: { contains: search, mode: "insensitive" } },
              { description: { contains: search, mode: "insensitive" } },
            ],
          }
        : {}),
    },
    select: partSelect,
    orderBy: { partNumber: "asc" },
  });
  const pendingRows = await db.partsRequest.findMany({
    where: { organizationId, status: { in: [...PENDING_REQUEST_STATUSES] } },
    select: { partId: true, siteId: true },
    distinct: ["partId", "siteId"],
  });
  const pending = new Set(pendingRows.map((r) => `${r.partId}|${r.siteId}`));
  let views = rows.map((p) => toView(p, pending));
  if (filter.siteId) views = views.map((v) => ({ ...v, stock: v.stock.filter((s) => s.siteId === filter.siteId) }));
  if (filter.belowReorder) views = views.filter((v) => v.stock.some((s) => s.belowReorder));
  return views;
}

export async function getPartView(db: Db | Tx, organizationId: string, id: string): Promise<PartView> {
  const row = await db.part.findFirst({ where: { id, organizationId }, select: partSelect });
  if (!row) throw notFound("Part", id);
  const pendingRows = await db.partsRequest.findMany({ where: { organizationId, partId: id, status: { in: [...PENDING_REQUEST_STATUSES] } }, select: { partId: true, siteId: true } });
  return toView(row, new Set(pendingRows.map((r) => `${r.partId}|${r.siteId}`)));
}

export interface PartInput {
  partNumber?: string;
  name?: string;
  description?: string | null;
  componentType?: ComponentType | null;
  supplierId?: string | null;
  leadTimeDays?: number;
  unitCost?: number;
  currency?: string;
  unit?: string;
}

async function checkSupplier(db: Db | Tx, organizationId: string, supplierId: string | null | undefined): Promise<void> {
  if (!supplierId) return;
  const s = await db.supplier.findFirst({ where: { id: supplierId, organizationId }, select: { id: true } });
  if (!s) throw new AppError("NOT_FOUND", `Supplier "${supplierId}" was not found in your organisation.`, { field: "supplierId" });
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

const duplicate = (partNumber: string) => new AppError("CONFLICT", `Part number "${partNumber}" is already in the catalogue; edit that part or use another number.`, { field: "partNumber" });

export async function createPart(db: Db, user: PartsUser, input: PartInput & { partNumber: string; name: string; unitCost: number }): Promise<PartView> {
  const partNumber = input.partNumber.trim();
  const name = input.name.trim();
  if (!partNumber) throw new AppError("BAD_REQUEST", "A part needs a part number.", { field: "partNumber" });
  if (!name) throw new AppError("BAD_REQUEST", "A part needs a name.", { field: "name" });
  await checkSupplier(db, user.organizationId, input.supplierId);
  try {
    const id = await db.$transaction(async (tx) => {
      const part = await tx.part.create({
        data: {
          organizationId: user.organizationId,
          partNumber,
          name,
          description: input.description?.trim() || null,
          componentType: input.componentType ?? null,
          supplierId: input.supplierId ?? null,
          leadTimeDays: input.leadTimeDays ?? 7,
          unitCost: input.unitCost,
          currency: input.currency ?? "EUR",
          unit: input.unit?.trim() || "ea",
        },
        select: { id: true },
      });
      await recordAudit(tx, partsActor(user), { organizationId: user.organizationId, action: "part.create", entityType: "part", entityId: part.id, details: { partNumber, name } });
      return part.id;
    });
    return getPartView(db, user.organizationId, id);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(partNumber);
    throw err;
  }
}

export async function updatePart(db: Db, user: PartsUser, id: string, input: PartInput): Promise<PartView> {
  const current = await db.part.findFirst({ where: { id, organizationId: user.organizationId }, select: { id: true, partNumber: true } });
  if (!current) throw notFound("Part", id);
  await checkSupplier(db, user.organizationId, input.supplierId);
  const data: Prisma.PartUncheckedUpdateInput = {};
  if (input.partNumber !== undefined) {
    if (!input.partNumber.trim()) throw new AppError("BAD_REQUEST", "A part needs a part number.", { field: "partNumber" });
    data.partNumber = input.partNumber.trim();
  }
  if (input.name !== undefined) {
    if (!input.name.trim()) throw new AppError("BAD_REQUEST", "A part needs a name.", { field: "name" });
    data.name = input.name.trim();
  }
  if (input.description !== undefined) data.description = input.description?.trim() || null;
  if (input.componentType !== undefined) data.componentType = input.componentType;
  if (input.supplierId !== undefined) data.supplierId = input.supplierId;
  if (input.leadTimeDays !== undefined) data.leadTimeDays = input.leadTimeDays;
  if (input.unitCost !== undefined) data.unitCost = input.unitCost;
  if (input.currency !== undefined) data.currency = input.currency;
  if (input.unit !== undefined) data.unit = input.unit.trim() || "ea";
  try {
    await db.$transaction(async (tx) => {
      await tx.part.update({ where: { id }, data });
      await recordAudit(tx, partsActor(user), { organizationId: user.organizationId, action: "part.update", entityType: "part", entityId: id, details: { changed: Object.keys(data) } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(String(data.partNumber ?? current.partNumber));
    throw err;
  }
  return getPartView(db, user.organizationId, id);
}

/** Sites and suppliers of the organisation, for the parts forms. */
export async function partsFormOptions(db: Db, organizationId: string) {
  const [sites, suppliers] = await Promise.all([
    db.site.findMany({ where: { organizationId }, select: { id: true, code: true, name: true }, orderBy: { code: "asc" } }),
    db.supplier.findMany({ where: { organizationId }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  return { sites, suppliers };
}
