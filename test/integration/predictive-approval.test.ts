// Predictive work orders awaiting approval (design.md "Predictions are governed", contracts.md roles):
// only managers and admins approve (-> open, with the order's parts requests) or dismiss (-> cancelled
// with a reason, the parts requests cancelled) in one transaction; the order says why (get); and
// predictions.latest lists the newest prediction per component and model. The orders and
// predictions are made here with Prisma, as the prediction job (run-predictions.ts) would.
import { beforeAll, describe, expect, it } from "vitest";
import { callerAs, makeOrg, testDb, uid, type TestOrg, errorOf } from "./helpers";

const db = testDb();
let org: TestOrg;
let other: TestOrg;

const HOUR = 3_600_000;

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 2 }), makeOrg(db, { systems: 1 })]);
});

const as = (o: TestOrg, role: keyof TestOrg["users"]) => callerAs(db, o.users[role]);


async function systemOf(o: TestOrg, index = 0) {
  return db.treatmentSystem.findFirstOrThrow({ where: { organizationId: o.organizationId, code: o.systemCodes[index]! }, select: { id: true, code: true } });
}

async function componentOf(systemId: string, code = "pump-1") {
  const found = await db.component.findFirst({ where: { systemId, code }, select: { id: true, code: true } });
  return found ?? db.component.create({ data: { systemId, code, type: code.startsWith("filter") ? "filter" : "pump", name: code }, select: { id: true, code: true } });
}

async function modelOf(o: TestOrg, key: string, version: number) {
  return db.predictiveModel.upsert({
    where: { organizationId_key_version: { organizationId: o.organizationId, key, version } },
    create: { organizationId: o.organizationId, key, version, name: `Trend model ${key}`, kind: "degradation", algorithm: "theil_sen_trend", status: "active" },
    update: {},
    select: { id: true, key: true, version: true, name: true },
  });
}

interface PredictionFixture {
  systemIndex?: number;
  componentCode?: string;
  modelKey?: string;
  modelVersion?: number;
  createdAt?: Date;
  score?: number;
  rulHours?: number | null;
}

async function makePrediction(o: TestOrg, f: PredictionFixture = {}) {
  const system = await systemOf(o, f.systemIndex);
  const component = await componentOf(system.id, f.componentCode);
  const model = await modelOf(o, f.modelKey ?? "pump-vibration-trend", f.modelVersion ?? 1);
  return db.prediction.create({
    data: {
      organizationId: o.organizationId,
      modelId: model.id,
      systemId: system.id,
      componentId: component.id,
      kind: "degradation",
      score: f.score ?? 0.87,
      horizonHours: 504,
      rulHours: f.rulHours === undefined ? 130 : f.rulHours,
      inputs: {
        metric: "vibration",
        unit: "mm/s",
        limit: { value: 4.5, source: "ISO 10816-3 class I, C/D boundary", kind: "fixed" },
        forecast: { level: 3.9, slopePerDay: 0.11, rulLowHours: 80, rulHighHours: 260, points: 290 },
        samples: Array.from({ length: 48 }, (_, i) => 3 + i / 100),
      },
      explanation: { text: "Vibration rises 0.11 mm/s a day and reaches 4.5 mm/s in about 5 days.", model: `${model.key}@${model.version}` },
      action: "awaiting_approval",
      ...(f.createdAt ? { createdAt: f.createdAt } : {}),
    },
    select: { id: true, systemId: true, componentId: true, modelId: true, createdAt: true },
  });
}

/** A predictive order in "requested" as the job opens it: linked to its prediction, with two parts requests. */
async function predictiveOrder(o: TestOrg = org, f: PredictionFixture = {}) {
  const prediction = await makePrediction(o, f);
  const parts = await Promise.all(
    ["BRG-6205", "SEAL-KIT"].map((p, i) =>
      db.part.create({ data: { organizationId: o.organizationId, partNumber: `${p}-${uid()}`, name: i === 0 ? "Bearing 6205" : "Seal kit", unitCost: 12 + i, unit: i === 0 ? "ea" : "kit" } }),
    ),
  );
  const order = await db.workOrder.create({
    data: {
      organizationId: o.organizationId,
      type: "predictive",
      status: "requested",
      approvalStatus: "pending",
      priority: "high",
      title: `Inspect pump bearings ${uid()}`,
      systemId: prediction.systemId,
      componentId: prediction.componentId,
      predictionId: prediction.id,
      statusHistory: { create: { fromStatus: null, toStatus: "requested", note: "proposed by model pump-vibration-trend@1" } },
    },
    select: { id: true, number: true },
  });
  const requests = await Promise.all(
    parts.map((part, i) =>
      db.partsRequest.create({
        data: { organizationId: o.organizationId, siteId: o.siteId, partId: part.id, quantity: i + 1, status: "requested", workOrderId: order.id, predictionId: prediction.id, reason: "predicted bearing wear" },
        select: { id: true },
      }),
    ),
  );
  // someone else's request for the same part: no decision on the order may touch it
  const unrelated = await db.partsRequest.create({ data: { organizationId: o.organizationId, siteId: o.siteId, partId: parts[0]!.id, quantity: 5, status: "requested" }, select: { id: true } });
  return { order, prediction, parts, requestIds: requests.map((r) => r.id), unrelatedId: unrelated.id };
}

type Fixture = Awaited<ReturnType<typeof predictiveOrder>>;

/** Everything a decision could write, to show that a refused one wrote nothing. */
async function snapshot(fx: Fixture) {
  const [order, requests, history, audits] = await Promise.all([
    db.workOrder.findUniqueOrThrow({ where: { id: fx.order.id }, select: { status: true, approvalStatus: true, approvedById: true, updatedAt: true } }),
    db.partsRequest.findMany({ where: { id: { in: [...fx.requestIds, fx.unrelatedId] } }, orderBy: { id: "asc" }, select: { id: true, status: true, approvedById: true, approvedAt: true } }),
    db.workOrderStatusChange.count({ where: { workOrderId: fx.order.id } }),
    db.auditLog.count({ where: { entityId: { in: [fx.order.id, ...fx.requestIds, fx.unrelatedId] } } }),
  ]);
  return { order, requests, history, audits };
}

describe("who decides", () => {
  it("refuses a technician approving or dismissing, naming why, and changes nothing", async () => {
    const fx = await predictiveOrder();
    // assigned to the technician: still not theirs to decide
    await db.workOrder.update({ where: { id: fx.order.id }, data: { assigneeId: org.users.technician.id } });
    const before = await snapshot(fx);
    const tech = as(org, "technician");
    for (const attempt of [{ status: "open" as const }, { status: "cancelled" as const, note: "not needed" }]) {
      const err = await errorOf(tech.maintenance.workOrder.setStatus({ id: fx.order.id, ...attempt }));
      expect(err.code).toBe("FORBIDDEN");
      expect(err.message).toMatch(/^Predictive work orders are approved by a manager or admin: WO-\d+ waits/);
      expect(err.message).toContain(`WO-${fx.order.number}`);
    }
    expect(await snapshot(fx)).toEqual(before);
    // the page offers the technician no decision, and the manager both
    expect((await tech.maintenance.workOrder.get({ id: fx.order.id })).allowedTransitions).toEqual([]);
    expect((await as(org, "manager").maintenance.workOrder.get({ id: fx.order.id })).allowedTransitions).toEqual(["open", "cancelled"]);
    expect((await as(org, "admin").maintenance.workOrder.get({ id: fx.order.id })).allowedTransitions).toEqual(["open", "cancelled"]);
  });

  it("leaves other requested orders to technicians as before", async () => {
    const system = await systemOf(org);
    const order = await db.workOrder.create({
      data: { organizationId: org.organizationId, type: "inspection", status: "requested", title: `Odd noise ${uid()}`, systemId: system.id },
      select: { id: true },
    });
    const tech = as(org, "technician");
    expect((await tech.maintenance.workOrder.get({ id: order.id })).allowedTransitions).toEqual(["open", "cancelled"]);
    expect(await tech.maintenance.workOrder.setStatus({ id: order.id, status: "open" })).toEqual({ id: order.id, status: "open" });
  });

  it("reports another organisation's order as not found to its manager, and changes nothing", async () => {
    const fx = await predictiveOrder();
    const before = await snapshot(fx);
    const outsider = as(other, "manager");
    expect((await errorOf(outsider.maintenance.workOrder.get({ id: fx.order.id }))).code).toBe("NOT_FOUND");
    expect((await errorOf(outsider.maintenance.workOrder.setStatus({ id: fx.order.id, status: "open" }))).code).toBe("NOT_FOUND");
    expect((await errorOf(outsider.maintenance.workOrder.setStatus({ id: fx.order.id, status: "cancelled", note: "not ours" }))).code).toBe("NOT_FOUND");
    expect(await snapshot(fx)).toEqual(before);
  });
});

describe("approving", () => {
  it("opens the order and approves its requested parts requests, with approver and one audit entry each", async () => {
    const fx = await predictiveOrder();
    const manager = org.users.manager;
    const t0 = Date.now();
    expect(await as(org, "manager").maintenance.workOrder.setStatus({ id: fx.order.id, status: "open" })).toEqual({ id: fx.order.id, status: "open" });

    const order = await db.workOrder.findUniqueOrThrow({ where: { id: fx.order.id }, select: { status: true, approvalStatus: true, approvedById: true } });
    expect(order).toEqual({ status: "open", approvalStatus: "approved", approvedById: manager.id });
    const requests = await db.partsRequest.findMany({ where: { id: { in: fx.requestIds } }, select: { id: true, status: true, approvedById: true, approvedAt: true } });
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r).toMatchObject({ status: "approved", approvedById: manager.id });
      expect(r.approvedAt!.getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      const audits = await db.auditLog.findMany({ where: { entityType: "parts_request", entityId: r.id }, select: { action: true, userId: true, organizationId: true, details: true } });
      expect(audits).toEqual([
        { action: "parts_request.approve", userId: manager.id, organizationId: org.organizationId, details: expect.objectContaining({ from: "requested", workOrder: fx.order.number, via: "work_order.approve" }) },
      ]);
    }
    expect(await db.partsRequest.findUniqueOrThrow({ where: { id: fx.unrelatedId }, select: { status: true, approvedById: true } })).toEqual({ status: "requested", approvedById: null });

    const history = await db.workOrderStatusChange.findMany({ where: { workOrderId: fx.order.id }, orderBy: { at: "asc" }, select: { fromStatus: true, toStatus: true, userId: true } });
    expect(history.at(-1)).toEqual({ fromStatus: "requested", toStatus: "open", userId: manager.id });
    const orderAudit = await db.auditLog.findFirstOrThrow({ where: { entityType: "work_order", entityId: fx.order.id } });
    expect(orderAudit).toMatchObject({ action: "work_order.set_status", userId: manager.id, details: { from: "requested", to: "open", decision: "approve" } });
    expect([...(orderAudit.details as { partsRequests: string[] }).partsRequests].sort()).toEqual([...fx.requestIds].sort());

    // the phone replaying the same approval writes nothing more
    const audits = await db.auditLog.count({ where: { entityId: { in: [fx.order.id, ...fx.requestIds] } } });
    await as(org, "manager").maintenance.workOrder.setStatus({ id: fx.order.id, status: "open" });
    expect(await db.auditLog.count({ where: { entityId: { in: [fx.order.id, ...fx.requestIds] } } })).toBe(audits);
    // once approved it is an ordinary open order: a technician works on it
    expect((await as(org, "technician").maintenance.workOrder.setStatus({ id: fx.order.id, status: "in_progress" })).status).toBe("in_progress");
  });

  it("lets an admin approve, and leaves a parts request a manager already handled as it is", async () => {
    const fx = await predictiveOrder();
    const [handled, pending] = fx.requestIds as [string, string];
    await as(org, "manager").maintenance.parts.request.reject({ id: handled });
    await as(org, "admin").maintenance.workOrder.setStatus({ id: fx.order.id, status: "open" });
    expect(await db.partsRequest.findUniqueOrThrow({ where: { id: handled }, select: { status: true, approvedById: true } })).toEqual({ status: "rejected", approvedById: null });
    expect(await db.partsRequest.findUniqueOrThrow({ where: { id: pending }, select: { status: true, approvedById: true } })).toEqual({ status: "approved", approvedById: org.users.admin.id });
  });
});

describe("dismissing", () => {
  it("needs a reason: without one it is refused naming it, and nothing changes", async () => {
    const fx = await predictiveOrder();
    const before = await snapshot(fx);
    for (const note of [undefined, "", "   "]) {
      const err = await errorOf(as(org, "manager").maintenance.workOrder.setStatus({ id: fx.order.id, status: "cancelled", ...(note === undefined ? {} : { note }) }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toMatch(new RegExp(`^Dismissing predictive work order WO-${fx.order.number} needs a reason`));
    }
    expect(await snapshot(fx)).toEqual(before);
  });

  it("with a reason cancels the order and its parts requests, and keeps the reason for the cooldown", async () => {
    const fx = await predictiveOrder();
    const manager = org.users.manager;
    const reason = "Bearings were replaced on Monday; the sensor reads the run-in.";
    expect(await as(org, "manager").maintenance.workOrder.setStatus({ id: fx.order.id, status: "cancelled", note: `  ${reason} ` })).toEqual({ id: fx.order.id, status: "cancelled" });

    expect(await db.workOrder.findUniqueOrThrow({ where: { id: fx.order.id }, select: { status: true, approvalStatus: true, approvedById: true } })).toEqual({
      status: "cancelled",
      approvalStatus: "rejected",
      approvedById: null,
    });
    const change = await db.workOrderStatusChange.findFirstOrThrow({ where: { workOrderId: fx.order.id, toStatus: "cancelled" } });
    expect(change).toMatchObject({ fromStatus: "requested", userId: manager.id, note: reason });
    const requests = await db.partsRequest.findMany({ where: { id: { in: fx.requestIds } }, select: { status: true, approvedById: true, approvedAt: true } });
    expect(requests).toEqual([
      { status: "cancelled", approvedById: null, approvedAt: null },
      { status: "cancelled", approvedById: null, approvedAt: null },
    ]);
    const audits = await db.auditLog.findMany({ where: { entityType: "parts_request", entityId: { in: fx.requestIds } }, select: { action: true, userId: true, details: true } });
    expect(audits).toHaveLength(2);
    for (const a of audits) expect(a).toMatchObject({ action: "parts_request.cancel", userId: manager.id, details: { note: reason, via: "work_order.dismiss" } });
    expect(await db.partsRequest.findUniqueOrThrow({ where: { id: fx.unrelatedId }, select: { status: true } })).toEqual({ status: "requested" });

    // dismissed is final: it cannot be approved afterwards
    expect((await errorOf(as(org, "manager").maintenance.workOrder.setStatus({ id: fx.order.id, status: "open" }))).code).toBe("CONFLICT");
    const detail = await as(org, "viewer").maintenance.workOrder.get({ id: fx.order.id });
    expect(detail.history.at(-1)).toMatchObject({ from: "requested", to: "cancelled", note: reason, userName: manager.name });
  });
});

describe("the order says why", () => {
  it("shows a viewer the prediction (model, score, remaining life with its range, limit, explanation) and the linked parts", async () => {
    const fx = await predictiveOrder();
    const detail = await as(org, "viewer").maintenance.workOrder.get({ id: fx.order.id });
    expect(detail.prediction).toMatchObject({
      id: fx.prediction.id,
      model: { key: "pump-vibration-trend", version: 1, name: "Trend model pump-vibration-trend", label: "pump-vibration-trend@1" },
      kind: "degradation",
      score: 0.87,
      horizonHours: 504,
      rulHours: 130,
      rulLowHours: 80,
      rulHighHours: 260,
      limit: 4.5,
      limitSource: "ISO 10816-3 class I, C/D boundary",
      metric: "vibration",
      unit: "mm/s",
      explanation: "Vibration rises 0.11 mm/s a day and reaches 4.5 mm/s in about 5 days.",
      action: "awaiting_approval",
      createdAt: fx.prediction.createdAt,
    });
    expect(detail.prediction!.inputs).toMatchObject({ "forecast.slopePerDay": 0.11, "limit.value": 4.5 });
    // a long series is not shown as an input
    expect(Object.keys(detail.prediction!.inputs).some((k) => k.startsWith("samples"))).toBe(false);
    expect(detail.partsRequests).toEqual([
      { id: fx.requestIds[0], status: "requested", partNumber: fx.parts[0]!.partNumber, name: "Bearing 6205", unit: "ea", quantity: 1 },
      { id: fx.requestIds[1], status: "requested", partNumber: fx.parts[1]!.partNumber, name: "Seal kit", unit: "kit", quantity: 2 },
    ]);
    expect(detail.allowedTransitions).toEqual([]);
  });

  it("has no prediction block on an order that came from no prediction", async () => {
    const created = await as(org, "manager").maintenance.workOrder.create({ systemCode: org.systemCodes[0]!, type: "corrective", title: `Leak ${uid()}` });
    const detail = await as(org, "viewer").maintenance.workOrder.get({ id: created.id });
    expect(detail.prediction).toBeNull();
    expect(detail.partsRequests).toEqual([]);
  });
});

describe("predictions.latest", () => {
  it("returns the newest prediction per component and model (any version), with the open order of that model, and no other organisation's", async () => {
    const o = await makeOrg(db, { systems: 2 });
    const t = Date.now() - 10 * HOUR;
    const at = (h: number) => new Date(t + h * HOUR);
    // pump-1 of system 1, vibration model: three runs; the first opened an order, the later ones found it open
    const withOrder = await predictiveOrder(o, { createdAt: at(0), score: 0.81 });
    await makePrediction(o, { createdAt: at(1), score: 0.84 });
    // a new version of the model takes over: its prediction is the one listed, still pointing at the order
    const newestPump = await makePrediction(o, { modelVersion: 2, createdAt: at(2), score: 0.9, rulHours: 90 });
    // a second model on the same component, and a filter with its own model, once each
    const otherModel = await makePrediction(o, { modelKey: "pump-temperature-trend", createdAt: at(1), score: 0.2, rulHours: null });
    const filterOld = await makePrediction(o, { componentCode: "filter-1", modelKey: "filter-dp-trend", createdAt: at(0), score: 0.95 });
    const filterNew = await makePrediction(o, { componentCode: "filter-1", modelKey: "filter-dp-trend", createdAt: at(3), score: 0.4 });
    // system 2, whose order was dismissed: no open order to point at
    const sys2 = await predictiveOrder(o, { systemIndex: 1, createdAt: at(4) });
    await as(o, "manager").maintenance.workOrder.setStatus({ id: sys2.order.id, status: "cancelled", note: "sensor loose, fixed" });
    // the other organisation has predictions of the same model keys
    await makePrediction(other, { createdAt: at(5) });

    const rows = await as(o, "viewer").predictions.latest();
    expect(rows.map((r) => r.id).sort()).toEqual([newestPump.id, otherModel.id, filterNew.id, sys2.prediction.id].sort());
    expect(rows.map((r) => r.id)).not.toContain(filterOld.id);
    const pump = rows.find((r) => r.id === newestPump.id)!;
    expect(pump).toEqual({
      id: newestPump.id,
      system: o.systemCodes[0],
      systemName: "System 1",
      component: "pump-1",
      componentName: "Booster pump",
      model: "pump-vibration-trend@2",
      modelName: "Trend model pump-vibration-trend",
      kind: "degradation",
      score: 0.9,
      horizonHours: 504,
      rulHours: 90,
      rulLowHours: 80,
      rulHighHours: 260,
      action: "awaiting_approval",
      explanation: "Vibration rises 0.11 mm/s a day and reaches 4.5 mm/s in about 5 days.",
      createdAt: at(2),
      cooldownUntil: null,
      workOrder: { id: withOrder.order.id, number: withOrder.order.number, status: "requested" },
      // a trend has no drivers or threshold of a learnt risk model
      drivers: [],
      threshold: null,
      actedOn: true,
    });
    expect(rows.find((r) => r.id === otherModel.id)).toMatchObject({ model: "pump-temperature-trend@1", rulHours: null, workOrder: null });
    expect(rows.find((r) => r.id === filterNew.id)).toMatchObject({ component: "filter-1", score: 0.4, workOrder: null });
    expect(rows.find((r) => r.id === sys2.prediction.id)).toMatchObject({ system: o.systemCodes[1], workOrder: null });

    const onlySystem2 = await as(o, "viewer").predictions.latest({ systemCode: o.systemCodes[1]! });
    expect(onlySystem2.map((r) => r.id)).toEqual([sys2.prediction.id]);
    // another organisation's system is not found, as is a made-up one
    for (const code of [other.systemCodes[0]!, `NOPE-${uid()}`]) {
      const err = await errorOf(as(o, "viewer").predictions.latest({ systemCode: code }));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toContain(code);
    }
    expect((await as(other, "viewer").predictions.latest()).map((r) => r.id)).not.toContain(newestPump.id);
    expect((await errorOf(callerAs(db, null).predictions.latest())).code).toBe("UNAUTHORIZED");
  });
});

describe("predictions.runNow", () => {
  it("is for managers, runs on the caller's organisation only, and stores nothing for a system without telemetry", async () => {
    const o = await makeOrg(db, { systems: 1 });
    for (const role of ["viewer", "technician"] as const) {
      expect((await errorOf(as(o, role).predictions.runNow())).code).toBe("FORBIDDEN");
    }
    const err = await errorOf(as(o, "manager").predictions.runNow({ systemCode: other.systemCodes[0]! }));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toContain(other.systemCodes[0]!);
    const result = await as(o, "manager").predictions.runNow({ systemCode: o.systemCodes[0]! });
    expect(result).toMatchObject({ scored: 0, workOrders: [], failed: [] });
    expect(await db.prediction.count({ where: { organizationId: o.organizationId } })).toBe(0);
    expect(await db.workOrder.count({ where: { organizationId: o.organizationId } })).toBe(0);
  });
});
