// Public shapes of the fleet simulator: readings in the ingest contract shape and ground-truth labels.

/** One reading as sent to `POST /api/ingest` or MQTT (contracts.md); `ts` in epoch milliseconds. */
export interface SimReading {
  metric: string;
  component?: string;
  value: number;
  ts: number;
}

export type LabelKind = "failure" | "sensor_fault" | "maintenance";

/** ISO 14224 failure-impact classes. */
export type LabelSeverity = "incipient" | "degraded" | "critical";

export type FailureMode =
  | "seal_leak"
  | "bearing_wear"
  | "impeller_wear"
  | "lamp_burnout"
  | "ballast_failure"
  | "filter_clog"
  | "sleeve_water_ingress"
  | "sensor_drift"
  | "sensor_stuck"
  | "sensor_spikes"
  | "sensor_dropout";

export type MaintenanceMode = "lamp_replacement" | "filter_replacement" | "sleeve_cleaning" | "sensor_recalibration";

/**
 * Ground truth for one event. Labels are written when an event starts and again whenever it
 * changes (typically once more with `end`): the last line per `id` is the current truth.
 */
export interface SimLabel {
  id: string;
  system: string;
  component: string;
  mode: FailureMode | MaintenanceMode;
  kind: LabelKind;
  severity: LabelSeverity;
  /** Injected by the failure-injection process (true) or drawn from the natural hazard (false). */
  injected: boolean;
  /** ISO 14224-style mode code (src/lib/failure-codes.ts) for failures; remedy code for maintenance. */
  failureCode?: string;
  cause?: string;
  remedy?: string;
  /** ISO-8601: onset of degradation (or the event time for maintenance). */
  start: string;
  /** ISO-8601: functional failure (end of progression), when the mode has one. */
  failureAt?: string;
  /** ISO-8601: repaired / fault cleared; absent while the event is open. */
  end?: string;
  details?: Record<string, number | string | boolean>;
}

export interface SimSink {
  reading(systemIndex: number, reading: SimReading): void;
  label(label: SimLabel): void;
}
