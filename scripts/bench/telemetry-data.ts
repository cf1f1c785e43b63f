// Seeded synthetic telemetry for the storage and query benchmarks, written with binary COPY.
// Every reading is a pure function of (seed, series, slot), so any slice can be regenerated on its own
// (the query benchmark resumes a build day by day, the storage benchmark checks values read back).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

export interface DataSpec {
  seed: number;
  series: number;
  /** first series id */
  firstSeriesId: number;
  /** nominal time of slot 0 (epoch ms) */
  start: number;
  /** nominal spacing of a series' readings (ms, may be fractional) */
  intervalMs: number;
  /** each reading is moved by up to ± this (ms), as device clocks do */
  jitterMs: number;
}

/** A 32-bit mix of three integers to [0, 1): stateless, so slots can be generated in any order. */
function hash01(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^ Math.imul(c + 0x165667b1, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

const DAY = 86_400_000;

/** Time of slot i of series s (ms): strictly increasing in i while intervalMs > 2 * jitterMs + 1. */
export function slotTime(spec: DataSpec, s: number, i: number): number {
  return Math.round(spec.start + i * spec.intervalMs + (hash01(spec.seed + 1, s, i) - 0.5) * 2 * spec.jitterMs);
}

/**
 * Value of slot i of series s: a gauge like a pressure or flow sensor — a level per series, a daily
 * cycle, a slower wave and sensor noise, so every float64 uses its whole mantissa (the worst case for
 * compression; nothing here repeats).
 */
export function slotValue(spec: DataSpec, s: number, i: number): number {
  const t = slotTime(spec, s, i);
  const level = 1 + 99 * hash01(spec.seed, s, -1);
  const amp = level * (0.05 + 0.2 * hash01(spec.seed, s, -2));
  const phase = 2 * Math.PI * hash01(spec.seed, s, -3);
  const slow = Math.sin((2 * Math.PI * t) / (3_600_000 * (1 + (s % 5))));
  return level + amp * Math.sin((2 * Math.PI * t) / DAY + phase) + 0.2 * amp * slow + 0.01 * level * (hash01(spec.seed, s, i) - 0.5);
}

// PostgreSQL binary COPY: signature, flags, header extension; tuples; trailer.
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const TRAILER = Buffer.from([0xff, 0xff]);
const ROW_BYTES = 2 + 4 + 4 + 4 + 8 + 4 + 8;
const PG_EPOCH_MS = 946_684_800_000;

/** Binary COPY rows (series_id int4, ts timestamptz, value float8) for slots [fromSlot, toSlot) of every series, time-major. */
function* encode(spec: DataSpec, fromSlot: number, toSlot: number, rowsPerChunk = 8192): Generator<Buffer> {
  yield SIGNATURE;
  let buf = Buffer.allocUnsafe(rowsPerChunk * ROW_BYTES);
  let off = 0;
  for (let i = fromSlot; i < toSlot; i++) {
    for (let k = 0; k < spec.series; k++) {
      const s = spec.firstSeriesId + k;
      off = buf.writeInt16BE(3, off);
      off = buf.writeInt32BE(4, off);
      off = buf.writeInt32BE(s, off);
      off = buf.writeInt32BE(8, off);
      off = buf.writeBigInt64BE(BigInt(slotTime(spec, s, i) - PG_EPOCH_MS) * 1000n, off);
      off = buf.writeInt32BE(8, off);
      off = buf.writeDoubleBE(slotValue(spec, s, i), off);
      if (off === buf.length) {
        yield buf;
        buf = Buffer.allocUnsafe(rowsPerChunk * ROW_BYTES);
        off = 0;
      }
    }
  }
  if (off > 0) yield buf.subarray(0, off);
  yield TRAILER;
}

/** COPYs slots [fromSlot, toSlot) of every series into `table` (one statement, so one transaction). */
export async function copySlots(client: pg.ClientBase, table: string, spec: DataSpec, fromSlot: number, toSlot: number): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (series_id, ts, value) FROM STDIN (FORMAT binary)`));
  await pipeline(Readable.from(encode(spec, fromSlot, toSlot)), stream);
  return (toSlot - fromSlot) * spec.series;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}
