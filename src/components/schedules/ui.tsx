import type { ReactNode } from "react";
import { progressTone } from "./schedule-form-rules";

export const button =
  "inline-flex min-h-10 items-center justify-center rounded-lg px-3 py-2 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60";
export const primary = `${button} bg-brand-600 text-white hover:bg-brand-700`;
export const secondary = `${button} border border-slate-300 bg-white text-slate-700 hover:bg-slate-100`;
export const danger = `${button} border border-red-300 bg-white text-red-700 hover:bg-red-50`;
export const inputClass = "block min-h-10 w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-500";

const toneClass = { idle: "bg-slate-300", ok: "bg-brand-500", soon: "bg-amber-500", due: "bg-red-600" } as const;

/** Progress towards the next due point; past 100 % the bar stays full and turns red. */
export function ProgressBar({ percent, label, testId }: { percent: number | null; label: string; testId?: string }) {
  const tone = progressTone(percent);
  const width = percent === null ? 0 : Math.min(100, Math.max(0, percent));
  return (
    <div className="flex items-center gap-2" data-testid={testId}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent === null ? undefined : Math.round(Math.min(percent, 100))}
        className="h-2.5 flex-1 overflow-hidden rounded-full bg-slate-100"
      >
        <div className={`h-full rounded-full ${toneClass[tone]}`} style={{ width: `${width}%` }} />
      </div>
      <span className="w-14 text-right text-xs tabular-nums text-slate-600">{percent === null ? "—" : `${Math.round(percent)} %`}</span>
    </div>
  );
}

export function Field({ id, label, hint, error, children, className = "" }: { id: string; label: string; hint?: string; error?: string; children: ReactNode; className?: string }) {
  return (
    <div className={className}>
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="mt-1">{children}</div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      ) : hint ? (
        <p className="mt-1 text-xs text-slate-500">{hint}</p>
      ) : null}
    </div>
  );
}

export function Pill({ children, tone = "slate", testId }: { children: ReactNode; tone?: "slate" | "red" | "amber" | "green" | "brand"; testId?: string }) {
  const cls = {
    slate: "bg-slate-100 text-slate-700 ring-slate-400/30",
    red: "bg-red-50 text-red-700 ring-red-600/20",
    amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
    green: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
    brand: "bg-brand-50 text-brand-700 ring-brand-600/20",
  }[tone];
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${cls}`} data-testid={testId}>
      {children}
    </span>
  );
}

const dateFormats = {
  date: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" }),
  datetime: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
};

/**
 * A date in the reader's time zone. The server renders it in its own zone; the browser's text replaces
 * it on hydration without a mismatch error (the zone is the only difference).
 */
export function LocalTime({ at, format = "date" }: { at: Date; format?: keyof typeof dateFormats }) {
  return (
    <time dateTime={at.toISOString()} suppressHydrationWarning>
      {dateFormats[format].format(at)}
    </time>
  );
}
