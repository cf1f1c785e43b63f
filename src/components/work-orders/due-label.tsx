"use client";

import { useNow } from "@/components/telemetry/use-now";
import { dueText } from "./format";

// Before hydration the browser's zone is unknown: the server and the first render agree on UTC.
const utcDay = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const localFull = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });

/** "due in 3 d" / "overdue by 2 h", the exact due time on hover. */
export function DueLabel({ dueAt, status, className = "" }: { dueAt: Date | null; status: string; className?: string }) {
  const now = useNow(60_000);
  if (!dueAt) return <span className={className}>no due date</span>;
  if (now === null) {
    return (
      <time dateTime={dueAt.toISOString()} className={className}>
        due {utcDay.format(dueAt)}
      </time>
    );
  }
  return (
    <time dateTime={dueAt.toISOString()} title={localFull.format(dueAt)} className={className}>
      {dueText(dueAt, now, status)}
    </time>
  );
}
