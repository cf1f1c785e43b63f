// The simulator's per-system state. Everything is plain JSON (numbers, strings, arrays, records),
// so a fleet can be snapshotted and restored and two runs can be compared field by field.
import type { RngStream } from "./random";
import type { SimSetpoints } from "./setpoints";
import type { FailureMode, SimLabel } from "./types";

/** The true process values at the latest process step (what ideal sensors would read). */
export interface ProcessOutputs {
  flowM3h: number;
  pressureBar: number;
  pumpPowerKw: number;
  uvPowerKw: number;
  speedPct: number;
  vibrationMmS: number;
  waterTempC: number;
  /** Turbidity of the UV feed (after the filters) [NTU]. */
  turbidityNtu: number;
  uvtPct: number;
  uvIntensityWm2: number;
  filterDpBar: number[];
  lampOn: number[];
  lampHours: number[];
  energyKwh: number;
  /** Demand drawn from the tank [m³/h] (not a telemetry series; for tests and the twin). */
  demandM3h: number;
  tankLevel: number;
}

export type PumpFailureMode = Extract<FailureMode, "seal_leak" | "bearing_wear" | "impeller_wear">;

/** A pump failure with a progression: onset -> functional failure -> repaired. */
export interface PlannedFailure {
  mode: PumpFailureMode;
  onsetMs: number;
  failAtMs: number;
  /** Seal: when the operator stops the leaking pump; others: = failAtMs. */
  lockAtMs: number;
  /** Repaired (set when the failure happens). */
  endMs: number | null;
  injected: boolean;
  labelId: string | null;
}

export interface LampRuntime {
  hours: number;
  starts: number;
  /** Effective age (hours + start penalty) at which this lamp burns out. */
  lifeH: number;
  /** Lamp-to-lamp output spread (σ ≈ 5 %, domain.md §1.5). */
  spread: number;
  on: boolean;
  onSinceMs: number | null;
  failed: "burnout" | "ballast" | null;
  failureLabelId: string | null;
  /** A replacement visit is booked (after a failure or at rated life). */
  replaceAtMs: number | null;
  ballastFailAtMs: number;
  sleeveCleanMs: number;
  /** Water inside the sleeve: output drops 10–15 min after switch-on [S43]. */
  ingress: { labelId: string; endMs: number; delayMin: number; factor: number } | null;
}

export interface FilterRuntime {
  massKg: number;
  installedMs: number;
  maxAgeMs: number;
  replaceAtMs: number | null;
  lastBackwashMs: number;
  clogLabelId: string | null;
}

export type SensorFaultMode = Extract<FailureMode, "sensor_drift" | "sensor_stuck" | "sensor_spikes" | "sensor_dropout">;

export interface SensorFault {
  mode: SensorFaultMode;
  startMs: number;
  endMs: number;
  labelId: string;
  /** Drift per day (relative or absolute, by metric). */
  rate: number;
  /** Stuck value, captured at the first reading of the fault (null until then). */
  stuckValue: number | null;
  /** Stuck at zero (a dead sensor) rather than at the last value. */
  dead: boolean;
  /** Per-reading probability of a spike or of a dropped reading. */
  probability: number;
}

export interface SensorRuntime {
  code: string;
  nextFaultMs: number;
  fault: SensorFault | null;
  /** Static calibration error: gain and offset. */
  gain: number;
  offset: number;
}

export interface EnvRuntime {
  tempOu: number;
  uvtOu: number;
  turbOu: number;
  demandOu: number;
  rainTurb: number;
  rainUvt: number;
  /** Turbidity ripening after a media backwash [relative extra]. */
  ripening: number;
  /** Upstream solids disturbance (injected filter clog). */
  tssMultiplier: number;
  /** When the disturbance ends (0 = none). */
  tssUntilMs: number;
}

export interface SeriesRuntime {
  nextDue: number;
  lastTs: number;
  last: number;
}

export interface SystemState {
  t: number;
  rng: { env: RngStream; event: RngStream; noise: RngStream };
  env: EnvRuntime;
  tankLevel: number;
  pumpOn: boolean;
  pumpOffSinceMs: number;
  lockUntilMs: number;
  speed: number;
  baseVibration: number;
  failures: PlannedFailure[];
  lamps: LampRuntime[];
  filters: FilterRuntime[];
  sensors: SensorRuntime[];
  windowCleanMs: number;
  nextSleeveCleanMs: number;
  nextInjectionMs: number;
  energyKwh: number;
  out: ProcessOutputs;
  series: SeriesRuntime[];
  /** Open labels by id (closed ones are dropped after their final line). */
  labels: Record<string, SimLabel>;
  /** Explicit injections to apply at the next step. */
  pendingInjections: InjectionRequest[];
  /** Setpoints from the platform (absent: the unit's own control, as in runs before phase 4). */
  setpoints?: SimSetpoints;
}

export type InjectionMode = PumpFailureMode | "lamp_burnout" | "ballast_failure" | "filter_clog" | "sensor_fault" | "sleeve_water_ingress";

/** An injection asked for explicitly (tests, demos); omitted details are drawn at random. */
export interface InjectionRequest {
  mode: InjectionMode;
  /** The lamp (or its sleeve or ballast) or the sensor to hit, by component code. */
  component?: string;
  sensorFault?: SensorFaultMode;
  /** Progression from onset to functional failure for the pump modes [days]. */
  progressionDays?: number;
}
