import Link from "next/link";
import { serverApi } from "@/server/api/server-caller";
import { Card, PageHeader, Stat } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";
import { FleetHealthProvider, FleetLiveStatus, HealthDot } from "@/components/fleet/fleet-health";
import { SiteMap } from "@/components/fleet/site-map";

export const metadata = { title: "Fleet" };

export default async function FleetPage() {
  const api = await serverApi();
  const [sites, health] = await Promise.all([api.fleet.overview(), api.telemetry.fleetHealth()]);
  const systems = sites.flatMap((s) => s.systems);
  const operating = systems.filter((s) => s.status === "operating").length;
  const capacity = systems.reduce((sum, s) => sum + s.ratedFlowM3h, 0);

  return (
    <FleetHealthProvider initial={health}>
      <PageHeader title="Fleet" subtitle="Every site and treatment system of your organisation." actions={<FleetLiveStatus />} />
      <div className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Sites" value={sites.length} />
        <Stat label="Systems" value={systems.length} />
        <Stat label="Operating" value={`${operating}/${systems.length}`} />
        <Stat label="Rated capacity" value={`${capacity.toFixed(0)} m³/h`} />
      </div>
      {sites.length > 0 ? (
        <Card className="mb-6 p-4">
          <h2 className="mb-3 font-semibold">Sites</h2>
          <SiteMap
            sites={sites.map((s) => ({ id: s.id, code: s.code, name: s.name, latitude: s.latitude, longitude: s.longitude, systems: s.systems.map((sys) => ({ id: sys.id, code: sys.code })) }))}
          />
        </Card>
      ) : null}
      {sites.length === 0 ? (
        <Card className="p-6 text-slate-600">No sites yet. An admin can load the demo fleet with <code>npx ecomate db seed</code>.</Card>
      ) : null}
      <div className="space-y-6">
        {sites.map((site) => (
          <div key={site.id} id={`site-${site.code}`} className="scroll-mt-20">
            <Card className="overflow-hidden">
              <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-100 px-4 py-3">
                <h2 className="text-lg font-semibold" data-testid="site-name">{site.name}</h2>
                <p className="text-xs text-slate-500">
                  {site.code} · {site.timeZone}
                  {site.country ? ` · ${site.country}` : ""}
                </p>
              </div>
              <ul className="divide-y divide-slate-100" aria-label={`Systems at ${site.name}`}>
                {site.systems.map((sys) => (
                  <li key={sys.id}>
                    <Link
                      href={`/systems/${encodeURIComponent(sys.code)}`}
                      className="grid grid-cols-[1fr_auto] items-center gap-x-4 gap-y-1 px-4 py-3 hover:bg-slate-50 sm:grid-cols-[8rem_1fr_12rem_6rem_7rem]"
                      data-testid="system-row"
                    >
                      <span className="flex items-center gap-2">
                        <HealthDot systemId={sys.id} code={sys.code} />
                        <span className="font-mono text-sm font-semibold text-brand-700">{sys.code}</span>
                      </span>
                      <span className="order-3 col-span-2 text-sm text-slate-700 sm:order-none sm:col-span-1">{sys.name}</span>
                      <span className="hidden text-sm text-slate-500 sm:block">{sys.modelName}</span>
                      <span className="hidden text-sm tabular-nums text-slate-500 sm:block">{sys.ratedFlowM3h} m³/h</span>
                      <span className="justify-self-end">
                        <StatusBadge status={sys.status} />
                      </span>
                    </Link>
                  </li>
                ))}
              </ul>
            </Card>
          </div>
        ))}
      </div>
    </FleetHealthProvider>
  );
}
