import type { TimelineEvent } from "@/server/maintenance/history/get-component-timeline";

/** How an event is coloured: a failure (corrective work with a failure mode), other work, or an alert. */
export function eventTone(e: TimelineEvent): "failure" | "work" | "alert" {
  if (e.kind === "alert") return "alert";
  return e.type === "corrective" && e.failureMode ? "failure" : "work";
}

/** A duration as people say it: "45 min", "5.5 h", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!(ms >= 0)) return "—";
  const minutes = ms / 60_000;
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Number(hours.toFixed(1))} h`;
  const days = Math.floor(hours / 24);
  const rest = Math.round(hours - days * 24);
  return rest ? `${days} d ${rest} h` : `${days} d`;
}
