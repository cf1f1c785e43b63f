// The benchmark fleet shared by bench:ingest and bench:mqtt: one device per system, 10 metrics x 2
// components = 20 series per device, and pre-built bodies with the same rows as COPY text for the baseline.
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Db } from "../../src/server/db";
import { createDevice } from "../../src/server/devices/manage-devices";
import { mulberry32 } from "./common";

const METRICS = ["flow_rate", "water_temperature", "power", "uv_intensity", "uvt", "pump_pressure", "filter_dp", "pump_speed", "vibration", "turbidity"];
export const SERIES_PER_DEVICE = 20;

export async function createBenchFleet(db: Db, deviceCount: number): Promise<{ id: string; token: string }[]> {
  const org = await db.organization.create({ data: { slug: `bench-${Date.now()}`, name: "Bench" } });
  const site = await db.site.create({ data: { organizationId: org.id, code: "B", name: "Bench", timeZone: "UTC" } });
  const model = await db.systemModel.create({ data: { organizationId: org.id, code: "BM", manufacturer: "B", name: "B", ratedFlowM3h: 10 } });
  const devices: { id: string; token: string }[] = [];
  for (let d = 0; d < deviceCount; d++) {
    const sys = await db.treatmentSystem.create({
      data: { organizationId: org.id, siteId: site.id, modelId: model.id, code: `BENCH-${d}`, name: `Bench ${d}`, requiredDoseMjCm2: 40 },
    });
    await db.component.createMany({ data: ["pump-1", "uv-1"].map((code) => ({ systemId: sys.id, code, type: code === "pump-1" ? "pump" : "uv_reactor", name: code })) });
    devices.push(await createDevice(db, { all: true }, { type: "cli", label: "bench" }, { systemCode: sys.code }));
  }
  return devices;
}

/**
 * `count` bodies: body g belongs to device g % deviceCount and holds 20 series x `timestamps` readings
 * 1 s apart from `t0`; keys are distinct everywhere. `rows` is the same data as COPY text (series ids
 * as the store numbers them: device * 20 + s + 1).
 */
export function buildBodies(count: number, deviceCount: number, timestamps: number, t0: number): { device: number; body: Buffer; rows: string }[] {
  const rand = mulberry32(42);
  const out: { device: number; body: Buffer; rows: string }[] = [];
  for (let g = 0; g < count; g++) {
    const device = g % deviceCount;
    const slot = Math.floor(g / deviceCount);
    const readings = [];
    const copyRows: string[] = [];
    for (let i = 0; i < timestamps; i++) {
      const ts = t0 + (slot * timestamps + i) * 1000;
      for (let s = 0; s < SERIES_PER_DEVICE; s++) {
        const value = Math.round(rand() * 1e4) / 1e3; // 0–10: inside every metric's valid range
        readings.push({ metric: METRICS[s % 10], component: s < 10 ? "pump-1" : "uv-1", ts, value });
        copyRows.push(`${device * SERIES_PER_DEVICE + s + 1}\t${new Date(ts).toISOString()}\t${value}\n`);
      }
    }
    out.push({ device, body: Buffer.from(JSON.stringify(readings)), rows: copyRows.join("") });
  }
  return out;
}

/** The baseline table: the same columns and primary key index as telemetry_reading. */
export async function createCopyTable(pool: pg.Pool): Promise<void> {
  await pool.query("CREATE TABLE bench_copy (LIKE telemetry_reading INCLUDING ALL)");
}

/** Raw COPY of `rows` (COPY text, one string per batch) into bench_copy on a new connection: rows/s. */
export async function copyBaseline(url: string, rows: string[], rowCount: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = process.hrtime.bigint();
    await pipeline(Readable.from(rows), client.query(copyFrom("COPY bench_copy (series_id, ts, value) FROM STDIN")));
    return rowCount / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await client.end();
  }
}
