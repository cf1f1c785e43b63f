import { describe, expect, it } from "vitest";
import { ruleValuesProblem, type RuleValues } from "./rules-admin";

const flow = { name: "Flow rate", unit: "m3/h", minValid: 0, maxValid: 100 };
const rule = (over: Partial<RuleValues>): RuleValues => ({ kind: "threshold_hi", threshold: 15, deadband: 0.5, onDelaySec: 15, offDelaySec: 15, ...over });

describe("ruleValuesProblem", () => {
  it("accepts sensible rules of every kind", () => {
    expect(ruleValuesProblem(rule({}), flow)).toBeNull();
    expect(ruleValuesProblem(rule({ kind: "threshold_lolo", threshold: 0, deadband: 99 }), flow)).toBeNull();
    expect(ruleValuesProblem(rule({ kind: "stale", threshold: 120, deadband: 0, onDelaySec: 0 }), flow)).toBeNull();
    expect(ruleValuesProblem(rule({ kind: "rate_of_change", threshold: 0.005, deadband: 0.001, windowSec: 900 }), flow)).toBeNull();
    expect(ruleValuesProblem(rule({ kind: "baseline_deviation", threshold: 4, deadband: 0.5 }), flow)).toBeNull();
  });

  it("refuses a limit outside the metric's valid range, naming the range", () => {
    expect(ruleValuesProblem(rule({ threshold: 150 }), flow)).toEqual({
      field: "threshold",
      message: "A limit of 150 is outside the valid range of Flow rate (0 to 100 m3/h): no reading can cross it.",
    });
    expect(ruleValuesProblem(rule({ kind: "threshold_lo", threshold: -0.1 }), flow)?.field).toBe("threshold");
    expect(ruleValuesProblem(rule({ threshold: null }), flow)?.message).toBe("Enter the limit: every rule needs one.");
  });

  it("refuses a deadband that would keep the alert from clearing", () => {
    expect(ruleValuesProblem(rule({ deadband: 100 }), flow)?.field).toBe("deadband");
    expect(ruleValuesProblem(rule({ deadband: -1 }), flow)?.field).toBe("deadband");
    expect(ruleValuesProblem(rule({ kind: "rate_of_change", threshold: 0.5, deadband: 0.5 }), flow)).toEqual({
      field: "deadband",
      message: "The deadband must be smaller than the limit (0.5), or the alert could never clear.",
    });
  });

  it("checks kind-specific limits and delays", () => {
    expect(ruleValuesProblem(rule({ kind: "stale", threshold: 5, deadband: 0 }), flow)?.message).toMatch(/waits 10 s to 604800 s/);
    expect(ruleValuesProblem(rule({ kind: "rate_of_change", threshold: 0, deadband: 0 }), flow)?.message).toBe("The rate limit (per minute) must be above 0.");
    expect(ruleValuesProblem(rule({ kind: "baseline_deviation", threshold: 101, deadband: 0 }), flow)?.field).toBe("threshold");
    expect(ruleValuesProblem(rule({ kind: "rate_of_change", threshold: 1, deadband: 0, windowSec: 5 }), flow)?.field).toBe("windowSec");
    expect(ruleValuesProblem(rule({ onDelaySec: 1.5 }), flow)?.field).toBe("onDelaySec");
    expect(ruleValuesProblem(rule({ offDelaySec: 86_401 }), flow)?.message).toMatch(/^Off-delay/);
  });
});
