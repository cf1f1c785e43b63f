import type { LiveStatus } from "@/components/live/use-live-feed";

const LOOK: Record<LiveStatus, { dot: string; text: string; label: string }> = {
  live: { dot: "bg-emerald-500 animate-pulse", text: "text-emerald-800", label: "Live" },
  connecting: { dot: "bg-slate-400", text: "text-slate-600", label: "Connecting…" },
  reconnecting: { dot: "bg-amber-500", text: "text-amber-800", label: "Reconnecting…" },
};

/** The live feed's connection state; `paused` when the view shows a fixed range that gets no live data. */
export function LiveIndicator({ status, paused = false }: { status: LiveStatus; paused?: boolean }) {
  const look = LOOK[status];
  return (
    <span
      data-testid="live-status"
      data-status={status}
      role="status"
      className={`inline-flex items-center gap-1.5 rounded-full bg-white px-2.5 py-1 text-xs font-medium ring-1 ring-slate-200 ${look.text}`}
      title={status === "reconnecting" ? "The live connection dropped; retrying. Values shown may be out of date." : undefined}
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${look.dot}`} />
      {look.label}
      {paused && status === "live" ? <span className="font-normal text-slate-500">· paused (fixed range)</span> : null}
    </span>
  );
}
