import { describe, expect, it } from "vitest";
import { DEMO_MODELS } from "@/server/seed/demo-fleet";
import { FleetSimulator } from "./fleet";
import type { SimSystemSpec } from "./config";
import type { SimReading } from "./types";

const HOUR = 3_600_000;
const START = Date.parse("2026-03-01T00:00:00Z");

function model(code: string) {
  const m = DEMO_MODELS.find((x) => x.code === code);
  if (!m) throw new Error(code);
  return m;
}

const NBG = { code: "NBG", latitude: 49.45, climate: { utcOffsetHours: 1, rawTurbidityNtu: 0.3, uvtMeanPct: 94 } };
const UNIT: SimSystemSpec = { code: "NBG-01", commissioned: "2023-03-14", model: model("AQ-UV10"), site: NBG };

const fleet = () => new FleetSimulator([UNIT], { seed: 42, start: START });
const speeds = (readings: SimReading[], from = -Infinity) => readings.filter((r) => r.metric === "pump_speed" && r.ts > from).map((r) => r.value);
/** Readings of a running pump (a stopped one reads 0 plus sensor noise). */
const running = (values: number[]) => values.filter((v) => v > 5);

describe("FleetSimulator.setSetpoint", () => {
  it("runs the VFD at the pump_speed setpoint from the next step while the pump runs", () => {
    const own = fleet();
    const ownReadings = own.collect(START + 12 * HOUR).readings[0]!;
    const ownRunning = running(speeds(ownReadings, START + 6 * HOUR));
    // the unit's own control varies the speed with the tank's flow target
    expect(ownRunning.length).toBeGreaterThan(100);
    expect(Math.max(...ownRunning) - Math.min(...ownRunning)).toBeGreaterThan(5);

    const sim = fleet();
    const before = sim.collect(START + 6 * HOUR).readings[0]!;
    expect(before).toEqual(ownReadings.filter((r) => r.ts <= START + 6 * HOUR));
    sim.setSetpoint(0, "pump_speed", 62.5);
    expect(sim.setpoints(0)).toEqual({ pumpSpeedPct: 62.5 });
    const after = sim.collect(START + 12 * HOUR).readings[0]!;
    const held = running(speeds(after));
    expect(held.length).toBeGreaterThan(100);
    // the VFD's reading: the setpoint plus its noise (σ 0.05 %, one decimal)
    for (const v of held) expect(Math.abs(v - 62.5)).toBeLessThanOrEqual(0.3);
  });

  it("dims the lamps by the uv_power setpoint: half the power, half the UV", () => {
    const own = fleet();
    const dimmed = fleet();
    dimmed.setSetpoint(0, "uv_power", 50);
    own.advanceTo(START + 2 * HOUR, { reading: () => {}, label: () => {} });
    dimmed.advanceTo(START + 2 * HOUR, { reading: () => {}, label: () => {} });
    const a = own.outputs(0);
    const b = dimmed.outputs(0);
    expect(a.lampOn.some((on) => on === 1)).toBe(true);
    expect(a.uvPowerKw).toBeGreaterThan(0);
    expect(b.uvPowerKw / a.uvPowerKw).toBeCloseTo(0.5, 12);
    expect(b.uvIntensityWm2 / a.uvIntensityWm2).toBeCloseTo(0.5, 12);
    // the water side is the unit's own: dimming does not change flow or the tank
    expect(b.flowM3h).toBe(a.flowM3h);
    expect(b.tankLevel).toBe(a.tankLevel);
  });

  it("hands control back with null, and changes nothing when no setpoint is given", () => {
    const own = fleet().collect(START + 3 * HOUR).readings;
    const sim = fleet();
    sim.setSetpoint(0, "pump_speed", 40);
    sim.setSetpoint(0, "uv_power", 70);
    sim.setSetpoint(0, "pump_speed", null);
    sim.setSetpoint(0, "uv_power", null);
    expect(sim.setpoints(0)).toEqual({});
    expect(sim.collect(START + 3 * HOUR).readings).toEqual(own);
    expect(fleet().snapshot().systems[0]!.state).not.toHaveProperty("setpoints");
  });

  it("keeps the setpoints in the snapshot", () => {
    const sim = fleet();
    sim.setSetpoint(0, "pump_speed", 75);
    sim.advanceTo(START + HOUR, { reading: () => {}, label: () => {} });
    const resumed = new FleetSimulator([UNIT], { seed: 42, start: START }, JSON.parse(JSON.stringify(sim.snapshot())));
    expect(resumed.setpoints(0)).toEqual({ pumpSpeedPct: 75 });
    const a = sim.collect(START + 3 * HOUR).readings;
    const b = resumed.collect(START + 3 * HOUR).readings;
    expect(b).toEqual(a);
  });

  it("refuses what the unit cannot take, saying why, and keeps what it had", () => {
    const sim = fleet();
    sim.setSetpoint(0, "pump_speed", 80);
    const refusal = (key: string, value: number, unit?: string) => {
      try {
        sim.setSetpoint(0, key, value, unit);
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
        return (err as Error).message;
      }
      throw new Error(`accepted ${key} ${value}`);
    };
    expect(refusal("pump_speed", 130)).toBe("pump_speed 130 % is outside the range this unit accepts (30–100 % of the pump's rated speed)");
    expect(refusal("pump_speed", 29.9)).toBe("pump_speed 29.9 % is outside the range this unit accepts (30–100 % of the pump's rated speed)");
    expect(refusal("uv_power", 10)).toBe("uv_power 10 % is outside the range this unit accepts (30–100 % of the lamps' full power)");
    expect(refusal("pump_speed", Number.NaN)).toBe("pump_speed must be a finite number, not NaN");
    expect(refusal("pump_speed", 60, "rpm")).toBe('pump_speed must be given in % (% of the pump\'s rated speed), not "rpm"');
    expect(refusal("outlet_pressure", 2, "bar")).toBe('unknown setpoint "outlet_pressure": this unit takes pump_speed and uv_power');
    expect(sim.setpoints(0)).toEqual({ pumpSpeedPct: 80 });
    // the range ends are accepted
    sim.setSetpoint(0, "pump_speed", 30);
    sim.setSetpoint(0, "uv_power", 100);
    expect(sim.setpoints(0)).toEqual({ pumpSpeedPct: 30, uvPowerPct: 100 });
  });
});
