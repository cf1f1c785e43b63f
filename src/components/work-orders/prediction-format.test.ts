import { describe, expect, it } from "vitest";
import { formatDays, formatInputValue, formatLimit, formatRemainingLife, formatRisk, formatRiskWithin } from "./prediction-format";

describe("prediction wording", () => {
  it("shows risk as a percentage without rounding a small or near-certain risk away", () => {
    expect(formatRisk(0.834)).toBe("83 %");
    expect(formatRisk(0)).toBe("0 %");
    expect(formatRisk(1)).toBe("100 %");
    expect(formatRisk(0.004)).toBe("< 1 %");
    expect(formatRisk(0.996)).toBe("> 99 %");
    expect(formatRiskWithin(0.9, 336)).toBe("90 % within 14 days");
    expect(formatRiskWithin(0.9, null)).toBe("90 %");
  });

  it("shows remaining life in days with the range of the slope's interval", () => {
    expect(formatDays(18)).toBe("18 h");
    expect(formatDays(24)).toBe("1 day");
    expect(formatDays(84)).toBe("3.5 days");
    expect(formatDays(300)).toBe("13 days");
    expect(formatRemainingLife(120, 74.4, 235.2)).toBe("≈ 5 days (3.1 days to 9.8 days)");
    expect(formatRemainingLife(120, 74.4, null)).toBe("≈ 5 days (3.1 days or more)");
    expect(formatRemainingLife(120, null, 235.2)).toBe("≈ 5 days (up to 9.8 days)");
    expect(formatRemainingLife(0, 0, 10)).toBe("at or past the limit now");
    expect(formatRemainingLife(null, null, null)).toMatch(/not heading towards the limit/);
  });

  it("shows the limit in its unit and inputs readably", () => {
    expect(formatLimit(1, "bar")).toBe("1 bar");
    expect(formatLimit(4.5, null)).toBe("4.5");
    expect(formatLimit(40, "mW/cm2")).toBe("40 mW/cm²");
    expect(formatInputValue(0.123456789)).toBe("0.1235");
    expect(formatInputValue(1234)).toBe("1,234");
    expect(formatInputValue(true)).toBe("yes");
    expect(formatInputValue(null)).toBe("–");
    expect(formatInputValue("filter_dp")).toBe("filter_dp");
  });
});
