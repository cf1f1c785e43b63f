import { mulberry32 } from "@/lib/random";

/**
 * A seeded stand-in for NASA's C-MAPSS turbofan files, for tests and the benchmark (the real files
 * cannot be fetched here). Each unit has a hidden health index that degrades exponentially from a
 * random initial wear to failure; 14 of the 21 sensors follow it with noise (one in whole numbers),
 * 6 are constant (per operating condition) and one flickers by one step of 0.01, like the real set. With `conditions: 6` every row runs in one of six
 * regimes (the FD002/FD004 altitude / Mach / throttle settings) that shift the sensors far more
 * than wear does. Files are header-less, space-separated, with trailing spaces, 26 columns:
 * unit, cycle, 3 settings, 21 sensors.
 */
export interface SyntheticOptions {
  seed: number;
  trainUnits: number;
  testUnits: number;
  conditions?: 1 | 6;
}

export interface SyntheticData {
  train: string;
  test: string;
  /** true RUL of each test unit at its last row, in cycles, in file order */
  truth: { unit: string; rul: number }[];
  trainRows: number;
}

const REGIMES = [
  [0, 0, 100],
  [10, 0.25, 100],
  [20, 0.7, 100],
  [25, 0.62, 60],
  [35, 0.84, 100],
  [42, 0.84, 40],
] as const;
const CONSTANT_SENSORS = new Set([0, 4, 5, 9, 15, 17, 18]);
const FLICKERING_SENSOR = 5;
const INTEGER_SENSOR = 16;

export function generateCmapssLike(options: SyntheticOptions): SyntheticData {
  const random = mulberry32(options.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const conditions = options.conditions ?? 1;
  // per sensor: base level, wear gain (signed), noise, shift per regime
  const sensors = Array.from({ length: 21 }, (_x, j) => {
    const base = 10 + random() * 1000;
    const noise = base * 0.0005 * (0.5 + random());
    const constant = CONSTANT_SENSORS.has(j);
    const gain = constant ? 0 : (random() < 0.5 ? -1 : 1) * noise * (3 + 5 * random());
    const shift = REGIMES.map((_r, c) => (c === 0 ? 0 : (random() - 0.5) * base * 0.3));
    return { base, noise, gain, shift, constant };
  });

  const row = (unit: number, cycle: number, wear: number): string => {
    const c = conditions === 6 ? Math.floor(random() * 6) : 0;
    const regime = REGIMES[c]!;
    const settings =
      conditions === 6
        ? [regime[0] + gauss() * 0.002, regime[1] + gauss() * 0.0003, regime[2]]
        : [gauss() * 0.0022, gauss() * 0.0003, 100];
    const values = sensors.map((s, j) => {
      // like C-MAPSS: sensor 6 flickers one step of 0.01 below its constant, sensor 17 reads whole numbers
      if (j === FLICKERING_SENSOR) return Math.round((s.base + s.shift[c]!) * 100) / 100 - (random() < 0.03 ? 0.01 : 0);
      if (s.constant) return s.base + s.shift[c]!;
      const v = s.base + s.shift[c]! + s.gain * wear + s.noise * gauss();
      return j === INTEGER_SENSOR ? Math.round(v) : v;
    });
    return [String(unit), String(cycle), settings[0]!.toFixed(4), settings[1]!.toFixed(4), settings[2]!.toFixed(1), ...values.map((v) => v.toFixed(4))].join(" ") + "  ";
  };

  const unitLife = (short = false) => {
    // the short test unit gets a short life, so its true RUL stays in C-MAPSS's test range (<= 150)
    const life = short ? 130 + Math.floor(random() * 20) : Math.min(400, 128 + Math.round(-Math.log(1 - random()) * 80));
    const w0 = random() * 0.15;
    const k = 3 + 3 * random();
    return { life, wear: (t: number) => w0 + ((1 - w0) * (Math.exp((k * t) / life) - 1)) / (Math.exp(k) - 1) };
  };

  const train: string[] = [];
  for (let u = 1; u <= options.trainUnits; u++) {
    const { life, wear } = unitLife();
    for (let t = 1; t <= life; t++) train.push(row(u, t, wear(t)));
  }
  const test: string[] = [];
  const truth: { unit: string; rul: number }[] = [];
  for (let u = 1; u <= options.testUnits; u++) {
    const { life, wear } = unitLife(u === 1);
    // the first test unit is shorter than any feature window; the others stop 5..150 cycles before failure
    const rul = u === 1 ? life - 4 : 5 + Math.floor(random() * Math.min(146, life - 10));
    const rows = life - rul;
    for (let t = 1; t <= rows; t++) test.push(row(u, t, wear(t)));
    truth.push({ unit: String(u), rul });
  }
  return { train: train.join("\n") + "\n", test: test.join("\n") + "\n", truth, trainRows: train.length };
}

/** Root-mean-square error of predictions against the truth, matched by unit. */
export function rmse(predicted: { unit: string; rul: number }[], truth: { unit: string; rul: number }[]): number {
  const byUnit = new Map(predicted.map((p) => [p.unit, p.rul]));
  let s = 0;
  for (const t of truth) {
    const p = byUnit.get(t.unit);
    if (p === undefined) throw new Error(`no prediction for unit ${t.unit}`);
    s += (p - t.rul) ** 2;
  }
  return Math.sqrt(s / truth.length);
}

/** NASA's asymmetric scoring function of the PHM08 challenge: late predictions cost more than early ones. */
export function nasaScore(predicted: { unit: string; rul: number }[], truth: { unit: string; rul: number }[]): number {
  const byUnit = new Map(predicted.map((p) => [p.unit, p.rul]));
  let s = 0;
  for (const t of truth) {
    const d = byUnit.get(t.unit)! - t.rul;
    s += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  return s;
}
