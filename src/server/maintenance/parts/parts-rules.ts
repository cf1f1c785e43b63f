/**
 * Pure rules of parts and parts requests: when stock is below its reorder point, how much to reorder,
 * which status changes a parts request allows, and how a stock movement's reason is written.
 */

export type PartsRequestStatusName = "requested" | "approved" | "ordered" | "received" | "rejected" | "cancelled";

/** Requests still on their way: a part and site with one of these gets no automatic reorder. */
export const PENDING_REQUEST_STATUSES = ["requested", "approved", "ordered"] as const satisfies readonly PartsRequestStatusName[];

export type PartsRequestAction = "approve" | "reject" | "order" | "receive" | "cancel";

/** requested -> approved | rejected; approved -> ordered; ordered -> received; cancel while pending. */
export const REQUEST_TRANSITIONS: Record<PartsRequestAction, { from: readonly PartsRequestStatusName[]; to: PartsRequestStatusName }> = {
  approve: { from: ["requested"], to: "approved" },
  reject: { from: ["requested"], to: "rejected" },
  order: { from: ["approved"], to: "ordered" },
  receive: { from: ["ordered"], to: "received" },
  cancel: { from: PENDING_REQUEST_STATUSES, to: "cancelled" },
};

const ACTION_WORDS: Record<PartsRequestAction, string> = {
  approve: "approved",
  reject: "rejected",
  order: "marked ordered",
  receive: "marked received",
  cancel: "cancelled",
};

/** Why `action` is not possible from `status` (null: it is). */
export function transitionRefusal(action: PartsRequestAction, status: PartsRequestStatusName): string | null {
  const t = REQUEST_TRANSITIONS[action];
  if (t.from.includes(status)) return null;
  const one = t.from[0]!;
  const need = t.from.length === 1 ? `${/^[aeiou]/.test(one) ? "an" : "a"} ${one} request` : `a request that is ${t.from.join(", ")}`;
  return `This parts request is ${status}; only ${need} can be ${ACTION_WORDS[action]}.`;
}

/** The quantity an automatic reorder asks for: the reorder quantity, else the reorder point. */
export function reorderAmount(reorderPoint: number, reorderQuantity: number): number {
  return reorderQuantity > 0 ? reorderQuantity : reorderPoint;
}

/** Stock at or below its reorder point, for a part that has one (something to reorder). */
export function isBelowReorder(quantity: number, reorderPoint: number, reorderQuantity: number): boolean {
  return reorderAmount(reorderPoint, reorderQuantity) > 0 && quantity <= reorderPoint;
}

/** Kinds of stock movement; "adjusted" carries the person's reason after a colon. */
export type MovementKind = "received" | "used" | "adjusted" | "returned";

export function movementReason(kind: MovementKind, note?: string): string {
  const text = note?.trim();
  return text ? `${kind}: ${text}` : kind;
}

export function parseMovementReason(reason: string): { kind: string; note: string | null } {
  const i = reason.indexOf(":");
  if (i < 0) return { kind: reason, note: null };
  return { kind: reason.slice(0, i), note: reason.slice(i + 1).trim() || null };
}
