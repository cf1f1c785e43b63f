import { describe, expect, it } from "vitest";
import { orderDueAt, qualifies, type OkForecast } from "./act-on-prediction";

const f = (o: Partial<OkForecast>): OkForecast => ({
  ok: true,
  points: 300,
  spanHours: 330,
  level: 0.6,
  slopePerDay: 0.04,
  slopeLowPerDay: 0.03,
  slopeHighPerDay: 0.05,
  limit: 1,
  direction: "rising",
  alreadyPast: false,
  rulHours: null,
  rulLowHours: null,
  rulHighHours: null,
  riskWithinHorizon: 0,
  horizonHours: 336,
  residualSd: 0.02,
  ...o,
});
const actWhen = { rulHoursAtMost: 168, riskAtLeast: 0.8 };

describe("qualifies", () => {
  it("acts on a short remaining life or a high risk, and on nothing else", () => {
    expect(qualifies(f({ rulHours: 168, riskWithinHorizon: 0.1 }), actWhen)).toBe(true);
    expect(qualifies(f({ rulHours: 169, riskWithinHorizon: 0.1 }), actWhen)).toBe(false);
    expect(qualifies(f({ rulHours: 0, alreadyPast: true }), actWhen)).toBe(true);
    expect(qualifies(f({ rulHours: null, riskWithinHorizon: 0.8 }), actWhen)).toBe(true);
    expect(qualifies(f({ rulHours: null, riskWithinHorizon: 0.79 }), actWhen)).toBe(false);
  });
});

describe("orderDueAt", () => {
  const now = new Date("2031-01-01T00:00:00.000Z");
  it("is the earliest likely crossing, else the fitted one, else none", () => {
    expect(orderDueAt(f({ rulHours: 100, rulLowHours: 80 }), now)).toEqual(new Date("2031-01-04T08:00:00.000Z"));
    expect(orderDueAt(f({ rulHours: 100, rulLowHours: null }), now)).toEqual(new Date("2031-01-05T04:00:00.000Z"));
    expect(orderDueAt(f({ rulHours: 0, rulLowHours: 0, alreadyPast: true }), now)).toEqual(now);
    expect(orderDueAt(f({}), now)).toBeNull();
  });
});
