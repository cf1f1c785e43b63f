// The prediction run against the real database: degradation models scored on hourly rollups written by
// the real telemetry store, the governed workflow (predictive order "requested" + parts from the bill
// of materials, de-duplicated, cooled down after a dismissal, one order with two runners racing),
// flow/temperature normalisation of filter ΔP, a UV sensor's order asking for its reactor's lamps and
// sleeves, too little data, a failing component, and organisation isolation.
// Times are relative to the wall clock: a dismissal's status-history time is the real time of the cancel.
import { describe, expect, it } from "vitest";
import { setWorkOrderStatus } from "../../src/server/maintenance/work-orders/set-work-order-status";
import { runPredictions, type PredictionRunResult } from "../../src/server/predictions/run-predictions";
import { ensureDegradationModels } from "../../src/server/predictions/models";
import { actOnPrediction, degradationProposal } from "../../src/server/predictions/act-on-prediction";
import { forecastCrossing } from "../../src/server/predictions/trend/forecast";
import { DEGRADATION_SPECS } from "../../src/server/predictions/trend/specs";
import { viscosityRatio } from "../../src/lib/physics";
import { makeOrg, testDb, uid, type TestOrg } from "./helpers";
import { clogging, dailyFlow, dailyTemp, DAY, HOUR, noise, thisHour, writeHours } from "./prediction-fixtures";

const db = testDb();
const FILTER = "filter-dp-trend@1";
const UV = "uv-intensity-trend@1";
const PUMP = "pump-vibration-trend@1";
const filterSpec = DEGRADATION_SPECS.find((s) => s.key === "filter-dp-trend")!;

interface Fixture {
  org: TestOrg;
  code: string;
  systemId: string;
  ids: Record<string, string>;
  parts: Record<string, string>;
}

/**
 * A system with a filter (BOM: 4 cartridges), a UV reactor with a sensor, two lamps, a sleeve and a
 * ballast (each with a BOM line), the pump of makeOrg, a flow meter and a temperature probe.
 */
async function fixture(opts: { flowMax?: number | null; uvMin?: number | null } = {}): Promise<Fixture> {
  const org = await makeOrg(db, { systems: 1 });
  const code = org.systemCodes[0]!;
  const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code }, include: { components: true } });
  const ids: Record<string, string> = { "pump-1": system.components.find((c) => c.code === "pump-1")!.id };
  const add = async (c: string, type: "filter" | "uv_reactor" | "uv_sensor" | "lamp" | "sleeve" | "ballast" | "sensor", parent?: string) => {
    ids[c] = (await db.component.create({ data: { systemId: system.id, code: c, type, name: c, parentId: parent ? ids[parent]! : null } })).id;
  };
  await add("filter-1", "filter");
  await add("uv-1", "uv_reactor");
  await add("uvsensor-1", "uv_sensor", "uv-1");
  await add("lamp-1", "lamp", "uv-1");
  await add("lamp-2", "lamp", "uv-1");
  await add("sleeve-1", "sleeve", "uv-1");
  await add("ballast-1", "ballast", "uv-1");
  await add("ft-1", "sensor");
  await add("tt-1", "sensor");
  const parts: Record<string, string> = {};
  for (const [pn, type] of [["FC-5-20", "filter"], ["UVL-150", "lamp"], ["QS-900", "sleeve"], ["EB-150", "ballast"], ["UVS-254", "uv_sensor"]] as const) {
    parts[pn] = (await db.part.create({ data: { organizationId: org.organizationId, partNumber: pn, name: pn, componentType: type, unitCost: 10 } })).id;
  }
  const bom = (component: string, part: string, quantity: number) => db.bomItem.create({ data: { componentId: ids[component]!, partId: parts[part]!, quantity } });
  await bom("filter-1", "FC-5-20", 4);
  await bom("lamp-1", "UVL-150", 1);
  await bom("lamp-2", "UVL-150", 1);
  await bom("sleeve-1", "QS-900", 1);
  await bom("ballast-1", "EB-150", 1);
  await bom("uvsensor-1", "UVS-254", 1);
  const flowMax = opts.flowMax === undefined ? 10 : opts.flowMax;
  if (flowMax !== null) await db.operatingLimit.create({ data: { systemId: system.id, metricKey: "flow_rate", max: flowMax, source: "validation report" } });
  if (opts.uvMin != null) await db.operatingLimit.create({ data: { systemId: system.id, metricKey: "uv_intensity", min: opts.uvMin, source: "validation report" } });
  return { org, code, systemId: system.id, ids, parts };
}

const predictionsOf = (orgId: string) =>
  db.prediction.findMany({ where: { organizationId: orgId }, include: { model: true, component: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
const predictiveOrders = (orgId: string) =>
  db.workOrder.findMany({ where: { organizationId: orgId, type: "predictive" }, include: { statusHistory: true, partsRequests: true }, orderBy: { number: "asc" } });
const run = (f: Fixture, now: Date) => runPredictions(db, now, { organizationId: f.org.organizationId });

function noFailures(r: PredictionRunResult) {
  expect(r.failed).toEqual([]);
}

describe("runPredictions: filter ΔP", () => {
  it("forecasts the crossing of normalised ΔP, opens one predictive order awaiting approval with the BOM parts, then de-duplicates, cools down and opens again", async () => {
    const f = await fixture();
    const now = thisHour();
    await writeHours(f, now, 14 * 24, clogging(now, 5));

    const r1 = await run(f, now);
    noFailures(r1);
    expect(r1.skipped).toEqual([]);
    expect(r1.scored).toBe(1);
    expect(r1.actions).toEqual({ awaiting_approval: 1 });
    expect(r1.workOrders).toEqual([{ id: expect.any(String), number: expect.any(Number), system: f.code, component: "filter-1", model: FILTER }]);

    const [p] = await predictionsOf(f.org.organizationId);
    expect(p).toMatchObject({ kind: "degradation", action: "awaiting_approval", systemId: f.systemId, componentId: f.ids["filter-1"], horizonHours: 14 * 24, createdAt: now });
    expect(p!.model).toMatchObject({ key: "filter-dp-trend", version: 1, kind: "degradation", algorithm: "theil_sen_trend", status: "active" });
    // the truth: 5 days = 120 h
    expect(p!.rulHours).toBeGreaterThan(96);
    expect(p!.rulHours).toBeLessThan(144);
    expect(p!.score).toBeGreaterThanOrEqual(0.8);
    const inputs = p!.inputs as Record<string, unknown>;
    // 14 days less the two hours a day the pump stood still
    expect(inputs.points).toBe(14 * 22);
    expect(inputs).toMatchObject({
      metric: "filter_dp",
      limit: 1,
      transform: "log",
      window: { from: new Date(now.getTime() - 14 * DAY).toISOString(), to: now.toISOString() },
      normalisation: { method: "filter_dp_flow_temperature", refFlowM3h: 8, refFlowSource: "operating_limit", referenceTemperatureC: 20, hoursWithoutTemperature: 0, hoursDropped: 0 },
      running: { metric: "flow_rate", above: 0.5 },
    });
    // normalised to 8 m³/h and 20 °C, the level now is e^(−5k) of 1 bar
    const level = Math.exp((-Math.log(1 / 0.3) / 19) * 5);
    expect(inputs.level as number).toBeCloseTo(level, 1);
    const explanation = p!.explanation as { text: string; model: string };
    expect(explanation.model).toBe(FILTER);
    expect(explanation.text).toMatch(/^Filter ΔP \(normalised to 8 m³\/h, 20 °C\) 0\.\d+ bar, rising 0\.\d+ bar\/day(?: \(0\.\d+–0\.\d+\))?: reaches 1\.0 bar in about [4-6] days(?: \(\d+–\d+\))?; risk within 14 days \d+ %\.$/);

    const [wo] = await predictiveOrders(f.org.organizationId);
    expect(wo).toMatchObject({
      id: r1.workOrders[0]!.id,
      status: "requested",
      approvalStatus: "pending",
      priority: "medium",
      title: "Replace filter cartridges before ΔP reaches 1 bar (filter-1)",
      systemId: f.systemId,
      componentId: f.ids["filter-1"],
      predictionId: p!.id,
      requestedById: null,
      assigneeId: null,
      checklist: filterSpec.workOrder.checklist.map((label) => ({ label, done: false })),
    });
    expect(wo!.description).toContain(explanation.text);
    expect(wo!.description).toContain(`Model ${FILTER}, score ${p!.score.toFixed(2)}`);
    // due at the earliest likely crossing: before the fitted one
    const lowHours = inputs.rulLowHours as number;
    expect(wo!.dueAt).toEqual(new Date(now.getTime() + lowHours * 3_600_000));
    expect(lowHours).toBeLessThanOrEqual(p!.rulHours!);
    expect(wo!.statusHistory.map((h) => ({ from: h.fromStatus, to: h.toStatus, userId: h.userId }))).toEqual([{ from: null, to: "requested", userId: null }]);
    const audit = await db.auditLog.findMany({ where: { organizationId: f.org.organizationId, actorType: "system", actor: "predictions" } });
    expect(audit.map((a) => `${a.action} ${a.entityId}`).sort()).toEqual([`parts_request.create ${wo!.partsRequests[0]!.id}`, `work_order.create_from_prediction ${wo!.id}`]);
    // the filter's bill of materials: 4 cartridges for the system's site, for approval
    expect(wo!.partsRequests.map((q) => ({ part: q.partId, quantity: q.quantity.toNumber(), site: q.siteId, status: q.status, reason: q.reason, prediction: q.predictionId, by: q.requestedById }))).toEqual([
      { part: f.parts["FC-5-20"], quantity: 4, site: f.org.siteId, status: "requested", reason: explanation.text, prediction: p!.id, by: null },
    ]);

    // the next hour: the open order makes it a duplicate; nothing new is opened
    const r2 = await run(f, now);
    noFailures(r2);
    expect(r2.actions).toEqual({ deduplicated: 1 });
    expect(r2.workOrders).toEqual([]);
    expect(await predictiveOrders(f.org.organizationId)).toHaveLength(1);
    expect(await db.partsRequest.count({ where: { organizationId: f.org.organizationId } })).toBe(1);

    // a manager dismisses it: no new order for the model's cooldown (7 days)
    await setWorkOrderStatus(db, f.org.users.manager, { id: wo!.id, status: "cancelled", note: "cartridges changed last week, gauge reads high" });
    const r3 = await run(f, now);
    expect(r3.actions).toEqual({ cooling_down: 1 });
    const r4 = await run(f, new Date(now.getTime() + 6 * DAY));
    expect(r4.actions).toEqual({ cooling_down: 1 });
    expect(await predictiveOrders(f.org.organizationId)).toHaveLength(1);

    // after the cooldown the (still rising) trend opens a new order
    const later = new Date(now.getTime() + 8 * DAY);
    const r5 = await run(f, later);
    noFailures(r5);
    expect(r5.actions).toEqual({ awaiting_approval: 1 });
    const orders = await predictiveOrders(f.org.organizationId);
    expect(orders.map((o) => o.status)).toEqual(["cancelled", "requested"]);
    expect(orders[1]!.partsRequests).toHaveLength(1);
    const actions = (await predictionsOf(f.org.organizationId)).map((x) => x.action).sort();
    expect(actions).toEqual(["awaiting_approval", "awaiting_approval", "cooling_down", "cooling_down", "deduplicated"]);

    // the cartridges were changed (the order is done): the trend starts again after it, with too few hours yet
    const doneAt = new Date(now.getTime() - 10 * HOUR);
    await db.workOrder.update({ where: { id: orders[1]!.id }, data: { status: "done", completedAt: doneAt } });
    const r6 = await run(f, now);
    noFailures(r6);
    expect(r6.scored).toBe(0);
    expect(r6.skipped).toEqual([{ system: f.code, component: "filter-1", model: FILTER, reason: expect.stringMatching(/^only \d+ usable hourly values?; 24 are needed/) }]);
  });

  it("sees no clogging when ΔP rises only because the flow does (normalised to the window's median flow)", async () => {
    const f = await fixture({ flowMax: null });
    const now = thisHour();
    const start = now.getTime() - 14 * DAY;
    // flow ramps from 3 to 10 m³/h over the two weeks; the normalised ΔP stays at 0.5 bar
    const flow = (t: number) => 3 + (7 * (t - start)) / (14 * DAY);
    const dp = (t: number, i: number) => 0.5 * (flow(t) / 8) * viscosityRatio(dailyTemp(t)) * (1 + 0.02 * noise(i));
    await writeHours(f, now, 14 * 24, [
      { metric: "flow_rate", component: "ft-1", value: flow },
      { metric: "water_temperature", component: "tt-1", value: dailyTemp },
      { metric: "filter_dp", component: "filter-1", value: dp },
    ]);
    // the raw gauge alone would call for new cartridges within days
    const raw = Array.from({ length: 14 * 24 }, (_, i) => {
      const t = now.getTime() - (14 * 24 - i) * HOUR;
      return { t, v: dp(t, i) };
    });
    const rawForecast = forecastCrossing(raw, { limit: 1, direction: "rising", now: now.getTime(), horizonHours: 14 * 24, transform: "log" });
    expect(rawForecast.ok && rawForecast.riskWithinHorizon >= 0.8).toBe(true);

    const r = await run(f, now);
    noFailures(r);
    expect(r.actions).toEqual({ none: 1 });
    expect(await predictiveOrders(f.org.organizationId)).toEqual([]);
    const [p] = await predictionsOf(f.org.organizationId);
    const inputs = p!.inputs as { level: number; slopePerDay: number; normalisation: { refFlowM3h: number; refFlowSource: string } };
    expect(inputs.normalisation.refFlowSource).toBe("window_median");
    expect(inputs.normalisation.refFlowM3h).toBeCloseTo(6.5, 0);
    // 0.5 bar at 8 m³/h is 0.41 bar at the 6.5 m³/h median
    expect(inputs.level).toBeCloseTo((0.5 * 6.5) / 8, 1);
    expect(Math.abs(inputs.slopePerDay)).toBeLessThan(0.005);
    expect(p!.score).toBeLessThan(0.05);
    expect((p!.explanation as { text: string }).text).toMatch(/^Filter ΔP \(normalised to 6\.5 m³\/h, 20 °C\) 0\.4\d bar, .*risk within 14 days 0 %\.$/);
  });

  it("skips a component with too few hours, with the forecast's reason, and stores no prediction", async () => {
    const f = await fixture();
    const now = thisHour();
    await writeHours(f, now, 10, clogging(now, 5));
    const r = await run(f, now);
    noFailures(r);
    expect(r.scored).toBe(0);
    expect(r.actions).toEqual({});
    expect(r.skipped).toEqual([{ system: f.code, component: "filter-1", model: FILTER, reason: expect.stringMatching(/^only \d+ usable hourly values; 24 are needed/) }]);
    expect(await predictionsOf(f.org.organizationId)).toEqual([]);
  });
});

describe("runPredictions: UV intensity and pump vibration", () => {
  it("orders sleeve cleaning / lamps for a UV sensor falling towards the validated setpoint, and nothing for flat vibration", async () => {
    const f = await fixture({ uvMin: 45 });
    const now = thisHour();
    // 54 W/m² now, falling 1.5 W/m² a day: 45 in 6 days
    const uv = (t: number, i: number) => 54 - 1.5 * ((t - now.getTime()) / DAY) + 0.3 * noise(i);
    await writeHours(f, now, 14 * 24, [
      { metric: "flow_rate", component: null, value: dailyFlow },
      { metric: "uv_intensity", component: "uvsensor-1", value: (t, i) => (dailyFlow(t) === 0 ? 3 : uv(t, i)) },
      { metric: "pump_speed", component: "pump-1", value: (t) => (dailyFlow(t) === 0 ? 0 : 80) },
      { metric: "vibration", component: "pump-1", value: (t, i) => (dailyFlow(t) === 0 ? 0.02 : 2 + 0.1 * noise(i + 7)) },
    ]);
    const r = await run(f, now);
    noFailures(r);
    expect(r.skipped).toEqual([]);
    expect(r.actions).toEqual({ awaiting_approval: 1, none: 1 });
    expect(r.workOrders.map((w) => [w.component, w.model])).toEqual([["uvsensor-1", UV]]);

    const preds = await predictionsOf(f.org.organizationId);
    const uvP = preds.find((p) => p.model.key === "uv-intensity-trend")!;
    const pumpP = preds.find((p) => p.model.key === "pump-vibration-trend")!;
    expect(uvP).toMatchObject({ componentId: f.ids["uvsensor-1"], action: "awaiting_approval" });
    expect(uvP.rulHours).toBeGreaterThan(6 * 24 * 0.8);
    expect(uvP.rulHours).toBeLessThan(6 * 24 * 1.2);
    expect(uvP.inputs).toMatchObject({ limit: 45, limitKind: "operating_limit", transform: "linear", normalisation: null });
    expect((uvP.explanation as { text: string }).text).toMatch(/^UV intensity 5\d\.\d W\/m², falling 1\.\d+ W\/m²\/day(?: \(1\.\d+–1\.\d+\))?: reaches 45 W\/m² \(the validated setpoint\) in about [5-7] days(?: \(\d+–\d+\))?; risk within 14 days \d+ %\.$/);

    expect(pumpP).toMatchObject({ componentId: f.ids["pump-1"], action: "none", rulHours: null });
    expect(pumpP.score).toBeLessThan(0.05);
    expect(pumpP.inputs).toMatchObject({ limit: 4.5, running: { metric: "pump_speed", above: 1 } });
    // the stopped hours (0.02 mm/s) are not part of the trend
    expect((pumpP.inputs as { level: number }).level).toBeCloseTo(2, 1);
    expect((pumpP.explanation as { text: string }).text).toContain("not heading for 4.5 mm/s at this rate");

    const [wo] = await predictiveOrders(f.org.organizationId);
    expect(wo).toMatchObject({
      status: "requested",
      priority: "high",
      componentId: f.ids["uvsensor-1"],
      title: "Clean the quartz sleeve or replace the UV lamp before intensity falls below the validated setpoint (uvsensor-1)",
      predictionId: uvP.id,
    });
    // the reactor's lamps (one part, two lamps) and its sleeve; not the ballast nor the sensor itself
    const requested = wo!.partsRequests.map((q) => [q.partId, q.quantity.toNumber()]).sort();
    expect(requested).toEqual(
      [
        [f.parts["UVL-150"], 2],
        [f.parts["QS-900"], 1],
      ].sort(),
    );
  });

  it("lists a component whose forecast fails and still scores the others", async () => {
    const f = await fixture({ uvMin: 45 });
    const now = thisHour();
    // a broken validated setpoint: the UV model cannot be scored on it
    await db.$executeRaw`UPDATE operating_limit SET min = 'NaN'::float8 WHERE system_id = ${f.systemId} AND metric_key = 'uv_intensity'`;
    await writeHours(f, now, 14 * 24, [
      ...clogging(now, 5),
      { metric: "uv_intensity", component: "uvsensor-1", value: (_t, i) => 60 + noise(i) },
    ]);
    const r = await run(f, now);
    expect(r.failed).toEqual([{ system: f.code, component: "uvsensor-1", model: UV, message: expect.stringContaining("limit must be a finite number") }]);
    expect(r.actions).toEqual({ awaiting_approval: 1 });
    expect(r.workOrders.map((w) => w.component)).toEqual(["filter-1"]);
  });
});

describe("runPredictions: concurrency and organisations", () => {
  it("opens one order when two runs score the same component at once; the models are created once", async () => {
    const f = await fixture();
    const now = thisHour();
    await writeHours(f, now, 14 * 24, clogging(now, 5));
    const [a, b] = await Promise.all([run(f, now), run(f, now)]);
    noFailures(a);
    noFailures(b);
    expect([...a.workOrders, ...b.workOrders]).toHaveLength(1);
    const actions = [a.actions, b.actions].map((x) => Object.keys(x)[0]).sort();
    expect(actions).toEqual(["awaiting_approval", "deduplicated"]);
    expect(await predictiveOrders(f.org.organizationId)).toHaveLength(1);
    expect(await db.partsRequest.count({ where: { organizationId: f.org.organizationId } })).toBe(1);

    const models = await db.predictiveModel.findMany({ where: { organizationId: f.org.organizationId }, orderBy: { key: "asc" } });
    expect(models.map((m) => `${m.key}@${m.version}`)).toEqual([FILTER, PUMP, UV]);
    const again = await Promise.all([ensureDegradationModels(db, f.org.organizationId), ensureDegradationModels(db, f.org.organizationId)]);
    expect([...again[0].values()].map((m) => m.id).sort()).toEqual(models.map((m) => m.id).sort());
    expect(await db.predictiveModel.count({ where: { organizationId: f.org.organizationId } })).toBe(3);
    expect(models.find((m) => m.key === "filter-dp-trend")).toMatchObject({
      componentType: "filter",
      params: { limit: { kind: "fixed", value: 1 }, transform: "log", windowDays: 14, horizonHours: 336, actWhen: { rulHoursAtMost: 168, riskAtLeast: 0.8 } },
    });
    expect(models.find((m) => m.key === "pump-vibration-trend")!.componentType).toBeNull();
  });

  it("serialises the workflow per component and model: five qualifying forecasts at once open one order", async () => {
    const f = await fixture();
    const now = thisHour();
    const model = (await ensureDegradationModels(db, f.org.organizationId)).get("filter-dp-trend")!;
    const forecast = {
      ok: true as const,
      points: 300,
      spanHours: 330,
      level: 0.8,
      slopePerDay: 0.05,
      slopeLowPerDay: 0.04,
      slopeHighPerDay: 0.06,
      limit: 1,
      direction: "rising" as const,
      alreadyPast: false,
      rulHours: 96,
      rulLowHours: 80,
      rulHighHours: 120,
      riskWithinHorizon: 0.95,
      horizonHours: 336,
      residualSd: 0.02,
    };
    const component = { id: f.ids["filter-1"]!, code: "filter-1", type: "filter" as const, parentId: null };
    const system = { id: f.systemId, code: f.code, site: { id: f.org.siteId, code: "site" } };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => actOnPrediction(db, { organizationId: f.org.organizationId, system, component, model, proposal: degradationProposal(filterSpec, forecast, now), inputs: {}, text: "test", now })),
    );
    expect(results.map((r) => r.action).sort()).toEqual(["awaiting_approval", "deduplicated", "deduplicated", "deduplicated", "deduplicated"]);
    expect(await predictiveOrders(f.org.organizationId)).toHaveLength(1);
    expect(await db.partsRequest.count({ where: { organizationId: f.org.organizationId } })).toBe(1);
    expect(await db.prediction.count({ where: { organizationId: f.org.organizationId } })).toBe(5);
  });

  it("leaves another organisation's systems untouched when run for one organisation", async () => {
    const a = await fixture();
    const b = await fixture();
    const now = thisHour();
    await writeHours(a, now, 14 * 24, clogging(now, 5));
    await writeHours(b, now, 14 * 24, clogging(now, 5));
    const r = await run(a, now);
    expect(r.workOrders.map((w) => w.system)).toEqual([a.code]);
    expect(await predictionsOf(a.org.organizationId)).toHaveLength(1);
    expect(await predictionsOf(b.org.organizationId)).toEqual([]);
    expect(await predictiveOrders(b.org.organizationId)).toEqual([]);
    expect(await db.predictiveModel.count({ where: { organizationId: b.org.organizationId } })).toBe(0);
    expect(await db.partsRequest.count({ where: { organizationId: b.org.organizationId } })).toBe(0);

    // by system code: only that system
    const rb = await runPredictions(db, now, { systemCode: b.code });
    expect(rb.workOrders.map((w) => w.system)).toEqual([b.code]);
    await expect(runPredictions(db, now, { organizationId: a.org.organizationId, systemCode: b.code })).rejects.toThrow(`System "${b.code}" was not found`);
    await expect(runPredictions(db, now, { systemCode: `NOPE-${uid()}` })).rejects.toThrow(/was not found/);
  });
});
