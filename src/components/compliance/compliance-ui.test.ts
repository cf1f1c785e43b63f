import { describe, expect, it } from "vitest";
import { offSpecColumns } from "./chart-data";
import { duration, monitoringNote, percent, shareBarWidth, volume } from "./format";
import { csvHref, pageHref, parsePageState, pickerMonth, shiftMonth } from "./page-state";

describe("compliance page state", () => {
  it("reads month and system from the URL, ignoring what is not valid", () => {
    expect(parsePageState({ month: "2026-03", system: "NBG-01" })).toEqual({ month: "2026-03", system: "NBG-01" });
    expect(parsePageState({ month: "2026-13", system: "../etc" })).toEqual({ month: null, system: null });
    expect(parsePageState({ month: ["2026-02", "2026-03"] })).toEqual({ month: "2026-02", system: null });
    expect(pageHref({ month: "2026-03", system: "NBG-01" })).toBe("/compliance?month=2026-03&system=NBG-01");
    expect(pageHref({ month: "2026-03", system: "NBG-01" }, { system: null })).toBe("/compliance?month=2026-03");
    expect(pageHref({ month: null, system: null })).toBe("/compliance");
    expect(csvHref("NBG-01", "2026-03")).toBe("/api/compliance/NBG-01/2026-03.csv");
  });

  it("shows the month most sites are in when none is asked for", () => {
    const now = new Date("2026-12-31T22:30:00Z");
    expect(pickerMonth({ month: null, system: null }, ["2026-12", "2027-01", "2026-12"], now)).toBe("2026-12");
    expect(pickerMonth({ month: "2026-05", system: null }, ["2026-12"], now)).toBe("2026-05");
    expect(pickerMonth({ month: null, system: null }, [], now)).toBe("2026-12");
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
  });
});

describe("compliance formatting", () => {
  it("scales the share bar so 5 % sits in the middle of its track", () => {
    expect(shareBarWidth(5)).toBe(50);
    expect(shareBarWidth(2.5)).toBe(25);
    expect(shareBarWidth(12)).toBe(100);
    expect(shareBarWidth(0.01)).toBe(1);
    expect(shareBarWidth(0)).toBe(0);
    expect(shareBarWidth(null)).toBe(0);
  });

  it("writes volumes, shares and durations", () => {
    expect(volume(0.1)).toBe("0.100 m³");
    expect(volume(138.4667)).toBe("138.5 m³");
    expect(volume(null)).toBe("—");
    expect(percent(4.996)).toBe("5.00 %");
    expect(percent(4.994)).toBe("4.99 %");
    expect(duration(45)).toBe("45 min");
    expect(duration(125)).toBe("2 h 05 min");
    expect(duration(null)).toBe("ongoing");
  });
});

describe("monitoring note", () => {
  it("says from when EcoMate monitors a unit, only for months that began before", () => {
    expect(monitoringNote("2026-11", "2026-11-01")).toBeNull();
    expect(monitoringNote("2026-12", "2026-11-28")).toBeNull();
    expect(monitoringNote("2026-11", "2026-11-28")).toBe(
      "Monitored by EcoMate since 28 November 2026: earlier days of the month are not judged here unless their history was backfilled.",
    );
    expect(monitoringNote("2026-03", "2026-11-28")).toBe("Monitored by EcoMate since 28 November 2026: only days whose history was backfilled are listed for March 2026.");
  });
});

describe("month chart columns", () => {
  it("accumulate off-spec volume against 5 % of the water delivered so far", () => {
    const c = offSpecColumns([
      { t: 1_000_000, volumeM3: 100, offSpecVolumeM3: 2 },
      { t: 2_000_000, volumeM3: null, offSpecVolumeM3: null },
      { t: 3_000_000, volumeM3: 300, offSpecVolumeM3: 20 },
    ]);
    expect(c).toEqual({ t: [1000, 2000, 3000], daily: [2, null, 20], cumulative: [2, 2, 22], budget: [5, 5, 20] });
  });
});
