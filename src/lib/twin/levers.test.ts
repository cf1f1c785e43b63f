import { describe, expect, it } from "vitest";
import { barToHead, pumpCurveCoefficient, solveOperatingPoint, unitParamsFromTwin, viscosityRatio, type UnitOutcome, type UnitParams } from "@/lib/physics";
import {
  defaultLevers,
  FILTER_LOAD_RANGE,
  LEVER_SPECS,
  leversFromLive,
  outcomeWarnings,
  toPhysicsLevers,
  twinLeversSchema,
  type LiveReading,
  type ScalarLeverKey,
  type TwinLevers,
} from "./levers";

// A 10 m³/h unit with two cartridge filters and one 150 W amalgam lamp (the seed's AQ-UV10 keys).
const TWIN = { h0M: 60, qBepM3h: 10, hBepM: 45, etaBep: 0.6, motorEta: 0.86, vfdEta: 0.96, hStaticM: 15, kPipe: 0.12, kUv: 0.02, rf0: 0.15, dpTerminalBar: 1, lampW: 150, etaUvc: 0.33, eolFactor: 0.85, sleeveT: 0.95, kCal: 1.2 };
const COMPLIANCE = { requiredDoseMjCm2: 40, maxFlowM3h: 12, minUvtPct: 85, sensorSetpointWm2: 48 };
const params: UnitParams = unitParamsFromTwin(TWIN, { filters: [{ rf0: 0.15 }, { rf0: 0.15 }], lampCount: 1, lampType: "amalgam", compliance: COMPLIANCE });
const twoLamps: UnitParams = unitParamsFromTwin({ ...TWIN, qBepM3h: 20, hBepM: 40, h0M: 55, lampW: 300 }, { filters: [{ rf0: 0.05, dpTerminalBar: 0.3 }, { rf0: 0.075 }], lampCount: 2, lampType: "amalgam", compliance: COMPLIANCE });

const NOW = Date.parse("2026-11-27T10:00:00.000Z");
const MIN = 60_000;

// A known state, away from every default.
const STATE: TwinLevers = {
  speed: 0.92,
  uvtPct: 91,
  waterTempC: 12,
  filterLoad: [2.5, 1.4],
  lampHours: 5000,
  fouling: 0.8,
  dimming: 1,
  lampOn: true,
  hStaticM: 15,
  leakM3h: 0,
};

/** What the unit's instruments would report in `state` (component codes of the seed), optionally rounded like the simulator's. */
function readingsFor(p: UnitParams, state: TwinLevers, opts: { ts?: number; round?: boolean; lamps?: { on: boolean; hours: number }[] } = {}): LiveReading[] {
  const out: UnitOutcome = solveOperatingPoint(p, toPhysicsLevers(state));
  const ts = new Date(opts.ts ?? NOW - MIN);
  const r = (v: number, decimals: number) => (opts.round ? Math.round(v * 10 ** decimals) / 10 ** decimals : v);
  const lamps = opts.lamps ?? [{ on: state.lampOn, hours: state.lampHours }];
  return [
    { component: "pump-1", metric: "pump_speed", value: r(state.speed * 100, 1), ts },
    { component: "ft-1", metric: "flow_rate", value: r(out.flowM3h, 3), ts },
    { component: "pt-1", metric: "pump_pressure", value: r(out.dischargePressureBar, 3), ts },
    ...out.filters.map((f, i) => ({ component: `filter-${i + 1}`, metric: "filter_dp", value: r(f.dpBar, 3), ts })),
    { component: "tt-1", metric: "water_temperature", value: r(state.waterTempC, 2), ts },
    { component: "uvt-1", metric: "uvt", value: r(state.uvtPct, 2), ts },
    { component: "uvsensor-1", metric: "uv_intensity", value: r(out.uv.sensorIntensityWm2, 2), ts },
    ...lamps.flatMap((l, i) => [
      { component: `lamp-${i + 1}`, metric: "lamp_on", value: l.on ? 1 : 0, ts },
      { component: `lamp-${i + 1}`, metric: "lamp_hours", value: r(l.hours, 2), ts },
    ]),
    { component: "pump-1", metric: "power", value: out.pumpPowerKw, ts },
  ];
}

const without = (readings: LiveReading[], ...metrics: string[]) => readings.filter((r) => !metrics.includes(r.metric));

function expectLeversClose(actual: TwinLevers, expected: TwinLevers, relTol: number) {
  const close = (a: number, e: number, what: string) => {
    const err = Math.abs(a - e) / Math.max(1e-12, Math.abs(e));
    if (err > relTol) throw new Error(`${what}: ${a} is not within ${relTol} of ${e}`);
  };
  for (const key of LEVER_SPECS.map((s) => s.key)) close(actual[key], expected[key], key);
  expect(actual.filterLoad).toHaveLength(expected.filterLoad.length);
  actual.filterLoad.forEach((f, i) => close(f, expected.filterLoad[i]!, `filterLoad[${i}]`));
  expect(actual.lampOn).toBe(expected.lampOn);
}

describe("LEVER_SPECS and the schema", () => {
  it("lists every scalar lever once, with a range that holds the design point", () => {
    const keys: ScalarLeverKey[] = ["speed", "uvtPct", "waterTempC", "lampHours", "fouling", "dimming", "hStaticM", "leakM3h"];
    expect(LEVER_SPECS.map((s) => s.key).sort()).toEqual([...keys].sort());
    const d = defaultLevers(params);
    for (const s of LEVER_SPECS) {
      expect(s.min).toBeLessThan(s.max);
      expect(d[s.key]).toBeGreaterThanOrEqual(s.min);
      expect(d[s.key]).toBeLessThanOrEqual(s.max);
      expect(s.label.length).toBeGreaterThan(0);
      expect(s.help.length).toBeGreaterThan(20);
    }
  });

  it("accepts the design point and a known state, and drops unknown keys", () => {
    expect(twinLeversSchema.parse(defaultLevers(params))).toEqual(defaultLevers(params));
    expect(twinLeversSchema.parse({ ...STATE, outcome: { flowM3h: 999 } })).toEqual(STATE);
  });

  it.each([
    ["uvtPct", { uvtPct: 120 }, "50", "100"],
    ["speed", { speed: 1.5 }, "0", "1.2"],
    ["speed", { speed: Number.NaN }, "0", "1.2"],
    ["waterTempC", { waterTempC: Number.POSITIVE_INFINITY }, "1", "40"],
    ["fouling", { fouling: 0.1 }, "0.3", "1"],
    ["leakM3h", { leakM3h: -1 }, "0", "3"],
    ["filterLoad", { filterLoad: [1, 0.5] }, "1", "12"],
  ] as const)("refuses %s out of range with a message naming the lever and its range (%o)", (lever, change, min, max) => {
    const result = twinLeversSchema.safeParse({ ...STATE, ...change });
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(String(issue.path[0])).toBe(lever);
    expect(issue.message).toContain(`(${lever})`);
    expect(issue.message).toContain(`from ${min} to ${max}`);
  });

  it("refuses a missing or non-boolean lampOn naming it", () => {
    const { lampOn: _lampOn, ...rest } = STATE;
    for (const input of [rest, { ...STATE, lampOn: "yes" }]) {
      const result = twinLeversSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.message).toContain("lampOn");
    }
  });
});

describe("toPhysicsLevers", () => {
  it("maps every lever onto the unit model's inputs", () => {
    expect(toPhysicsLevers(STATE)).toEqual({
      speed: 0.92,
      waterTempC: 12,
      uvtPct: 91,
      hStaticM: 15,
      leakM3h: 0,
      filters: [{ resistanceFactor: 2.5 }, { resistanceFactor: 1.4 }],
      lamp: { on: true, dimming: 1, hours: 5000, fouling: 0.8 },
    });
  });
});

describe("defaultLevers", () => {
  it("runs the pump at the speed that gives its BEP (rated) flow, with clean filters, a new lamp, UVT 95 % and 15 °C", () => {
    for (const p of [params, twoLamps]) {
      const d = defaultLevers(p);
      expect(d).toMatchObject({ uvtPct: 95, waterTempC: 15, lampHours: 0, fouling: 1, dimming: 1, lampOn: true, leakM3h: 0, hStaticM: p.hydraulics.hStaticM });
      expect(d.filterLoad).toEqual(p.filters.map(() => 1));
    }
    expect(solveOperatingPoint(params, toPhysicsLevers(defaultLevers(params))).flowM3h).toBeCloseTo(10, 9);
    // The 20 m³/h unit's pipe losses (K = 0.14 m/(m³/h)², the seed's) need s ≈ 1.26 for 20 m³/h: out of reach.
    expect(defaultLevers(twoLamps).speed).toBe(1);
    // hand check for the 10 m³/h unit: s² = (15 + 0.14·100 + 2·0.15·μ15/μ20·10 + 0.15·100)/60
    const s = Math.sqrt((15 + 0.14 * 100 + 0.3 * viscosityRatio(15) * 10 + 0.15 * 100) / 60);
    expect(defaultLevers(params).speed).toBeCloseTo(s, 12);
  });

  it("falls back to full speed when the rated flow is out of reach", () => {
    const weak = { ...params, pump: { ...params.pump, h0M: 30, hBepM: 25 }, hydraulics: { ...params.hydraulics, hStaticM: 40 } };
    expect(defaultLevers(weak).speed).toBe(1);
  });
});

describe("leversFromLive: round trip through the unit model", () => {
  it("recovers a simulated state from its readings (exact readings)", () => {
    const live = leversFromLive(params, readingsFor(params, STATE), { now: NOW });
    expectLeversClose(live.levers, STATE, 1e-9);
    expect(live.sources).toEqual({
      speed: "measured",
      uvtPct: "measured",
      waterTempC: "measured",
      filterLoad: "estimated",
      lampHours: "measured",
      fouling: "estimated",
      dimming: "default",
      lampOn: "measured",
      hStaticM: "default",
      leakM3h: "default",
    });
    expect(live.notes).toEqual([]);
  });

  it("recovers it within the instruments' resolution when readings are rounded like the simulator's", () => {
    const live = leversFromLive(params, readingsFor(params, STATE, { round: true }), { now: NOW });
    expectLeversClose(live.levers, STATE, 0.01);
  });

  it("estimates the speed from the flow when there is no speed reading", () => {
    const live = leversFromLive(params, without(readingsFor(params, STATE), "pump_speed"), { now: NOW });
    expect(live.levers.speed).toBeCloseTo(0.92, 9);
    expect(live.sources.speed).toBe("estimated");
    expect(live.notes.join(" ")).toMatch(/speed estimated from the measured flow/);
  });

  it("estimates the flow through the filters from the pump's speed and pressure when there is no flow meter", () => {
    const live = leversFromLive(params, without(readingsFor(params, STATE), "flow_rate"), { now: NOW });
    expect(live.levers.filterLoad[0]).toBeCloseTo(2.5, 6);
    expect(live.levers.filterLoad[1]).toBeCloseTo(1.4, 6);
    expect(live.notes.join(" ")).toMatch(/No flow reading: flow estimated/);
  });

  it("computes each filter's load as head(ΔP)/(Q·μ/μ20)/R_f0 (hand-computed)", () => {
    const ts = new Date(NOW - MIN);
    const readings: LiveReading[] = [
      { component: "ft-1", metric: "flow_rate", value: 8, ts },
      { component: "tt-1", metric: "water_temperature", value: 20, ts },
      { component: "filter-1", metric: "filter_dp", value: 0.4, ts },
      { component: "filter-2", metric: "filter_dp", value: 0.2, ts },
    ];
    const live = leversFromLive(params, readings, { now: NOW });
    // μ(20 °C)/μ20 = 1: load = (0.4 bar · 1e5/(1000·9.81) m) / 8 / 0.15
    expect(live.levers.filterLoad[0]).toBeCloseTo((0.4e5 / 9810) / 8 / 0.15, 12);
    expect(live.levers.filterLoad[1]).toBeCloseTo((0.2e5 / 9810) / 8 / 0.15, 12);
    expect(barToHead(0.4)).toBeCloseTo(0.4e5 / 9810, 12);
  });

  it("recovers fouling and lamp power on a two-lamp reactor with one lamp off", () => {
    const state: TwinLevers = { ...STATE, filterLoad: [1.8, 1.2], fouling: 0.85, dimming: 0.5, lampHours: 3000, speed: 1 };
    const readings = readingsFor(twoLamps, state, { lamps: [{ on: true, hours: 2000 }, { on: false, hours: 4000 }] });
    const live = leversFromLive(twoLamps, readings, { now: NOW });
    expectLeversClose(live.levers, state, 1e-9);
    expect(live.sources.dimming).toBe("estimated");
    expect(live.notes.join(" ")).toMatch(/1 of 2 lamps is off/);
  });

  it("reads lamps off as lampOn false and leaves the sleeve at its default", () => {
    const state = { ...STATE, lampOn: false };
    const live = leversFromLive(params, readingsFor(params, state), { now: NOW });
    expect(live.levers.lampOn).toBe(false);
    expect(live.levers.fouling).toBe(1);
    expect(live.sources.fouling).toBe("default");
  });
});

describe("leversFromLive: stale and missing readings", () => {
  it("ignores readings older than 15 minutes and shows the design point", () => {
    const live = leversFromLive(params, readingsFor(params, STATE, { ts: NOW - 20 * MIN }), { now: NOW });
    expect(live.levers).toEqual(defaultLevers(params));
    expect(Object.values(live.sources).every((s) => s === "default")).toBe(true);
    expect(live.notes[0]).toMatch(/^11 readings are older than 15 min and were ignored\.$/);
  });

  it("takes them with a longer maxAgeMs, and a fresh reading wins over an older one of the same series", () => {
    const old = readingsFor(params, STATE, { ts: NOW - 20 * MIN });
    expectLeversClose(leversFromLive(params, old, { now: NOW, maxAgeMs: 30 * MIN }).levers, STATE, 1e-9);
    const fresher = [...old, { component: "tt-1", metric: "water_temperature", value: 18, ts: new Date(NOW - MIN).toISOString() }];
    const live = leversFromLive(params, fresher, { now: NOW, maxAgeMs: 30 * MIN });
    expect(live.levers.waterTempC).toBe(18);
  });

  it("without a UVT analyser keeps the design UVT and says so", () => {
    const live = leversFromLive(params, without(readingsFor(params, { ...STATE, uvtPct: 95 }), "uvt"), { now: NOW });
    expect(live.levers.uvtPct).toBe(95);
    expect(live.sources.uvtPct).toBe("default");
    expect(live.notes).toContain("No UVT analyser reading: the twin assumes the design UVT of 95 %.");
    // the fouling estimate is still right when the real UVT is the design one, and flagged as assuming it
    expect(live.levers.fouling).toBeCloseTo(0.8, 9);
    expect(live.notes.join(" ")).toMatch(/estimated with the design UVT/);
  });

  it("cannot tell the filters' load when the pump is stopped, and says so", () => {
    const state = { ...STATE, speed: 0 };
    const live = leversFromLive(params, readingsFor(params, state), { now: NOW });
    expect(live.levers.speed).toBe(0);
    expect(live.levers.filterLoad).toEqual([1, 1]);
    expect(live.sources.filterLoad).toBe("default");
    expect(live.notes.join(" ")).toMatch(/Flow 0\.0 m³\/h is too low to tell the filters' loading/);
  });

  it("clamps an implausible ΔP to the lever range with a note", () => {
    const readings = readingsFor(params, STATE).map((r) => (r.component === "filter-1" && r.metric === "filter_dp" ? { ...r, value: 9 } : r));
    const live = leversFromLive(params, readings, { now: NOW });
    expect(live.levers.filterLoad[0]).toBe(FILTER_LOAD_RANGE.max);
    expect(live.notes.join(" ")).toMatch(/filter-1 reads .* past the twin's range/);
  });

  it("says when the model's flow at the measured speed disagrees with the flow meter", () => {
    // a worn pump delivers 20 % less than the model at the same speed
    const readings = readingsFor(params, STATE).map((r) => (r.metric === "flow_rate" ? { ...r, value: r.value * 0.8 } : r));
    const live = leversFromLive(params, readings, { now: NOW });
    expect(live.levers.speed).toBeCloseTo(0.92, 12);
    expect(live.notes.join(" ")).toMatch(/At the measured speed the model gives \d+\.\d m³\/h but the flow meter reads \d+\.\d m³\/h/);
  });

  it("uses the filter codes it is given", () => {
    const readings = readingsFor(params, STATE).map((r) => (r.component === "filter-2" ? { ...r, component: "prefilter-a" } : r));
    const live = leversFromLive(params, readings, { now: NOW, filterCodes: ["filter-1", "prefilter-a"] });
    expect(live.levers.filterLoad[1]).toBeCloseTo(1.4, 9);
  });
});

describe("outcomeWarnings", () => {
  const limits = [
    { metric: "flow_rate", min: 1.5, max: 12 },
    { metric: "uvt", min: 85, max: null },
    { metric: "uv_intensity", min: 48, max: null },
    { metric: "pump_pressure", min: null, max: 6 },
  ];
  const warn = (levers: TwinLevers) => outcomeWarnings(params, levers, solveOperatingPoint(params, toPhysicsLevers(levers)), limits, ["filter-1", "filter-2"]);

  it("is empty at the design point", () => {
    expect(warn(defaultLevers(params))).toEqual([]);
  });

  it("names high flow and low UVT once each, with the values and limits", () => {
    const levers = { ...defaultLevers(params), speed: 1.1, uvtPct: 80 };
    const outcome = solveOperatingPoint(params, toPhysicsLevers(levers));
    expect(outcome.flowM3h).toBeGreaterThan(12);
    expect(outcome.compliance.reasons).toEqual(expect.arrayContaining(["flow_above_max", "uvt_below_min"]));
    const w = warn(levers);
    expect(w.filter((m) => m.includes("validated maximum of 12.00 m³/h"))).toEqual([`Flow ${outcome.flowM3h.toFixed(2)} m³/h is above the validated maximum of 12.00 m³/h.`]);
    expect(w.filter((m) => m.includes("UVT"))).toEqual(["UVT 80.0 % is below the validated minimum of 85.0 %."]);
  });

  it("warns of dead head and lamps on without flow", () => {
    // s²·60 = 0.16·60 = 9.6 m < 15 m static head
    const w = warn({ ...defaultLevers(params), speed: 0.4 });
    expect(w[0]).toMatch(/cannot overcome the static head of 15\.0 m: no flow \(dead head\)/);
    expect(w).toContain("The lamps are on without flow: the water in the reactor heats up and the sleeve can scale.");
  });

  it("warns of a filter at terminal ΔP by its code, and of a dose below the required one", () => {
    const w = warn({ ...defaultLevers(params), speed: 1.1, filterLoad: [12, 1], lampHours: 15000, fouling: 0.5 });
    expect(w.some((m) => /^filter-1 is at its terminal pressure drop \(\d\.\d\d bar, limit 1\.00 bar\)/.test(m))).toBe(true);
    expect(w.some((m) => /^Validated dose .* is below the required 40\.0 mJ\/cm² \(off-spec\)\.$/.test(m))).toBe(true);
  });

  it("warns when the pump runs below its minimum flow", () => {
    // a speed just above dead head: a trickle
    const s = Math.sqrt(15.1 / 60);
    const w = warn({ ...defaultLevers(params), speed: s });
    expect(w.some((m) => /below the pump's minimum continuous flow/.test(m))).toBe(true);
    expect(pumpCurveCoefficient(params.pump)).toBeCloseTo(0.15, 12);
  });
});
