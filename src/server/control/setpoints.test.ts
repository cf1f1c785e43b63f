import { describe, expect, it } from "vitest";
import { DEFAULT_SAFE_RANGES, isSetpointKey, safeRangeRefusal, safeRangesOf, type SetpointView } from "./setpoints";

describe("safe ranges", () => {
  it("defaults to conservative ranges until validated ones are stored: pump 30–100 %, lamp 50–100 %", () => {
    expect(DEFAULT_SAFE_RANGES).toEqual({ pump_speed: { min: 30, max: 100 }, uv_power: { min: 50, max: 100 } });
    expect(safeRangesOf([])).toEqual(DEFAULT_SAFE_RANGES);
    const stored: SetpointView = { key: "uv_power", unit: "%", value: 80, minSafe: 65, maxSafe: 95, source: "manual", updatedAt: new Date(0) };
    expect(safeRangesOf([stored])).toEqual({ pump_speed: { min: 30, max: 100 }, uv_power: { min: 65, max: 95 } });
  });

  it("refuses values outside the range (bounds included in the range) and non-numbers, naming key, value and range", () => {
    const range = { min: 40, max: 90 };
    expect(safeRangeRefusal("NBG-01", "pump_speed", 40, range)).toBeNull();
    expect(safeRangeRefusal("NBG-01", "pump_speed", 90, range)).toBeNull();
    expect(safeRangeRefusal("NBG-01", "pump_speed", 90.05, range)).toBe("pump_speed 90.05 % is outside its safe range of 40–90 % on NBG-01");
    expect(safeRangeRefusal("NBG-01", "uv_power", 39.9, range)).toBe("uv_power 39.9 % is outside its safe range of 40–90 % on NBG-01");
    expect(safeRangeRefusal("NBG-01", "uv_power", Number.NaN, range)).toBe("uv_power NaN % is outside its safe range of 40–90 % on NBG-01");
  });

  it("knows the setpoint keys", () => {
    expect(isSetpointKey("pump_speed")).toBe(true);
    expect(isSetpointKey("uv_power")).toBe(true);
    expect(isSetpointKey("valve")).toBe(false);
  });
});
