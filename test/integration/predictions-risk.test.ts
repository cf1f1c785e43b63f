// The pump-set failure-risk model against the real database: histories read from the 1-hour rollups
// and the work orders; the training job (versions, progress, status, one at a time); scoring through
// the governed workflow (a predictive order with the parts of the likely repair, de-duplicated).
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/lib/random";
import { getPool } from "../../src/server/db";
import { PUMP_FEATURE_INDEX, PUMP_FEATURES } from "../../src/server/predictions/risk/features";
import { HOUR_MS, PUMP_METRICS, type PumpHistory } from "../../src/server/predictions/risk/pump-history";
import { listPumpSets, readPumpHistory } from "../../src/server/predictions/risk/read-pump-history";
import { simulatePumpHistory } from "../../src/server/predictions/risk/simulate-pump-history";
import { PUMP_RISK } from "../../src/server/predictions/risk/spec";
import { beginPumpRiskTraining, trainPumpRiskModel, type RiskArtifact } from "../../src/server/predictions/risk/train-pump-risk-model";
import { boostedTreesToJSON, type BoostedTrees } from "../../src/server/predictions/rul/gradient-boosting";
import { runPredictions } from "../../src/server/predictions/run-predictions";
import { PUMP_SERIES_AT } from "../../src/server/seed/pump-history";
import { TelemetryStore, type StoreReading } from "../../src/server/telemetry/store";
import { callerAs, errorOf, makeOrg, testDb, type TestOrg } from "./helpers";
import { metricId, thisHour } from "./prediction-fixtures";

const db = testDb();
const store = new TelemetryStore(getPool());
const CLI = { type: "cli" as const, label: "test" };

interface Unit {
  systemId: string;
  code: string;
  ids: Record<string, string>;
}

/** Adds the pump set's motor and drive and the line's transmitters to a makeOrg system, with BOMs for the pump (seal) and motor (bearings). */
async function unit(org: TestOrg, index: number, parts: { seal: string; bearing: string }): Promise<Unit> {
  const code = org.systemCodes[index]!;
  const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code }, select: { id: true } });
  const pump = await db.component.findFirstOrThrow({ where: { systemId: system.id, code: "pump-1" }, select: { id: true } });
  const ids: Record<string, string> = { "pump-1": pump.id };
  for (const [c, type, parentId] of [["motor-1", "motor", pump.id], ["vfd-1", "vfd", pump.id], ["ft-1", "sensor", null], ["pt-1", "sensor", null], ["tt-1", "sensor", null], ["uv-1", "uv_reactor", null]] as const) {
    ids[c] = (await db.component.create({ data: { systemId: system.id, code: c, type, name: c, parentId } })).id;
  }
  await db.bomItem.create({ data: { componentId: ids["pump-1"]!, partId: parts.seal, quantity: 1 } });
  await db.bomItem.create({ data: { componentId: ids["motor-1"]!, partId: parts.bearing, quantity: 2 } });
  return { systemId: system.id, code, ids };
}

async function org(systems: number) {
  const o = await makeOrg(db, { systems });
  const part = (pn: string) => db.part.create({ data: { organizationId: o.organizationId, partNumber: `${pn}-${o.slug}`, name: pn, unitCost: 10 } }).then((p) => p.id);
  const parts = { seal: await part("SEAL"), bearing: await part("BRG") };
  const units = [];
  for (let i = 0; i < systems; i++) units.push(await unit(o, i, parts));
  return { org: o, units, parts };
}

/** A simulated history written as hourly readings (mid-hour) on the unit's series. */
async function writeHistory(u: Unit, h: PumpHistory): Promise<void> {
  const readings: StoreReading[] = [];
  for (const metric of PUMP_METRICS) {
    const id = await metricId(metric);
    const values = h.series[metric];
    for (let i = 0; i < h.hours; i++) if (Number.isFinite(values[i]!)) readings.push({ metricId: id, componentId: u.ids[PUMP_SERIES_AT[metric]]!, ts: h.start + i * HOUR_MS + HOUR_MS / 2, value: values[i]! });
  }
  for (let i = 0; i < readings.length; i += 50_000) await store.store(u.systemId, readings.slice(i, i + 50_000));
}

/** The corrective orders of a simulated history's failures (bearing -> motor-1 VIB, else pump-1 ELP), closed with downtime. */
async function writeFailures(o: TestOrg, u: Unit, h: PumpHistory): Promise<void> {
  const mode = async (c: string) => (await db.failureCode.findUniqueOrThrow({ where: { kind_code: { kind: "mode", code: c } } })).id;
  for (const f of h.failures) {
    const at = new Date(h.start + f.at * HOUR_MS);
    const until = new Date(h.start + f.until * HOUR_MS);
    await db.workOrder.create({
      data: {
        organizationId: o.organizationId,
        type: "corrective",
        status: "done",
        title: `failure ${f.mode}`,
        systemId: u.systemId,
        componentId: f.mode === "bearing" ? u.ids["motor-1"]! : u.ids["pump-1"]!,
        failureModeId: await mode(f.mode === "bearing" ? "VIB" : "ELP"),
        downtimeStart: at,
        downtimeEnd: until,
        completedAt: until,
        createdAt: at,
      },
    });
  }
}

describe("reading a pump set's history", () => {
  let fx: Awaited<ReturnType<typeof org>>;
  const end = thisHour();
  const start = new Date(end.getTime() - 48 * HOUR_MS);

  beforeAll(async () => {
    fx = await org(1);
    const u = fx.units[0]!;
    const at = (h: number) => start.getTime() + h * HOUR_MS + 30 * 60_000;
    const readings: StoreReading[] = [];
    for (let h = 0; h < 48; h++) {
      if (h !== 10) readings.push({ metricId: await metricId("vibration"), componentId: u.ids["motor-1"]!, ts: at(h), value: 1 + h / 100 });
      readings.push({ metricId: await metricId("flow_rate"), componentId: u.ids["ft-1"]!, ts: at(h), value: h % 2 ? 6 : 0 });
      // the UV reactor's power must never stand for the pump's
      readings.push({ metricId: await metricId("power"), componentId: u.ids["uv-1"]!, ts: at(h), value: 0.4 });
      // a system-level pressure, and a transmitter's: the system's wins (no pump-set series)
      readings.push({ metricId: await metricId("pump_pressure"), componentId: null, ts: at(h), value: 4 });
      readings.push({ metricId: await metricId("pump_pressure"), componentId: u.ids["pt-1"]!, ts: at(h), value: 9 });
    }
    // two readings in hour 20: the hour's mean
    readings.push({ metricId: await metricId("vibration"), componentId: u.ids["motor-1"]!, ts: at(20) + 60_000, value: 2 * (1 + 20 / 100) - (1 + 20 / 100) + 0.5 });
    await store.store(u.systemId, readings);
    // installed long ago; serviced 10 days before the window (a renewal before it); a failure in it
    await db.component.update({ where: { id: u.ids["pump-1"]! }, data: { installedAt: new Date(end.getTime() - 400 * 24 * HOUR_MS) } });
    const vib = await db.failureCode.findUniqueOrThrow({ where: { kind_code: { kind: "mode", code: "VIB" } } });
    const base = { organizationId: fx.org.organizationId, systemId: u.systemId, status: "done" as const };
    await db.workOrder.create({ data: { ...base, type: "preventive", title: "service", componentId: u.ids["pump-1"]!, completedAt: new Date(start.getTime() - 10 * 24 * HOUR_MS), createdAt: new Date(start.getTime() - 11 * 24 * HOUR_MS) } });
    await db.workOrder.create({ data: { ...base, type: "inspection", title: "look", componentId: u.ids["motor-1"]!, completedAt: new Date(start.getTime() + 5 * HOUR_MS), createdAt: new Date(start.getTime() + 4 * HOUR_MS) } });
    await db.workOrder.create({
      data: { ...base, type: "corrective", title: "bearing", componentId: u.ids["motor-1"]!, failureModeId: vib.id, createdAt: new Date(start.getTime() + 30 * HOUR_MS), downtimeStart: new Date(start.getTime() + 30 * HOUR_MS + 15 * 60_000), downtimeEnd: new Date(start.getTime() + 33 * HOUR_MS + 10 * 60_000), completedAt: new Date(start.getTime() + 34 * HOUR_MS) },
    });
  });

  it("finds the organisation's pump sets with their motor and drive", async () => {
    const sets = await listPumpSets(db, { organizationId: fx.org.organizationId });
    expect(sets).toHaveLength(1);
    const u = fx.units[0]!;
    expect(sets[0]).toMatchObject({ systemId: u.systemId, pumpId: u.ids["pump-1"], pumpCode: "pump-1" });
    expect(new Set(sets[0]!.memberIds)).toEqual(new Set([u.ids["pump-1"], u.ids["motor-1"], u.ids["vfd-1"]]));
  });

  it("puts hourly means on the grid, NaN where an hour has none, and picks each metric's series", async () => {
    const [set] = await listPumpSets(db, { organizationId: fx.org.organizationId });
    const h = await readPumpHistory(db, set!, start, end);
    expect(h.start).toBe(start.getTime());
    expect(h.hours).toBe(48);
    expect(h.series.vibration[0]).toBeCloseTo(1, 12);
    expect(h.series.vibration[10]).toBeNaN();
    expect(h.series.vibration[20]).toBeCloseTo(1.2 + 0.25, 12);
    expect(h.series.flow_rate[3]).toBe(6);
    expect(h.series.pump_pressure[5]).toBe(4);
    expect(Array.from(h.series.power).every(Number.isNaN)).toBe(true);
    expect(Array.from(h.series.pump_speed).every(Number.isNaN)).toBe(true);
  });

  it("gives renewals before the window as negative hours with the running hours since, and failures with their downtime", async () => {
    const [set] = await listPumpSets(db, { organizationId: fx.org.organizationId });
    const h = await readPumpHistory(db, set!, start, end);
    // installation 400 days back, the service 10 days back; the inspection is no renewal; the repair is
    expect(h.renewals).toEqual([-(400 * 24 - 48), -10 * 24, 34]);
    // running hours between the service and the window: none (no flow data before it)
    expect(h.runningHoursBeforeStart).toBe(0);
    expect(h.failures).toEqual([{ at: 30, until: 34, mode: "VIB" }]);
    // hours since renewal flow through the features
    const { pumpFeatures } = await import("../../src/server/predictions/risk/features");
    const { x } = pumpFeatures(h, 20, 21);
    expect(x[PUMP_FEATURE_INDEX.hours_since_renewal]).toBe(10 * 24 + 20);
  });
});

describe("training and scoring the failure-risk model", () => {
  let fx: Awaited<ReturnType<typeof org>>;
  const end = thisHour();
  const DAYS = 120;

  beforeAll(async () => {
    // six pump sets, four months each, with failures spread over the span (bearing failures have weeks of rising vibration)
    fx = await org(6);
    const start = end.getTime() - DAYS * 24 * HOUR_MS;
    const rand = mulberry32(42);
    const hours = DAYS * 24;
    for (const [i, u] of fx.units.entries()) {
      const failures = [
        { at: 400 + i * 90, mode: "bearing" as const },
        { at: 1500 + i * 60, mode: i % 2 ? ("seal" as const) : ("bearing" as const) },
        { at: 2300 + i * 40, mode: "bearing" as const },
      ];
      const h = simulatePumpHistory({ start, hours, rand, failures, ageHours: 1000 });
      await writeHistory(u, h);
      await writeFailures(fx.org, u, h);
    }
  }, 120_000);

  it("trains a new version, one at a time, and stores the trees and what the held-out check measured", async () => {
    const started = await beginPumpRiskTraining(db, fx.org.organizationId, new Date(), CLI, { trainingDays: DAYS, training: { minTrainingFailures: 5, minHoldoutFailures: 2, minHoldoutAuc: 0 } });
    expect(started.version).toBe(1);
    // a second training while the first runs is refused
    await expect(trainPumpRiskModel(db, fx.org.organizationId, new Date(), CLI)).rejects.toThrow(/already being trained/);
    const result = await started.finished;
    expect(result.status).toBe("active");
    const row = await db.predictiveModel.findUniqueOrThrow({ where: { id: started.modelId } });
    expect(row).toMatchObject({ key: PUMP_RISK.key, version: 1, kind: "failure_risk", status: "active", progress: null, algorithm: "gradient_boosted_trees" });
    expect(row.artifact?.length).toBeGreaterThan(100);
    const evaluation = row.evaluation as { pumpSets: number; trainingFailures: number; holdoutFailures: number; holdout: { auc: number; n: number } };
    expect(evaluation.pumpSets).toBe(6);
    expect(evaluation.trainingFailures + evaluation.holdoutFailures).toBe(18);
    expect(evaluation.holdout.n).toBeGreaterThan(1000);
    // bearing failures announce themselves weeks ahead: the ranking is far better than chance
    expect(evaluation.holdout.auc).toBeGreaterThan(0.75);
    const audit = await db.auditLog.findFirst({ where: { entityId: started.modelId, action: "predictive_model.train" } });
    expect(audit?.actor).toBe("test");

    // a second training makes version 2, which takes over; version 1 is retired
    const second = await trainPumpRiskModel(db, fx.org.organizationId, new Date(), CLI, { trainingDays: DAYS, training: { minTrainingFailures: 5, minHoldoutFailures: 2, minHoldoutAuc: 0 } });
    expect(second.version).toBe(2);
    expect((await db.predictiveModel.findUniqueOrThrow({ where: { id: started.modelId } })).status).toBe("retired");
  }, 120_000);

  it("stores a failed version with the reason when there are too few failures", async () => {
    const few = await org(1);
    const result = await trainPumpRiskModel(db, few.org.organizationId, new Date(), CLI, { trainingDays: 30 });
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/not enough failures/);
    const row = await db.predictiveModel.findFirstOrThrow({ where: { organizationId: few.org.organizationId, key: PUMP_RISK.key } });
    expect(row).toMatchObject({ status: "failed", progress: null, artifact: null });
    // and scoring finds no model to score with
    const run = await runPredictions(db, new Date(), { organizationId: few.org.organizationId });
    expect(await db.prediction.count({ where: { organizationId: few.org.organizationId, kind: "failure_risk" } })).toBe(0);
    expect(run.failed).toEqual([]);
  });

  it("lets managers train from the page and shows every role the model; technicians may not train", async () => {
    const other = await org(1);
    const tech = callerAs(db, other.org.users.technician);
    expect((await errorOf(tech.predictions.trainRisk())).code).toBe("FORBIDDEN");
    const manager = callerAs(db, other.org.users.manager);
    const { version } = await manager.predictions.trainRisk();
    expect(version).toBe(1);
    // the view follows the row until the background training is done (too few failures here)
    let view = await callerAs(db, other.org.users.viewer).predictions.riskModel();
    for (let i = 0; i < 100 && view.versions[0]?.status === "training"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      view = await callerAs(db, other.org.users.viewer).predictions.riskModel();
    }
    expect(view.versions).toHaveLength(1);
    expect(view.versions[0]).toMatchObject({ version: 1, status: "failed" });
    expect(view.versions[0]!.message).toMatch(/not enough failures/);
    // another organisation's models are not shown
    expect((await callerAs(db, fx.org.users.viewer).predictions.riskModel()).versions.map((v) => v.version)).toEqual([2, 1]);
  });
});

describe("acting on the failure-risk model's scores", () => {
  /** A one-split model: vibration at twice its 30-day low or more -> log-odds +4 (p ≈ 0.95), else -4. */
  function stump(): BoostedTrees {
    const f = PUMP_FEATURE_INDEX.vib_vs_baseline;
    return {
      loss: "logistic",
      base: 0,
      features: PUMP_FEATURES.length,
      trees: [{ feature: Int32Array.from([f, -1, -1]), threshold: Float64Array.from([2, 0, 0]), left: Int32Array.from([1, -1, -1]), right: Int32Array.from([2, -1, -1]), value: Float64Array.from([0, -4, 4]), gain: Float64Array.from([1, 0, 0]) }],
    };
  }

  async function withModel(status: "active" | "candidate") {
    const fx = await org(2);
    const artifact: RiskArtifact = { format: "ecomate-boosted-trees@1", features: PUMP_FEATURES.map((f) => f.name), threshold: 0.5, horizonHours: 168, trees: boostedTreesToJSON(stump()) };
    await db.predictiveModel.create({
      data: { organizationId: fx.org.organizationId, key: PUMP_RISK.key, version: 1, name: PUMP_RISK.name, kind: "failure_risk", algorithm: "gradient_boosted_trees", status, artifact: new Uint8Array(gzipSync(JSON.stringify(artifact))), params: { cooldownDays: 7 } },
    });
    // five weeks: unit 0's vibration triples in the last four days, unit 1 stays at 1.2 mm/s
    const end = thisHour();
    const hours = PUMP_RISK.lookbackHours;
    for (const [i, u] of fx.units.entries()) {
      const readings: StoreReading[] = [];
      for (let h = 0; h < hours; h++) {
        const ts = end.getTime() - (hours - h) * HOUR_MS + 30 * 60_000;
        const rising = i === 0 && h > hours - 96;
        readings.push({ metricId: await metricId("vibration"), componentId: u.ids["motor-1"]!, ts, value: rising ? 3.6 : 1.2 });
        readings.push({ metricId: await metricId("flow_rate"), componentId: u.ids["ft-1"]!, ts, value: 6 });
        readings.push({ metricId: await metricId("power"), componentId: u.ids["pump-1"]!, ts, value: 1.5 });
      }
      await store.store(u.systemId, readings);
    }
    return fx;
  }

  it("opens one predictive order for the set whose vibration left its baseline, with the motor's bearings, and explains why", async () => {
    const fx = await withModel("active");
    const now = new Date();
    const run = await runPredictions(db, now, { organizationId: fx.org.organizationId });
    expect(run.failed).toEqual([]);
    const predictions = await db.prediction.findMany({ where: { organizationId: fx.org.organizationId, kind: "failure_risk" }, include: { system: true } });
    expect(predictions).toHaveLength(2);
    const hot = predictions.find((p) => p.systemId === fx.units[0]!.systemId)!;
    const calm = predictions.find((p) => p.systemId === fx.units[1]!.systemId)!;
    expect(hot.score).toBeCloseTo(1 / (1 + Math.exp(-4)), 6);
    expect(calm.score).toBeCloseTo(1 / (1 + Math.exp(4)), 6);
    expect(hot.action).toBe("awaiting_approval");
    expect(calm.action).toBe("none");
    expect((hot.explanation as { text: string }).text).toMatch(/^Failure risk within 7 days 98 % \(acts from 50 %\): vibration 3\.0× its level/);
    const inputs = hot.inputs as { features: Record<string, number | null>; drivers: { feature: string }[] };
    expect(inputs.features.vib_vs_baseline).toBeCloseTo(3, 6);
    expect(inputs.drivers[0]!.feature).toBe("vib_vs_baseline");

    const order = await db.workOrder.findFirstOrThrow({ where: { predictionId: hot.id }, include: { partsRequests: { include: { part: true } } } });
    expect(order).toMatchObject({ type: "predictive", status: "requested", approvalStatus: "pending", componentId: fx.units[0]!.ids["pump-1"], priority: "high" });
    expect(order.partsRequests.map((r) => [r.part.id, r.quantity.toNumber()])).toEqual([[fx.parts.bearing, 2]]);

    // the next hour: the same set is still at risk, but its order is open
    const again = await runPredictions(db, new Date(now.getTime() + 60_000), { organizationId: fx.org.organizationId });
    expect(again.actions.deduplicated).toBe(1);
    expect(await db.workOrder.count({ where: { organizationId: fx.org.organizationId, type: "predictive" } })).toBe(1);
  });

  it("stores a candidate model's scores but never acts on them", async () => {
    const fx = await withModel("candidate");
    await runPredictions(db, new Date(), { organizationId: fx.org.organizationId });
    const predictions = await db.prediction.findMany({ where: { organizationId: fx.org.organizationId, kind: "failure_risk" } });
    expect(predictions).toHaveLength(2);
    expect(predictions.every((p) => p.action === "none")).toBe(true);
    expect(predictions.some((p) => (p.explanation as { text: string }).text.includes("candidate model: not acted on"))).toBe(true);
    expect(await db.workOrder.count({ where: { organizationId: fx.org.organizationId, type: "predictive" } })).toBe(0);
  });

  it("skips a set with too little data in the last day, saying why", async () => {
    const fx = await withModel("active");
    const bare = await org(1);
    const { artifact } = await db.predictiveModel.findFirstOrThrow({ where: { organizationId: fx.org.organizationId }, select: { artifact: true } });
    await db.predictiveModel.create({
      data: { organizationId: bare.org.organizationId, key: PUMP_RISK.key, version: 1, name: PUMP_RISK.name, kind: "failure_risk", algorithm: "gradient_boosted_trees", status: "active", artifact },
    });
    const r = await runPredictions(db, new Date(), { organizationId: bare.org.organizationId });
    expect(r.skipped).toContainEqual({ system: bare.units[0]!.code, component: "pump-1", model: `${PUMP_RISK.key}@1`, reason: "only 0 % of the last 24 hours have pump data (50 % needed)" });
    expect(await db.prediction.count({ where: { organizationId: bare.org.organizationId } })).toBe(0);
  });
});
