/**
 * Trailing-window features of one unit's normalised sensors. Single readings are noisy (C-MAPSS
 * sensors have a noise as large as most of the wear drift), so each row is described by what the
 * recent past shows: the last value, short and long rolling means, the slope over the long window
 * and the drift of the recent mean from the unit's first readings (units start with different wear).
 * Windows shrink at a unit's start, so a unit with fewer rows than a window still gets features.
 */

export const SHORT_WINDOW = 5;
export const LONG_WINDOW = 30;
export const PER_SENSOR = 5;

export function featureNames(sensorNames: string[]): string[] {
  const names = ["elapsed"];
  for (const s of sensorNames) names.push(`${s}:last`, `${s}:mean${SHORT_WINDOW}`, `${s}:mean${LONG_WINDOW}`, `${s}:slope${LONG_WINDOW}`, `${s}:drift`);
  return names;
}

/**
 * Features of rows `from..to-1` of a unit (rows in time order), written row-major into `out` at
 * `outRow`. `sensors[s][r]` is the normalised value of sensor s at the unit's row r (NaN = missing:
 * carried forward, 0 = the condition's mean before any reading); `elapsed[r]` is time since the
 * unit's first row.
 */
export function writeWindowFeatures(sensors: Float64Array[], elapsed: Float64Array, from: number, to: number, out: Float64Array, outRow: number): void {
  const n = elapsed.length;
  const width = 1 + PER_SENSOR * sensors.length;
  for (let r = from; r < to; r++) out[(outRow + r - from) * width] = elapsed[r]!;
  // prefix sums make each window O(1): sums of z, t, t*z, t*t
  const pz = new Float64Array(n + 1);
  const pt = new Float64Array(n + 1);
  const ptz = new Float64Array(n + 1);
  const ptt = new Float64Array(n + 1);
  const z = new Float64Array(n);
  for (let s = 0; s < sensors.length; s++) {
    const raw = sensors[s]!;
    let carried = 0;
    for (let r = 0; r < n; r++) {
      const v = raw[r]!;
      if (Number.isFinite(v)) carried = v;
      z[r] = carried;
      const t = elapsed[r]!;
      pz[r + 1] = pz[r]! + carried;
      pt[r + 1] = pt[r]! + t;
      ptz[r + 1] = ptz[r]! + t * carried;
      ptt[r + 1] = ptt[r]! + t * t;
    }
    const early = Math.min(n, LONG_WINDOW);
    for (let r = from; r < to; r++) {
      const base = (outRow + r - from) * width + 1 + s * PER_SENSOR;
      const aShort = Math.max(0, r + 1 - SHORT_WINDOW);
      const aLong = Math.max(0, r + 1 - LONG_WINDOW);
      const k = r + 1 - aLong;
      const meanLong = (pz[r + 1]! - pz[aLong]!) / k;
      const st = pt[r + 1]! - pt[aLong]!;
      const denom = k * (ptt[r + 1]! - ptt[aLong]!) - st * st;
      const slope = denom > 1e-12 ? (k * (ptz[r + 1]! - ptz[aLong]!) - st * (pz[r + 1]! - pz[aLong]!)) / denom : 0;
      // the unit's first readings as far as they are known at row r (no look-ahead)
      const e = Math.min(early, r + 1);
      out[base] = z[r]!;
      out[base + 1] = (pz[r + 1]! - pz[aShort]!) / (r + 1 - aShort);
      out[base + 2] = meanLong;
      out[base + 3] = slope;
      out[base + 4] = meanLong - pz[e]! / e;
    }
  }
}
