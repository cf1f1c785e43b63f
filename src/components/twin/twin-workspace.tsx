"use client";

// The twin page: the 3D unit with live state, the what-if sliders and what they change. The sliders
// run the physics of src/lib/physics in the browser (the same code the twin API simulates with), so
// a slider move shows its numbers in the same frame; nothing is sent to the unit.
import dynamic from "next/dynamic";
import Link from "next/link";
import { useCallback, useDeferredValue, useMemo, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { solveOperatingPoint } from "@/lib/physics";
import { leversFromLive, LEVER_SPECS, outcomeWarnings, toPhysicsLevers, type LeverSpec, type LiveReading, type ScalarLeverKey, type TwinLevers } from "@/lib/twin/levers";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { useLiveEvent, useLiveFeed } from "@/components/live/use-live-feed";
import { Card } from "@/components/ui/page-header";
import { componentLabel, componentStates, complianceVerdict, figureRows, formatNumber, type ComponentState } from "./twin-view-model";
import { sweepCurve } from "./sweep";
import { SweepChart } from "./sweep-chart";
import { ScenariosPanel } from "./scenarios-panel";
import { ControlPanel } from "@/components/control/control-panel";

export type TwinState = inferRouterOutputs<AppRouter>["twin"]["state"];

const TwinScene = dynamic(() => import("./twin-scene"), {
  ssr: false,
  loading: () => <p className="p-6 text-sm text-slate-500" role="status">Loading the 3D view…</p>,
});

const LABELLED = ["pump-1", "filter-1", "filter-2", "uv-1"];

function readingKey(component: string | null, metric: string) {
  return `${component ?? ""}/${metric}`;
}

const SOURCE_TEXT = { measured: "measured", estimated: "estimated from readings", default: "design value (not measured)" } as const;

function LeverSlider({
  spec,
  value,
  disabled,
  source,
  onChange,
}: {
  spec: Omit<LeverSpec, "key"> & { key: string };
  value: number;
  disabled: boolean;
  source: string | null;
  onChange(value: number): void;
}) {
  const id = `lever-${spec.key}`;
  return (
    <div className="py-1.5">
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <label htmlFor={id} className="font-medium text-slate-700">
          {spec.label}
        </label>
        <span className="tabular-nums text-slate-900" data-testid={`lever-value-${spec.key}`}>
          {value.toFixed(spec.digits)}
          {spec.unit ? ` ${spec.unit}` : ""}
        </span>
      </div>
      <input
        id={id}
        type="range"
        className="h-8 w-full cursor-pointer accent-brand-600 disabled:cursor-not-allowed"
        min={spec.min}
        max={spec.max}
        step={spec.step}
        value={value}
        disabled={disabled}
        aria-describedby={`${id}-help`}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      />
      <p id={`${id}-help`} className="text-xs text-slate-500">
        {spec.help}
        {source ? <span className="ml-1 italic">({source})</span> : null}
      </p>
    </div>
  );
}

export function TwinWorkspace({ initial }: { initial: TwinState }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const systemCode = initial.system.code;
  const stateQuery = useQuery(trpc.twin.state.queryOptions({ systemCode }, { initialData: initial, staleTime: 60_000 }));
  const state = stateQuery.data ?? initial;
  const params = state.params;

  // The latest value of every series: from the record, then from the live feed.
  const [liveReadings, setLiveReadings] = useState<Map<string, LiveReading>>(() => new Map());
  const readings = useMemo(() => {
    const map = new Map<string, LiveReading>();
    for (const t of state.telemetry) map.set(readingKey(t.component, t.metric), { component: t.component, metric: t.metric, value: t.value, ts: t.ts });
    for (const [k, r] of liveReadings) {
      const had = map.get(k);
      if (!had || new Date(had.ts).getTime() <= new Date(r.ts).getTime()) map.set(k, r);
    }
    return map;
  }, [state.telemetry, liveReadings]);

  const feed = useLiveFeed([state.system.id]);
  useLiveEvent(feed, "readings", (event) => {
    if (event.systemId !== state.system.id) return;
    setLiveReadings((prev) => {
      const next = new Map(prev);
      for (const r of event.readings) next.set(readingKey(r.component, r.metric), { component: r.component, metric: r.metric, value: r.value, ts: new Date(r.ts) });
      return next;
    });
  });
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: trpc.twin.state.queryKey({ systemCode }) }), [queryClient, trpc, systemCode]);
  useLiveEvent(feed, "alert", (event) => {
    if (event.systemId === state.system.id) refresh();
  });
  useLiveEvent(feed, "ready", (event) => {
    if (event.generation > 1) refresh();
  });

  const live = useMemo(() => leversFromLive(params, [...readings.values()], { filterCodes: state.filterCodes }), [params, readings, state.filterCodes]);
  const [whatIf, setWhatIf] = useState<TwinLevers | null>(null);
  const [focus, setFocus] = useState<ScalarLeverKey>("speed");
  const [selected, setSelected] = useState<string | null>(null);
  const levers = whatIf ?? live.levers;

  // The slider path: one solve (a few microseconds) and the figures. Everything heavier (3D tints,
  // the sweep chart) follows the deferred value, so React can paint the numbers first.
  const outcome = useMemo(() => solveOperatingPoint(params, toPhysicsLevers(levers)), [params, levers]);
  const liveOutcome = useMemo(() => solveOperatingPoint(params, toPhysicsLevers(live.levers)), [params, live.levers]);
  const rows = useMemo(() => figureRows(outcome, whatIf ? liveOutcome : null), [outcome, liveOutcome, whatIf]);
  const verdict = complianceVerdict(outcome, params.compliance.requiredDoseMjCm2);
  const warnings = useMemo(() => outcomeWarnings(params, levers, outcome, state.limits, state.filterCodes), [params, levers, outcome, state.limits, state.filterCodes]);

  const deferredLevers = useDeferredValue(levers);
  const deferredOutcome = useDeferredValue(outcome);
  const focusSpec = LEVER_SPECS.find((s) => s.key === focus) ?? LEVER_SPECS[0]!;
  const curve = useMemo(() => sweepCurve(params, deferredLevers, focusSpec), [params, deferredLevers, focusSpec]);

  const codes = useMemo(() => state.components.map((c) => c.code), [state.components]);
  const present = useMemo(() => new Set(codes), [codes]);
  const lampCodes = useMemo(() => codes.filter((c) => c.startsWith("lamp-")), [codes]);
  const states = useMemo<Map<string, ComponentState>>(
    () => componentStates({ codes, alerts: state.openAlerts, predictions: state.predictions, outcome: deferredOutcome, filterCodes: state.filterCodes, lampCodes }),
    [codes, state.openAlerts, state.predictions, deferredOutcome, state.filterCodes, lampCodes],
  );
  const labels = useMemo(() => {
    const map = new Map<string, string>();
    for (const code of LABELLED) {
      const text = componentLabel(code, deferredOutcome, state.filterCodes);
      if (text && present.has(code)) map.set(code, text);
    }
    return map;
  }, [deferredOutcome, state.filterCodes, present]);
  const lampGlow = deferredOutcome.uv.lampsOn ? deferredOutcome.uv.ageFactor * deferredLevers.dimming * deferredLevers.fouling * deferredOutcome.uv.warmupFactor : 0;

  const canSimulate = state.canSimulate;
  const setLever = (key: ScalarLeverKey, value: number) => {
    setFocus(key);
    setWhatIf({ ...levers, [key]: value });
  };
  const setFilterLoad = (index: number, value: number) => {
    const filterLoad = [...levers.filterLoad];
    filterLoad[index] = value;
    setWhatIf({ ...levers, filterLoad });
  };

  const selectedComponent = selected ? state.components.find((c) => c.code === selected) : undefined;
  const selectedState = selected ? states.get(selected) : undefined;
  const selectedReadings = selected ? [...readings.values()].filter((r) => r.component === selected) : [];

  return (
    <div className="grid gap-4 lg:grid-cols-5">
      <div className="min-w-0 space-y-4 lg:col-span-3">
        <Card className="overflow-hidden">
          <div className="relative h-[300px] sm:h-[420px] lg:h-[520px]" data-testid="twin-viewer">
            <TwinScene
              present={present}
              states={states}
              labels={labels}
              selected={selected}
              onSelect={setSelected}
              lampGlow={lampGlow}
              flowing={deferredOutcome.flowM3h > 1e-6}
              modelUrl={state.system.model.modelAsset ?? undefined}
            />
            <div className="pointer-events-none absolute left-3 top-3 flex flex-wrap gap-2 text-xs">
              <span className={`rounded-full px-2 py-0.5 font-medium ${whatIf ? "bg-violet-600 text-white" : "bg-emerald-600 text-white"}`} data-testid="twin-mode">
                {whatIf ? "What-if (not sent to the unit)" : "Live"}
              </span>
            </div>
          </div>
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
            Drag to turn, pinch or scroll to zoom, tap a component for its details. Red: critical alert or off-spec; orange: major alert or a filter at its terminal ΔP; amber: a warning or a prediction to watch.
          </p>
        </Card>

        {selectedComponent ? (
          <Card className="p-4" >
            <div data-testid="twin-selected">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 className="font-semibold">
                  <span className="font-mono">{selectedComponent.code}</span> · {selectedComponent.name}
                </h2>
                <Link className="text-sm text-brand-700 hover:underline" href={`/systems/${encodeURIComponent(systemCode)}/components/${encodeURIComponent(selectedComponent.code)}`}>
                  Component page and history →
                </Link>
              </div>
              {selectedState && selectedState.reasons.length ? (
                <ul className="mt-2 list-disc pl-5 text-sm text-slate-700">
                  {selectedState.reasons.map((r, i) => (
                    <li key={i}>{r}</li>
                  ))}
                </ul>
              ) : (
                <p className="mt-2 text-sm text-slate-600">No open alerts or predictions to watch.</p>
              )}
              {selectedReadings.length ? (
                <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
                  {selectedReadings.map((r) => (
                    <div key={r.metric}>
                      <dt className="text-xs text-slate-500">{r.metric.replace(/_/g, " ")}</dt>
                      <dd className="tabular-nums">{formatNumber(r.value, Math.abs(r.value) >= 100 ? 0 : 2)}</dd>
                    </div>
                  ))}
                </dl>
              ) : null}
            </div>
          </Card>
        ) : null}

        <Card className="p-4">
          <h2 className="mb-1 font-semibold">Dose against {focusSpec.label.toLowerCase()}</h2>
          <SweepChart curve={curve} />
        </Card>
      </div>

      <div className="min-w-0 space-y-4 lg:col-span-2">
        <Card className="p-4">
          <div className={`mb-3 rounded-xl px-3 py-2 ${verdict.onSpec ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900"}`} data-testid="twin-verdict" role="status">
            <p className="font-semibold">{verdict.title}</p>
            {verdict.detail ? <p className="text-sm">{verdict.detail}</p> : null}
          </div>
          {warnings.length ? (
            <ul className="mb-3 space-y-1 text-sm text-amber-900" data-testid="twin-warnings">
              {warnings.map((w) => (
                <li key={w} className="rounded-lg bg-amber-50 px-3 py-1.5">
                  {w}
                </li>
              ))}
            </ul>
          ) : null}
          <dl className="grid grid-cols-2 gap-x-4 gap-y-2">
            {rows.map((r) => (
              <div key={r.key} data-testid={`twin-figure-${r.key}`}>
                <dt className="text-xs text-slate-500">{r.label}</dt>
                <dd className="flex flex-wrap items-baseline gap-x-1.5">
                  <span className="text-lg font-semibold tabular-nums" data-testid={`twin-value-${r.key}`}>
                    {r.text}
                  </span>
                  <span className="text-xs text-slate-500">{r.unit}</span>
                  {r.delta ? (
                    <span className={`text-xs tabular-nums ${r.tone === "good" ? "text-emerald-700" : r.tone === "bad" ? "text-red-700" : "text-slate-500"}`} title="change against the unit as it runs now">
                      {r.delta}
                    </span>
                  ) : null}
                </dd>
              </div>
            ))}
          </dl>
          {whatIf ? (
            <p className="mt-3 text-xs text-slate-500">Changes are against the unit as it runs now. Nothing is sent to the unit.</p>
          ) : (
            <p className="mt-3 text-xs text-slate-500">Following the unit live. Move a slider to ask “what if”.</p>
          )}
          {live.notes.length ? (
            <ul className="mt-2 list-disc pl-5 text-xs text-slate-500" data-testid="twin-live-notes">
              {live.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          ) : null}
        </Card>

        <Card className="p-4">
          <div className="mb-1 flex items-center justify-between gap-2">
            <h2 className="font-semibold">What if…</h2>
            <button
              type="button"
              className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50"
              disabled={!whatIf}
              onClick={() => setWhatIf(null)}
            >
              Back to live
            </button>
          </div>
          {!canSimulate ? (
            <p className="mb-2 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-600" data-testid="twin-viewer-note">
              You can watch the twin; running what-if scenarios needs a technician, manager or admin role.
            </p>
          ) : null}
          {LEVER_SPECS.map((spec) => (
            <LeverSlider
              key={spec.key}
              spec={spec}
              value={levers[spec.key]}
              disabled={!canSimulate}
              source={whatIf ? null : SOURCE_TEXT[live.sources[spec.key]]}
              onChange={(v) => setLever(spec.key, v)}
            />
          ))}
          {state.filterCodes.map((code, i) => (
            <LeverSlider
              key={code}
              spec={{ key: `filterLoad-${i}`, label: `Loading of ${code}`, unit: "× clean", min: 1, max: 12, step: 0.1, digits: 1, help: "Filter resistance against a clean element: ΔP rises with it, flow falls." }}
              value={levers.filterLoad[i] ?? 1}
              disabled={!canSimulate}
              source={whatIf ? null : SOURCE_TEXT[live.sources.filterLoad]}
              onChange={(v) => setFilterLoad(i, v)}
            />
          ))}
          <label className="mt-2 flex items-center gap-2 text-sm font-medium text-slate-700">
            <input type="checkbox" className="h-5 w-5 accent-brand-600" checked={levers.lampOn} disabled={!canSimulate} onChange={(e) => setWhatIf({ ...levers, lampOn: e.currentTarget.checked })} />
            UV lamp on
          </label>
        </Card>

        <ScenariosPanel systemCode={systemCode} canSave={canSimulate} levers={levers} onLoad={(l) => setWhatIf(l)} />
        <ControlPanel systemCode={systemCode} onTry={(l) => setWhatIf(l)} />
      </div>
    </div>
  );
}
