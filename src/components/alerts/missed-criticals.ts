/**
 * What the critical-alert banner missed while the page had no live feed: between the server render
 * and the first connection, and while a phone's connection was down. The feed does not replay
 * events, so after it comes up (again) the banner asks for the critical alerts still active and
 * unacknowledged and cues those raised since it last listened.
 */

/** Margin for clocks: the server stamps raisedAt, the browser measures the gap. */
export const CLOCK_MARGIN_MS = 5_000;

export interface ListedAlert {
  id: string;
  severity: string;
  state: string;
  isCompliance: boolean;
  message: string;
  raisedAt: Date;
  system: { code: string };
}

export interface MissedCritical {
  alertId: string;
  systemCode: string;
  isCompliance: boolean;
  message: string;
}

/** Critical alerts still active and unacknowledged, raised at or after `since`, not already cued. */
export function missedCriticals(items: readonly ListedAlert[], since: number, alreadyCued: ReadonlySet<string>): MissedCritical[] {
  return items
    .filter((a) => a.severity === "critical" && a.state === "active_unacknowledged" && a.raisedAt.getTime() >= since - CLOCK_MARGIN_MS && !alreadyCued.has(a.id))
    .map((a) => ({ alertId: a.id, systemCode: a.system.code, isCompliance: a.isCompliance, message: a.message }));
}
