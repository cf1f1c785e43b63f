/** "Alerts silenced until …" for a system in a maintenance window, in the site's time zone (server-rendered). */
export function SilencedBadge({ until, reasons, timeZone }: { until: Date; reasons: string[]; timeZone: string }) {
  const fmt = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone, timeZoneName: "short" });
  return (
    <span
      className="inline-flex items-center gap-1 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-inset ring-amber-600/30"
      title={`Maintenance window${reasons.length ? `: ${reasons.join("; ")}` : ""}. Compliance alerts still notify.`}
      data-testid="system-silenced"
    >
      <svg viewBox="0 0 24 24" className="h-3.5 w-3.5" aria-hidden="true">
        <path d="M4 9v6h4l5 4V5L8 9H4Z" fill="currentColor" />
        <path d="m16 9 6 6m0-6-6 6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      Alerts silenced until {fmt.format(until)}
    </span>
  );
}
