import { describe, expect, it } from "vitest";
import { unitParamsFromTwin } from "@/lib/physics";
import { calculatedDose, evaluateMinutes, mergeEvents, percentile, type MinuteResult, type MinuteSeries } from "./evaluate";
import { dayBounds } from "./calendar";

const MIN = 60_000;
const T0 = Date.parse("2026-03-10T08:00:00.000Z");

// The §6.3 reactor (r1 1.25, r2 4.45, L 90 cm, k_cal 1.2, γ 0) with the AQ-UV10's validated limits.
const limits = { requiredDoseMjCm2: 40, maxFlowM3h: 12, minUvtPct: 85, sensorSetpointWm2: 48 };
const lp = unitParamsFromTwin({}, { lampType: "low-pressure", compliance: limits }); // τ_w 0.75 min
const amalgam = unitParamsFromTwin({}, { lampType: "amalgam", compliance: limits }); // τ_w 3 min

/**
 * Independent of the physics module: S [W/m²] -> S/10 mW/cm² at the wall r2, so the line source
 * emits P_UV = (S/10)·2π·r2·L·e^(αd) mW; D_avg = P_UV(1 − e^(−αd))/(αQ) = (S/10)·2π·r2·L·(e^(αd) − 1)/(αQ).
 */
function handDose(S: number, uvt: number, q: number): number {
  const alpha = Math.LN10 * (2 - Math.log10(uvt));
  const d = 4.45 - 1.25;
  return (1.2 * (S / 10) * 2 * Math.PI * 4.45 * 90 * (Math.exp(alpha * d) - 1)) / (alpha * ((q * 1e6) / 3600));
}

interface Minute {
  q?: number | null;
  s?: number | null;
  uvt?: number | null;
  lamp?: number | null;
  tw?: number | null;
}

/** A series from per-minute values; `base` fills what a minute does not say. */
function series(minutes: Minute[], base: Minute = { q: 6, s: 100, lamp: 1, tw: 12 }, withUvt = false, extra: Partial<MinuteSeries> = {}): MinuteSeries {
  const pick = <K extends keyof Minute>(m: Minute, k: K) => (k in m ? m[k]! : (base[k] ?? null));
  return {
    start: T0,
    flowM3h: minutes.map((m) => pick(m, "q")),
    intensityWm2: minutes.map((m) => pick(m, "s")),
    uvtPct: withUvt ? minutes.map((m) => pick(m, "uvt")) : null,
    lampOn: [minutes.map((m) => pick(m, "lamp"))],
    waterTempC: minutes.map((m) => pick(m, "tw")),
    ...extra,
  };
}

const run = (s: MinuteSeries, params = lp, from = T0, to = T0 + s.flowM3h.length * MIN) => evaluateMinutes(s, { params, from, to });
const repeat = (n: number, m: Minute = {}) => Array.from({ length: n }, () => ({ ...m }));

describe("calculated dose", () => {
  it("inverts the sensor reading and reproduces the hand-computed RED", () => {
    expect(handDose(100, 90, 10)).toBeCloseTo(41.3698, 3);
    expect(calculatedDose(lp, 10, 100, 90)).toBeCloseTo(handDose(100, 90, 10), 9);
    // dose ∝ 1/Q at the same sensor reading and UVT
    expect(calculatedDose(lp, 11, 100, 90)).toBeCloseTo(37.6089, 3);
    expect(calculatedDose(lp, 0, 100, 90)).toBeNull();
    // the validation factor divides the credited dose
    const vf = unitParamsFromTwin({}, { compliance: { ...limits, validationFactor: 1.25 } });
    expect(calculatedDose(vf, 10, 100, 90)).toBeCloseTo(41.3698 / 1.25, 3);
  });
});

describe("evaluateMinutes: one reason at a time", () => {
  it("counts Q·Δt for every delivering minute and flags nothing when all is within limits", () => {
    const e = run(series(repeat(10), { q: 6, s: 100, lamp: 1, uvt: 90 }, true), lp);
    expect(e.events).toEqual([]);
    expect(e.summary.treatedVolumeM3).toBeCloseTo(1.0, 12); // 10 min at 6 m³/h
    expect(e.summary.runMinutes).toBe(10);
    expect(e.summary.offSpecVolumeM3).toBe(0);
    expect(e.summary.dataCompleteness).toBe(1);
    expect(e.summary.validatedFraction).toBe(1);
    expect(e.summary.minDoseMjCm2).toBeCloseTo(handDose(100, 90, 6), 9);
  });

  it("lamp_off (with the sensor that goes dark), then warming_up for the minutes the lamp needs to reach 95 %", () => {
    // τ_w = 0.75 min: f_warm ≥ 0.95 after 0.75·ln 20 = 2.25 min, so minutes 0, 1 and 2 after the strike warm up
    const minutes = [...repeat(3), ...repeat(2, { lamp: 0, s: 0 }), ...repeat(5)];
    const e = run(series(minutes));
    expect(e.events.map((x) => [x.reason, x.startedAt - T0, x.endedAt - T0])).toEqual([
      ["lamp_off,sensor_below_setpoint", 3 * MIN, 5 * MIN],
      ["warming_up", 5 * MIN, 8 * MIN],
    ]);
    expect(e.events[0]!.volumeM3).toBeCloseTo(0.2, 12);
    expect(e.events[1]!.volumeM3).toBeCloseTo(0.3, 12);
    expect(e.summary.offSpecMinutes).toBe(5);
    expect(e.summary.offSpecVolumeM3).toBeCloseTo(0.5, 12);
    expect(e.summary.byReason.lamp_off).toEqual({ minutes: 2, volumeM3: expect.closeTo(0.2, 12) });
    expect(e.summary.validatedFraction).toBeCloseTo(5 / 10, 12);
  });

  it("a lamp switched on during a minute is off for that minute; an amalgam lamp warms up for 9 minutes", () => {
    // 0.75 = on for the last readings of minute 2; τ_w = 3 min -> 3·ln 20 = 8.99 min
    const minutes = [...repeat(2, { lamp: 0, s: 0, q: 0 }), { lamp: 0.75, s: 10, q: 0 }, ...repeat(15)];
    const e = run(series(minutes), amalgam);
    expect(e.events.map((x) => [x.reason, (x.startedAt - T0) / MIN, x.minutes])).toEqual([["warming_up", 3, 9]]);
    expect(e.events[0]!.volumeM3).toBeCloseTo(0.9, 12);
    // no flow while the lamp was off: no water, nothing off-spec
    expect(e.summary.runMinutes).toBe(15);
  });

  it("when monitoring begins with the series, a lamp first seen on after silent minutes was already on", () => {
    const s = series([{ lamp: null, s: null, q: null }, { lamp: null, s: null, q: null }, {}, {}, {}, {}]);
    const conservative = run(s);
    expect(conservative.minutes.slice(2).map((m) => m.reasons)).toEqual([["warming_up"], ["warming_up"], ["warming_up"], []]);
    const atStart = evaluateMinutes(s, { params: lp, from: T0, to: T0 + 6 * MIN, monitoringStartsAtSeries: true });
    expect(atStart.summary.offSpecMinutes).toBe(0);
    // a later strike still warms up
    const struck = series([{ lamp: null, s: null, q: null }, {}, { lamp: 0, s: 0 }, {}, {}, {}, {}]);
    expect(evaluateMinutes(struck, { params: lp, from: T0, to: T0 + 7 * MIN, monitoringStartsAtSeries: true }).minutes.slice(3).map((m) => m.reasons)).toEqual([
      ["warming_up"],
      ["warming_up"],
      ["warming_up"],
      [],
    ]);
  });

  it("a lamp already on when the series starts is warm", () => {
    const e = run(series(repeat(5)), amalgam);
    expect(e.events).toEqual([]);
  });

  it("sensor_below_setpoint alone (setpoint approach: no UVT analyser)", () => {
    const e = run(series([...repeat(2), ...repeat(3, { s: 47.9 }), {}]));
    expect(e.events).toHaveLength(1);
    expect(e.events[0]).toMatchObject({ reason: "sensor_below_setpoint", startedAt: T0 + 2 * MIN, endedAt: T0 + 5 * MIN, minutes: 3, minDoseMjCm2: null });
    expect(e.events[0]!.volumeM3).toBeCloseTo(0.3, 12);
  });

  it("dose_below_required from the calculated dose when a UVT is measured", () => {
    // S 100 W/m², UVT 90 %: 41.37 mJ/cm² at 10 m³/h, 37.61 at 11 m³/h (below 40)
    const e = run(series([...repeat(2, { q: 10 }), ...repeat(3, { q: 11 }), { q: 10 }], { s: 100, lamp: 1, uvt: 90 }, true));
    expect(e.events).toHaveLength(1);
    const ev = e.events[0]!;
    expect(ev.reason).toBe("dose_below_required");
    expect(ev.minutes).toBe(3);
    expect(ev.volumeM3).toBeCloseTo(0.55, 12); // 3 × 11/60
    expect(ev.minDoseMjCm2).toBeCloseTo(37.6089, 3);
    expect(e.summary.minDoseMjCm2).toBeCloseTo(37.6089, 3);
    expect(e.summary.maxFlowM3h).toBe(11);
    // without a UVT analyser the same readings are judged on the setpoint alone: on spec
    const setpointOnly = run(series([...repeat(2, { q: 10 }), ...repeat(3, { q: 11 }), { q: 10 }], { s: 100, lamp: 1 }));
    expect(setpointOnly.events).toEqual([]);
    expect(setpointOnly.summary.minDoseMjCm2).toBeNull();
  });

  it("flow_above_max and uvt_below_min", () => {
    const high = run(series([{}, { q: 13, s: 400 }, {}], { s: 400, lamp: 1, q: 6 }));
    expect(high.events.map((x) => x.reason)).toEqual(["flow_above_max"]);
    expect(high.events[0]!.volumeM3).toBeCloseTo(13 / 60, 12);
    const murky = run(series([{}, { uvt: 84.9 }, {}], { s: 300, lamp: 1, q: 5, uvt: 92 }, true));
    expect(murky.events.map((x) => x.reason)).toEqual(["uvt_below_min"]);
    expect(murky.summary.minUvtPct).toBe(84.9);
  });
});

describe("evaluateMinutes: instruments out of calibration", () => {
  it("flags delivering minutes that begin inside a failed sensor's interval, and only those", () => {
    // minutes 0–9; the sensor failed a check at 2:30 and passed again at 6:00; no flow in minute 4
    const minutes = repeat(10).map((m, i) => (i === 4 ? { q: 0 } : m));
    const s = series(minutes, undefined, false, { outOfCalibration: { uvSensor: [{ from: T0 + 2.5 * MIN, to: T0 + 6 * MIN }], uvtAnalyser: [] } });
    const r = run(s);
    expect(r.minutes.map((m) => m.reasons.join(","))).toEqual(["", "", "", "sensor_out_of_calibration", "", "sensor_out_of_calibration", "", "", "", ""]);
    expect(r.summary.offSpecMinutes).toBe(2);
    expect(r.summary.offSpecVolumeM3).toBeCloseTo(2 * (6 / 60), 12);
    expect(r.summary.byReason.sensor_out_of_calibration).toEqual({ minutes: 2, volumeM3: 0.2 });
    expect(r.events.map((e) => [e.startedAt - T0, e.minutes, e.reason])).toEqual([
      [3 * MIN, 1, "sensor_out_of_calibration"],
      [5 * MIN, 1, "sensor_out_of_calibration"],
    ]);
  });

  it("an interval still open lasts to the end; it joins other reasons in list order", () => {
    const s = series([{}, { s: 40 }, {}], undefined, false, { outOfCalibration: { uvSensor: [{ from: T0, to: null }], uvtAnalyser: [] } });
    expect(run(s).minutes.map((m) => m.reasons)).toEqual([
      ["sensor_out_of_calibration"],
      ["sensor_below_setpoint", "sensor_out_of_calibration"],
      ["sensor_out_of_calibration"],
    ]);
  });

  it("a failed UVT analyser counts only where the calculated dose is used", () => {
    const cal = { uvSensor: [], uvtAnalyser: [{ from: T0, to: null }] };
    expect(run(series(repeat(2), undefined, false, { outOfCalibration: cal })).summary.offSpecMinutes).toBe(0);
    const withAnalyser = run(series(repeat(2, { uvt: 95 }), undefined, true, { outOfCalibration: cal }));
    expect(withAnalyser.minutes.map((m) => m.reasons)).toEqual([["sensor_out_of_calibration"], ["sensor_out_of_calibration"]]);
  });
});

describe("evaluateMinutes: missing data", () => {
  it("no_data when the UV sensor is silent while water flows; completeness drops", () => {
    const e = run(series([...repeat(4), ...repeat(2, { s: null }), ...repeat(4)]));
    expect(e.events.map((x) => [x.reason, x.minutes])).toEqual([["no_data", 2]]);
    expect(e.events[0]!.volumeM3).toBeCloseTo(0.2, 12);
    expect(e.summary.dataCompleteness).toBeCloseTo(0.8, 12);
  });

  it("estimates the flow over a gap by interpolation and counts that water as no_data", () => {
    // 6 at minute 1, missing at 2 and 3, 12 at minute 4: 8 and 10 m³/h
    const e = run(series([{}, {}, { q: null }, { q: null }, { q: 12 }]));
    expect(e.minutes.map((m) => m.flowEstimated)).toEqual([false, false, true, true, false]);
    expect(e.events).toHaveLength(1);
    expect(e.events[0]!.volumeM3).toBeCloseTo(8 / 60 + 10 / 60, 12);
    expect(e.summary.estimatedVolumeM3).toBeCloseTo(18 / 60, 12);
    expect(e.summary.treatedVolumeM3).toBeCloseTo((6 + 6 + 8 + 10 + 12) / 60, 12);
  });

  it("holds the last flow while nothing newer has arrived, uses the flow measured before the series, and needs evidence of delivery", () => {
    const tail = run(series([{}, { q: null }, { q: null }]));
    expect(tail.summary.offSpecVolumeM3).toBeCloseTo(0.2, 12);
    const before = run(series([{ q: null }, { q: null }, { q: 9 }], undefined, false, { flowBefore: { t: T0 - 2 * MIN, value: 3 } }));
    // 3 at −2 min, 9 at +2 min: 6 and 7.5 m³/h at minutes 0 and 1
    expect(before.events[0]!.volumeM3).toBeCloseTo(6 / 60 + 7.5 / 60, 12);
    const nothing = run(series([{ q: null }, { q: null }, { q: 9 }]));
    expect(nothing.events).toEqual([]);
    expect(nothing.summary.runMinutes).toBe(1);
    expect(nothing.summary.dataCompleteness).toBeCloseTo(1 / 3, 12);
    // a stopped unit with a silent sensor delivers nothing: incomplete, never off-spec
    const stopped = run(series(repeat(3, { q: 0, s: null })));
    expect(stopped.summary.offSpecVolumeM3).toBe(0);
    expect(stopped.summary.dataCompleteness).toBe(0);
  });

  it("does not bridge gaps longer than maxBridgeMs", () => {
    const s = series([{ q: null }, { q: 9 }], undefined, false, { flowBefore: { t: T0 - 25 * 60 * MIN, value: 6 } });
    const e = evaluateMinutes(s, { params: lp, from: T0, to: T0 + 2 * MIN });
    expect(e.summary.runMinutes).toBe(1);
  });

  it("holds the lamp status for 10 minutes, then calls it missing", () => {
    const e = run(series([{}, ...repeat(12, { lamp: null })]));
    expect(e.minutes.map((m) => m.complete)).toEqual([true, ...Array(10).fill(true), false, false]);
    expect(e.events.map((x) => [x.reason, (x.startedAt - T0) / MIN])).toEqual([["no_data", 11]]);
  });

  it("needs the UVT on a unit with an analyser", () => {
    const e = run(series([{}, { uvt: null }, {}], { q: 6, s: 200, lamp: 1, uvt: 92 }, true), lp);
    // the UVT is held for 15 min: one missing minute is not a gap
    expect(e.events).toEqual([]);
    const long = run(series([{}, ...repeat(16, { uvt: null })], { q: 6, s: 200, lamp: 1, uvt: 92 }, true), lp);
    expect(long.events.map((x) => [x.reason, x.minutes])).toEqual([["no_data", 1]]);
  });
});

describe("merging and windows", () => {
  it("merges consecutive minutes with the same reasons; a change of reasons or an on-spec minute splits", () => {
    const m = (i: number, reasons: MinuteResult["reasons"], dose: number | null = null): MinuteResult => ({
      t: T0 + i * MIN,
      volumeM3: 0.1,
      delivering: true,
      flowEstimated: false,
      complete: true,
      reasons,
      doseMjCm2: dose,
    });
    const events = mergeEvents([
      m(0, ["lamp_off"]),
      m(1, ["lamp_off"]),
      m(2, ["lamp_off", "sensor_below_setpoint"]),
      m(3, []),
      m(4, ["dose_below_required"], 30),
      m(5, ["dose_below_required"], 25),
      m(7, ["dose_below_required"], 20), // not adjacent: a new event
    ]);
    expect(events.map((e) => [e.reason, e.minutes, e.minDoseMjCm2])).toEqual([
      ["lamp_off", 2, null],
      ["lamp_off,sensor_below_setpoint", 1, null],
      ["dose_below_required", 2, 25],
      ["dose_below_required", 1, 20],
    ]);
    expect(events[0]!.volumeM3).toBeCloseTo(0.2, 12);
  });

  it("uses minutes before `from` only as context (a lamp strike 5 minutes before the day still warms up inside it)", () => {
    const minutes = [...repeat(3, { lamp: 0, s: 0, q: 0 }), ...repeat(12)];
    const e = run(series(minutes), amalgam, T0 + 8 * MIN);
    // strike at minute 3: warm-up minutes 3..11; the window starts at 8
    expect(e.summary.minutes).toBe(7);
    expect(e.events.map((x) => [(x.startedAt - T0) / MIN, x.minutes])).toEqual([[8, 4]]);
  });

  it("covers 1,500 minutes on a 25-hour day and 1,380 on a 23-hour day", () => {
    for (const [day, minutes] of [
      ["2026-10-25", 1500],
      ["2026-03-29", 1380],
    ] as const) {
      const { start, end } = dayBounds(day, "Europe/Berlin");
      const n = (end.getTime() - start.getTime()) / MIN;
      const s: MinuteSeries = { ...series(repeat(n)), start: start.getTime() };
      const e = evaluateMinutes(s, { params: lp, from: start.getTime(), to: end.getTime() });
      expect(e.summary.minutes).toBe(minutes);
      expect(e.summary.treatedVolumeM3).toBeCloseTo(minutes / 10, 9); // 6 m³/h = 0.1 m³/min
    }
  });

  it("reports the 5th percentile by linear interpolation between order statistics", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 0.05)).toBeCloseTo(1.95, 12); // h = 19 × 0.05 = 0.95
    expect(percentile([7], 0.05)).toBe(7);
    // the day's p5 dose from the minutes: doses at Q = 6, 6, 6, 12 (half the dose)
    const e = run(series([{}, {}, {}, { q: 12 }], { s: 100, lamp: 1, uvt: 90, q: 6 }, true));
    const low = handDose(100, 90, 12);
    const high = handDose(100, 90, 6);
    expect(e.summary.p5DoseMjCm2).toBeCloseTo(low + 0.15 * (high - low), 9); // h = 3 × 0.05
    expect(e.summary.avgDoseMjCm2).toBeCloseTo((3 * high + low) / 4, 9);
  });
});
