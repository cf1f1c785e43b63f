/** The pick lists of the work-order screens: failure codes, parts for an order, people to assign. */
import type { ComponentType } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";

export interface FailureCodeOption {
  code: string;
  name: string;
  componentType: ComponentType | null;
}

/** Generic codes plus those of `componentType`; every code when no type is given. */
export async function listFailureCodes(db: Db, componentType?: ComponentType): Promise<{ modes: FailureCodeOption[]; causes: FailureCodeOption[]; remedies: FailureCodeOption[] }> {
  const rows = await db.failureCode.findMany({
    where: componentType ? { OR: [{ componentType: null }, { componentType }] } : {},
    orderBy: [{ code: "asc" }],
    select: { kind: true, code: true, name: true, componentType: true },
  });
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => ({ code: r.code, name: r.name, componentType: r.componentType }));
  return { modes: of("mode"), causes: of("cause"), remedies: of("remedy") };
}

export interface PartOption {
  partId: string;
  partNumber: string;
  name: string;
  unit: string;
  inStock: number;
  bom: boolean;
}

/** Parts for an order: its component's bill of materials first, then the rest of the catalogue, with stock at the order's site. */
export async function listPartOptions(db: Db, organizationId: string, workOrderId: string): Promise<PartOption[]> {
  const order = await db.workOrder.findFirst({ where: { id: workOrderId, organizationId }, select: { componentId: true, system: { select: { siteId: true } } } });
  if (!order) throw notFound("Work order", workOrderId);
  const [parts, bom] = await Promise.all([
    db.part.findMany({
      where: { organizationId },
      orderBy: { partNumber: "asc" },
      select: { id: true, partNumber: true, name: true, unit: true, stock: { where: { siteId: order.system.siteId }, select: { quantity: true } } },
    }),
    order.componentId ? db.bomItem.findMany({ where: { componentId: order.componentId }, select: { partId: true } }) : Promise.resolve([]),
  ]);
  const inBom = new Set(bom.map((b) => b.partId));
  const options = parts.map((p) => ({
    partId: p.id,
    partNumber: p.partNumber,
    name: p.name,
    unit: p.unit,
    inStock: p.stock[0]?.quantity.toNumber() ?? 0,
    bom: inBom.has(p.id),
  }));
  return [...options.filter((o) => o.bom), ...options.filter((o) => !o.bom)];
}

/** The organisation's active technicians and managers, for assignment. */
export async function listTechnicians(db: Db, organizationId: string): Promise<{ id: string; name: string; role: "technician" | "manager" }[]> {
  const users = await db.user.findMany({
    where: { organizationId, active: true, role: { in: ["technician", "manager"] } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: { id: true, name: true, role: true },
  });
  return users.map((u) => ({ id: u.id, name: u.name, role: u.role as "technician" | "manager" }));
}
