"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";

const timeFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeStyle: "short" });

export function DevicesPanel({ systems }: { systems: { code: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const devices = useQuery(trpc.ingestion.devices.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.ingestion.devices.list.queryKey() });
  const [secret, setSecret] = useState<{ id: string; token: string } | null>(null);
  const create = useMutation(trpc.ingestion.devices.create.mutationOptions({ onSuccess: (d) => { setSecret({ id: d.id, token: d.token }); void invalidate(); } }));
  const rotate = useMutation(trpc.ingestion.devices.rotate.mutationOptions({ onSuccess: (d) => { setSecret(d); void invalidate(); } }));
  const revoke = useMutation(trpc.ingestion.devices.revoke.mutationOptions({ onSuccess: invalidate }));
  const error = create.error ?? rotate.error ?? revoke.error;

  function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    create.mutate({ systemCode: String(f.get("system")), name: String(f.get("name") || "") || undefined });
  }

  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Devices</h2>
      <form onSubmit={onCreate} className="mb-4 flex flex-wrap gap-2">
        <select name="system" required className="min-w-0 flex-1 rounded-lg border border-slate-300 px-3 py-2" aria-label="System">
          {systems.map((s) => <option key={s.code} value={s.code}>{s.code} · {s.name}</option>)}
        </select>
        <input name="name" placeholder="Name (optional)" className="min-w-0 flex-1 rounded-lg border border-slate-300 px-3 py-2" />
        <button type="submit" disabled={create.isPending} className="rounded-lg bg-brand-600 px-3 py-2 text-sm font-semibold text-white">
          Create device
        </button>
      </form>
      {secret ? (
        <div role="status" className="mb-4 rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-semibold">Token for {secret.id}: copy it now, it is shown only once.</p>
          <code className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid="device-token">{secret.token}</code>
          <button type="button" className="mt-2 text-xs text-amber-900 underline" onClick={() => setSecret(null)}>I have stored it</button>
        </div>
      ) : null}
      {error ? <p role="alert" className="mb-2 text-sm text-red-700">{error.message}</p> : null}
      {devices.isLoading ? <p className="text-sm text-slate-500">Loading devices…</p> : null}
      <ul className="divide-y divide-slate-100">
        {devices.data?.map((d) => (
          <li key={d.id} className="flex flex-wrap items-center gap-2 py-2">
            <span className="min-w-0 flex-1">
              <span className="block font-mono text-xs">{d.id}</span>
              <span className="block text-xs text-slate-500">
                {d.system} · {d.name} · {d.lastSeenAt ? `seen ${timeFmt.format(d.lastSeenAt)}` : "never seen"}
              </span>
            </span>
            <StatusBadge status={d.status} />
            {d.status === "active" ? (
              <>
                <button type="button" className="rounded border border-slate-300 px-2 py-1 text-xs" onClick={() => rotate.mutate({ id: d.id })}>Rotate</button>
                <button
                  type="button"
                  className="rounded border border-red-300 px-2 py-1 text-xs text-red-700"
                  onClick={() => { if (confirm(`Revoke ${d.id}? It stops sending data at once.`)) revoke.mutate({ id: d.id }); }}
                >
                  Revoke
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </Card>
  );
}
