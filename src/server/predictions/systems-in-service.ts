import type { Prisma } from "@/generated/prisma/client";

/** The systems a prediction run scores: in service, of one organisation or one system when asked. */
export function systemsInService(opts: { organizationId?: string; systemCode?: string }): Prisma.TreatmentSystemWhereInput {
  return {
    status: { not: "decommissioned" },
    ...(opts.organizationId ? { organizationId: opts.organizationId } : {}),
    ...(opts.systemCode ? { code: opts.systemCode } : {}),
  };
}
