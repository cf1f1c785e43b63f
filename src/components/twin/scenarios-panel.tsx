"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TwinLevers } from "@/lib/twin/levers";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { formatNumber } from "./twin-view-model";

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });

/** Saved what-if scenarios of one system: save the sliders with a name, load one back, delete. */
export function ScenariosPanel({ systemCode, canSave, levers, onLoad }: { systemCode: string; canSave: boolean; levers: TwinLevers; onLoad(levers: TwinLevers): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.twin.scenarios.list.queryOptions({ systemCode }));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.twin.scenarios.list.queryKey({ systemCode }) });
  const [name, setName] = useState("");
  const save = useMutation(
    trpc.twin.scenarios.save.mutationOptions({
      onSuccess: () => {
        setName("");
        void invalidate();
      },
    }),
  );
  const remove = useMutation(trpc.twin.scenarios.delete.mutationOptions({ onSuccess: () => void invalidate() }));

  return (
    <Card className="p-4">
      <h2 className="mb-2 font-semibold">Saved scenarios</h2>
      {canSave ? (
        <form
          className="mb-3 flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ systemCode, name, levers });
          }}
        >
          <label className="sr-only" htmlFor="scenario-name">
            Scenario name
          </label>
          <input
            id="scenario-name"
            className="min-w-0 flex-1 rounded-lg border border-slate-300 px-3 py-2 text-sm"
            placeholder="Name, e.g. Summer peak at 90 % speed"
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <button type="submit" className="rounded-lg bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-50" disabled={save.isPending || name.trim() === ""}>
            {save.isPending ? "Saving…" : "Save"}
          </button>
        </form>
      ) : null}
      {save.error ? (
        <p className="mb-2 text-sm text-red-700" role="alert">
          Not saved: {save.error.message}
        </p>
      ) : null}
      {remove.error ? (
        <p className="mb-2 text-sm text-red-700" role="alert">
          Not deleted: {remove.error.message}
        </p>
      ) : null}
      {list.isPending ? <p className="text-sm text-slate-500">Loading…</p> : null}
      {list.error ? <p className="text-sm text-red-700">Scenarios could not be loaded: {list.error.message}. Reload the page to try again.</p> : null}
      {list.data && list.data.length === 0 ? <p className="text-sm text-slate-500">No saved scenarios yet{canSave ? ": set the sliders and save them with a name." : "."}</p> : null}
      <ul className="divide-y divide-slate-100" data-testid="twin-scenarios">
        {list.data?.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
            <div className="min-w-0">
              <p className="truncate text-sm font-medium">{s.name}</p>
              <p className="text-xs text-slate-500">
                {s.userName} · {when.format(new Date(s.createdAt))} · {formatNumber(s.summary.flowM3h, 1)} m³/h · {formatNumber(s.summary.validatedDoseMjCm2, 0)} mJ/cm² ·{" "}
                {s.summary.onSpec ? "on-spec" : "off-spec"}
              </p>
            </div>
            <div className="flex gap-2">
              <button type="button" className="rounded-lg border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-50" onClick={() => onLoad(s.levers)} disabled={!canSave}>
                Load
              </button>
              {s.canDelete ? (
                <button type="button" className="rounded-lg border border-red-200 px-2.5 py-1 text-sm text-red-700 hover:bg-red-50" onClick={() => remove.mutate({ id: s.id })} disabled={remove.isPending}>
                  Delete
                </button>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
