/**
 * Synthetic hourly history of a small packaged unit's booster pump set (domain.md §2, §6.3, §7), for
 * the failure-risk model's tests and training benchmark and for the demo's pump telemetry.
 *
 * - Operation: the pump switches on and off hour by hour (a two-state chain whose switching follows a
 *   diurnal demand curve: a few starts a day, night mostly off). A running hour holds the discharge
 *   pressure at the unit's setpoint; the VFD speed follows from the pump curve H = s²·H0 − a·Q²
 *   (domain.md §2.1) and the electrical power from Q·H over the efficiencies (§2.2). Hourly means: a
 *   running hour runs for part of the hour, which scales its flow, speed and power.
 * - Vibration is measured while the pump runs only (the sensor is gated on the run signal), so a
 *   stopped hour has none. Water temperature follows the season.
 * - Failure modes and their signatures (§2.4): bearing wear (vibration ramps up exponentially over
 *   2–6 weeks to 4.5–8 mm/s, power +3–8 % late), mechanical-seal leak (no signature, or for about a
 *   third of them a few days of lower standby pressure and more starts), impeller wear (over months
 *   the curve sags: the VFD speeds up, efficiency falls, specific energy rises, and flow falls once
 *   full speed is not enough). Cavitation episodes (hours of pressure fluctuation, vibration spikes
 *   and less flow) and single-hour sensor spikes are not failures.
 * - After a failure the set is down 4–30 h (no flow, no power), then renewed: it starts healthy.
 * - About 2 % of hours and a few multi-hour dropouts a year have no data.
 *
 * Deterministic for a given PRNG. Every injected event is returned as ground truth (§7).
 */
import { mulberry32 } from "@/lib/random";
import { barToHead, hydraulicPowerKw } from "@/lib/physics";
import { HOUR_MS, PUMP_METRICS, type PumpHistory, type PumpMetric } from "./pump-history";

export const PUMP_FAILURE_MODES = ["bearing", "seal", "impeller"] as const;
export type PumpFailureMode = (typeof PUMP_FAILURE_MODES)[number];

export interface PumpProfile {
  /** flow of a running hour at full demand [m³/h]; also the best-efficiency flow */
  ratedFlow: number;
  /** discharge pressure setpoint [bar] */
  pressureBar: number;
  /** vibration of the healthy set at its usual speed [mm/s] */
  healthyVibration: number;
  /** share of hours running */
  runShare: number;
  /** off-to-on switches per day at hourly resolution */
  startsPerDay: number;
  waterTempMean: number;
  /** seasonal swing of the water temperature either side of the mean [°C] */
  waterTempSwing: number;
  cavitationPerYear: number;
  /** pump efficiency at the best-efficiency point */
  etaBep: number;
  /** share of single hours without data */
  missingShare: number;
  /** dropouts of 6–72 h per year */
  dropoutsPerYear: number;
  /** the series the unit reports; the others are all NaN */
  metrics: PumpMetric[];
}

export interface PumpEvent {
  kind: "bearing_wear" | "impeller_wear" | "seal_leak_signature" | "cavitation" | "sensor_spike" | "dropout";
  /** first hour affected */
  from: number;
  /** hour after the last one affected */
  to: number;
}

export interface SimulatedPumpHistory extends PumpHistory {
  profile: PumpProfile;
  /** the set's age at hour 0 [h] (0: installed then, and hour 0 is a renewal) */
  ageHours: number;
  events: PumpEvent[];
}

export interface SimulatePumpOptions {
  /** epoch ms of the first hour, a whole hour */
  start: number;
  hours: number;
  rand: () => number;
  /**
   * Failures to simulate (hour, mode; downtime end drawn when `until` is missing) instead of drawing
   * them from Weibull lives: the demo seed passes the failures of its work-order history.
   */
  failures?: { at: number; until?: number; mode: PumpFailureMode }[];
  /** overrides of the drawn profile */
  profile?: Partial<PumpProfile>;
  /** the set's age at hour 0 [h]; drawn (a quarter of sets new) unless given, 0 when `failures` are */
  ageHours?: number;
}

/**
 * Weibull lives per mode [h of service: calendar hours, as the demo's history counts]. Shapes from domain.md
 * §2.5 (bearing 1.3, seal 1.4; impeller wear-out 2, an estimate). Scales are shortened from §2.5
 * (seal 25,000 h; bearings ≈ 5 × L10, far longer) like the demo's maintenance history, so that 100
 * units × 8,760 h hold about 90 failures (70–105 over 30 seeds) to learn from: about 40 % bearing,
 * 45 % seal, 15 % impeller, close to the shares quoted in §2.4.
 */
const LIVES: Record<PumpFailureMode, { beta: number; etaHours: number }> = {
  bearing: { beta: 1.3, etaHours: 21_000 },
  seal: { beta: 1.4, etaHours: 18_000 },
  impeller: { beta: 2, etaHours: 28_000 },
};
const DOWNTIME_HOURS: [number, number] = [4, 30];
/** drawn age of a set that is not new at hour 0, up to this [h] */
const MAX_AGE_HOURS = 15_000;
const NEW_SET_SHARE = 0.25;

// signatures (domain.md §2.4; spans and sizes are estimates)
const BEARING_RAMP_HOURS: [number, number] = [14 * 24, 42 * 24];
const BEARING_END_VIBRATION: [number, number] = [4.5, 8];
const BEARING_POWER_GAIN: [number, number] = [0.03, 0.08];
const IMPELLER_RAMP_HOURS: [number, number] = [60 * 24, 180 * 24];
const IMPELLER_END_WEAR: [number, number] = [0.15, 0.3];
/** slow impeller wear of every set, per year of age */
const IMPELLER_WEAR_PER_YEAR = 0.03;
const SEAL_SIGNATURE_SHARE = 0.35;
const SEAL_SIGNATURE_HOURS: [number, number] = [48, 168];
const CAVITATION_HOURS: [number, number] = [2, 10];
const CAVITATION_VIBRATION: [number, number] = [1.5, 4];
const SENSOR_SPIKE_PER_HOUR = 0.001;
const DROPOUT_HOURS: [number, number] = [6, 72];

// the pump (domain.md §6.3 scaled to the rated flow): a VFD at about 92 % speed meets the setpoint at rated flow
const CURVE_SHARE = 0.35; // a·Q_r² as a share of the setpoint head
const RATED_SPEED = 0.92;
const MOTOR_ETA = 0.86;
const VFD_ETA = 0.96;
const MIN_EFFICIENCY = 0.2;
const STANDBY_KW = 0.015;
const STOPPED_PRESSURE_DROP_BAR = 0.25;
const DOWN_PRESSURE_BAR = 0.5;
const HOURS_PER_YEAR = 8_760;

/** Relative demand by hour of day (UTC; morning and evening peaks, quiet nights), mean 1. */
const DEMAND = (() => {
  const raw = Array.from({ length: 24 }, (_x, h) => 0.3 + 0.9 * Math.exp(-(((h - 7.5) / 2) ** 2)) + 0.7 * Math.exp(-(((h - 19) / 2.5) ** 2)) + (h >= 9 && h <= 17 ? 0.3 : 0));
  const mean = raw.reduce((s, v) => s + v, 0) / 24;
  return raw.map((v) => v / mean);
})();
const PEAK_DEMAND = Math.max(...DEMAND);

export function drawPumpProfile(rand: () => number): PumpProfile {
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  return {
    ratedFlow: between(4, 15),
    pressureBar: between(3, 6),
    healthyVibration: between(0.8, 1.6),
    runShare: between(0.35, 0.65),
    startsPerDay: between(2, 7),
    waterTempMean: between(8, 16),
    waterTempSwing: between(3, 8),
    // some sites never run short of suction head
    cavitationPerYear: rand() < 0.4 ? 0 : between(2, 12),
    etaBep: between(0.5, 0.65),
    missingShare: 0.02,
    dropoutsPerYear: between(1, 5),
    metrics: [...PUMP_METRICS],
  };
}

export function simulatePumpHistory(options: SimulatePumpOptions): SimulatedPumpHistory {
  const { start, hours, rand } = options;
  if (start % HOUR_MS !== 0) throw new Error(`simulatePumpHistory: start ${new Date(start).toISOString()} is not a whole hour`);
  const profile = { ...drawPumpProfile(rand), ...options.profile };
  const ageHours = options.ageHours ?? (options.failures ? 0 : rand() < NEW_SET_SHARE ? 0 : rand() * MAX_AGE_HOURS);
  const failures = options.failures ? givenFailures(options.failures, hours, rand) : drawFailures(rand, hours, ageHours);
  // an aged set was last renewed ageHours before hour 0: known, as the installation date or the last
  // repair's order is on a real unit; its running hours since then follow its share of running hours
  const bornAt = ageHours === 0 ? 0 : -Math.round(ageHours);
  const renewals = [...(hours > 0 ? [bornAt] : []), ...failures.filter((f) => f.until < hours).map((f) => f.until)];
  const events: PumpEvent[] = [];
  const signatures = failureSignatures(failures, hours, ageHours, profile, rand, events);
  const cavitation = cavitationEpisodes(hours, profile, signatures.down, rand, events);
  const series = runPump({ start, hours, rand, profile, ageHours, renewals: renewals.filter((r) => r >= 0), signatures, cavitation, events });
  dropData(series, hours, profile, rand, events);
  events.sort((a, b) => a.from - b.from);
  return { start, hours, series, renewals, failures, runningHoursBeforeStart: Math.round(-bornAt * profile.runShare), profile, ageHours, events };
}

/** A fleet of `units` sets with their own profiles and lives, deterministic for a seed. */
export function simulateFleet(options: { units: number; hours: number; seed: number; start: number }): SimulatedPumpHistory[] {
  const seeds = mulberry32(options.seed);
  return Array.from({ length: options.units }, () => {
    // one stream per unit: a unit's history does not depend on the ones before it
    const rand = mulberry32(Math.floor(seeds() * 2 ** 32));
    const profile = drawPumpProfile(rand);
    // some older units have no vibration sensor
    if (rand() < 0.08) profile.metrics = profile.metrics.filter((m) => m !== "vibration");
    return simulatePumpHistory({ start: options.start, hours: options.hours, rand, profile });
  });
}

type Failure = PumpHistory["failures"][number] & { mode: PumpFailureMode };

function between(rand: () => number, [lo, hi]: [number, number]): number {
  return lo + rand() * (hi - lo);
}

function gauss(rand: () => number): number {
  // Box–Muller; 1 − u keeps the log away from 0
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function downtime(rand: () => number): number {
  return Math.round(between(rand, DOWNTIME_HOURS));
}

/** Weibull life left at `age` [h] (drawn from the life distribution given survival to that age). */
function residualLife(rand: () => number, { beta, etaHours }: { beta: number; etaHours: number }, age: number): number {
  return etaHours * Math.pow(Math.pow(age / etaHours, beta) - Math.log(1 - rand()), 1 / beta) - age;
}

/** Competing lives per mode from each renewal; the first to end is the next failure, which renews the whole set. */
function drawFailures(rand: () => number, hours: number, ageHours: number): Failure[] {
  const failures: Failure[] = [];
  let from = 0;
  let age = ageHours;
  for (;;) {
    let life = Infinity;
    let mode: PumpFailureMode = "bearing";
    for (const m of PUMP_FAILURE_MODES) {
      const l = residualLife(rand, LIVES[m], age);
      if (l < life) [life, mode] = [l, m];
    }
    const at = from + Math.max(1, Math.round(life));
    if (at >= hours) return failures;
    const until = at + downtime(rand);
    failures.push({ at, until, mode });
    from = until;
    age = 0;
  }
}

/** The given failures in order, inside the grid, none starting while the set is still down from the one before. */
function givenFailures(given: NonNullable<SimulatePumpOptions["failures"]>, hours: number, rand: () => number): Failure[] {
  const failures: Failure[] = [];
  for (const f of [...given].sort((a, b) => a.at - b.at)) {
    const at = Math.round(f.at);
    if (at < 0 || at >= hours) continue;
    if (failures.length > 0 && at < failures[failures.length - 1]!.until) continue;
    failures.push({ at, until: Math.max(at + 1, Math.round(f.until ?? at + downtime(rand))), mode: f.mode });
  }
  return failures;
}

interface Signatures {
  /** added vibration of a running hour [mm/s] */
  vibration: Float64Array;
  /** relative power gain */
  power: Float64Array;
  /** impeller wear (0 new); the curve sags and efficiency falls with it */
  wear: Float64Array;
  /** a leaking seal: 0..1 */
  leak: Float64Array;
  down: Uint8Array;
}

/** Exponential ramp from 0 at x = 0 to 1 at x = 1, steeper with k. */
function ramp(x: number, k: number): number {
  return (Math.exp(k * x) - 1) / (Math.exp(k) - 1);
}

/** Per-hour degradation leading up to each failure, within the life that ends with it. */
function failureSignatures(failures: Failure[], hours: number, ageHours: number, profile: PumpProfile, rand: () => number, events: PumpEvent[]): Signatures {
  const s: Signatures = { vibration: new Float64Array(hours), power: new Float64Array(hours), wear: new Float64Array(hours), leak: new Float64Array(hours), down: new Uint8Array(hours) };
  let lifeStart = -ageHours;
  for (const f of failures) {
    s.down.fill(1, f.at, Math.min(hours, f.until));
    // a signature cannot start before the set was renewed: a young failure ramps faster
    const span = (range: [number, number]) => Math.min(between(rand, range), f.at - lifeStart);
    const fill = (from: number, set: (x: number, h: number) => void) => {
      for (let h = Math.max(0, Math.ceil(from)); h < f.at; h++) set((h - from) / (f.at - from), h);
    };
    if (f.mode === "bearing") {
      const from = f.at - span(BEARING_RAMP_HOURS);
      const extra = between(rand, BEARING_END_VIBRATION) - profile.healthyVibration;
      const gain = between(rand, BEARING_POWER_GAIN);
      const k = 3 + 2 * rand();
      fill(from, (x, h) => {
        s.vibration[h] = extra * ramp(x, k);
        s.power[h] = gain * ramp(x, k);
      });
      events.push({ kind: "bearing_wear", from: Math.max(0, Math.ceil(from)), to: f.at });
    } else if (f.mode === "impeller") {
      const from = f.at - span(IMPELLER_RAMP_HOURS);
      const end = between(rand, IMPELLER_END_WEAR);
      fill(from, (x, h) => (s.wear[h] = end * x ** 1.5));
      events.push({ kind: "impeller_wear", from: Math.max(0, Math.ceil(from)), to: f.at });
    } else if (rand() < SEAL_SIGNATURE_SHARE) {
      const from = f.at - span(SEAL_SIGNATURE_HOURS);
      fill(from, (x, h) => (s.leak[h] = x));
      events.push({ kind: "seal_leak_signature", from: Math.max(0, Math.ceil(from)), to: f.at });
    }
    lifeStart = f.until;
  }
  return s;
}

/** Cavitation episodes (Poisson arrivals, not while the set is down): severity per hour, 0 outside. */
function cavitationEpisodes(hours: number, profile: PumpProfile, down: Uint8Array, rand: () => number, events: PumpEvent[]): Float64Array {
  const severity = new Float64Array(hours);
  if (profile.cavitationPerYear <= 0) return severity;
  const meanGap = HOURS_PER_YEAR / profile.cavitationPerYear;
  for (let t = -Math.log(1 - rand()) * meanGap; t < hours; t += -Math.log(1 - rand()) * meanGap) {
    const from = Math.floor(t);
    const to = Math.min(hours, from + Math.round(between(rand, CAVITATION_HOURS)));
    const level = between(rand, [0.5, 1]);
    if (down[from] === 1) continue;
    severity.fill(level, from, to);
    events.push({ kind: "cavitation", from, to });
  }
  return severity;
}

interface RunInputs {
  start: number;
  hours: number;
  rand: () => number;
  profile: PumpProfile;
  ageHours: number;
  renewals: number[];
  signatures: Signatures;
  cavitation: Float64Array;
  events: PumpEvent[];
}

/** The hourly series of the set's operation, hour by hour. */
function runPump(o: RunInputs): Record<PumpMetric, Float64Array> {
  const { hours, rand, profile: p, signatures: sig } = o;
  const series = Object.fromEntries(PUMP_METRICS.map((m) => [m, new Float64Array(hours)])) as Record<PumpMetric, Float64Array>;
  const head = barToHead(p.pressureBar);
  const curve = (CURVE_SHARE * head) / p.ratedFlow ** 2;
  const shutoffHead = (head + curve * p.ratedFlow ** 2) / RATED_SPEED ** 2;
  // two-state chain: these switch rates give the profile's run share and starts per day on average
  const switchOn = p.startsPerDay / (24 * (1 - p.runShare));
  const switchOff = p.startsPerDay / (24 * p.runShare);
  const firstHour = o.start / HOUR_MS;
  let running = false;
  let wander = 0;
  let age = o.ageHours;
  let nextRenewal = 0;
  let healthy = p.healthyVibration;
  for (let h = 0; h < hours; h++) {
    const clock = firstHour + h;
    const day = clock / 24;
    series.water_temperature[h] = p.waterTempMean + p.waterTempSwing * Math.cos((2 * Math.PI * (day - 215)) / 365.25) + 0.15 * gauss(rand);
    if (nextRenewal < o.renewals.length && o.renewals[nextRenewal] === h) {
      nextRenewal++;
      age = 0;
      // a new bearing sits a little differently
      healthy = p.healthyVibration * (0.9 + 0.2 * rand());
    }
    age++;
    if (sig.down[h] === 1) {
      running = false;
      series.flow_rate[h] = 0;
      series.power[h] = 0;
      series.pump_speed[h] = 0;
      series.pump_pressure[h] = DOWN_PRESSURE_BAR * (0.8 + 0.4 * rand());
      series.vibration[h] = NaN;
      continue;
    }
    const weekday = Math.floor(day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const demand = DEMAND[Math.floor(clock) % 24]! * (weekday === 0 || weekday === 6 ? 0.85 : 1);
    const cavitation = o.cavitation[h]!;
    // a leaking seal drains the pressure tank: the pump starts more often
    const switched: boolean = running ? rand() < Math.min(1, switchOff / demand) : rand() < Math.min(1, switchOn * demand * (1 + sig.leak[h]!));
    // a pump cavitates while it draws from a low suction tank: an episode is running hours
    running = cavitation > 0 || running !== switched;
    wander = 0.99 * wander + 0.007 * gauss(rand);
    if (!running) {
      series.flow_rate[h] = 0;
      series.power[h] = STANDBY_KW * (0.8 + 0.4 * rand());
      series.pump_speed[h] = 0;
      series.pump_pressure[h] = p.pressureBar - STOPPED_PRESSURE_DROP_BAR - 0.4 * sig.leak[h]! + 0.02 * gauss(rand);
      series.vibration[h] = NaN;
      continue;
    }
    const wear = sig.wear[h]! + (IMPELLER_WEAR_PER_YEAR * age) / HOURS_PER_YEAR;
    const wornShutoff = shutoffHead * (1 - 0.5 * wear);
    const wornCurve = curve * (1 + wear);
    let flow = p.ratedFlow * (0.5 + (0.45 * demand) / PEAK_DEMAND) * (1 + 0.04 * gauss(rand)) * (1 - 0.1 * cavitation);
    let speed = Math.sqrt((head + wornCurve * flow * flow) / wornShutoff);
    if (speed > 1) {
      // a worn impeller at full speed cannot meet the demand at the setpoint
      speed = 1;
      flow = Math.min(flow, Math.sqrt(Math.max(0, wornShutoff - head) / wornCurve));
    }
    const x = (flow / speed - p.ratedFlow) / p.ratedFlow;
    const efficiency = Math.max(MIN_EFFICIENCY, p.etaBep * (1 - x * x)) * (1 - 0.6 * wear);
    const power = (hydraulicPowerKw(flow, head) / efficiency / (MOTOR_ETA * VFD_ETA)) * (1 + sig.power[h]!) * (1 + 0.02 * gauss(rand));
    // cavitation costs head and makes the discharge pressure fluctuate
    const pressure = p.pressureBar * (1 + 0.015 * gauss(rand) + cavitation * (0.15 * gauss(rand) - 0.1));
    let vibration = healthy * (0.75 + 0.25 * (speed / RATED_SPEED) ** 2) * (1 + wander) * (1 + 0.04 * gauss(rand)) + sig.vibration[h]!;
    if (cavitation > 0) vibration += cavitation * between(rand, CAVITATION_VIBRATION);
    if (rand() < SENSOR_SPIKE_PER_HOUR) {
      vibration *= 2 + 2 * rand();
      o.events.push({ kind: "sensor_spike", from: h, to: h + 1 });
    }
    // the share of the hour it ran scales the hourly means; vibration is sampled while running
    const share = 0.5 + 0.5 * rand();
    series.flow_rate[h] = share * flow;
    series.power[h] = share * power + (1 - share) * STANDBY_KW;
    series.pump_speed[h] = share * 100 * speed;
    series.pump_pressure[h] = share * pressure + (1 - share) * (p.pressureBar - STOPPED_PRESSURE_DROP_BAR);
    series.vibration[h] = vibration;
  }
  return series;
}

/** Hours without data: single missing hours, multi-hour dropouts, and the series the unit does not report. */
function dropData(series: Record<PumpMetric, Float64Array>, hours: number, profile: PumpProfile, rand: () => number, events: PumpEvent[]): void {
  const blank = (from: number, to: number) => {
    for (const m of PUMP_METRICS) series[m].fill(NaN, from, to);
  };
  for (let h = 0; h < hours; h++) if (rand() < profile.missingShare) blank(h, h + 1);
  if (profile.dropoutsPerYear > 0) {
    const meanGap = HOURS_PER_YEAR / profile.dropoutsPerYear;
    for (let t = -Math.log(1 - rand()) * meanGap; t < hours; t += -Math.log(1 - rand()) * meanGap) {
      const from = Math.floor(t);
      const to = Math.min(hours, from + Math.round(between(rand, DROPOUT_HOURS)));
      blank(from, to);
      events.push({ kind: "dropout", from, to });
    }
  }
  for (const m of PUMP_METRICS) if (!profile.metrics.includes(m)) series[m].fill(NaN);
}
