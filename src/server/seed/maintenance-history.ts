/**
 * The demo's maintenance past: corrective work orders for failures drawn from Weibull lives per
 * component type (domain.md §2.5, shortened so a few years of history hold enough failures to fit),
 * closed with ISO 14224-style failure codes, downtime, labour and the BOM part used; quarterly
 * inspections; a few orders still open; a parts request waiting for a manager; and the preventive
 * schedules that keep it going. Deterministic for a given PRNG.
 */
import type { Db } from "@/server/db";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface SeededComponent {
  id: string;
  code: string;
  type: string;
  bom: { partId: string; quantity: number; unitCost: number }[];
}

export interface SeededSystem {
  id: string;
  code: string;
  siteId: string;
  commissionedAt: Date;
  components: SeededComponent[];
}

interface FailureModel {
  /** Weibull shape and scale (days of calendar time: the units run around the clock) */
  beta: number;
  etaDays: number;
  mode: string;
  cause: string;
  remedy: string;
  title: string;
  /** hours the unit (or the line) was down, min and max */
  downtimeH: [number, number];
}

// Calendar lives shortened from domain.md §2.5 so that a demo fleet of a few years shows failures.
const FAILURES: Record<string, FailureModel> = {
  pump: { beta: 1.4, etaDays: 520, mode: "ELP", cause: "WEA", remedy: "RPL", title: "Mechanical seal leaking", downtimeH: [3, 20] },
  motor: { beta: 1.3, etaDays: 800, mode: "VIB", cause: "FAT", remedy: "RPL", title: "Motor bearing noisy, vibration high", downtimeH: [4, 30] },
  lamp: { beta: 3.5, etaDays: 420, mode: "LAF", cause: "AGE", remedy: "RPL", title: "UV lamp out", downtimeH: [1, 6] },
  ballast: { beta: 1, etaDays: 1400, mode: "FTS", cause: "ELF", remedy: "RPL", title: "Ballast fails to start lamp", downtimeH: [2, 48] },
  filter: { beta: 2.5, etaDays: 160, mode: "PLU", cause: "CLO", remedy: "RPL", title: "Filter plugged, ΔP high", downtimeH: [1, 4] },
  uv_sensor: { beta: 1, etaDays: 700, mode: "DRF", cause: "CAL", remedy: "ADJ", title: "UV sensor drifting", downtimeH: [0.5, 2] },
};

const HOUR = 3_600_000;
const DAY = 86_400_000;

function weibull(rand: () => number, beta: number, eta: number): number {
  return eta * Math.pow(-Math.log(1 - rand()), 1 / beta);
}

export async function seedMaintenanceHistory(
  tx: Tx,
  opts: { organizationId: string; systems: SeededSystem[]; technicianId: string | null; managerId: string | null; rand: () => number; now?: Date },
): Promise<{ workOrders: number; schedules: number }> {
  const { organizationId, rand } = opts;
  const now = (opts.now ?? new Date()).getTime();
  const codes = new Map((await tx.failureCode.findMany({ select: { id: true, kind: true, code: true } })).map((c) => [`${c.kind}:${c.code}`, c.id]));
  const code = (kind: string, c: string) => codes.get(`${kind}:${c}`) ?? null;
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  let workOrders = 0;

  async function closedOrder(o: {
    system: SeededSystem;
    component: SeededComponent | null;
    type: "corrective" | "inspection" | "preventive";
    title: string;
    at: number;
    doneAt: number;
    labourMin: number;
    failure?: FailureModel;
    downtime?: [number, number];
    part?: SeededComponent["bom"][number];
    checklist?: string[];
  }) {
    const wo = await tx.workOrder.create({
      data: {
        organizationId,
        type: o.type,
        status: "done",
        priority: o.type === "corrective" ? "high" : "medium",
        title: o.title,
        systemId: o.system.id,
        componentId: o.component?.id ?? null,
        assigneeId: opts.technicianId,
        requestedById: o.type === "corrective" ? opts.technicianId : opts.managerId,
        dueAt: new Date(o.at + (o.type === "corrective" ? 1 : 7) * DAY),
        startedAt: new Date(o.at + HOUR),
        completedAt: new Date(o.doneAt),
        closedById: opts.technicianId,
        failureModeId: o.failure ? code("mode", o.failure.mode) : null,
        failureCauseId: o.failure ? code("cause", o.failure.cause) : null,
        remedyId: o.failure ? code("remedy", o.failure.remedy) : null,
        downtimeStart: o.downtime ? new Date(o.downtime[0]) : null,
        downtimeEnd: o.downtime ? new Date(o.downtime[1]) : null,
        checklist: o.checklist?.map((label) => ({ label, done: true })),
        createdAt: new Date(o.at),
      },
    });
    workOrders++;
    await tx.workOrderStatusChange.createMany({
      data: [
        { workOrderId: wo.id, fromStatus: null, toStatus: "open", userId: o.type === "corrective" ? opts.technicianId : opts.managerId, at: new Date(o.at) },
        { workOrderId: wo.id, fromStatus: "open", toStatus: "in_progress", userId: opts.technicianId, at: new Date(o.at + HOUR) },
        { workOrderId: wo.id, fromStatus: "in_progress", toStatus: "done", userId: opts.technicianId, at: new Date(o.doneAt) },
      ],
    });
    if (opts.technicianId) {
      await tx.labourEntry.create({ data: { workOrderId: wo.id, userId: opts.technicianId, minutes: o.labourMin, startedAt: new Date(o.at + HOUR), createdAt: new Date(o.doneAt) } });
      if (o.part) {
        await tx.partUsage.create({
          data: { workOrderId: wo.id, partId: o.part.partId, siteId: o.system.siteId, quantity: o.part.quantity, unitCost: o.part.unitCost, userId: opts.technicianId, createdAt: new Date(o.doneAt) },
        });
        await tx.stockMovement.create({
          data: { siteId: o.system.siteId, partId: o.part.partId, delta: -o.part.quantity, reason: "used", workOrderId: wo.id, userId: opts.technicianId, at: new Date(o.doneAt) },
        });
      }
    }
    return wo;
  }

  for (const system of opts.systems) {
    const start = system.commissionedAt.getTime();
    // failures of each component, one life after another since commissioning
    for (const component of system.components) {
      const model = FAILURES[component.type];
      if (!model) continue;
      let t = start;
      for (;;) {
        t += weibull(rand, model.beta, model.etaDays) * DAY;
        const down = between(model.downtimeH[0], model.downtimeH[1]) * HOUR;
        if (t + down + DAY > now) break;
        await closedOrder({
          system,
          component,
          type: "corrective",
          title: `${model.title} (${component.code})`,
          at: t + between(0.2, 2) * HOUR,
          doneAt: t + down,
          labourMin: Math.round(between(30, 240) / 15) * 15,
          failure: model,
          downtime: [t, t + down],
          part: model.remedy === "RPL" ? component.bom[0] : undefined,
        });
      }
    }
    // quarterly inspections since commissioning
    for (let t = start + 90 * DAY; t + 2 * DAY < now; t += 90 * DAY) {
      const at = t + between(-3, 3) * DAY;
      await closedOrder({
        system,
        component: null,
        type: "inspection",
        title: "Quarterly inspection",
        at,
        doneAt: at + between(1, 5) * DAY,
        labourMin: Math.round(between(45, 120) / 15) * 15,
        checklist: ["Clean quartz sleeves", "Check UV sensor against reference", "Check filter ΔP and seals", "Record lamp hours"],
      });
    }
  }

  // work in progress: what a technician finds on the phone this morning
  const first = opts.systems[0];
  if (first) {
    const pump = first.components.find((c) => c.type === "pump");
    await tx.workOrder.create({
      data: {
        organizationId,
        type: "corrective",
        status: "open",
        priority: "high",
        title: "Seal weeping at pump-1, check and replace if needed",
        description: "Drops under the pump seen on the last round. Stock: one seal kit at the site.",
        systemId: first.id,
        componentId: pump?.id ?? null,
        assigneeId: opts.technicianId,
        requestedById: opts.managerId,
        dueAt: new Date(now + 2 * DAY),
        checklist: [{ label: "Isolate and drain the pump", done: false }, { label: "Replace the seal kit", done: false }, { label: "Leak test at rated pressure", done: false }],
        statusHistory: { create: { fromStatus: null, toStatus: "open", userId: opts.managerId } },
      },
    });
    workOrders++;
  }
  const second = opts.systems[2] ?? opts.systems[1];
  if (second) {
    await tx.workOrder.create({
      data: {
        organizationId,
        type: "inspection",
        status: "requested",
        priority: "low",
        title: "Odd noise reported by the caretaker",
        systemId: second.id,
        requestedById: opts.technicianId,
        dueAt: new Date(now - DAY),
        statusHistory: { create: { fromStatus: null, toStatus: "requested", userId: opts.technicianId } },
      },
    });
    workOrders++;
    // a lamp ordered for the next replacement, waiting for a manager's approval
    const lamp = second.components.find((c) => c.type === "lamp") ?? opts.systems[0]?.components.find((c) => c.type === "lamp");
    const part = lamp?.bom[0];
    if (part) {
      await tx.partsRequest.create({
        data: { organizationId, siteId: second.siteId, partId: part.partId, quantity: 2, status: "requested", reason: "Lamps near end of life (lamp hours above 11,000)", requestedById: opts.technicianId },
      });
    }
  }

  // preventive schedules per system: calendar, meter and condition
  let schedules = 0;
  for (const system of opts.systems) {
    const filter = system.components.find((c) => c.type === "filter");
    // lamp hours are counted per lamp (lamp-N); lamp-1 stands for the set replaced together
    const lamp = system.components.find((c) => c.type === "lamp");
    const start = system.commissionedAt.getTime();
    const nextQuarter = start + Math.ceil((now - start) / (90 * DAY)) * 90 * DAY;
    await tx.maintenanceSchedule.create({
      data: {
        organizationId,
        systemId: system.id,
        name: "Quarterly inspection",
        kind: "time",
        workOrderType: "inspection",
        intervalDays: 90,
        leadTimeDays: 7,
        nextDueAt: new Date(nextQuarter),
        checklist: ["Clean quartz sleeves", "Check UV sensor against reference", "Check filter ΔP and seals", "Record lamp hours"],
      },
    });
    schedules++;
    if (lamp) {
      await tx.maintenanceSchedule.create({
        data: {
          organizationId,
          systemId: system.id,
          componentId: lamp.id,
          name: "Replace UV lamps (rated life 12,000 h)",
          kind: "meter",
          meterMetricKey: "lamp_hours",
          meterInterval: 12_000,
          leadTimeDays: 14,
          checklist: ["Replace lamps", "Clean sleeves", "Reset lamp-hour counter"],
        },
      });
      schedules++;
    }
    if (filter) {
      await tx.maintenanceSchedule.create({
        data: {
          organizationId,
          systemId: system.id,
          componentId: filter.id,
          name: "Change filter cartridges (ΔP above 1 bar for 30 min)",
          kind: "condition",
          conditionMetricKey: "filter_dp",
          conditionOp: ">",
          conditionThreshold: 1,
          conditionHoldMinutes: 30,
          priority: "high",
          checklist: ["Replace cartridges", "Check housing O-rings"],
        },
      });
      schedules++;
    }
  }
  return { workOrders, schedules };
}
