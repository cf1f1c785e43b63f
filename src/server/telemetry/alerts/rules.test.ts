import { describe, expect, it } from "vitest";
import {
  describeCondition,
  initialState,
  isActive,
  isGateOpen,
  onSample,
  onTick,
  parseRuleParams,
  restoreActiveState,
  ruleSpecFromRow,
  RULE_KINDS,
  type Baseline,
  type ConditionState,
  type RuleSpec,
  type Sample,
  type Transition,
} from "./rules";

const S = 1000;

type Event = { sample: Sample; baseline?: Baseline | null } | { tick: number };

/** A sample whose batch held only `last` unless extremes are given. */
const at = (ts: number, last: number, extremes: { min?: number; max?: number } = {}): Event => ({
  sample: { ts, last, min: extremes.min ?? last, max: extremes.max ?? last },
});
const tick = (now: number): Event => ({ tick: now });

/** Feeds events in order; returns every transition with the index of the event that produced it. */
function run(rule: RuleSpec, events: Event[], start: ConditionState = initialState(), baseline?: Baseline | null) {
  let state = start;
  const transitions: (Transition & { after: number })[] = [];
  events.forEach((e, i) => {
    const r = "tick" in e ? onTick(rule, state, e.tick) : onSample(rule, state, e.sample, e.baseline === undefined ? baseline : e.baseline);
    state = r.state;
    if (r.transition) transitions.push({ ...r.transition, after: i });
  });
  return { state, transitions };
}

const hi = (over: Partial<RuleSpec> = {}): RuleSpec => ({ kind: "threshold_hi", threshold: 100, deadband: 0, onDelaySec: 0, offDelaySec: 0, ...over });
const lo = (over: Partial<RuleSpec> = {}): RuleSpec => ({ kind: "threshold_lo", threshold: 40, deadband: 0, onDelaySec: 0, offDelaySec: 0, ...over });

describe("thresholds", () => {
  it("hi raises above the limit and clears below it, with the sample's time and value", () => {
    const { transitions, state } = run(hi(), [at(0, 99), at(10 * S, 100), at(20 * S, 100.5), at(30 * S, 120), at(40 * S, 99.9)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 20 * S, value: 100.5, after: 2 },
      { kind: "clear", at: 40 * S, value: 99.9, after: 4 },
    ]);
    expect(isActive(state)).toBe(false);
  });

  it("lo mirrors hi; hihi and lolo evaluate like hi and lo", () => {
    const seq = [at(0, 45), at(10 * S, 39.5), at(20 * S, 40), at(30 * S, 41)];
    const expected = [
      { kind: "raise", at: 10 * S, value: 39.5, after: 1 },
      { kind: "clear", at: 30 * S, value: 41, after: 3 },
    ];
    expect(run(lo(), seq).transitions).toEqual(expected);
    expect(run(lo({ kind: "threshold_lolo" }), seq).transitions).toEqual(expected);
    expect(run(hi({ kind: "threshold_hihi" }), [at(0, 101), at(S, 99)]).transitions.map((t) => t.kind)).toEqual(["raise", "clear"]);
  });

  it("deadband: no chattering around the limit; normal only past limit - deadband", () => {
    const values = [101, 99, 100.5, 97, 100.2, 95.5, 95, 94.9, 99, 100, 100.1];
    const { transitions } = run(hi({ deadband: 5 }), values.map((v, i) => at(i * S, v)));
    expect(transitions).toEqual([
      { kind: "raise", at: 0, value: 101, after: 0 },
      { kind: "clear", at: 7 * S, value: 94.9, after: 7 }, // 95 is still inside the deadband
      { kind: "raise", at: 10 * S, value: 100.1, after: 10 },
    ]);
    // lo: normal only above limit + deadband
    const low = run(lo({ deadband: 2 }), [39, 41, 42, 42.01].map((v, i) => at(i * S, v)));
    expect(low.transitions).toEqual([
      { kind: "raise", at: 0, value: 39, after: 0 },
      { kind: "clear", at: 3 * S, value: 42.01, after: 3 },
    ]);
  });

  it("without a deadband a value exactly at the limit keeps the previous condition", () => {
    const { transitions } = run(hi(), [at(0, 101), at(S, 100), at(2 * S, 100), at(3 * S, 99)]);
    expect(transitions.map((t) => [t.kind, t.at])).toEqual([
      ["raise", 0],
      ["clear", 3 * S],
    ]);
  });
});

describe("on-delay", () => {
  const rule = hi({ onDelaySec: 15 });

  it("raises only after the condition held for the delay, completed by onTick with the held value", () => {
    const { transitions } = run(rule, [at(0, 105), tick(5 * S), at(10 * S, 104), tick(14_999), tick(15 * S), tick(16 * S)]);
    expect(transitions).toEqual([{ kind: "raise", at: 15 * S, value: 104, after: 4 }]);
  });

  it("a normal sample resets the pending timer", () => {
    const { transitions } = run(rule, [at(0, 105), at(10 * S, 95), tick(20 * S), at(21 * S, 105), tick(35 * S), tick(35_999), tick(36 * S)]);
    expect(transitions).toEqual([{ kind: "raise", at: 36 * S, value: 105, after: 6 }]);
  });

  it("is completed by a later sample when no tick came (sample-and-hold), stamped when the delay ran out", () => {
    const { transitions } = run(rule, [at(0, 105), at(20 * S, 106)]);
    expect(transitions).toEqual([{ kind: "raise", at: 15 * S, value: 105, after: 1 }]);
  });

  it("inside the deadband the pending condition holds and the raise reports the violating value", () => {
    const { transitions } = run(hi({ onDelaySec: 15, deadband: 5 }), [at(0, 103), at(5 * S, 98), tick(15 * S)]);
    expect(transitions).toEqual([{ kind: "raise", at: 15 * S, value: 103, after: 2 }]);
  });

  it("ignores a batch's extreme: persistence runs on `last`", () => {
    const { transitions } = run(rule, [at(0, 95, { max: 130 }), tick(60 * S)]);
    expect(transitions).toEqual([]);
  });
});

describe("off-delay", () => {
  const rule = hi({ offDelaySec: 10 });

  it("clears only after normal held for the delay; a violation during it cancels the clear", () => {
    const { transitions } = run(rule, [
      at(0, 105), // raise
      at(5 * S, 90),
      tick(14 * S),
      at(14_500, 101), // cancels
      tick(30 * S),
      at(31 * S, 90),
      tick(40_999),
      tick(41 * S), // clear
    ]);
    expect(transitions).toEqual([
      { kind: "raise", at: 0, value: 105, after: 0 },
      { kind: "clear", at: 41 * S, value: 90, after: 7 },
    ]);
  });

  it("a batch whose extreme violates restarts the off-delay even when `last` is normal", () => {
    const { transitions } = run(rule, [at(0, 105), at(5 * S, 90), at(12 * S, 90, { max: 103 }), tick(15 * S), tick(21_999), tick(22 * S)]);
    expect(transitions.map((t) => [t.kind, t.at])).toEqual([
      ["raise", 0],
      ["clear", 22 * S],
    ]);
  });

  it("returns one transition per call and defers the next one, keeping its time", () => {
    // no ticks: the clear completes on the sample at 20 s, which itself violates again
    const { transitions, state } = run(rule, [at(0, 105), at(5 * S, 90), at(20 * S, 107), tick(20_500)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 0, value: 105, after: 0 },
      { kind: "clear", at: 15 * S, value: 90, after: 2 },
      { kind: "raise", at: 20 * S, value: 107, after: 3 },
    ]);
    expect(isActive(state)).toBe(true);
  });
});

describe("spikes within a batch", () => {
  it("without an on-delay, a batch whose max crosses raises at once with the extreme, then clears on the next call", () => {
    const { transitions } = run(hi(), [at(0, 95), at(10 * S, 96, { max: 120 }), tick(11 * S), tick(12 * S)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 10 * S, value: 120, after: 1 },
      { kind: "clear", at: 10 * S, value: 96, after: 2 },
    ]);
  });

  it("lo uses the batch's min", () => {
    const { transitions } = run(lo(), [at(0, 45, { min: 30 })]);
    expect(transitions).toEqual([{ kind: "raise", at: 0, value: 30, after: 0 }]);
  });

  it("with a deadband, `last` inside it keeps the spike's alert active", () => {
    const { transitions } = run(hi({ deadband: 5 }), [at(0, 98, { max: 120 }), tick(S), tick(60 * S), at(61 * S, 94)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 0, value: 120, after: 0 },
      { kind: "clear", at: 61 * S, value: 94, after: 3 },
    ]);
  });

  it("an off-delay after a spike runs from the batch's time", () => {
    const { transitions } = run(hi({ offDelaySec: 30 }), [at(0, 95), at(10 * S, 95, { max: 101 }), tick(39_999), tick(40 * S)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 10 * S, value: 101, after: 1 },
      { kind: "clear", at: 40 * S, value: 95, after: 3 },
    ]);
  });
});

describe("late samples", () => {
  it("never move persistence backwards: an old violation neither starts an on-delay nor cancels a clear", () => {
    const rule = hi({ onDelaySec: 15 });
    expect(run(rule, [at(0, 90), at(10 * S, 90), at(5 * S, 105), tick(60 * S)]).transitions).toEqual([]);
    // an old normal value does not reset a pending raise
    expect(run(rule, [at(0, 105), at(-1 * S, 90), tick(15 * S)]).transitions).toEqual([{ kind: "raise", at: 15 * S, value: 105, after: 2 }]);
    // an old violation does not cancel an off-delay
    const off = run(hi({ offDelaySec: 10 }), [at(0, 105), at(5 * S, 90), at(3 * S, 120), tick(15 * S)]);
    expect(off.transitions.map((t) => [t.kind, t.at])).toEqual([
      ["raise", 0],
      ["clear", 15 * S],
    ]);
  });

  it("still raise on their extreme for an undelayed threshold, then clear from the newest value", () => {
    const { transitions } = run(hi(), [at(10 * S, 90), at(20 * S, 91), at(15 * S, 95, { max: 130 }), tick(21 * S)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 15 * S, value: 130, after: 2 },
      { kind: "clear", at: 20 * S, value: 91, after: 3 },
    ]);
  });

  it("are ignored when older than the last transition", () => {
    const { transitions } = run(hi(), [at(10 * S, 101), at(20 * S, 90), at(15 * S, 130)]);
    expect(transitions.map((t) => [t.kind, t.at])).toEqual([
      ["raise", 10 * S],
      ["clear", 20 * S],
    ]);
  });
});

describe("rate_of_change", () => {
  const rule: RuleSpec = { kind: "rate_of_change", threshold: 1, deadband: 0.2, onDelaySec: 0, offDelaySec: 0, windowSec: 60 };

  it("measures the change over the window in units per minute", () => {
    // flat at 10 until 60 s, a step to 12 at 70 s: 2 units over the 60 s window
    const events: Event[] = [];
    for (let t = 0; t <= 60; t += 10) events.push(at(t * S, 10));
    for (let t = 70; t <= 140; t += 10) events.push(at(t * S, 12));
    const { transitions } = run(rule, events);
    expect(transitions).toEqual([
      { kind: "raise", at: 70 * S, value: 2, after: 7 },
      { kind: "clear", at: 130 * S, value: 0, after: 13 },
    ]);
  });

  it("alarms on a falling rate too and holds inside the deadband", () => {
    // -1.5/min, then -0.9/min (inside 1 - 0.2), then -0.5/min (normal)
    const events: Event[] = [at(0, 100), at(60 * S, 98.5), at(120 * S, 97.6), at(180 * S, 97.1)];
    expect(run(rule, events).transitions).toEqual([
      { kind: "raise", at: 60 * S, value: -1.5, after: 1 },
      { kind: "clear", at: 180 * S, value: expect.closeTo(-0.5, 9) as unknown as number, after: 3 },
    ]);
  });

  it("does not evaluate before the history spans the window", () => {
    expect(run(rule, [at(0, 0), at(30 * S, 50), at(59 * S, 100)]).transitions).toEqual([]);
  });

  it("keeps a bounded history", () => {
    let state = initialState();
    for (let t = 0; t < 3600; t++) state = onSample({ ...rule, windowSec: 600 }, state, { ts: t * S, last: Math.sin(t / 50), min: -1, max: 1 }).state;
    expect(state.history.length).toBeLessThanOrEqual(18);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it("uses 60 s when no window is given", () => {
    const { transitions } = run({ ...rule, windowSec: undefined }, [at(0, 0), at(60 * S, 1.5)]);
    expect(transitions).toEqual([{ kind: "raise", at: 60 * S, value: 1.5, after: 1 }]);
  });
});

describe("baseline_deviation", () => {
  const rule: RuleSpec = { kind: "baseline_deviation", threshold: 3, deadband: 0.5, onDelaySec: 0, offDelaySec: 0 };
  const baseline: Baseline = { median: 10, mad: 1 };

  it("raises on the robust z-score |x - median| / (1.4826 MAD) and clears below k - deadband", () => {
    const { transitions } = run(rule, [at(0, 14), at(S, 15), at(2 * S, 14), at(3 * S, 13.6), at(4 * S, 13.7)], initialState(), baseline);
    // z(14) = 2.698 (below 3), z(15) = 3.372, z(14) again is inside the deadband, z(13.6) = 2.428 <= 2.5
    expect(transitions).toEqual([
      { kind: "raise", at: S, value: expect.closeTo(5 / 1.4826, 9) as unknown as number, after: 1 },
      { kind: "clear", at: 3 * S, value: expect.closeTo(3.6 / 1.4826, 9) as unknown as number, after: 3 },
    ]);
    // a deviation below the median counts the same
    expect(run(rule, [at(0, 5)], initialState(), baseline).transitions.map((t) => t.kind)).toEqual(["raise"]);
  });

  it("without a baseline, or with MAD 0, does not evaluate: no transition, state untouched", () => {
    const start = initialState();
    for (const b of [null, undefined, { median: 10, mad: 0 }]) {
      const r = onSample(rule, start, { ts: 0, last: 1e6, min: 1e6, max: 1e6 }, b);
      expect(r.transition).toBeNull();
      expect(r.state).toBe(start);
    }
    // an active alert stays active until a baseline is back
    const raised = onSample(rule, start, { ts: 0, last: 20, min: 20, max: 20 }, baseline);
    expect(raised.transition?.kind).toBe("raise");
    const noBaseline = onSample(rule, raised.state, { ts: S, last: 10, min: 10, max: 10 }, null);
    expect(noBaseline.transition).toBeNull();
    expect(isActive(noBaseline.state)).toBe(true);
  });
});

describe("stale", () => {
  const rule: RuleSpec = { kind: "stale", threshold: 120, deadband: 0, onDelaySec: 0, offDelaySec: 0 };

  it("onTick raises once the last data is older than the threshold; new data clears it", () => {
    const { transitions, state } = run(rule, [at(0, 5), tick(60 * S), tick(120 * S), tick(121 * S), tick(122 * S), tick(200 * S), at(201 * S, 5), tick(202 * S)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 121 * S, value: 121, after: 3 },
      { kind: "clear", at: 201 * S, value: null, after: 6 },
    ]);
    expect(isActive(state)).toBe(false);
  });

  it("uses lastSeenTs before any sample, and never raises with neither", () => {
    expect(run(rule, [tick(130 * S)], initialState(0)).transitions).toEqual([{ kind: "raise", at: 130 * S, value: 130, after: 0 }]);
    expect(run(rule, [tick(1e12)]).transitions).toEqual([]);
  });

  it("onSample never raises, even for data that is already old", () => {
    expect(run(rule, [at(0, 1), at(500 * S, 1)], initialState(0)).transitions).toEqual([]);
  });

  it("applies the off-delay to the clear, and a late sample does not clear", () => {
    const r = { ...rule, offDelaySec: 10 };
    // the sample at -5 s is older than the newest (0 s): it does not make the data fresh
    const { transitions } = run(r, [at(0, 1), tick(121 * S), at(-5 * S, 1), tick(125 * S), at(130 * S, 1), tick(139_999), tick(140 * S)]);
    expect(transitions).toEqual([
      { kind: "raise", at: 121 * S, value: 121, after: 1 },
      { kind: "clear", at: 140 * S, value: null, after: 6 },
    ]);
  });

  it("an on-delay runs from the moment the data was found stale", () => {
    const r = { ...rule, onDelaySec: 30 };
    expect(run(r, [at(0, 1), tick(121 * S), tick(150 * S), tick(151 * S)]).transitions).toEqual([{ kind: "raise", at: 151 * S, value: 151, after: 3 }]);
    expect(run(r, [at(0, 1), tick(121 * S), at(140 * S, 1), tick(151 * S), tick(200 * S)]).transitions).toEqual([]);
  });
});

describe("transitions, for every kind", () => {
  // mulberry32: a deterministic stream for the property check
  function rng(seed: number) {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("alternate raise / clear, never two raises in a row, times never go backwards; state survives JSON", () => {
    for (const kind of RULE_KINDS) {
      let count = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const r = rng(seed * 31 + kind.length);
        const threshold = kind === "stale" ? 30 : kind === "rate_of_change" ? 2 : kind === "baseline_deviation" ? 3 : 50;
        const rule: RuleSpec = {
          kind,
          threshold,
          deadband: Math.floor(r() * 3) * (threshold / 20),
          onDelaySec: Math.floor(r() * 3) * 5,
          offDelaySec: Math.floor(r() * 3) * 5,
          windowSec: 20,
        };
        let state = initialState(0);
        let t = 0;
        let lastKind: Transition["kind"] | null = null;
        let lastAt = -Infinity;
        for (let i = 0; i < 400; i++) {
          t += Math.floor(r() * 4000);
          const roll = r();
          let result;
          if (roll < 0.3) result = onTick(rule, state, t + Math.floor(r() * 60_000) * (r() < 0.1 ? 1 : 0));
          else {
            const late = r() < 0.1;
            const last = 50 + (r() - 0.5) * 20;
            result = onSample(rule, state, { ts: late ? t - 10_000 : t, last, min: last - r() * 10, max: last + r() * 10 }, { median: 50, mad: 1.5 });
          }
          state = JSON.parse(JSON.stringify(result.state)) as ConditionState;
          const tr = result.transition;
          if (!tr) continue;
          expect(tr.kind, `${kind} seed ${seed} step ${i}`).not.toBe(lastKind ?? "clear");
          expect(tr.at).toBeGreaterThanOrEqual(lastAt);
          expect(isActive(state)).toBe(tr.kind === "raise");
          lastKind = tr.kind;
          lastAt = tr.at;
          count++;
        }
      }
      expect(count, `${kind} exercised`).toBeGreaterThan(20);
    }
  });
});

describe("restoreActiveState", () => {
  it("puts back a raised condition that clears the usual way, without a second raise", () => {
    const restored = restoreActiveState(5 * S, 105);
    expect(isActive(restored)).toBe(true);
    expect(run(hi({ offDelaySec: 10 }), [at(6 * S, 106), at(7 * S, 90), tick(17 * S)], restored).transitions).toEqual([{ kind: "clear", at: 17 * S, value: 90, after: 2 }]);
    const stale: RuleSpec = { kind: "stale", threshold: 120, deadband: 0, onDelaySec: 0, offDelaySec: 0 };
    expect(run(stale, [tick(500 * S), at(501 * S, 1)], restoreActiveState(200 * S, 130, 70 * S)).transitions).toEqual([{ kind: "clear", at: 501 * S, value: null, after: 1 }]);
  });
});

describe("describeCondition", () => {
  it("writes one line per kind", () => {
    const uv = { name: "UV intensity", unit: "W/m2" };
    expect(describeCondition(lo(), 31.2, uv)).toBe("UV intensity 31.2 W/m2 below 40 W/m2 (lo)");
    expect(describeCondition(hi({ kind: "threshold_hihi", threshold: 4.5 }), 5.123456, { name: "Vibration", unit: "mm/s" })).toBe("Vibration 5.123 mm/s above 4.5 mm/s (hihi)");
    expect(describeCondition(lo({ kind: "threshold_lolo", threshold: 75 }), 72.5, { name: "UVT", unit: "%" })).toBe("UVT 72.5% below 75% (lolo)");
    expect(describeCondition(hi({ threshold: 10800 }), 10800.4, { name: "Lamp hours", unit: "h" })).toBe("Lamp hours 10800 h above 10800 h (hi)");
    expect(describeCondition(hi(), null, { name: "Flow", unit: "m3/h" })).toBe("Flow above 100 m3/h (hi)");
    const roc: RuleSpec = { kind: "rate_of_change", threshold: 0.005, deadband: 0, onDelaySec: 0, offDelaySec: 0 };
    expect(describeCondition(roc, -0.0123, { name: "Filter ΔP", unit: "bar" })).toBe("Filter ΔP falling at 0.0123 bar/min, more than 0.005 bar/min (rate of change)");
    const base: RuleSpec = { kind: "baseline_deviation", threshold: 4, deadband: 0, onDelaySec: 0, offDelaySec: 0 };
    expect(describeCondition(base, 5.2, { name: "Pump power", unit: "kW" })).toBe("Pump power 5.2 robust σ from its baseline, more than 4 (baseline deviation)");
    const stale: RuleSpec = { kind: "stale", threshold: 120, deadband: 0, onDelaySec: 0, offDelaySec: 0 };
    expect(describeCondition(stale, 121.4, { name: "Flow rate", unit: "m3/h" })).toBe("Flow rate: no data for 121 s, more than 120 s (stale)");
    expect(describeCondition(stale, null, { name: "Flow rate", unit: "m3/h" })).toBe("Flow rate: no data for more than 120 s (stale)");
  });
});

describe("rule rows", () => {
  it("maps an AlertRule row to a RuleSpec and reads params defensively", () => {
    expect(ruleSpecFromRow({ kind: "rate_of_change", threshold: 0.01, deadband: 0.002, onDelaySec: 60, offDelaySec: 60, params: { windowSec: 900, junk: 1 } })).toEqual({
      kind: "rate_of_change",
      threshold: 0.01,
      deadband: 0.002,
      onDelaySec: 60,
      offDelaySec: 60,
      windowSec: 900,
    });
    expect(ruleSpecFromRow({ kind: "threshold_lo", threshold: null, deadband: 0, onDelaySec: 0, offDelaySec: 0 }).threshold).toBe(-Infinity);
    expect(parseRuleParams({ when: { metricKey: "lamp_on", above: 0.5 }, windowSec: -1 })).toEqual({ when: { metricKey: "lamp_on", above: 0.5 } });
    expect(parseRuleParams("nonsense")).toEqual({});
  });

  it("opens a gate only for a known value on the right side", () => {
    const gate = { metricKey: "lamp_on", above: 0.5 };
    expect(isGateOpen(gate, 1)).toBe(true);
    expect(isGateOpen(gate, 0)).toBe(false);
    expect(isGateOpen(gate, null)).toBe(false);
    expect(isGateOpen(undefined, null)).toBe(true);
    expect(isGateOpen({ metricKey: "flow_rate", above: 0.1, below: 50 }, 60)).toBe(false);
  });
});
