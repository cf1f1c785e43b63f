"use client";

import { useState } from "react";
import { useNow } from "@/components/telemetry/use-now";

const exactFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
});
// Before hydration the browser's time zone is unknown: the server and the first render agree on UTC.
const utcFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });

/** "12 s ago", "5 min ago", "in 2 h". */
export function relativeTo(ms: number, now: number): string {
  const diff = Math.round((ms - now) / 1000);
  const s = Math.abs(diff);
  const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
  if (s < 5) return "just now";
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

/**
 * A time as "5 min ago", the exact local time on hover (title) or on a tap (it toggles), so it
 * works on a phone as well.
 */
export function RelativeTime({ at, className = "" }: { at: Date; className?: string }) {
  const now = useNow(15_000);
  const [exact, setExact] = useState(false);
  const iso = at.toISOString();
  if (now === null) {
    return (
      <time dateTime={iso} className={className}>
        {utcFormat.format(at)} UTC
      </time>
    );
  }
  const full = exactFormat.format(at);
  return (
    <button
      type="button"
      onClick={() => setExact((e) => !e)}
      title={full}
      aria-label={`${relativeTo(at.getTime(), now)}, ${full}`}
      className={`rounded underline decoration-dotted decoration-slate-400 underline-offset-2 hover:decoration-slate-700 ${className}`}
    >
      <time dateTime={iso}>{exact ? full : relativeTo(at.getTime(), now)}</time>
    </button>
  );
}
