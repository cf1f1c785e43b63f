/**
 * Maintenance windows: while one is open on a system, its alerts notify nobody outside the inbox
 * (webhooks, e-mail, escalation), except compliance alerts (notify.ts). Pure rules shared by the
 * procedures and the pages.
 */

/** Longest window: a planned overhaul, not a way to mute a system for good. */
export const MAX_WINDOW_DAYS = 31;
export const MAX_REASON_LENGTH = 500;

export interface WindowSpan {
  startsAt: Date;
  endsAt: Date;
}

export interface WindowProblem {
  field: "startsAt" | "endsAt";
  message: string;
}

/** What is wrong with a new window at `now`, or null. */
export function windowProblem(span: WindowSpan, now: Date): WindowProblem | null {
  const { startsAt, endsAt } = span;
  if (!Number.isFinite(startsAt.getTime())) return { field: "startsAt", message: "Enter when the window starts." };
  if (!Number.isFinite(endsAt.getTime())) return { field: "endsAt", message: "Enter when the window ends." };
  if (endsAt.getTime() <= startsAt.getTime()) return { field: "endsAt", message: "The window must end after it starts." };
  if (endsAt.getTime() <= now.getTime()) return { field: "endsAt", message: "That end time has already passed: choose one in the future." };
  if (endsAt.getTime() - startsAt.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
    return { field: "endsAt", message: `A window lasts at most ${MAX_WINDOW_DAYS} days: split longer work into several windows.` };
  }
  return null;
}

export function isOpenAt(span: WindowSpan, at: Date): boolean {
  return span.startsAt.getTime() <= at.getTime() && span.endsAt.getTime() > at.getTime();
}

/**
 * Until when a system is silenced at `now`: the end of the open window, carried on through windows
 * that overlap or follow it without a gap. Null when no window is open.
 */
export function silencedUntil(windows: readonly WindowSpan[], now: Date): Date | null {
  let until: number | null = null;
  const sorted = [...windows].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  for (const w of sorted) {
    const start = w.startsAt.getTime();
    const end = w.endsAt.getTime();
    if (until === null) {
      if (isOpenAt(w, now)) until = end;
    } else if (start <= until) {
      until = Math.max(until, end);
    }
  }
  return until === null ? null : new Date(until);
}
