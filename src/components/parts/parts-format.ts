// Pure helpers of the parts pages: quantities and money, request status looks, which request buttons a
// role sees, and the request list's filters. The server enforces the same rules.
import { hasRole, type RoleName } from "@/lib/roles";

export type RequestStatusName = "requested" | "approved" | "ordered" | "received" | "rejected" | "cancelled";
export const REQUEST_STATUSES: RequestStatusName[] = ["requested", "approved", "ordered", "received", "rejected", "cancelled"];
export const OPEN_REQUEST_STATUSES: RequestStatusName[] = ["requested", "approved", "ordered"];

export const REQUEST_STATUS_LOOK: Record<RequestStatusName, { label: string; tone: "slate" | "red" | "amber" | "green" | "brand" }> = {
  requested: { label: "Requested", tone: "amber" },
  approved: { label: "Approved", tone: "brand" },
  ordered: { label: "Ordered", tone: "brand" },
  received: { label: "Received", tone: "green" },
  rejected: { label: "Rejected", tone: "red" },
  cancelled: { label: "Cancelled", tone: "slate" },
};

const qtyFmt = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 3 });

export function formatQuantity(n: number, unit?: string): string {
  return unit && unit !== "ea" ? `${qtyFmt.format(n)} ${unit}` : qtyFmt.format(n);
}

export function formatMoney(n: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency}`;
  }
}

export type RequestAction = "approve" | "reject" | "markOrdered" | "markReceived" | "cancel";

export const REQUEST_ACTION_LABEL: Record<RequestAction, string> = {
  approve: "Approve",
  reject: "Reject",
  markOrdered: "Mark ordered",
  markReceived: "Mark received",
  cancel: "Cancel",
};

/** The buttons `user` sees on a request: managers move it along; a technician may cancel their own while requested. */
export function requestActionsFor(user: { id: string; role: RoleName }, r: { status: RequestStatusName; requestedBy: { id: string } | null }): RequestAction[] {
  if (hasRole(user.role, "manager")) {
    if (r.status === "requested") return ["approve", "reject", "cancel"];
    if (r.status === "approved") return ["markOrdered", "cancel"];
    if (r.status === "ordered") return ["markReceived", "cancel"];
    return [];
  }
  if (hasRole(user.role, "technician") && r.status === "requested" && r.requestedBy?.id === user.id) return ["cancel"];
  return [];
}

/** The request list's status filter: "open" (still on its way), "all", or one status. */
export type RequestStatusFilter = "open" | "all" | RequestStatusName;

export function statusesFor(filter: RequestStatusFilter): RequestStatusName[] | undefined {
  if (filter === "all") return undefined;
  if (filter === "open") return OPEN_REQUEST_STATUSES;
  return [filter];
}

/** A number typed in a form ("2,5" accepted); null when empty or not a number. */
export function parseAmount(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
