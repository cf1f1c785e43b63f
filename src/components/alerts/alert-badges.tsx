import type { SeverityName } from "./filters";
import { SEVERITY_LOOK, STATE_LOOK, type AlertStateName } from "./labels";

const pill = "inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

export function SeverityBadge({ severity }: { severity: SeverityName }) {
  const look = SEVERITY_LOOK[severity];
  return (
    <span className={`${pill} font-semibold uppercase tracking-wide ${look.badge}`} data-severity={severity}>
      <span aria-hidden="true">{look.symbol}</span>
      {look.label}
    </span>
  );
}

export function StateBadge({ id, state }: { id: string; state: AlertStateName }) {
  const look = STATE_LOOK[state];
  return (
    <span className={`${pill} ${look.badge}`} title={look.hint} data-testid={`alert-state-${id}`} data-state={state}>
      {look.label}
    </span>
  );
}

export function ComplianceBadge() {
  return (
    <span
      className={`${pill} bg-violet-50 text-violet-900 ring-violet-600/30`}
      title="Compliance alarm: logged as a compliance event and never shelved."
      data-testid="compliance-badge"
    >
      <svg viewBox="0 0 16 16" className="h-3 w-3" aria-hidden="true">
        <path d="M8 1.5 2.5 3.5v4c0 3.3 2.3 6 5.5 7 3.2-1 5.5-3.7 5.5-7v-4L8 1.5Z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
      </svg>
      Compliance
    </span>
  );
}

export function SeverityStripe({ severity }: { severity: SeverityName }) {
  return <span aria-hidden="true" className={`absolute inset-y-0 left-0 w-1.5 ${SEVERITY_LOOK[severity].stripe}`} />;
}
