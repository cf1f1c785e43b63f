import type { LiveAlertEvent, LiveReadingsEvent, LiveSeverity } from "@/lib/live-events";

/**
 * A system's health at a glance. Offline: no reading for 5 minutes. Alarm / warning: from its open
 * alerts, and, until the live feed has delivered an `alert` event (so the alert engine is known to
 * be running, with its deadbands and delays), also from its latest values against the validated
 * operating limits (outside: alarm; within 5 % of a limit: warning, after domain.md §4.3, e.g. flow
 * above 0.95 × Q_max).
 */
export type HealthStatus = "ok" | "warning" | "alarm" | "offline";

export const OFFLINE_AFTER_MS = 5 * 60_000;
const WARNING_MARGIN = 0.05;

// For a site: an alarm needs action most, then a system we cannot see.
const RANK: Record<HealthStatus, number> = { ok: 0, warning: 1, offline: 2, alarm: 3 };

export const HEALTH_LABEL: Record<HealthStatus, string> = { ok: "OK", warning: "Warning", alarm: "Alarm", offline: "Offline" };
export const HEALTH_COLOR: Record<HealthStatus, string> = { ok: "#10b981", warning: "#f59e0b", alarm: "#dc2626", offline: "#94a3b8" };

export interface Limit {
  min: number | null;
  max: number | null;
}

export interface SystemHealthState {
  /** epoch ms of the newest reading of any series */
  lastReadingAt: number | null;
  limits: Record<string, Limit>;
  /** by series id: the latest value of each series that has a limit */
  latest: Record<number, { metricKey: string; value: number; ts: number }>;
  /** by alert id: the severity of each open (active, unshelved) alert */
  openAlerts: Record<string, LiveSeverity>;
}

export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = "ok";
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export function valueStatus(value: number, limit: Limit): "ok" | "warning" | "alarm" {
  const { min, max } = limit;
  if ((max != null && value > max) || (min != null && value < min)) return "alarm";
  const margin = (bound: number) => WARNING_MARGIN * Math.abs(bound === 0 ? (max ?? 0) - (min ?? 0) : bound);
  if ((max != null && value > max - margin(max)) || (min != null && value < min + margin(min))) return "warning";
  return "ok";
}

function severityStatus(severity: LiveSeverity): "warning" | "alarm" {
  return severity === "critical" || severity === "major" ? "alarm" : "warning";
}

/** `alertsOnly`: an alert event has arrived, so open alerts alone decide alarm / warning. */
export function systemStatus(state: SystemHealthState, now: number, alertsOnly: boolean): HealthStatus {
  if (state.lastReadingAt === null || now - state.lastReadingAt > OFFLINE_AFTER_MS) return "offline";
  const fromAlerts = worstStatus(Object.values(state.openAlerts).map(severityStatus));
  if (alertsOnly) return fromAlerts;
  const fromValues = Object.values(state.latest).map((l) => {
    const limit = state.limits[l.metricKey];
    return limit ? valueStatus(l.value, limit) : "ok";
  });
  return worstStatus([fromAlerts, ...fromValues]);
}

/** The state after a batch of readings: newer reading time, newer latest values of limited metrics. */
export function applyReadings(state: SystemHealthState, event: LiveReadingsEvent): SystemHealthState {
  let lastReadingAt = state.lastReadingAt;
  let latest = state.latest;
  for (const r of event.readings) {
    if (lastReadingAt === null || r.ts > lastReadingAt) lastReadingAt = r.ts;
    if (!state.limits[r.metric]) continue;
    const prev = latest[r.seriesId];
    if (prev && prev.ts > r.ts) continue;
    if (latest === state.latest) latest = { ...latest };
    latest[r.seriesId] = { metricKey: r.metric, value: r.value, ts: r.ts };
  }
  return lastReadingAt === state.lastReadingAt && latest === state.latest ? state : { ...state, lastReadingAt, latest };
}

/** The state after an alert change: open while active and not shelved. */
export function applyAlert(state: SystemHealthState, event: LiveAlertEvent): SystemHealthState {
  const open = event.state.startsWith("active_") && event.change !== "shelved";
  const openAlerts = { ...state.openAlerts };
  if (open) openAlerts[event.alertId] = event.severity;
  else delete openAlerts[event.alertId];
  return { ...state, openAlerts };
}
