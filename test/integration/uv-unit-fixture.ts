// A UV unit for the compliance and calibration tests: the instruments UV compliance rests on and the
// validated limits of an AQ-UV10-like reactor, in a test organisation's site (Europe/Berlin).
import type { Db } from "../../src/server/db";
import { uid, type TestOrg } from "./helpers";

export interface UvUnit {
  id: string;
  code: string;
  /** component ids by code */
  components: Record<string, string>;
}

/**
 * Flow meter ft-1, UV sensor uvsensor-1, one low-pressure lamp lamp-1 (τ_w 0.75 min), thermometer tt-1
 * and, with `uvtAnalyser`, an online UVT analyser uvt-1; validated flow 1.5–12 m³/h, UVT ≥ 85 %, UV
 * intensity setpoint 48 W/m², required dose 40 mJ/cm². Registered now unless `registeredAt` says otherwise.
 */
export async function makeUvUnit(db: Db, org: TestOrg, commissionedAt: Date, opts: { uvtAnalyser?: boolean; registeredAt?: Date } = {}): Promise<UvUnit> {
  const first = await db.treatmentSystem.findUniqueOrThrow({ where: { code: org.systemCodes[0]! } });
  const code = `UV${uid()}`.toUpperCase();
  const sys = await db.treatmentSystem.create({
    data: {
      organizationId: org.organizationId,
      siteId: org.siteId,
      modelId: first.modelId,
      code,
      name: `UV unit ${code}`,
      requiredDoseMjCm2: 40,
      nsfClass: "A",
      commissionedAt,
      ...(opts.registeredAt ? { createdAt: opts.registeredAt } : {}),
    },
  });
  const components: Record<string, string> = {};
  for (const c of [
    { code: "ft-1", type: "sensor" as const, name: "Flow meter" },
    { code: "uvsensor-1", type: "uv_sensor" as const, name: "UV sensor" },
    { code: "lamp-1", type: "lamp" as const, name: "UV lamp", modelNumber: "UVL-80-LP" },
    { code: "tt-1", type: "sensor" as const, name: "Thermometer" },
    ...(opts.uvtAnalyser ? [{ code: "uvt-1", type: "sensor" as const, name: "Online UVT analyser" }] : []),
  ]) {
    components[c.code] = (await db.component.create({ data: { systemId: sys.id, ...c } })).id;
  }
  await db.operatingLimit.createMany({
    data: [
      { systemId: sys.id, metricKey: "flow_rate", min: 1.5, max: 12, source: "validation report" },
      { systemId: sys.id, metricKey: "uvt", min: 85, source: "validation report" },
      { systemId: sys.id, metricKey: "uv_intensity", min: 48, source: "validation report (sensor setpoint)" },
    ],
  });
  return { id: sys.id, code, components };
}
