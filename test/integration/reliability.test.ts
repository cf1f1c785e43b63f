import { beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { getPool } from "../../src/server/db";
import { callerAs, makeOrg, testDb, type TestOrg } from "./helpers";

const db = testDb();
const H = 3_600_000;
// Monday 6 January 2025, 00:00 UTC: hour 0 of the data set. The period ends at hour 4000 (in the past, so "now" plays no part).
const T0 = Date.parse("2025-01-06T00:00:00.000Z");
const at = (hours: number) => new Date(T0 + hours * H);
const TO = at(4000);

let org: TestOrg;
let pumps: { a: string; b: string; c: string };
let systems: { a: string; b: string; c: string };

async function failureCode(kind: "mode", code: string) {
  return (await db.failureCode.findUniqueOrThrow({ where: { kind_code: { kind, code } } })).id;
}

/**
 * The data set, three pumps installed at hour 0, observed to hour 4000:
 *
 *   pump A (system 1): fails (VIB) at 1000 h, downtime logged 1000–1010 h; fails (VIB) at 2500 h, downtime
 *                      logged 2500–2506 h; running since.
 *   pump B (system 2): fails (ELP) at 1800 h with no downtime logged. Telemetry: flow 9.5 m³/h until 1796 h,
 *                      0 from 1796 h to 1808 h, 9.5 again from 1808 h; a maintenance window covers 1796–1800 h
 *                      (a planned stop), so the repair is 1800–1808 h = 8 h (12 h if the planned stop were counted).
 *   pump C (system 3): never fails.
 * Noise that must not count: a preventive order on A with downtime, a corrective order without a failure mode
 * on C, a cancelled corrective order with a failure mode on C.
 *
 * Lives (hours): A 1000 (failed), 2500 − 1010 = 1490 (failed), 4000 − 2506 = 1494 (running);
 *                B 1800 (failed), 4000 − 1808 = 2192 (running); C 4000 (running).
 * MTBF = operating time / failures = (1000 + 1490 + 1494 + 1800 + 2192 + 4000) / 3 = 11976 / 3 = 3992 h.
 * MTTR = (10 + 6 + 8) / 3 = 8 h.
 * Availability, inherent = 3992 / (3992 + 8) = 0.998; measured = (3 × 4000 − 24) / (3 × 4000) = 0.998.
 *
 * Weibull MLE with censoring. The profile equation in β:
 *   g(β) = Σ T^β ln T / Σ T^β − 1/β − mean(ln t_failed) = 0,  mean ln t_failed = (6.907755 + 7.306531 + 7.495542) / 3 = 7.236610.
 * At β = 1.651868: Σ T^β = 1,899,959.5 and Σ T^β ln T = 14,899,453.3 over all six lives, so
 *   14,899,453.3 / 1,899,959.5 − 1 / 1.651868 = 7.841985 − 0.605375 = 7.236610 ✓.
 *   η = (Σ T^β / r)^(1/β) = (1,899,959.5 / 3)^(1 / 1.651868) = 3252.06 h.
 * 90 % Fisher bounds (log scale; inverse observed information Var β = 0.57942, Var η = 1,426,810):
 *   β · exp(±1.6449 · 0.76120 / 1.651868) = [0.7741, 3.5250];  η · exp(±1.6449 · 1194.49 / 3252.06) = [1777.4, 5950.3].
 * Without pump C (the 4000 h censored life): at β = 3.476670, Σ T^β = 8.631067e11, Σ T^β ln T = 6.494223e12,
 *   7.524241 − 0.287632 = 7.236610 ✓, η = (8.631067e11 / 3)^(1 / 3.476670) = 1976.76 h: the censored unit lengthens η by 1275 h.
 */
beforeAll(async () => {
  org = await makeOrg(db, { systems: 3 });
  const rows = await db.treatmentSystem.findMany({
    where: { organizationId: org.organizationId },
    select: { id: true, code: true, components: { select: { id: true } } },
    orderBy: { code: "asc" },
  });
  const [s1, s2, s3] = rows;
  systems = { a: s1!.id, b: s2!.id, c: s3!.id };
  pumps = { a: s1!.components[0]!.id, b: s2!.components[0]!.id, c: s3!.components[0]!.id };
  await db.component.updateMany({ where: { id: { in: Object.values(pumps) } }, data: { installedAt: at(0) } });

  const vib = await failureCode("mode", "VIB");
  const elp = await failureCode("mode", "ELP");
  const base = { organizationId: org.organizationId, priority: "high" as const };
  await db.workOrder.createMany({
    data: [
      { ...base, type: "corrective", status: "done", title: "Pump vibrates", systemId: systems.a, componentId: pumps.a, failureModeId: vib, createdAt: at(1000.5), downtimeStart: at(1000), downtimeEnd: at(1010), completedAt: at(1010) },
      { ...base, type: "corrective", status: "done", title: "Pump vibrates again", systemId: systems.a, componentId: pumps.a, failureModeId: vib, createdAt: at(2500), downtimeStart: at(2500), downtimeEnd: at(2506), completedAt: at(2506) },
      { ...base, type: "corrective", status: "done", title: "Seal leaks", systemId: systems.b, componentId: pumps.b, failureModeId: elp, createdAt: at(1800), completedAt: at(1809) },
      { ...base, type: "preventive", status: "done", title: "Bearing grease", systemId: systems.a, componentId: pumps.a, createdAt: at(3000), downtimeStart: at(3000), downtimeEnd: at(3002), completedAt: at(3002) },
      { ...base, type: "corrective", status: "done", title: "Noise, nothing found", systemId: systems.c, componentId: pumps.c, createdAt: at(2000), downtimeStart: at(2000), downtimeEnd: at(2001) },
      { ...base, type: "corrective", status: "cancelled", title: "Opened by mistake", systemId: systems.c, componentId: pumps.c, failureModeId: vib, createdAt: at(2200) },
    ],
  });
  await db.maintenanceWindow.create({ data: { systemId: systems.b, startsAt: at(1796), endsAt: at(1800), reason: "filter change" } });

  // Pump B's flow, one 1-minute rollup per minute from 1790 h to 1812 h.
  const flow = await db.metric.findUniqueOrThrow({ where: { key: "flow_rate" } });
  const series = await db.series.create({ data: { systemId: systems.b, componentId: pumps.b, metricId: flow.id } });
  const pool = getPool();
  await pool.query("SELECT ecomate_ensure_partitions('telemetry_rollup_1m', $1, $2)", [at(1780), at(1820)]);
  await pool.query(
    `INSERT INTO telemetry_rollup_1m (series_id, bucket, min, max, sum, count, last, last_ts)
     SELECT $1, b, v, v, v, 1, v, b
       FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') AS b,
            LATERAL (SELECT CASE WHEN b >= $4 AND b < $5 THEN 0 ELSE 9.5 END AS v) AS x`,
    [series.id, at(1790), at(1812), at(1796), at(1808)],
  );
});

describe("maintenance.reliability.summary", () => {
  it("computes MTBF, MTTR, availability, failures by mode and the censored Weibull fit of the hand-worked data set", async () => {
    const api = callerAs(db, org.users.viewer);
    const s = await api.maintenance.reliability.summary({ groupBy: "componentType", to: TO });
    expect(s.groups.map((g) => g.key)).toEqual(["pump"]);
    const pump = s.groups[0]!;
    expect(pump.components).toBe(3);
    expect(pump.failures).toBe(3);
    expect(pump.lives).toEqual({ failed: 3, censored: 3 });
    expect(pump.operatingHours).toBeCloseTo(11976, 6);
    expect(pump.mtbfHours).toBeCloseTo(3992, 6);
    // the derived 8 h shows the maintenance window was left out (12 h otherwise)
    expect(pump.mttrHours).toBeCloseTo(8, 6);
    expect(pump.repairs).toEqual({ logged: 2, telemetry: 1, unknown: 0 });
    expect(pump.availability.inherent).toBeCloseTo(0.998, 9);
    expect(pump.availability.measured).toBeCloseTo(0.998, 9);
    expect(pump.failuresByMode.map((m) => [m.code, m.count])).toEqual([
      ["VIB", 2],
      ["ELP", 1],
    ]);
    const w = pump.weibull!;
    expect(w.beta).toBeCloseTo(1.65187, 4);
    expect(w.eta).toBeCloseTo(3252.06, 1);
    expect(w.confidence).toBe(0.9);
    expect(w.betaInterval![0]).toBeCloseTo(0.7741, 3);
    expect(w.betaInterval![1]).toBeCloseTo(3.525, 3);
    expect(w.etaInterval![0]).toBeCloseTo(1777.4, 0);
    expect(w.etaInterval![1]).toBeCloseTo(5950.3, 0);
    expect(w).toMatchObject({ failures: 3, suspensions: 3 });
    expect(w.points).toHaveLength(3);
    expect(w.curve[0]).toMatchObject({ t: 0, r: 1 });
    // the organisation's overall figures are the pump's here (pumps are its only components)
    expect(s.overall.mtbfHours).toBeCloseTo(3992, 6);
    expect(s.overall.components).toBe(3);
  });

  it("groups by site and by system model with the same figures, labelled by name", async () => {
    const api = callerAs(db, org.users.viewer);
    const bySite = await api.maintenance.reliability.summary({ groupBy: "site", to: TO });
    expect(bySite.groups).toHaveLength(1);
    expect(bySite.groups[0]!.label).toMatch(/^Site /);
    expect(bySite.groups[0]!.mtbfHours).toBeCloseTo(3992, 6);
    const byModel = await api.maintenance.reliability.summary({ groupBy: "systemModel", to: TO, confidence: 0.95 });
    expect(byModel.groups[0]!.label).toBe("Test Test unit");
    expect(byModel.groups[0]!.weibull!.beta).toBeCloseTo(1.65187, 4);
    // 95 % bounds are wider than the 90 % ones
    expect(byModel.groups[0]!.weibull!.betaInterval![0]).toBeLessThan(0.7741);
  });

  it("counts only failures from `from`", async () => {
    const api = callerAs(db, org.users.viewer);
    const s = await api.maintenance.reliability.summary({ groupBy: "componentType", from: at(2000), to: TO });
    // only A's failure at 2500 h: its life 1490 h (from the repair at 1010 h); censored 1494, 2192, 4000
    expect(s.groups[0]!.failures).toBe(1);
    expect(s.groups[0]!.mtbfHours).toBeCloseTo(1490 + 1494 + 2192 + 4000, 6);
    expect(s.groups[0]!.mttrHours).toBeCloseTo(6, 6);
    await expect(api.maintenance.reliability.summary({ groupBy: "site", from: TO, to: TO })).rejects.toThrow(/must be before/);
  });

  it("keeps organisations apart and needs a signed-in user", async () => {
    const other = await makeOrg(db, { systems: 1 });
    const s = await callerAs(db, other.users.viewer).maintenance.reliability.summary({ groupBy: "componentType", to: TO });
    expect(s.overall.failures).toBe(0);
    expect(s.overall.components).toBe(1);
    await expect(callerAs(db, null).maintenance.reliability.summary({ groupBy: "site" })).rejects.toSatisfy(
      (e: unknown) => e instanceof TRPCError && e.code === "UNAUTHORIZED",
    );
  });

  // last: it removes pump C
  it("uses the still-running unit: without pump C's censored 4000 h, η drops from 3252 h to 1977 h", async () => {
    await db.component.delete({ where: { id: pumps.c } });
    const s = await callerAs(db, org.users.viewer).maintenance.reliability.summary({ groupBy: "componentType", to: TO });
    const w = s.groups[0]!.weibull!;
    expect(w.suspensions).toBe(2);
    expect(w.beta).toBeCloseTo(3.47667, 4);
    expect(w.eta).toBeCloseTo(1976.76, 1);
    expect(s.groups[0]!.mtbfHours).toBeCloseTo((11976 - 4000) / 3, 6);
  });
});
