"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/alerts/relative-time";
import { useNow } from "@/components/telemetry/use-now";

/** A device silent for longer than this is flagged (devices report every few seconds to a minute). */
const SILENT_AFTER_MS = 15 * 60_000;

interface Secret {
  id: string;
  token: string;
  /** shown for a new device; a rotated token keeps the device's username and topic */
  mqtt?: { username: string; topic: string };
  rotated: boolean;
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="min-h-11 rounded-lg border border-amber-400 bg-white px-3 text-sm font-medium text-amber-900"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 2_000);
        });
      }}
    >
      {copied ? "Copied" : label}
    </button>
  );
}

export function DevicesPanel({ systems }: { systems: { code: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [systemFilter, setSystemFilter] = useState("");
  const devices = useQuery(trpc.ingestion.devices.list.queryOptions(systemFilter ? { systemCode: systemFilter } : undefined));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.ingestion.devices.list.queryKey() });
  const [secret, setSecret] = useState<Secret | null>(null);
  const now = useNow(30_000);
  const create = useMutation(
    trpc.ingestion.devices.create.mutationOptions({
      onSuccess: (d) => {
        setSecret({ id: d.id, token: d.token, mqtt: d.mqtt, rotated: false });
        void invalidate();
      },
    }),
  );
  const rotate = useMutation(trpc.ingestion.devices.rotate.mutationOptions({ onSuccess: (d) => { setSecret({ ...d, rotated: true }); void invalidate(); } }));
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
        <select name="system" required className="min-h-11 min-w-0 flex-1 rounded-lg border border-slate-300 px-3" aria-label="System">
          {systems.map((s) => <option key={s.code} value={s.code}>{s.code} · {s.name}</option>)}
        </select>
        <input name="name" placeholder="Name (optional)" aria-label="Device name" className="min-h-11 min-w-0 flex-1 rounded-lg border border-slate-300 px-3" />
        <button type="submit" disabled={create.isPending} className="min-h-11 rounded-lg bg-brand-600 px-4 text-sm font-semibold text-white disabled:opacity-60">
          {create.isPending ? "Creating…" : "Create device"}
        </button>
      </form>
      {secret ? (
        <div role="status" className="mb-4 rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-semibold">
            {secret.rotated ? `New token for ${secret.id}` : `Token for ${secret.id}`}: copy it now, it is shown only once.
            {secret.rotated ? " The old token stopped working: put this one on the device." : ""}
          </p>
          <code className="mt-2 block break-all rounded bg-white px-2 py-2 font-mono text-xs" data-testid="device-token">{secret.token}</code>
          {secret.mqtt ? (
            <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
              <dt className="text-slate-600">MQTT username</dt>
              <dd className="break-all font-mono">{secret.mqtt.username}</dd>
              <dt className="text-slate-600">MQTT password</dt>
              <dd>the token</dd>
              <dt className="text-slate-600">MQTT topic</dt>
              <dd className="break-all font-mono">{secret.mqtt.topic}</dd>
              <dt className="text-slate-600">HTTP</dt>
              <dd className="break-all font-mono">POST /api/ingest · Authorization: Bearer &lt;token&gt;</dd>
            </dl>
          ) : null}
          <div className="mt-3 flex flex-wrap gap-2">
            <CopyButton text={secret.token} label="Copy token" />
            <button type="button" className="min-h-11 rounded-lg px-3 text-sm text-amber-900 underline" onClick={() => setSecret(null)}>
              I have stored it
            </button>
          </div>
        </div>
      ) : null}
      {error ? <p role="alert" className="mb-2 text-sm text-red-700">{error.message}</p> : null}
      <label className="mb-2 flex items-center gap-2 text-sm text-slate-600">
        Show
        <select value={systemFilter} onChange={(e) => setSystemFilter(e.target.value)} className="min-h-11 rounded-lg border border-slate-300 px-2" aria-label="Filter devices by system">
          <option value="">all systems</option>
          {systems.map((s) => <option key={s.code} value={s.code}>{s.code}</option>)}
        </select>
      </label>
      {devices.isLoading ? <p className="text-sm text-slate-500">Loading devices…</p> : null}
      {devices.data?.length === 0 ? <p className="text-sm text-slate-500">No devices yet: create one above and put its token on the unit.</p> : null}
      <ul className="divide-y divide-slate-100" data-testid="devices-list">
        {devices.data?.map((d) => {
          const silent = d.status === "active" && now !== null && (!d.lastSeenAt || now - d.lastSeenAt.getTime() > SILENT_AFTER_MS);
          return (
            <li key={d.id} className="flex flex-wrap items-center gap-2 py-3">
              <span className="min-w-0 flex-1 basis-48">
                <span className="block break-all font-mono text-xs">{d.id}</span>
                <span className="block text-xs text-slate-500">
                  {d.system} · {d.name} ·{" "}
                  {d.lastSeenAt ? (
                    <>
                      seen <RelativeTime at={d.lastSeenAt} />
                    </>
                  ) : (
                    "never seen"
                  )}
                  {silent ? <span className="ml-1 rounded bg-amber-100 px-1 text-amber-900">silent</span> : null}
                </span>
              </span>
              <StatusBadge status={d.status} />
              {d.status === "active" ? (
                <span className="flex gap-2">
                  <button
                    type="button"
                    className="min-h-11 rounded-lg border border-slate-300 px-3 text-sm"
                    onClick={() => {
                      if (confirm(`Rotate the token of ${d.id}? The current token stops working at once; the device needs the new one.`)) rotate.mutate({ id: d.id });
                    }}
                  >
                    Rotate
                  </button>
                  <button
                    type="button"
                    className="min-h-11 rounded-lg border border-red-300 px-3 text-sm text-red-700"
                    onClick={() => { if (confirm(`Revoke ${d.id}? It stops sending data at once.`)) revoke.mutate({ id: d.id }); }}
                  >
                    Revoke
                  </button>
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
