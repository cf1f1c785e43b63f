// What an AQ-UV10's instruments report when the unit is in a known twin state: the readings the
// twin and control tests store through the product's telemetry store, so the live levers can be
// checked against the state they came from.
import { solveOperatingPoint, type UnitParams } from "../../src/lib/physics";
import { toPhysicsLevers, type TwinLevers } from "../../src/lib/twin/levers";
import type { Db } from "../../src/server/db";
import { DEMO_MODELS } from "../../src/server/seed/demo-fleet";
import type { StoreReading } from "../../src/server/telemetry/store";

/** The seed's AQ-UV10 model spec. */
export const AQ = DEMO_MODELS.find((m) => m.code === "AQ-UV10")!;

/**
 * Makes a makeOrg system an AQ-UV10 of the seed: the model's twin parameters, its components and its
 * validated limits (`systemData` adds to the system's own row, e.g. its twin parameters).
 */
export async function makeAqUv10(db: Db, systemCode: string, systemData: Parameters<Db["treatmentSystem"]["update"]>[0]["data"] = {}): Promise<{ id: string; organizationId: string; components: Map<string, string> }> {
  const system = await db.treatmentSystem.findUniqueOrThrow({ where: { code: systemCode }, include: { components: true } });
  await db.systemModel.update({ where: { id: system.modelId }, data: { twinParameters: AQ.twin } });
  if (Object.keys(systemData).length > 0) await db.treatmentSystem.update({ where: { id: system.id }, data: systemData });
  const ids = new Map(system.components.map((c) => [c.code, c.id]));
  for (const c of AQ.components) {
    if (ids.has(c.code)) continue;
    const row = await db.component.create({
      data: { systemId: system.id, parentId: c.parent ? ids.get(c.parent) : null, code: c.code, type: c.type, name: c.name, modelNumber: c.modelNumber ?? null, attributes: c.attributes },
    });
    ids.set(c.code, row.id);
  }
  await db.operatingLimit.createMany({ data: AQ.limits.map((l) => ({ systemId: system.id, metricKey: l.metricKey, min: l.min ?? null, max: l.max ?? null, source: l.source })) });
  return { id: system.id, organizationId: system.organizationId, components: ids };
}

export async function instrumentReadings(db: Db, params: UnitParams, state: TwinLevers, componentId: (code: string) => string, ts = Date.now() - 60_000): Promise<StoreReading[]> {
  const out = solveOperatingPoint(params, toPhysicsLevers(state));
  const metric = async (key: string) => (await db.metric.findUniqueOrThrow({ where: { key } })).id;
  return [
    { metricId: await metric("pump_speed"), componentId: componentId("pump-1"), ts, value: state.speed * 100 },
    { metricId: await metric("flow_rate"), componentId: componentId("ft-1"), ts, value: out.flowM3h },
    { metricId: await metric("pump_pressure"), componentId: componentId("pt-1"), ts, value: out.dischargePressureBar },
    { metricId: await metric("filter_dp"), componentId: componentId("filter-1"), ts, value: out.filters[0]!.dpBar },
    { metricId: await metric("filter_dp"), componentId: componentId("filter-2"), ts, value: out.filters[1]!.dpBar },
    { metricId: await metric("water_temperature"), componentId: componentId("tt-1"), ts, value: state.waterTempC },
    // the AQ-UV10 has no UVT analyser: a lab value entered at system level
    { metricId: await metric("uvt"), componentId: null, ts, value: state.uvtPct },
    { metricId: await metric("uv_intensity"), componentId: componentId("uvsensor-1"), ts, value: out.uv.sensorIntensityWm2 },
    { metricId: await metric("lamp_on"), componentId: componentId("lamp-1"), ts, value: 1 },
    { metricId: await metric("lamp_hours"), componentId: componentId("lamp-1"), ts, value: state.lampHours },
  ];
}
