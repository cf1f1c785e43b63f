"use client";

import { useMemo, useState } from "react";
import { useSearchParams } from "next/navigation";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { useNow } from "@/components/telemetry/use-now";
import { Card, PageHeader } from "@/components/ui/page-header";
import { runSummaryText, scoringText, sortByUrgency, type LatestPredictionItem } from "./format";
import { PredictionCard } from "./prediction-card";
import { RiskModelCard } from "./risk-model-card";
import type { RiskModelData } from "./risk-format";
import { SystemOptions } from "@/components/ui/system-options";

export interface PredictionsSystem {
  code: string;
  name: string;
  /** decommissioned systems are not scored */
  inService: boolean;
}

interface PredictionsViewProps {
  /** the system filter the server rendered `initial` for */
  initialSystem: string | null;
  initial: LatestPredictionItem[] | null;
  /** the failure-risk model as the server read it with the page */
  initialRiskModel: RiskModelData | null;
  systems: PredictionsSystem[];
  canRun: boolean;
}

const select = "min-h-11 w-full rounded-lg border border-slate-300 bg-white px-2 text-sm";
const button = "inline-flex min-h-11 items-center justify-center rounded-lg px-4 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60";

const systemOf = (params: URLSearchParams) => params.get("system")?.trim() || null;

/**
 * The latest prediction of each model for each component, most urgent first, filtered by system (in
 * the URL as ?system=CODE, so a view can be shared); managers score now instead of waiting for the
 * worker's hourly run.
 */
export function PredictionsView({ initialSystem, initial, initialRiskModel, systems, canRun }: PredictionsViewProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const searchParams = useSearchParams();
  const urlSystem = systemOf(searchParams);
  // the select follows a change at once; a URL changed from outside (back/forward, a link) wins
  const [system, setLocalSystem] = useState(urlSystem);
  const [urlSeen, setUrlSeen] = useState(urlSystem);
  const [summary, setSummary] = useState<string | null>(null);
  if (urlSystem !== urlSeen) {
    setUrlSeen(urlSystem);
    setLocalSystem(urlSystem);
  }
  const setSystem = (code: string | null) => {
    setLocalSystem(code);
    setSummary(null);
    const q = new URLSearchParams(window.location.search);
    if (code) q.set("system", code);
    else q.delete("system");
    const qs = q.toString();
    window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
  };

  const input = system ? { systemCode: system } : undefined;
  const list = useQuery(
    trpc.predictions.latest.queryOptions(input, {
      initialData: initial !== null && system === initialSystem ? initial : undefined,
      placeholderData: keepPreviousData,
      // the worker scores every hour; a page left open catches up
      refetchInterval: 5 * 60_000,
    }),
  );
  const items = useMemo(() => sortByUrgency(list.data ?? []), [list.data]);
  const now = useNow(60_000);

  const runNow = useMutation(
    trpc.predictions.runNow.mutationOptions({
      onMutate: () => setSummary(null),
      onSuccess: async (r) => {
        setSummary(runSummaryText(r));
        await queryClient.invalidateQueries(trpc.predictions.pathFilter());
      },
    }),
  );
  const inService = systems.filter((s) => s.inService).length;
  const systemName = system ? systems.find((s) => s.code === system)?.name : null;

  return (
    <>
      <PageHeader
        title="Predictions"
        subtitle="Which components degrade, how fast, and what was done about it. Most urgent first."
        actions={
          canRun ? (
            <button
              type="button"
              className={`${button} w-full bg-brand-600 text-white hover:bg-brand-700 sm:w-auto`}
              disabled={runNow.isPending}
              onClick={() => runNow.mutate(system ? { systemCode: system } : undefined)}
              data-testid="predictions-run-now"
            >
              {runNow.isPending ? "Scoring…" : "Score now"}
            </button>
          ) : null
        }
      />

      {runNow.isPending || summary || runNow.error ? (
        <p
          role={runNow.error ? "alert" : "status"}
          aria-live="polite"
          className={`mb-4 rounded-lg px-3 py-2 text-sm ${runNow.error ? "bg-red-50 text-red-800" : "bg-brand-50 text-brand-900"}`}
          data-testid="predictions-run-result"
        >
          {runNow.isPending
            ? scoringText(inService, system)
            : runNow.error
              ? `Scoring failed: ${runNow.error.message}. Check your connection and try again.`
              : summary}
        </p>
      ) : null}

      <Card className="mb-4 p-3 sm:p-4">
        <label className="block max-w-sm text-sm">
          <span className="mb-0.5 block text-slate-600">System</span>
          <select value={system ?? ""} onChange={(e) => setSystem(e.target.value || null)} className={select} data-testid="predictions-filter-system">
            <SystemOptions systems={systems} selected={system} />
          </select>
        </label>
      </Card>

      <RiskModelCard canTrain={canRun} initial={initialRiskModel} />

      {list.error && !list.data ? (
        <Card className="p-6">
          <p role="alert" className="text-sm text-red-800">
            The predictions could not be loaded ({list.error.message}).{" "}
            {list.error.data?.code === "NOT_FOUND" ? "Choose another system above." : "Check your connection and reload."}
          </p>
        </Card>
      ) : items.length === 0 && list.data ? (
        <Card className="p-6 text-sm text-slate-600">
          <div data-testid="predictions-empty">
            <p className="text-base font-semibold text-slate-900">No predictions {system ? `for ${system}${systemName ? ` · ${systemName}` : ""} ` : ""}yet.</p>
            <p className="mt-1">
              The degradation models (filter ΔP, UV intensity, pump vibration) need at least 24 hours of running data in the last 14 days before they can say
              anything. The failure-risk model scores the booster pump sets once a version of it is trained (see above) and a pump set has data for at least half of
              the last 24 hours. The worker scores them all every hour.
            </p>
            {canRun ? <p className="mt-1">Data just arrived? Score now to try at once.</p> : null}
          </div>
        </Card>
      ) : list.data ? (
        <ul className="space-y-3" aria-label="Predictions" data-testid="predictions-list" aria-busy={list.isFetching}>
          {items.map((p) => (
            <PredictionCard key={p.id} p={p} now={now} />
          ))}
        </ul>
      ) : (
        <p className="py-10 text-center text-sm text-slate-500">Loading predictions…</p>
      )}
    </>
  );
}
