/**
 * What the pump-set failure-risk model learns from and scores: one pump set's (the booster pump and
 * its motor and drive) hourly telemetry and maintenance events on one hour grid. The database reader
 * (read-pump-history.ts) fills it from the 1-hour rollups and the work orders; the simulator fills it
 * for tests and the training benchmark; features.ts turns it into one feature row per hour. One shape
 * for live data, history and synthetic data, so the features the model was trained on are the
 * features it is scored on.
 */

/** The hourly series the model reads; each is optional on a real unit (a missing one is all NaN). */
export const PUMP_METRICS = ["vibration", "power", "pump_pressure", "flow_rate", "pump_speed", "water_temperature"] as const;
export type PumpMetric = (typeof PUMP_METRICS)[number];

export interface PumpHistory {
  /** epoch ms of the first hour (aligned to a whole hour) */
  start: number;
  /** number of hours on the grid */
  hours: number;
  /** hourly means, `hours` long; NaN where the hour has no data */
  series: Record<PumpMetric, Float64Array>;
  /**
   * Hours when the set was renewed: installed, or a maintenance order on it closed (a repair or a
   * service resets the wear the features count from). Sorted; negative for renewals before the grid
   * (the database reader reads only the weeks the features look back, not the years since a renewal).
   */
  renewals: number[];
  /** running hours between the last renewal before the grid and the grid's start (0 when none) */
  runningHoursBeforeStart?: number;
  /**
   * Failures: the hour the set failed (a corrective order's downtime start) and the hour it ran again
   * (downtime end, or the order's completion). Sorted by `at`. Known only in history and in simulation.
   */
  failures: { at: number; until: number; mode?: string }[];
}

export const HOUR_MS = 3_600_000;
