/**
 * Field calibration checks of the instruments UV compliance rests on (domain.md §1.3, §4.3, §5.1,
 * §5.2). Pure: the procedures, the compliance computation and the page share these rules.
 *
 * - UV sensor: the duty sensor against the mean of one to three reference sensor readings taken at
 *   the same place and moment (UVDGM practice; three references improve accuracy [S42]). Deviation =
 *   duty / reference − 1. Within ±10 %: pass; 10–20 %: drift (the sensor-health warning band of
 *   §4.3: still in calibration, recalibrate it); beyond ±20 %: fail (the alarm band).
 * - UVT analyser: the online reading against a lab spectrophotometer on a grab sample. Deviation =
 *   online − lab in % UVT; the difference must be under 2 % UVT (Ohio's weekly log [S14]), else fail.
 *
 * A failed check puts the instrument out of calibration from the check until the next check of the
 * same instrument that does not fail; water delivered meanwhile is off-spec ("sensor failed or out of
 * calibration", §5.2). Only forward: when the sensor began to drift before the check is unknown,
 * and the records of days already reported are not rewritten on a guess. An overdue check is shown
 * and warned about, but does not by itself make water off-spec: the state's protocol sets the
 * consequence of a late check, not EcoMate.
 */
import type { CalibrationInstrument, CalibrationResult } from "@/generated/prisma/enums";

/** Beyond this share the duty UV sensor is out of calibration (domain.md §4.3, sensor health alarm). */
export const UV_SENSOR_FAIL_FRACTION = 0.2;
/** Beyond this share it has drifted: a warning, still in calibration (§4.3, sensor health warning). */
export const UV_SENSOR_DRIFT_FRACTION = 0.1;
/** The online UVT may differ from the lab by less than this [% UVT] (§5.1, [S14]). */
export const UVT_ANALYSER_MAX_DIFF_PCT = 2;

/** Days between checks: the duty UV sensor monthly (UVDGM), the UVT analyser weekly (§5.1). */
export const CHECK_INTERVAL_DAYS: Record<CalibrationInstrument, number> = { uv_sensor: 30, uvt_analyser: 7 };
/** A check falls due this many days before its date. */
export const DUE_SOON_DAYS = 3;

export const MAX_REFERENCE_READINGS = 3;

export interface CheckInput {
  instrument: CalibrationInstrument;
  /** duty sensor [W/m²] or online UVT [%] */
  instrumentReading: number;
  /** reference sensors [W/m²] (1–3) or the lab UVT [%] (one) */
  referenceReadings: readonly number[];
}

export interface CheckOutcome {
  /** the mean of the reference readings */
  reference: number;
  deviation: number;
  result: CalibrationResult;
}

/** What is wrong with a check's readings, in words; null when it can be judged. */
export function checkInputProblem(input: CheckInput): string | null {
  const refs = input.referenceReadings;
  if (!Number.isFinite(input.instrumentReading)) return "the instrument reading must be a number";
  if (refs.length === 0) return input.instrument === "uv_sensor" ? "enter at least one reference sensor reading" : "enter the lab UVT";
  if (input.instrument === "uvt_analyser" && refs.length > 1) return "a UVT analyser check has one lab UVT";
  if (refs.length > MAX_REFERENCE_READINGS) return `at most ${MAX_REFERENCE_READINGS} reference readings`;
  if (refs.some((r) => !Number.isFinite(r))) return "every reference reading must be a number";
  if (input.instrument === "uv_sensor") {
    if (input.instrumentReading < 0) return `the duty sensor reading must not be negative (got ${input.instrumentReading} W/m²)`;
    const bad = refs.find((r) => !(r > 0));
    if (bad !== undefined) return `a reference sensor reading must be above 0 W/m² (got ${bad}); take it with the lamps on`;
  } else {
    for (const [what, v] of [["online UVT", input.instrumentReading], ["lab UVT", refs[0]!]] as const) {
      if (!(v > 0 && v <= 100)) return `the ${what} must be above 0 and at most 100 % (got ${v} %)`;
    }
  }
  return null;
}

/** The check's deviation and result; call checkInputProblem first. */
export function judgeCheck(input: CheckInput): CheckOutcome {
  const reference = input.referenceReadings.reduce((a, b) => a + b, 0) / input.referenceReadings.length;
  if (input.instrument === "uv_sensor") {
    const deviation = input.instrumentReading / reference - 1;
    const off = Math.abs(deviation);
    // (a rounding margin, so 10 % read off a display is still 10 %)
    const result: CalibrationResult = off > UV_SENSOR_FAIL_FRACTION + 1e-9 ? "fail" : off > UV_SENSOR_DRIFT_FRACTION + 1e-9 ? "drift" : "pass";
    return { reference, deviation, result };
  }
  const deviation = input.instrumentReading - reference;
  return { reference, deviation, result: Math.abs(deviation) < UVT_ANALYSER_MAX_DIFF_PCT - 1e-9 ? "pass" : "fail" };
}

export interface StoredCheck {
  componentId: string;
  instrument: CalibrationInstrument;
  checkedAt: Date;
  result: CalibrationResult;
}

export interface OutOfCalibration {
  componentId: string;
  instrument: CalibrationInstrument;
  /** epoch ms: the failed check */
  from: number;
  /** epoch ms: the next check that did not fail; null while it lasts */
  to: number | null;
}

/** The intervals each instrument was out of calibration, from its checks (any order). */
export function outOfCalibrationIntervals(checks: readonly StoredCheck[]): OutOfCalibration[] {
  const sorted = [...checks].sort((a, b) => a.checkedAt.getTime() - b.checkedAt.getTime());
  const open = new Map<string, OutOfCalibration>();
  const out: OutOfCalibration[] = [];
  for (const c of sorted) {
    const current = open.get(c.componentId);
    if (c.result === "fail") {
      if (!current) {
        const interval: OutOfCalibration = { componentId: c.componentId, instrument: c.instrument, from: c.checkedAt.getTime(), to: null };
        open.set(c.componentId, interval);
        out.push(interval);
      }
    } else if (current) {
      current.to = c.checkedAt.getTime();
      open.delete(c.componentId);
    }
  }
  return out;
}

export type InstrumentState = "never_checked" | "ok" | "drift" | "due_soon" | "overdue" | "failed";

export interface InstrumentStatus {
  state: InstrumentState;
  /** when the next check is due; null when never checked */
  dueAt: Date | null;
  /** in words, for the page */
  summary: string;
}

const DAY_MS = 86_400_000;

/** An instrument's calibration state now, from its latest check. */
export function instrumentStatus(instrument: CalibrationInstrument, last: { checkedAt: Date; result: CalibrationResult } | null, now: Date): InstrumentStatus {
  const interval = CHECK_INTERVAL_DAYS[instrument];
  const every = instrument === "uv_sensor" ? "monthly" : "weekly";
  if (!last) return { state: "never_checked", dueAt: null, summary: `Never checked: record a check now (due ${every}).` };
  const dueAt = new Date(last.checkedAt.getTime() + interval * DAY_MS);
  if (last.result === "fail") {
    return {
      state: "failed",
      dueAt,
      summary:
        instrument === "uv_sensor"
          ? "Out of calibration since the last check: water counts as off-spec until the sensor is recalibrated or replaced and a check passes."
          : "Out of calibration since the last check: the calculated dose counts as off-spec until the analyser is recalibrated and a check passes.",
    };
  }
  const days = Math.ceil((dueAt.getTime() - now.getTime()) / DAY_MS);
  if (days < 0) return { state: "overdue", dueAt, summary: `Check overdue by ${-days} day${days === -1 ? "" : "s"} (due ${every}).` };
  const next = days === 0 ? "next check due today" : `next check in ${days} day${days === 1 ? "" : "s"}`;
  if (last.result === "drift") return { state: "drift", dueAt, summary: `In calibration but drifting (10–20 % off the reference): recalibrate the duty sensor; ${next}.` };
  if (days <= DUE_SOON_DAYS) return { state: "due_soon", dueAt, summary: `In calibration; ${next}.` };
  return { state: "ok", dueAt, summary: `In calibration; ${next}.` };
}
