"use client";

import Link from "next/link";
import { useMemo, useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { LiveIndicator } from "@/components/telemetry/live-indicator";
import { OpenWorkOrderButton } from "@/components/work-orders/open-work-order-button";
import { useNow } from "@/components/telemetry/use-now";
import { hasRole } from "@/lib/roles";
import { AlertActions, type AlertUser } from "./alert-actions";
import { ComplianceBadge, SeverityBadge, SeverityStripe, StateBadge } from "./alert-badges";
import { actorLabel, describeHistory, formatDelay, RULE_KIND_LABEL, ruleQuantity, STATE_LOOK } from "./labels";
import { RelativeTime } from "./relative-time";
import { useAlertFeed, useAlertQueriesLive } from "./use-alert-feed";

export type AlertDetailData = inferRouterOutputs<AppRouter>["alerts"]["get"];

interface AlertDetailProps {
  initial: AlertDetailData;
  user: AlertUser;
  /** the metric the rule watches, for units (null when the rule is gone) */
  metric: { key: string; name: string; unit: string } | null;
}

interface TimelineEntry {
  key: string;
  at: Date;
  text: string;
  actor: string;
}

/** One alert: everything the inbox shows, the rule, the comments and the history. */
export function AlertDetail({ initial, user, metric }: AlertDetailProps) {
  const trpc = useTRPC();
  const feed = useAlertFeed();
  useAlertQueriesLive(feed);
  const { data: alert } = useQuery(trpc.alerts.get.queryOptions({ id: initial.id }, { initialData: initial }));
  const people = useQuery(trpc.alerts.assignees.queryOptions(undefined, { staleTime: 5 * 60_000 }));
  const now = useNow(30_000);

  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of people.data ?? []) m.set(p.id, p.name);
    for (const c of alert.comments) m.set(c.user.id, c.user.name);
    if (alert.assignee) m.set(alert.assignee.id, alert.assignee.name);
    if (alert.acknowledgedBy) m.set(alert.acknowledgedBy.id, alert.acknowledgedBy.name);
    return m;
  }, [people.data, alert]);

  // the server leaves an expired shelving in the row until its housekeeping clears it
  const shelvedUntil = alert.shelvedUntil && (now === null || alert.shelvedUntil.getTime() > now) ? alert.shelvedUntil : null;
  const unit = metric?.unit ?? null;
  const kind = alert.rule?.kind ?? "threshold_hi";

  const timeline = useMemo<TimelineEntry[]>(() => {
    const entries: TimelineEntry[] = [{ key: "raised", at: alert.raisedAt, text: "Raised", actor: "EcoMate" }];
    if (alert.lastRepeatAt) entries.push({ key: "repeat", at: alert.lastRepeatAt, text: `Repeated (${alert.repeatCount}× in all)`, actor: "EcoMate" });
    if (alert.escalatedAt) entries.push({ key: "escalated", at: alert.escalatedAt, text: "Escalated: still active and unacknowledged", actor: "EcoMate" });
    if (alert.clearedAt) entries.push({ key: "cleared", at: alert.clearedAt, text: "Returned to normal", actor: "EcoMate" });
    for (const h of alert.history) {
      entries.push({ key: `audit-${h.id}`, at: h.at, text: describeHistory(h, (id) => names.get(id)), actor: actorLabel(h.actor) });
    }
    return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  }, [alert, names]);

  return (
    <>
      <p className="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm">
        <Link href="/alerts" className="text-brand-700 hover:underline">
          ← Alerts
        </Link>
        <LiveIndicator status={feed.status} />
      </p>

      <div className="mb-6" data-testid="alert-detail" data-severity={alert.severity} data-state={alert.state}>
        <Card className="relative overflow-hidden p-4 pl-6">
          <SeverityStripe severity={alert.severity} />
          <div className="flex flex-wrap items-center gap-1.5">
            <SeverityBadge severity={alert.severity} />
            <StateBadge id={alert.id} state={alert.state} />
            {alert.isCompliance ? <ComplianceBadge /> : null}
            {shelvedUntil ? (
              <span className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-400/30">
                Shelved until <RelativeTime at={shelvedUntil} />
              </span>
            ) : null}
          </div>
          <h1 className="mt-2 text-xl font-semibold tracking-tight break-words sm:text-2xl">{alert.message}</h1>
          <p className="mt-1 text-sm text-slate-600">
            <Link href={`/systems/${encodeURIComponent(alert.system.code)}`} className="font-mono font-semibold text-brand-700 hover:underline" data-testid="alert-system-link">
              {alert.system.code}
            </Link>{" "}
            {alert.system.name}
            {alert.component ? ` · ${alert.component.name} (${alert.component.code})` : " · system-level"} · raised <RelativeTime at={alert.raisedAt} />
          </p>
          <p className="mt-1 text-sm text-slate-500">{STATE_LOOK[alert.state].hint}</p>
          <div className="mt-3">
            <AlertActions alert={{ ...alert, shelvedUntil }} user={user} />
            {hasRole(user.role, "technician") ? <OpenWorkOrderButton alertId={alert.id} /> : null}
          </div>
        </Card>
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="p-4 lg:col-span-2">
          <h2 className="mb-2 font-semibold">Details</h2>
          <dl className="grid grid-cols-[minmax(7rem,auto)_1fr] gap-x-4 gap-y-1.5 text-sm">
            <Row label="System">
              <Link href={`/systems/${encodeURIComponent(alert.system.code)}`} className="text-brand-700 hover:underline">
                {alert.system.code} · {alert.system.name}
              </Link>
            </Row>
            <Row label="Component">{alert.component ? `${alert.component.name} (${alert.component.code})` : "System-level"}</Row>
            <Row label="Value">{alert.value === null ? "—" : `${ruleQuantity(kind, alert.value, unit)}${metric ? ` (${metric.name})` : ""}`}</Row>
            <Row label="Raised">
              <RelativeTime at={alert.raisedAt} />
            </Row>
            <Row label="Repeats">
              {alert.repeatCount > 0 ? (
                <>
                  ×{alert.repeatCount}
                  {alert.lastRepeatAt ? (
                    <>
                      , last <RelativeTime at={alert.lastRepeatAt} />
                    </>
                  ) : null}
                </>
              ) : (
                "none"
              )}
            </Row>
            <Row label="Cleared">{alert.clearedAt ? <RelativeTime at={alert.clearedAt} /> : "not yet — the condition is still present"}</Row>
            <Row label="Acknowledged">
              {alert.acknowledgedAt ? (
                <>
                  <RelativeTime at={alert.acknowledgedAt} />
                  {alert.acknowledgedBy ? ` by ${alert.acknowledgedBy.name}` : ""}
                </>
              ) : (
                "not yet"
              )}
            </Row>
            <Row label="Assignee">{alert.assignee ? (alert.assignee.id === user.id ? `${alert.assignee.name} (me)` : alert.assignee.name) : "Unassigned"}</Row>
            <Row label="Shelved">{shelvedUntil ? <>until <RelativeTime at={shelvedUntil} /></> : alert.isCompliance ? "never (compliance alarm)" : "no"}</Row>
            {alert.escalatedAt ? (
              <Row label="Escalated">
                <RelativeTime at={alert.escalatedAt} />
              </Row>
            ) : null}
          </dl>
        </Card>

        {alert.conditionKey?.startsWith("calibration") ? (
          <Card className="p-4" data-testid="alert-condition">
            <h2 className="mb-2 font-semibold">Raised by EcoMate</h2>
            <p className="text-sm text-slate-700">
              {alert.conditionKey.startsWith("calibration-due:")
                ? "The instrument's calibration check is overdue. The alert clears when a check is recorded."
                : "The instrument failed its calibration check, so the water it monitors counts as off-spec. The alert clears when a check passes."}
            </p>
            <p className="mt-3">
              <Link
                href={`/compliance?system=${encodeURIComponent(alert.system.code)}#month`}
                className="inline-flex min-h-11 items-center text-sm font-semibold text-brand-700 hover:underline"
              >
                Record a check on {alert.system.code}&apos;s compliance page
              </Link>
            </p>
          </Card>
        ) : (
          <Card className="p-4">
            <h2 className="mb-2 font-semibold">Rule</h2>
            {alert.rule ? (
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
                <Row label="Name">{alert.rule.name}</Row>
                <Row label="Kind">{RULE_KIND_LABEL[alert.rule.kind] ?? alert.rule.kind}</Row>
                {metric ? (
                  <Row label="Metric">
                    {metric.name} <span className="font-mono text-xs text-slate-500">{metric.key}</span>
                  </Row>
                ) : null}
                <Row label="Threshold">{ruleQuantity(alert.rule.kind, alert.rule.threshold, unit)}</Row>
                <Row label="Deadband">{alert.rule.deadband === 0 ? "none" : ruleQuantity(alert.rule.kind, alert.rule.deadband, unit)}</Row>
                <Row label="On delay">{formatDelay(alert.rule.onDelaySec)}</Row>
                <Row label="Off delay">{formatDelay(alert.rule.offDelaySec)}</Row>
              </dl>
            ) : (
              <p className="text-sm text-slate-500">The rule behind this alert has been deleted.</p>
            )}
            <p className="mt-3 text-xs text-slate-500">
              The deadband keeps an alert from toggling around its threshold; the delays require the condition to persist before it is raised or cleared.
            </p>
          </Card>
        )}
      </div>

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Comments alertId={alert.id} comments={alert.comments} canComment={hasRole(user.role, "technician")} />
        <Card className="p-4">
          <h2 className="mb-2 font-semibold">History</h2>
          <ol className="space-y-2 border-l border-slate-200 pl-4" data-testid="alert-history">
            {timeline.map((e) => (
              <li key={e.key} className="relative text-sm">
                <span aria-hidden="true" className="absolute -left-[1.3rem] top-1.5 h-2 w-2 rounded-full bg-slate-400" />
                <span className="font-medium">{e.text}</span>
                <span className="block text-xs text-slate-500">
                  <RelativeTime at={e.at} /> · {e.actor}
                </span>
              </li>
            ))}
          </ol>
        </Card>
      </div>
    </>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

function Comments({ alertId, comments, canComment }: { alertId: string; comments: AlertDetailData["comments"]; canComment: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [body, setBody] = useState("");
  const comment = useMutation(
    trpc.alerts.comment.mutationOptions({
      onSuccess: async () => {
        setBody("");
        await queryClient.invalidateQueries(trpc.alerts.pathFilter());
      },
    }),
  );

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!body.trim()) return;
    comment.mutate({ id: alertId, body });
  }

  return (
    <Card className="p-4">
      <h2 className="mb-2 font-semibold">Comments</h2>
      {comments.length === 0 ? <p className="text-sm text-slate-500">No comments yet.</p> : null}
      <ul className="space-y-3" data-testid="alert-comments">
        {comments.map((c) => (
          <li key={c.id} className="text-sm" data-testid={`alert-comment-${c.id}`}>
            <p className="text-xs text-slate-500">
              <span className="font-medium text-slate-700">{c.user.name}</span> · <RelativeTime at={c.createdAt} />
            </p>
            <p className="mt-0.5 whitespace-pre-wrap break-words">{c.body}</p>
          </li>
        ))}
      </ul>
      {canComment ? (
        <form onSubmit={submit} className="mt-4 space-y-2" data-testid="alert-comment-form">
          <label htmlFor={`comment-${alertId}`} className="text-sm font-medium">
            Add a comment
          </label>
          <textarea
            id={`comment-${alertId}`}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            required
            maxLength={4000}
            rows={3}
            placeholder="What you found, what you did, what is next"
            className="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm"
          />
          {comment.error ? (
            <p role="alert" className="text-sm text-red-700">
              {comment.error.message}
            </p>
          ) : null}
          <button
            type="submit"
            disabled={comment.isPending || !body.trim()}
            className="min-h-10 rounded-lg bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
          >
            {comment.isPending ? "Posting…" : "Post comment"}
          </button>
        </form>
      ) : null}
    </Card>
  );
}
