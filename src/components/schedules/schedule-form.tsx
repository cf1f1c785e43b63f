"use client";

import { useId, useMemo, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { serverFieldErrors, type FieldErrors, type ScheduleField } from "@/lib/schedule-fields";
import { EMPTY_SCHEDULE_FORM, formValuesOf, KIND_LABEL, scheduleFormProblems, toScheduleInput, type ScheduleFormValues, type ScheduleKindName } from "./schedule-form-rules";
import { Field, inputClass, primary, secondary } from "./ui";

type Outputs = inferRouterOutputs<AppRouter>["maintenance"]["schedule"];
export type ScheduleItem = Outputs["list"][number];
export type ScheduleOptions = Outputs["options"];

const KINDS: ScheduleKindName[] = ["time", "meter", "condition"];
/** Fields top to bottom as the form shows them (the first wrong one gets the focus). */
const FORM_ORDER: ScheduleField[] = [
  "name",
  "systemCode",
  "componentCode",
  "intervalDays",
  "nextDueAt",
  "meterMetricKey",
  "meterInterval",
  "lastMeterValue",
  "conditionMetricKey",
  "conditionOp",
  "conditionThreshold",
  "conditionHoldMinutes",
  "leadTimeDays",
  "workOrderType",
  "priority",
  "checklist",
];
const KIND_HINT: Record<ScheduleKindName, string> = {
  time: "Every N days on a fixed calendar",
  meter: "Lamp hours, running hours, pumped volume",
  condition: "A telemetry condition held for a while",
};

/** Create or edit a schedule; the kind decides which fields show. Field errors sit under their input. */
export function ScheduleForm({ options, schedule, onDone }: { options: ScheduleOptions; schedule: ScheduleItem | null; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const id = (f: string) => `${formId}-${f}`;
  const [values, setValues] = useState<ScheduleFormValues>(() =>
    schedule ? formValuesOf(schedule) : { ...EMPTY_SCHEDULE_FORM, systemCode: options.systems.length === 1 ? options.systems[0]!.code : "" },
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  const onSuccess = async (saved: { name: string }) => {
    await queryClient.invalidateQueries(trpc.maintenance.schedule.pathFilter());
    onDone(schedule ? `Saved "${saved.name}".` : `Created "${saved.name}".`);
  };
  // On a phone the first wrong field can be a screen away from the button: take the user to it.
  const showErrors = (fields: FieldErrors) => {
    setErrors(fields);
    const first = FORM_ORDER.find((f) => fields[f]);
    if (first) requestAnimationFrame(() => document.getElementById(id(first))?.focus());
  };
  const onError = (err: { message: string; data?: { fieldErrors?: { path: string; message: string }[] | null } | null }) => {
    const fields = serverFieldErrors(err.message, err.data?.fieldErrors);
    showErrors(fields);
    // the server's own words when it refused for a reason no field shows (a system deleted meanwhile, …)
    setFormError(Object.keys(fields).length ? "The server refused some fields; see the notes under them." : err.message);
  };
  const create = useMutation(trpc.maintenance.schedule.create.mutationOptions({ onSuccess, onError }));
  const update = useMutation(trpc.maintenance.schedule.update.mutationOptions({ onSuccess, onError }));
  const busy = create.isPending || update.isPending;

  const system = options.systems.find((s) => s.code === values.systemCode);
  const meter = options.meterMetrics.find((m) => m.key === values.meterMetricKey);
  const conditionMetric = options.conditionMetrics.find((m) => m.key === values.conditionMetricKey);
  const set = <K extends keyof ScheduleFormValues>(key: K, value: ScheduleFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value, ...(key === "systemCode" ? { componentCode: "" } : {}) }));
    if (errors[key as keyof FieldErrors]) setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const invalid = (f: keyof FieldErrors) => ({ "aria-invalid": errors[f] ? true : undefined, "aria-describedby": errors[f] ? `${id(f)}-error` : undefined });

  const minDate = useMemo(() => new Date().toISOString().slice(0, 10), []);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const problems = scheduleFormProblems(values);
    showErrors(problems);
    if (Object.keys(problems).length) {
      setFormError("Some fields need a look; see the notes under them.");
      return;
    }
    setFormError(null);
    const input = toScheduleInput(values);
    if (schedule) update.mutate({ id: schedule.id, ...input });
    else create.mutate(input);
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4" data-testid="schedule-form" aria-label={schedule ? `Edit ${schedule.name}` : "New schedule"}>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Kind</legend>
        <div className="mt-1 grid gap-1.5 sm:grid-cols-3">
          {KINDS.map((k) => (
            <label
              key={k}
              className={`flex min-h-12 cursor-pointer flex-col justify-center rounded-lg border px-3 py-2 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500 ${
                values.kind === k ? "border-brand-600 bg-brand-50" : "border-slate-300 bg-white hover:bg-slate-50"
              }`}
            >
              <input type="radio" name={`${formId}-kind`} value={k} checked={values.kind === k} onChange={() => set("kind", k)} className="sr-only" data-testid={`schedule-kind-${k}`} />
              <span className="font-semibold">{KIND_LABEL[k]}</span>
              <span className="text-xs text-slate-500">{KIND_HINT[k]}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={id("name")} label="Name (the work order's title)" error={errors.name} className="sm:col-span-2">
          <input id={id("name")} value={values.name} onChange={(e) => set("name", e.target.value)} maxLength={200} className={inputClass} placeholder="e.g. Replace UV lamp" {...invalid("name")} />
        </Field>
        <Field id={id("systemCode")} label="System" error={errors.systemCode}>
          <select id={id("systemCode")} value={values.systemCode} onChange={(e) => set("systemCode", e.target.value)} className={inputClass} {...invalid("systemCode")}>
            <option value="">Pick a system…</option>
            {options.systems.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} · {s.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={id("componentCode")} label="Component (optional)" error={errors.componentCode}>
          <select id={id("componentCode")} value={values.componentCode} onChange={(e) => set("componentCode", e.target.value)} className={inputClass} disabled={!system} {...invalid("componentCode")}>
            <option value="">The whole system</option>
            {system?.components.map((c) => (
              <option key={c.code} value={c.code}>
                {c.code} · {c.name}
              </option>
            ))}
          </select>
        </Field>
      </div>

      {values.kind === "time" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field id={id("intervalDays")} label="Every (days)" error={errors.intervalDays}>
            <input id={id("intervalDays")} type="number" inputMode="numeric" min={1} step={1} value={values.intervalDays} onChange={(e) => set("intervalDays", e.target.value)} className={inputClass} {...invalid("intervalDays")} />
          </Field>
          <Field
            id={id("nextDueAt")}
            label={schedule ? "Move the next due date (optional)" : "First due date (optional)"}
            hint={schedule ? "Empty keeps the calendar." : "Empty: one interval from today."}
            error={errors.nextDueAt}
          >
            <input id={id("nextDueAt")} type="date" min={minDate} value={values.nextDueAt} onChange={(e) => set("nextDueAt", e.target.value)} className={inputClass} {...invalid("nextDueAt")} />
          </Field>
        </div>
      ) : null}

      {values.kind === "meter" ? (
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id={id("meterMetricKey")} label="Meter" error={errors.meterMetricKey}>
            <select id={id("meterMetricKey")} value={values.meterMetricKey} onChange={(e) => set("meterMetricKey", e.target.value)} className={inputClass} {...invalid("meterMetricKey")}>
              <option value="">Pick a meter…</option>
              {options.meterMetrics.map((m) => (
                <option key={m.key} value={m.key}>
                  {m.name} ({m.unit})
                </option>
              ))}
            </select>
          </Field>
          <Field id={id("meterInterval")} label={`Every${meter ? ` (${meter.unit})` : ""}`} error={errors.meterInterval}>
            <input id={id("meterInterval")} type="number" inputMode="decimal" min={0} step="any" value={values.meterInterval} onChange={(e) => set("meterInterval", e.target.value)} className={inputClass} {...invalid("meterInterval")} />
          </Field>
          <Field id={id("lastMeterValue")} label="Meter at last service" hint="Empty: today's reading." error={errors.lastMeterValue}>
            <input id={id("lastMeterValue")} type="number" inputMode="decimal" min={0} step="any" value={values.lastMeterValue} onChange={(e) => set("lastMeterValue", e.target.value)} className={inputClass} {...invalid("lastMeterValue")} />
          </Field>
        </div>
      ) : null}

      {values.kind === "condition" ? (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Field id={id("conditionMetricKey")} label="Metric" error={errors.conditionMetricKey} className="col-span-2 sm:col-span-1">
            <select id={id("conditionMetricKey")} value={values.conditionMetricKey} onChange={(e) => set("conditionMetricKey", e.target.value)} className={inputClass} {...invalid("conditionMetricKey")}>
              <option value="">Pick a metric…</option>
              {options.conditionMetrics.map((m) => (
                <option key={m.key} value={m.key}>
                  {m.name} ({m.unit})
                </option>
              ))}
            </select>
          </Field>
          <Field id={id("conditionOp")} label="Is" error={errors.conditionOp}>
            <select id={id("conditionOp")} value={values.conditionOp} onChange={(e) => set("conditionOp", e.target.value as ">" | "<")} className={inputClass} {...invalid("conditionOp")}>
              <option value=">">above</option>
              <option value="<">below</option>
            </select>
          </Field>
          <Field id={id("conditionThreshold")} label={`Threshold${conditionMetric ? ` (${conditionMetric.unit})` : ""}`} error={errors.conditionThreshold}>
            <input id={id("conditionThreshold")} type="number" inputMode="decimal" step="any" value={values.conditionThreshold} onChange={(e) => set("conditionThreshold", e.target.value)} className={inputClass} {...invalid("conditionThreshold")} />
          </Field>
          <Field id={id("conditionHoldMinutes")} label="For (minutes)" error={errors.conditionHoldMinutes} className="col-span-2 sm:col-span-1">
            <input id={id("conditionHoldMinutes")} type="number" inputMode="numeric" min={1} step={1} value={values.conditionHoldMinutes} onChange={(e) => set("conditionHoldMinutes", e.target.value)} className={inputClass} {...invalid("conditionHoldMinutes")} />
          </Field>
        </div>
      ) : null}

      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        <Field
          id={id("leadTimeDays")}
          label="Lead time (days)"
          hint={values.kind === "condition" ? "Days to act after the condition held." : "Open the order this early."}
          error={errors.leadTimeDays}
          className="col-span-2 sm:col-span-1"
        >
          <input id={id("leadTimeDays")} type="number" inputMode="numeric" min={0} step={1} value={values.leadTimeDays} onChange={(e) => set("leadTimeDays", e.target.value)} className={inputClass} {...invalid("leadTimeDays")} />
        </Field>
        <Field id={id("workOrderType")} label="Order type" error={errors.workOrderType}>
          <select id={id("workOrderType")} value={values.workOrderType} onChange={(e) => set("workOrderType", e.target.value as ScheduleFormValues["workOrderType"])} className={inputClass}>
            <option value="preventive">Preventive</option>
            <option value="inspection">Inspection</option>
            <option value="corrective">Corrective</option>
            <option value="predictive">Predictive</option>
          </select>
        </Field>
        <Field id={id("priority")} label="Priority" error={errors.priority}>
          <select id={id("priority")} value={values.priority} onChange={(e) => set("priority", e.target.value as ScheduleFormValues["priority"])} className={inputClass}>
            <option value="low">Low</option>
            <option value="medium">Medium</option>
            <option value="high">High</option>
            <option value="urgent">Urgent</option>
          </select>
        </Field>
      </div>

      <Field id={id("checklist")} label="Checklist (one step per line)" error={errors.checklist}>
        <textarea id={id("checklist")} rows={3} value={values.checklist} onChange={(e) => set("checklist", e.target.value)} className={inputClass} placeholder={"Isolate the unit\nReplace the lamp\nReset the lamp-hours counter"} {...invalid("checklist")} />
      </Field>

      {formError ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="schedule-form-error">
          {formError}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primary} disabled={busy} data-testid="schedule-save">
          {busy ? "Saving…" : schedule ? "Save changes" : "Create schedule"}
        </button>
        <button type="button" className={secondary} onClick={() => onDone("")}>
          Cancel
        </button>
      </div>
    </form>
  );
}
