import { describe, expect, it } from "vitest";
import { displayUnit, explainForecast, formatRemaining, formatValue } from "./run-predictions";
import type { OkForecast } from "./act-on-prediction";
import { DEGRADATION_SPECS } from "./trend/specs";

const spec = (key: string) => DEGRADATION_SPECS.find((s) => s.key === key)!;

const base: OkForecast = {
  ok: true,
  points: 300,
  spanHours: 330,
  level: 0.62,
  slopePerDay: 0.041,
  slopeLowPerDay: 0.03,
  slopeHighPerDay: 0.052,
  limit: 1,
  direction: "rising",
  alreadyPast: false,
  rulHours: 9 * 24 + 3,
  rulLowHours: 7 * 24,
  rulHighHours: 12 * 24,
  riskWithinHorizon: 0.83,
  horizonHours: 14 * 24,
  residualSd: 0.02,
};

describe("explainForecast", () => {
  it("says what a manager needs: level, trend with its interval, crossing with its range, risk", () => {
    expect(explainForecast(spec("filter-dp-trend"), base, "bar", { kind: "fixed" }, { refFlowM3h: 8, referenceTemperatureC: 20 })).toBe(
      "Filter ΔP (normalised to 8 m³/h, 20 °C) 0.62 bar, rising 0.041 bar/day (0.030–0.052): reaches 1.0 bar in about 9 days (7–12); risk within 14 days 83 %.",
    );
  });

  it("writes a falling series with positive rates, and names the validated setpoint", () => {
    const f: OkForecast = { ...base, level: 52.34, slopePerDay: -0.8, slopeLowPerDay: -1.04, slopeHighPerDay: -0.61, limit: 45, direction: "falling", rulHours: 40, rulLowHours: 30, rulHighHours: 70 };
    expect(explainForecast(spec("uv-intensity-trend"), f, "W/m2", { kind: "operating_limit" }, null)).toBe(
      "UV intensity 52.3 W/m², falling 0.80 W/m²/day (0.61–1.04): reaches 45 W/m² (the validated setpoint) in about 40 hours (30–70); risk within 14 days 83 %.",
    );
    expect(explainForecast(spec("uv-intensity-trend"), f, "W/m2", { kind: "fallback" }, null)).toContain("45 W/m² (default setpoint: the system has no validated one)");
  });

  it("says when there is no trend, or the limit is already reached", () => {
    const flat: OkForecast = { ...base, level: 2, slopePerDay: 0.0002, slopeLowPerDay: -0.0009, slopeHighPerDay: 0.0005, limit: 4.5, rulHours: null, rulLowHours: 5000, rulHighHours: null, riskWithinHorizon: 0.001, horizonHours: 21 * 24 };
    expect(explainForecast(spec("pump-vibration-trend"), flat, "mm/s", { kind: "fixed" }, null)).toBe(
      "Vibration 2.00 mm/s, no clear trend (−0.00090 to 0.00050 mm/s/day): not heading for 4.5 mm/s at this rate; risk within 21 days 0 %.",
    );
    const past: OkForecast = { ...base, level: 1.08, alreadyPast: true, rulHours: 0, rulLowHours: 0, rulHighHours: 0, riskWithinHorizon: 1 };
    expect(explainForecast(spec("filter-dp-trend"), past, "bar", { kind: "fixed" }, { refFlowM3h: 6.53, referenceTemperatureC: 20 })).toBe(
      "Filter ΔP (normalised to 6.5 m³/h, 20 °C) 1.08 bar, rising 0.041 bar/day (0.030–0.052): already at or past 1.0 bar; risk within 14 days 100 %.",
    );
  });
});

describe("formatting", () => {
  it("rounds values to what a gauge shows", () => {
    expect([0, 0.041, 0.03, 0.62, 2.1, 52.34, 123.4, -0.0009].map(formatValue)).toEqual(["0", "0.041", "0.030", "0.62", "2.10", "52.3", "123", "−0.00090"]);
  });

  it("gives remaining life in days from two days on, in hours below, with its range when it says something", () => {
    expect(formatRemaining(9 * 24, 7 * 24, 12 * 24)).toBe("in about 9 days (7–12)");
    expect(formatRemaining(5 * 24, 5 * 24 - 2, 5 * 24 + 3)).toBe("in about 5 days");
    expect(formatRemaining(20, 14, null)).toBe("in about 20 hours (14 or more)");
    expect(formatRemaining(1, null, null)).toBe("in about 1 hour");
  });

  it("writes catalogue units as people do", () => {
    expect(["m3/h", "W/m2", "degC", "bar"].map(displayUnit)).toEqual(["m³/h", "W/m²", "°C", "bar"]);
  });
});
