import { describe, expect, it } from "vitest";
import {
  calibrationSummaryLook,
  formatDeviation,
  parseReading,
  previewCheck,
  readingLabels,
  readingsText,
  recordedMessage,
  RESULT_LOOK,
  siteInputToDate,
  STATE_LOOK,
} from "./calibration-format";

describe("calibration words and colours", () => {
  it("colours states red when water is at stake, amber to act on soon, green when fine, grey when unknown", () => {
    const tone = (c: string) => /bg-(\w+)-/.exec(c)?.[1];
    expect(tone(STATE_LOOK.failed.className)).toBe("red");
    expect(tone(STATE_LOOK.overdue.className)).toBe("red");
    expect(tone(STATE_LOOK.drift.className)).toBe("amber");
    expect(tone(STATE_LOOK.due_soon.className)).toBe("amber");
    expect(tone(STATE_LOOK.ok.className)).toBe("emerald");
    expect(tone(STATE_LOOK.never_checked.className)).toBe("slate");
    expect(STATE_LOOK.failed.label).toBe("Out of calibration");
    expect(STATE_LOOK.ok.label).toBe("In calibration");
    expect(RESULT_LOOK.fail.meaning).toBe("out of calibration");
  });

  it("writes deviations as a signed share for UV sensors and in % UVT for analysers", () => {
    expect(formatDeviation("uv_sensor", 0.123)).toBe("+12.3 %");
    expect(formatDeviation("uv_sensor", -0.25)).toBe("−25.0 %");
    expect(formatDeviation("uv_sensor", 0)).toBe("0.0 %");
    expect(formatDeviation("uv_sensor", -0.0004)).toBe("0.0 %");
    expect(formatDeviation("uvt_analyser", 2.4)).toBe("+2.4 % UVT");
    expect(formatDeviation("uvt_analyser", -1.5)).toBe("−1.5 % UVT");
  });

  it("labels the reading inputs by instrument", () => {
    expect(readingLabels("uv_sensor")).toEqual({ instrument: "Duty sensor (W/m²)", references: ["Reference 1 (W/m²)", "Reference 2 (W/m²)", "Reference 3 (W/m²)"] });
    expect(readingLabels("uvt_analyser")).toEqual({ instrument: "Online UVT (%)", references: ["Lab UVT (%)"] });
  });

  it("writes a check's readings, with the mean of several references", () => {
    expect(readingsText({ instrument: "uv_sensor", instrumentReading: 30, referenceReadings: [40], reference: 40 })).toBe("Duty 30 W/m² · reference 40 W/m²");
    expect(readingsText({ instrument: "uv_sensor", instrumentReading: 41.5, referenceReadings: [40, 41, 41], reference: 40.6667 })).toBe(
      "Duty 41.5 W/m² · references 40, 41, 41 W/m² (mean 40.67)",
    );
    expect(readingsText({ instrument: "uvt_analyser", instrumentReading: 87.4, referenceReadings: [85], reference: 85 })).toBe("Online 87.4 % · lab 85 %");
  });
});

describe("the check being typed", () => {
  it("reads numbers as typed on a phone", () => {
    expect(parseReading(" 41,5 ")).toBe(41.5);
    expect(parseReading("40")).toBe(40);
    expect(parseReading("")).toBeNull();
    expect(parseReading("forty")).toBeNaN();
    expect(parseReading("4 0")).toBeNaN();
  });

  it("previews the verdict with the server's rules", () => {
    expect(previewCheck("uv_sensor", "", ["40", "", ""]).kind).toBe("empty");
    expect(previewCheck("uv_sensor", "30", ["", "", ""]).kind).toBe("empty");
    const fail = previewCheck("uv_sensor", "30", ["40", "", ""]);
    expect(fail.kind === "verdict" && fail.outcome.result).toBe("fail");
    expect(fail.text).toBe("Out of calibration: −25.0 % against the reference (40 W/m²).");
    const drift = previewCheck("uv_sensor", "45", ["40", "40", "40"]);
    expect(drift.kind === "verdict" && drift.outcome.result).toBe("drift");
    expect(drift.text).toBe("Drifting, still in calibration: +12.5 % against the reference mean (40 W/m²).");
    expect(previewCheck("uv_sensor", "40", ["40"]).text).toBe("In calibration: 0.0 % against the reference (40 W/m²).");
    expect(previewCheck("uvt_analyser", "87", ["85"]).text).toBe("Out of calibration: +2.0 % UVT against the lab (85 %).");
    expect(previewCheck("uvt_analyser", "86", ["85"]).text).toBe("In calibration: +1.0 % UVT against the lab (85 %).");
  });

  it("says why a check cannot be judged", () => {
    expect(previewCheck("uv_sensor", "30", ["0"])).toEqual({
      kind: "problem",
      text: "Cannot be judged: a reference sensor reading must be above 0 W/m² (got 0); take it with the lamps on.",
    });
    expect(previewCheck("uv_sensor", "thirty", ["40"]).text).toBe("Cannot be judged: the instrument reading must be a number.");
    expect(previewCheck("uvt_analyser", "101", ["85"]).kind).toBe("problem");
  });

  it("confirms a recorded check with the days it recomputed", () => {
    expect(recordedMessage({ check: { instrument: "uv_sensor", deviation: -0.25, result: "fail" }, recomputedDays: ["2026-11-28"] })).toBe(
      "Check recorded: out of calibration (−25.0 %). 1 day recomputed.",
    );
    expect(recordedMessage({ check: { instrument: "uv_sensor", deviation: 0, result: "pass" }, recomputedDays: [] })).toBe("Check recorded: in calibration (0.0 %).");
    expect(recordedMessage({ check: { instrument: "uv_sensor", deviation: 0, result: "pass" }, recomputedDays: [], notedOnWorkOrders: [42] })).toBe(
      "Check recorded: in calibration (0.0 %). Noted on WO-42; close it when the visit is done.",
    );
    expect(recordedMessage({ check: { instrument: "uvt_analyser", deviation: 2.4, result: "fail" }, recomputedDays: ["2026-11-27", "2026-11-28"] })).toBe(
      "Check recorded: out of calibration (+2.4 % UVT). 2 days recomputed.",
    );
  });

  it("reads the time a check was taken on the site's clock, whatever the browser's zone", () => {
    expect(siteInputToDate("2026-07-01T12:00", "Europe/Berlin")?.toISOString()).toBe("2026-07-01T10:00:00.000Z");
    expect(siteInputToDate("2026-01-15T12:00", "Europe/Berlin")?.toISOString()).toBe("2026-01-15T11:00:00.000Z");
    expect(siteInputToDate("2026-01-15T12:00", "Africa/Nairobi")?.toISOString()).toBe("2026-01-15T09:00:00.000Z");
    // the night the clocks go back, before the change: still summer time
    expect(siteInputToDate("2026-10-25T01:30", "Europe/Berlin")?.toISOString()).toBe("2026-10-24T23:30:00.000Z");
    expect(siteInputToDate("2026-02-31T10:00", "Europe/Berlin")).toBeNull();
    expect(siteInputToDate("", "Europe/Berlin")).toBeNull();
    expect(siteInputToDate("yesterday", "Europe/Berlin")).toBeNull();
  });
});

describe("the fleet's calibration column", () => {
  it("names the worst first: out of calibration, then checks due, else in calibration", () => {
    expect(calibrationSummaryLook({ instruments: 0, failed: 0, due: 0 })).toBeNull();
    expect(calibrationSummaryLook({ instruments: 2, failed: 0, due: 0 })!.label).toBe("In calibration");
    expect(calibrationSummaryLook({ instruments: 2, failed: 0, due: 2 })!.label).toBe("2 checks due");
    expect(calibrationSummaryLook({ instruments: 2, failed: 1, due: 1 })).toEqual({ label: "1 out of calibration", className: expect.stringContaining("red") as string });
  });
});
