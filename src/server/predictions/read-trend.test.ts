import { describe, expect, it } from "vitest";
import { median, referenceFlow, resolveLimit, type OperatingLimitRow } from "./read-trend";
import { DEGRADATION_SPECS } from "./trend/specs";

const spec = (key: string) => DEGRADATION_SPECS.find((s) => s.key === key)!;
const limits = (rows: Record<string, Partial<OperatingLimitRow>>) =>
  new Map(Object.entries(rows).map(([k, v]) => [k, { min: null, max: null, source: null, ...v }]));

describe("resolveLimit", () => {
  it("takes a fixed limit as written", () => {
    expect(resolveLimit(spec("filter-dp-trend"), limits({ filter_dp: { max: 0.7 } }))).toMatchObject({ value: 1, kind: "fixed" });
  });

  it("takes the system's validated operating limit, else the spec's fallback, and says which", () => {
    const uv = spec("uv-intensity-trend");
    expect(resolveLimit(uv, limits({ uv_intensity: { min: 48, source: "validation report" } }))).toEqual({
      value: 48,
      kind: "operating_limit",
      source: expect.stringContaining("operating limit min of uv_intensity (validation report)"),
    });
    expect(resolveLimit(uv, limits({ uv_intensity: { max: 900 } }))).toEqual({ value: 40, kind: "fallback", source: "default 40: the system has no operating limit min for uv_intensity" });
    expect(resolveLimit(uv, limits({}))).toMatchObject({ value: 40, kind: "fallback" });
  });
});

describe("referenceFlow", () => {
  it("is 80 % of the validated maximum flow when there is one", () => {
    expect(referenceFlow(limits({ flow_rate: { max: 10 } }), [3, 4])).toMatchObject({ refFlowM3h: 8, refFlowSource: "operating_limit" });
  });

  it("else the median of the hours that had flow, and nothing without flow", () => {
    expect(referenceFlow(limits({}), [0, 9, 3, 5, 0, 7])).toMatchObject({ refFlowM3h: 6, refFlowSource: "window_median" });
    expect(referenceFlow(limits({ flow_rate: { min: 1 } }), [2, 4, 9])).toMatchObject({ refFlowM3h: 4, refFlowSource: "window_median" });
    expect(referenceFlow(limits({}), [0, 0])).toBeNull();
  });

  it("median of odd and even lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
