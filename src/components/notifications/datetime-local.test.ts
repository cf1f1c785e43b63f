import { describe, expect, it } from "vitest";
import { fromLocalInput, toLocalInput } from "./datetime-local";

describe("datetime-local values", () => {
  it("round-trips a local time to the minute", () => {
    const d = new Date(2026, 10, 27, 9, 5, 42, 123);
    expect(toLocalInput(d)).toBe("2026-11-27T09:05");
    expect(fromLocalInput("2026-11-27T09:05")).toEqual(new Date(2026, 10, 27, 9, 5, 0, 0));
    expect(fromLocalInput("2026-11-27T09:05:30")).toEqual(new Date(2026, 10, 27, 9, 5, 30, 0));
  });

  it("refuses empty, malformed and impossible dates", () => {
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("27/11/2026 09:05")).toBeNull();
    expect(fromLocalInput("2026-02-31T10:00")).toBeNull();
  });
});
