import { describe, expect, it } from "vitest";
import { CLOCK_MARGIN_MS, missedCriticals, type ListedAlert } from "./missed-criticals";

const at = (ms: number) => new Date(ms);
const alert = (id: string, over: Partial<ListedAlert> = {}): ListedAlert => ({
  id,
  severity: "critical",
  state: "active_unacknowledged",
  isCompliance: true,
  message: "UV intensity below validated setpoint",
  raisedAt: at(100_000),
  system: { code: "NBG-01" },
  ...over,
});

describe("missedCriticals", () => {
  it("cues active unacknowledged criticals raised since the feed was last listening", () => {
    expect(missedCriticals([alert("a")], 100_000, new Set())).toEqual([
      { alertId: "a", systemCode: "NBG-01", isCompliance: true, message: "UV intensity below validated setpoint" },
    ]);
  });

  it("leaves out what is older, acknowledged, cleared, less than critical or already cued", () => {
    const items = [
      alert("old", { raisedAt: at(100_000 - CLOCK_MARGIN_MS - 1) }),
      alert("acked", { state: "active_acknowledged" }),
      alert("cleared", { state: "cleared_unacknowledged" }),
      alert("major", { severity: "major" }),
      alert("cued"),
      alert("new", { raisedAt: at(100_000 - CLOCK_MARGIN_MS) }),
    ];
    expect(missedCriticals(items, 100_000, new Set(["cued"])).map((m) => m.alertId)).toEqual(["new"]);
  });
});
