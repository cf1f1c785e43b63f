// Words for the setpoints panel: the autonomy levels, the optimiser's suggestion in one sentence, a
// command's way to the unit. Pure, unit-tested.
import { formatNumber } from "@/components/twin/twin-view-model";

export type AutonomyLevelName = "off" | "advisory" | "supervised" | "autonomous";

export const AUTONOMY_LEVELS: readonly { level: AutonomyLevelName; label: string; help: string }[] = [
  { level: "off", label: "Off", help: "No suggestions, no commands: the unit runs on its own controller's setpoints." },
  { level: "advisory", label: "Advisory", help: "The optimiser suggests setpoints; nothing is sent to the unit." },
  { level: "supervised", label: "Supervised", help: "Proposed setpoints are sent to the unit after a manager approves them." },
  { level: "autonomous", label: "Autonomous", help: "The optimiser sends setpoints itself, only inside the validated safe ranges, at most every 30 minutes per setpoint; every command is logged." },
];

const LABELS: Record<string, string> = { pump_speed: "Pump speed", uv_power: "UV lamp power" };

export function setpointLabel(key: string): string {
  return LABELS[key] ?? key.replace(/_/g, " ");
}

export interface SuggestionLike {
  feasible: boolean;
  reason: string | null;
  setpoints: { key: string; current: number; value: number }[];
  savings: { powerKw: number; specificEnergyKwhM3: number | null; pct: number | null };
  after: { uv: { validatedDoseMjCm2: number | null }; flowM3h: number };
}

/** "Pump speed 94 → 82 %, UV lamp power 100 → 75 %: saves 0.31 kW (12 %); 11.6 m³/h at 52 mJ/cm²." */
export function suggestionSummary(s: SuggestionLike): string {
  if (!s.feasible) return `No setpoints can be suggested: ${s.reason ?? "the constraints cannot all be met"}.`;
  if (s.setpoints.length === 0) return "The unit already runs at its best setpoints for this demand.";
  const moves = s.setpoints.map((p) => `${setpointLabel(p.key)} ${formatNumber(p.current, 0)} → ${formatNumber(p.value, 0)} %`).join(", ");
  const pct = s.savings.pct === null ? "" : ` (${formatNumber(s.savings.pct, 0)} %)`;
  const energy = s.savings.specificEnergyKwhM3 === null ? "" : `, ${formatNumber(s.savings.specificEnergyKwhM3, 3)} kWh less per m³`;
  return `Suggested: ${moves}. Saves ${formatNumber(s.savings.powerKw, 2)} kW${pct}${energy}; ${formatNumber(s.after.flowM3h, 1)} m³/h at a validated dose of ${formatNumber(s.after.uv.validatedDoseMjCm2, 0)} mJ/cm².`;
}

export interface CommandLike {
  status: string;
  proposedBy: string;
  approvedByName: string | null;
  createdAt: Date | string;
  approvedAt: Date | string | null;
  sentAt: Date | string | null;
  ackAt: Date | string | null;
  ackMessage: string | null;
  expiresAt: Date | string;
}

/** The command's way so far, e.g. "proposed by the optimiser 10:02 · approved by Mara Manager 10:05 · sent 10:05 · applied 10:05". */
export function commandStatusText(c: CommandLike, at: (d: Date | string) => string): string {
  const parts = [`proposed by ${c.proposedBy === "optimiser" ? "the optimiser" : c.proposedBy} ${at(c.createdAt)}`];
  if (c.approvedAt) parts.push(`approved${c.approvedByName ? ` by ${c.approvedByName}` : " automatically"} ${at(c.approvedAt)}`);
  if (c.sentAt) parts.push(`sent ${at(c.sentAt)}`);
  if (c.status === "applied" && c.ackAt) parts.push(`applied by the unit ${at(c.ackAt)}`);
  if (c.status === "rejected") parts.push(`refused by the unit${c.ackMessage ? `: ${c.ackMessage}` : ""}`);
  if (c.status === "expired") parts.push(c.ackMessage ?? `expired ${at(c.expiresAt)}`);
  if (c.status === "cancelled") parts.push("cancelled");
  if (c.status === "proposed") parts.push(`waiting for approval until ${at(c.expiresAt)}`);
  if (c.status === "approved") parts.push("on its way to the unit");
  if (c.status === "sent") parts.push("waiting for the unit's answer");
  return parts.join(" · ");
}
