import { describe, expect, it } from "vitest";
import { componentLives } from "./lives";

const H = 3_600_000;

describe("componentLives", () => {
  it("measures lives from installation and from the end of each repair; the time since is censored", () => {
    const out = componentLives({
      installedAt: 0,
      from: null,
      end: 4000 * H,
      failures: [
        { id: "b", at: 2500 * H, repair: { start: 2500 * H, end: 2506 * H } },
        { id: "a", at: 1000 * H, repair: { start: 1000 * H, end: 1010 * H } },
      ],
    });
    // 0 -> 1000 failed; 1010 -> 2500 failed; 2506 -> 4000 running
    expect(out.samples).toEqual([
      { time: 1000, failed: true },
      { time: 1490, failed: true },
      { time: 1494, failed: false },
    ]);
    expect(out.failures.map((f) => f.id)).toEqual(["a", "b"]);
    expect(out.observedHours).toBe(4000);
    expect(out.downtimeHours).toBe(16);
  });

  it("restarts the clock at the failure when the repair time is unknown, and counts only failures from `from`", () => {
    const out = componentLives({
      installedAt: 0,
      from: 1500 * H,
      end: 3000 * H,
      failures: [
        { id: "old", at: 1000 * H, repair: null },
        { id: "new", at: 2000 * H, repair: { start: 2000 * H, end: 2002 * H } },
      ],
    });
    // the failure at 1000 h is before the period but still renews the unit: the next life is 1000 h long
    expect(out.samples).toEqual([
      { time: 1000, failed: true },
      { time: 998, failed: false },
    ]);
    expect(out.failures.map((f) => f.id)).toEqual(["new"]);
    expect(out.observedHours).toBe(1500);
    expect(out.downtimeHours).toBe(2);
  });

  it("without a known start of service the first life and the observed time are unknown", () => {
    const out = componentLives({ installedAt: null, from: null, end: 500 * H, failures: [{ id: "x", at: 100 * H, repair: null }] });
    expect(out.samples).toEqual([{ time: 400, failed: false }]);
    expect(out.failures).toHaveLength(1);
    expect(out.observedHours).toBeNull();
  });
});
