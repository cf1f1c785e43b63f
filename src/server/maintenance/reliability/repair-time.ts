/**
 * Repair time from telemetry, for failures whose downtime nobody logged: the stop of the pump (zero
 * flow or zero speed) that follows the failure, minus any planned stop. Pure: the caller reads the
 * minute states from the 1-minute rollups.
 */

export interface Interval {
  start: number;
  end: number;
}

/** A change of state in the minute series: from `t` on the unit is off (or on) until the next change. */
export interface StateChange {
  t: number;
  off: boolean;
}

export interface RepairSearch {
  /** a stop that began up to this long before the failure was recorded still counts (the pump tripped, then someone opened the order) */
  lookbackMs: number;
  /** ... and one that began up to this long after it (the technician stopped the unit to repair it) */
  lookaheadMs: number;
}

export const DEFAULT_REPAIR_SEARCH: RepairSearch = { lookbackMs: 6 * 3_600_000, lookaheadMs: 48 * 3_600_000 };

/**
 * Off intervals from the state changes. A stretch without data between two off minutes stays off
 * (a stopped unit often sends nothing); the last interval is open (`end` null) when the data ends
 * while the unit is still off, since its end is unknown.
 */
export function offIntervals(changes: readonly StateChange[]): { start: number; end: number | null }[] {
  const out: { start: number; end: number | null }[] = [];
  let openAt: number | null = null;
  for (const c of changes) {
    if (c.off && openAt === null) openAt = c.t;
    else if (!c.off && openAt !== null) {
      out.push({ start: openAt, end: c.t });
      openAt = null;
    }
  }
  if (openAt !== null) out.push({ start: openAt, end: null });
  return out;
}

/** `interval` minus every planned stop: the unplanned pieces, in time order. */
export function subtractPlanned(interval: { start: number; end: number | null }, planned: readonly Interval[]): { start: number; end: number | null }[] {
  let pieces = [interval];
  for (const p of [...planned].sort((a, b) => a.start - b.start)) {
    const next: typeof pieces = [];
    for (const piece of pieces) {
      const end = piece.end ?? Infinity;
      if (p.end <= piece.start || p.start >= end) {
        next.push(piece);
        continue;
      }
      if (p.start > piece.start) next.push({ start: piece.start, end: p.start });
      if (p.end < end) next.push({ start: p.end, end: piece.end });
    }
    pieces = next;
  }
  return pieces;
}

/**
 * The unplanned stop that belongs to a failure at `failureAt`: the first one that began within
 * [failureAt − lookback, failureAt + lookahead]. Null when there is none, when it had not ended by
 * the end of the data, or when the unit was already stopped before the lookback (its length is unknown).
 */
export function repairFromTelemetry(
  changes: readonly StateChange[],
  planned: readonly Interval[],
  failureAt: number,
  search: RepairSearch = DEFAULT_REPAIR_SEARCH,
): Interval | null {
  const earliest = failureAt - search.lookbackMs;
  const latest = failureAt + search.lookaheadMs;
  for (const off of offIntervals(changes)) {
    for (const piece of subtractPlanned(off, planned)) {
      if (piece.start < earliest) {
        // already stopped long before the failure was recorded (standby, a previous fault): no telling when the repair began
        if (piece.end === null || piece.end > failureAt) return null;
        continue;
      }
      if (piece.start > latest) return null;
      return piece.end === null ? null : { start: piece.start, end: piece.end };
    }
  }
  return null;
}
