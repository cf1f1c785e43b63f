import { describe, expect, it } from "vitest";
import { explanationText, flattenInputs, readPredictionInputs } from "./list-predictions";

describe("reading a prediction's stored inputs", () => {
  it("finds the range, limit and its source at the top level or one level down", () => {
    const read = readPredictionInputs({
      metric: "filter_dp",
      unit: "bar",
      limit: { value: 1, source: "domain.md §3.2", kind: "fixed" },
      forecast: { level: 0.62, rulLowHours: 70, rulHighHours: 240, slopePerDay: 0.031 },
    });
    expect(read).toMatchObject({ rulLowHours: 70, rulHighHours: 240, limit: 1, limitSource: "domain.md §3.2", metric: "filter_dp", unit: "bar" });
    expect(read.inputs).toMatchObject({ "limit.value": 1, "limit.source": "domain.md §3.2", "forecast.level": 0.62, "forecast.rulHighHours": 240 });
    expect(readPredictionInputs({ limit: 4.5, limitSource: "ISO 10816-3", rulLowHours: null })).toMatchObject({ limit: 4.5, limitSource: "ISO 10816-3", rulLowHours: null });
  });

  it("shows what an old or odd row has instead of failing", () => {
    expect(readPredictionInputs(null)).toEqual({ rulLowHours: null, rulHighHours: null, limit: null, limitSource: null, metric: null, unit: null, inputs: {} });
    expect(readPredictionInputs({ limit: "high", rulLowHours: Number.NaN }).limit).toBeNull();
    // a series of samples is not an input a person reads; a short list is
    const flat = flattenInputs({ samples: Array.from({ length: 50 }, (_, i) => i), components: ["lamp-1", "lamp-2"], infinite: Number.POSITIVE_INFINITY });
    expect(flat).toEqual({ components: "lamp-1, lamp-2", infinite: null });
  });

  it("reads the explanation as one text", () => {
    expect(explanationText({ text: " ΔP rises 3 %/day. ", model: "filter-dp-trend@1" })).toBe("ΔP rises 3 %/day.");
    expect(explanationText("plain")).toBe("plain");
    expect(explanationText(["One.", "Two."])).toBe("One. Two.");
    expect(explanationText({ other: 1 })).toBeNull();
    expect(explanationText(null)).toBeNull();
  });
});
