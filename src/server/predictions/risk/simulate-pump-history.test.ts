import { describe, expect, it } from "vitest";
import { mulberry32 } from "@/lib/random";
import { pumpFeatures, PUMP_FEATURE_INDEX, PUMP_FEATURES } from "./features";
import { PUMP_METRICS } from "./pump-history";
import { simulateFleet, simulatePumpHistory, type SimulatedPumpHistory } from "./simulate-pump-history";

const START = Date.UTC(2025, 0, 1);
const YEAR = 8_760;

/** Mean of the finite values of a series over hours from..to-1. */
function mean(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let h = Math.max(0, from); h < to; h++) {
    if (Number.isFinite(values[h]!)) {
      sum += values[h]!;
      n++;
    }
  }
  return sum / n;
}

function featureMean(history: SimulatedPumpHistory, name: keyof typeof PUMP_FEATURE_INDEX, from: number, to: number): number {
  const { x } = pumpFeatures(history, from, to);
  const column = Float64Array.from({ length: to - from }, (_x, r) => x[r * PUMP_FEATURES.length + PUMP_FEATURE_INDEX[name]]!);
  return mean(column, 0, to - from);
}

describe("simulatePumpHistory", () => {
  it("is deterministic for a PRNG seed", () => {
    const a = simulatePumpHistory({ start: START, hours: 2000, rand: mulberry32(5) });
    const b = simulatePumpHistory({ start: START, hours: 2000, rand: mulberry32(5) });
    const c = simulatePumpHistory({ start: START, hours: 2000, rand: mulberry32(6) });
    expect(b).toEqual(a);
    expect(Array.from(c.series.vibration)).not.toEqual(Array.from(a.series.vibration));
  });

  it("produces the hourly series of a small booster pump", () => {
    const h = simulatePumpHistory({ start: START, hours: YEAR, rand: mulberry32(21), failures: [], profile: { ratedFlow: 10, pressureBar: 4.5, healthyVibration: 1.2, startsPerDay: 4 } });
    for (const m of PUMP_METRICS) expect(h.series[m].length).toBe(YEAR);
    const { flow_rate: flow, pump_pressure: pressure, power, pump_speed: speed, vibration, water_temperature: temp } = h.series;
    const running = Array.from({ length: YEAR }, (_x, i) => i).filter((i) => flow[i]! > 0.2);
    const share = running.length / YEAR;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.75);
    // flow around the rated flow (scaled by the share of each hour the pump ran), pressure at its setpoint
    expect(Math.max(...running.map((i) => flow[i]!))).toBeLessThan(12);
    expect(mean(Float64Array.from(running.map((i) => flow[i]! / (speed[i]! / 100))), 0, running.length)).toBeGreaterThan(5);
    for (const i of running) expect(pressure[i]!).toBeGreaterThan(3);
    expect(mean(pressure, 0, YEAR)).toBeCloseTo(4.3, 0);
    // about 0.2 kWh/m³ for 46 m of head (domain.md §2.3)
    const kwh = running.reduce((s, i) => s + power[i]!, 0);
    const m3 = running.reduce((s, i) => s + flow[i]!, 0);
    expect(kwh / m3).toBeGreaterThan(0.15);
    expect(kwh / m3).toBeLessThan(0.35);
    // vibration is sampled while running, around the healthy level
    expect(running.filter((i) => Number.isNaN(vibration[i]!)).length / running.length).toBeLessThan(0.1);
    expect(mean(vibration, 0, YEAR)).toBeGreaterThan(0.9);
    expect(mean(vibration, 0, YEAR)).toBeLessThan(1.5);
    // starts: a few a day
    const starts = featureMean(h, "starts_24h", 24, YEAR);
    expect(starts).toBeGreaterThan(2);
    expect(starts).toBeLessThan(6);
    // water is warmer in summer (July) than in winter (January)
    expect(mean(temp, 181 * 24, 212 * 24) - mean(temp, 0, 31 * 24)).toBeGreaterThan(4);
    // about 2 % of single hours and a few dropouts without any data
    const blank = Array.from({ length: YEAR }, (_x, i) => i).filter((i) => PUMP_METRICS.every((m) => Number.isNaN(h.series[m][i]!))).length / YEAR;
    expect(blank).toBeGreaterThan(0.015);
    expect(blank).toBeLessThan(0.06);
    expect(h.events.some((e) => e.kind === "dropout" && e.to - e.from >= 6)).toBe(true);
  });

  it("simulates the failures it is given: down for their downtime, then renewed", () => {
    const h = simulatePumpHistory({
      start: START,
      hours: 6000,
      rand: mulberry32(3),
      failures: [
        { at: 5000, until: 5020, mode: "seal" },
        { at: 2000, mode: "bearing" },
        { at: 2002, mode: "seal" }, // while still down from the failure before (4–30 h): not a failure of its own
        { at: 7000, mode: "seal" }, // after the end
      ],
    });
    expect(h.failures.map((f) => [f.at, f.mode])).toEqual([
      [2000, "bearing"],
      [5000, "seal"],
    ]);
    const first = h.failures[0]!;
    expect(first.until - first.at).toBeGreaterThanOrEqual(4);
    expect(first.until - first.at).toBeLessThanOrEqual(30);
    expect(h.failures[1]!.until).toBe(5020);
    expect(h.renewals).toEqual([0, first.until, 5020]);
    for (const f of h.failures) {
      for (let t = f.at; t < f.until; t++) {
        expect(h.series.flow_rate[t] || 0).toBe(0);
        expect(h.series.power[t] || 0).toBe(0);
      }
      // and runs again within two days
      const after = Array.from({ length: 48 }, (_x, i) => h.series.flow_rate[f.until + i]!);
      expect(after.some((q) => q > 0.2)).toBe(true);
    }
    // the bearing was worn out before it failed, and the renewed set is healthy again
    expect(mean(h.series.vibration, 2000 - 48, 2000)).toBeGreaterThan(3.5);
    expect(mean(h.series.vibration, first.until + 24, first.until + 24 * 8)).toBeLessThan(2);
  });

  it("ramps vibration up over the weeks before a bearing failure, and not before a seal failure", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const h = simulatePumpHistory({ start: START, hours: 4000, rand: mulberry32(seed), failures: [{ at: 3000, mode: "bearing" }], profile: { cavitationPerYear: 0 } });
      const lastTwoWeeks = mean(h.series.vibration, 3000 - 14 * 24, 3000);
      const monthBefore = mean(h.series.vibration, 3000 - 44 * 24, 3000 - 30 * 24);
      // a 2-week ramp is still flat for most of the two weeks, so the rise of their mean is modest
      expect(lastTwoWeeks / monthBefore).toBeGreaterThan(1.3);
      // 4.5–8 mm/s at the end (ISO 10816 zone D)
      const lastDay = mean(h.series.vibration, 3000 - 24, 3000);
      expect(lastDay).toBeGreaterThan(4);
      expect(lastDay).toBeLessThan(9);
      expect(h.events.find((e) => e.kind === "bearing_wear")?.to).toBe(3000);

      const seal = simulatePumpHistory({ start: START, hours: 4000, rand: mulberry32(seed), failures: [{ at: 3000, mode: "seal" }], profile: { cavitationPerYear: 0 } });
      const ratio = mean(seal.series.vibration, 3000 - 14 * 24, 3000) / mean(seal.series.vibration, 3000 - 44 * 24, 3000 - 30 * 24);
      expect(Math.abs(ratio - 1)).toBeLessThan(0.2);
    }
  });

  it("wears the impeller over months: specific energy rises before an impeller failure", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const h = simulatePumpHistory({ start: START, hours: 8000, rand: mulberry32(seed), failures: [{ at: 7000, mode: "impeller" }], profile: { cavitationPerYear: 0 } });
      const early = featureMean(h, "specific_energy_24h", 1000, 2000);
      const late = featureMean(h, "specific_energy_24h", 7000 - 7 * 24, 7000);
      expect(late / early).toBeGreaterThan(1.08);
      // a worn impeller is no vibration signature
      expect(mean(h.series.vibration, 7000 - 7 * 24, 7000) / mean(h.series.vibration, 1000, 2000)).toBeLessThan(1.3);
    }
  });

  it("has cavitation episodes with vibration spikes and pressure fluctuation that are not failures", () => {
    const h = simulatePumpHistory({ start: START, hours: YEAR, rand: mulberry32(9), failures: [], profile: { cavitationPerYear: 12, healthyVibration: 1 } });
    const episodes = h.events.filter((e) => e.kind === "cavitation");
    expect(episodes.length).toBeGreaterThanOrEqual(5);
    expect(h.failures).toEqual([]);
    const inEpisode = new Uint8Array(YEAR);
    for (const e of episodes) inEpisode.fill(1, e.from, e.to);
    const during = h.series.vibration.filter((_v, i) => inEpisode[i] === 1);
    const outside = h.series.vibration.filter((_v, i) => inEpisode[i] === 0);
    expect(mean(during, 0, during.length)).toBeGreaterThan(2);
    expect(mean(outside, 0, outside.length)).toBeLessThan(1.3);
    // the pressure spread of the day after an episode's last hour is above the usual
    const spreadAfter = mean(Float64Array.from(episodes, (e) => pumpFeatures(h, e.to - 1, e.to).x[PUMP_FEATURE_INDEX.pressure_cv_24h]!), 0, episodes.length);
    expect(spreadAfter).toBeGreaterThan(1.3 * featureMean(h, "pressure_cv_24h", 24, YEAR));
    // and the pump runs on normally after each episode (unless the next one has begun)
    const alone = episodes.filter((e) => e.to + 48 < YEAR && !episodes.some((o) => o.from >= e.to && o.from < e.to + 48));
    expect(alone.length).toBeGreaterThan(episodes.length / 2);
    for (const e of alone) expect(mean(h.series.vibration, e.to + 24, e.to + 48)).toBeLessThan(1.4);
  });

  it("refuses a start that is not a whole hour", () => {
    expect(() => simulatePumpHistory({ start: START + 1000, hours: 10, rand: mulberry32(1) })).toThrow(/whole hour/);
  });
});

describe("simulateFleet", () => {
  it("is deterministic per seed, with profiles that differ per unit", () => {
    const a = simulateFleet({ units: 5, hours: 500, seed: 42, start: START });
    const b = simulateFleet({ units: 5, hours: 500, seed: 42, start: START });
    expect(b).toEqual(a);
    expect(new Set(a.map((u) => u.profile.ratedFlow)).size).toBe(5);
    for (const u of a) {
      expect(u.profile.ratedFlow).toBeGreaterThanOrEqual(4);
      expect(u.profile.ratedFlow).toBeLessThanOrEqual(15);
      expect(u.profile.healthyVibration).toBeGreaterThanOrEqual(0.8);
      expect(u.profile.healthyVibration).toBeLessThanOrEqual(1.6);
    }
    const other = simulateFleet({ units: 5, hours: 500, seed: 43, start: START });
    expect(other[0]!.profile.ratedFlow).not.toBe(a[0]!.profile.ratedFlow);
  });

  it("draws 60–120 failures for 100 units over a year, of every mode, with renewals after them", () => {
    const fleet = simulateFleet({ units: 100, hours: YEAR, seed: 1, start: START });
    const failures = fleet.flatMap((u) => u.failures);
    expect(failures.length).toBeGreaterThanOrEqual(60);
    expect(failures.length).toBeLessThanOrEqual(120);
    const modes = new Map<string, number>();
    for (const f of failures) modes.set(f.mode!, (modes.get(f.mode!) ?? 0) + 1);
    expect(modes.get("bearing")).toBeGreaterThan(failures.length * 0.2);
    expect(modes.get("seal")).toBeGreaterThan(failures.length * 0.2);
    expect(modes.get("impeller")).toBeGreaterThan(0);
    for (const u of fleet) {
      for (const f of u.failures) if (f.until < YEAR) expect(u.renewals).toContain(f.until);
      // sets new at hour 0 are renewed then; older ones have no known renewal before their first failure
      expect(u.renewals.includes(0)).toBe(u.ageHours === 0);
    }
    expect(fleet.some((u) => u.ageHours === 0)).toBe(true);
    expect(fleet.some((u) => u.ageHours > 0)).toBe(true);
  });
});
