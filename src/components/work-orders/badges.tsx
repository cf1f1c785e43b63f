import { isStatus, PRIORITY_LOOK, STATUS_LOOK, type PriorityName } from "./format";

const pill = "inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

export function WorkOrderStatusBadge({ status, pending = false, testId }: { status: string; pending?: boolean; testId?: string }) {
  const look = isStatus(status) ? STATUS_LOOK[status] : { label: status, badge: "bg-slate-100 text-slate-700 ring-slate-500/30" };
  return (
    <span className={`${pill} ${look.badge}`} data-status={status} data-testid={testId}>
      {look.label}
      {pending ? <span className="font-normal italic"> · waiting to send</span> : null}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: string }) {
  const look = PRIORITY_LOOK[priority as PriorityName] ?? { label: priority, symbol: "●", badge: "bg-slate-50 text-slate-700 ring-slate-400/40" };
  return (
    <span className={`${pill} ${look.badge}`} data-priority={priority}>
      <span aria-hidden="true">{look.symbol}</span>
      {look.label}
    </span>
  );
}

export function OverdueBadge() {
  return <span className={`${pill} bg-red-50 font-semibold text-red-800 ring-red-600/40`}>Overdue</span>;
}

/** The marker of a row that is saved on this phone and not yet on the server. */
export function WaitingMarker({ attempts = 0, lastError = null }: { attempts?: number; lastError?: string | null }) {
  return (
    <span
      className={`${pill} bg-amber-50 text-amber-900 ring-amber-500/50`}
      data-testid="waiting-to-send"
      title={attempts > 0 && lastError ? `Not sent yet (${attempts} ${attempts === 1 ? "try" : "tries"}): ${lastError}` : "Saved on this phone; sent as soon as there is a connection"}
    >
      <svg viewBox="0 0 16 16" className="h-3 w-3" aria-hidden="true">
        <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
      waiting to send
    </span>
  );
}
