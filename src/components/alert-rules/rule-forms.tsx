"use client";

import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { SEVERITY_LOOK, RULE_KIND_LABEL } from "@/components/alerts/labels";
import type { SeverityName } from "@/components/alerts/filters";
import { FieldError, inputClass, labelClass, primaryButton, secondaryButton, SeveritySelect, Toggle } from "@/components/notifications/form-controls";
import { formErrors, NO_ERRORS, type FormErrors } from "@/components/notifications/form-errors";
import {
  COMPONENT_TYPES,
  numberValuesOf,
  parseNumber,
  parseRuleNumbers,
  ruleChanges,
  RULE_KINDS,
  thresholdLabel,
  type AlertRuleRow,
  type ComponentTypeName,
  type RuleKindName,
  type RuleNumberField,
  type RuleNumberValues,
} from "./rule-form";

export interface SystemOption {
  code: string;
  name: string;
}

export interface MetricOption {
  key: string;
  name: string;
  unit: string;
  minValid: number;
  maxValid: number;
}

const SEVERITY_ONLY: Record<SeverityName, string> = {
  critical: SEVERITY_LOOK.critical.label,
  major: SEVERITY_LOOK.major.label,
  minor: SEVERITY_LOOK.minor.label,
  warning: SEVERITY_LOOK.warning.label,
};

const UNIT_TEXT: Record<string, string> = { "m3/h": "m³/h", degC: "°C", "W/m2": "W/m²", bool: "", "1": "" };

/** The unit next to a limit or deadband input: the metric's, per minute, σ or seconds. */
function quantityUnit(kind: RuleKindName, metricUnit: string | undefined): string {
  const unit = metricUnit === undefined ? "" : (UNIT_TEXT[metricUnit] ?? metricUnit);
  if (kind === "stale") return "s";
  if (kind === "baseline_deviation") return "σ";
  if (kind === "rate_of_change") return `${unit || "units"}/min`;
  return unit;
}

/** Client problems (not a number) first; the server's field errors otherwise. */
function mergeErrors(local: Partial<Record<RuleNumberField, string>>, server: FormErrors): FormErrors {
  return Object.keys(local).length ? { fields: local as Record<string, string>, message: "Check the highlighted fields." } : server;
}

function NumberField({ id, field, label, unit, values, setValues, errors, hint }: {
  id: string;
  field: RuleNumberField;
  label: string;
  unit: string;
  values: RuleNumberValues;
  setValues: (v: RuleNumberValues) => void;
  errors: FormErrors;
  hint?: string;
}) {
  const fieldId = `${id}-${field}`;
  const error = errors.fields[field];
  return (
    <div>
      <label htmlFor={fieldId} className={labelClass}>
        {label}
      </label>
      <div className="flex items-center gap-2">
        <input
          id={fieldId}
          inputMode="decimal"
          autoComplete="off"
          value={values[field]}
          onChange={(e) => setValues({ ...values, [field]: e.target.value })}
          aria-invalid={Boolean(error) || undefined}
          aria-describedby={error ? `${fieldId}-error` : undefined}
          className={inputClass}
          data-testid={`rule-field-${field}`}
        />
        {unit ? <span className="shrink-0 text-sm text-slate-500">{unit}</span> : null}
      </div>
      {hint && !error ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldError id={fieldId} message={error} />
    </div>
  );
}

function FormFooter({ pending, submitLabel, onCancel, message, children }: { pending: boolean; submitLabel: string; onCancel: () => void; message: string | null; children?: ReactNode }) {
  return (
    <>
      {message ? (
        <p role="alert" className="text-sm text-red-700">
          {message}
        </p>
      ) : null}
      {children}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primaryButton} disabled={pending} data-testid="rule-save">
          {pending ? "Saving…" : submitLabel}
        </button>
        <button type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}

/** Threshold, deadband, delays, severity, name and on/off of one rule (managers). */
export function RuleEditForm({ rule, lockedOn, onDone }: { rule: AlertRuleRow; lockedOn: boolean; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState(rule.name);
  const [values, setValues] = useState<RuleNumberValues>(() => numberValuesOf(rule));
  const [severity, setSeverity] = useState<SeverityName>(rule.severity);
  const [enabled, setEnabled] = useState(rule.enabled);
  const [local, setLocal] = useState<Partial<Record<RuleNumberField, string>>>({});
  const [nothing, setNothing] = useState(false);
  const update = useMutation(
    trpc.alerts.rules.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.alerts.rules.pathFilter());
        onDone();
      },
    }),
  );
  const errors = mergeErrors(local, update.error ? formErrors(update.error) : NO_ERRORS);
  const unit = quantityUnit(rule.kind, rule.metric.unit);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    update.reset();
    const { numbers, errors: problems } = parseRuleNumbers(values, ["threshold", "deadband", "onDelaySec", "offDelaySec"]);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const changes = ruleChanges(rule, { ...numbers, name, severity, enabled });
    setNothing(Object.keys(changes).length === 0);
    if (Object.keys(changes).length) update.mutate({ id: rule.id, ...changes });
  }

  return (
    <form onSubmit={submit} className="mt-3 space-y-3 rounded-xl border border-slate-200 bg-slate-50 p-3" data-testid={`rule-form-${rule.id}`} noValidate>
      <div>
        <label htmlFor={`${id}-name`} className={labelClass}>
          Name
        </label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={120} className={inputClass} aria-invalid={Boolean(errors.fields.name) || undefined} />
        <FieldError id={`${id}-name`} message={errors.fields.name} />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <NumberField id={id} field="threshold" label={thresholdLabel(rule.kind)} unit={unit} values={values} setValues={setValues} errors={errors} hint={rule.kind.startsWith("threshold") ? `Valid range of ${rule.metric.name}: ${rule.metric.minValid} to ${rule.metric.maxValid}` : undefined} />
        {rule.kind === "stale" ? null : (
          <NumberField id={id} field="deadband" label="Deadband" unit={unit} values={values} setValues={setValues} errors={errors} hint="How far back past the limit before the alert clears (stops chattering)." />
        )}
        <NumberField id={id} field="onDelaySec" label="On-delay" unit="s" values={values} setValues={setValues} errors={errors} hint="How long the condition must last before the alert is raised." />
        <NumberField id={id} field="offDelaySec" label="Off-delay" unit="s" values={values} setValues={setValues} errors={errors} hint="How long it must be back to normal before the alert clears." />
        <div>
          <label htmlFor={`${id}-severity`} className={labelClass}>
            Severity
          </label>
          <SeveritySelect id={`${id}-severity`} value={severity} onChange={setSeverity} label={SEVERITY_ONLY} invalid={Boolean(errors.fields.severity)} />
          <FieldError id={`${id}-severity`} message={errors.fields.severity} />
        </div>
        <div className="flex items-end">
          <Toggle
            checked={enabled}
            onChange={setEnabled}
            disabled={lockedOn}
            label={enabled ? "Rule on" : "Rule off"}
            title={lockedOn ? "Compliance rules record off-spec water: only an admin can switch one off." : undefined}
          />
        </div>
      </div>
      <FormFooter pending={update.isPending} submitLabel="Save rule" onCancel={onDone} message={errors.message}>
        {nothing ? (
          <p role="status" className="text-sm text-slate-600">
            Nothing changed.
          </p>
        ) : null}
      </FormFooter>
    </form>
  );
}

/** A new rule for one system or all of them (managers); compliance rules come from validated limits, not from here. */
export function RuleCreateForm({ systems, metrics, onDone }: { systems: SystemOption[]; metrics: MetricOption[]; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState("");
  const [systemCode, setSystemCode] = useState("");
  const [metricKey, setMetricKey] = useState(metrics[0]?.key ?? "");
  const [componentType, setComponentType] = useState<"" | ComponentTypeName>("");
  const [kind, setKind] = useState<RuleKindName>("threshold_hi");
  const [values, setValues] = useState<RuleNumberValues>({ threshold: "", deadband: "0", onDelaySec: "15", offDelaySec: "15" });
  const [windowSec, setWindowSec] = useState("60");
  const [severity, setSeverity] = useState<SeverityName>("minor");
  const [enabled, setEnabled] = useState(true);
  const [local, setLocal] = useState<Partial<Record<RuleNumberField, string>>>({});
  const create = useMutation(
    trpc.alerts.rules.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.alerts.rules.pathFilter());
        onDone();
      },
    }),
  );
  const errors = mergeErrors(local, create.error ? formErrors(create.error) : NO_ERRORS);
  const metric = metrics.find((m) => m.key === metricKey);
  const unit = quantityUnit(kind, metric?.unit);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    create.reset();
    const { numbers, errors: problems } = parseRuleNumbers(values, ["threshold"]);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const window = kind === "rate_of_change" ? parseNumber(windowSec) : undefined;
    create.mutate({
      name,
      systemCode: systemCode || null,
      metricKey,
      componentType: componentType || null,
      kind,
      // zod names a missing limit; the local check above already did
      threshold: numbers.threshold ?? Number.NaN,
      deadband: numbers.deadband,
      onDelaySec: numbers.onDelaySec,
      offDelaySec: numbers.offDelaySec,
      severity,
      enabled,
      windowSec: window === undefined || Number.isNaN(window) ? null : window,
    });
  }

  const select = (label: string, key: string, control: ReactNode) => (
    <div>
      <label htmlFor={`${id}-${key}`} className={labelClass}>
        {label}
      </label>
      {control}
      <FieldError id={`${id}-${key}`} message={errors.fields[key]} />
    </div>
  );

  return (
    <Card className="p-4">
      <form onSubmit={submit} className="space-y-3" data-testid="rule-create-form" noValidate>
        <h2 className="font-semibold">New rule</h2>
        {select(
          "Name",
          "name",
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={120} placeholder="e.g. Turbidity high before UV" className={inputClass} aria-invalid={Boolean(errors.fields.name) || undefined} />,
        )}
        <div className="grid gap-3 sm:grid-cols-2">
          {select(
            "System",
            "systemCode",
            <select id={`${id}-systemCode`} value={systemCode} onChange={(e) => setSystemCode(e.target.value)} className={inputClass}>
              <option value="">Every system</option>
              {systems.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.code} · {s.name}
                </option>
              ))}
            </select>,
          )}
          {select(
            "Metric",
            "metricKey",
            <select id={`${id}-metricKey`} value={metricKey} onChange={(e) => setMetricKey(e.target.value)} className={inputClass}>
              {metrics.map((m) => (
                <option key={m.key} value={m.key}>
                  {m.name} ({m.key})
                </option>
              ))}
            </select>,
          )}
          {select(
            "Component",
            "componentType",
            <select id={`${id}-componentType`} value={componentType} onChange={(e) => setComponentType(e.target.value as "" | ComponentTypeName)} className={inputClass}>
              <option value="">Any (and system-level)</option>
              {COMPONENT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t.replace(/_/g, " ")}
                </option>
              ))}
            </select>,
          )}
          {select(
            "Kind",
            "kind",
            <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as RuleKindName)} className={inputClass}>
              {RULE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {RULE_KIND_LABEL[k]}
                </option>
              ))}
            </select>,
          )}
          <NumberField id={id} field="threshold" label={thresholdLabel(kind)} unit={unit} values={values} setValues={setValues} errors={errors} hint={metric && kind.startsWith("threshold") ? `Valid range: ${metric.minValid} to ${metric.maxValid}` : undefined} />
          {kind === "stale" ? null : <NumberField id={id} field="deadband" label="Deadband" unit={unit} values={values} setValues={setValues} errors={errors} />}
          <NumberField id={id} field="onDelaySec" label="On-delay" unit="s" values={values} setValues={setValues} errors={errors} />
          <NumberField id={id} field="offDelaySec" label="Off-delay" unit="s" values={values} setValues={setValues} errors={errors} />
          {kind === "rate_of_change"
            ? select(
                "Rate window (s)",
                "windowSec",
                <input id={`${id}-windowSec`} inputMode="numeric" value={windowSec} onChange={(e) => setWindowSec(e.target.value)} className={inputClass} aria-invalid={Boolean(errors.fields.windowSec) || undefined} />,
              )
            : null}
          {select("Severity", "severity", <SeveritySelect id={`${id}-severity`} value={severity} onChange={setSeverity} label={SEVERITY_ONLY} />)}
          <div className="flex items-end">
            <Toggle checked={enabled} onChange={setEnabled} label={enabled ? "Rule on" : "Rule off"} />
          </div>
        </div>
        <FormFooter pending={create.isPending} submitLabel="Create rule" onCancel={onDone} message={errors.message} />
      </form>
    </Card>
  );
}
