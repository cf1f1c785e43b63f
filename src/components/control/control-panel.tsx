"use client";

// Setpoints and autonomy on the twin page: the optimiser's suggestion with every check it made, the
// commands sent to the unit and what the unit answered. Commands go out only when the system's
// autonomy level allows it and (below autonomous) a manager approved them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TwinLevers } from "@/lib/twin/levers";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { formatNumber } from "@/components/twin/twin-view-model";
import { AUTONOMY_LEVELS, commandStatusText, setpointLabel, suggestionSummary, type AutonomyLevelName } from "./control-format";

const when = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

const STATUS_CLASS: Record<string, string> = {
  proposed: "bg-slate-100 text-slate-700",
  approved: "bg-blue-100 text-blue-800",
  sent: "bg-violet-100 text-violet-800",
  applied: "bg-emerald-100 text-emerald-800",
  rejected: "bg-red-100 text-red-800",
  expired: "bg-amber-100 text-amber-800",
  cancelled: "bg-slate-100 text-slate-500",
};

export function ControlPanel({ systemCode, onTry }: { systemCode: string; onTry(levers: TwinLevers): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const state = useQuery({
    ...trpc.control.state.queryOptions({ systemCode }),
    // while a command is on its way, follow it to the unit's answer
    refetchInterval: (q) => (q.state.data?.commands.some((c) => c.status === "approved" || c.status === "sent") ? 3_000 : 30_000),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.control.state.queryKey({ systemCode }) });
  const setAutonomy = useMutation(trpc.control.setAutonomy.mutationOptions({ onSuccess: () => void refresh() }));
  const propose = useMutation(trpc.control.propose.mutationOptions({ onSuccess: () => void refresh() }));
  const approve = useMutation(trpc.control.approve.mutationOptions({ onSuccess: () => void refresh() }));
  const cancel = useMutation(trpc.control.cancel.mutationOptions({ onSuccess: () => void refresh() }));
  const error = setAutonomy.error ?? propose.error ?? approve.error ?? cancel.error;

  if (state.isPending) return <Card className="p-4 text-sm text-slate-500">Loading setpoints…</Card>;
  if (state.error) return <Card className="p-4 text-sm text-red-700">Setpoints could not be loaded: {state.error.message}. Reload the page to try again.</Card>;
  const s = state.data;
  const suggestion = s.suggestion;
  const level = s.autonomyLevel as AutonomyLevelName;

  return (
    <Card className="p-4">
      <div data-testid="control-panel">
        <h2 className="mb-2 font-semibold">Setpoints and autonomy</h2>
        <fieldset className="mb-3">
          <legend className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Autonomy</legend>
          <div className="grid grid-cols-2 gap-1.5 sm:grid-cols-4" role="radiogroup" aria-label="Autonomy level">
            {AUTONOMY_LEVELS.map((l) => (
              <button
                key={l.level}
                type="button"
                role="radio"
                aria-checked={level === l.level}
                disabled={!s.canSetAutonomy || setAutonomy.isPending}
                onClick={() => setAutonomy.mutate({ systemCode, level: l.level })}
                className={`rounded-lg border px-2 py-1.5 text-sm font-medium disabled:cursor-not-allowed ${level === l.level ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 text-slate-700 hover:bg-slate-50 disabled:opacity-60"}`}
              >
                {l.label}
              </button>
            ))}
          </div>
          <p className="mt-1 text-xs text-slate-500" data-testid="control-autonomy-help">
            {AUTONOMY_LEVELS.find((l) => l.level === level)?.help}
            {!s.canSetAutonomy ? " Managers set the level." : ""}
          </p>
        </fieldset>

        <table className="mb-3 w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-slate-500">
              <th className="py-1 font-medium">Setpoint</th>
              <th className="py-1 text-right font-medium">Now</th>
              <th className="py-1 text-right font-medium">Safe range</th>
            </tr>
          </thead>
          <tbody>
            {s.setpoints.map((p) => (
              <tr key={p.key} className="border-t border-slate-100" data-testid={`setpoint-${p.key}`}>
                <td className="py-1.5">{setpointLabel(p.key)}</td>
                <td className="py-1.5 text-right tabular-nums">{formatNumber(p.value, 0)} %</td>
                <td className="py-1.5 text-right tabular-nums text-slate-500">
                  {formatNumber(p.minSafe, 0)}–{formatNumber(p.maxSafe, 0)} %
                </td>
              </tr>
            ))}
          </tbody>
        </table>

        <div className="rounded-xl bg-slate-50 p-3" data-testid="control-suggestion">
          {suggestion ? (
            <>
              <p className="text-sm font-medium text-slate-800">{suggestionSummary(suggestion)}</p>
              <details className="mt-1 text-xs text-slate-600">
                <summary className="cursor-pointer">What the optimiser checked</summary>
                <ul className="mt-1 space-y-0.5">
                  {suggestion.checks.map((c) => (
                    <li key={c.name}>
                      <span className={c.ok ? "text-emerald-700" : "text-red-700"}>{c.ok ? "✓" : "✗"}</span> {c.detail}
                    </li>
                  ))}
                </ul>
              </details>
              {suggestion.feasible && suggestion.setpoints.length > 0 ? (
                <div className="mt-2 flex flex-wrap gap-2">
                  <button type="button" className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50" onClick={() => onTry(suggestion.levers)}>
                    Try it in what-if
                  </button>
                  {level !== "off" ? (
                    <button
                      type="button"
                      className="rounded-lg bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-50"
                      disabled={propose.isPending || !s.device}
                      onClick={() => propose.mutate({ systemCode, source: "optimiser", setpoints: suggestion.setpoints.map((p) => ({ key: p.key, value: p.value })) })}
                    >
                      {propose.isPending ? "Proposing…" : "Propose these setpoints"}
                    </button>
                  ) : null}
                </div>
              ) : null}
            </>
          ) : (
            <p className="text-sm text-slate-600">{s.suggestionNote ?? "No suggestion."}</p>
          )}
          {!s.device ? <p className="mt-1 text-xs text-amber-800">No device is registered for this unit: commands have nowhere to go. An admin registers one under Admin → Devices.</p> : null}
        </div>

        {error ? (
          <p className="mt-2 text-sm text-red-700" role="alert">
            {error.message}
          </p>
        ) : null}

        <h3 className="mb-1 mt-4 text-sm font-semibold">Commands</h3>
        {s.commands.length === 0 ? <p className="text-sm text-slate-500">No commands yet.</p> : null}
        <ul className="divide-y divide-slate-100" data-testid="control-commands">
          {s.commands.map((c) => (
            <li key={c.id} className="py-2 text-sm" data-testid="control-command">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span>
                  {setpointLabel(c.key)} → <span className="font-medium tabular-nums">{formatNumber(c.value, 0)} %</span>
                </span>
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_CLASS[c.status] ?? ""}`} data-testid="control-command-status">
                  {c.status}
                </span>
              </div>
              <p className="text-xs text-slate-500">{commandStatusText(c, (d) => when.format(new Date(d)))}</p>
              {c.status === "proposed" || c.status === "approved" ? (
                <div className="mt-1 flex gap-2">
                  {c.status === "proposed" && s.canApprove && level !== "advisory" && level !== "off" ? (
                    <button type="button" className="rounded-lg bg-brand-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-brand-700" onClick={() => approve.mutate({ id: c.id })} disabled={approve.isPending}>
                      Approve and send
                    </button>
                  ) : null}
                  <button type="button" className="rounded-lg border border-slate-300 px-2.5 py-1 text-xs hover:bg-slate-50" onClick={() => cancel.mutate({ id: c.id })} disabled={cancel.isPending}>
                    Cancel
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      </div>
    </Card>
  );
}
