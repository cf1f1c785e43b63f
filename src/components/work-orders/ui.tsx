import type { ReactNode } from "react";
import { Card } from "@/components/ui/page-header";
import type { FailedSend } from "@/lib/offline-queue/queue";
import { WaitingMarker } from "./badges";

// Phone-first controls: every tap target is at least 44 px high (min-h-11).
export const button = "inline-flex min-h-11 items-center justify-center gap-1.5 rounded-lg px-4 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60";
export const primary = `${button} bg-brand-600 text-white hover:bg-brand-700`;
export const secondary = `${button} border border-slate-300 bg-white text-slate-700 hover:bg-slate-100`;
export const danger = `${button} border border-red-300 bg-white text-red-800 hover:bg-red-50`;
export const input = "block min-h-11 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm";

export function Section({ id, title, aside, children, testId }: { id?: string; title: string; aside?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Card className="p-4">
      <div id={id} className="scroll-mt-20" data-testid={testId}>
        <h2 className="mb-3 flex flex-wrap items-baseline justify-between gap-2 font-semibold">
          {title}
          {aside ? <span className="text-sm font-normal text-slate-600">{aside}</span> : null}
        </h2>
        {children}
      </div>
    </Card>
  );
}

/** The state of an entry not yet on the server: waiting (with its marker) or refused (with why, and dismiss). */
export function PendingState({
  failed,
  attempts,
  lastError,
  onDismiss,
}: {
  failed: FailedSend | null;
  attempts: number;
  lastError: string | null;
  onDismiss: () => void;
}) {
  if (!failed) return <WaitingMarker attempts={attempts} lastError={lastError} />;
  return (
    <span className="mt-1 flex flex-wrap items-center gap-2 text-sm text-red-800" role="alert" data-testid="entry-refused">
      <span className="min-w-0 flex-1 break-words">Not saved: {failed.message}</span>
      <button type="button" onClick={onDismiss} className="min-h-11 rounded-lg border border-red-300 bg-white px-3 font-semibold hover:bg-red-50">
        Dismiss
      </button>
    </span>
  );
}

export function ErrorText({ children, testId }: { children: ReactNode; testId?: string }) {
  if (!children) return null;
  return (
    <p role="alert" className="mt-1 text-sm text-red-700" data-testid={testId}>
      {children}
    </p>
  );
}
