import { describe, expect, it } from "vitest";
import {
  actionLine,
  actionLineText,
  actionRisk,
  byUrgency,
  isPastLimit,
  remainingLifeText,
  riskLabel,
  riskPercent,
  riskTone,
  runSummaryText,
  scoringText,
  sortByUrgency,
  type LatestPredictionItem,
  type PredictionRunSummary,
} from "./format";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const item = (id: string, rulHours: number | null, score: number, over: Partial<LatestPredictionItem> = {}) => ({
  id,
  rulHours,
  score,
  system: "NBG-03",
  component: "filter-1",
  model: "filter-dp-trend@1",
  kind: "degradation" as LatestPredictionItem["kind"],
  threshold: null as number | null,
  ...over,
});

/** A failure-risk prediction of a pump set: no remaining life, its model's own threshold. */
const risk = (id: string, score: number, threshold: number, over: Partial<LatestPredictionItem> = {}) =>
  item(id, null, score, { kind: "failure_risk", threshold, component: "pump-1", model: "pump-failure-risk@2", ...over });

describe("sortByUrgency", () => {
  it("puts the past-limit first, then the shortest remaining life, then the highest risk, not-heading last", () => {
    const list = [
      item("flat-low", null, 0.02),
      item("ten-days", 240, 0.5),
      item("flat-high", null, 0.6),
      item("past-low", 0, 0.7),
      item("two-days", 48, 0.9),
      item("past-high", 0, 1),
      item("ten-days-riskier", 240, 0.85),
    ];
    expect(sortByUrgency(list).map((p) => p.id)).toEqual(["past-high", "past-low", "two-days", "ten-days-riskier", "ten-days", "flat-high", "flat-low"]);
    // the input is left as it was
    expect(list[0]!.id).toBe("flat-low");
  });

  it("breaks full ties by system, component and model, so the list does not jump between refreshes", () => {
    const a = item("a", 100, 0.5, { system: "LIS-02", component: "uvsensor-1" });
    const b = item("b", 100, 0.5, { system: "NBG-03", component: "filter-1" });
    const c = item("c", 100, 0.5, { system: "NBG-03", component: "filter-2" });
    expect(sortByUrgency([c, b, a]).map((p) => p.id)).toEqual(["a", "b", "c"]);
    expect(byUrgency(a, a)).toBe(0);
  });

  it("ranks a failure risk at or above its model's threshold with the trends at high risk, below the past-limit ones", () => {
    const list = [
      item("flat-high", null, 0.6),
      risk("pump-below", 0.15, 0.3),
      item("ten-days", 240, 0.5),
      risk("pump-at", 0.3, 0.3),
      item("two-days-high", 48, 0.9),
      item("past", 0, 1),
      risk("pump-above", 0.45, 0.3),
      item("flat-very-high", null, 0.85),
    ];
    // acting tier: trends by remaining life first; then, without one, by risk relative to the model's threshold (0.45/0.3 > 0.85/0.8 > 0.3/0.3)
    expect(sortByUrgency(list).map((p) => p.id)).toEqual(["past", "two-days-high", "pump-above", "flat-very-high", "pump-at", "ten-days", "flat-high", "pump-below"]);
  });

  it("compares risks below the threshold relative to their model's threshold too", () => {
    // 0.25 of 0.3 is nearer action than 0.6 of 0.8
    expect(sortByUrgency([item("trend", null, 0.6), risk("pump", 0.25, 0.3)]).map((p) => p.id)).toEqual(["pump", "trend"]);
    expect(sortByUrgency([item("trend", null, 0.7), risk("pump", 0.25, 0.3)]).map((p) => p.id)).toEqual(["trend", "pump"]);
  });

  it("acts from the failure-risk model's own threshold, from the trends' 80 % otherwise", () => {
    expect(actionRisk({ kind: "failure_risk", threshold: 0.33 })).toBe(0.33);
    expect(actionRisk({ kind: "degradation", threshold: null })).toBe(0.8);
    // a risk row without a stored threshold (written by hand, or older) falls back rather than acting from 0
    expect(actionRisk({ kind: "failure_risk", threshold: null })).toBe(0.8);
    expect(actionRisk({ kind: "failure_risk", threshold: 0 })).toBe(0.8);
  });

  it("knows a remaining life of 0 as past the limit", () => {
    expect(isPastLimit({ rulHours: 0 })).toBe(true);
    expect(isPastLimit({ rulHours: 0.5 })).toBe(false);
    expect(isPastLimit({ rulHours: null })).toBe(false);
  });
});

describe("risk", () => {
  it("is a whole percentage that never rounds a small risk to 0 or a near-certain one to 100", () => {
    expect(riskPercent(0.834)).toBe(83);
    expect(riskPercent(0)).toBe(0);
    expect(riskPercent(0.004)).toBe(1);
    expect(riskPercent(0.996)).toBe(99);
    expect(riskPercent(1)).toBe(100);
    expect(riskPercent(1.2)).toBe(100);
    expect(riskPercent(Number.NaN)).toBe(0);
  });

  it("turns red at the models' 80 % threshold, amber from 40 %", () => {
    expect([0.8, 0.79, 0.4, 0.39, 0].map((s) => riskTone(s))).toEqual(["high", "elevated", "elevated", "low", "low"]);
  });

  it("turns red at a failure-risk model's own threshold, amber from half of it", () => {
    expect([0.3, 0.29, 0.15, 0.14].map((s) => riskTone(s, 0.3))).toEqual(["high", "elevated", "elevated", "low"]);
  });

  it("names the horizon", () => {
    expect(riskLabel(336)).toBe("Risk within 14 days");
    expect(riskLabel(504)).toBe("Risk within 21 days");
    expect(riskLabel(24)).toBe("Risk within 24 hours");
    expect(riskLabel(null)).toBe("Risk");
    expect(riskLabel(168, "Failure risk")).toBe("Failure risk within 7 days");
    expect(riskLabel(null, "Failure risk")).toBe("Failure risk");
  });
});

describe("remainingLifeText", () => {
  it("says days with the range from two days on, hours below", () => {
    expect(remainingLifeText(9 * 24, 7 * 24, 12 * 24)).toBe("about 9 days (7–12)");
    expect(remainingLifeText(9.4 * 24, 6.6 * 24, 12.2 * 24)).toBe("about 9 days (7–12)");
    expect(remainingLifeText(20, 14, 31)).toBe("about 20 hours (14–31)");
    expect(remainingLifeText(47, 30, 70)).toBe("about 47 hours (30–70)");
    expect(remainingLifeText(48, 30, 70)).toBe("about 2 days (1–3)");
  });

  it("leaves out a range that rounds to one number, and says 'or more' when the slow end never gets there", () => {
    expect(remainingLifeText(5 * 24, 5 * 24 - 2, 5 * 24 + 3)).toBe("about 5 days");
    expect(remainingLifeText(5 * 24, 3 * 24, null)).toBe("about 5 days (3 or more)");
    expect(remainingLifeText(5 * 24, null, null)).toBe("about 5 days");
    expect(remainingLifeText(0.3, 0.1, 0.6)).toBe("about 1 hour (0–1)");
  });

  it("says when the limit is passed or not approached", () => {
    expect(remainingLifeText(0, 0, 0)).toBe("already past the limit");
    expect(remainingLifeText(null, 200, null)).toBe("not heading to the limit");
  });
});

describe("actionLine", () => {
  const now = Date.UTC(2025, 2, 10, 12);
  const fmt = (d: Date) => d.toISOString().slice(0, 10);
  const wo = (status: "requested" | "open" | "in_progress") => ({ id: "wo-1", number: 123, status });

  it("points at the order waiting for approval, or already open", () => {
    const waiting = actionLine({ action: "awaiting_approval", workOrder: wo("requested"), cooldownUntil: null }, now, fmt)!;
    expect(actionLineText(waiting)).toBe("Waiting for a manager's approval → WO-123");
    expect(waiting).toMatchObject({ tone: "approval", order: { id: "wo-1", label: "WO-123" } });
    expect(actionLineText(actionLine({ action: "deduplicated", workOrder: wo("open"), cooldownUntil: null }, now, fmt)!)).toBe("Order WO-123 already open");
    // approved since the prediction opened it
    expect(actionLineText(actionLine({ action: "awaiting_approval", workOrder: wo("in_progress"), cooldownUntil: null }, now, fmt)!)).toBe("Order WO-123 already open");
    // a later run that found the order still waiting says so
    expect(actionLineText(actionLine({ action: "deduplicated", workOrder: wo("requested"), cooldownUntil: null }, now, fmt)!)).toBe("Waiting for a manager's approval → WO-123");
  });

  it("gives the end of the cooldown after a dismissal, and says when it is over", () => {
    const cooling = actionLine({ action: "cooling_down", workOrder: null, cooldownUntil: new Date(now + 3 * DAY) }, now, fmt)!;
    expect(actionLineText(cooling)).toBe("Dismissed recently: no new order until 2025-03-13");
    expect(cooling.order).toBeNull();
    expect(actionLineText(actionLine({ action: "cooling_down", workOrder: null, cooldownUntil: new Date(now - HOUR) }, now, fmt)!)).toBe(
      "Dismissed earlier: the next hourly run may propose a new order",
    );
    expect(actionLineText(actionLine({ action: "cooling_down", workOrder: null, cooldownUntil: null }, now, fmt)!)).toBe("Dismissed recently: no new order for now");
  });

  it("says nothing when nothing was done, or the order is no longer open", () => {
    expect(actionLine({ action: "none", workOrder: null, cooldownUntil: null }, now, fmt)).toBeNull();
    expect(actionLine({ action: "awaiting_approval", workOrder: null, cooldownUntil: null }, now, fmt)).toBeNull();
    expect(actionLine({ action: "deduplicated", workOrder: null, cooldownUntil: null }, now, fmt)).toBeNull();
  });
});

describe("Score now", () => {
  it("shows the number of systems it scores, or the one of the filter", () => {
    expect(scoringText(14, null)).toBe("Scoring 14 systems…");
    expect(scoringText(1, null)).toBe("Scoring 1 system…");
    expect(scoringText(14, "NBG-03")).toBe("Scoring NBG-03…");
  });

  const result = (over: Partial<PredictionRunSummary>): PredictionRunSummary => ({ scored: 0, skipped: [], actions: {}, workOrders: [], failed: [], ...over });
  const skip = (system: string, reason: string) => ({ system, component: "filter-1", model: "filter-dp-trend@1", reason });

  it("sums up in one line: scored, orders opened, the first reasons for skipping", () => {
    const r = result({
      scored: 12,
      actions: { awaiting_approval: 2, none: 10 },
      workOrders: [
        { id: "a", number: 41, system: "NBG-03", component: "filter-1", model: "filter-dp-trend@1" },
        { id: "b", number: 42, system: "LIS-02", component: "uvsensor-1", model: "uv-intensity-trend@1" },
      ],
      skipped: [skip("AAA-01", "only 10 usable hourly values; 24 are needed for a trend"), skip("BBB-01", "no flow_rate series"), skip("CCC-01", "x")],
    });
    expect(runSummaryText(r)).toBe(
      "Scored 12 · 2 orders opened (WO-41, WO-42) · 3 skipped: AAA-01 filter-1: only 10 usable hourly values; 24 are needed for a trend; BBB-01 filter-1: no flow_rate series and 1 more",
    );
  });

  it("names failures and says when nothing could be scored", () => {
    expect(runSummaryText(result({ scored: 3, failed: [{ system: "NBG-03", component: "uvsensor-1", model: "uv-intensity-trend@1", message: "limit must be a finite number" }] }))).toBe(
      "Scored 3 · no new orders · 1 failed: NBG-03 uvsensor-1: limit must be a finite number",
    );
    expect(runSummaryText(result({}))).toBe("Scored 0 · no new orders · no component has the watched series yet");
    expect(runSummaryText(result({ scored: 1, workOrders: [{ id: "a", number: 7, system: "S", component: "c", model: "m" }] }))).toBe("Scored 1 · 1 order opened (WO-7)");
  });
});
