import { describe, expect, it } from "vitest";
import { mulberry32 } from "@/lib/random";
import { labelRows, pumpFeatures, PUMP_FEATURE_INDEX, PUMP_FEATURES, type PumpFeatureName } from "./features";
import { PUMP_METRICS, type PumpHistory, type PumpMetric } from "./pump-history";
import { simulatePumpHistory } from "./simulate-pump-history";

const START = Date.UTC(2025, 0, 1);

/** A history whose series are given per hour (NaN where a function is missing or returns NaN). */
function history(hours: number, series: Partial<Record<PumpMetric, (h: number) => number>>, renewals: number[] = [], failures: PumpHistory["failures"] = []): PumpHistory {
  const make = (m: PumpMetric) => Float64Array.from({ length: hours }, (_x, h) => series[m]?.(h) ?? NaN);
  return { start: START, hours, series: Object.fromEntries(PUMP_METRICS.map((m) => [m, make(m)])) as PumpHistory["series"], renewals, failures };
}

function feature(h: PumpHistory, name: PumpFeatureName): number[] {
  const { x } = pumpFeatures(h);
  const w = PUMP_FEATURES.length;
  return Array.from({ length: h.hours }, (_x, r) => x[r * w + PUMP_FEATURE_INDEX[name]]!);
}

/** The history as it was known at the end of hour `hours - 1`. */
function truncate(h: PumpHistory, hours: number): PumpHistory {
  return {
    start: h.start,
    hours,
    series: Object.fromEntries(PUMP_METRICS.map((m) => [m, h.series[m].slice(0, hours)])) as PumpHistory["series"],
    renewals: h.renewals.filter((r) => r < hours),
    failures: h.failures.filter((f) => f.at < hours).map((f) => ({ ...f, until: Math.min(f.until, hours) })),
  };
}

describe("PUMP_FEATURES", () => {
  it("lists the model's features in order, each with a unit and a description", () => {
    expect(PUMP_FEATURES.map((f) => f.name)).toEqual([
      "vib_24h",
      "vib_max_24h",
      "vib_change_7d",
      "vib_vs_baseline",
      "power_24h",
      "specific_energy_24h",
      "pressure_24h",
      "pressure_cv_24h",
      "flow_24h",
      "flow_change_7d",
      "speed_24h",
      "starts_24h",
      "running_hours_since_renewal",
      "hours_since_renewal",
      "coverage_24h",
    ]);
    for (const f of PUMP_FEATURES) {
      expect(f.unit.length).toBeGreaterThan(0);
      expect(f.description.length).toBeGreaterThan(10);
    }
    expect(PUMP_FEATURE_INDEX.starts_24h).toBe(11);
  });
});

describe("pumpFeatures", () => {
  it("averages and maxes vibration over the last 24 hours, skipping hours without data", () => {
    const ramp = history(100, { vibration: (h) => h });
    const mean = feature(ramp, "vib_24h");
    const max = feature(ramp, "vib_max_24h");
    expect(mean[5]).toBeCloseTo(2.5, 12); // hours 0..5, the window clipped at the start
    expect(mean[30]).toBeCloseTo(18.5, 12); // hours 7..30
    expect(max[30]).toBe(30);
    const odd = history(100, { vibration: (h) => (h % 2 === 1 ? h : NaN) });
    expect(feature(odd, "vib_24h")[30]).toBeCloseTo(18, 12); // 7, 9, .., 29
    expect(feature(odd, "vib_max_24h")[30]).toBe(29);
    // a falling series: the maximum leaves the window after 24 hours
    const falling = history(60, { vibration: (h) => 100 - h });
    expect(feature(falling, "vib_max_24h")[40]).toBe(100 - 17);
  });

  it("compares the 24-hour means with a week earlier", () => {
    const step = history(500, { vibration: (h) => (h < 200 ? 1 : 3), flow_rate: (h) => (h < 200 ? 10 : 8) });
    const vib = feature(step, "vib_change_7d");
    const flow = feature(step, "flow_change_7d");
    expect(vib[100]).toBeNaN(); // no week before
    expect(vib[250]).toBeCloseTo(2, 12);
    expect(vib[400]).toBeCloseTo(0, 12);
    expect(flow[250]).toBeCloseTo(-2, 12);
    // halfway through the step the 24-hour mean is mixed: hours 188..211 hold 12 of each
    expect(vib[211]).toBeCloseTo(1, 12);
  });

  it("scores vibration against its lowest 24-hour mean of the last 30 days", () => {
    const h = history(600, { vibration: (t) => (t < 300 ? 2 : 3) });
    const ratio = feature(h, "vib_vs_baseline");
    expect(ratio[200]).toBeCloseTo(1, 12);
    expect(ratio[400]).toBeCloseTo(1.5, 12);
    // a low spell sets the baseline until it leaves the 30-day window
    const low = history(900, { vibration: (t) => (t < 50 ? 1 : 2) });
    const lowRatio = feature(low, "vib_vs_baseline");
    expect(lowRatio[100]).toBeCloseTo(2, 12);
    expect(lowRatio[768]).toBeCloseTo(2, 12); // hour 49's mean (all 1s) is 719 h back: still in the window
    expect(lowRatio[800]).toBeCloseTo(1, 12); // every mean in the window is 2
    // no vibration in the last 24 h: nothing to compare
    const gap = history(300, { vibration: (t) => (t >= 100 && t < 200 ? NaN : 1) });
    const gapRatio = feature(gap, "vib_vs_baseline");
    expect(gapRatio[150]).toBeNaN();
    expect(gapRatio[250]).toBeCloseTo(1, 12);
    // the same rows from a five-week window as from the whole history (what the scorer reads)
    const tail = 1000 - 37 * 24;
    const long = history(1000, { vibration: (t) => 1 + (t % 97) / 50 });
    const window = history(1000 - tail, { vibration: (t) => 1 + ((t + tail) % 97) / 50 });
    const a = feature(long, "vib_vs_baseline");
    const b = feature(window, "vib_vs_baseline");
    for (const t of [999, 990, 950]) expect(b[t - tail]).toBeCloseTo(a[t]!, 12);
  });

  it("counts starts from off to on over the last 24 hours, by flow, or by power where flow is missing", () => {
    // running at hours 2 and 3 of every 6: four starts a day
    const cycling = history(100, { flow_rate: (h) => (h % 6 === 2 || h % 6 === 3 ? 8 : 0) });
    const starts = feature(cycling, "starts_24h");
    expect(starts[3]).toBe(1);
    expect(starts[47]).toBe(4); // starts at 26, 32, 38, 44
    expect(starts[50]).toBe(4); // 26 left the window, 50 came in
    // the same cycle seen only through power (kW); flow readings of 0.1 m³/h are standstill
    const byPower = history(100, {
      flow_rate: (h) => (h < 24 ? (h % 6 === 2 || h % 6 === 3 ? 0.1 : 0) : NaN),
      power: (h) => (h % 6 === 2 || h % 6 === 3 ? 1.2 : 0.02),
    });
    const powerStarts = feature(byPower, "starts_24h");
    expect(powerStarts[23]).toBe(0); // flow decides while it is there: never above 0.2 m³/h
    expect(powerStarts[71]).toBe(4);
    // a start hidden in a gap is counted when the pump is next seen running
    const gap = history(60, { flow_rate: (h) => (h < 10 ? 0 : h < 20 ? NaN : 5) });
    expect(feature(gap, "starts_24h")[25]).toBe(1);
    expect(feature(gap, "starts_24h")[45]).toBe(0);
  });

  it("counts hours and running hours since the last renewal; unknown before any", () => {
    const h = history(80, { flow_rate: (t) => (t % 2 === 0 ? 6 : 0) }, [50]);
    const hours = feature(h, "hours_since_renewal");
    const running = feature(h, "running_hours_since_renewal");
    expect(hours[49]).toBeNaN();
    expect(running[49]).toBeNaN();
    expect(hours[50]).toBe(0);
    expect(running[50]).toBe(1);
    expect(hours[59]).toBe(9);
    expect(running[59]).toBe(5); // 50, 52, 54, 56, 58
    // a renewal before the history: hours from it, running hours carried in from before the first hour
    const aged = { ...history(80, { flow_rate: (t) => (t % 2 === 0 ? 6 : 0) }, [-500, -100, 50]), runningHoursBeforeStart: 60 };
    expect(feature(aged, "hours_since_renewal")[0]).toBe(100);
    expect(feature(aged, "running_hours_since_renewal")[0]).toBe(61); // 60 before, hour 0 ran
    expect(feature(aged, "running_hours_since_renewal")[49]).toBe(85);
    expect(feature(aged, "running_hours_since_renewal")[50]).toBe(1);
    expect(feature(aged, "hours_since_renewal")[79]).toBe(29);
  });

  it("takes specific energy over the running hours only, and the spread of pressure", () => {
    // running hours alternate 10 m³/h at 2 kW and 5 m³/h at 1.5 kW; stopped hours draw standby power
    const h = history(100, {
      flow_rate: (t) => (t % 3 === 2 ? 0 : t % 3 === 0 ? 10 : 5),
      power: (t) => (t % 3 === 2 ? 0.02 : t % 3 === 0 ? 2 : 1.5),
      pump_pressure: (t) => (t % 2 === 0 ? 4 : 6),
    });
    expect(feature(h, "specific_energy_24h")[50]).toBeCloseTo((8 * 2 + 8 * 1.5) / (8 * 10 + 8 * 5), 12);
    expect(feature(h, "pressure_24h")[50]).toBeCloseTo(5, 12);
    expect(feature(h, "pressure_cv_24h")[50]).toBeCloseTo(0.2, 12);
    expect(feature(h, "pressure_cv_24h")[0]).toBeNaN(); // one value has no spread
    const steady = history(50, { pump_pressure: () => 4.7 });
    expect(feature(steady, "pressure_cv_24h")[40]).toBe(0);
  });

  it("reports the share of the last 24 hours with data, and NaN where a feature has none", () => {
    const h = history(50, { vibration: (t) => (t >= 10 && t < 16 ? NaN : 1), power: (t) => (t >= 10 && t < 16 ? NaN : 0.5) });
    const coverage = feature(h, "coverage_24h");
    expect(coverage[5]).toBeCloseTo(6 / 24, 12);
    expect(coverage[23]).toBeCloseTo(18 / 24, 12);
    expect(coverage[40]).toBe(1);

    const empty = history(30, {});
    const { x } = pumpFeatures(empty);
    const row = Object.fromEntries(PUMP_FEATURES.map((f, i) => [f.name, x[20 * PUMP_FEATURES.length + i]]));
    for (const name of PUMP_FEATURES.map((f) => f.name)) {
      if (name === "coverage_24h") expect(row[name]).toBe(0);
      else expect(row[name], name).toBeNaN();
    }
  });

  it("never looks ahead: rows are identical when the history is cut right after them", () => {
    const full = simulatePumpHistory({ start: START, hours: 3000, rand: mulberry32(11), failures: [{ at: 1200, mode: "bearing" }, { at: 2500, mode: "seal" }], profile: { cavitationPerYear: 20 } });
    const all = pumpFeatures(full);
    const w = PUMP_FEATURES.length;
    for (const cut of [1, 170, 1199, 1210, 2000, 2999]) {
      const part = pumpFeatures(truncate(full, cut));
      expect(part.hours.length).toBe(cut);
      // Object.is: NaN equals NaN, and every bit of each value must match
      const mismatches = Array.from(part.x).filter((v, i) => !Object.is(v, all.x[i]));
      expect(mismatches).toEqual([]);
    }
    expect(Array.from(all.x).some(Number.isNaN)).toBe(true);
    expect(Array.from(all.x).filter(Number.isFinite).length).toBeGreaterThan(all.x.length * 0.8);
    // a slice of hours is the same rows as the whole
    const slice = pumpFeatures(full, 1500, 1600);
    expect(Array.from(slice.hours)).toEqual(Array.from({ length: 100 }, (_x, i) => 1500 + i));
    expect(Array.from(slice.x)).toEqual(Array.from(all.x.subarray(1500 * w, 1600 * w)));
  });

  it("refuses hours outside the history", () => {
    const h = history(10, {});
    expect(() => pumpFeatures(h, 0, 11)).toThrow(/0\.\.10/);
    expect(() => pumpFeatures(h, 5, 4)).toThrow();
    expect(pumpFeatures(h, 10, 10).x.length).toBe(0);
  });
});

describe("labelRows", () => {
  const failures = [
    { at: 100, until: 110 },
    { at: 300, until: 305 },
  ];
  const h = history(400, {}, [110, 305], failures);
  const at = (hours: number[], horizon = 24) => labelRows(h, Int32Array.from(hours), horizon);

  it("labels a row positive when a failure starts within the horizon after it", () => {
    const { y } = at([75, 76, 99, 110, 200, 276, 299, 305, 399]);
    expect(Array.from(y)).toEqual([0, 1, 1, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(at([75, 200], 125).y)).toEqual([1, 1]);
  });

  it("leaves out the hours the unit was down, and keeps every other hour", () => {
    const { keep, y } = at([99, 100, 105, 109, 110, 299, 300, 304, 305, 399]);
    expect(Array.from(keep)).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    // the hour of the failure is down, not a positive of its own failure
    expect(y[1]).toBe(0);
  });
});
