import { describe, expect, it } from "vitest";
import {
  dueDateFromInput,
  dueText,
  formatBytes,
  formatMinutes,
  formatQuantity,
  fromLocalInputValue,
  statusButtons,
  statusLabel,
  toLocalInputValue,
  transitionsAfterPending,
  woLabel,
} from "./format";

describe("work-order formatting", () => {
  it("writes durations in hours and minutes", () => {
    expect(formatMinutes(0)).toBe("0 min");
    expect(formatMinutes(15)).toBe("15 min");
    expect(formatMinutes(60)).toBe("1 h");
    expect(formatMinutes(90)).toBe("1 h 30 min");
    expect(formatMinutes(125)).toBe("2 h 5 min");
    expect(formatMinutes(1440)).toBe("24 h");
  });

  it("writes numbers, quantities and sizes", () => {
    expect(woLabel(1042)).toBe("WO-1042");
    expect(formatQuantity(2, "ea")).toBe("2 ea");
    expect(formatQuantity(1.25, "kg")).toBe("1.25 kg");
    expect(formatBytes(900)).toBe("900 B");
    expect(formatBytes(2048)).toBe("2 KB");
    expect(formatBytes(3.5 * 1024 * 1024)).toBe("3.5 MB");
    expect(statusLabel("in_progress")).toBe("In progress");
    expect(statusLabel("weird_one")).toBe("weird one");
  });

  it("says how far the due date is", () => {
    const now = new Date(2026, 2, 10, 12, 0).getTime();
    expect(dueText(null, now)).toBe("no due date");
    expect(dueText(new Date(now + 3 * 86_400_000), now)).toBe("due in 3 d");
    expect(dueText(new Date(now + 5 * 3_600_000), now)).toBe("due in 5 h");
    expect(dueText(new Date(now + 20 * 60_000), now)).toBe("due in 20 min");
    expect(dueText(new Date(now - 2 * 86_400_000), now, "open")).toBe("overdue by 2 d");
    expect(dueText(new Date(now - 2 * 86_400_000), now, "done")).toBe("was due 2 d ago");
  });

  it("offers the status buttons the server allows, in working order", () => {
    expect(statusButtons("open", ["in_progress", "on_hold", "cancelled", "done"]).map((b) => [b.label, b.action, b.primary])).toEqual([
      ["Start work", "setStatus", true],
      ["Close out…", "close", false],
      ["Put on hold", "setStatus", false],
      ["Cancel order", "setStatus", false],
    ]);
    expect(statusButtons("on_hold", ["in_progress", "open"]).map((b) => b.label)).toEqual(["Resume work", "Back to open"]);
    expect(statusButtons("requested", ["open", "cancelled"]).map((b) => b.label)).toEqual(["Accept (open)", "Cancel order"]);
    expect(statusButtons("done", ["open"]).map((b) => [b.label, b.action])).toEqual([["Reopen…", "reopen"]]);
    expect(statusButtons("in_progress", []).length).toBe(0);
    expect(statusButtons("open", ["cancelled"])[0]!.confirm).toMatch(/Cancel this work order/);
  });

  it("knows the next moves after a status change still waiting to be sent", () => {
    expect(transitionsAfterPending("in_progress", true)).toEqual(["on_hold", "open", "cancelled", "done"]);
    expect(transitionsAfterPending("in_progress", false)).toEqual(["on_hold", "open", "cancelled"]);
    expect(transitionsAfterPending("cancelled", true)).toEqual([]);
    expect(transitionsAfterPending("requested", true)).toEqual(["open", "cancelled"]);
  });

  it("converts datetime-local values both ways in local time", () => {
    const d = new Date(2026, 0, 5, 7, 9);
    expect(toLocalInputValue(d)).toBe("2026-01-05T07:09");
    expect(fromLocalInputValue("2026-01-05T07:09")!.getTime()).toBe(d.getTime());
    expect(fromLocalInputValue("")).toBeNull();
    expect(fromLocalInputValue("2026-02-30T10:00")).toBeNull();
    expect(fromLocalInputValue("yesterday")).toBeNull();
  });

  it("reads a due day as the end of that day", () => {
    expect(dueDateFromInput("2026-03-14")!.getTime()).toBe(new Date(2026, 2, 14, 23, 59).getTime());
    expect(dueDateFromInput("2026-13-01")).toBeNull();
    expect(dueDateFromInput("")).toBeNull();
  });
});
