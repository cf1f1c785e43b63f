import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "@/server/maintenance/history/get-component-timeline";
import { eventTone, formatDuration } from "./timeline-format";

const wo = (type: "corrective" | "preventive", failureMode: { code: string; name: string } | null): TimelineEvent => ({
  kind: "work_order", id: "w", number: 1, title: "t", type, status: "done", priority: "medium", at: new Date(0), end: null, failureMode, downtime: null,
});

describe("timeline format", () => {
  it("tells failures from other work and alerts", () => {
    expect(eventTone(wo("corrective", { code: "VIB", name: "Vibration" }))).toBe("failure");
    expect(eventTone(wo("corrective", null))).toBe("work");
    expect(eventTone(wo("preventive", null))).toBe("work");
    expect(eventTone({ kind: "alert", id: "a", severity: "major", state: "cleared", message: "m", at: new Date(0), end: null })).toBe("alert");
  });

  it("writes durations", () => {
    expect(formatDuration(45 * 60_000)).toBe("45 min");
    expect(formatDuration(5.5 * 3_600_000)).toBe("5.5 h");
    expect(formatDuration((3 * 24 + 4) * 3_600_000)).toBe("3 d 4 h");
    expect(formatDuration(48 * 3_600_000)).toBe("2 d");
    expect(formatDuration(-1)).toBe("—");
  });
});
