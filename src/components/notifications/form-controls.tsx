import type { ReactNode } from "react";
import { SEVERITIES, type SeverityName } from "@/components/alerts/filters";

// The form pieces the notification and rule pages share (Tailwind, 40 px touch targets as in src/components/alerts).
const button = "inline-flex min-h-10 items-center justify-center rounded-lg px-3 py-2 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60";
export const primaryButton = `${button} bg-brand-600 text-white hover:bg-brand-700`;
export const secondaryButton = `${button} border border-slate-300 bg-white text-slate-700 hover:bg-slate-100`;
export const dangerButton = `${button} border border-red-300 bg-white text-red-700 hover:bg-red-50`;
export const inputClass = "block min-h-10 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600";
export const labelClass = "text-sm font-medium text-slate-700";

/** "from <severity> up", as a person reads a minimum. */
export const MIN_SEVERITY_LABEL: Record<SeverityName, string> = {
  critical: "Critical only",
  major: "Major and critical",
  minor: "Minor and above",
  warning: "Everything (warning and above)",
};

export function SeveritySelect({
  id,
  value,
  onChange,
  disabled,
  invalid,
  label = MIN_SEVERITY_LABEL,
  testId,
}: {
  id: string;
  value: SeverityName;
  onChange: (v: SeverityName) => void;
  disabled?: boolean;
  invalid?: boolean;
  label?: Record<SeverityName, string>;
  testId?: string;
}) {
  return (
    <select
      id={id}
      value={value}
      disabled={disabled}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? `${id}-error` : undefined}
      data-testid={testId}
      onChange={(e) => onChange(e.target.value as SeverityName)}
      className={inputClass}
    >
      {SEVERITIES.map((s) => (
        <option key={s} value={s}>
          {label[s]}
        </option>
      ))}
    </select>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
      {message}
    </p>
  );
}

/** An on/off switch (a checkbox underneath, so keyboards and screen readers know it). */
export function Toggle({
  checked,
  onChange,
  label,
  disabled,
  title,
  testId,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: ReactNode;
  disabled?: boolean;
  title?: string;
  testId?: string;
}) {
  return (
    <label className={`inline-flex min-h-10 cursor-pointer items-center gap-2 text-sm ${disabled ? "cursor-not-allowed opacity-60" : ""}`} title={title}>
      <input type="checkbox" className="peer sr-only" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span
        aria-hidden="true"
        className="relative h-6 w-11 shrink-0 rounded-full bg-slate-300 transition peer-checked:bg-brand-600 peer-focus-visible:ring-2 peer-focus-visible:ring-brand-500 peer-focus-visible:ring-offset-2 after:absolute after:left-0.5 after:top-0.5 after:h-5 after:w-5 after:rounded-full after:bg-white after:shadow after:transition peer-checked:after:translate-x-5"
      />
      <span>{label}</span>
    </label>
  );
}
