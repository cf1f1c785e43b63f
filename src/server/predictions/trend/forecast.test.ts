import { describe, expect, it } from "vitest";
import { mulberry32 } from "@/lib/random";
import { forecastCrossing } from "./forecast";
import type { Forecast, ForecastOptions, TrendSample } from "./specs";

const NOW = Date.UTC(2025, 2, 1, 12);
const HOUR = 3.6e6;

function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Hourly values over the `days` before NOW (the last one at NOW); `value` gets days since NOW (≤ 0). */
function hourly(days: number, value: (d: number) => number): TrendSample[] {
  const hours = days * 24;
  return Array.from({ length: hours + 1 }, (_v, i) => {
    const t = NOW - (hours - i) * HOUR;
    return { t, v: value((t - NOW) / 86.4e6) };
  });
}

function expectOk(f: Forecast): Extract<Forecast, { ok: true }> {
  if (!f.ok) throw new Error(`expected a forecast, got: ${f.reason}`);
  return f;
}

const within = (actual: number | null, expected: number, share: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected) / expected).toBeLessThan(share);
};

const filter: ForecastOptions = { limit: 1, direction: "rising", now: NOW, horizonHours: 14 * 24 };

describe("forecastCrossing: remaining life", () => {
  it("a linear rise 0.2 → 1.0 bar over 24 days, 14 of them seen, is predicted to cross in 10 days", () => {
    const noise = gaussian(1);
    // 0.2 bar 14 days ago, 1.0 bar in 10 days
    const samples = hourly(14, (d) => 0.2 + (0.8 / 24) * (d + 14) + 0.01 * noise());
    const f = expectOk(forecastCrossing(samples, filter));
    within(f.rulHours, 10 * 24, 0.03);
    expect(f.points).toBe(14 * 24 + 1);
    expect(f.spanHours).toBe(14 * 24);
    expect(f.level).toBeCloseTo(0.2 + (0.8 / 24) * 14, 2);
    within(f.slopePerDay, 0.8 / 24, 0.03);
    expect(f.slopeLowPerDay).toBeLessThan(f.slopePerDay);
    expect(f.slopeHighPerDay).toBeGreaterThan(f.slopePerDay);
    expect(f.rulLowHours!).toBeLessThan(f.rulHours!);
    expect(f.rulHighHours!).toBeGreaterThan(f.rulHours!);
    expect(f.alreadyPast).toBe(false);
    expect(f.residualSd).toBeGreaterThan(0.007);
    expect(f.residualSd).toBeLessThan(0.013);
  });

  it('follows an exponential ΔP rise on "log", where a straight line would promise days too many', () => {
    const noise = gaussian(2);
    // 0.15 bar 14 days ago, growing exponentially to 1.0 bar in 7 days, 2 % multiplicative noise
    const k = Math.log(1 / 0.15) / 21;
    const samples = hourly(14, (d) => 0.15 * Math.exp(k * (d + 14)) * (1 + 0.02 * noise()));
    const f = expectOk(forecastCrossing(samples, { ...filter, transform: "log" }));
    within(f.rulHours, 7 * 24, 0.03);
    const levelNow = 0.15 * Math.exp(k * 14);
    within(f.level, levelNow, 0.01);
    // the derivative at now, in bar per day
    within(f.slopePerDay, levelNow * k, 0.03);
    expect(f.residualSd).toBeGreaterThan(0.015); // log units: ≈ the 2 % noise
    expect(f.residualSd).toBeLessThan(0.025);
    const straight = expectOk(forecastCrossing(samples, filter));
    expect(straight.rulHours!).toBeGreaterThan(f.rulHours! + 48);
  });

  it("falling UV intensity reaches its setpoint when the line says", () => {
    const noise = gaussian(3);
    // 100 W/m² 14 days ago, 40 in 5 days
    const samples = hourly(14, (d) => 100 - (60 / 19) * (d + 14) + 1.5 * noise());
    const f = expectOk(forecastCrossing(samples, { limit: 40, direction: "falling", now: NOW, horizonHours: 14 * 24 }));
    within(f.rulHours, 5 * 24, 0.03);
    expect(f.slopePerDay).toBeLessThan(0);
    expect(f.rulLowHours!).toBeLessThan(f.rulHours!);
    expect(f.rulHighHours!).toBeGreaterThan(f.rulHours!);
    expect(f.riskWithinHorizon).toBeGreaterThan(0.99);
  });

  it("a flat noisy series has no remaining life and a small risk, even when its slope comes out a hair above 0", () => {
    let upwards = 0;
    for (let seed = 40; seed < 60; seed++) {
      const noise = gaussian(seed);
      const f = expectOk(forecastCrossing(hourly(14, () => 0.5 + 0.03 * noise()), filter));
      if (f.slopePerDay > 0) upwards++;
      expect(Math.abs(f.slopePerDay)).toBeLessThan(0.003);
      expect(f.rulHours).toBeNull();
      expect(f.rulHighHours).toBeNull();
      expect(f.riskWithinHorizon).toBeLessThan(0.01);
    }
    expect(upwards).toBeGreaterThan(3);
  });

  it("a trend that moves away from the limit never reaches it", () => {
    const samples = hourly(14, (d) => 0.6 - 0.01 * d * d);
    const f = expectOk(forecastCrossing(samples, { ...filter, direction: "falling", limit: 0.2 }));
    expect(f.slopePerDay).toBeGreaterThan(0);
    expect(f.rulHours).toBeNull();
    expect(f.rulLowHours).toBeNull();
    expect(f.rulHighHours).toBeNull();
    expect(f.riskWithinHorizon).toBeLessThan(0.001);
  });

  it("a level already at or past the limit has 0 hours left and risk 1", () => {
    const rising = expectOk(forecastCrossing(hourly(3, (d) => 1.1 + 0.01 * d), filter));
    expect(rising.alreadyPast).toBe(true);
    expect(rising.rulHours).toBe(0);
    expect(rising.rulLowHours).toBe(0);
    expect(rising.riskWithinHorizon).toBe(1);
    // below the UV setpoint, even though it is recovering (a sleeve was just cleaned)
    const falling = expectOk(forecastCrossing(hourly(3, (d) => 35 + 0.5 * d), { limit: 40, direction: "falling", now: NOW, horizonHours: 24 }));
    expect(falling.alreadyPast).toBe(true);
    expect(falling.rulHours).toBe(0);
    expect(falling.riskWithinHorizon).toBe(1);
    // exactly at the limit counts as reached
    const at = expectOk(forecastCrossing(hourly(3, () => 1), filter));
    expect(at.alreadyPast).toBe(true);
  });

  it("one wild hour does not move the remaining life", () => {
    const noise = gaussian(5);
    const samples = hourly(14, (d) => 0.2 + (0.8 / 24) * (d + 14) + 0.01 * noise());
    const clean = expectOk(forecastCrossing(samples, filter));
    const spiked = samples.map((s, i) => (i === samples.length - 3 ? { ...s, v: 8 } : s));
    const f = expectOk(forecastCrossing(spiked, filter));
    expect(Math.abs(f.rulHours! - clean.rulHours!) / clean.rulHours!).toBeLessThan(0.02);
    expect(f.alreadyPast).toBe(false);
  });

  it("does not care about the order the hours come in", () => {
    const noise = gaussian(6);
    const samples = hourly(5, (d) => 0.5 + 0.05 * d + 0.01 * noise());
    const shuffled = [...samples];
    const pick = mulberry32(6);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(pick() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    expect(forecastCrossing(shuffled, filter)).toEqual(forecastCrossing(samples, filter));
  });
});

describe("forecastCrossing: risk within the horizon", () => {
  const noise = gaussian(7);
  const samples = hourly(14, (d) => 0.4 + 0.03 * (d + 14) + 0.04 * noise());
  const median = expectOk(forecastCrossing(samples, filter)).rulHours!;

  it("is one half when the median crossing is exactly at the horizon", () => {
    const f = expectOk(forecastCrossing(samples, { ...filter, horizonHours: median }));
    expect(f.riskWithinHorizon).toBeCloseTo(0.5, 6);
  });

  it("grows with the horizon, from near 0 well before the crossing to near 1 well after", () => {
    let previous = -1;
    const risks: number[] = [];
    for (const share of [0, 0.25, 0.5, 0.8, 0.95, 1.05, 1.2, 1.5, 2, 4]) {
      const f = expectOk(forecastCrossing(samples, { ...filter, horizonHours: share * median }));
      expect(f.riskWithinHorizon).toBeGreaterThanOrEqual(previous);
      previous = f.riskWithinHorizon;
      risks.push(f.riskWithinHorizon);
    }
    expect(risks[0]).toBeLessThan(0.01);
    expect(risks[2]).toBeLessThan(0.1);
    expect(risks[7]).toBeGreaterThan(0.9);
    expect(risks[9]).toBeGreaterThan(0.99);
  });

  it("never falls as the horizon grows, even for a trend heading away from a limit it is close to", () => {
    // vibration just below the alarm and easing off (after a realignment, say)
    const near = hourly(4, (d) => 4.495 - 0.02 * d + 0.02 * noise());
    let previous = -1;
    for (const hours of [0, 6, 24, 72, 240, 2400]) {
      const f = expectOk(forecastCrossing(near, { ...filter, limit: 4.5, horizonHours: hours }));
      expect(f.rulHours).toBeNull();
      expect(f.riskWithinHorizon).toBeGreaterThanOrEqual(previous);
      previous = f.riskWithinHorizon;
    }
    // the chance lies in being past the limit already, not in getting there
    expect(previous).toBeGreaterThan(0.01);
  });

  it("is calibrated: at the true crossing, seeded series land below 0.1 and above 0.9 about one time in ten", () => {
    const risks: number[] = [];
    for (let seed = 100; seed < 300; seed++) {
      const scatter = gaussian(seed);
      // 0.4 bar a week ago, 1.0 bar in 5 days
      const series = hourly(7, (d) => 0.4 + 0.05 * (d + 7) + 0.03 * scatter());
      risks.push(expectOk(forecastCrossing(series, { ...filter, horizonHours: 5 * 24 })).riskWithinHorizon);
    }
    const share = (test: (r: number) => boolean) => risks.filter(test).length / risks.length;
    expect(share((r) => r < 0.1)).toBeGreaterThan(0.04);
    expect(share((r) => r < 0.1)).toBeLessThan(0.17);
    expect(share((r) => r > 0.9)).toBeGreaterThan(0.04);
    expect(share((r) => r > 0.9)).toBeLessThan(0.17);
    expect(share((r) => r < 0.5)).toBeGreaterThan(0.4);
    expect(share((r) => r < 0.5)).toBeLessThan(0.6);
  });

  it("is more certain with less scatter", () => {
    const quiet = hourly(14, (d) => 0.4 + 0.03 * (d + 14) + 0.005 * noise());
    const horizonHours = 1.2 * median;
    const loud = expectOk(forecastCrossing(samples, { ...filter, horizonHours }));
    const calm = expectOk(forecastCrossing(quiet, { ...filter, horizonHours }));
    expect(calm.riskWithinHorizon).toBeGreaterThan(loud.riskWithinHorizon);
  });
});

describe("forecastCrossing: not enough data", () => {
  it("too few usable hours says how many there are and how many are needed", () => {
    const samples = hourly(14, () => 0.5).filter((_s, i) => i % 40 === 0);
    const f = forecastCrossing(samples, filter);
    expect(f).toEqual({ ok: false, points: 9, reason: "only 9 usable hourly values; 24 are needed for a trend" });
  });

  it("counts missing values (and values not above zero for a log trend) as left out", () => {
    const samples = hourly(1, (d) => 0.5 + 0.1 * d);
    samples[3] = { t: samples[3]!.t, v: Number.NaN };
    samples[4] = { t: samples[4]!.t, v: 0 };
    const f = forecastCrossing(samples, { ...filter, transform: "log" });
    expect(f.ok).toBe(false);
    expect(f.points).toBe(23);
    if (!f.ok) expect(f.reason).toBe("only 23 usable hourly values (2 values left out as missing or not above zero); 24 are needed for a trend");
  });

  it("too short a span says how long it is and how long it must be", () => {
    const f = forecastCrossing(hourly(1, (d) => 0.5 + d).concat({ t: NOW + 5 * HOUR, v: 0.7 }), filter);
    expect(f).toEqual({ ok: false, points: 26, reason: "the usable values cover only 29 hours; a trend needs values spread over at least 48 hours" });
  });

  it("honours minPoints and minSpanHours", () => {
    const samples = hourly(1, (d) => 0.5 + 0.1 * d);
    expect(forecastCrossing(samples, { ...filter, minSpanHours: 12 }).ok).toBe(true);
    expect(forecastCrossing(samples, { ...filter, minSpanHours: 12, minPoints: 30 }).ok).toBe(false);
    const sameHour = forecastCrossing([{ t: NOW, v: 1 }, { t: NOW, v: 2 }], { ...filter, minPoints: 0, minSpanHours: 0 });
    expect(sameHour).toEqual({ ok: false, points: 2, reason: "all usable values are from the same moment; a trend needs values spread over some time" });
  });

  it("rejects options that make no sense, naming the option", () => {
    const samples = hourly(3, () => 0.5);
    expect(() => forecastCrossing(samples, { ...filter, limit: Number.NaN })).toThrow(/limit must be a finite number/);
    expect(() => forecastCrossing(samples, { ...filter, limit: 0, transform: "log" })).toThrow(/"log" trend needs a limit above 0/);
    expect(() => forecastCrossing(samples, { ...filter, horizonHours: -1 })).toThrow(/horizonHours must be 0 or more/);
    expect(() => forecastCrossing(samples, { ...filter, confidence: 1.5 })).toThrow(/confidence must be strictly between 0 and 1/);
    expect(() => forecastCrossing(samples, { ...filter, now: Number.NaN })).toThrow(/now must be epoch milliseconds/);
  });
});
