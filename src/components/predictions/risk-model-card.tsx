"use client";

import { useEffect, useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { RelativeTime } from "@/components/alerts/relative-time";
import { useNow } from "@/components/telemetry/use-now";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import {
  dataSentence,
  holdoutSentence,
  importanceBars,
  newerFailure,
  progressPercent,
  progressText,
  riskPollInterval,
  shownVersion,
  statusLook,
  thresholdSentence,
  trainErrorText,
  trainingOutcome,
  trainingVersion,
  versionSummary,
  type RiskModelData,
  type RiskVersion,
  type StatusLook,
} from "./risk-format";

const button = "inline-flex min-h-11 items-center justify-center rounded-lg px-4 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60";

const BADGE: Record<StatusLook["tone"], string> = {
  good: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  caution: "bg-amber-50 text-amber-900 ring-amber-200",
  bad: "bg-red-50 text-red-800 ring-red-200",
  neutral: "bg-slate-100 text-slate-700 ring-slate-200",
};

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });

/**
 * The learnt failure-risk model of the booster pump sets: the version in force and what its held-out
 * check measured, what it relies on, a training under way (followed every second) and its outcome,
 * and every version. Managers train a new version here instead of waiting for the worker's weekly run.
 */
export function RiskModelCard({ canTrain, initial = null }: { canTrain: boolean; initial?: RiskModelData | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // before hydration no training counts as abandoned: the clock is unknown
  const now = useNow(30_000) ?? 0;
  const model = useQuery(
    trpc.predictions.riskModel.queryOptions(undefined, {
      initialData: initial ?? undefined,
      refetchInterval: (query) => riskPollInterval(query.state.data, now),
    }),
  );
  const versions = model.data?.versions ?? [];
  const training = trainingVersion(versions, now);

  // any training seen is followed to its outcome: one started here, by another manager or by the worker
  const [followed, setFollowed] = useState<number | null>(null);
  if (training && training.version !== followed) setFollowed(training.version);
  const finished = followed !== null && !training ? (versions.find((v) => v.version === followed && v.status !== "training") ?? null) : null;
  const outcome = finished ? trainingOutcome(finished) : null;

  // a new version in force scores differently: the list shows the next scores as soon as they exist
  const finishedKey = finished ? `${finished.id}:${finished.status}` : null;
  useEffect(() => {
    if (finishedKey) void queryClient.invalidateQueries(trpc.predictions.pathFilter());
  }, [finishedKey, queryClient, trpc]);

  const train = useMutation(
    trpc.predictions.trainRisk.mutationOptions({
      onSuccess: async ({ version }) => {
        setFollowed(version);
        await queryClient.invalidateQueries(trpc.predictions.riskModel.queryFilter());
      },
      onError: async (err) => {
        if (err.data?.code !== "CONFLICT") return;
        // another training runs (the worker's, another manager's): the newest version is that one; follow
        // it to its outcome, which it may have reached by the time the model is read again
        await queryClient.invalidateQueries(trpc.predictions.riskModel.queryFilter());
        const newest = queryClient.getQueryData(trpc.predictions.riskModel.queryKey())?.versions[0];
        if (newest) setFollowed(newest.version);
      },
    }),
  );
  // "already being trained" is moot once that training has finished
  const trainError = train.error && !(outcome && train.error.data?.code === "CONFLICT") ? trainErrorText(train.error) : null;

  const shown = shownVersion(versions);
  const failure = newerFailure(versions, shown);

  return (
    <div className="mb-4" data-testid="risk-model-card">
      <Card className="p-4">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 flex-1">
            <h2 className="font-semibold">Failure-risk model · booster pump sets</h2>
            <p className="mt-0.5 text-sm text-slate-600">The probability that a pump set fails within {Math.round((model.data?.horizonHours ?? 168) / 24)} days, learnt from this organisation&apos;s own history.</p>
          </div>
          {canTrain ? (
            <button
              type="button"
              className={`${button} w-full bg-brand-600 text-white hover:bg-brand-700 sm:w-auto`}
              disabled={train.isPending || training !== null || model.isPending}
              onClick={() => train.mutate()}
              data-testid="risk-model-train"
            >
              {train.isPending ? "Starting…" : training ? "Training…" : "Train now"}
            </button>
          ) : null}
        </div>

        {model.isPending ? (
          <p className="mt-3 text-sm text-slate-500">Loading the model…</p>
        ) : model.error && !model.data ? (
          <p role="alert" className="mt-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
            The model could not be loaded ({model.error.message}). Check your connection and reload.
          </p>
        ) : versions.length === 0 ? (
          <p className="mt-3 text-sm text-slate-700" data-testid="risk-model-empty">
            It learns from the last year of the pump sets&apos; hourly telemetry (flow, pressure, power, speed and vibration) and from their corrective work orders,
            which say when a pump set failed. No version has been trained yet: {canTrain ? "train it now" : "a manager can train it now"}, or wait for the worker, which
            retrains it every {model.data?.retrainEveryDays ?? 7} days.
          </p>
        ) : null}

        {training ? <TrainingProgress v={training} /> : null}

        <div aria-live="polite">
          {outcome ? (
            <p
              className={`mt-3 rounded-lg px-3 py-2 text-sm ${finished?.status === "active" ? "bg-emerald-50 text-emerald-900" : "bg-amber-50 text-amber-900"}`}
              data-testid="risk-model-outcome"
            >
              {outcome}
            </p>
          ) : null}
          {trainError ? (
            <p role="alert" className="mt-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="risk-model-error">
              {trainError}
            </p>
          ) : null}
        </div>

        {shown ? <VersionInForce v={shown} /> : versions.length > 0 && !training ? <p className="mt-3 text-sm text-slate-700">No version is in force yet, so the pump sets get no failure-risk scores.</p> : null}
        {failure ? (
          <p className="mt-3 break-words rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="risk-model-failure">
            Version {failure.version} failed <RelativeTime at={failure.createdAt} />: {failure.message ?? "no reason was recorded"}.
          </p>
        ) : null}

        {versions.length > 0 ? <VersionHistory versions={versions} now={now} /> : null}
      </Card>
    </div>
  );
}

function TrainingProgress({ v }: { v: RiskVersion }) {
  const labelId = useId();
  const pct = progressPercent(v.progress);
  return (
    <div className="mt-3" data-testid="risk-model-progress">
      <p id={labelId} className="text-sm font-medium tabular-nums">
        {progressText(v)}
      </p>
      <div role="progressbar" aria-labelledby={labelId} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="mt-1 h-2.5 overflow-hidden rounded-full bg-slate-100">
        <div className="h-full rounded-full bg-brand-600 transition-[width] duration-500" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** The version whose scores are shown: its status, when it was trained, its held-out check and what it relies on. */
function VersionInForce({ v }: { v: RiskVersion }) {
  const look = statusLook(v.status);
  return (
    <div className="mt-3 space-y-2 text-sm">
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${BADGE[look.tone]}`} data-testid="risk-model-status" data-status={v.status}>
          {look.label}
        </span>
        <span className="text-slate-700">
          Version {v.version} · trained <RelativeTime at={v.trainedAt ?? v.createdAt} />
        </span>
      </p>
      {v.status === "candidate" ? (
        <p className="break-words text-amber-900">
          Candidate: {look.hint}
          {v.message ? ` (${v.message})` : ""}.
        </p>
      ) : null}
      {v.check ? (
        <>
          <p className="break-words" data-testid="risk-model-auc">
            {holdoutSentence(v.check)}
          </p>
          <p className="break-words">{thresholdSentence(v.check, v.status === "active")}</p>
          <p className="break-words text-slate-600">{dataSentence(v.check)}</p>
        </>
      ) : (
        <p className="text-slate-600">Its held-out check was not recorded.</p>
      )}
      <ImportanceChart importance={v.importance} />
    </div>
  );
}

/** A horizontal bar per feature: its share of the trees' splitting gain, the largest full width. */
function ImportanceChart({ importance }: { importance: RiskVersion["importance"] }) {
  const captionId = useId();
  const bars = importanceBars(importance);
  if (bars.length === 0) return null;
  return (
    <figure className="pt-2">
      <figcaption id={captionId} className="font-medium">
        What it relies on most <span className="font-normal text-slate-600">(share of the trees&apos; splitting gain)</span>
      </figcaption>
      <ol aria-labelledby={captionId} className="mt-2 space-y-2" data-testid="risk-model-importance">
        {bars.map((b) => (
          <li key={b.key} className="text-xs">
            <div className="flex items-baseline justify-between gap-2">
              <span className="min-w-0 break-words text-slate-700">{b.label}</span>
              <span className="sr-only">: </span>
              <span className="shrink-0 font-semibold tabular-nums">{b.percent} %</span>
            </div>
            <div aria-hidden="true" className="mt-0.5 h-2 rounded-full bg-slate-100">
              <div className="h-full rounded-full bg-brand-500" style={{ width: `${b.width}%` }} />
            </div>
          </li>
        ))}
      </ol>
    </figure>
  );
}

function VersionHistory({ versions, now }: { versions: RiskVersion[]; now: number }) {
  return (
    <details className="mt-3 text-sm">
      <summary className="flex min-h-11 cursor-pointer items-center font-medium text-brand-700">Version history ({versions.length})</summary>
      <ul className="space-y-1.5" data-testid="risk-model-versions">
        {versions.map((v) => (
          <li key={v.id} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
            <span className="font-semibold">Version {v.version}</span>
            <span>{statusLook(v.status).label}</span>
            <span className="text-slate-600">{dateFormat.format(v.trainedAt ?? v.createdAt)}</span>
            <span className="min-w-0 basis-full break-words text-slate-700 sm:basis-auto">{versionSummary(v, now)}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
