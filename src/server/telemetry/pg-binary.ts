/**
 * PostgreSQL arrays in the binary wire format (array_send/array_recv), for the telemetry store's
 * parameters. node-postgres sends a Buffer parameter as binary, so the server reads each element
 * with int4recv/float8recv/timestamptz_recv instead of parsing text: no number->string conversion
 * here, no strtod there, float64 bit-exact (including -0), timestamps without per-row arithmetic.
 *
 * Hand-written because pg and pg-types only serialise text: measured on the ingest path, text array
 * literals cost about a third of the store's CPU in this process (bench:ingest, docs in store.ts).
 */

const OID_INT4 = 23;
const OID_FLOAT8 = 701;
const OID_TIMESTAMPTZ = 1184;

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000;
const TWO_32 = 4_294_967_296;

function arrayBuffer(n: number, elementBytes: number, oid: number): { buf: Buffer; view: DataView; offset: number } {
  const size = n === 0 ? 12 : 20 + n * (4 + elementBytes);
  const buf = Buffer.allocUnsafe(size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setInt32(0, n === 0 ? 0 : 1); // dimensions
  view.setInt32(4, 0); // no nulls
  view.setInt32(8, oid);
  if (n === 0) return { buf, view, offset: 12 };
  view.setInt32(12, n); // length of the one dimension
  view.setInt32(16, 1); // lower bound
  return { buf, view, offset: 20 };
}

/** int4[]; values must be 32-bit integers. */
export function int4ArrayBinary(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const { buf, view } = arrayBuffer(n, 4, OID_INT4);
  let o = n === 0 ? 12 : 20;
  for (let i = 0; i < n; i++) {
    view.setInt32(o, 4);
    view.setInt32(o + 4, values[i]!);
    o += 8;
  }
  return buf;
}

/** float8[], bit-exact. */
export function float8ArrayBinary(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const { buf, view } = arrayBuffer(n, 8, OID_FLOAT8);
  let o = n === 0 ? 12 : 20;
  for (let i = 0; i < n; i++) {
    view.setInt32(o, 8);
    view.setFloat64(o + 4, values[i]!);
    o += 12;
  }
  return buf;
}

/** timestamptz[] from epoch milliseconds (integers). */
export function timestamptzArrayBinary(epochMs: ArrayLike<number>): Buffer {
  const n = epochMs.length;
  const { buf, view } = arrayBuffer(n, 8, OID_TIMESTAMPTZ);
  let o = n === 0 ? 12 : 20;
  for (let i = 0; i < n; i++) {
    view.setInt32(o, 8);
    const us = epochMs[i]! * 1000 - PG_EPOCH_OFFSET_US;
    if (Number.isSafeInteger(us)) {
      const hi = Math.floor(us / TWO_32);
      view.setInt32(o + 4, hi);
      view.setUint32(o + 8, us - hi * TWO_32);
    } else {
      // beyond +-285 years of 2000: exact through BigInt (slow, and never on the live path)
      view.setBigInt64(o + 4, BigInt(epochMs[i]!) * 1000n - BigInt(PG_EPOCH_OFFSET_US));
    }
    o += 12;
  }
  return buf;
}
