import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { addDays, dayBounds, dayStart, daysBetween, daysOfMonth, localDay, localMonth, monitoredSince, monitoringStart, monthBounds, parseDay, parseMonth } from "./calendar";

const H = 3_600_000;
const iso = (d: Date) => d.toISOString();

describe("site-local days", () => {
  it("start at local midnight and last 24 h on ordinary days", () => {
    const b = dayBounds("2026-03-10", "Europe/Berlin");
    expect(iso(b.start)).toBe("2026-03-09T23:00:00.000Z");
    expect(iso(b.end)).toBe("2026-03-10T23:00:00.000Z");
    const nairobi = dayBounds("2026-07-01", "Africa/Nairobi");
    expect(iso(nairobi.start)).toBe("2026-06-30T21:00:00.000Z");
    expect(nairobi.end.getTime() - nairobi.start.getTime()).toBe(24 * H);
  });

  it("last 23 h when the clocks go forward and 25 h when they go back (Europe/Berlin 2026)", () => {
    const spring = dayBounds("2026-03-29", "Europe/Berlin");
    expect(iso(spring.start)).toBe("2026-03-28T23:00:00.000Z"); // CET, +1
    expect(iso(spring.end)).toBe("2026-03-29T22:00:00.000Z"); // CEST, +2
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * H);
    const autumn = dayBounds("2026-10-25", "Europe/Berlin");
    expect(iso(autumn.start)).toBe("2026-10-24T22:00:00.000Z");
    expect(iso(autumn.end)).toBe("2026-10-25T23:00:00.000Z");
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * H);
  });

  it("start at the jump where local midnight does not exist (America/Havana springs from 00:00 to 01:00)", () => {
    const b = dayBounds("2026-03-08", "America/Havana");
    // 23:59 CST on the 7th is 04:59Z; the next minute reads 01:00 CDT on the 8th
    expect(iso(b.start)).toBe("2026-03-08T05:00:00.000Z");
    expect(iso(b.end)).toBe("2026-03-09T04:00:00.000Z");
    expect(b.end.getTime() - b.start.getTime()).toBe(23 * H);
    const back = dayBounds("2026-11-01", "America/Havana"); // 01:00 CDT -> 00:00 CST: midnight twice
    expect(iso(back.start)).toBe("2026-11-01T04:00:00.000Z");
    expect(back.end.getTime() - back.start.getTime()).toBe(25 * H);
  });

  it("name the local day of an instant on both sides of a boundary", () => {
    expect(localDay(Date.parse("2026-03-28T22:59:59.999Z"), "Europe/Berlin")).toBe("2026-03-28");
    expect(localDay(Date.parse("2026-03-28T23:00:00.000Z"), "Europe/Berlin")).toBe("2026-03-29");
    expect(localDay(new Date("2026-12-31T21:30:00Z"), "Africa/Nairobi")).toBe("2027-01-01");
    expect(localMonth(new Date("2026-12-31T21:30:00Z"), "Africa/Nairobi")).toBe("2027-01");
    expect(localMonth(new Date("2026-12-31T21:30:00Z"), "Europe/Lisbon")).toBe("2026-12");
    for (const day of ["2026-03-29", "2026-10-25", "2026-06-15"]) {
      const { start, end } = dayBounds(day, "Europe/Berlin");
      expect(localDay(start, "Europe/Berlin")).toBe(day);
      expect(localDay(end.getTime() - 1, "Europe/Berlin")).toBe(day);
      expect(localDay(start.getTime() - 1, "Europe/Berlin")).toBe(addDays(day, -1));
    }
  });

  it("does date arithmetic across months and leap years", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
    expect(daysBetween("2026-03-01", "2026-04-01")).toBe(31);
    expect(dayStart("2026-01-01", "UTC").toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("months", () => {
  it("list their days and bound them in the site's zone", () => {
    expect(daysOfMonth("2024-02")).toHaveLength(29);
    expect(daysOfMonth("2026-02").at(-1)).toBe("2026-02-28");
    const b = monthBounds("2026-03", "Europe/Berlin");
    expect(iso(b.start)).toBe("2026-02-28T23:00:00.000Z");
    expect(iso(b.end)).toBe("2026-03-31T22:00:00.000Z"); // summer time by the end of March
    expect(b.end.getTime() - b.start.getTime()).toBe((31 * 24 - 1) * H);
  });

  it("refuse strings that are not YYYY-MM, naming the format", () => {
    for (const bad of ["2026-13", "2026-3", "26-03", "2026-03-01", "", "march"]) {
      expect(() => parseMonth(bad)).toThrow(AppError);
      expect(() => parseMonth(bad)).toThrow(/YYYY-MM/);
    }
    expect(parseMonth("2026-03")).toEqual({ year: 2026, month: 3 });
    expect(() => parseDay("2026-02-30")).toThrow(/does not exist/);
    expect(() => parseDay("2026/02/03")).toThrow(/YYYY-MM-DD/);
  });
});

describe("monitoring start", () => {
  it("is the later of commissioning and registration, from the next whole minute", () => {
    const reg = new Date("2026-11-28T04:15:21.111Z");
    expect(monitoringStart({ commissionedAt: new Date("2025-01-01T00:00:00Z"), createdAt: reg })).toBe(Date.parse("2026-11-28T04:16:00Z"));
    expect(monitoringStart({ commissionedAt: new Date("2026-12-01T09:00:00Z"), createdAt: reg })).toBe(Date.parse("2026-12-01T09:00:00Z"));
    expect(monitoringStart({ commissionedAt: null, createdAt: new Date("2026-11-28T04:15:00Z") })).toBe(Date.parse("2026-11-28T04:15:00Z"));
    // registered in the last seconds of a Berlin day: monitoring (and its first day) starts the next
    expect(monitoredSince({ commissionedAt: null, createdAt: new Date("2026-11-28T22:59:30Z") }, "Europe/Berlin")).toBe("2026-11-29");
  });
});
