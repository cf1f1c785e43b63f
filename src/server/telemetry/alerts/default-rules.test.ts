import { describe, expect, it } from "vitest";
import { BUILT_IN_METRICS } from "@/lib/metric-catalogue";
import { DEMO_MODELS } from "@/server/seed/demo-fleet";
import { defaultRulesFor, toAlertRuleRows, type DefaultAlertRule } from "./default-rules";
import { initialState, onSample, parseRuleParams, ruleSpecFromRow, RULE_KINDS } from "./rules";

const model = (code: string) => DEMO_MODELS.find((m) => m.code === code)!;
const byKey = (rules: DefaultAlertRule[]) => new Map(rules.map((r) => [r.key, r]));
const METRIC_KEYS = new Set(BUILT_IN_METRICS.map((m) => m.key));

describe("defaultRulesFor", () => {
  it("builds the §4.3 alarm set of an AQ-UV10 from its validated limits", () => {
    const rules = byKey(defaultRulesFor(model("AQ-UV10")));
    const pick = (key: string) => {
      const r = rules.get(key);
      expect(r, key).toBeDefined();
      return { kind: r!.kind, threshold: r!.threshold, deadband: r!.deadband, onDelaySec: r!.onDelaySec, offDelaySec: r!.offDelaySec, severity: r!.severity, isCompliance: r!.isCompliance };
    };
    expect(pick("uv_intensity_lolo")).toEqual({ kind: "threshold_lolo", threshold: 48, deadband: 1.92, onDelaySec: 0, offDelaySec: 15, severity: "critical", isCompliance: true });
    expect(pick("uv_intensity_lo")).toEqual({ kind: "threshold_lo", threshold: 52.8, deadband: 1.92, onDelaySec: 15, offDelaySec: 15, severity: "minor", isCompliance: false });
    expect(pick("flow_rate_hi")).toEqual({ kind: "threshold_hi", threshold: 12, deadband: 0.6, onDelaySec: 0, offDelaySec: 15, severity: "major", isCompliance: true });
    expect(pick("flow_rate_lo_lamp_on")).toEqual({ kind: "threshold_lo", threshold: 0.5, deadband: 0.6, onDelaySec: 600, offDelaySec: 15, severity: "warning", isCompliance: false });
    expect(pick("uvt_lolo")).toEqual({ kind: "threshold_lolo", threshold: 85, deadband: 1, onDelaySec: 0, offDelaySec: 120, severity: "major", isCompliance: true });
    expect(pick("filter_dp_hi")).toEqual({ kind: "threshold_hi", threshold: 0.7, deadband: 0.02, onDelaySec: 120, offDelaySec: 120, severity: "warning", isCompliance: false });
    expect(pick("filter_dp_hihi")).toEqual({ kind: "threshold_hihi", threshold: 1, deadband: 0.02, onDelaySec: 120, offDelaySec: 120, severity: "major", isCompliance: false });
    expect(pick("filter_dp_roc")).toEqual({ kind: "rate_of_change", threshold: 0.005, deadband: 0.001, onDelaySec: 1020, offDelaySec: 120, severity: "warning", isCompliance: false });
    expect(pick("turbidity_hi")).toEqual({ kind: "threshold_hi", threshold: 1, deadband: 0.2, onDelaySec: 120, offDelaySec: 120, severity: "warning", isCompliance: false });
    expect(pick("turbidity_hihi")).toEqual({ kind: "threshold_hihi", threshold: 5, deadband: 0.2, onDelaySec: 120, offDelaySec: 120, severity: "major", isCompliance: false });
    expect(pick("pump_pressure_hi")).toEqual({ kind: "threshold_hi", threshold: 6, deadband: 0.12, onDelaySec: 15, offDelaySec: 15, severity: "major", isCompliance: false });
    expect(pick("vibration_hi")).toEqual({ kind: "threshold_hi", threshold: 1.8, deadband: 0.2, onDelaySec: 120, offDelaySec: 120, severity: "warning", isCompliance: false });
    expect(pick("vibration_hihi")).toEqual({ kind: "threshold_hihi", threshold: 4.5, deadband: 0.2, onDelaySec: 120, offDelaySec: 120, severity: "major", isCompliance: false });
    expect(pick("lamp_hours_hi")).toEqual({ kind: "threshold_hi", threshold: 10800, deadband: 0, onDelaySec: 0, offDelaySec: 0, severity: "warning", isCompliance: false });
    expect(pick("lamp_hours_hihi")).toEqual({ kind: "threshold_hihi", threshold: 12000, deadband: 0, onDelaySec: 0, offDelaySec: 0, severity: "major", isCompliance: false });
    expect(pick("device_offline")).toEqual({ kind: "stale", threshold: 120, deadband: 0, onDelaySec: 0, offDelaySec: 0, severity: "major", isCompliance: false });
    expect(rules.size).toBe(16);

    // gates: UV intensity only while water flows, low flow only while the lamp is on; the ΔP rate window
    expect(rules.get("uv_intensity_lolo")!.params).toEqual({ when: { metricKey: "flow_rate", above: 0.5 } });
    expect(rules.get("flow_rate_lo_lamp_on")!.params).toEqual({ when: { metricKey: "lamp_on", above: 0.5 } });
    expect(rules.get("filter_dp_roc")!.params).toEqual({ windowSec: 900, when: { metricKey: "flow_rate", above: 0.5 } });
    expect(rules.get("filter_dp_hi")!.componentType).toBe("filter");
    expect(rules.get("lamp_hours_hi")!.componentType).toBe("lamp");
    expect(rules.get("uv_intensity_lolo")!.componentType).toBe("uv_sensor");
  });

  it("follows each model's own limits", () => {
    const uv5 = byKey(defaultRulesFor(model("AQ-UV5")));
    expect(uv5.get("uv_intensity_lolo")!.threshold).toBe(40);
    expect(uv5.get("uv_intensity_lo")!.threshold).toBe(44);
    expect(uv5.get("flow_rate_hi")!.threshold).toBe(6);
    expect(uv5.get("flow_rate_lo_lamp_on")!.threshold).toBe(0.25);
    const hx = byKey(defaultRulesFor(model("HX-20")));
    expect(hx.get("uv_intensity_lolo")!.threshold).toBe(45);
    expect(hx.get("uvt_lolo")!.threshold).toBe(75);
    expect(hx.get("flow_rate_hi")).toMatchObject({ threshold: 22, deadband: 1.1 });
    expect(hx.get("pump_pressure_hi")).toMatchObject({ threshold: 8, deadband: 0.16 });
  });

  it("leaves out what a system has no limit or component for", () => {
    const bare = defaultRulesFor({ ratedFlowM3h: 10, limits: [], components: [{ code: "pump-1", type: "pump" }] });
    expect(bare.map((r) => r.key).sort()).toEqual(["device_offline", "flow_rate_lo_lamp_on", "turbidity_hi", "turbidity_hihi", "vibration_hi", "vibration_hihi"]);
  });

  it("is consistent for every demo model: known metrics, unique keys, compliance never delayed or minor", () => {
    for (const m of DEMO_MODELS) {
      const rules = defaultRulesFor(m);
      expect(new Set(rules.map((r) => r.key)).size).toBe(rules.length);
      expect(rules.filter((r) => r.isCompliance && r.metricKey === "uv_intensity" && r.severity === "critical")).toHaveLength(1);
      for (const r of rules) {
        expect(METRIC_KEYS.has(r.metricKey), `${m.code} ${r.key}`).toBe(true);
        expect(RULE_KINDS).toContain(r.kind);
        expect(r.deadband).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(r.onDelaySec) && Number.isInteger(r.offDelaySec)).toBe(true);
        if (r.isCompliance) {
          expect(r.onDelaySec, r.key).toBe(0);
          expect(["critical", "major"]).toContain(r.severity);
        }
        if (r.params?.when) expect(METRIC_KEYS.has(r.params.when.metricKey)).toBe(true);
        // a high limit clears below limit - deadband: that must stay above zero
        if (r.kind === "threshold_hi" || r.kind === "threshold_hihi") expect(r.threshold - r.deadband).toBeGreaterThan(0);
      }
    }
  });

  it("evaluates as intended through the rule core: UV intensity below setpoint raises at once", () => {
    const row = toAlertRuleRows(defaultRulesFor(model("AQ-UV10")), { organizationId: "org", systemId: "sys", metricIds: new Map(BUILT_IN_METRICS.map((m, i) => [m.key, i + 1])) }).find(
      (r) => r.kind === "threshold_lolo" && r.isCompliance && r.metricId === BUILT_IN_METRICS.findIndex((m) => m.key === "uv_intensity") + 1,
    )!;
    expect(row).toMatchObject({ organizationId: "org", systemId: "sys", severity: "critical", threshold: 48 });
    expect(parseRuleParams(row.params).when).toEqual({ metricKey: "flow_rate", above: 0.5 });
    const spec = ruleSpecFromRow({ kind: row.kind, threshold: row.threshold ?? null, deadband: row.deadband ?? 0, onDelaySec: row.onDelaySec ?? 0, offDelaySec: row.offDelaySec ?? 0, params: row.params });
    const r = onSample(spec, initialState(), { ts: 1000, last: 47.5, min: 47.5, max: 47.5 });
    expect(r.transition).toEqual({ kind: "raise", at: 1000, value: 47.5 });
  });

  it("refuses a metric missing from the catalogue", () => {
    expect(() => toAlertRuleRows(defaultRulesFor(model("AQ-UV5")), { organizationId: "o", systemId: "s", metricIds: new Map() })).toThrow(/metric uv_intensity/);
  });
});
