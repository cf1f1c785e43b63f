import { describe, expect, it } from "vitest";
import { unitParamsFromTwin } from "@/lib/physics";
import { DEMO_MODELS, type ModelSpec } from "@/server/seed/demo-fleet";
import { numericTwinParameters, systemUnitParams, type TwinSystemSpec } from "./unit-params";

const model = (code: string): ModelSpec => {
  const m = DEMO_MODELS.find((x) => x.code === code);
  if (!m) throw new Error(`no demo model ${code}`);
  return m;
};

/** A system of a demo model as the database returns it (JSON columns, limits with nulls). */
function specOf(m: ModelSpec, change: Partial<TwinSystemSpec> = {}): TwinSystemSpec {
  return {
    code: "SYS-01",
    ratedFlowM3h: m.ratedFlowM3h,
    requiredDoseMjCm2: m.requiredDoseMjCm2,
    modelTwinParameters: JSON.parse(JSON.stringify(m.twin)) as unknown,
    systemTwinParameters: null,
    components: m.components.map((c) => ({ code: c.code, type: c.type, modelNumber: c.modelNumber ?? null, attributes: c.attributes ?? null, status: "active" })),
    limits: m.limits.map((l) => ({ metricKey: l.metricKey, min: l.min ?? null, max: l.max ?? null })),
    ...change,
  };
}

describe("systemUnitParams", () => {
  it("builds the AQ-UV10's parameters: two 5/1 µm cartridges, one amalgam lamp, validated limits", () => {
    const built = systemUnitParams(specOf(model("AQ-UV10")));
    const cartridge = { rf0: 0.15, mcKg: 6, meKg: 12, dpTerminalBar: 1 };
    expect(built.params).toEqual(
      unitParamsFromTwin(model("AQ-UV10").twin, {
        filters: [cartridge, cartridge],
        lampCount: 1,
        lampType: "amalgam",
        compliance: { requiredDoseMjCm2: 40, maxFlowM3h: 12, minUvtPct: 85, sensorSetpointWm2: 48 },
      }),
    );
    expect(built.filterCodes).toEqual(["filter-1", "filter-2"]);
    expect(built.lampCodes).toEqual(["lamp-1"]);
    expect(built.lampCount).toBe(1);
    expect(built.params.uv.lamp.powerW).toBe(150);
  });

  it("builds the HX-20's: a sand filter then a polishing cartridge, two lamps sharing 300 W", () => {
    const built = systemUnitParams(specOf(model("HX-20")));
    // media: R_f0 = 1.02/20 (≈ 0.1 bar clean at rated flow), terminal 0.3 bar; cartridge: 0.15/(20/10)
    expect(built.params.filters).toEqual([
      { rf0: 1.02 / 20, mcKg: 0.8, meKg: 1.6, dpTerminalBar: 0.3 },
      { rf0: 0.075, mcKg: 12, meKg: 24, dpTerminalBar: 1 },
    ]);
    expect(built.lampCount).toBe(2);
    expect(built.lampCodes).toEqual(["lamp-1", "lamp-2"]);
    expect(built.params.uv.lamp.powerW).toBe(150);
    expect(built.params.pump).toMatchObject({ h0M: 55, hBepM: 40, qBepM3h: 20 });
    expect(built.params.compliance).toMatchObject({ maxFlowM3h: 22, minUvtPct: 75, sensorSetpointWm2: 45 });
  });

  it("overlays the system's own twin parameters on the model's and ignores what is not a number", () => {
    const built = systemUnitParams(specOf(model("AQ-UV10"), { systemTwinParameters: { h0M: 58, kCal: 1.1, hStaticM: "high", lampW: null } }));
    expect(built.params.pump.h0M).toBe(58);
    expect(built.params.uv.kCal).toBe(1.1);
    expect(built.params.hydraulics.hStaticM).toBe(15);
    expect(built.params.uv.lamp.powerW).toBe(150);
    expect(built.twin).toMatchObject({ h0M: 58, kCal: 1.1, hStaticM: 15, lampW: 150 });
  });

  it("takes the system's required dose and its limits (no limit: no compliance bound)", () => {
    const built = systemUnitParams(specOf(model("AQ-UV10"), { requiredDoseMjCm2: 186, limits: [{ metricKey: "flow_rate", min: 1.5, max: null }] }));
    expect(built.params.compliance.requiredDoseMjCm2).toBe(186);
    expect(built.params.compliance.maxFlowM3h).toBeUndefined();
    expect(built.params.compliance.minUvtPct).toBeUndefined();
    expect(built.params.compliance.sensorSetpointWm2).toBeUndefined();
  });

  it("orders filters by their number whatever the order given, and leaves removed components out", () => {
    const filter = (code: string, status = "active") => ({ code, type: "filter", modelNumber: "CH-20", attributes: { rf0: Number(code.slice(7)) / 100 }, status });
    const spec = specOf(model("AQ-UV10"), {
      components: [filter("filter-10"), filter("filter-2"), filter("filter-9"), filter("filter-1"), filter("filter-3", "removed")],
    });
    const built = systemUnitParams(spec);
    expect(built.filterCodes).toEqual(["filter-1", "filter-2", "filter-9", "filter-10"]);
    expect(built.params.filters.map((f) => f.rf0)).toEqual([0.01, 0.02, 0.09, 0.1]);
    // no lamp component: the model still has one lamp (the simulator's rule)
    expect(built.lampCodes).toEqual([]);
    expect(built.lampCount).toBe(1);
  });
});

describe("numericTwinParameters", () => {
  it("keeps finite numbers only", () => {
    expect(numericTwinParameters({ a: 1, b: "2", c: null, d: Number.NaN, e: [1], f: -0.5 })).toEqual({ a: 1, f: -0.5 });
    expect(numericTwinParameters(null)).toEqual({});
    expect(numericTwinParameters([1, 2])).toEqual({});
  });
});
