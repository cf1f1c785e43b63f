"use client";

import Link from "next/link";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { RelativeTime } from "@/components/alerts/relative-time";
import { SeverityBadge } from "@/components/alerts/alert-badges";
import { formatValue, unitLabel } from "@/components/telemetry/format";
import { BUILT_IN_METRICS } from "@/lib/metric-catalogue";
import { WorkOrderStatusBadge } from "./badges";
import { woLabel } from "./format";
import { ErrorText, Section } from "./ui";

export type WorkOrderContextData = inferRouterOutputs<AppRouter>["maintenance"]["workOrder"]["context"];

const METRICS = new Map(BUILT_IN_METRICS.map((m) => [m.key, m]));

/** Beside the order: the component's live values, its recent alerts and its last work orders. */
export function ContextSection({ context, error, scope }: { context: WorkOrderContextData | undefined; error: string | null; scope: string }) {
  return (
    <>
      <Section title="Live values" aside={scope} testId="wo-live-values">
        {!context ? error ? <ErrorText>{error}</ErrorText> : <p className="text-sm text-slate-500">Loading…</p> : null}
        {context && context.liveValues.length === 0 ? <p className="text-sm text-slate-500">No readings from this component yet.</p> : null}
        {context && context.liveValues.length ? (
          <ul className="grid grid-cols-2 gap-2 sm:grid-cols-3">
            {context.liveValues.map((v) => {
              const m = METRICS.get(v.metric);
              return (
                <li key={`${v.componentCode ?? ""}-${v.metric}`} className="min-w-0 rounded-xl bg-slate-50 p-2">
                  <p className="truncate text-xs text-slate-500" title={m?.name ?? v.metric}>
                    {m?.name ?? v.metric}
                    {v.componentCode ? <span className="font-mono"> · {v.componentCode}</span> : null}
                  </p>
                  <p className="text-lg font-semibold tabular-nums">
                    {formatValue(v.value, m?.kind ?? "gauge")} <span className="text-sm font-normal text-slate-600">{unitLabel(v.unit)}</span>
                  </p>
                  <p className="text-xs text-slate-500">
                    <RelativeTime at={v.ts} />
                  </p>
                </li>
              );
            })}
          </ul>
        ) : null}
      </Section>
      <Section title="Recent alerts" testId="wo-recent-alerts">
        {context && context.recentAlerts.length === 0 ? <p className="text-sm text-slate-500">No alerts.</p> : null}
        <ul className="divide-y divide-slate-100">
          {context?.recentAlerts.map((a) => (
            <li key={a.id} className="py-2 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <SeverityBadge severity={a.severity} />
                <span className="text-xs text-slate-500">
                  <RelativeTime at={a.raisedAt} /> · {a.state.replace(/_/g, " ")}
                </span>
              </div>
              <Link href={`/alerts/${encodeURIComponent(a.id)}`} className="mt-0.5 block min-h-6 break-words text-brand-700 hover:underline">
                {a.title}
              </Link>
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Last work orders here" testId="wo-last-orders">
        {context && context.lastWorkOrders.length === 0 ? <p className="text-sm text-slate-500">No earlier work orders.</p> : null}
        <ul className="divide-y divide-slate-100">
          {context?.lastWorkOrders.map((w) => (
            <li key={w.id} className="py-2 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-mono text-xs font-semibold">{woLabel(w.number)}</span>
                <WorkOrderStatusBadge status={w.status} />
                <span className="text-xs text-slate-500">
                  <RelativeTime at={w.createdAt} />
                </span>
              </div>
              <Link href={`/work-orders/${encodeURIComponent(w.id)}`} className="mt-0.5 block min-h-6 break-words text-brand-700 hover:underline">
                {w.title}
              </Link>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
