import { beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_METRICS } from "@/lib/metric-catalogue";
import { DEMO_MODELS } from "@/server/seed/demo-fleet";
import { DEFAULT_UNIT_PARAMS, lampAgeFactor, lampWarmupFactor } from "@/lib/physics";
import { FleetSimulator, type FleetOptions } from "./fleet";
import type { SimSystemSpec } from "./config";
import type { SimLabel, SimReading } from "./types";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse("2026-03-01T00:00:00Z");

function model(code: string) {
  const m = DEMO_MODELS.find((x) => x.code === code);
  if (!m) throw new Error(code);
  return m;
}

const NBG = { code: "NBG", latitude: 49.45, climate: { utcOffsetHours: 1, rawTurbidityNtu: 0.3, uvtMeanPct: 94 } };
const NAI = { code: "NAI", latitude: -1.29, climate: { utcOffsetHours: 3, rawTurbidityNtu: 2, uvtMeanPct: 88, waterTempMeanC: 22 } };

const SYSTEMS: SimSystemSpec[] = [
  { code: "NBG-01", commissioned: "2023-03-14", model: model("AQ-UV10"), site: NBG },
  { code: "NAI-01", commissioned: "2024-01-15", model: model("HX-20"), site: NAI },
  { code: "NBG-04", commissioned: "2024-05-20", model: model("AQ-UV5"), site: NBG },
];

function run(systems: SimSystemSpec[], options: Partial<FleetOptions>, until: number) {
  const sim = new FleetSimulator(systems, { seed: 42, start: START, ...options });
  return { sim, ...sim.collect(until) };
}

/** Last line per label id (the label protocol). */
function latestLabels(labels: SimLabel[]): SimLabel[] {
  return [...new Map(labels.map((l) => [l.id, l])).values()];
}

const RANGES = new Map(BUILT_IN_METRICS.map((m) => [m.key, m]));

describe("FleetSimulator: determinism", () => {
  it("produces identical readings and labels for the same seed and start", { timeout: 60_000 }, () => {
    const a = run(SYSTEMS, { injectedFailuresPerMonth: 30 }, START + DAY);
    const b = run(SYSTEMS, { injectedFailuresPerMonth: 30 }, START + DAY);
    expect(a.labels.length).toBeGreaterThan(0);
    expect(a.readings[0]!.length).toBeGreaterThan(10_000);
    expect(b.readings).toEqual(a.readings);
    expect(b.labels).toEqual(a.labels);
  });

  it("differs for another seed", () => {
    const a = run(SYSTEMS.slice(0, 1), {}, START + 6 * HOUR);
    const b = run(SYSTEMS.slice(0, 1), { seed: 43 }, START + 6 * HOUR);
    expect(b.readings[0]).not.toEqual(a.readings[0]);
  });

  it("gives the same result advanced in one go or in small chunks", { timeout: 60_000 }, () => {
    const whole = run(SYSTEMS.slice(0, 2), { injectedFailuresPerMonth: 5 }, START + DAY);
    const sim = new FleetSimulator(SYSTEMS.slice(0, 2), { seed: 42, start: START, injectedFailuresPerMonth: 5 });
    const readings: SimReading[][] = [[], []];
    const labels: SimLabel[] = [];
    for (let t = START; t <= START + DAY; t += 7_777) sim.advanceTo(t, { reading: (i, r) => readings[i]!.push(r), label: (l) => labels.push(l) });
    sim.advanceTo(START + DAY, { reading: (i, r) => readings[i]!.push(r), label: (l) => labels.push(l) });
    expect(readings).toEqual(whole.readings);
    expect(labels).toEqual(whole.labels);
  });

  it("continues exactly from a JSON snapshot", { timeout: 60_000 }, () => {
    const whole = run(SYSTEMS.slice(0, 2), { injectedFailuresPerMonth: 5 }, START + 2 * DAY);
    const first = new FleetSimulator(SYSTEMS.slice(0, 2), { seed: 42, start: START, injectedFailuresPerMonth: 5 });
    const part1 = first.collect(START + DAY);
    const snapshot = JSON.parse(JSON.stringify(first.snapshot()));
    const second = new FleetSimulator(SYSTEMS.slice(0, 2), { seed: 42, start: 0, injectedFailuresPerMonth: 5 }, snapshot);
    const part2 = second.collect(START + 2 * DAY);
    expect(part1.readings.map((r, i) => [...r, ...part2.readings[i]!])).toEqual(whole.readings);
    expect([...part1.labels, ...part2.labels]).toEqual(whole.labels);
  });

  it("keeps the process and its labels independent of the sampling rate", { timeout: 60_000 }, () => {
    const slow = run(SYSTEMS, { injectedFailuresPerMonth: 30, sampling: { fastMs: 60_000 } }, START + 2 * DAY);
    const fast = run(SYSTEMS, { injectedFailuresPerMonth: 30, sampling: { fastMs: 2_000 } }, START + 2 * DAY);
    expect(slow.labels.length).toBeGreaterThan(0);
    expect(fast.labels).toEqual(slow.labels);
    expect(fast.sim.outputs(1)).toEqual(slow.sim.outputs(1));
    expect(fast.readings[0]!.length).toBeGreaterThan(4 * slow.readings[0]!.length);
  });
});

describe("FleetSimulator: readings", () => {
  let sim: FleetSimulator;
  let readings: SimReading[][];
  beforeAll(() => {
    ({ sim, readings } = run(SYSTEMS, { injectedFailuresPerMonth: 20 }, START + 3 * DAY));
  }, 60_000);

  it("stay in the catalogue's valid ranges, finite, with integer timestamps in order per series", () => {
    // Plain checks collected into one assertion: an expect() per reading would take minutes.
    const problems: string[] = [];
    readings.forEach((list, i) => {
      const components = new Set(SYSTEMS[i]!.model.components.map((c) => c.code));
      const lastTs = new Map<string, number>();
      for (const r of list) {
        const range = RANGES.get(r.metric);
        const key = `${sim.configs[i]!.code} ${r.component ?? ""}/${r.metric}`;
        if (!range) problems.push(`unknown metric ${key}`);
        else if (!Number.isFinite(r.value) || r.value < range.min || r.value > range.max) problems.push(`${key} = ${r.value}`);
        if (!Number.isInteger(r.ts) || r.ts > START + 3 * DAY) problems.push(`${key} ts ${r.ts}`);
        if (r.component !== undefined && !components.has(r.component)) problems.push(`unknown component ${key}`);
        if (r.ts <= (lastTs.get(key) ?? -1)) problems.push(`${key} ts not increasing at ${r.ts}`);
        lastTs.set(key, r.ts);
      }
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it("report the documented series at the documented periods", () => {
    const count = (i: number, metric: string, component?: string) => readings[i]!.filter((r) => r.metric === metric && r.component === component).length;
    expect(count(0, "flow_rate", "ft-1")).toBe(3 * 8640 + 1); // every 10 s, both ends included
    expect(count(0, "water_temperature", "tt-1")).toBeGreaterThan(3 * 1440 * 0.9); // every 60 s (dropouts possible)
    expect(count(0, "lamp_hours", "lamp-1")).toBe(3 * 288 + 1); // every 5 min
    expect(count(0, "filter_dp", "filter-2")).toBe(3 * 1440 + 1);
    expect(count(0, "uvt", "uvt-1")).toBe(0); // AQ-UV10 has no online UVT analyser
    expect(count(1, "uvt", "uvt-1")).toBeGreaterThan(3 * 1440 * 0.9);
    expect(count(1, "lamp_on", "lamp-2")).toBeGreaterThanOrEqual(3 * 1440 + 1);
    expect(count(2, "filter_dp", "filter-2")).toBe(0); // AQ-UV5 has one filter
    expect(count(0, "energy")).toBe(3 * 1440 + 1);
  });

  it("keep counters monotone and lamps on whenever water flows", () => {
    const energy = readings[0]!.filter((r) => r.metric === "energy").map((r) => r.value);
    for (let k = 1; k < energy.length; k++) expect(energy[k]!).toBeGreaterThanOrEqual(energy[k - 1]!);
    const out = sim.outputs(0);
    if (out.flowM3h > 0) expect(out.lampOn[0]).toBe(1);
  });

  it("let water flow only through a warm reactor: the pump waits for the lamp's 95 % output", () => {
    const sim2 = new FleetSimulator([SYSTEMS[0]!], { seed: 5, start: START, sampling: { fastMs: 60_000 } });
    const tau = sim2.configs[0]!.lamps[0]!.params.warmupTauMin;
    let flowing = 0;
    for (let t = START + 60_000; t <= START + 2 * DAY; t += 60_000) {
      sim2.advanceTo(t, { reading: () => {}, label: () => {} });
      const lamp = sim2.state(0).lamps[0]!;
      if (sim2.outputs(0).flowM3h > 0) {
        flowing++;
        expect(lamp.onSinceMs).not.toBeNull();
        expect(lampWarmupFactor(tau, (t - lamp.onSinceMs!) / 60_000)).toBeGreaterThanOrEqual(0.95);
      }
    }
    expect(flowing).toBeGreaterThan(60); // the unit did deliver water
  });

  it("look like the physics: pressure and power rise with flow", () => {
    const byTs = (metric: string) => new Map(readings[0]!.filter((r) => r.metric === metric).map((r) => [r.ts, r.value]));
    const flow = byTs("flow_rate");
    const power = byTs("power");
    const pairs = [...flow].filter(([, q]) => q > 1).map(([ts, q]) => [q, power.get(ts) ?? NaN] as const);
    const lowQ = pairs.filter(([q]) => q < 6).map(([, p]) => p);
    const highQ = pairs.filter(([q]) => q > 9).map(([, p]) => p);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(lowQ.length).toBeGreaterThan(100);
    expect(highQ.length).toBeGreaterThan(100);
    expect(mean(highQ)).toBeGreaterThan(mean(lowQ));
  });
});

describe("FleetSimulator: degradation and injected failures", () => {
  it("labels every injected failure with ground truth", { timeout: 60_000 }, () => {
    const { labels } = run(SYSTEMS, { injectedFailuresPerMonth: 30, sampling: { fastMs: 600_000, slowMs: 600_000, counterMs: 600_000 } }, START + 10 * DAY);
    const injected = latestLabels(labels).filter((l) => l.injected);
    expect(injected.length).toBeGreaterThan(10);
    for (const l of injected) {
      expect(SYSTEMS.map((s) => s.code)).toContain(l.system);
      expect(SYSTEMS.find((s) => s.code === l.system)!.model.components.map((c) => c.code)).toContain(l.component);
      expect(["incipient", "degraded", "critical"]).toContain(l.severity);
      expect(l.kind === "failure" || l.kind === "sensor_fault").toBe(true);
      expect(l.failureCode).toMatch(/^[A-Z]{3}$/);
      expect(Date.parse(l.start)).toBeGreaterThanOrEqual(START);
      if (l.end) expect(Date.parse(l.end)).toBeGreaterThanOrEqual(Date.parse(l.start));
      if (l.failureAt) expect(Date.parse(l.failureAt)).toBeGreaterThanOrEqual(Date.parse(l.start));
    }
    const modes = new Set(injected.map((l) => l.mode));
    expect(modes.size).toBeGreaterThanOrEqual(4);
  });

  it("a bearing failure ramps vibration over weeks, then trips the pump until repaired", { timeout: 60_000 }, () => {
    const sim = new FleetSimulator(SYSTEMS.slice(0, 1), { seed: 7, start: START, sampling: { fastMs: 60_000 } });
    sim.inject(0, { mode: "bearing_wear", progressionDays: 20 });
    const { readings, labels } = sim.collect(START + 25 * DAY);
    const label = latestLabels(labels).find((l) => l.mode === "bearing_wear" && l.injected)!;
    expect(label).toMatchObject({ system: "NBG-01", component: "motor-1", failureCode: "VIB", severity: "critical" });
    const failAt = Date.parse(label.failureAt!);
    expect(failAt - Date.parse(label.start)).toBeCloseTo(20 * DAY, -4);
    const vib = readings[0]!.filter((r) => r.metric === "vibration" && r.value > 0.1);
    const early = vib.filter((r) => r.ts < START + 3 * DAY).map((r) => r.value);
    const late = vib.filter((r) => r.ts > failAt - DAY && r.ts < failAt).map((r) => r.value);
    expect(Math.max(...early)).toBeLessThan(1.8); // ISO 10816 zone A/B
    expect(Math.max(...late)).toBeGreaterThan(4.5); // zone D before the failure
    expect(label.end).toBeDefined();
    const flowWhileDown = readings[0]!.filter((r) => r.metric === "flow_rate" && r.ts > failAt + 60_000 && r.ts < Date.parse(label.end!));
    expect(flowWhileDown.length).toBeGreaterThan(0);
    expect(flowWhileDown.every((r) => r.value === 0)).toBe(true);
  });

  it("a lamp burn-out switches the lamp off and darkens the sensor until the lamp is replaced (hours reset)", { timeout: 60_000 }, () => {
    const sim = new FleetSimulator(SYSTEMS.slice(0, 1), { seed: 9, start: START, sampling: { fastMs: 60_000 } });
    sim.advanceTo(START + HOUR, { reading: () => {}, label: () => {} });
    sim.inject(0, { mode: "lamp_burnout" });
    const { readings, labels } = sim.collect(START + 4 * DAY);
    const burnout = latestLabels(labels).find((l) => l.mode === "lamp_burnout")!;
    expect(burnout).toMatchObject({ component: "lamp-1", failureCode: "LAF", kind: "failure", injected: true });
    const t0 = Date.parse(burnout.start);
    const t1 = Date.parse(burnout.end!);
    const within = (r: SimReading) => r.ts > t0 + 60_000 && r.ts < t1;
    expect(readings[0]!.filter((r) => r.metric === "lamp_on" && within(r)).every((r) => r.value === 0)).toBe(true);
    expect(readings[0]!.filter((r) => r.metric === "uv_intensity" && within(r)).every((r) => r.value < 1)).toBe(true);
    const replacement = latestLabels(labels).find((l) => l.mode === "lamp_replacement")!;
    expect(Date.parse(replacement.start)).toBe(t1);
    const hours = readings[0]!.filter((r) => r.metric === "lamp_hours");
    const before = hours.filter((r) => r.ts < t1).map((r) => r.value);
    const after = hours.filter((r) => r.ts > t1).map((r) => r.value);
    expect(before[0]!).toBeGreaterThan(100);
    expect(after[0]!).toBeLessThan(1);
    for (const series of [before, after]) for (let k = 1; k < series.length; k++) expect(series[k]!).toBeGreaterThanOrEqual(series[k - 1]!);
  });

  it("lamp hours grow and lamp output ages monotonically while the lamp runs", { timeout: 60_000 }, () => {
    const sim = new FleetSimulator(SYSTEMS.slice(0, 1), { seed: 3, start: START, sampling: { fastMs: 600_000, slowMs: 600_000 } });
    const lamp = SYSTEMS[0]!.model.components.find((c) => c.code === "lamp-1")!;
    const params = { ...DEFAULT_UNIT_PARAMS.uv.lamp, ratedLifeH: Number(lamp.attributes?.ratedLifeH), eolFactor: Number(lamp.attributes?.endOfLampLifeFactor) };
    const hours = [sim.state(0).lamps[0]!.hours];
    for (let d = 1; d <= 6; d++) {
      sim.advanceTo(START + d * DAY, { reading: () => {}, label: () => {} });
      hours.push(sim.state(0).lamps[0]!.hours);
    }
    expect(hours[0]!).toBeGreaterThan(0);
    for (let k = 1; k < hours.length; k++) {
      expect(hours[k]!).toBeGreaterThan(hours[k - 1]!);
      expect(lampAgeFactor(params, hours[k]!)).toBeLessThan(lampAgeFactor(params, hours[k - 1]!));
    }
  });

  it("filter ΔP rises with loading and resets at replacement", { timeout: 60_000 }, () => {
    // A solids disturbance on the 5 µm cartridge of a unit with turbid raw water.
    const sim = new FleetSimulator([{ ...SYSTEMS[0]!, site: NAI }], { seed: 11, start: START, sampling: { fastMs: 60_000 } });
    sim.inject(0, { mode: "filter_clog" });
    const { readings, labels } = sim.collect(START + 12 * DAY);
    const clog = latestLabels(labels).find((l) => l.mode === "filter_clog")!;
    expect(clog).toMatchObject({ component: "filter-1", failureCode: "PLU", injected: true });
    const change = latestLabels(labels).find((l) => l.mode === "filter_replacement" && l.component === "filter-1")!;
    expect(change).toBeDefined();
    expect(clog.end).toBe(change.start);
    const tChange = Date.parse(change.start);
    const dp = readings[0]!.filter((r) => r.metric === "filter_dp" && r.component === "filter-1" && r.value > 0.02);
    const tClog = Date.parse(clog.start);
    // the change comes 2–72 h after the terminal ΔP is reached: look at the whole clog
    const before = dp.filter((r) => r.ts > tClog && r.ts < tChange).map((r) => r.value);
    const after = dp.filter((r) => r.ts > tChange && r.ts < tChange + 6 * HOUR).map((r) => r.value);
    expect(Math.max(...before)).toBeGreaterThan(0.9);
    expect(Math.max(...after)).toBeLessThan(0.5 * Math.max(...before));
    const atOnset = dp.filter((r) => r.ts > tClog && r.ts < tClog + 2 * HOUR).map((r) => r.value);
    expect(Math.max(...before)).toBeGreaterThan(Math.max(...atOnset));
  });

  it("sensor faults distort only the measurement and stay in range", () => {
    const sim = new FleetSimulator(SYSTEMS.slice(0, 1), { seed: 5, start: START, sampling: { slowMs: 60_000 } });
    sim.inject(0, { mode: "sensor_fault", component: "tt-1", sensorFault: "sensor_stuck" });
    const { readings, labels } = sim.collect(START + 2 * HOUR);
    const fault = latestLabels(labels).find((l) => l.mode === "sensor_stuck")!;
    expect(fault).toMatchObject({ component: "tt-1", kind: "sensor_fault" });
    const t0 = Date.parse(fault.start);
    const temps = readings[0]!.filter((r) => r.metric === "water_temperature" && r.ts > t0 && (!fault.end || r.ts < Date.parse(fault.end)));
    expect(temps.length).toBeGreaterThan(10);
    expect(new Set(temps.map((r) => r.value)).size).toBe(1);
  });
});
