import { describe, expect, it } from "vitest";
import { dayStatus, monthVerdict } from "./verdict";
import { parseReasons, reasonLabels } from "./reasons";
import { summarizeDays, type ComplianceDayRow } from "./month-report";

describe("day status", () => {
  it("is incomplete below 90 % data, off_spec with any off-spec water, else compliant", () => {
    expect(dayStatus({ dataCompleteness: 0.899, offSpecVolumeM3: 0 })).toBe("incomplete");
    expect(dayStatus({ dataCompleteness: 0.5, offSpecVolumeM3: 3 })).toBe("incomplete");
    expect(dayStatus({ dataCompleteness: 0.9, offSpecVolumeM3: 0.001 })).toBe("off_spec");
    expect(dayStatus({ dataCompleteness: 1, offSpecVolumeM3: 0 })).toBe("compliant");
  });
});

describe("month verdict (off-spec < 5 % of the month's water)", () => {
  const v = (offSpecM3: number, extra: { missingDays?: number; incompleteDays?: number } = {}) =>
    monthVerdict({ deliveredM3: 1000, offSpecM3, missingDays: extra.missingDays ?? 0, incompleteDays: extra.incompleteDays ?? 0 });

  it("is compliant below 3 %, at risk from 3 %, not compliant from 5 %", () => {
    expect(v(29.9)).toMatchObject({ offSpecPct: 2.99, verdict: "compliant" });
    expect(v(30).verdict).toBe("at_risk");
    expect(v(49).verdict).toBe("at_risk");
    expect(v(49.99).verdict).toBe("at_risk");
    expect(v(50).verdict).toBe("not_compliant");
    expect(v(51)).toMatchObject({ offSpecPct: 5.1, verdict: "not_compliant" });
  });

  it("is incomplete when days are missing or incomplete, unless 5 % is already measured", () => {
    expect(v(10, { missingDays: 1 }).verdict).toBe("incomplete");
    expect(v(40, { incompleteDays: 2 }).verdict).toBe("incomplete");
    expect(v(60, { missingDays: 3 }).verdict).toBe("not_compliant");
  });

  it("has no share without water", () => {
    expect(monthVerdict({ deliveredM3: 0, offSpecM3: 0, missingDays: 0, incompleteDays: 0 })).toEqual({ deliveredM3: 0, offSpecM3: 0, offSpecPct: null, verdict: "compliant" });
  });

  it("sums day rows into the month's totals", () => {
    const row = (day: string, status: ComplianceDayRow["status"], volumeM3: number | null, offSpecVolumeM3: number | null): ComplianceDayRow => ({
      day,
      status,
      final: true,
      runHours: null,
      volumeM3,
      minDoseMjCm2: null,
      p5DoseMjCm2: null,
      maxFlowM3h: null,
      minUvtPct: null,
      minIntensityWm2: null,
      offSpecVolumeM3,
      offSpecEvents: null,
      offSpecMinutes: null,
      dataCompleteness: null,
    });
    const t = summarizeDays([row("2026-03-01", "compliant", 120, 0), row("2026-03-02", "off_spec", 80, 4)]);
    expect(t).toMatchObject({ deliveredM3: 200, offSpecM3: 4, offSpecPct: 2, verdict: "compliant", days: { compliant: 1, offSpec: 1, incomplete: 0, missing: 0 } });
    expect(summarizeDays([row("2026-03-01", "compliant", 120, 0), row("2026-03-02", "missing", null, null)]).verdict).toBe("incomplete");
    expect(summarizeDays([]).verdict).toBe("incomplete");
  });
});

describe("reasons in plain words", () => {
  it("reads stored reason sets in order and keeps codes it does not know", () => {
    expect(parseReasons("sensor_below_setpoint,lamp_off")).toEqual(["lamp_off", "sensor_below_setpoint"]);
    expect(reasonLabels("no_data")[0]!.label).toMatch(/counted as off-spec/);
    expect(reasonLabels("low_dose,lamp_off")).toEqual([
      { code: "lamp_off", label: "UV lamp off" },
      { code: "low_dose", label: "low dose" },
    ]);
  });
});
