// The demo fleet (src/server/seed/demo-fleet.ts) as simulator system descriptions, with a water
// and climate profile per demo site (estimates: groundwater in Franconia and the Alps, boreholes in
// Lisbon, surface-influenced water in Nairobi).
import type { SimSystemSpec, SiteClimate } from "@/lib/sim";
import { DEMO_MODELS, DEMO_SITES, SECOND_ORG_SITES, type SiteSpec } from "@/server/seed/demo-fleet";

const SITE_CLIMATES: Record<string, Partial<SiteClimate>> = {
  NBG: { waterTempMeanC: 11, waterTempSeasonalAmpC: 3.5, waterTempPeakDoy: 240, waterTempDailyAmpC: 0.3, uvtMeanPct: 94, uvtSeasonalAmpPct: 1, rawTurbidityNtu: 0.3, rainEventsPerWeek: 1.5, wetSeasonPeakDoy: 190, sleeveFoulingPerWeek: 0.012, windowFoulingPerMonth: 0.01 },
  LIS: { waterTempMeanC: 17, waterTempSeasonalAmpC: 4, waterTempPeakDoy: 230, waterTempDailyAmpC: 0.5, uvtMeanPct: 91, uvtSeasonalAmpPct: 2, rawTurbidityNtu: 0.8, rainEventsPerWeek: 1.2, wetSeasonPeakDoy: 340, sleeveFoulingPerWeek: 0.008, windowFoulingPerMonth: 0.01 },
  NAI: { waterTempMeanC: 22, waterTempSeasonalAmpC: 1.5, waterTempPeakDoy: 50, waterTempDailyAmpC: 0.8, uvtMeanPct: 88, uvtSeasonalAmpPct: 3, rawTurbidityNtu: 2, rainEventsPerWeek: 2, wetSeasonPeakDoy: 110, sleeveFoulingPerWeek: 0.006, windowFoulingPerMonth: 0.015 },
  INN: { waterTempMeanC: 7, waterTempSeasonalAmpC: 3, waterTempPeakDoy: 230, waterTempDailyAmpC: 0.3, uvtMeanPct: 96, uvtSeasonalAmpPct: 1.5, rawTurbidityNtu: 0.2, rainEventsPerWeek: 2, wetSeasonPeakDoy: 170, sleeveFoulingPerWeek: 0.003, windowFoulingPerMonth: 0.005 },
};

/** Per-system water overrides: the Lisbon irrigation-reuse line treats greywater/rainwater. */
const SYSTEM_CLIMATES: Record<string, Partial<SiteClimate>> = {
  "LIS-04": { uvtMeanPct: 80, uvtSeasonalAmpPct: 3, rawTurbidityNtu: 3 },
};

/** Standard-time offset of a time zone at `at` [h] (the demand cycle follows local time). */
export function utcOffsetHours(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((local - Math.floor(at / 60_000) * 60_000) / 60_000) / 60;
}

/** Every demo system (both organisations) by code, in seed order. */
export function demoSystemSpecs(at: number = Date.now()): Map<string, SimSystemSpec> {
  const out = new Map<string, SimSystemSpec>();
  const sites: SiteSpec[] = [...DEMO_SITES, ...SECOND_ORG_SITES];
  for (const site of sites) {
    const climate = { ...SITE_CLIMATES[site.code], utcOffsetHours: utcOffsetHours(site.timeZone, at) };
    for (const sys of site.systems) {
      const model = DEMO_MODELS.find((m) => m.code === sys.model);
      if (!model) throw new Error(`demo system ${sys.code} uses unknown model ${sys.model}`);
      out.set(sys.code, {
        code: sys.code,
        status: sys.status ?? "operating",
        commissioned: sys.commissioned,
        model,
        site: { code: site.code, latitude: site.latitude, climate },
        climate: SYSTEM_CLIMATES[sys.code],
      });
    }
  }
  return out;
}
