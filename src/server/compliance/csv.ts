/**
 * The monthly UV operating log as CSV, `GET /api/compliance/{systemCode}/{YYYY-MM}.csv`: header rows
 * with the validated conditions and the month's totals (the header of the Ohio monthly operating
 * log, domain.md §5.1), a blank row, the month's calibration checks of the monitoring instruments
 * (when there are any, then a blank row), then one row per day with the log's columns we measure.
 * Web-standard Request/Response only, so the Next.js route handler stays one line and tests call it
 * with the user they sign in as.
 */
import { stringify } from "csv-stringify/sync";
import type { SessionUser } from "@/server/auth/verify-credentials";
import type { Db } from "@/server/db";
import { AppError, httpStatusOf } from "@/server/errors";
import { getComplianceMonth, type ComplianceMonth } from "./month-report";

/** Columns of the day table, in order. */
export const DAY_COLUMNS = [
  "date",
  "status",
  "run_time_h",
  "water_treated_m3",
  "min_validated_dose_mj_cm2",
  "p5_validated_dose_mj_cm2",
  "max_flow_m3h",
  "min_uvt_pct",
  "min_uv_intensity_w_m2",
  "off_spec_volume_m3",
  "off_spec_events",
  "off_spec_minutes",
  "data_completeness_pct",
] as const;

/** Columns of the calibration-check table (before the day table, when the month has checks). */
export const CALIBRATION_COLUMNS = ["checked_at", "instrument", "component", "reading", "reference", "deviation", "result", "checked_by"] as const;

const fixed = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? "" : v.toFixed(digits));

/** The report as CSV text (header rows, a blank row, the day table). */
export function complianceMonthCsv(report: ComplianceMonth): string {
  const h = report.header;
  const t = report.totals;
  const header: string[][] = [
    ["report", "Monthly UV operating log (LT2ESWTR: off-spec volume < 5 % of the month's delivered volume)"],
    ["system", h.system.code],
    ["system_name", h.system.name],
    ["site", `${h.system.site.code} ${h.system.site.name}`],
    ["time_zone", h.system.site.timeZone],
    ["month", report.month],
    ["max_validated_flow_m3h", fixed(h.maxValidatedFlowM3h, 2)],
    ["min_validated_uvt_pct", fixed(h.minValidatedUvtPct, 1)],
    ["uv_intensity_setpoint_w_m2", fixed(h.sensorSetpointWm2, 1)],
    ["target_organism", h.targetOrganism],
    ["target_log_inactivation", fixed(h.logCreditTarget, 2)],
    ["required_dose_mj_cm2", fixed(h.requiredDoseMjCm2, 1)],
    ["validation_factor", String(h.validationFactor)],
    ["dose_approach", h.doseApproach === "calculated" ? "calculated dose (online UVT) and sensor setpoint" : "UV-intensity setpoint (no online UVT)"],
    ["nsf_class", h.nsfClass],
    ["certifications", h.certifications.join("; ")],
    ["delivered_m3", fixed(t.deliveredM3, 3)],
    ["off_spec_m3", fixed(t.offSpecM3, 3)],
    ["off_spec_pct", fixed(t.offSpecPct, 2)],
    ["verdict", t.verdict],
    ["days_missing_or_incomplete", String(t.days.missing + t.days.incomplete)],
  ];
  const rows = report.days.map((d) => [
    d.day,
    d.status,
    fixed(d.runHours, 2),
    fixed(d.volumeM3, 3),
    fixed(d.minDoseMjCm2, 1),
    fixed(d.p5DoseMjCm2, 1),
    fixed(d.maxFlowM3h, 2),
    fixed(d.minUvtPct, 1),
    fixed(d.minIntensityWm2, 1),
    fixed(d.offSpecVolumeM3, 3),
    d.offSpecEvents === null ? "" : String(d.offSpecEvents),
    fixed(d.offSpecMinutes, 0),
    fixed(d.dataCompleteness === null ? null : d.dataCompleteness * 100, 1),
  ]);
  // the month's calibration checks: UV sensor readings in W/m² and deviation in %, analysers in % UVT
  const checks = report.calibrationChecks.map((c) => [
    c.checkedAt.toISOString(),
    c.instrument,
    c.componentCode,
    fixed(c.instrumentReading, 2),
    fixed(c.reference, 2),
    c.instrument === "uv_sensor" ? `${fixed(c.deviation * 100, 2)} %` : `${fixed(c.deviation, 2)} % UVT`,
    c.result,
    c.by,
  ]);
  const calibration = checks.length > 0 ? [[...CALIBRATION_COLUMNS], ...checks, []] : [];
  return stringify([...header, [], ...calibration, [...DAY_COLUMNS], ...rows]);
}

const FILE = /^(\d{4}-\d{2})\.csv$/;

const problem = (status: number, message: string) =>
  new Response(JSON.stringify({ error: message }), { status, headers: { "content-type": "application/json" } });

/** The CSV for a signed-in user of the system's organisation; 404 for anyone else (nothing to learn). */
export async function handleComplianceCsv(ctx: { db: Db; user: SessionUser | null; systemCode: string; file: string; now?: Date }): Promise<Response> {
  if (!ctx.user) return problem(404, `System "${ctx.systemCode}" was not found.`);
  const m = FILE.exec(ctx.file);
  if (!m) return problem(400, `The file must be named after the month as YYYY-MM.csv (e.g. 2026-03.csv); got "${ctx.file.slice(0, 40)}".`);
  const month = m[1]!;
  try {
    const report = await getComplianceMonth(ctx.db, { organizationId: ctx.user.organizationId }, { systemCode: ctx.systemCode, month }, ctx.now ?? new Date());
    const name = `${report.header.system.code}-${month}-uv-operating-log.csv`;
    return new Response(complianceMonthCsv(report), {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return problem(httpStatusOf[err.code], err.message);
    throw err;
  }
}
