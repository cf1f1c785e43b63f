/**
 * The demo's calibration past: monthly checks of each duty UV sensor against three reference
 * readings and weekly checks of each online UVT analyser against the lab (domain.md §1.3, §5.1),
 * for up to a year back, every one passing or drifting (a sensor that failed would make today's water
 * off-spec), with one drift recalibrated; and the schedules that keep the checks coming. Its own PRNG
 * per system, so the rest of the seed draws the same numbers as before.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { CalibrationInstrument } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { CHECK_INTERVAL_DAYS, judgeCheck } from "@/server/compliance/calibration-rules";
import { mulberry32 } from "@/lib/random";
import type { SeededSystem } from "./maintenance-history";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const DAY = 86_400_000;

const seedOf = (code: string) => [...code].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 0x5eed);

export async function seedCalibrationHistory(
  tx: Tx,
  opts: { organizationId: string; systems: SeededSystem[]; technicianId: string | null; now?: number },
): Promise<{ calibrationChecks: number; calibrationSchedules: number }> {
  const now = opts.now ?? Date.now();
  let checks = 0;
  let schedules = 0;
  if (!opts.technicianId) return { calibrationChecks: 0, calibrationSchedules: 0 };
  const userId = opts.technicianId;
  for (const system of opts.systems) {
    const rand = mulberry32(seedOf(system.code));
    const from = Math.max(system.commissionedAt.getTime(), now - 365 * DAY);
    for (const c of system.components) {
      const instrument: CalibrationInstrument | null = c.type === "uv_sensor" ? "uv_sensor" : c.code.startsWith("uvt-") ? "uvt_analyser" : null;
      if (!instrument) continue;
      const interval = CHECK_INTERVAL_DAYS[instrument];
      // the last check a few days to most of an interval ago, then back in steps of the interval
      let t = now - (instrument === "uv_sensor" ? 5 + rand() * 20 : 1 + rand() * 5) * DAY;
      const rows: Prisma.CalibrationCheckCreateManyInput[] = [];
      for (let k = 0; t >= from; k++, t -= interval * DAY + (rand() - 0.5) * DAY) {
        let instrumentReading: number;
        let referenceReadings: number[];
        if (instrument === "uv_sensor") {
          const ref = 60 + rand() * 30;
          referenceReadings = [0, 1, 2].map(() => Math.round((ref * (1 + (rand() - 0.5) * 0.03)) * 10) / 10);
          // within ±6 %, except one drift of 14 % low two checks before the last (recalibrated at the next)
          const off = k === 2 && system.code.endsWith("3") ? -0.14 : (rand() - 0.5) * 0.12;
          instrumentReading = Math.round(ref * (1 + off) * 10) / 10;
        } else {
          const lab = 86 + rand() * 8;
          referenceReadings = [Math.round(lab * 10) / 10];
          instrumentReading = Math.round((lab + (rand() - 0.5) * 2.6) * 10) / 10;
        }
        const outcome = judgeCheck({ instrument, instrumentReading, referenceReadings });
        rows.push({
          systemId: system.id,
          componentId: c.id,
          instrument,
          // on a working day's visit: 07:00–15:00 UTC
          checkedAt: new Date(Math.floor(t / DAY) * DAY + Math.round((7 + rand() * 8) * 60) * 60_000),
          instrumentReading,
          referenceReadings,
          deviation: outcome.deviation,
          result: outcome.result,
          note: outcome.result === "drift" ? "Duty sensor reads low; window cleaned and sensor recalibrated at the next visit" : null,
          userId,
        });
      }
      if (rows.length > 0) {
        await tx.calibrationCheck.createMany({ data: rows });
        checks += rows.length;
      }
      await tx.maintenanceSchedule.create({
        data: {
          organizationId: opts.organizationId,
          systemId: system.id,
          componentId: c.id,
          name: instrument === "uv_sensor" ? "UV sensor check against the reference sensor" : "UVT analyser check against the lab",
          kind: "time",
          workOrderType: "inspection",
          intervalDays: interval,
          leadTimeDays: instrument === "uv_sensor" ? 3 : 1,
          // the next check one interval after the last (the first row: the loop walks back in time)
          nextDueAt: new Date(((rows[0]?.checkedAt as Date | undefined)?.getTime() ?? now) + interval * DAY),
          checklist:
            instrument === "uv_sensor"
              ? ["Lamps on for at least 15 min", "Read the duty sensor and three reference readings at the same moment", "Record the check on the compliance page"]
              : ["Take a grab sample at the analyser", "Measure UVT on the lab spectrophotometer", "Record the check on the compliance page"],
        },
      });
      schedules++;
    }
  }
  return { calibrationChecks: checks, calibrationSchedules: schedules };
}
