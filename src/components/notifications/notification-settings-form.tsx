"use client";

import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { testNotificationContent, type BrowserPreference } from "./browser-notification";
import { requestBrowserPermission, useBrowserPermission, useSecureContext } from "./browser-permission";
import { testResultMessage, unblockSteps, type ShowResult } from "./display-path";
import { FieldError, primaryButton, secondaryButton, SeveritySelect, Toggle, labelClass } from "./form-controls";
import { formErrors } from "./form-errors";
import { showBrowserNotification } from "./show-notification";

export type NotificationSettingsData = inferRouterOutputs<AppRouter>["notifications"]["preferences"]["get"];

const same = (a: BrowserPreference, b: BrowserPreference) => a.enabled === b.enabled && a.minSeverity === b.minSeverity;

/** The person's own notification settings: browser and e-mail, each on/off with a minimum severity. */
export function NotificationSettingsForm({ initial }: { initial: NotificationSettingsData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: saved } = useQuery(trpc.notifications.preferences.get.queryOptions(undefined, { initialData: initial }));
  const [browser, setBrowser] = useState<BrowserPreference>({ enabled: saved.browser.enabled, minSeverity: saved.browser.minSeverity });
  const [email, setEmail] = useState<BrowserPreference>({ enabled: saved.email.enabled, minSeverity: saved.email.minSeverity });
  const [done, setDone] = useState(false);
  const id = useId();
  const update = useMutation(
    trpc.notifications.preferences.update.mutationOptions({
      onSuccess: (next) => {
        queryClient.setQueryData(trpc.notifications.preferences.get.queryKey(), next);
        setDone(true);
      },
    }),
  );
  const errors = formErrors(update.error);
  const dirty = !same(browser, saved.browser) || !same(email, saved.email);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setDone(false);
    update.mutate({ browser, email });
  }
  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    setDone(false);
    set(v);
  };

  return (
    <form onSubmit={submit} className="space-y-6" data-testid="notification-settings">
      <Card className="p-4">
        <h2 className="font-semibold">In this browser</h2>
        <p className="mt-1 text-sm text-slate-600">
          A system notification for each new alert while EcoMate is open in a background tab, on a computer or a phone. In the visible tab the red banner (and its tone, when sound is on) shows new critical alerts.
          A phone&apos;s browser may pause EcoMate a few minutes after you switch away from it; e-mail reaches you then.
        </p>
        <BrowserPermissionRow enabled={browser.enabled} />
        <div className="mt-3 grid gap-3 sm:grid-cols-2">
          <Toggle checked={browser.enabled} onChange={edit((v: boolean) => setBrowser((b) => ({ ...b, enabled: v })))} label="Browser notifications on" testId="pref-browser-enabled" />
          <div>
            <label htmlFor={`${id}-browser-min`} className={labelClass}>
              Notify for
            </label>
            <SeveritySelect
              id={`${id}-browser-min`}
              value={browser.minSeverity}
              disabled={!browser.enabled}
              invalid={Boolean(errors.fields["browser.minSeverity"])}
              onChange={edit((v) => setBrowser((b) => ({ ...b, minSeverity: v })))}
              testId="pref-browser-min"
            />
            <FieldError id={`${id}-browser-min`} message={errors.fields["browser.minSeverity"]} />
          </div>
        </div>
        {saved.browser.isDefault ? <p className="mt-2 text-xs text-slate-500">The default for your role; saving makes it your own choice.</p> : null}
      </Card>

      <Card className="p-4">
        <h2 className="font-semibold">By e-mail</h2>
        <p className="mt-1 text-sm text-slate-600">
          Mail to <span className="font-medium break-all">{saved.address}</span> when an alert is raised, escalated (a critical nobody acknowledged) or a critical clears. Needs the
          server&apos;s mail settings (SMTP); ask an admin if none arrive. Systems in a maintenance window send nothing, except compliance alerts.
        </p>
        <div className="mt-3 grid gap-3 sm:grid-cols-2">
          <Toggle checked={email.enabled} onChange={edit((v: boolean) => setEmail((m) => ({ ...m, enabled: v })))} label="E-mail on" testId="pref-email-enabled" />
          <div>
            <label htmlFor={`${id}-email-min`} className={labelClass}>
              Mail me for
            </label>
            <SeveritySelect
              id={`${id}-email-min`}
              value={email.minSeverity}
              disabled={!email.enabled}
              invalid={Boolean(errors.fields["email.minSeverity"])}
              onChange={edit((v) => setEmail((m) => ({ ...m, minSeverity: v })))}
              testId="pref-email-min"
            />
            <FieldError id={`${id}-email-min`} message={errors.fields["email.minSeverity"]} />
          </div>
        </div>
      </Card>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={primaryButton} disabled={!dirty || update.isPending} data-testid="pref-save">
          {update.isPending ? "Saving…" : "Save settings"}
        </button>
        {done && !dirty ? (
          <p role="status" className="text-sm text-emerald-700">
            Saved.
          </p>
        ) : null}
        {errors.message ? (
          <p role="alert" className="text-sm text-red-700">
            {errors.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** Where this browser stands, and the one place that asks for permission (a click, never on load). */
function BrowserPermissionRow({ enabled }: { enabled: boolean }) {
  const permission = useBrowserPermission();
  const secure = useSecureContext();
  const [asking, setAsking] = useState(false);

  const box = "mt-3 rounded-xl border p-3 text-sm";
  let row: ReactNode;
  if (!secure) {
    row = (
      <p className={`${box} border-amber-300 bg-amber-50 text-amber-900`} data-testid="browser-permission" data-permission="insecure">
        Browsers show notifications only for pages opened over https. Open EcoMate by its https address (ask your admin), then come back to this page.
      </p>
    );
  } else if (permission === "unsupported") {
    row = <p className={`${box} border-slate-200 bg-slate-50 text-slate-700`}>This browser cannot show notifications (or the page is still loading). Use e-mail below instead.</p>;
  } else if (permission === "denied") {
    row = (
      <div className={`${box} border-amber-300 bg-amber-50 text-amber-900`} data-testid="browser-permission" data-permission="denied">
        <p className="font-semibold">Notifications are blocked for this site.</p>
        <p className="mt-1">{unblockSteps(navigator.userAgent)}</p>
      </div>
    );
  } else if (permission === "default") {
    row = (
      <div className={`${box} flex flex-wrap items-center justify-between gap-2 border-slate-200 bg-slate-50`} data-testid="browser-permission" data-permission="default">
        <span>This browser has not been allowed to show EcoMate notifications yet.</span>
        <button
          type="button"
          className={`${primaryButton} min-h-11`}
          disabled={asking}
          onClick={() => {
            setAsking(true);
            void requestBrowserPermission().finally(() => setAsking(false));
          }}
        >
          Allow notifications
        </button>
      </div>
    );
  } else {
    row = (
      <p className={`${box} border-emerald-200 bg-emerald-50 text-emerald-900`} data-testid="browser-permission" data-permission="granted">
        {enabled ? "Allowed in this browser." : "Allowed in this browser, but turned off below."}
      </p>
    );
  }
  return (
    <>
      {row}
      <TestNotification />
    </>
  );
}

/** Shows a notification through the same path as alerts, so a manager can check a phone before relying on it. */
function TestNotification() {
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<ShowResult | null>(null);

  async function send() {
    setSending(true);
    setResult(null);
    try {
      // a click on the page path: this tab already shows the settings, so nothing to open
      setResult(await showBrowserNotification(testNotificationContent(), () => undefined));
    } finally {
      setSending(false);
    }
  }

  return (
    <div className="mt-3 flex flex-wrap items-center gap-x-3 gap-y-2">
      <button type="button" className={`${secondaryButton} min-h-11`} disabled={sending} onClick={() => void send()} data-testid="notify-test">
        {sending ? "Sending…" : "Send a test notification"}
      </button>
      {result ? (
        <p
          role={result.shown ? "status" : "alert"}
          className={`basis-full text-sm ${result.shown ? "text-emerald-800" : "text-red-700"}`}
          data-testid="notify-test-result"
          data-outcome={result.shown ? "shown" : result.reason}
        >
          {testResultMessage(result)}
        </p>
      ) : null}
    </div>
  );
}
