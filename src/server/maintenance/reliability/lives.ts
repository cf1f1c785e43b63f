/**
 * One component's history as life samples for MTBF and the Weibull fit. Pure: times are epoch ms in,
 * hours out.
 *
 * A life runs from a renewal (installation, or the end of the previous repair; the failure time itself
 * when the repair's end is unknown) to the next failure. The time since the last renewal, up to the end
 * of the period (or the removal), is a right-censored life: the unit is still running.
 */
import type { Interval } from "./repair-time";
import type { LifeSample } from "./weibull";

const HOUR = 3_600_000;

export interface FailureEvent {
  id: string;
  /** failure time: downtime start, or when the order was opened */
  at: number;
  /** repair downtime (logged or derived from telemetry), null when unknown */
  repair: Interval | null;
}

export interface ComponentLivesInput {
  /** when the unit went into service (installation, else the system's commissioning); null when unknown */
  installedAt: number | null;
  /** the period: failures from `from` (null: all history) up to `end` (min of the period's end, now, the removal) */
  from: number | null;
  end: number;
  failures: readonly FailureEvent[];
}

export interface ComponentLives {
  samples: LifeSample[];
  /** failures inside the period, in time order */
  failures: FailureEvent[];
  /** time in service inside the period, and the repair downtime within it (null when the start of service is unknown) */
  observedHours: number | null;
  downtimeHours: number | null;
}

export function componentLives(input: ComponentLivesInput): ComponentLives {
  const sorted = [...input.failures].sort((a, b) => a.at - b.at);
  const samples: LifeSample[] = [];
  const counted: FailureEvent[] = [];
  let renewal = input.installedAt;
  for (const f of sorted) {
    if (f.at > input.end) break;
    if (input.from === null || f.at >= input.from) {
      counted.push(f);
      if (renewal !== null && f.at > renewal) samples.push({ time: (f.at - renewal) / HOUR, failed: true });
    }
    renewal = f.repair && f.repair.end > f.at ? f.repair.end : f.at;
  }
  if (renewal !== null && input.end > renewal) samples.push({ time: (input.end - renewal) / HOUR, failed: false });

  if (input.installedAt === null) return { samples, failures: counted, observedHours: null, downtimeHours: null };
  const start = Math.max(input.installedAt, input.from ?? input.installedAt);
  const observed = Math.max(0, input.end - start);
  let down = 0;
  for (const f of counted) {
    if (!f.repair) continue;
    down += Math.max(0, Math.min(f.repair.end, input.end) - Math.max(f.repair.start, start));
  }
  return { samples, failures: counted, observedHours: observed / HOUR, downtimeHours: Math.min(down, observed) / HOUR };
}
