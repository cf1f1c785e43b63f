"use client";

// The "Instrument calibration" card of a unit's month: the state of each monitoring instrument the
// off-spec figures rest on, the recent field checks, and (technicians and up) recording a check with
// its verdict shown before it is sent. A failed check makes the water off-spec from then on, so a
// recorded check also refreshes the server-rendered month around the card.
import { useId, useState, type FormEvent, type ReactNode } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CalibrationCheckView, InstrumentView } from "@/server/compliance/calibration-checks";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { formErrors } from "@/components/notifications/form-errors";
import {
  formatDeviation,
  INSTRUMENT_LABELS,
  parseReading,
  previewCheck,
  readingLabels,
  readingsText,
  recordedMessage,
  RESULT_LOOK,
  siteInputToDate,
  STATE_LOOK,
} from "./calibration-format";
import { siteDateTime } from "./format";

interface CalibrationCardProps {
  systemCode: string;
  /** the site's zone: every time on the card, and the "Taken at" input, are on its clock */
  timeZone: string;
  /** technicians and up record checks; viewers only read */
  canRecord: boolean;
}

const badge = "inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";
const input = "block min-h-11 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm aria-[invalid=true]:border-red-500";
const labelClass = "text-sm font-medium text-slate-800";
/** the history shows this many checks until asked for all (a phone screen is short) */
const HISTORY_SHOWN = 5;

export function CalibrationCard({ systemCode, timeZone, canRecord }: CalibrationCardProps) {
  const trpc = useTRPC();
  const calibration = useQuery(trpc.compliance.calibration.queryOptions({ systemCode }));

  let body: ReactNode;
  if (calibration.isPending) body = <p className="text-sm text-slate-500">Loading calibration…</p>;
  else if (calibration.error) {
    body = (
      <p className="text-sm text-red-700" role="alert">
        The calibration checks could not be loaded: {calibration.error.message}. Reload the page to try again.
      </p>
    );
  } else {
    const { instruments, checks } = calibration.data;
    body =
      instruments.length === 0 ? (
        <p className="text-sm text-slate-500">This unit has no UV sensor or online UVT analyser to check.</p>
      ) : (
        <>
          <ul className="grid gap-3 md:grid-cols-2" aria-label="Instruments">
            {instruments.map((i) => (
              <Instrument key={i.componentCode} instrument={i} timeZone={timeZone} />
            ))}
          </ul>
          <div className={`mt-4 grid gap-6 ${canRecord ? "lg:grid-cols-2" : ""}`}>
            {canRecord ? <RecordForm systemCode={systemCode} timeZone={timeZone} instruments={instruments} /> : null}
            <History checks={checks} timeZone={timeZone} />
          </div>
          {!canRecord ? <p className="mt-3 text-xs text-slate-500">Technicians record calibration checks.</p> : null}
        </>
      );
  }

  return (
    <Card className="p-4">
      <div data-testid="calibration-card">
        <h3 className="font-semibold">
          Instrument calibration
        </h3>
        <p className="mb-3 text-xs text-slate-500">
          The duty UV sensor is checked monthly against reference sensors, an online UVT analyser weekly against the lab. After a failed check the water counts as
          off-spec until a check passes.
        </p>
        {body}
      </div>
    </Card>
  );
}

function Instrument({ instrument: i, timeZone }: { instrument: InstrumentView; timeZone: string }) {
  const look = STATE_LOOK[i.status.state];
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 p-3" data-testid={`calibration-instrument-${i.componentCode}`}>
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium break-words">
            <span className="font-mono">{i.componentCode}</span> <span className="font-normal text-slate-600">{i.componentName}</span>
          </p>
          <p className="text-xs text-slate-500">
            {INSTRUMENT_LABELS[i.instrument]} · checked every {i.intervalDays} days
          </p>
        </div>
        <span className={`${badge} ${look.className}`} data-testid={`calibration-status-${i.componentCode}`} data-state={i.status.state}>
          {look.label}
        </span>
      </div>
      <p className="mt-2 text-sm text-slate-700">{i.status.summary}</p>
      {i.last ? (
        <p className="mt-1 text-xs text-slate-600">
          Last check <span className="tabular-nums">{siteDateTime(i.last.checkedAt, timeZone)}</span>: {readingsText(i.last)},{" "}
          <span className="font-medium tabular-nums">{formatDeviation(i.last.instrument, i.last.deviation)}</span>, {RESULT_LOOK[i.last.result].label.toLowerCase()}.
        </p>
      ) : null}
      {i.openWorkOrders.length > 0 ? (
        <p className="mt-1 text-sm" data-testid={`calibration-orders-${i.componentCode}`}>
          Open for this check:{" "}
          {i.openWorkOrders.map((o, k) => (
            <span key={o.id}>
              {k > 0 ? ", " : null}
              <Link href={`/work-orders/${encodeURIComponent(o.id)}`} className="inline-flex min-h-11 items-center font-medium text-brand-700 hover:underline sm:min-h-0">
                WO-{o.number}
              </Link>
              {o.dueAt ? <span className="text-slate-500"> (due {siteDateTime(o.dueAt, timeZone)})</span> : null}
            </span>
          ))}
        </p>
      ) : null}
    </li>
  );
}

function History({ checks, timeZone }: { checks: CalibrationCheckView[]; timeZone: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? checks : checks.slice(0, HISTORY_SHOWN);
  return (
    <div className="min-w-0">
      <h4 className="mb-1 text-sm font-semibold">Recent checks</h4>
      {checks.length === 0 ? (
        <p className="text-sm text-slate-500">No checks recorded yet.</p>
      ) : (
        <ol className="divide-y divide-slate-100" data-testid="calibration-history">
          {shown.map((c) => (
            <li key={c.id} className="py-2 text-sm" data-testid="calibration-check" data-result={c.result}>
              <div className="flex flex-wrap items-center justify-between gap-x-2 gap-y-1">
                <span className="font-medium">
                  <span className="tabular-nums">{siteDateTime(c.checkedAt, timeZone)}</span> · <span className="font-mono">{c.componentCode}</span>
                </span>
                <span className={`${badge} ${RESULT_LOOK[c.result].className}`}>
                  {RESULT_LOOK[c.result].label} · {formatDeviation(c.instrument, c.deviation)}
                </span>
              </div>
              <p className="text-xs break-words text-slate-600">
                {readingsText(c)} · by {c.by}
              </p>
              {c.note ? <p className="text-xs break-words whitespace-pre-line text-slate-500">“{c.note}”</p> : null}
            </li>
          ))}
        </ol>
      )}
      {checks.length > HISTORY_SHOWN ? (
        <button type="button" onClick={() => setAll((a) => !a)} className="min-h-11 text-sm font-medium text-brand-700 hover:underline" aria-expanded={all}>
          {all ? "Show the latest only" : `Show all ${checks.length} checks`}
        </button>
      ) : null}
    </div>
  );
}

const emptyReferences = () => Array.from({ length: readingLabels("uv_sensor").references.length }, () => "");

function RecordForm({ systemCode, timeZone, instruments }: { systemCode: string; timeZone: string; instruments: InstrumentView[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const id = useId();
  const [code, setCode] = useState(instruments[0]!.componentCode);
  const [reading, setReading] = useState("");
  const [references, setReferences] = useState(emptyReferences);
  const [takenAt, setTakenAt] = useState("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const selected = instruments.find((i) => i.componentCode === code) ?? instruments[0]!;
  const labels = readingLabels(selected.instrument);
  const refs = references.slice(0, labels.references.length);
  const preview = previewCheck(selected.instrument, reading, refs);

  const record = useMutation(
    trpc.compliance.recordCalibration.mutationOptions({
      onSuccess: async () => {
        setReading("");
        setReferences(emptyReferences());
        setTakenAt("");
        setNote("");
        // a failed (or a later passing) check changes the off-spec figures of the month around the card
        router.refresh();
        // (awaited: the button stays disabled until the badges show the new state)
        await queryClient.invalidateQueries({ queryKey: trpc.compliance.calibration.queryKey({ systemCode }) });
      },
    }),
  );
  const serverError = record.error ? formErrors(record.error) : null;
  const serverMessage = serverError ? [serverError.message, ...Object.values(serverError.fields)].filter(Boolean).join(" ") : null;

  function chooseInstrument(next: string) {
    const kind = instruments.find((i) => i.componentCode === next)?.instrument;
    // readings of another kind of instrument (W/m² against % UVT) do not carry over
    if (kind !== selected.instrument) {
      setReading("");
      setReferences(emptyReferences());
    }
    setCode(next);
    setErrors({});
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fe: Record<string, string> = {};
    const value = parseReading(reading);
    if (value === null) fe.reading = selected.instrument === "uv_sensor" ? "Enter the duty sensor reading." : "Enter the online UVT.";
    else if (Number.isNaN(value)) fe.reading = "Enter a number, e.g. 41.5.";
    const referenceReadings: number[] = [];
    refs.forEach((text, n) => {
      const v = parseReading(text);
      if (v === null) return;
      if (Number.isNaN(v)) fe[`ref${n}`] = "Enter a number, e.g. 41.5.";
      else referenceReadings.push(v);
    });
    if (referenceReadings.length === 0 && !refs.some((_, n) => fe[`ref${n}`])) {
      fe.ref0 = selected.instrument === "uv_sensor" ? "Enter at least one reference reading." : "Enter the lab UVT.";
    }
    let checkedAt: Date | undefined;
    if (takenAt.trim()) {
      const at = siteInputToDate(takenAt, timeZone);
      if (at) checkedAt = at;
      else fe.takenAt = "Enter the date and time the readings were taken, or leave it empty for now.";
    }
    setErrors(fe);
    if (Object.keys(fe).length > 0) return;
    // the preview's problems are not stopped here: the server judges with the same rules and says what is wrong
    record.mutate({ systemCode, componentCode: selected.componentCode, checkedAt, instrumentReading: value!, referenceReadings, note: note.trim() || undefined });
  }

  const f = (k: string) => `${id}-${k}`;
  const fieldError = (k: string) =>
    errors[k] ? (
      <p key={k} id={`${f(k)}-error`} role="alert" className="mt-1 text-sm text-red-700">
        {errors[k]}
      </p>
    ) : null;
  const invalid = (k: string) => (errors[k] ? { "aria-invalid": true, "aria-describedby": `${f(k)}-error` } : {});
  const previewTone =
    preview.kind === "verdict" ? RESULT_LOOK[preview.outcome.result].className : preview.kind === "problem" ? "bg-amber-50 text-amber-900 ring-amber-600/20" : "bg-slate-50 text-slate-600 ring-slate-200";

  return (
    <form onSubmit={submit} noValidate className="min-w-0 space-y-3" data-testid="calibration-form" aria-labelledby={f("title")}>
      <h4 id={f("title")} className="text-sm font-semibold">
        Record a check
      </h4>
      <div>
        <label htmlFor={f("instrument")} className={labelClass}>
          Instrument
        </label>
        <select id={f("instrument")} value={selected.componentCode} onChange={(e) => chooseInstrument(e.target.value)} className={`${input} mt-1`}>
          {instruments.map((i) => (
            <option key={i.componentCode} value={i.componentCode}>
              {i.componentCode} · {i.componentName} ({INSTRUMENT_LABELS[i.instrument]})
            </option>
          ))}
        </select>
      </div>

      <div className={`grid gap-3 ${selected.instrument === "uvt_analyser" ? "grid-cols-2" : ""}`}>
        <div className="min-w-0">
          <label htmlFor={f("reading")} className={labelClass}>
            {labels.instrument}
          </label>
          <input
            id={f("reading")}
            inputMode="decimal"
            autoComplete="off"
            value={reading}
            onChange={(e) => setReading(e.target.value)}
            className={`${input} mt-1`}
            {...invalid("reading")}
          />
          {fieldError("reading")}
        </div>
        {selected.instrument === "uvt_analyser" ? (
          <div className="min-w-0">
            <label htmlFor={f("ref0")} className={labelClass}>
              {labels.references[0]}
            </label>
            <input
              id={f("ref0")}
              inputMode="decimal"
              autoComplete="off"
              value={references[0]}
              onChange={(e) => setReferences((r) => r.map((v, n) => (n === 0 ? e.target.value : v)))}
              className={`${input} mt-1`}
              {...invalid("ref0")}
            />
            {fieldError("ref0")}
          </div>
        ) : (
          <fieldset className="min-w-0">
            <legend className={labelClass}>Reference sensors (W/m²)</legend>
            <p className="text-xs text-slate-500">At least one, up to three, read at the same place and moment; their mean is the reference.</p>
            <div className="mt-1 grid grid-cols-3 gap-2">
              {labels.references.map((label, n) => (
                <div key={label} className="min-w-0">
                  {/* the visible "Reference 1" under the legend's unit; the full label for screen readers */}
                  <label htmlFor={f(`ref${n}`)} className="text-xs text-slate-600">
                    {label.replace(" (W/m²)", "")}
                    <span className="sr-only"> (W/m²)</span>
                  </label>
                  <input
                    id={f(`ref${n}`)}
                    inputMode="decimal"
                    autoComplete="off"
                    value={references[n]}
                    onChange={(e) => setReferences((r) => r.map((v, m) => (m === n ? e.target.value : v)))}
                    className={input}
                    {...invalid(`ref${n}`)}
                  />
                </div>
              ))}
            </div>
            {labels.references.map((_, n) => fieldError(`ref${n}`))}
          </fieldset>
        )}
      </div>

      <div className="grid gap-3 sm:grid-cols-2">
        <div className="min-w-0">
          <label htmlFor={f("taken")} className={labelClass}>
            Taken at <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <input
            id={f("taken")}
            type="datetime-local"
            value={takenAt}
            onChange={(e) => setTakenAt(e.target.value)}
            className={`${input} mt-1`}
            aria-describedby={errors.takenAt ? `${f("takenAt")}-error` : f("taken-hint")}
            aria-invalid={errors.takenAt ? true : undefined}
          />
          {fieldError("takenAt") ?? (
            <p id={f("taken-hint")} className="mt-1 text-xs text-slate-500">
              Site time ({timeZone}); empty: now.
            </p>
          )}
        </div>
        <div className="min-w-0">
          <label htmlFor={f("note")} className={labelClass}>
            Note <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <textarea
            id={f("note")}
            rows={2}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="e.g. reference sensor RS-2, lamps at full power"
            className={`${input} mt-1`}
          />
        </div>
      </div>

      <div className={`rounded-xl p-3 text-sm ring-1 ring-inset ${previewTone}`} aria-live="polite" data-testid="calibration-preview" data-kind={preview.kind}>
        <p className="text-xs font-medium uppercase tracking-wide opacity-80">Verdict before recording</p>
        <p className="mt-0.5">{preview.text}</p>
      </div>

      {serverMessage ? (
        <p role="alert" className="text-sm text-red-700" data-testid="calibration-error">
          {serverMessage}
        </p>
      ) : null}

      <button
        type="submit"
        disabled={record.isPending}
        className="inline-flex min-h-11 w-full items-center justify-center rounded-lg bg-brand-600 px-4 text-sm font-semibold text-white hover:bg-brand-700 disabled:cursor-not-allowed disabled:opacity-60 sm:w-auto"
      >
        {record.isPending ? "Recording…" : "Record check"}
      </button>

      {record.data ? (
        <p role="status" className={`rounded-lg px-3 py-2 text-sm ring-1 ring-inset ${RESULT_LOOK[record.data.check.result].className}`} data-testid="calibration-result">
          {recordedMessage(record.data)}
        </p>
      ) : null}
    </form>
  );
}
