"use client";

import { useId, useMemo, useState, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { ComplianceBadge, SeverityBadge } from "@/components/alerts/alert-badges";
import { formatDelay, RULE_KIND_LABEL, ruleQuantity } from "@/components/alerts/labels";
import { inputClass, labelClass, primaryButton, secondaryButton, Toggle } from "@/components/notifications/form-controls";
import { formErrors } from "@/components/notifications/form-errors";
import { filterRules, NO_FILTERS, ORG_WIDE, RULE_KINDS, type AlertRuleRow, type RuleFilters, type RuleKindName } from "./rule-form";
import { RuleCreateForm, RuleEditForm, type MetricOption, type SystemOption } from "./rule-forms";

export interface RulesEditorProps {
  initialRules: AlertRuleRow[];
  systems: SystemOption[];
  metrics: MetricOption[];
  /** managers and admins edit and create; everyone else reads */
  canEdit: boolean;
  /** only admins switch compliance rules off */
  isAdmin: boolean;
}

/** The organisation's alert rules: filters, the list, and (managers) the edit and create forms. */
export function RulesEditor({ initialRules, systems, metrics, canEdit, isAdmin }: RulesEditorProps) {
  const trpc = useTRPC();
  const { data: rules } = useQuery(trpc.alerts.rules.list.queryOptions(undefined, { initialData: initialRules }));
  const [filters, setFilters] = useState<RuleFilters>(NO_FILTERS);
  const [creating, setCreating] = useState(false);
  const id = useId();
  const shown = useMemo(() => filterRules(rules, filters), [rules, filters]);
  // the metrics rules use, for the filter (the create form offers the whole catalogue)
  const usedMetrics = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of rules) m.set(r.metric.key, r.metric.name);
    return [...m].sort((a, b) => a[1].localeCompare(b[1]));
  }, [rules]);
  const set = (patch: Partial<RuleFilters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <div className="space-y-4">
      <Card className="p-3">
        <div className="grid gap-3 sm:grid-cols-[1fr_1fr_1fr_auto] sm:items-end">
          <div>
            <label htmlFor={`${id}-system`} className={labelClass}>
              System
            </label>
            <select id={`${id}-system`} className={inputClass} value={filters.system} onChange={(e) => set({ system: e.target.value })} data-testid="rules-filter-system">
              <option value="">All rules</option>
              <option value={ORG_WIDE}>Rules for every system</option>
              {systems.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.code} · {s.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-metric`} className={labelClass}>
              Metric
            </label>
            <select id={`${id}-metric`} className={inputClass} value={filters.metric} onChange={(e) => set({ metric: e.target.value })} data-testid="rules-filter-metric">
              <option value="">Any metric</option>
              {usedMetrics.map(([key, name]) => (
                <option key={key} value={key}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-kind`} className={labelClass}>
              Kind
            </label>
            <select id={`${id}-kind`} className={inputClass} value={filters.kind} onChange={(e) => set({ kind: e.target.value as "" | RuleKindName })} data-testid="rules-filter-kind">
              <option value="">Any kind</option>
              {RULE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {RULE_KIND_LABEL[k]}
                </option>
              ))}
            </select>
          </div>
          {canEdit ? (
            <button type="button" className={primaryButton} aria-expanded={creating} onClick={() => setCreating((c) => !c)} data-testid="rule-new">
              {creating ? "Close" : "New rule"}
            </button>
          ) : null}
        </div>
        <p className="mt-2 text-sm text-slate-500" role="status">
          {shown.length === rules.length ? `${rules.length} ${rules.length === 1 ? "rule" : "rules"}` : `${shown.length} of ${rules.length} rules`}
          {filters.system || filters.metric || filters.kind ? (
            <button type="button" className="ml-2 text-brand-700 underline" onClick={() => setFilters(NO_FILTERS)}>
              Clear filters
            </button>
          ) : null}
          {canEdit ? null : " · read-only: managers and admins edit rules"}
        </p>
      </Card>

      {creating && canEdit ? <RuleCreateForm systems={systems} metrics={metrics} onDone={() => setCreating(false)} /> : null}

      <ul className="space-y-3" data-testid="rules-list">
        {shown.map((rule) => (
          <RuleCard key={rule.id} rule={rule} canEdit={canEdit} isAdmin={isAdmin} />
        ))}
      </ul>
      {shown.length === 0 ? <p className="text-sm text-slate-500">No rule matches these filters.</p> : null}
    </div>
  );
}

function RuleCard({ rule, canEdit, isAdmin }: { rule: AlertRuleRow; canEdit: boolean; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const toggle = useMutation(trpc.alerts.rules.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.alerts.rules.pathFilter()) }));
  const unit = rule.metric.unit;
  // a compliance rule records off-spec water: switching it off is an admin's decision
  const lockedOn = rule.isCompliance && rule.enabled && !isAdmin;
  const error = formErrors(toggle.error).message;

  return (
    <li data-testid={`rule-${rule.id}`} data-enabled={rule.enabled}>
      <Card className={`p-4 ${rule.enabled ? "" : "bg-slate-50"}`}>
        <div className="flex flex-wrap items-start justify-between gap-2">
          <div className="min-w-0 flex-1 basis-64">
            <div className="flex flex-wrap items-center gap-1.5">
              <SeverityBadge severity={rule.severity} />
              {rule.isCompliance ? <ComplianceBadge /> : null}
              {rule.enabled ? null : <span className="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700">Off</span>}
            </div>
            <h3 className="mt-1 font-semibold break-words">{rule.name}</h3>
            <p className="text-sm text-slate-600">
              <span className="font-mono">{rule.system ? rule.system.code : "Every system"}</span>
              {rule.componentType ? ` · ${rule.componentType.replace(/_/g, " ")}` : ""} · {rule.metric.name} · {RULE_KIND_LABEL[rule.kind] ?? rule.kind}
              {rule.gate ? ` · only while ${rule.gate.metricKey}${rule.gate.above !== undefined ? ` > ${rule.gate.above}` : ""}${rule.gate.below !== undefined ? ` < ${rule.gate.below}` : ""}` : ""}
            </p>
          </div>
          {canEdit ? (
            <div className="flex flex-wrap items-center gap-2">
              <Toggle
                checked={rule.enabled}
                disabled={lockedOn || toggle.isPending}
                title={lockedOn ? "Compliance rules record off-spec water: only an admin can switch one off." : undefined}
                onChange={(enabled) => toggle.mutate({ id: rule.id, enabled })}
                label={<span className="sr-only sm:not-sr-only">{rule.enabled ? "On" : "Off"}</span>}
                testId={`rule-enabled-${rule.id}`}
              />
              <button type="button" className={secondaryButton} aria-expanded={editing} onClick={() => setEditing((e) => !e)} data-testid={`rule-edit-${rule.id}`}>
                {editing ? "Close" : "Edit"}
              </button>
            </div>
          ) : null}
        </div>
        <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
          <Fact label={rule.kind === "stale" ? "No data for" : "Limit"}>{ruleQuantity(rule.kind, rule.threshold, unit)}</Fact>
          <Fact label="Deadband">{rule.kind === "stale" ? "—" : ruleQuantity(rule.kind, rule.deadband, unit)}</Fact>
          <Fact label="On-delay">{formatDelay(rule.onDelaySec)}</Fact>
          <Fact label="Off-delay">{formatDelay(rule.offDelaySec)}</Fact>
          {rule.windowSec !== null ? <Fact label="Rate window">{formatDelay(rule.windowSec)}</Fact> : null}
        </dl>
        {error ? (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {error}
          </p>
        ) : null}
        {editing && canEdit ? <RuleEditForm rule={rule} lockedOn={lockedOn} onDone={() => setEditing(false)} /> : null}
      </Card>
    </li>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="tabular-nums">{children}</dd>
    </div>
  );
}
