import { describe, expect, it } from "vitest";
import { AUTONOMY_LEVELS, commandStatusText, setpointLabel, suggestionSummary } from "./control-format";

const at = (d: Date | string) => new Date(d).toISOString().slice(11, 16);

describe("setpoints panel words", () => {
  it("has the four autonomy levels of the schema, in order", () => {
    expect(AUTONOMY_LEVELS.map((l) => l.level)).toEqual(["off", "advisory", "supervised", "autonomous"]);
    expect(setpointLabel("pump_speed")).toBe("Pump speed");
    expect(setpointLabel("valve_position")).toBe("valve position");
  });

  it("sums a suggestion up in one sentence with its savings and the dose it keeps", () => {
    const text = suggestionSummary({
      feasible: true,
      reason: null,
      setpoints: [
        { key: "pump_speed", current: 94, value: 82 },
        { key: "uv_power", current: 100, value: 75 },
      ],
      savings: { powerKw: 0.312, specificEnergyKwhM3: 0.0451, pct: 12.4 },
      after: { uv: { validatedDoseMjCm2: 52.2 }, flowM3h: 11.63 },
    });
    expect(text).toBe("Suggested: Pump speed 94 → 82 %, UV lamp power 100 → 75 %. Saves 0.31 kW (12 %), 0.045 kWh less per m³; 11.6 m³/h at a validated dose of 52 mJ/cm².");
  });

  it("says when there is nothing to change or nothing feasible", () => {
    const base = { savings: { powerKw: 0, specificEnergyKwhM3: null, pct: null }, after: { uv: { validatedDoseMjCm2: 50 }, flowM3h: 10 } };
    expect(suggestionSummary({ ...base, feasible: true, reason: null, setpoints: [] })).toMatch(/already runs at its best/);
    expect(suggestionSummary({ ...base, feasible: false, reason: "the demand exceeds full speed", setpoints: [] })).toBe("No setpoints can be suggested: the demand exceeds full speed.");
  });

  it("tells a command's way to the unit", () => {
    const c = { proposedBy: "optimiser", approvedByName: "Mara Manager", createdAt: "2026-11-28T10:02:00Z", approvedAt: "2026-11-28T10:05:00Z", sentAt: "2026-11-28T10:05:00Z", ackAt: "2026-11-28T10:06:00Z", ackMessage: null, expiresAt: "2026-11-28T10:15:00Z" };
    expect(commandStatusText({ ...c, status: "applied" }, at)).toBe("proposed by the optimiser 10:02 · approved by Mara Manager 10:05 · sent 10:05 · applied by the unit 10:06");
    expect(commandStatusText({ ...c, status: "rejected", ackMessage: "out of range" }, at)).toBe("proposed by the optimiser 10:02 · approved by Mara Manager 10:05 · sent 10:05 · refused by the unit: out of range");
    expect(commandStatusText({ ...c, status: "proposed", approvedAt: null, sentAt: null, ackAt: null, approvedByName: null }, at)).toBe("proposed by the optimiser 10:02 · waiting for approval until 10:15");
    expect(commandStatusText({ ...c, status: "sent", ackAt: null, approvedByName: null }, at)).toContain("approved automatically 10:05 · sent 10:05 · waiting for the unit's answer");
  });
});
