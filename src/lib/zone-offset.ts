// A time zone's offset from UTC at an instant, from the platform's own tz data (Intl): the site-local
// calendars of schedules and compliance days both stand on it.

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `at`, in ms (Europe/Berlin in summer: +7_200_000). */
export function zoneOffsetMs(at: Date | number, timeZone: string): number {
  const ms = typeof at === "number" ? at : at.getTime();
  let fmt = offsetFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    offsetFormats.set(timeZone, fmt);
  }
  const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant whose wall clock in `timeZone` reads `wallMs` (a Date.UTC of the local fields): the
 * offset at the instant itself, found from a first guess (they differ only around a clock change).
 */
export function instantOfWallTime(wallMs: number, timeZone: string): number {
  const guess = wallMs - zoneOffsetMs(wallMs, timeZone);
  return wallMs - zoneOffsetMs(guess, timeZone);
}
