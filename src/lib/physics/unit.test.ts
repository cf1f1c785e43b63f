import { describe, expect, it } from "vitest";
import {
  DEFAULT_UNIT_PARAMS,
  solveHydraulics,
  solveOperatingPoint,
  speedForFlow,
  unitParamsFromTwin,
  type UnitParams,
} from "./unit";

// domain.md §6.3 "Model check with these defaults": clean filter, R_f0 = 0.15, 15 °C.
// Tolerances are the table's rounding; P_el within 2 % (the doc's script gives values about 1 %
// above the §6.2 power chain with the stated efficiencies).
const CHECK_TABLE = [
  { s: 1.0, q: 12.2, h: 37.8, p: 3.7, eta: 0.57, pEl: 2.68, sec: 0.22, dp: 0.2 },
  { s: 0.9, q: 10.5, h: 32.1, p: 3.15, eta: 0.58, pEl: 1.92, sec: 0.18, dp: 0.17 },
  { s: 0.8, q: 8.7, h: 27.1, p: 2.65, eta: 0.6, pEl: 1.32, sec: 0.15, dp: 0.14 },
];

const base = { waterTempC: 15, uvtPct: 95 };

describe("solveOperatingPoint: domain.md §6.3 check table", () => {
  for (const row of CHECK_TABLE) {
    it(`s = ${row.s}`, () => {
      const out = solveOperatingPoint(DEFAULT_UNIT_PARAMS, { ...base, speed: row.s });
      expect(out.flowM3h).toBeCloseTo(row.q, 0);
      expect(Math.abs(out.flowM3h - row.q)).toBeLessThan(0.06);
      expect(Math.abs(out.headM - row.h)).toBeLessThan(0.06);
      expect(Math.abs(out.dischargePressureBar - row.p)).toBeLessThan(0.026);
      expect(Math.abs(out.pumpEfficiency - row.eta)).toBeLessThan(0.006);
      expect(Math.abs(out.pumpPowerKw - row.pEl) / row.pEl).toBeLessThan(0.02);
      expect(Math.abs((out.pumpSpecificEnergyKwhM3 ?? NaN) - row.sec)).toBeLessThan(0.006);
      expect(Math.abs(out.filterDpTotalBar - row.dp)).toBeLessThan(0.006);
    });
  }

  it("a 3× loaded filter at s = 1 cuts Q to 11.6 m³/h and raises ΔP_f to 0.58 bar", () => {
    const out = solveHydraulics(DEFAULT_UNIT_PARAMS, { ...base, speed: 1, filters: [{ resistanceFactor: 3 }] });
    expect(Math.abs(out.flowM3h - 11.6)).toBeLessThan(0.06);
    expect(Math.abs(out.filterDpTotalBar - 0.58)).toBeLessThan(0.01);
  });

  it("the 1.0 bar terminal ΔP is reached at about 6× R_f0 (about 10 m³/h, 15 °C)", () => {
    const out = solveHydraulics(DEFAULT_UNIT_PARAMS, { ...base, speed: 1, filters: [{ resistanceFactor: 6 }] });
    expect(out.flowM3h).toBeGreaterThan(10);
    expect(out.flowM3h).toBeLessThan(11.5);
    expect(out.filterDpTotalBar).toBeGreaterThan(0.95);
    expect(out.filterDpTotalBar).toBeLessThan(1.15);
    expect(out.filters[0]?.atTerminal).toBe(true);
  });

  it("lower speed or a dirtier filter -> lower flow -> higher UV dose", () => {
    const full = solveOperatingPoint(DEFAULT_UNIT_PARAMS, { ...base, speed: 1 });
    const slow = solveOperatingPoint(DEFAULT_UNIT_PARAMS, { ...base, speed: 0.8 });
    const clogged = solveOperatingPoint(DEFAULT_UNIT_PARAMS, { ...base, speed: 1, filters: [{ resistanceFactor: 4 }] });
    expect(slow.uv.avgDoseMjCm2!).toBeGreaterThan(full.uv.avgDoseMjCm2!);
    expect(clogged.uv.avgDoseMjCm2!).toBeGreaterThan(full.uv.avgDoseMjCm2!);
  });
});

describe("pump and system curve", () => {
  it("follows the affinity laws on a pure-friction system (Q ∝ s, H ∝ s², P ∝ s³)", () => {
    const params: UnitParams = { ...DEFAULT_UNIT_PARAMS, hydraulics: { ...DEFAULT_UNIT_PARAMS.hydraulics, hStaticM: 0 }, filters: [] };
    const a = solveHydraulics(params, { ...base, speed: 1 });
    const b = solveHydraulics(params, { ...base, speed: 1.1 });
    expect(b.flowM3h / a.flowM3h).toBeCloseTo(1.1, 6);
    expect(b.headM / a.headM).toBeCloseTo(1.21, 6);
    expect(b.shaftPowerKw / a.shaftPowerKw).toBeCloseTo(1.331, 6);
    const c = solveHydraulics(params, { ...base, speed: 0.8 });
    expect(c.shaftPowerKw / a.shaftPowerKw).toBeCloseTo(0.512, 6);
  });

  it("delivers nothing when s²H0 does not exceed the static head (dead-head, still draws power)", () => {
    const out = solveHydraulics(DEFAULT_UNIT_PARAMS, { ...base, speed: 0.5 }); // 0.25·60 = 15 m = H_static
    expect(out.flowM3h).toBe(0);
    expect(out.deadHead).toBe(true);
    expect(out.headM).toBeCloseTo(15, 6);
    expect(out.pumpPowerKw).toBeGreaterThan(0);
    expect(out.pumpSpecificEnergyKwhM3).toBeNull();
  });

  it("is stopped at s = 0", () => {
    const out = solveOperatingPoint(DEFAULT_UNIT_PARAMS, { ...base, speed: 0 });
    expect(out.flowM3h).toBe(0);
    expect(out.pumpPowerKw).toBe(0);
    expect(out.deadHead).toBe(false);
    expect(out.uv.avgDoseMjCm2).toBeNull();
  });

  it("speedForFlow inverts the operating point, also with a loaded filter and a leak", () => {
    const levers = { ...base, filters: [{ massKg: 5 }], leakM3h: 0.3 };
    for (const q of [3, 7.5, 11]) {
      const s = speedForFlow(DEFAULT_UNIT_PARAMS, levers, q);
      expect(solveHydraulics(DEFAULT_UNIT_PARAMS, { ...levers, speed: s }).flowM3h).toBeCloseTo(q, 9);
    }
  });

  it("a seal leak bypasses the system: less delivered flow, more pump flow, lower pressure", () => {
    const ok = solveHydraulics(DEFAULT_UNIT_PARAMS, { ...base, speed: 1 });
    const leak = solveHydraulics(DEFAULT_UNIT_PARAMS, { ...base, speed: 1, leakM3h: 1.5 });
    expect(leak.flowM3h).toBeLessThan(ok.flowM3h);
    expect(leak.pumpFlowM3h).toBeCloseTo(leak.flowM3h + 1.5, 9);
    expect(leak.dischargePressureBar).toBeLessThan(ok.dischargePressureBar);
  });

  it("cold water raises filter ΔP at the same loading", () => {
    const warm = solveHydraulics(DEFAULT_UNIT_PARAMS, { ...base, waterTempC: 20, speed: 1 });
    const cold = solveHydraulics(DEFAULT_UNIT_PARAMS, { ...base, waterTempC: 5, speed: 1 });
    expect(cold.filterDpTotalBar).toBeGreaterThan(warm.filterDpTotalBar * 1.2);
  });
});

describe("energy and compliance", () => {
  it("adds lamp and auxiliary power to the pump's; UV energy is small vs pumping (§1.7)", () => {
    const out = solveOperatingPoint(DEFAULT_UNIT_PARAMS, { ...base, speed: 0.9 });
    expect(out.uv.lampPowerKw).toBeCloseTo(0.15 / 0.9, 9);
    expect(out.totalPowerKw).toBeCloseTo(out.pumpPowerKw + out.uv.lampPowerKw + 0.02, 9);
    expect(out.uv.uvSpecificEnergyKwhM3!).toBeLessThan(0.2 * out.pumpSpecificEnergyKwhM3!);
  });

  it("flags the §5.2 off-spec conditions", () => {
    const params: UnitParams = {
      ...DEFAULT_UNIT_PARAMS,
      compliance: { ...DEFAULT_UNIT_PARAMS.compliance, maxFlowM3h: 12, minUvtPct: 85, sensorSetpointWm2: 48 },
    };
    const good = solveOperatingPoint(params, { ...base, speed: 0.9, uvtPct: 95 });
    expect(good.compliance).toMatchObject({ onSpec: true, reasons: [] });
    expect(good.compliance.doseRatio!).toBeGreaterThan(1);

    const bad = solveOperatingPoint(params, { ...base, speed: 1, uvtPct: 70, lamp: { hours: 12_000, fouling: 0.8 } });
    expect(bad.compliance.onSpec).toBe(false);
    expect(bad.compliance.reasons).toEqual(expect.arrayContaining(["flow_above_max", "uvt_below_min", "dose_below_required"]));

    const off = solveOperatingPoint(params, { ...base, speed: 0.9, lamp: { on: false } });
    expect(off.compliance.reasons).toEqual(expect.arrayContaining(["lamp_off", "sensor_below_setpoint", "dose_below_required"]));
    const warming = solveOperatingPoint(params, { ...base, speed: 0.9, lamp: { minutesOn: 1 } });
    expect(warming.compliance.reasons).toContain("warming_up");
  });
});

describe("unitParamsFromTwin", () => {
  it("maps the seed's twin keys and keeps §6.3 defaults for the rest", () => {
    const twin = { h0M: 55, qBepM3h: 20, hBepM: 40, etaBep: 0.6, motorEta: 0.86, vfdEta: 0.96, hStaticM: 15, kPipe: 0.12, kUv: 0.02, rf0: 0.15, dpTerminalBar: 1, lampW: 300, etaUvc: 0.33, eolFactor: 0.85, sleeveT: 0.95, kCal: 1.2 };
    const p = unitParamsFromTwin(twin, { lampCount: 2, filters: [{ rf0: 0.05, dpTerminalBar: 0.3 }, {}] });
    expect(p.pump).toMatchObject({ h0M: 55, qBepM3h: 20, hBepM: 40 });
    expect(p.uv.lampCount).toBe(2);
    expect(p.uv.lamp.powerW).toBe(150);
    expect(p.filters).toHaveLength(2);
    expect(p.filters[0]).toMatchObject({ rf0: 0.05, dpTerminalBar: 0.3 });
    expect(p.filters[1]).toMatchObject({ rf0: 0.15, dpTerminalBar: 1 });
    expect(p.uv.geometry).toEqual(DEFAULT_UNIT_PARAMS.uv.geometry);
  });

  it("reproduces the defaults from the AQ-UV10 twin parameters", () => {
    const twin = { h0M: 60, qBepM3h: 10, hBepM: 45, etaBep: 0.6, motorEta: 0.86, vfdEta: 0.96, hStaticM: 15, kPipe: 0.12, kUv: 0.02, rf0: 0.15, dpTerminalBar: 1, lampW: 150, etaUvc: 0.33, eolFactor: 0.85, sleeveT: 0.95, kCal: 1.2 };
    expect(unitParamsFromTwin(twin)).toEqual(DEFAULT_UNIT_PARAMS);
  });
});
