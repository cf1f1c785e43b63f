import type { Db } from "@/server/db";
import { orgFilter, type Scope } from "@/server/scope";

export interface SystemSummary {
  id: string;
  code: string;
  name: string;
  status: string;
  model: string;
  modelName: string;
  ratedFlowM3h: number;
  site: string;
  siteCode: string;
  components: number;
  devices: number;
  commissionedAt: Date | null;
}

export interface SiteSummary {
  id: string;
  code: string;
  name: string;
  timeZone: string;
  latitude: number | null;
  longitude: number | null;
  country: string | null;
  systems: SystemSummary[];
}

const systemSelect = {
  id: true,
  code: true,
  name: true,
  status: true,
  commissionedAt: true,
  model: { select: { code: true, name: true, ratedFlowM3h: true } },
  site: { select: { code: true, name: true } },
  _count: { select: { components: true, devices: { where: { revokedAt: null } } } },
} as const;

type SystemRow = {
  id: string;
  code: string;
  name: string;
  status: string;
  commissionedAt: Date | null;
  model: { code: string; name: string; ratedFlowM3h: number };
  site: { code: string; name: string };
  _count: { components: number; devices: number };
};

function toSummary(s: SystemRow): SystemSummary {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    status: s.status,
    model: s.model.code,
    modelName: s.model.name,
    ratedFlowM3h: s.model.ratedFlowM3h,
    site: s.site.name,
    siteCode: s.site.code,
    components: s._count.components,
    devices: s._count.devices,
    commissionedAt: s.commissionedAt,
  };
}

/** Systems visible in the scope, ordered by code. */
export async function listSystems(db: Db, scope: Scope): Promise<SystemSummary[]> {
  const rows = await db.treatmentSystem.findMany({ where: orgFilter(scope), select: systemSelect, orderBy: { code: "asc" } });
  return rows.map(toSummary);
}

/** Sites with their systems: the fleet page. */
export async function listFleet(db: Db, scope: Scope): Promise<SiteSummary[]> {
  const sites = await db.site.findMany({
    where: orgFilter(scope),
    orderBy: { name: "asc" },
    select: {
      id: true,
      code: true,
      name: true,
      timeZone: true,
      latitude: true,
      longitude: true,
      country: true,
      systems: { select: systemSelect, orderBy: { code: "asc" } },
    },
  });
  return sites.map((site) => ({ ...site, systems: site.systems.map(toSummary) }));
}
