// A small ISO 14224-style failure catalogue: mode (what was observed), cause (mechanism), remedy
// (maintenance activity). componentType null = applies to every component.
export interface FailureCodeDefinition {
  kind: "mode" | "cause" | "remedy";
  code: string;
  name: string;
  componentType: string | null;
}

const mode = (code: string, name: string, componentType: string | null = null): FailureCodeDefinition => ({ kind: "mode", code, name, componentType });
const cause = (code: string, name: string, componentType: string | null = null): FailureCodeDefinition => ({ kind: "cause", code, name, componentType });
const remedy = (code: string, name: string): FailureCodeDefinition => ({ kind: "remedy", code, name, componentType: null });

export const FAILURE_CODES: readonly FailureCodeDefinition[] = [
  // modes (ISO 14224 Table B.6-style abbreviations)
  mode("ELP", "External leakage – process medium", "pump"),
  mode("VIB", "Vibration", "pump"),
  mode("LOO", "Low output", "pump"),
  mode("FTS", "Fail to start on demand"),
  mode("UST", "Spurious stop"),
  mode("NOI", "Noise", "pump"),
  mode("OHE", "Overheating", "motor"),
  mode("PLU", "Plugged / choked", "filter"),
  mode("BRD", "Breakdown"),
  mode("LOU", "Low UV output", "lamp"),
  mode("LAF", "Lamp out", "lamp"),
  mode("FOU", "Fouled quartz sleeve / sensor window", "sleeve"),
  mode("ERO", "Erratic output", "sensor"),
  mode("DRF", "Drift", "sensor"),
  mode("SER", "Minor in-service problem"),
  // causes
  cause("WEA", "Wear"),
  cause("FAT", "Fatigue"),
  cause("COR", "Corrosion"),
  cause("SCA", "Scaling / deposits"),
  cause("CLO", "Clogging by particles"),
  cause("CAV", "Cavitation", "pump"),
  cause("AGE", "Ageing (end of rated life)"),
  cause("ELF", "Electrical failure"),
  cause("OVH", "Overheating"),
  cause("INS", "Installation error"),
  cause("OPE", "Operating error"),
  cause("CAL", "Calibration error", "sensor"),
  cause("UNK", "Unknown"),
  // remedies (maintenance activity)
  remedy("RPL", "Replace"),
  remedy("RPR", "Repair"),
  remedy("CLN", "Clean"),
  remedy("ADJ", "Adjust / calibrate"),
  remedy("OVH", "Overhaul"),
  remedy("RST", "Reset / restart"),
  remedy("INS", "Inspect only"),
];
