import { describe, expect, it } from "vitest";
import { DEFAULT_UNIT_PARAMS, solveOperatingPoint, type UnitParams } from "@/lib/physics";
import { componentLabel, componentStates, complianceVerdict, figureRows, formatNumber } from "./twin-view-model";

const params: UnitParams = { ...DEFAULT_UNIT_PARAMS, compliance: { ...DEFAULT_UNIT_PARAMS.compliance, maxFlowM3h: 12 } };
const design = solveOperatingPoint(params, { speed: 0.9, waterTempC: 15, uvtPct: 95 });

describe("figures", () => {
  it("shows each figure with its change against the unit as it runs, coloured by which way is better", () => {
    const faster = solveOperatingPoint(params, { speed: 1, waterTempC: 15, uvtPct: 95 });
    const rows = figureRows(faster, design);
    const flow = rows.find((r) => r.key === "flow")!;
    expect(flow.text).toBe(formatNumber(faster.flowM3h, 2));
    expect(flow.delta).toBe(`+${formatNumber(faster.flowM3h - design.flowM3h, 2)}`);
    expect(flow.tone).toBe("neutral");
    const dose = rows.find((r) => r.key === "dose")!;
    expect(dose.delta!.startsWith("−")).toBe(true); // more flow, less dose
    expect(dose.tone).toBe("bad");
    const energy = rows.find((r) => r.key === "energy")!;
    expect(energy.tone).toBe(faster.specificEnergyKwhM3! > design.specificEnergyKwhM3! ? "bad" : "good");
  });

  it("has no change without a reference or when the shown value is the same", () => {
    expect(figureRows(design, null).every((r) => r.delta === null && r.tone === "neutral")).toBe(true);
    expect(figureRows(design, design).every((r) => r.delta === null)).toBe(true);
  });

  it("shows a dash for a figure that does not exist without flow", () => {
    const stopped = solveOperatingPoint(params, { speed: 0, waterTempC: 15, uvtPct: 95 });
    expect(figureRows(stopped, null).find((r) => r.key === "dose")!.text).toBe("—");
  });
});

describe("verdict", () => {
  it("is on-spec at the design point with the dose against the required dose", () => {
    const v = complianceVerdict(design, 40);
    expect(v.onSpec).toBe(true);
    expect(v.detail).toContain(`${formatNumber(design.uv.validatedDoseMjCm2, 1)} mJ/cm²`);
  });

  it("names every off-spec reason in words", () => {
    const bad = solveOperatingPoint(params, { speed: 1.15, waterTempC: 15, uvtPct: 70, lamp: { hours: 11_000, fouling: 0.6 } });
    expect(bad.compliance.reasons).toEqual(expect.arrayContaining(["dose_below_required", "flow_above_max"]));
    const v = complianceVerdict(bad, 40);
    expect(v.onSpec).toBe(false);
    expect(v.detail).toMatch(/^The validated dose is below the required dose; the flow is above the validated maximum\.$/);
  });

  it("says why no water flows", () => {
    expect(complianceVerdict(solveOperatingPoint(params, { speed: 0, waterTempC: 15, uvtPct: 95 }), 40).detail).toBe("The pump is stopped.");
    expect(complianceVerdict(solveOperatingPoint(params, { speed: 0.45, waterTempC: 15, uvtPct: 95 }), 40).detail).toMatch(/static head/);
  });
});

describe("component states", () => {
  const codes = ["pump-1", "motor-1", "filter-1", "filter-2", "uv-1", "lamp-1", "plc-1"];
  const base = { codes, alerts: [], predictions: [], outcome: design, filterCodes: ["filter-1", "filter-2"], lampCodes: ["lamp-1"] };

  it("is all ok at the design point without alerts", () => {
    const params2: UnitParams = { ...params, filters: [params.filters[0]!, params.filters[0]!] };
    const outcome = solveOperatingPoint(params2, { speed: 0.9, waterTempC: 15, uvtPct: 95 });
    const states = componentStates({ ...base, outcome });
    expect([...states.values()].every((s) => s.level === "ok")).toBe(true);
  });

  it("takes the worst of alerts and predictions, and puts system-level alerts on the controller", () => {
    const states = componentStates({
      ...base,
      alerts: [
        { severity: "major", message: "High ΔP", component: "filter-1" },
        { severity: "critical", message: "UV low", component: "uv-1" },
        { severity: "warning", message: "Stale data", component: null },
      ],
      predictions: [
        { kind: "failure_risk", score: 0.62, rulHours: null, component: "pump-1" },
        { kind: "failure_risk", score: 0.2, rulHours: null, component: "motor-1" },
        { kind: "remaining_life", score: 0, rulHours: 5 * 24, component: "filter-1" },
      ],
    });
    expect(states.get("filter-1")).toEqual({ level: "warning", reasons: ["High ΔP", "About 5 days of life left"] });
    expect(states.get("uv-1")!.level).toBe("critical");
    expect(states.get("plc-1")).toEqual({ level: "watch", reasons: ["Stale data"] });
    expect(states.get("pump-1")).toEqual({ level: "watch", reasons: ["Failure risk 62 % within 7 days"] });
    expect(states.get("motor-1")!.level).toBe("ok");
  });

  it("follows the physics: a filter at terminal ΔP, an off-spec reactor, a lamp that is off", () => {
    const params2: UnitParams = { ...params, filters: [params.filters[0]!, params.filters[0]!] };
    const outcome = solveOperatingPoint(params2, { speed: 1, waterTempC: 15, uvtPct: 95, filters: [{ resistanceFactor: 1 }, { resistanceFactor: 9 }], lamp: { on: false } });
    expect(outcome.filters[1]!.atTerminal).toBe(true);
    const states = componentStates({ ...base, outcome });
    expect(states.get("filter-2")!.level).toBe("warning");
    expect(states.get("filter-1")!.level).toBe("ok");
    expect(states.get("uv-1")!.level).toBe("critical");
    expect(states.get("uv-1")!.reasons[0]).toContain("the UV lamp is off");
    expect(states.get("lamp-1")!.level).toBe("idle");
  });
});

describe("labels", () => {
  it("pins flow and pressure on the pump, ΔP on each filter, the dose on the reactor", () => {
    expect(componentLabel("pump-1", design, ["filter-1"])).toBe(`${formatNumber(design.flowM3h, 1)} m³/h · ${formatNumber(design.dischargePressureBar, 1)} bar`);
    expect(componentLabel("filter-1", design, ["filter-1"])).toBe(`ΔP ${formatNumber(design.filters[0]!.dpBar, 2)} bar`);
    expect(componentLabel("uv-1", design, ["filter-1"])).toBe(`${formatNumber(design.uv.validatedDoseMjCm2, 0)} mJ/cm²`);
    expect(componentLabel("tank-1", design, ["filter-1"])).toBeNull();
  });
});
