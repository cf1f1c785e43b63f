"use client";

import { useId, useState, type FormEvent } from "react";
import { RelativeTime } from "@/components/alerts/relative-time";
import { formatMinutes } from "./format";
import type { PendingRow } from "./optimistic";
import { ErrorText, input, PendingState, primary, Section } from "./ui";

export const LABOUR_PRESETS = [15, 30, 60, 120] as const;

interface LabourRow {
  id: string;
  userName: string;
  minutes: number;
  note: string | null;
  createdAt: Date;
}

/** Labour in two taps: a preset (or a custom number of minutes), then Log. */
export function LabourSection({
  labour,
  pending,
  totalMinutes,
  waitingMinutes,
  canWork,
  onLog,
  onDismiss,
}: {
  labour: LabourRow[];
  pending: PendingRow<"logLabour">[];
  totalMinutes: number;
  waitingMinutes: number;
  canWork: boolean;
  onLog: (minutes: number, note: string | undefined) => Promise<void>;
  onDismiss: (clientKey: string) => void;
}) {
  const formId = useId();
  const [preset, setPreset] = useState<number | null>(30);
  const [custom, setCustom] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const minutes = custom.trim() ? Number(custom) : preset;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (minutes === null || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      setError("Enter whole minutes from 1 to 1440 (one day).");
      return;
    }
    setError(null);
    setSaving(true);
    try {
      await onLog(minutes, note.trim() || undefined);
      setCustom("");
      setNote("");
    } catch (err) {
      setError(`Could not save the entry on this phone: ${(err as Error).message}`);
    } finally {
      setSaving(false);
    }
  }

  const empty = labour.length === 0 && pending.length === 0;
  return (
    <Section
      id="labour"
      title="Labour"
      aside={
        <span data-testid="wo-labour-total">
          {formatMinutes(totalMinutes)} in all{waitingMinutes ? ` (${formatMinutes(waitingMinutes)} waiting to send)` : ""}
        </span>
      }
      testId="wo-labour"
    >
      {empty ? <p className="text-sm text-slate-500">No labour logged yet.</p> : null}
      <ul className="divide-y divide-slate-100" data-testid="wo-labour-list">
        {labour.map((l) => (
          <li key={l.id} className="py-2 text-sm" data-testid="wo-labour-row">
            <p className="flex flex-wrap items-baseline gap-x-2">
              <span className="font-semibold tabular-nums">{formatMinutes(l.minutes)}</span>
              <span className="text-slate-600">{l.userName}</span>
              <span className="text-xs text-slate-500">
                <RelativeTime at={l.createdAt} />
              </span>
            </p>
            {l.note ? <p className="break-words text-slate-700">{l.note}</p> : null}
          </li>
        ))}
        {pending.map((p) => (
          <li key={p.clientKey} className="py-2 text-sm" data-testid="wo-labour-row" data-pending={p.failed ? "refused" : "waiting"}>
            <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <span className={`font-semibold tabular-nums ${p.failed ? "text-slate-500 line-through" : ""}`}>{formatMinutes(p.input.minutes)}</span>
              <span className="text-slate-600">{p.meta?.userName ?? "me"}</span>
              <PendingState failed={p.failed} attempts={p.attempts} lastError={p.lastError} onDismiss={() => onDismiss(p.clientKey)} />
            </p>
            {p.input.note ? <p className="break-words text-slate-700">{p.input.note}</p> : null}
          </li>
        ))}
      </ul>

      {canWork ? (
        <form onSubmit={submit} className="mt-3 space-y-3 border-t border-slate-100 pt-3" data-testid="wo-labour-form">
          <fieldset>
            <legend className="text-sm font-medium">Time spent</legend>
            <div className="mt-1 grid grid-cols-4 gap-1.5">
              {LABOUR_PRESETS.map((m) => {
                const on = !custom.trim() && preset === m;
                return (
                  <button
                    key={m}
                    type="button"
                    aria-pressed={on}
                    onClick={() => {
                      setPreset(m);
                      setCustom("");
                    }}
                    data-testid={`wo-labour-chip-${m}`}
                    className={`min-h-11 rounded-lg border px-1 text-sm font-semibold ${on ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"}`}
                  >
                    {formatMinutes(m)}
                  </button>
                );
              })}
            </div>
          </fieldset>
          <div className="grid grid-cols-[minmax(0,8rem)_1fr] gap-2">
            <label className="text-sm">
              <span className="mb-0.5 block text-slate-600">Or minutes</span>
              <input
                id={`${formId}-custom`}
                type="number"
                inputMode="numeric"
                min={1}
                max={1440}
                step={1}
                value={custom}
                onChange={(e) => setCustom(e.target.value)}
                placeholder="e.g. 45"
                className={input}
                data-testid="wo-labour-custom"
              />
            </label>
            <label className="text-sm">
              <span className="mb-0.5 block text-slate-600">Note (optional)</span>
              <input type="text" maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What you did" className={input} data-testid="wo-labour-note" />
            </label>
          </div>
          <ErrorText>{error}</ErrorText>
          <button type="submit" className={`${primary} w-full sm:w-auto`} disabled={saving || minutes === null} data-testid="wo-labour-submit">
            {minutes && Number.isFinite(minutes) ? `Log ${formatMinutes(minutes)}` : "Log labour"}
          </button>
        </form>
      ) : null}
    </Section>
  );
}
