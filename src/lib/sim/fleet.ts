// The fleet simulator: many systems advanced on one clock, deterministic for a given seed, start
// time and set of systems. Pure (no I/O, no Node imports): the caller decides where readings go.
import { resolveSystemConfig, type SimSystemSpec, type SystemConfig } from "./config";
import { buildSeries, DEFAULT_SAMPLING, nominalRate, type SamplingOptions, type SeriesDef } from "./series";
import { SIM_SETPOINTS, simSetpointRefusal, type SimSetpoints } from "./setpoints";
import type { InjectionRequest, ProcessOutputs, SystemState } from "./state";
import { advanceSystem, initSystemState, type SimulationOptions, type SystemContext } from "./system";
import type { SimLabel, SimReading, SimSink } from "./types";

/**
 * The process advances in fixed 10 s steps aligned to absolute time, whatever the sampling: the
 * trajectory and the labels do not depend on how often readings are taken.
 */
export const PROCESS_STEP_MS = 10_000;

export interface FleetOptions {
  seed: number | string;
  /** Simulation start, epoch ms (rounded down to a process step). */
  start: number;
  sampling?: Partial<SamplingOptions>;
  /** Scales the natural hazards (default 1). */
  hazardMultiplier?: number;
  /** Injected failures per system per 30 days (default 0: natural failures only). */
  injectedFailuresPerMonth?: number;
}

export interface FleetSnapshot {
  version: 1;
  seed: number | string;
  t: number;
  systems: { code: string; state: SystemState }[];
}

export class FleetSimulator {
  readonly configs: readonly SystemConfig[];
  private readonly contexts: SystemContext[];
  private readonly states: SystemState[];
  private readonly seed: number | string;
  private clock: number;

  /** `systems` are descriptions or resolved configs; pass `snapshot` to continue an earlier run. */
  constructor(systems: readonly (SimSystemSpec | SystemConfig)[], options: FleetOptions, snapshot?: FleetSnapshot) {
    this.seed = options.seed;
    const sampling: SamplingOptions = { ...DEFAULT_SAMPLING, ...options.sampling };
    const simulation: SimulationOptions = {
      hazardMultiplier: options.hazardMultiplier ?? 1,
      injectedFailuresPerMonth: options.injectedFailuresPerMonth ?? 0,
    };
    this.configs = systems.map((s) => ("params" in s ? s : resolveSystemConfig(s)));
    this.contexts = this.configs.map((cfg, index) => {
      const series = buildSeries(cfg);
      const sensorCodes = [...new Set(Object.values(cfg.sensors).filter((c): c is string => c !== null))];
      return { index, cfg, series, seriesSensor: series.map((s) => (s.sensor ? sensorCodes.indexOf(s.sensor) : -1)), sampling, options: simulation, seed: options.seed };
    });
    if (snapshot) {
      if (snapshot.version !== 1) throw new Error(`unsupported simulator snapshot version ${String(snapshot.version)}`);
      const byCode = new Map(snapshot.systems.map((s) => [s.code, s.state]));
      this.states = this.configs.map((cfg) => {
        const state = byCode.get(cfg.code);
        if (!state) throw new Error(`the snapshot has no state for system ${cfg.code}`);
        return structuredClone(state);
      });
      this.clock = snapshot.t;
    } else {
      const start = Math.floor(options.start / PROCESS_STEP_MS) * PROCESS_STEP_MS;
      this.states = this.contexts.map((ctx) => initSystemState(ctx, start));
      this.clock = start;
    }
  }

  /** Simulated time reached so far [epoch ms]. */
  get now(): number {
    return this.clock;
  }

  get systemCount(): number {
    return this.configs.length;
  }

  /** Changes the sampling periods from now on (e.g. from backfill to a live rate). */
  setSampling(sampling: Partial<SamplingOptions>): void {
    for (const ctx of this.contexts) ctx.sampling = { ...ctx.sampling, ...sampling };
  }

  /** The series each system reports (metric, component, sampling class). */
  series(systemIndex: number): readonly SeriesDef[] {
    return this.contexts[systemIndex]?.series ?? [];
  }

  /** Nominal readings per second of the whole fleet at the configured sampling. */
  nominalReadingsPerSecond(): number {
    return this.contexts.reduce((sum, ctx) => sum + nominalRate(ctx.series, ctx.sampling), 0);
  }

  /** True process values of a system at the latest step (ideal sensors; for tests and the twin). */
  outputs(systemIndex: number): Readonly<ProcessOutputs> {
    const state = this.states[systemIndex];
    if (!state) throw new RangeError(`no system ${systemIndex}`);
    return state.out;
  }

  /** The full state of a system (read-only use: tests, debugging). */
  state(systemIndex: number): Readonly<SystemState> {
    const state = this.states[systemIndex];
    if (!state) throw new RangeError(`no system ${systemIndex}`);
    return state;
  }

  /** Runs every system to `until` (inclusive), sending readings with ts ≤ until and labels to `sink`. */
  advanceTo(until: number, sink: SimSink): void {
    if (until < this.clock) return;
    this.contexts.forEach((ctx, i) => advanceSystem(ctx, this.states[i]!, sink, until, PROCESS_STEP_MS));
    this.clock = until;
  }

  /** Convenience: advance and collect (for tests and small runs). */
  collect(until: number): { readings: SimReading[][]; labels: SimLabel[] } {
    const readings: SimReading[][] = this.configs.map(() => []);
    const labels: SimLabel[] = [];
    this.advanceTo(until, { reading: (i, r) => readings[i]!.push(r), label: (l) => labels.push(l) });
    return { readings, labels };
  }

  /**
   * Injects a failure into a system at its next process step (demos, tests). It is labelled like
   * any injected failure; it does nothing when the mode does not apply (no such component, or the
   * same failure is already in progress).
   */
  inject(systemIndex: number, request: InjectionRequest): void {
    const state = this.states[systemIndex];
    if (!state) throw new RangeError(`no system ${systemIndex}`);
    state.pendingInjections.push({ ...request });
  }

  /**
   * A setpoint from the platform (`pump_speed`, `uv_power`, in %), in force from the next process
   * step; `null` hands the value back to the unit's own control. Throws a RangeError saying why when
   * the unit cannot take it (unknown key, wrong unit, outside SIM_SETPOINTS, no pump or lamps).
   */
  setSetpoint(systemIndex: number, key: string, value: number | null, unit: string = "%"): void {
    const state = this.states[systemIndex];
    const cfg = this.configs[systemIndex];
    if (!state || !cfg) throw new RangeError(`no system ${systemIndex}`);
    const field: keyof SimSetpoints | null = key === "pump_speed" ? "pumpSpeedPct" : key === "uv_power" ? "uvPowerPct" : null;
    if (value === null) {
      if (!field) throw new RangeError(`unknown setpoint "${key}": this unit takes ${Object.keys(SIM_SETPOINTS).join(" and ")}`);
      if (state.setpoints) delete state.setpoints[field];
      return;
    }
    const refusal = simSetpointRefusal(cfg, key, value, unit);
    if (refusal || !field) throw new RangeError(refusal ?? `unknown setpoint "${key}"`);
    state.setpoints = { ...state.setpoints, [field]: value };
  }

  /** The setpoints in force on a system (empty: its own control). */
  setpoints(systemIndex: number): Readonly<SimSetpoints> {
    const state = this.states[systemIndex];
    if (!state) throw new RangeError(`no system ${systemIndex}`);
    return { ...state.setpoints };
  }

  /** Plain-JSON state of the whole fleet; pass it back to the constructor to continue. */
  snapshot(): FleetSnapshot {
    return {
      version: 1,
      seed: this.seed,
      t: this.clock,
      systems: this.configs.map((cfg, i) => ({ code: cfg.code, state: structuredClone(this.states[i]!) })),
    };
  }
}
