// Off-spec reasons in plain words, for the ledger on the page and in the CSV (domain.md §5.2).
import { COMPLIANCE_REASONS, type ComplianceReason } from "./evaluate";

export const REASON_LABELS: Record<ComplianceReason, string> = {
  no_data: "No data while water flowed (counted as off-spec: treatment cannot be shown)",
  lamp_off: "UV lamp off",
  warming_up: "UV lamp warming up after a start",
  sensor_below_setpoint: "UV intensity below the validated setpoint",
  dose_below_required: "Calculated dose below the required dose",
  flow_above_max: "Flow above the validated maximum",
  uvt_below_min: "UV transmittance below the validated minimum",
  sensor_out_of_calibration: "Monitoring instrument out of calibration (failed its last check)",
};

const KNOWN = new Set<string>(COMPLIANCE_REASONS);

/** The reason codes of a stored ledger row ("lamp_off,sensor_below_setpoint"), known ones only, in order. */
export function parseReasons(stored: string): ComplianceReason[] {
  const parts = new Set(stored.split(",").map((s) => s.trim()));
  return COMPLIANCE_REASONS.filter((r) => parts.has(r));
}

/** Code and plain words of each reason of a stored row; a code this version does not know is shown as it is. */
export function reasonLabels(stored: string): { code: string; label: string }[] {
  const parts = stored.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = parts.filter((p) => !KNOWN.has(p));
  return [...parseReasons(stored).map((code) => ({ code, label: REASON_LABELS[code] })), ...unknown.map((code) => ({ code, label: code.replace(/_/g, " ") }))];
}
