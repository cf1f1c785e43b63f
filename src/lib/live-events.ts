/**
 * The live feed's events (`GET /api/live`, server-sent events), shared by the server that sends them
 * and the browser code that reads them. Carried between processes by PostgreSQL LISTEN/NOTIFY:
 * ingest processes announce the batches they store on `ecomate_readings`, the alert engine announces
 * alert changes on `ecomate_alerts`; each web server process fans them out to its browsers.
 *
 * Wire format (text/event-stream):
 *   event: readings   data: LiveReadingsEvent      (one per system and batch)
 *   event: alert      data: LiveAlertEvent
 *   event: ready      data: {"systems": n}         (once, after the subscription is in place)
 *   : ping                                          (comment every 15 s, keeps proxies from closing it)
 */

export type LiveSeverity = "critical" | "major" | "minor" | "warning";
export type LiveAlertState = "active_unacknowledged" | "active_acknowledged" | "cleared_unacknowledged" | "cleared";

/** The newest committed value of one series in a batch, with the batch's extremes for that series. */
export interface LiveReading {
  seriesId: number;
  /** component code, null for the system-level series */
  component: string | null;
  /** metric key, e.g. "uv_intensity" */
  metric: string;
  /** epoch ms of `value` */
  ts: number;
  value: number;
  /** extremes and count of the batch's readings of this series */
  min: number;
  max: number;
  count: number;
}

export interface LiveReadingsEvent {
  systemId: string;
  systemCode: string;
  readings: LiveReading[];
}

export type LiveAlertChange =
  | "raised"
  | "repeated"
  | "acknowledged"
  | "cleared"
  | "shelved"
  | "unshelved"
  | "assigned"
  | "commented"
  | "escalated";

export interface LiveAlertEvent {
  alertId: string;
  change: LiveAlertChange;
  systemId: string;
  systemCode: string;
  severity: LiveSeverity;
  state: LiveAlertState;
  isCompliance: boolean;
  message: string;
  /** epoch ms of the change */
  at: number;
}
