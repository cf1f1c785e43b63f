import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { serverApi } from "@/server/api/server-caller";
import type { ComponentNode } from "@/server/fleet/get-system";
import { Card, PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";
import { SystemDashboard } from "@/components/telemetry/system-dashboard";
import { SilencedBadge } from "@/components/notifications/silenced-badge";
import { chunk, DASHBOARD_POINTS, MAX_SERIES_PER_REQUEST, RANGES, rangeSpan, type RangeKey } from "@/components/telemetry/ranges";

export async function generateMetadata({ params }: { params: Promise<{ code: string }> }) {
  return { title: decodeURIComponent((await params).code) };
}

const dateFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" });

function ComponentTree({ nodes, depth = 0 }: { nodes: ComponentNode[]; depth?: number }) {
  return (
    <ul className={depth ? "ml-4 border-l border-slate-200 pl-3" : ""}>
      {nodes.map((c) => (
        <li key={c.id} className="py-2" data-testid="component">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-sm font-semibold">{c.code}</span>
            <span className="text-sm text-slate-700">{c.name}</span>
            <span className="text-xs text-slate-500">{c.type.replace(/_/g, " ")}</span>
            {c.status !== "active" ? <StatusBadge status={c.status} /> : null}
          </div>
          {c.manufacturer || c.modelNumber ? (
            <p className="text-xs text-slate-500">
              {[c.manufacturer, c.modelNumber].filter(Boolean).join(" ")}
              {c.installedAt ? ` · installed ${dateFmt.format(c.installedAt)}` : ""}
            </p>
          ) : null}
          {c.bom.length ? (
            <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
              {c.bom.map((b) => (
                <li key={b.partNumber}>
                  <span className="font-mono">{b.partNumber}</span> {b.name} × {b.quantity} · €{b.unitCost.toFixed(2)} · {b.leadTimeDays} d lead time
                </li>
              ))}
            </ul>
          ) : null}
          {c.children.length ? <ComponentTree nodes={c.children} depth={depth + 1} /> : null}
        </li>
      ))}
    </ul>
  );
}

/** The first range's charts come with the page: they show at hydration, without a round trip. */
async function firstCharts(api: Awaited<ReturnType<typeof serverApi>>, systemCode: string, ids: number[], range: RangeKey) {
  const anchor = Date.now();
  const span = rangeSpan(range);
  const answers = await Promise.all(
    chunk(ids, MAX_SERIES_PER_REQUEST).map((seriesIds) =>
      api.telemetry.chart({ systemCode, seriesIds, from: new Date(anchor - span), to: new Date(anchor), points: DASHBOARD_POINTS }),
    ),
  );
  return { anchor, answers };
}

export default async function SystemPage({ params, searchParams }: { params: Promise<{ code: string }>; searchParams: Promise<{ range?: string }> }) {
  const code = decodeURIComponent((await params).code);
  const askedRange = (await searchParams).range;
  const initialRange = RANGES.find((r) => r.key === askedRange)?.key;
  const api = await serverApi();
  const [system, series] = await Promise.all([api.fleet.system({ code }), api.telemetry.series({ systemCode: code })]).catch((err: unknown) => {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const [initialCharts, silence] = await Promise.all([
    firstCharts(api, code, series.map((s) => s.id), initialRange ?? "1h"),
    api.notifications.windows.silence({ systemCode: code }).catch(() => null),
  ]);

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/fleet" className="text-brand-700 hover:underline">← Fleet</Link>
      </p>
      <PageHeader
        title={`${system.code} · ${system.name}`}
        subtitle={`${system.model.manufacturer} ${system.model.name} at ${system.site.name} (${system.site.timeZone})`}
        actions={<span className="flex flex-wrap items-center gap-2"><Link href={`/systems/${encodeURIComponent(system.code)}/twin`} className="rounded-lg bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">3D twin and what-if</Link>{silence?.until ? <SilencedBadge until={silence.until} reasons={silence.reasons} timeZone={system.site.timeZone} /> : null}<StatusBadge status={system.status} /></span>}
      />
      <SystemDashboard systemId={system.id} systemCode={system.code} timeZone={system.site.timeZone} initialSeries={series} initialRange={initialRange} initialCharts={initialCharts} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="p-4 lg:col-span-2">
          <h2 className="mb-2 font-semibold">Components and bill of materials</h2>
          <ComponentTree nodes={system.components} />
        </Card>
        <div className="space-y-6">
          <Card className="p-4">
            <h2 className="mb-2 font-semibold">Compliance basis</h2>
            <dl className="grid grid-cols-2 gap-y-1 text-sm">
              <dt className="text-slate-500">Required UV dose</dt>
              <dd className="tabular-nums">{system.requiredDoseMjCm2} mJ/cm²</dd>
              <dt className="text-slate-500">NSF/ANSI 55</dt>
              <dd>{system.nsfClass === "none" ? "—" : `Class ${system.nsfClass}`}</dd>
              <dt className="text-slate-500">Serial</dt>
              <dd>{system.serialNumber ?? "—"}</dd>
              <dt className="text-slate-500">Commissioned</dt>
              <dd>{system.commissionedAt ? dateFmt.format(system.commissionedAt) : "—"}</dd>
            </dl>
            {system.certifications.length ? <p className="mt-2 text-xs text-slate-500">{system.certifications.join(" · ")}</p> : null}
          </Card>
          <Card className="p-4">
            <h2 className="mb-2 font-semibold">Validated operating limits</h2>
            <table className="w-full text-sm">
              <tbody>
                {system.limits.map((l) => (
                  <tr key={l.metricKey} className="border-t border-slate-100">
                    <td className="py-1 font-mono text-xs">{l.metricKey}</td>
                    <td className="py-1 text-right tabular-nums">{l.min ?? "—"} … {l.max ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card className="p-4">
            <h2 className="mb-2 font-semibold">Devices</h2>
            <ul className="space-y-1 text-sm">
              {system.devices.map((d) => (
                <li key={d.id} className="flex items-center justify-between gap-2">
                  <span>
                    <span className="font-mono text-xs">{d.id}</span> <span className="text-slate-500">{d.name}</span>
                  </span>
                  <StatusBadge status={d.revokedAt ? "revoked" : "active"} />
                </li>
              ))}
              {system.devices.length === 0 ? <li className="text-slate-500">No devices registered.</li> : null}
            </ul>
          </Card>
        </div>
      </div>
    </>
  );
}
