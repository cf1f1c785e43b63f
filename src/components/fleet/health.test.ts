import { describe, expect, it } from "vitest";
import type { LiveAlertEvent, LiveReadingsEvent } from "@/lib/live-events";
import { applyAlert, applyReadings, OFFLINE_AFTER_MS, systemStatus, valueStatus, worstStatus, type SystemHealthState } from "./health";

const now = Date.parse("2026-11-27T10:00:00.000Z");

function state(over: Partial<SystemHealthState> = {}): SystemHealthState {
  return { lastReadingAt: now - 10_000, limits: { flow_rate: { min: 1.5, max: 12 } }, latest: {}, openAlerts: {}, ...over };
}

function readings(...r: { seriesId: number; metric: string; value: number; ts: number }[]): LiveReadingsEvent {
  return { systemId: "s1", systemCode: "NBG-01", readings: r.map((x) => ({ ...x, component: null, min: x.value, max: x.value, count: 1 })) };
}

function alert(over: Partial<LiveAlertEvent>): LiveAlertEvent {
  return { alertId: "a1", change: "raised", systemId: "s1", systemCode: "NBG-01", severity: "major", state: "active_unacknowledged", isCompliance: false, message: "", at: now, ...over };
}

describe("fleet health", () => {
  it("rates a value against its limits: outside is an alarm, within 5 % of a limit a warning", () => {
    const flow = { min: 1.5, max: 12 };
    expect(valueStatus(9, flow)).toBe("ok");
    expect(valueStatus(11.5, flow)).toBe("warning"); // above 0.95 × 12
    expect(valueStatus(12.1, flow)).toBe("alarm");
    expect(valueStatus(1.55, flow)).toBe("warning");
    expect(valueStatus(1.4, flow)).toBe("alarm");
    expect(valueStatus(0.5, { min: null, max: 1 })).toBe("ok");
    expect(valueStatus(0.01, { min: 0, max: 10 })).toBe("warning"); // a zero bound takes 5 % of the span
  });

  it("is offline when the newest reading is older than 5 minutes, whatever else", () => {
    expect(systemStatus(state({ lastReadingAt: now - OFFLINE_AFTER_MS - 1, openAlerts: { a: "critical" } }), now, true)).toBe("offline");
    expect(systemStatus(state({ lastReadingAt: null }), now, false)).toBe("offline");
    expect(systemStatus(state({ lastReadingAt: now - OFFLINE_AFTER_MS + 1000 }), now, false)).toBe("ok");
  });

  it("takes alarm / warning from open alerts and latest values until alert events arrive, then from open alerts only", () => {
    let s = applyReadings(state(), readings({ seriesId: 1, metric: "flow_rate", value: 13, ts: now - 1000 }));
    expect(s.lastReadingAt).toBe(now - 1000);
    expect(systemStatus(s, now, false)).toBe("alarm");
    expect(systemStatus(s, now, true)).toBe("ok");
    expect(systemStatus(state({ openAlerts: { x: "warning" } }), now, false)).toBe("warning");
    s = applyAlert(s, alert({ severity: "minor" }));
    expect(systemStatus(s, now, true)).toBe("warning");
    s = applyAlert(s, alert({ alertId: "a2", severity: "critical" }));
    expect(systemStatus(s, now, true)).toBe("alarm");
    s = applyAlert(s, alert({ alertId: "a2", change: "shelved", state: "active_acknowledged" }));
    s = applyAlert(s, alert({ change: "cleared", state: "cleared_unacknowledged" }));
    expect(s.openAlerts).toEqual({});
    expect(systemStatus(s, now, true)).toBe("ok");
  });

  it("ignores an older reading arriving late and metrics without a limit", () => {
    const s = applyReadings(state(), readings({ seriesId: 1, metric: "flow_rate", value: 5, ts: now }));
    const late = applyReadings(s, readings({ seriesId: 1, metric: "flow_rate", value: 50, ts: now - 5000 }, { seriesId: 2, metric: "power", value: 99, ts: now - 5000 }));
    expect(late).toBe(s);
  });

  it("ranks a site by its worst system: alarm, then offline, then warning", () => {
    expect(worstStatus([])).toBe("ok");
    expect(worstStatus(["ok", "warning", "offline"])).toBe("offline");
    expect(worstStatus(["offline", "alarm", "warning"])).toBe("alarm");
  });
});
