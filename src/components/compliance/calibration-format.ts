// Display of instrument calibration: states and check results in words and colours, deviations and
// readings, the live verdict of a check being typed, and the "Taken at" field in the site's zone.
// Pure: the card and its unit test share it.
import type { CalibrationInstrument, CalibrationResult } from "@/generated/prisma/enums";
import type { CalibrationCheckView, RecordCalibrationResult } from "@/server/compliance/calibration-checks";
import { checkInputProblem, judgeCheck, MAX_REFERENCE_READINGS, type CheckOutcome, type InstrumentState } from "@/server/compliance/calibration-rules";
import { instantOfWallTime } from "@/lib/zone-offset";

export const INSTRUMENT_LABELS: Record<CalibrationInstrument, string> = {
  uv_sensor: "UV sensor",
  uvt_analyser: "UVT analyser",
};

const RED = "bg-red-50 text-red-700 ring-red-600/20";
const AMBER = "bg-amber-50 text-amber-800 ring-amber-600/20";
const GREEN = "bg-emerald-50 text-emerald-700 ring-emerald-600/20";
const GREY = "bg-slate-100 text-slate-700 ring-slate-500/20";

/** The badge of an instrument's state: red when water is (or may soon be) at stake, amber to act on soon. */
export const STATE_LOOK: Record<InstrumentState, { label: string; className: string }> = {
  never_checked: { label: "Never checked", className: GREY },
  ok: { label: "In calibration", className: GREEN },
  drift: { label: "Drifting", className: AMBER },
  due_soon: { label: "Due soon", className: AMBER },
  overdue: { label: "Overdue", className: RED },
  failed: { label: "Out of calibration", className: RED },
};

/** One check's result: a short label for lists, and what it means for a sentence. */
export const RESULT_LOOK: Record<CalibrationResult, { label: string; meaning: string; className: string }> = {
  pass: { label: "Passed", meaning: "in calibration", className: GREEN },
  drift: { label: "Drift", meaning: "drifting, still in calibration", className: AMBER },
  fail: { label: "Failed", meaning: "out of calibration", className: RED },
};

const UNIT: Record<CalibrationInstrument, string> = { uv_sensor: "W/m²", uvt_analyser: "%" };

/** The labels of the form's reading inputs for an instrument. */
export function readingLabels(instrument: CalibrationInstrument): { instrument: string; references: string[] } {
  return instrument === "uv_sensor"
    ? { instrument: "Duty sensor (W/m²)", references: Array.from({ length: MAX_REFERENCE_READINGS }, (_, i) => `Reference ${i + 1} (W/m²)`) }
    : { instrument: "Online UVT (%)", references: ["Lab UVT (%)"] };
}

const oneDecimal = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const reading = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2, useGrouping: false });

/**
 * "+12.3 %" for a UV sensor (its deviation is a share of the reference), "+2.4 % UVT" for a UVT
 * analyser (a difference in % UVT). A true minus sign; no sign when it rounds to zero.
 */
export function formatDeviation(instrument: CalibrationInstrument, deviation: number): string {
  const pct = instrument === "uv_sensor" ? deviation * 100 : deviation;
  const shown = oneDecimal.format(Math.abs(pct));
  const sign = shown === "0.0" ? "" : pct > 0 ? "+" : "−";
  return `${sign}${shown} %${instrument === "uvt_analyser" ? " UVT" : ""}`;
}

/** A reading as typed: up to two decimals, no trailing zeros ("40", "39.75"). */
export function formatReading(value: number): string {
  return reading.format(value);
}

/** The readings of a check in words: "Duty 30 W/m² · reference 40 W/m²" (the mean when there are several). */
export function readingsText(check: Pick<CalibrationCheckView, "instrument" | "instrumentReading" | "referenceReadings" | "reference">): string {
  const u = UNIT[check.instrument];
  if (check.instrument === "uvt_analyser") return `Online ${formatReading(check.instrumentReading)} % · lab ${formatReading(check.reference)} %`;
  const refs = check.referenceReadings;
  const reference =
    refs.length === 1 ? `reference ${formatReading(refs[0]!)} ${u}` : `references ${refs.map(formatReading).join(", ")} ${u} (mean ${formatReading(check.reference)})`;
  return `Duty ${formatReading(check.instrumentReading)} ${u} · ${reference}`;
}

/**
 * A number typed on a phone: a decimal comma is read as a point (German keyboards). null when the
 * field is empty, NaN when it is not a number.
 */
export function parseReading(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (t === "") return null;
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : Number.NaN;
}

export type CheckPreview =
  | { kind: "empty"; text: string }
  | { kind: "problem"; text: string }
  | { kind: "verdict"; outcome: CheckOutcome; text: string };

/** What the check being typed would be judged, before it is sent (the same rules as the server's). */
export function previewCheck(instrument: CalibrationInstrument, instrumentText: string, referenceTexts: readonly string[]): CheckPreview {
  const instrumentReading = parseReading(instrumentText);
  const referenceReadings = referenceTexts.map(parseReading).filter((v): v is number => v !== null);
  if (instrumentReading === null || referenceReadings.length === 0) {
    return { kind: "empty", text: "Enter the readings to see the verdict before you record it." };
  }
  const input = { instrument, instrumentReading, referenceReadings };
  const problem = checkInputProblem(input);
  if (problem) return { kind: "problem", text: `Cannot be judged: ${problem}.` };
  const outcome = judgeCheck(input);
  const look = RESULT_LOOK[outcome.result];
  const against = instrument === "uv_sensor" ? `the reference${referenceReadings.length > 1 ? " mean" : ""} (${formatReading(outcome.reference)} W/m²)` : `the lab (${formatReading(outcome.reference)} %)`;
  return { kind: "verdict", outcome, text: `${capitalise(look.meaning)}: ${formatDeviation(instrument, outcome.deviation)} against ${against}.` };
}

/** The confirmation after a check was recorded. */
export function recordedMessage(
  result: Pick<RecordCalibrationResult, "recomputedDays"> & Partial<Pick<RecordCalibrationResult, "notedOnWorkOrders">> & { check: Pick<CalibrationCheckView, "instrument" | "deviation" | "result"> },
): string {
  const { check, recomputedDays } = result;
  const n = recomputedDays.length;
  const days = n === 0 ? "" : ` ${n} day${n === 1 ? "" : "s"} recomputed.`;
  const orders = result.notedOnWorkOrders ?? [];
  const noted = orders.length === 0 ? "" : ` Noted on ${orders.map((o) => `WO-${o}`).join(", ")}; close ${orders.length === 1 ? "it" : "them"} when the visit is done.`;
  return `Check recorded: ${RESULT_LOOK[check.result].meaning} (${formatDeviation(check.instrument, check.deviation)}).${days}${noted}`;
}

/**
 * The instant of a `<input type="datetime-local">` value ("2026-11-27T14:05") read as the wall clock
 * of the site's zone, not the browser's: the card shows every time in the site's zone. null when
 * empty or not a real date-time.
 */
export function siteInputToDate(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
  const check = new Date(wall);
  // Date.UTC rolls 31 Feb over into March: refuse instead
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1 || h > 23 || mi > 59) return null;
  return new Date(instantOfWallTime(wall, timeZone));
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The fleet's view of a system's instruments: one short label and its colour; null without instruments. */
export function calibrationSummaryLook(c: { instruments: number; failed: number; due: number }): { label: string; className: string } | null {
  if (c.instruments === 0) return null;
  if (c.failed > 0) return { label: c.failed === 1 ? "1 out of calibration" : `${c.failed} out of calibration`, className: RED };
  if (c.due > 0) return { label: c.due === 1 ? "1 check due" : `${c.due} checks due`, className: AMBER };
  return { label: "In calibration", className: GREEN };
}
