import { describe, expect, it } from "vitest";
import { bandPath, formatEstimate, formatHours, formatPercent, linePath, niceTicks, scale } from "./chart-math";

describe("reliability chart helpers", () => {
  it("picks round ticks", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 9000, 4)).toEqual([0, 2000, 4000, 6000, 8000]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it("maps a domain to pixels, and builds paths", () => {
    const y = scale([0, 1], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(0.25)).toBe(75);
    expect(linePath([[0, 1], [2.04, 3.06]])).toBe("M0.0,1.0L2.0,3.1");
    expect(bandPath([[0, 0], [1, 0]], [[0, 2], [1, 2]])).toBe("M0.0,0.0L1.0,0.0L1.0,2.0L0.0,2.0Z");
  });

  it("writes hours, percentages and estimates", () => {
    expect(formatHours(7.49)).toBe("7.5 h");
    expect(formatHours(36)).toBe("36 h");
    expect(formatHours(3992)).toBe("166 d");
    expect(formatHours(24 * 365.25 * 2.3)).toBe("2.3 y");
    expect(formatHours(null)).toBe("—");
    expect(formatPercent(0.998)).toBe("99.80 %");
    expect(formatPercent(0.5)).toBe("50.0 %");
    expect(formatEstimate(1.65187, [0.7741, 3.5259], 2)).toBe("1.65 (0.77–3.53)");
    expect(formatEstimate(3252.06, null, 0)).toBe("3,252");
  });
});
