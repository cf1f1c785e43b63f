// predictions.trend against the real database: the chart of a prediction shows exactly the hourly
// values the job fitted (readings written through the real telemetry store, runPredictions run, the
// stored fit reproduced from the values the procedure returns), as of the prediction's time even when
// newer readings exist; the fitted line from the window's start to the crossing (a curve for the log
// trend of filter ΔP, a straight line for UV) or to the horizon; other organisations' predictions are
// not found. Also what predictions.latest adds for the page: the remaining life's range and, after a
// dismissal, when the cooldown ends.
import { describe, expect, it } from "vitest";
import { setWorkOrderStatus } from "../../src/server/maintenance/work-orders/set-work-order-status";
import { runPredictions } from "../../src/server/predictions/run-predictions";
import { forecastCrossing } from "../../src/server/predictions/trend/forecast";
import { DEGRADATION_SPECS } from "../../src/server/predictions/trend/specs";
import { callerAs, makeOrg, testDb, uid, type TestOrg, errorOf } from "./helpers";
import { clogging, dailyFlow, DAY, HOUR, noise, thisHour, writeHours } from "./prediction-fixtures";

const db = testDb();
const specOf = (key: string) => DEGRADATION_SPECS.find((s) => s.key === key)!;

interface Fixture {
  org: TestOrg;
  code: string;
  systemId: string;
  ids: Record<string, string>;
}

/** A system with a filter, a UV sensor, the pump of makeOrg, a flow meter and a temperature probe; validated max flow 10 m³/h, UV setpoint 45 W/m². */
async function fixture(): Promise<Fixture> {
  const org = await makeOrg(db, { systems: 1 });
  const code = org.systemCodes[0]!;
  const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code }, include: { components: true } });
  const ids: Record<string, string> = { "pump-1": system.components.find((c) => c.code === "pump-1")!.id };
  for (const [c, type] of [["filter-1", "filter"], ["uvsensor-1", "uv_sensor"], ["ft-1", "sensor"], ["tt-1", "sensor"]] as const) {
    ids[c] = (await db.component.create({ data: { systemId: system.id, code: c, type, name: c } })).id;
  }
  await db.operatingLimit.create({ data: { systemId: system.id, metricKey: "flow_rate", max: 10, source: "validation report" } });
  await db.operatingLimit.create({ data: { systemId: system.id, metricKey: "uv_intensity", min: 45, source: "validation report" } });
  return { org, code, systemId: system.id, ids };
}

const predictionOf = (f: Fixture, modelKey: string) =>
  db.prediction.findFirstOrThrow({ where: { organizationId: f.org.organizationId, model: { key: modelKey } }, orderBy: { createdAt: "desc" } });

interface StoredInputs {
  points: number;
  level: number;
  slopePerDay: number;
  slopeLowPerDay: number;
  slopeHighPerDay: number;
  limit: number;
  window: { from: string; to: string };
  rulLowHours: number | null;
  rulHighHours: number | null;
}

describe("predictions.trend", () => {
  it("returns the hourly values the job fitted, as of the prediction's time, with the fitted log curve up to 1 bar", async () => {
    const f = await fixture();
    const end = thisHour();
    // scored a day ago; the readings go on to this hour, and the chart must not take the newer ones
    const scoredAt = new Date(end.getTime() - DAY);
    await writeHours(f, end, 15 * 24, clogging(scoredAt, 5));
    const run = await runPredictions(db, scoredAt, { organizationId: f.org.organizationId });
    expect(run.failed).toEqual([]);
    expect(run.scored).toBe(1);
    const p = await predictionOf(f, "filter-dp-trend");
    const inputs = p.inputs as unknown as StoredInputs;

    const trend = await callerAs(db, f.org.users.viewer).predictions.trend({ predictionId: p.id });
    expect(trend).toMatchObject({
      predictionId: p.id,
      metricName: "Filter differential pressure (normalised to 8 m³/h, 20 °C)",
      unit: "bar",
      limit: 1,
      scoredAt: scoredAt.getTime(),
      note: null,
    });
    // the same hours (14 days less the two a day the flow stood still), none after the scoring time
    expect(trend.samples).toHaveLength(inputs.points);
    expect(inputs.points).toBe(14 * 22);
    expect(trend.samples[0]!.t).toBeGreaterThanOrEqual(Date.parse(inputs.window.from));
    // the last hour before the scoring time in which water flowed (the pump stands still 02:00–04:00 UTC)
    let lastFlowing = scoredAt.getTime() - HOUR;
    while (dailyFlow(lastFlowing) === 0) lastFlowing -= HOUR;
    expect(trend.samples.at(-1)!.t).toBe(lastFlowing);
    // the same values: fitting them again gives the stored fit to the last bit
    const spec = specOf("filter-dp-trend");
    const again = forecastCrossing(trend.samples, { limit: 1, direction: spec.direction, now: scoredAt.getTime(), horizonHours: spec.horizonHours, transform: spec.transform });
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect({ points: again.points, level: again.level, slopePerDay: again.slopePerDay, slopeLowPerDay: again.slopeLowPerDay, slopeHighPerDay: again.slopeHighPerDay }).toEqual({
      points: inputs.points,
      level: inputs.level,
      slopePerDay: inputs.slopePerDay,
      slopeLowPerDay: inputs.slopeLowPerDay,
      slopeHighPerDay: inputs.slopeHighPerDay,
    });
    expect(again.rulHours).toBe(p.rulHours);

    // the fitted curve: from the window's start to the crossing (about 5 days on), through the level at the scoring time
    expect(p.rulHours).not.toBeNull();
    expect(trend.fitted).toHaveLength(21);
    expect(trend.fitted[0]!.t).toBe(Date.parse(inputs.window.from));
    expect(trend.fitted.at(-1)!.t).toBe(scoredAt.getTime() + p.rulHours! * HOUR);
    expect(trend.fitted.at(-1)!.v).toBeCloseTo(1, 9);
    const ts = trend.fitted.map((x) => x.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // a curve, not a line: each step rises more than the one before (exponential growth)
    const steps = trend.fitted.slice(1).map((x, i) => x.v - trend.fitted[i]!.v);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1]!)).toBe(true);
    // and it is the stored level at the scoring time: level·e^(b·d) with b = slope/level
    const b = inputs.slopePerDay / inputs.level;
    const first = trend.fitted[0]!;
    expect(first.v).toBeCloseTo(inputs.level * Math.exp((b * (first.t - scoredAt.getTime())) / DAY), 12);
  });

  it("draws a straight line to the UV setpoint, and a flat vibration trend out to the model's horizon", async () => {
    const f = await fixture();
    const now = thisHour();
    // 54 W/m² now, falling 1.5 W/m² a day: 45 in 6 days; vibration flat at 2 mm/s
    await writeHours(f, now, 14 * 24, [
      { metric: "flow_rate", component: null, value: dailyFlow },
      { metric: "uv_intensity", component: "uvsensor-1", value: (t, i) => (dailyFlow(t) === 0 ? 3 : 54 - 1.5 * ((t - now.getTime()) / DAY) + 0.3 * noise(i)) },
      { metric: "pump_speed", component: "pump-1", value: (t) => (dailyFlow(t) === 0 ? 0 : 80) },
      { metric: "vibration", component: "pump-1", value: (t, i) => (dailyFlow(t) === 0 ? 0.02 : 2 + 0.1 * noise(i + 7)) },
    ]);
    const run = await runPredictions(db, now, { organizationId: f.org.organizationId });
    expect(run.failed).toEqual([]);
    const caller = callerAs(db, f.org.users.viewer);

    const uv = await predictionOf(f, "uv-intensity-trend");
    const uvInputs = uv.inputs as unknown as StoredInputs;
    const uvTrend = await caller.predictions.trend({ predictionId: uv.id });
    expect(uvTrend).toMatchObject({ metricName: "UV intensity", unit: "W/m2", limit: 45, note: null });
    expect(uvTrend.samples).toHaveLength(uvInputs.points);
    // only the hours with water flowing (the 3 W/m² of the stopped hours are not part of it)
    expect(Math.min(...uvTrend.samples.map((s) => s.v))).toBeGreaterThan(50);
    expect(uvTrend.fitted).toHaveLength(2);
    expect(uvTrend.fitted[0]).toEqual({ t: now.getTime() - 14 * DAY, v: uvInputs.level + uvInputs.slopePerDay * -14 });
    expect(uvTrend.fitted[1]!.t).toBe(now.getTime() + uv.rulHours! * HOUR);
    expect(uvTrend.fitted[1]!.v).toBeCloseTo(45, 9);

    const pump = await predictionOf(f, "pump-vibration-trend");
    expect(pump.rulHours).toBeNull();
    const pumpTrend = await caller.predictions.trend({ predictionId: pump.id });
    expect(pumpTrend).toMatchObject({ metricName: "Vibration (RMS velocity)", unit: "mm/s", limit: 4.5 });
    expect(pumpTrend.samples.length).toBe((pump.inputs as unknown as StoredInputs).points);
    // not heading to the limit: the line runs to the model's 21-day horizon
    expect(pumpTrend.fitted.map((x) => x.t)).toEqual([now.getTime() - 14 * DAY, now.getTime() + 21 * DAY]);
  });

  it("is not found for another organisation's prediction or a made-up id, and refuses the signed-out", async () => {
    const f = await fixture();
    const other = await makeOrg(db, { systems: 1 });
    const now = thisHour();
    await writeHours(f, now, 14 * 24, clogging(now, 5));
    await runPredictions(db, now, { organizationId: f.org.organizationId });
    const p = await predictionOf(f, "filter-dp-trend");

    for (const role of ["viewer", "manager", "admin"] as const) {
      const err = await errorOf(callerAs(db, other.users[role]).predictions.trend({ predictionId: p.id }));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toBe(`Prediction "${p.id}" was not found`);
    }
    const madeUp = `nope-${uid()}`;
    expect((await errorOf(callerAs(db, f.org.users.viewer).predictions.trend({ predictionId: madeUp }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerAs(db, f.org.users.viewer).predictions.trend({ predictionId: "  " }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(callerAs(db, null).predictions.trend({ predictionId: p.id }))).code).toBe("UNAUTHORIZED");
    // its own organisation's technician sees it
    expect((await callerAs(db, f.org.users.technician).predictions.trend({ predictionId: p.id })).samples.length).toBeGreaterThan(0);
  });
});

describe("predictions.latest for the Predictions page", () => {
  it("carries the remaining life's range and, after a dismissal, when the model's cooldown ends", async () => {
    const f = await fixture();
    const now = thisHour();
    await writeHours(f, now, 14 * 24, clogging(now, 5));
    await runPredictions(db, now, { organizationId: f.org.organizationId });
    const caller = callerAs(db, f.org.users.manager);

    const [first] = await caller.predictions.latest({ systemCode: f.code });
    const stored = (await predictionOf(f, "filter-dp-trend")).inputs as unknown as StoredInputs;
    expect(first).toMatchObject({ action: "awaiting_approval", rulLowHours: stored.rulLowHours, rulHighHours: stored.rulHighHours, cooldownUntil: null });
    expect(first!.rulLowHours).toBeLessThanOrEqual(first!.rulHours!);
    expect(first!.workOrder).not.toBeNull();

    await setWorkOrderStatus(db, f.org.users.manager, { id: first!.workOrder!.id, status: "cancelled", note: `gauge replaced ${uid()}` });
    const dismissal = await db.workOrderStatusChange.findFirstOrThrow({ where: { workOrderId: first!.workOrder!.id, toStatus: "cancelled" } });
    await runPredictions(db, now, { organizationId: f.org.organizationId });
    const [second] = await caller.predictions.latest({ systemCode: f.code });
    expect(second).toMatchObject({ action: "cooling_down", workOrder: null });
    // the filter model waits 7 days after a dismissal
    expect(second!.cooldownUntil).toEqual(new Date(dismissal.at.getTime() + 7 * DAY));
  });
});
