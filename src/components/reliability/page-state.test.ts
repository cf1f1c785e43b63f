import { describe, expect, it } from "vitest";
import { pageHref, parsePageState, periodStart } from "./page-state";

describe("reliability page state", () => {
  it("reads the URL with safe defaults and writes back only what differs from them", () => {
    const s = parsePageState({ by: "site", ci: "95", group: "abc", period: "nonsense" });
    expect(s).toEqual({ by: "site", period: "all", confidence: 0.95, group: "abc" });
    expect(pageHref(s, { group: null })).toBe("/reliability?by=site&ci=95");
    expect(pageHref(parsePageState({}))).toBe("/reliability");
    expect(pageHref(parsePageState({ by: ["systemModel", "site"] }), { period: "1y" })).toBe("/reliability?by=systemModel&period=1y");
  });

  it("counts the period back from now", () => {
    expect(periodStart("1y", new Date("2026-03-01T12:00:00Z"))).toEqual(new Date("2025-03-01T12:00:00Z"));
    expect(periodStart("5y", new Date("2026-03-01T12:00:00Z"))).toEqual(new Date("2021-03-01T12:00:00Z"));
    expect(periodStart("all", new Date())).toBeUndefined();
  });
});
