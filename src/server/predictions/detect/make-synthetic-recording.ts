// Seeded, SKAB-like sensor recordings with known anomaly labels, for the detector's tests and
// `npm run bench:detect`. Eight correlated sensors driven by three hidden processes (pump load,
// temperature, vibration) plus sensor noise; after the training rows, anomalies of four kinds are
// injected in segments: a valve-like step (pressure up, flow down), a vibration drift, a current
// that stops following the load, and a vibration noise burst.

import { mulberry32 as prng } from "@/lib/random";
export const SKAB_COLUMNS = ["Accelerometer1RMS", "Accelerometer2RMS", "Current", "Pressure", "Temperature", "Thermocouple", "Voltage", "Volume Flow RateRMS"] as const;

export type AnomalyKind = "step" | "drift" | "decouple" | "burst";

export interface SyntheticRecording {
  columns: string[];
  times: string[];
  rows: number[][];
  /** 1 inside an injected anomaly */
  labels: (0 | 1)[];
  segments: { kind: AnomalyKind; start: number; end: number }[];
}

export interface SyntheticOptions {
  seed: number;
  rows: number;
  trainRows: number;
  /** kinds injected in turn after the training rows; none: a clean recording */
  kinds?: AnomalyKind[];
  /** anomaly size in standard deviations of the affected sensors (default 4: clear) */
  magnitude?: number;
  start?: Date;
}


function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** SKAB's time format: `2020-03-09 10:14:33`, one row a second. */
export function skabTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

export function makeSyntheticRecording(o: SyntheticOptions): SyntheticRecording {
  const rand = prng(o.seed);
  const g = gaussian(rand);
  const magnitude = o.magnitude ?? 4;
  const start = o.start ?? new Date("2020-03-09T10:14:33Z");
  // AR(1) hidden processes with unit stationary variance
  const ar = (phi: number) => {
    let x = g();
    return () => (x = phi * x + Math.sqrt(1 - phi * phi) * g());
  };
  const load = ar(0.95);
  const temp = ar(0.98);
  const vib = ar(0.8);
  const clean: number[][] = [];
  for (let i = 0; i < o.rows; i++) {
    const L = load();
    const T = temp();
    const V = vib();
    clean.push([
      0.21 + 0.004 * (0.8 * V + 0.4 * L) + 0.0015 * g(),
      0.27 + 0.004 * (0.8 * V + 0.3 * L) + 0.0015 * g(),
      1.5 + 0.2 * L + 0.05 * g(),
      0.3 + 0.08 * L + 0.03 * g(),
      70 + 1.0 * T + 0.1 * g(),
      28 + 0.9 * T + 0.15 * g(),
      230 - 0.5 * L + 2 * g(),
      32 + 1.5 * L + 0.5 * g(),
    ]);
  }
  // standard deviations over the training rows: anomaly sizes are in these units
  const n0 = Math.max(2, o.trainRows);
  const sd = SKAB_COLUMNS.map((_, j) => {
    const v = clean.slice(0, n0).map((r) => r[j]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  });
  const rows = clean.map((r) => [...r]);
  const labels: (0 | 1)[] = rows.map(() => 0);
  const segments: SyntheticRecording["segments"] = [];
  const kinds = o.kinds ?? [];
  let at = o.trainRows + 80 + Math.floor(rand() * 80);
  for (let s = 0; kinds.length && at < o.rows - 40; s++) {
    const kind = kinds[s % kinds.length]!;
    const end = Math.min(o.rows, at + 80 + Math.floor(rand() * 70));
    for (let i = at; i < end; i++) {
      const r = rows[i]!;
      // drifts reach full size half-way through the segment and stay there
      const ramp = Math.min(1, (2 * (i - at + 1)) / (end - at));
      if (kind === "step") {
        r[3]! += magnitude * sd[3]!;
        r[7]! -= magnitude * sd[7]!;
      } else if (kind === "drift") {
        r[0]! += 1.5 * magnitude * sd[0]! * ramp;
        r[1]! += 1.5 * magnitude * sd[1]! * ramp;
      } else if (kind === "decouple") {
        r[2] = 1.5 + magnitude * 0.75 * sd[2]! + 0.05 * g();
      } else {
        r[0]! += magnitude * 0.75 * sd[0]! * g();
        r[1]! += magnitude * 0.75 * sd[1]! * g();
      }
      labels[i] = 1;
    }
    segments.push({ kind, start: at, end });
    at = end + 100 + Math.floor(rand() * 100);
  }
  const times = rows.map((_, i) => skabTime(new Date(start.getTime() + i * 1000)));
  return { columns: [...SKAB_COLUMNS], times, rows, labels, segments };
}

/** The recording as SKAB writes it: `;`-separated, `datetime` first, `anomaly` and `changepoint` last. */
export function recordingToCsv(rec: SyntheticRecording, o: { delimiter?: string; newline?: string; bom?: boolean; labels?: boolean } = {}): string {
  const d = o.delimiter ?? ";";
  const nl = o.newline ?? "\n";
  const withLabels = o.labels ?? true;
  const lines = [["datetime", ...rec.columns, ...(withLabels ? ["anomaly", "changepoint"] : [])].join(d)];
  rec.rows.forEach((r, i) => {
    const changepoint = rec.segments.some((s) => s.start === i) ? 1 : 0;
    lines.push([rec.times[i]!, ...r.map((v) => String(Number(v.toPrecision(7)))), ...(withLabels ? [String(rec.labels[i]), String(changepoint)] : [])].join(d));
  });
  return (o.bom ? "\uFEFF" : "") + lines.join(nl) + nl;
}
