import { describe, expect, it } from "vitest";
import { formatMoney, formatQuantity, parseAmount, requestActionsFor, statusesFor } from "./parts-format";

describe("request buttons per role", () => {
  const tech = { id: "t1", role: "technician" as const };
  const manager = { id: "m1", role: "manager" as const };
  it("lets managers move a request along and cancel it while pending", () => {
    expect(requestActionsFor(manager, { status: "requested", requestedBy: { id: "t1" } })).toEqual(["approve", "reject", "cancel"]);
    expect(requestActionsFor(manager, { status: "approved", requestedBy: null })).toEqual(["markOrdered", "cancel"]);
    expect(requestActionsFor(manager, { status: "ordered", requestedBy: null })).toEqual(["markReceived", "cancel"]);
    expect(requestActionsFor({ id: "a", role: "admin" }, { status: "received", requestedBy: null })).toEqual([]);
  });
  it("lets a technician only cancel their own request while it is requested; viewers nothing", () => {
    expect(requestActionsFor(tech, { status: "requested", requestedBy: { id: "t1" } })).toEqual(["cancel"]);
    expect(requestActionsFor(tech, { status: "requested", requestedBy: { id: "t2" } })).toEqual([]);
    expect(requestActionsFor(tech, { status: "approved", requestedBy: { id: "t1" } })).toEqual([]);
    expect(requestActionsFor({ id: "v", role: "viewer" }, { status: "requested", requestedBy: { id: "v" } })).toEqual([]);
  });
});

describe("formatting and parsing", () => {
  it("formats quantities with their unit and money in its currency", () => {
    expect(formatQuantity(2.5, "m")).toBe("2.5 m");
    expect(formatQuantity(1200, "ea")).toBe("1,200");
    expect(formatMoney(89.5, "EUR")).toBe("€89.50");
  });
  it("parses typed amounts, with a decimal comma", () => {
    expect(parseAmount("2,5")).toBe(2.5);
    expect(parseAmount(" ")).toBeNull();
    expect(parseAmount("x")).toBeNull();
  });
  it("maps the status filter to statuses", () => {
    expect(statusesFor("open")).toEqual(["requested", "approved", "ordered"]);
    expect(statusesFor("all")).toBeUndefined();
    expect(statusesFor("rejected")).toEqual(["rejected"]);
  });
});
