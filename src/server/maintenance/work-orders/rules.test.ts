import { describe, expect, it } from "vitest";
import { allowedTransitionsFor, approvalDecision, approvalRefusal, awaitsApproval, canMove, editRefusal, mergeChecklist, parseChecklist, workRefusal, type RightsOrder } from "./rules";

const tech = { id: "t1", role: "technician" as const };
const manager = { id: "m1", role: "manager" as const };
const order = (o: Partial<RightsOrder> = {}): RightsOrder => ({ number: 7, status: "open", assigneeId: null, requestedById: "x", ...o });

describe("status machine", () => {
  it("allows exactly the contract's moves", () => {
    expect(canMove("requested", "open")).toBe(true);
    expect(canMove("requested", "in_progress")).toBe(false);
    expect(canMove("open", "in_progress")).toBe(true);
    expect(canMove("in_progress", "open")).toBe(true);
    expect(canMove("on_hold", "in_progress")).toBe(true);
    expect(canMove("open", "done")).toBe(false);
    expect(canMove("cancelled", "open")).toBe(false);
    expect(canMove("done", "open")).toBe(false);
  });

  it("lists done for whoever may close, and open for a manager on a done order", () => {
    expect(allowedTransitionsFor(tech, order())).toEqual(["in_progress", "on_hold", "cancelled", "done"]);
    // someone else's open order: a technician may move it but not close it
    expect(allowedTransitionsFor(tech, order({ assigneeId: "t2" }))).toEqual(["in_progress", "on_hold", "cancelled"]);
    expect(allowedTransitionsFor(tech, order({ status: "requested" }))).toEqual(["open", "cancelled"]);
    expect(allowedTransitionsFor(tech, order({ status: "done", requestedById: "t1" }))).toEqual([]);
    expect(allowedTransitionsFor(manager, order({ status: "done" }))).toEqual(["open"]);
    expect(allowedTransitionsFor({ id: "v", role: "viewer" }, order())).toEqual([]);
  });
});

describe("predictive orders awaiting approval", () => {
  const admin = { id: "a1", role: "admin" as const };
  const viewer = { id: "v1", role: "viewer" as const };
  const predictive = (o: Partial<RightsOrder> = {}) => order({ type: "predictive", status: "requested", ...o });

  it("awaits approval only as a predictive order in requested", () => {
    expect(awaitsApproval({ type: "predictive", status: "requested" })).toBe(true);
    expect(awaitsApproval({ type: "predictive", status: "open" })).toBe(false);
    expect(awaitsApproval({ type: "inspection", status: "requested" })).toBe(false);
    expect(awaitsApproval({ status: "requested" })).toBe(false);
    expect(approvalDecision("open")).toBe("approve");
    expect(approvalDecision("cancelled")).toBe("dismiss");
    expect(approvalDecision("in_progress")).toBeNull();
  });

  it("lists approve and dismiss for managers and admins only, per role and type", () => {
    expect(allowedTransitionsFor(manager, predictive())).toEqual(["open", "cancelled"]);
    expect(allowedTransitionsFor(admin, predictive())).toEqual(["open", "cancelled"]);
    // even the technician who is assigned to it or raised it cannot decide it
    expect(allowedTransitionsFor(tech, predictive())).toEqual([]);
    expect(allowedTransitionsFor(tech, predictive({ assigneeId: "t1", requestedById: "t1" }))).toEqual([]);
    expect(allowedTransitionsFor(viewer, predictive())).toEqual([]);
    // other types in requested, and a predictive order once approved, follow the ordinary machine
    for (const type of ["corrective", "preventive", "inspection"] as const) {
      expect(allowedTransitionsFor(tech, order({ type, status: "requested" }))).toEqual(["open", "cancelled"]);
    }
    expect(allowedTransitionsFor(tech, predictive({ status: "open" }))).toEqual(["in_progress", "on_hold", "cancelled", "done"]);
  });

  it("refuses a technician with the reason, and nobody else", () => {
    expect(approvalRefusal(tech, predictive())).toBe(
      "Predictive work orders are approved by a manager or admin: WO-7 waits for their decision to approve or dismiss it (you are signed in as technician).",
    );
    expect(approvalRefusal(manager, predictive())).toBeNull();
    expect(approvalRefusal(admin, predictive())).toBeNull();
    expect(approvalRefusal(tech, predictive({ status: "open" }))).toBeNull();
    expect(approvalRefusal(tech, order({ type: "corrective", status: "requested" }))).toBeNull();
  });
});

describe("rights", () => {
  it("lets a technician edit own, created or unassigned orders, and not someone else's", () => {
    expect(editRefusal(tech, order())).toBeNull();
    expect(editRefusal(tech, order({ assigneeId: "t1" }))).toBeNull();
    expect(editRefusal(tech, order({ assigneeId: "t2", requestedById: "t1" }))).toBeNull();
    expect(editRefusal(tech, order({ assigneeId: "t2", assigneeName: "Ana" }))).toBe("WO-7 is assigned to Ana; only they or a manager can edit or close it.");
    expect(editRefusal(manager, order({ assigneeId: "t2" }))).toBeNull();
  });

  it("keeps a finished order its owner's: another technician is refused, the closer is not", () => {
    expect(workRefusal(tech, order({ status: "done" }))).toBe("WO-7 is done and is not your order; ask a manager to change it.");
    expect(workRefusal(tech, order({ status: "cancelled", assigneeId: "t1" }))).toBeNull();
    expect(workRefusal(tech, order({ status: "done", closedById: "t1" }))).toBeNull();
    expect(workRefusal(manager, order({ status: "done" }))).toBeNull();
  });
});

describe("checklist", () => {
  it("keeps the done flags of labels that stay, in order for repeated labels", () => {
    const current = [
      { label: "Isolate pump", done: true },
      { label: "Check seal", done: false },
      { label: "Photo", done: true },
      { label: "Photo", done: false },
    ];
    expect(mergeChecklist(current, ["Photo", "Isolate pump", "New step", "Photo", "Photo"])).toEqual([
      { label: "Photo", done: true },
      { label: "Isolate pump", done: true },
      { label: "New step", done: false },
      { label: "Photo", done: false },
      { label: "Photo", done: false },
    ]);
  });

  it("reads stored JSON defensively", () => {
    expect(parseChecklist(null)).toEqual([]);
    expect(parseChecklist(["a", { label: "b", done: true }, { nope: 1 }, 3])).toEqual([
      { label: "a", done: false },
      { label: "b", done: true },
    ]);
  });
});
