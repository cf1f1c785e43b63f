import { describe, expect, it } from "vitest";
import { solveHydraulics, unitParamsFromTwin } from "@/lib/physics";
import { DEMO_MODELS } from "./demo-fleet";

describe("demo models", () => {
  it("each pump reaches its validated maximum flow at full speed through clean filters, with no more than 30 % to spare", () => {
    for (const m of DEMO_MODELS) {
      const max = m.limits.find((l) => l.metricKey === "flow_rate")!.max!;
      const flow = solveHydraulics(unitParamsFromTwin(m.twin), { speed: 1, waterTempC: 15, uvtPct: 90 }).flowM3h!;
      expect(flow, m.code).toBeGreaterThanOrEqual(max);
      expect(flow, m.code).toBeLessThanOrEqual(1.3 * max);
    }
  });
});
