import { describe, expect, it } from "vitest";
import { isOpenAt, silencedUntil, windowProblem } from "./maintenance-windows";

const at = (iso: string) => new Date(`2026-11-27T${iso}:00.000Z`);
const now = at("10:00");

describe("windowProblem", () => {
  it("accepts a window that ends in the future, also one that started earlier", () => {
    expect(windowProblem({ startsAt: at("10:00"), endsAt: at("12:00") }, now)).toBeNull();
    expect(windowProblem({ startsAt: at("08:00"), endsAt: at("10:01") }, now)).toBeNull();
  });

  it("refuses an end before the start, an end in the past and more than 31 days, on the end field", () => {
    expect(windowProblem({ startsAt: at("12:00"), endsAt: at("11:00") }, now)).toEqual({ field: "endsAt", message: "The window must end after it starts." });
    expect(windowProblem({ startsAt: at("12:00"), endsAt: at("12:00") }, now)?.field).toBe("endsAt");
    expect(windowProblem({ startsAt: at("08:00"), endsAt: at("10:00") }, now)?.message).toMatch(/already passed/);
    const start = at("10:00");
    expect(windowProblem({ startsAt: start, endsAt: new Date(start.getTime() + 31 * 86_400_000) }, now)).toBeNull();
    expect(windowProblem({ startsAt: start, endsAt: new Date(start.getTime() + 31 * 86_400_000 + 1) }, now)?.message).toMatch(/at most 31 days/);
  });

  it("names an invalid date", () => {
    expect(windowProblem({ startsAt: new Date(Number.NaN), endsAt: at("12:00") }, now)?.field).toBe("startsAt");
  });
});

describe("silencedUntil", () => {
  it("is null without an open window; the start is inclusive, the end exclusive", () => {
    expect(silencedUntil([], now)).toBeNull();
    expect(silencedUntil([{ startsAt: at("11:00"), endsAt: at("12:00") }], now)).toBeNull();
    expect(silencedUntil([{ startsAt: at("08:00"), endsAt: at("10:00") }], now)).toBeNull();
    expect(silencedUntil([{ startsAt: at("10:00"), endsAt: at("10:30") }], now)).toEqual(at("10:30"));
    expect(isOpenAt({ startsAt: at("10:00"), endsAt: at("10:30") }, at("10:30"))).toBe(false);
  });

  it("follows windows that overlap or join without a gap, not across a gap", () => {
    const windows = [
      { startsAt: at("13:00"), endsAt: at("14:00") }, // after a gap
      { startsAt: at("11:00"), endsAt: at("12:00") }, // joins the next one's end exactly
      { startsAt: at("09:00"), endsAt: at("11:00") }, // open now
      { startsAt: at("10:30"), endsAt: at("11:30") }, // overlaps
    ];
    expect(silencedUntil(windows, now)).toEqual(at("12:00"));
  });
});
