"use client";

import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import type { SeverityName } from "@/components/alerts/filters";
import { dangerButton, FieldError, inputClass, labelClass, MIN_SEVERITY_LABEL, primaryButton, secondaryButton, SeveritySelect, Toggle } from "./form-controls";
import { formErrors } from "./form-errors";

type Channel = inferRouterOutputs<AppRouter>["notifications"]["channels"]["list"][number];
type TestResult = inferRouterOutputs<AppRouter>["notifications"]["channels"]["test"];
type Kind = Channel["kind"];

const smallButton = "inline-flex min-h-9 items-center rounded-lg px-2.5 py-1.5 text-xs font-semibold disabled:opacity-60";
// The test button is the one a person taps on the phone while setting a channel up: 44 px high.
const testButton = secondaryButton.replace("min-h-10", "min-h-11");

/** The organisation's webhook and e-mail channels (admins). */
export function ChannelsPanel() {
  const trpc = useTRPC();
  const channels = useQuery(trpc.notifications.channels.list.queryOptions());
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [creating, setCreating] = useState(false);

  return (
    <Card className="p-4">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold">Notification channels</h2>
        <button type="button" className={primaryButton} aria-expanded={creating} onClick={() => setCreating((c) => !c)} data-testid="channel-new">
          {creating ? "Close" : "Add channel"}
        </button>
      </div>
      <p className="mb-3 text-sm text-slate-600">
        Alerts go to every active channel whose minimum they meet: raised, escalated, and criticals clearing. Webhooks receive a signed JSON POST (header <code className="text-xs">X-EcoMate-Signature: sha256=</code>HMAC-SHA256 of the body with the channel&apos;s secret), retried when the receiver is down. E-mail goes out from the worker, which holds the SMTP settings: “Send test e-mail” asks it to send one.
      </p>
      {creating ? (
        <CreateChannelForm
          onCreated={(name, s) => {
            setCreating(false);
            if (s) setSecret({ name, secret: s });
          }}
        />
      ) : null}
      {secret ? <SecretOnce name={secret.name} secret={secret.secret} onDone={() => setSecret(null)} /> : null}
      {channels.isLoading ? <p className="text-sm text-slate-500">Loading channels…</p> : null}
      {channels.error ? (
        <p role="alert" className="text-sm text-red-700">
          Could not load the channels: {channels.error.message}
        </p>
      ) : null}
      {channels.data?.length === 0 ? <p className="text-sm text-slate-500">No channels yet: alerts show in the app only.</p> : null}
      <ul className="divide-y divide-slate-100" data-testid="channels-list">
        {channels.data?.map((c) => (
          <ChannelRow key={c.id} channel={c} onSecret={(s) => setSecret({ name: c.name, secret: s })} />
        ))}
      </ul>
    </Card>
  );
}

function SecretOnce({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="mb-4 rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-semibold">Signing secret of “{name}”: copy it now, it is shown only once.</p>
      <code className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid="channel-secret">
        {secret}
      </code>
      <div className="mt-2 flex flex-wrap gap-2">
        <button
          type="button"
          className={`${smallButton} border border-amber-400 bg-white text-amber-900`}
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => undefined)}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className={`${smallButton} text-amber-900 underline`} onClick={onDone}>
          I have stored it
        </button>
      </div>
    </div>
  );
}

function CreateChannelForm({ onCreated }: { onCreated: (name: string, secret: string | null) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [kind, setKind] = useState<Kind>("webhook");
  const [minSeverity, setMinSeverity] = useState<SeverityName>("major");
  const create = useMutation(
    trpc.notifications.channels.create.mutationOptions({
      onSuccess: async (created) => {
        await queryClient.invalidateQueries(trpc.notifications.channels.pathFilter());
        onCreated(created.channel.name, created.secret);
      },
    }),
  );
  const errors = formErrors(create.error);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    create.mutate({ kind, name: String(f.get("name") ?? ""), target: String(f.get("target") ?? ""), minSeverity, active: f.get("active") === "on" });
  }

  return (
    <form onSubmit={submit} className="mb-4 space-y-3 rounded-xl border border-slate-200 bg-slate-50 p-3" data-testid="channel-create-form" noValidate>
      <fieldset>
        <legend className={labelClass}>Kind</legend>
        <div className="mt-1 grid grid-cols-2 gap-1.5">
          {(["webhook", "email"] as const).map((k) => (
            <label
              key={k}
              className={`flex min-h-10 cursor-pointer items-center justify-center rounded-lg border px-2 text-sm font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500 ${
                kind === k ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700"
              }`}
            >
              <input type="radio" name={`${id}-kind`} value={k} checked={kind === k} onChange={() => setKind(k)} className="sr-only" />
              {k === "webhook" ? "Webhook" : "E-mail"}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-name`} className={labelClass}>
            Name
          </label>
          <input id={`${id}-name`} name="name" maxLength={120} placeholder={kind === "webhook" ? "e.g. On-call pager" : "e.g. Operations list"} className={inputClass} aria-invalid={Boolean(errors.fields.name) || undefined} />
          <FieldError id={`${id}-name`} message={errors.fields.name} />
        </div>
        <div>
          <label htmlFor={`${id}-target`} className={labelClass}>
            {kind === "webhook" ? "URL" : "Address"}
          </label>
          <input
            id={`${id}-target`}
            name="target"
            type={kind === "webhook" ? "url" : "email"}
            inputMode={kind === "webhook" ? "url" : "email"}
            placeholder={kind === "webhook" ? "https://hooks.example.com/ecomate" : "ops@example.com"}
            className={inputClass}
            aria-invalid={Boolean(errors.fields.target) || undefined}
            aria-describedby={errors.fields.target ? `${id}-target-error` : undefined}
          />
          <FieldError id={`${id}-target`} message={errors.fields.target} />
        </div>
        <div>
          <label htmlFor={`${id}-min`} className={labelClass}>
            Send for
          </label>
          <SeveritySelect id={`${id}-min`} value={minSeverity} onChange={setMinSeverity} invalid={Boolean(errors.fields.minSeverity)} />
          <FieldError id={`${id}-min`} message={errors.fields.minSeverity} />
        </div>
        <label className="flex min-h-10 items-end gap-2 text-sm">
          <input type="checkbox" name="active" defaultChecked className="h-5 w-5" /> Active now
        </label>
      </div>
      {errors.message ? (
        <p role="alert" className="text-sm text-red-700">
          {errors.message}
        </p>
      ) : null}
      <button type="submit" className={primaryButton} disabled={create.isPending}>
        {create.isPending ? "Creating…" : kind === "webhook" ? "Create webhook" : "Create e-mail channel"}
      </button>
      {kind === "webhook" ? <p className="text-xs text-slate-500">A signing secret is generated and shown once after creation.</p> : null}
    </form>
  );
}

function testText(r: TestResult): string {
  // e-mail: the server words what the worker answered, with what to check
  if (r.kind === "email") return r.message;
  if (r.delivered) return `Test delivered (HTTP ${r.status ?? "2xx"}).`;
  if (r.status !== undefined) return `Test not delivered: the receiver answered HTTP ${r.status}.`;
  return `Test not delivered: ${r.error ?? "no answer"}.`;
}

function ChannelRow({ channel, onSecret }: { channel: Channel; onSecret: (secret: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries(trpc.notifications.channels.pathFilter());
  const update = useMutation(trpc.notifications.channels.update.mutationOptions({ onSuccess }));
  const remove = useMutation(trpc.notifications.channels.delete.mutationOptions({ onSuccess }));
  const rotate = useMutation(
    trpc.notifications.channels.rotateSecret.mutationOptions({
      onSuccess: (r) => {
        if (r.secret) onSecret(r.secret);
        void onSuccess();
      },
    }),
  );
  const test = useMutation(trpc.notifications.channels.test.mutationOptions());
  const id = useId();
  const error = [update, remove, rotate, test].map((m) => formErrors(m.error).message).find(Boolean);
  const busy = update.isPending || remove.isPending || rotate.isPending;

  return (
    <li className="py-3" data-testid={`channel-${channel.id}`}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 flex-1 basis-56">
          <p className="flex flex-wrap items-center gap-1.5">
            <span className="font-medium">{channel.name}</span>
            <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">{channel.kind === "webhook" ? (channel.signed ? "Webhook · signed" : "Webhook") : "E-mail"}</span>
          </p>
          <p className="break-all font-mono text-xs text-slate-500">{channel.target}</p>
        </div>
        <Toggle checked={channel.active} disabled={busy} onChange={(active) => update.mutate({ id: channel.id, active })} label={channel.active ? "Active" : "Paused"} testId={`channel-active-${channel.id}`} />
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-min`} className="sr-only">
          Minimum severity of {channel.name}
        </label>
        <div className="w-full sm:w-56">
          <SeveritySelect id={`${id}-min`} value={channel.minSeverity} disabled={busy} onChange={(minSeverity) => update.mutate({ id: channel.id, minSeverity })} label={MIN_SEVERITY_LABEL} />
        </div>
        {channel.kind === "email" ? (
          <button type="button" className={testButton} disabled={test.isPending} onClick={() => test.mutate({ id: channel.id })} data-testid={`channel-test-${channel.id}`}>
            {test.isPending ? "Sending…" : "Send test e-mail"}
          </button>
        ) : null}
        {channel.kind === "webhook" ? (
          <>
            <button type="button" className={testButton} disabled={test.isPending} onClick={() => test.mutate({ id: channel.id })} data-testid={`channel-test-${channel.id}`}>
              {test.isPending ? "Sending…" : "Send test"}
            </button>
            <button
              type="button"
              className={secondaryButton}
              disabled={busy}
              onClick={() => {
                if (confirm(`Generate a new secret for “${channel.name}”? The current one stops working at once: update the receiver.`)) rotate.mutate({ id: channel.id });
              }}
            >
              New secret
            </button>
          </>
        ) : null}
        <button
          type="button"
          className={dangerButton}
          disabled={busy}
          onClick={() => {
            if (confirm(`Delete the channel “${channel.name}”? It receives nothing from now on.`)) remove.mutate({ id: channel.id });
          }}
        >
          Delete
        </button>
      </div>
      {test.isPending && channel.kind === "email" ? (
        <p role="status" className="mt-2 text-sm text-slate-600" data-testid={`channel-test-result-${channel.id}`}>
          Asking the worker to send… up to 20 s
        </p>
      ) : test.data ? (
        <p role="status" className={`mt-2 break-words text-sm ${test.data.delivered ? "text-emerald-700" : "text-red-700"}`} data-testid={`channel-test-result-${channel.id}`}>
          {testText(test.data)}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </li>
  );
}
