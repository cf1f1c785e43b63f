import { describe, expect, it } from "vitest";
import { filterRules, NO_FILTERS, numberValuesOf, parseNumber, parseRuleNumbers, ruleChanges, thresholdLabel } from "./rule-form";

const rule = (code: string | null, metric: string, kind: "threshold_hi" | "stale", id: string) => ({ id, system: code ? { code, name: code } : null, metric: { key: metric }, kind });

describe("filterRules", () => {
  const rules = [rule("NBG-01", "flow_rate", "threshold_hi", "a"), rule(null, "flow_rate", "stale", "b"), rule("KA-02", "uvt", "threshold_hi", "c")];
  const ids = (f: Partial<typeof NO_FILTERS>) => filterRules(rules as never[], { ...NO_FILTERS, ...f }).map((r: { id: string }) => r.id);

  it("a system shows its rules and the organisation-wide ones; '*' only the organisation-wide ones", () => {
    expect(ids({})).toEqual(["a", "b", "c"]);
    expect(ids({ system: "NBG-01" })).toEqual(["a", "b"]);
    expect(ids({ system: "*" })).toEqual(["b"]);
  });

  it("combines metric and kind", () => {
    expect(ids({ metric: "flow_rate" })).toEqual(["a", "b"]);
    expect(ids({ kind: "threshold_hi" })).toEqual(["a", "c"]);
    expect(ids({ metric: "flow_rate", kind: "threshold_hi", system: "KA-02" })).toEqual([]);
  });
});

describe("numbers of the form", () => {
  it("reads decimals with a point or a comma, and refuses text", () => {
    expect(parseNumber(" 0,5 ")).toBe(0.5);
    expect(parseNumber("-1.25e2")).toBe(-125);
    expect(parseNumber("")).toBeUndefined();
    expect(parseNumber("12 bar")).toBeNaN();
    expect(parseNumber("1,000.5")).toBeNaN();
  });

  it("names the fields that are missing or not numbers", () => {
    const { numbers, errors } = parseRuleNumbers({ threshold: "", deadband: "abc", onDelaySec: "15", offDelaySec: "" }, ["threshold"]);
    expect(numbers).toEqual({ onDelaySec: 15 });
    expect(errors).toEqual({ threshold: "Enter a number.", deadband: '"abc" is not a number.' });
  });

  it("round-trips a rule's numbers as text, null as empty", () => {
    expect(numberValuesOf({ threshold: null, deadband: 0.25, onDelaySec: 0, offDelaySec: 120 })).toEqual({ threshold: "", deadband: "0.25", onDelaySec: "0", offDelaySec: "120" });
  });
});

describe("ruleChanges", () => {
  const stored = { name: "Flow high", threshold: 15, deadband: 0.5, onDelaySec: 15, offDelaySec: 15, severity: "minor" as const, enabled: true };
  it("keeps only what differs", () => {
    expect(ruleChanges(stored, { name: " Flow high ", threshold: 15, deadband: 1, onDelaySec: 15, offDelaySec: 30, severity: "major", enabled: true })).toEqual({
      deadband: 1,
      offDelaySec: 30,
      severity: "major",
    });
    expect(ruleChanges(stored, { ...stored })).toEqual({});
    expect(ruleChanges(stored, { enabled: false })).toEqual({ enabled: false });
  });

  it("labels the limit by kind", () => {
    expect(thresholdLabel("stale")).toBe("No data for (s)");
    expect(thresholdLabel("threshold_lolo")).toBe("Limit");
  });
});
