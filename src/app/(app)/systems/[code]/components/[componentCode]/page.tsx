import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { hasRole } from "@/lib/roles";
import { Card, PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";
import { OverdueBadge, PriorityBadge, WorkOrderStatusBadge } from "@/components/work-orders/badges";
import { ComponentTimeline } from "@/components/timeline";
import { loadComponentTimeline } from "@/components/timeline/load-component-timeline";
import { findComponent } from "@/components/work-orders/component-tree";
import { DueLabel } from "@/components/work-orders/due-label";
import { OPEN_STATUSES, woLabel } from "@/components/work-orders/format";
import { componentPath, labelPath } from "@/components/work-orders/label";
import { primary, secondary } from "@/components/work-orders/ui";

export async function generateMetadata({ params }: { params: Promise<{ code: string; componentCode: string }> }) {
  const p = await params;
  return { title: `${decodeURIComponent(p.componentCode)} · ${decodeURIComponent(p.code)}` };
}

const dateFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

/** The history periods offered above the timeline (days); 90 by default. */
const HISTORY_DAYS = [7, 30, 90, 365, 1095] as const;
const historyLabel = (d: number) => (d < 365 ? `${d} days` : d === 365 ? "1 year" : `${d / 365} years`);

/** A component as a technician standing in front of it sees it (its QR label opens this page). */
export default async function ComponentPage({
  params,
  searchParams,
}: {
  params: Promise<{ code: string; componentCode: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const p = await params;
  const requested = Number((await searchParams).days);
  const days = HISTORY_DAYS.find((d) => d === requested) ?? 90;
  const code = decodeURIComponent(p.code);
  const componentCode = decodeURIComponent(p.componentCode);
  const user = await requirePageUser("viewer", componentPath(code, componentCode));
  const api = await serverApi();
  const system = await api.fleet.system({ code }).catch((err: unknown) => {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  });
  const component = findComponent(system.components, componentCode);
  if (!component) notFound();
  const to = new Date();
  const [orders, timeline] = await Promise.all([
    api.maintenance.workOrder.list({ componentId: component.id, status: [...OPEN_STATUSES], limit: 50 }),
    loadComponentTimeline({ componentId: component.id }, { from: new Date(to.getTime() - days * 86_400_000), to }),
  ]);
  const newHref = `/work-orders/new?system=${encodeURIComponent(system.code)}&component=${encodeURIComponent(component.code)}`;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/systems/${encodeURIComponent(system.code)}`} className="inline-flex min-h-11 items-center text-brand-700 hover:underline">
          ← {system.code} · {system.name}
        </Link>
      </p>
      <PageHeader
        title={`${component.name}`}
        subtitle={
          <>
            <span className="font-mono font-semibold">{component.code}</span> · {component.type.replace(/_/g, " ")} · {system.code} at {system.site.name}
          </>
        }
        actions={component.status !== "active" ? <StatusBadge status={component.status} /> : null}
      />
      <div className="mb-4 flex flex-wrap gap-2">
        {hasRole(user.role, "technician") ? (
          <Link href={newHref} className={`${primary} flex-1 sm:flex-none`} data-testid="component-new-wo">
            + New work order
          </Link>
        ) : null}
        <Link href={labelPath(system.code, component.code)} className={`${secondary} flex-1 sm:flex-none`} data-testid="component-label-link">
          QR label
        </Link>
        <Link href={`/systems/${encodeURIComponent(system.code)}`} className={`${secondary} flex-1 sm:flex-none`}>
          System dashboard
        </Link>
      </div>

      <div className="grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <Card className="overflow-hidden">
            <h2 className="px-4 pt-4 font-semibold">Open work orders</h2>
            {orders.length === 0 ? (
              <p className="p-4 text-sm text-slate-500" data-testid="component-no-orders">
                No open work orders on this component.
              </p>
            ) : (
              <ul className="mt-2 divide-y divide-slate-100" data-testid="component-orders">
                {orders.map((wo) => (
                  <li key={wo.id} className="px-4 py-3">
                    <div className="flex flex-wrap items-center gap-1.5">
                      <span className="font-mono text-sm font-semibold text-slate-600">{woLabel(wo.number)}</span>
                      <PriorityBadge priority={wo.priority} />
                      <WorkOrderStatusBadge status={wo.status} />
                      {wo.overdue ? <OverdueBadge /> : null}
                    </div>
                    <Link href={`/work-orders/${encodeURIComponent(wo.id)}`} className="mt-1 block font-medium break-words hover:text-brand-700 hover:underline">
                      {wo.title}
                    </Link>
                    <p className="mt-0.5 flex flex-wrap gap-x-3 text-sm text-slate-600">
                      <span>{wo.assignee ? (wo.assigneeId === user.id ? "Assigned to me" : `Assigned to ${wo.assignee}`) : "Unassigned"}</span>
                      <DueLabel dueAt={wo.dueAt} status={wo.status} />
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          {/* the component's history: its readings with work orders and alerts marked on them */}
          <nav aria-label="History period" className="flex flex-wrap gap-1.5">
            {HISTORY_DAYS.map((d) => (
              <Link
                key={d}
                href={`${componentPath(system.code, component.code)}?days=${d}`}
                aria-current={d === days ? "page" : undefined}
                className={`inline-flex min-h-11 items-center rounded-lg border px-3 text-sm ${d === days ? "border-brand-600 bg-brand-50 font-semibold text-brand-700" : "border-slate-300 text-slate-700"}`}
              >
                {historyLabel(d)}
              </Link>
            ))}
          </nav>
          {timeline ? <ComponentTimeline timeline={timeline} /> : null}
        </div>
        <div className="min-w-0 space-y-4">
          <Card className="p-4">
            <h2 className="mb-2 font-semibold">Details</h2>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-slate-500">Make</dt>
              <dd className="min-w-0 break-words">{[component.manufacturer, component.modelNumber].filter(Boolean).join(" ") || "—"}</dd>
              <dt className="text-slate-500">Installed</dt>
              <dd>{component.installedAt ? dateFmt.format(component.installedAt) : "—"}</dd>
              <dt className="text-slate-500">Status</dt>
              <dd>{component.status}</dd>
            </dl>
          </Card>
          <Card className="p-4">
            <h2 className="mb-2 font-semibold">Bill of materials</h2>
            {component.bom.length === 0 ? <p className="text-sm text-slate-500">No spare parts listed.</p> : null}
            <ul className="space-y-1 text-sm">
              {component.bom.map((b) => (
                <li key={b.partNumber}>
                  <span className="font-mono text-xs font-semibold">{b.partNumber}</span> {b.name} × {b.quantity}
                </li>
              ))}
            </ul>
          </Card>
          {component.children.length ? (
            <Card className="p-4">
              <h2 className="mb-2 font-semibold">Parts of this component</h2>
              <ul className="space-y-1 text-sm">
                {component.children.map((c) => (
                  <li key={c.id}>
                    <Link href={componentPath(system.code, c.code)} className="inline-flex min-h-11 items-center text-brand-700 hover:underline">
                      <span className="font-mono text-xs font-semibold">{c.code}</span>&nbsp;{c.name}
                    </Link>
                  </li>
                ))}
              </ul>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}
