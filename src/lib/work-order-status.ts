// The work-order status machine, shared by the server (the authority: setStatus refuses other moves)
// and the browser (which shows the buttons of a status change typed offline before the server answers).

export const WORK_ORDER_STATUSES = ["requested", "open", "in_progress", "on_hold", "done", "cancelled"] as const;
export type WorkOrderStatusName = (typeof WORK_ORDER_STATUSES)[number];

/** Moves `setStatus` may make. `done` is reached only through `close`, and left only through `reopen`. */
export const STATUS_TRANSITIONS: Readonly<Record<WorkOrderStatusName, readonly WorkOrderStatusName[]>> = {
  requested: ["open", "cancelled"],
  open: ["in_progress", "on_hold", "cancelled"],
  in_progress: ["on_hold", "open", "cancelled"],
  on_hold: ["in_progress", "open", "cancelled"],
  done: [],
  cancelled: [],
};

export type WorkOrderTypeName = "corrective" | "preventive" | "predictive" | "inspection";

/**
 * A predictive order opened by the prediction job waits in `requested` until a manager or admin
 * decides (design.md "Predictions are governed"; contracts.md roles): approving opens it,
 * dismissing cancels it with a reason.
 */
export function awaitsApproval(order: { type?: string | null; status: string }): boolean {
  return order.type === "predictive" && order.status === "requested";
}

/** What a move out of `requested` means for an order that awaits approval. */
export function approvalDecision(to: WorkOrderStatusName): "approve" | "dismiss" | null {
  return to === "open" ? "approve" : to === "cancelled" ? "dismiss" : null;
}
