import { describe, expect, it } from "vitest";
import { isBelowReorder, movementReason, parseMovementReason, reorderAmount, transitionRefusal } from "./parts-rules";

describe("parts request transitions", () => {
  it("allows requested -> approved/rejected, approved -> ordered, ordered -> received, cancel while pending", () => {
    expect(transitionRefusal("approve", "requested")).toBeNull();
    expect(transitionRefusal("reject", "requested")).toBeNull();
    expect(transitionRefusal("order", "approved")).toBeNull();
    expect(transitionRefusal("receive", "ordered")).toBeNull();
    for (const s of ["requested", "approved", "ordered"] as const) expect(transitionRefusal("cancel", s)).toBeNull();
  });

  it("refuses everything else with what would be needed", () => {
    expect(transitionRefusal("receive", "approved")).toBe("This parts request is approved; only an ordered request can be marked received.");
    expect(transitionRefusal("approve", "rejected")).toBe("This parts request is rejected; only a requested request can be approved.");
    expect(transitionRefusal("order", "requested")).toMatch(/only an approved request can be marked ordered/);
    expect(transitionRefusal("cancel", "received")).toBe("This parts request is received; only a request that is requested, approved, ordered can be cancelled.");
    expect(transitionRefusal("reject", "approved")).not.toBeNull();
  });
});

describe("reorder points", () => {
  it("reorders the reorder quantity, else the reorder point, when stock is at or below the point", () => {
    expect(reorderAmount(4, 10)).toBe(10);
    expect(reorderAmount(4, 0)).toBe(4);
    expect(isBelowReorder(4, 4, 10)).toBe(true);
    expect(isBelowReorder(4.001, 4, 10)).toBe(false);
    // no reorder point and no quantity: nothing to reorder, even at zero stock
    expect(isBelowReorder(0, 0, 0)).toBe(false);
    expect(isBelowReorder(0, 0, 5)).toBe(true);
  });
});

describe("movement reasons", () => {
  it("keeps the kind and the person's note apart", () => {
    expect(movementReason("adjusted", " counted 3 on the shelf ")).toBe("adjusted: counted 3 on the shelf");
    expect(movementReason("received")).toBe("received");
    expect(parseMovementReason("adjusted: broken in transit: 2 pcs")).toEqual({ kind: "adjusted", note: "broken in transit: 2 pcs" });
    expect(parseMovementReason("used")).toEqual({ kind: "used", note: null });
  });
});
