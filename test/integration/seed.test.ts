import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDbState, type Db } from "../../src/server/db";
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists } from "../../src/server/db/migrate";
import { prepareDatabase } from "../../src/server/db/prepare";
import { closeDb } from "../../src/server/db";
import { isDemoSeeded, seedDemo, seedDemoIfEmpty, type SeedResult } from "../../src/server/seed";
import { DEMO_ORG, SECOND_ORG } from "../../src/server/seed/demo-fleet";
import {
  buildDegradationHistory,
  DEGRADATION_DEMO,
  FILTER_DP_NOW_BAR,
  FILTER_DP_START_BAR,
  HEALTHY_VIBRATION_MM_S,
  HISTORY_DAYS,
  HISTORY_STEP_MS,
  seedDegradationHistory,
  UV_DAYS_TO_SETPOINT,
  UV_START_FACTOR,
} from "../../src/server/seed/degradation-history";
import { viscosityRatio } from "../../src/lib/physics";
import { seedPumpHistory } from "../../src/server/seed/pump-history";
import { trainPumpRiskModel } from "../../src/server/predictions/risk/train-pump-risk-model";
import { runPredictions } from "../../src/server/predictions/run-predictions";
import { BUILT_IN_METRICS } from "../../src/lib/metric-catalogue";
import { verifyCredentials } from "../../src/server/auth/verify-credentials";
import { listFleet } from "../../src/server/fleet/list-fleet";
import { CHEAP_HASH, uid } from "./helpers";

// The demo seed uses fixed codes and emails, so it gets a database of its own.
const admin = process.env.ECOMATE_ADMIN_DATABASE_URL!;
const name = `ecomate_seed_${uid()}`;
let state: ReturnType<typeof createDbState>;
let db: Db;
let seeded: SeedResult;
let seedMs = 0;

beforeAll(async () => {
  await createDatabaseIfMissing(admin, name);
  await prepareDatabase(databaseUrl(admin, name));
  state = createDbState(databaseUrl(admin, name), 4);
  db = state.db;
});

afterAll(async () => {
  await closeDb(); // seedDemoIfEmpty's connection
  await state?.db.$disconnect();
  await state?.pool.end();
  await dropDatabaseIfExists(admin, name);
});

describe("demo fleet seed", () => {
  it("loads a realistic fleet: 3+ sites, 12 systems of 3 models with component trees, BOMs, devices", async () => {
    expect(await isDemoSeeded(db)).toBe(false);
    const started = performance.now();
    const result = await seedDemo(db, { hashCost: CHEAP_HASH, telemetryHistory: { pool: state.pool } });
    seedMs = performance.now() - started;
    seeded = result;
    const org = await db.organization.findUniqueOrThrow({ where: { slug: DEMO_ORG.slug } });
    const fleet = await listFleet(db, { organizationId: org.id });
    expect(fleet.length).toBeGreaterThanOrEqual(3);
    const systems = fleet.flatMap((s) => s.systems);
    expect(systems).toHaveLength(12);
    expect(new Set(systems.map((s) => s.model)).size).toBe(3);
    expect(new Set(fleet.map((s) => s.timeZone)).size).toBe(3);
    // every system has a pump, a UV reactor with lamp and sensor, a filter; a device each
    for (const code of systems.map((s) => s.code)) {
      const comps = await db.component.findMany({ where: { system: { code } }, select: { code: true, type: true, parentId: true, _count: { select: { bom: true } } } });
      const types = new Set(comps.map((c) => c.type));
      for (const t of ["pump", "motor", "filter", "uv_reactor", "lamp", "uv_sensor", "sleeve", "ballast", "tank"]) expect(types, `${code} has a ${t}`).toContain(t);
      expect(comps.find((c) => c.code === "lamp-1")?.parentId).toBeTruthy();
      expect(comps.filter((c) => c._count.bom > 0).length).toBeGreaterThan(5);
    }
    expect(result.devices.filter((d) => d.organization === DEMO_ORG.slug)).toHaveLength(12);
    // Class A units require 40 mJ/cm² (NSF/ANSI 55) and carry validated limits
    const uv10 = await db.treatmentSystem.findFirstOrThrow({ where: { model: { code: "AQ-UV10" } }, include: { limits: true } });
    expect(uv10.requiredDoseMjCm2).toBe(40);
    expect(uv10.nsfClass).toBe("A");
    expect(uv10.limits.find((l) => l.metricKey === "flow_rate")?.max).toBe(12);
    // the §4.3 alarm set per system: every system has a critical, compliance (never shelved) UV-intensity rule at its validated setpoint
    const uvRules = await db.alertRule.findMany({
      where: { metric: { key: "uv_intensity" }, kind: "threshold_lolo", severity: "critical", isCompliance: true, enabled: true },
      select: { threshold: true, organizationId: true, system: { select: { code: true, limits: { where: { metricKey: "uv_intensity" } } } } },
    });
    const allSystems = await db.treatmentSystem.findMany({ select: { code: true } });
    expect(uvRules.map((r) => r.system!.code).sort()).toEqual(allSystems.map((s) => s.code).sort());
    for (const r of uvRules) expect(r.threshold, r.system!.code).toBe(r.system!.limits[0]!.min);
    expect(await db.alertRule.count({ where: { systemId: uv10.id } })).toBe(16);
    expect(await db.alertRule.count({ where: { system: { code: "NBG-04" }, kind: "stale", severity: "major" } })).toBe(1);
    expect(await db.alertRule.count({ where: { organizationId: { not: org.id }, system: { organizationId: org.id } } })).toBe(0);
    // stock per site with reorder points; the metric catalogue of contracts.md
    expect(await db.stockLevel.count({ where: { site: { organizationId: org.id } } })).toBeGreaterThan(30);
    const keys = (await db.metric.findMany({ where: { builtIn: true }, select: { key: true } })).map((m) => m.key).sort();
    expect(keys).toEqual(BUILT_IN_METRICS.map((m) => m.key).sort());

    // maintenance history to learn from: closed corrective orders coded with a failure mode and downtime
    const corrective = await db.workOrder.findMany({
      where: { organizationId: org.id, type: "corrective", status: "done" },
      select: { failureModeId: true, downtimeStart: true, downtimeEnd: true, completedAt: true, componentId: true, _count: { select: { labour: true, statusHistory: true } } },
    });
    expect(corrective.length).toBeGreaterThan(20);
    for (const wo of corrective) {
      expect(wo.failureModeId).not.toBeNull();
      expect(wo.componentId).not.toBeNull();
      expect(wo.downtimeEnd!.getTime()).toBeGreaterThan(wo.downtimeStart!.getTime());
      expect(wo.completedAt!.getTime()).toBeLessThan(Date.now());
      expect(wo._count.labour).toBe(1);
      expect(wo._count.statusHistory).toBe(3);
    }
    const modes = await db.workOrder.groupBy({ by: ["failureModeId"], where: { organizationId: org.id, type: "corrective" } });
    expect(modes.length).toBeGreaterThanOrEqual(4);
    // open work for the technician, a parts request for the manager, three schedules per system
    expect(await db.workOrder.count({ where: { organizationId: org.id, status: { in: ["open", "requested"] } } })).toBe(2);
    expect(await db.partsRequest.count({ where: { organizationId: org.id, status: "requested" } })).toBe(1);
    const systemCount = await db.treatmentSystem.count({ where: { organizationId: org.id } });
    const analysers = await db.component.count({ where: { system: { organizationId: org.id }, code: { startsWith: "uvt-" } } });
    // inspection, lamps and filter per system (36), plus a calibration check per UV sensor and UVT analyser
    expect(await db.maintenanceSchedule.count({ where: { organizationId: org.id, name: { not: { contains: "check against" } } } })).toBe(36);
    expect(await db.maintenanceSchedule.count({ where: { organizationId: org.id, name: "UV sensor check against the reference sensor", intervalDays: 30 } })).toBe(systemCount);
    expect(await db.maintenanceSchedule.count({ where: { organizationId: org.id, name: "UVT analyser check against the lab", intervalDays: 7 } })).toBe(analysers);
    expect(analysers).toBeGreaterThan(0);
    expect(await db.maintenanceSchedule.count({ where: { organizationId: org.id, kind: "time", nextDueAt: { lte: new Date() } } })).toBe(0);
    // a year of calibration checks: none failed (today's water would be off-spec), every instrument in calibration now
    const checks = await db.calibrationCheck.findMany({ where: { system: { organizationId: org.id } }, orderBy: { checkedAt: "desc" } });
    expect(checks.length).toBeGreaterThan(systemCount * 10);
    expect(checks.filter((c) => c.result === "fail")).toEqual([]);
    expect(checks.some((c) => c.result === "drift")).toBe(true);
    const latest = new Map<string, (typeof checks)[number]>();
    for (const c of checks) if (!latest.has(c.componentId)) latest.set(c.componentId, c);
    expect(latest.size).toBe(systemCount + analysers);
    for (const c of latest.values()) {
      expect(c.result).toBe("pass");
      expect(Date.now() - c.checkedAt.getTime()).toBeLessThan((c.instrument === "uv_sensor" ? 30 : 7) * 86_400_000);
    }
  });

  it("creates one demo user per role with the documented passwords", async () => {
    for (const [role, password] of [["admin", "admin-demo-pass"], ["manager", "manager-demo-pass"], ["technician", "technician-demo-pass"], ["viewer", "viewer-demo-pass"]] as const) {
      const user = await verifyCredentials(db, `${role}@ecomate.local`, password);
      expect(user?.role).toBe(role);
    }
  });

  describe("telemetry history for the degradation models", () => {
    const DAY = 86_400_000;
    interface Hour {
      bucket: Date;
      mean: number;
      min: number;
      count: number;
    }

    async function hourly(system: string, component: string, metric: string): Promise<Hour[]> {
      return db.$queryRaw<Hour[]>`
        SELECT h.bucket, h.sum / h.count AS mean, h.min, h.count
          FROM telemetry_rollup_1h h
          JOIN series s ON s.id = h.series_id
          JOIN "system" y ON y.id = s.system_id
          JOIN component c ON c.id = s.component_id
          JOIN metric m ON m.id = s.metric_id
         WHERE y.code = ${system} AND c.code = ${component} AND m.key = ${metric}
         ORDER BY h.bucket`;
    }

    /** Mean of the hourly means per whole 24 hours, counted back from the last hour; oldest first. */
    function dailyMeans(hours: Hour[]): number[] {
      const last = hours.at(-1)!.bucket.getTime();
      const days = new Map<number, number[]>();
      for (const h of hours) {
        const d = Math.floor((last - h.bucket.getTime()) / DAY);
        days.set(d, [...(days.get(d) ?? []), h.mean]);
      }
      return [...days]
        .filter(([, v]) => v.length === 24)
        .sort(([a], [b]) => b - a)
        .map(([, v]) => v.reduce((x, y) => x + y, 0) / v.length);
    }

    /** Least squares y = a + b·x. */
    function fit(xs: number[], ys: number[]): { a: number; b: number; sd: number } {
      const n = xs.length;
      const mx = xs.reduce((p, q) => p + q, 0) / n;
      const my = ys.reduce((p, q) => p + q, 0) / n;
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < n; i++) {
        sxy += (xs[i]! - mx) * (ys[i]! - my);
        sxx += (xs[i]! - mx) ** 2;
      }
      const b = sxy / sxx;
      const a = my - b * mx;
      const sd = Math.sqrt(ys.reduce((p, y, i) => p + (y - a - b * xs[i]!) ** 2, 0) / (n - 2));
      return { a, b, sd };
    }

    const history = () => {
      const h = seeded.telemetryHistory;
      if (!h || "error" in h) throw new Error(`no telemetry history: ${JSON.stringify(h)}`);
      return h;
    };
    const limit = async (system: string, metricKey: string) =>
      db.operatingLimit.findFirstOrThrow({ where: { system: { code: system }, metricKey }, select: { min: true, max: true } });
    const daysBeforeEnd = (h: Hour) => (h.bucket.getTime() + 30 * 60_000 - history().to.getTime()) / DAY;

    it("is written through the store after the seed: raw readings, rollups and latest values, only for NBG-03, LIS-02 and NBG-04", async () => {
      const h = history();
      console.log(`demo seed with history: ${Math.round(seedMs)} ms, of which the telemetry history ${h.tookMs} ms (${h.readings} readings)`);
      const perSeries = (HISTORY_DAYS * DAY) / HISTORY_STEP_MS;
      expect(h.systems).toEqual([DEGRADATION_DEMO.filter.system, DEGRADATION_DEMO.uv.system, DEGRADATION_DEMO.pump.system]);
      expect(h.readings).toBe(8 * perSeries);
      expect(h.to.getTime()).toBeLessThanOrEqual(Date.now());
      expect(h.to.getTime() - h.from.getTime()).toBe(HISTORY_DAYS * DAY - HISTORY_STEP_MS);

      const series = await db.series.findMany({
        select: { id: true, system: { select: { code: true, organization: { select: { slug: true } } } }, component: { select: { code: true } }, metric: { select: { key: true } }, latest: true },
      });
      expect(series.map((x) => `${x.system.code} ${x.component?.code} ${x.metric.key}`).sort()).toEqual([
        "LIS-02 ft-1 flow_rate",
        "LIS-02 uvsensor-1 uv_intensity",
        "NBG-03 filter-1 filter_dp",
        "NBG-03 filter-2 filter_dp",
        "NBG-03 ft-1 flow_rate",
        "NBG-03 tt-1 water_temperature",
        "NBG-04 motor-1 vibration",
        "NBG-04 pump-1 pump_speed",
      ]);
      // the browser journeys' systems and the other organisation get nothing
      expect(series.filter((x) => ["NBG-01", "NBG-02"].includes(x.system.code) || x.system.organization.slug === SECOND_ORG.slug)).toEqual([]);
      for (const x of series) {
        expect(await db.telemetryReading.count({ where: { seriesId: x.id } }), x.metric.key).toBe(perSeries);
        expect(x.latest?.ts, x.metric.key).toEqual(h.to);
      }
      // every hour holds four readings; the 1-minute rollups have them too
      const dp = await hourly("NBG-03", "filter-2", "filter_dp");
      expect(dp.reduce((n, x) => n + x.count, 0)).toBe(perSeries);
      expect(dp.slice(1, -1).every((x) => x.count === 4)).toBe(true);
      const minutes = await db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM telemetry_rollup_1m r JOIN series s ON s.id = r.series_id JOIN metric m ON m.id = s.metric_id WHERE m.key = 'filter_dp'`;
      expect(minutes[0]?.n).toBe(2 * perSeries);
    });

    it("stores exactly the deterministic readings for the seed time (seeded PRNG)", async () => {
      const [nbg03, lis02] = await Promise.all([
        db.treatmentSystem.findFirstOrThrow({ where: { code: "NBG-03" }, select: { site: { select: { longitude: true } } } }),
        db.treatmentSystem.findFirstOrThrow({ where: { code: "LIS-02" }, select: { site: { select: { longitude: true } } } }),
      ]);
      const plan = {
        filter: { flowMaxM3h: (await limit("NBG-03", "flow_rate")).max!, longitude: nbg03.site.longitude! },
        uv: { setpointWm2: (await limit("LIS-02", "uv_intensity")).min!, flowMaxM3h: (await limit("LIS-02", "flow_rate")).max!, longitude: lis02.site.longitude! },
        pump: { longitude: nbg03.site.longitude! },
      };
      const at = history().to.getTime() + 7 * 60_000; // any time in the same quarter hour ends at the same reading
      const a = buildDegradationHistory(plan, at);
      expect(buildDegradationHistory(plan, at)).toEqual(a);
      const seriesId = async (system: string, component: string, metric: string) =>
        (await db.series.findFirstOrThrow({ where: { system: { code: system }, component: { code: component }, metric: { key: metric } }, select: { id: true } })).id;
      const stored = await db.telemetryReading.findMany({
        where: { seriesId: await seriesId("NBG-03", "filter-2", "filter_dp") },
        orderBy: { ts: "asc" },
        select: { ts: true, value: true },
      });
      expect(stored.map((r) => ({ ts: r.ts.getTime(), value: r.value }))).toEqual(a.filterDp);
      const uv = await db.telemetryReading.findMany({ where: { seriesId: await seriesId("LIS-02", "uvsensor-1", "uv_intensity") }, orderBy: { ts: "asc" }, select: { value: true } });
      expect(uv.map((r) => r.value)).toEqual(a.uvIntensity.map((r) => r.value));
      // another seed time: another two weeks
      expect(buildDegradationHistory(plan, at + 3_600_000).filterDp[0]!.ts).toBe(a.filterDp[0]!.ts + 3_600_000);
    });

    it("NBG-03's cartridge: ΔP ∝ Q·μ(T) on an exponential clogging trend that reaches 1 bar about 5 days after the seed", async () => {
      const dp = await hourly("NBG-03", DEGRADATION_DEMO.filter.clogging, "filter_dp");
      const media = await hourly("NBG-03", DEGRADATION_DEMO.filter.healthy, "filter_dp");
      const flow = new Map((await hourly("NBG-03", "ft-1", "flow_rate")).map((h) => [h.bucket.getTime(), h]));
      const temp = new Map((await hourly("NBG-03", "tt-1", "water_temperature")).map((h) => [h.bucket.getTime(), h]));

      expect((dp.at(-1)!.bucket.getTime() - dp[0]!.bucket.getTime()) / DAY).toBeGreaterThanOrEqual(13);
      const days = dailyMeans(dp);
      expect(days.length).toBeGreaterThanOrEqual(13);
      for (let i = 1; i < days.length; i++) expect(days[i], `day ${i} of ${days.length}`).toBeGreaterThan(days[i - 1]!);

      // the flow follows the day (a busy afternoon, a quiet night) and the water warms from 10 to 14 °C
      const flows = [...flow.values()].map((h) => h.mean);
      expect(Math.min(...flows)).toBeGreaterThan(0.5);
      expect(Math.max(...flows) / Math.min(...flows)).toBeGreaterThan(1.35);
      const temps = [...temp.values()].map((h) => h.mean);
      expect(Math.min(...temps)).toBeGreaterThan(9.5);
      expect(Math.max(...temps)).toBeLessThan(14.5);
      expect(Math.max(...temps) - Math.min(...temps)).toBeGreaterThan(3);

      // normalised to 80 % of the validated maximum flow and 20 °C, as the filter model does
      const refFlow = 0.8 * (await limit("NBG-03", "flow_rate")).max!;
      const normalise = (h: Hour) => (h.mean * (refFlow / flow.get(h.bucket.getTime())!.mean)) / viscosityRatio(temp.get(h.bucket.getTime())!.mean);
      const xs = dp.map(daysBeforeEnd);
      const raw = fit(xs, dp.map((h) => Math.log(h.mean)));
      const norm = fit(xs, dp.map((h) => Math.log(normalise(h))));
      // the raw gauge swings with flow and temperature; normalised, only the clogging is left
      expect(raw.sd).toBeGreaterThan(4 * norm.sd);
      expect(norm.sd).toBeLessThan(0.02);
      const level = Math.exp(norm.a);
      expect(level).toBeGreaterThan(FILTER_DP_NOW_BAR * 0.95);
      expect(level).toBeLessThan(FILTER_DP_NOW_BAR * 1.05);
      expect(Math.exp(norm.a + norm.b * -HISTORY_DAYS)).toBeCloseTo(FILTER_DP_START_BAR, 1);
      const daysToLimit = Math.log(1 / level) / norm.b;
      expect(daysToLimit).toBeGreaterThan(4);
      expect(daysToLimit).toBeLessThan(6);

      // the sand media filter beside it is healthy: flat once normalised
      const mediaFit = fit(media.map(daysBeforeEnd), media.map((h) => normalise(h)));
      expect(Math.abs(mediaFit.b * HISTORY_DAYS)).toBeLessThan(0.01);
    });

    it("LIS-02's UV sensor: above its validated setpoint now, falling, with water flowing every hour", async () => {
      const setpoint = (await limit("LIS-02", "uv_intensity")).min!;
      const uv = await hourly("LIS-02", DEGRADATION_DEMO.uv.sensor, "uv_intensity");
      const flow = new Map((await hourly("LIS-02", "ft-1", "flow_rate")).map((h) => [h.bucket.getTime(), h]));
      expect(uv.length).toBeGreaterThanOrEqual(13 * 24);
      for (const h of uv) expect(flow.get(h.bucket.getTime())?.min, h.bucket.toISOString()).toBeGreaterThan(0.5);

      const days = dailyMeans(uv);
      for (let i = 1; i < days.length; i++) expect(days[i], `day ${i} of ${days.length}`).toBeLessThan(days[i - 1]!);
      expect(days[0]! / setpoint).toBeCloseTo(UV_START_FACTOR, 1);
      expect(days.at(-1)!).toBeGreaterThan(setpoint);
      const latest = await db.seriesLatest.findFirstOrThrow({ where: { series: { system: { code: "LIS-02" }, metric: { key: "uv_intensity" } } } });
      expect(latest.value).toBeGreaterThan(setpoint);

      const line = fit(uv.map(daysBeforeEnd), uv.map((h) => h.mean));
      expect(line.a).toBeGreaterThan(setpoint);
      expect(line.b).toBeLessThan(0);
      const daysToSetpoint = (line.a - setpoint) / -line.b;
      expect(daysToSetpoint).toBeGreaterThan(UV_DAYS_TO_SETPOINT - 1.5);
      expect(daysToSetpoint).toBeLessThan(UV_DAYS_TO_SETPOINT + 1.5);
    });

    it("NBG-04's pump: running, with a steady vibration of about 1.2 mm/s", async () => {
      const vibration = await hourly("NBG-04", DEGRADATION_DEMO.pump.motor, "vibration");
      const speed = new Map((await hourly("NBG-04", DEGRADATION_DEMO.pump.pump, "pump_speed")).map((h) => [h.bucket.getTime(), h]));
      expect(vibration.length).toBeGreaterThanOrEqual(13 * 24);
      for (const h of vibration) expect(speed.get(h.bucket.getTime())?.min, h.bucket.toISOString()).toBeGreaterThan(1);
      for (const d of dailyMeans(vibration)) expect(d).toBeCloseTo(HEALTHY_VIBRATION_MM_S, 1);
      const line = fit(vibration.map(daysBeforeEnd), vibration.map((h) => h.mean));
      expect(Math.abs(line.b * HISTORY_DAYS)).toBeLessThan(0.1);
    });

    it("is never written twice: a second seedDemoIfEmpty writes nothing, and the history refuses a seeded fleet", async () => {
      const counts = async () =>
        (
          await db.$queryRaw<{ raw: number; hourly: number; series: number; orgs: number }[]>`
            SELECT (SELECT count(*) FROM telemetry_reading)::int AS raw,
                   (SELECT coalesce(sum(count), 0) FROM telemetry_rollup_1h)::int AS hourly,
                   (SELECT count(*) FROM series)::int AS series,
                   (SELECT count(*) FROM organization)::int AS orgs`
        )[0]!;
      const before = await counts();
      expect(before.raw).toBe(history().readings);
      expect(await seedDemoIfEmpty(databaseUrl(admin, name))).toEqual({ seeded: false });
      await expect(seedDegradationHistory(db, state.pool)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/NBG-03 already has .+ telemetry/) });
      await expect(seedDegradationHistory(db, state.pool, { now: new Date("not a time") })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      expect(await counts()).toEqual(before);
    });
  });

  it("is all-or-nothing: seeding twice fails without adding anything", async () => {
    const before = await db.treatmentSystem.count();
    await expect(seedDemo(db, { hashCost: CHEAP_HASH })).rejects.toThrow();
    expect(await db.treatmentSystem.count()).toBe(before);
    expect(await isDemoSeeded(db)).toBe(true);
  });

  describe("pump history", () => {
    const DAY = 86_400_000;
    let pumps: Awaited<ReturnType<typeof seedPumpHistory>>;
    it("writes a year of hourly pump telemetry around the seeded failures, once, leaving NBG-01/02 and the degradation weeks alone", async () => {
      const started = performance.now();
      pumps = await seedPumpHistory(db, state.pool);
      console.log(`pump history: ${pumps.readings} readings, ${pumps.failures} failures, ${Math.round(performance.now() - started)} ms`);
      expect(pumps.systems).not.toContain("NBG-01");
      expect(pumps.systems).not.toContain("NBG-02");
      expect(pumps.systems).toHaveLength(10);
      expect(pumps.failures).toBeGreaterThan(3);
      // six metrics, one reading an hour, a year, ten systems (three of them two weeks short), less the simulated gaps
      const full = 6 * (10 * 365 - 3 * HISTORY_DAYS) * 24;
      expect(pumps.readings).toBeLessThan(full);
      expect(pumps.readings).toBeGreaterThan(0.8 * full);
      // no hour holds readings from both: on the three degradation systems the pump history's last
      // hour (one reading at half past) ends where the degradation history's two weeks begin
      const cut = new Date(pumps.to.getTime() - HISTORY_DAYS * DAY);
      const [mixed] = await db.$queryRaw<{ n: number; last: Date | null }[]>`
        SELECT count(*) FILTER (WHERE r.ts <> ${new Date(cut.getTime() - 30 * 60_000)})::int AS n, max(r.ts) AS last
          FROM telemetry_reading r JOIN series s ON s.id = r.series_id JOIN "system" y ON y.id = s.system_id
         WHERE y.code IN ('NBG-03', 'LIS-02', 'NBG-04') AND r.ts >= ${new Date(cut.getTime() - 60 * 60_000)} AND r.ts < ${cut}`;
      expect(mixed!.n).toBe(0);
      expect(mixed!.last?.getTime()).toBe(cut.getTime() - 30 * 60_000);
      await expect(seedPumpHistory(db, state.pool)).rejects.toMatchObject({ code: "CONFLICT" });
    }, 120_000);

    it("holds weeks of rising motor vibration before each seeded bearing failure", async () => {
      const failures = await db.workOrder.findMany({
        where: { type: "corrective", failureMode: { code: "VIB" }, component: { code: "motor-1" }, system: { code: { in: pumps.systems } }, downtimeStart: { gt: new Date(pumps.from.getTime() + 45 * DAY) } },
        select: { downtimeStart: true, systemId: true },
      });
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        const mean = async (fromDays: number, toDays: number) =>
          (
            await db.$queryRaw<{ v: number }[]>`
              SELECT avg(r.sum / r.count) AS v FROM telemetry_rollup_1h r JOIN series s ON s.id = r.series_id JOIN metric m ON m.id = s.metric_id
               WHERE s.system_id = ${f.systemId} AND m.key = 'vibration'
                 AND r.bucket >= ${new Date(f.downtimeStart!.getTime() - fromDays * DAY)} AND r.bucket < ${new Date(f.downtimeStart!.getTime() - toDays * DAY)}`
          )[0]!.v;
        expect(await mean(3, 0)).toBeGreaterThan(1.5 * (await mean(45, 35)));
      }
    });

    it("is enough for the failure-risk model to learn from and score the demo's pump sets", async () => {
      const org = await db.organization.findUniqueOrThrow({ where: { slug: DEMO_ORG.slug } });
      const result = await trainPumpRiskModel(db, org.id, new Date(), { type: "cli", label: "test" });
      console.log(`demo failure-risk training: ${result.status}: ${result.message}`);
      expect(["active", "candidate"]).toContain(result.status);
      const run = await runPredictions(db, new Date(), { organizationId: org.id });
      expect(run.failed).toEqual([]);
      const scored = await db.prediction.findMany({ where: { organizationId: org.id, kind: "failure_risk" }, select: { system: { select: { code: true } } } });
      // every pump set with vibration or power in the last day: not NBG-01/02 (no simulator runs here), nor
      // NBG-03 and LIS-02, whose last two weeks are the degradation history's flow and filter/UV series
      const notScored = ["LIS-02", "NBG-01", "NBG-02", "NBG-03"];
      expect(scored.map((p) => p.system.code).sort()).toEqual(pumps.systems.filter((c) => !notScored.includes(c)).sort());
      const skipped = run.skipped.filter((s) => s.model.startsWith("pump-failure-risk"));
      expect(skipped.map((s) => s.system).sort()).toEqual(notScored);
      for (const s of skipped) expect(s.reason).toMatch(/of the last 24 hours have pump data/);
    }, 120_000);
  });
});
