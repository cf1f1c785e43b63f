import { describe, expect, it } from "vitest";
import { hasRole, isRole, ROLES } from "./roles";

describe("roles", () => {
  it("orders viewer < technician < manager < admin", () => {
    expect(hasRole("admin", "manager")).toBe(true);
    expect(hasRole("manager", "manager")).toBe(true);
    expect(hasRole("technician", "manager")).toBe(false);
    expect(hasRole("viewer", "technician")).toBe(false);
    for (const r of ROLES) expect(hasRole(r, "viewer")).toBe(true);
  });
  it("recognises only the four role names", () => {
    expect(isRole("admin")).toBe(true);
    expect(isRole("root")).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
