// Setpoints a simulated unit takes from the platform (phase 4 commands, contracts.md "MQTT"): the
// VFD's speed and the UV ballast's power level. Without one, the unit's own controller decides, as
// before (the speed follows the tank's flow target, the lamps run at full power).
import type { SystemConfig } from "./config";

export interface SimSetpointSpec {
  unit: string;
  min: number;
  max: number;
  /** what the value means, for refusals */
  meaning: string;
}

/**
 * Ranges a simulated unit accepts. pump_speed: from the VFD's minimum speed (MIN_SPEED in system.ts,
 * 30 %) to rated speed; the simulated drive never runs above rated. uv_power: ballast dimming from
 * 30 % (below that low-pressure lamps become unstable; the twin's lamp-power lever starts there too).
 */
export const SIM_SETPOINTS = {
  pump_speed: { unit: "%", min: 30, max: 100, meaning: "% of the pump's rated speed" },
  uv_power: { unit: "%", min: 30, max: 100, meaning: "% of the lamps' full power" },
} as const satisfies Record<string, SimSetpointSpec>;

export type SimSetpointKey = keyof typeof SIM_SETPOINTS;

/** The setpoints in force on a unit (plain JSON: part of the snapshot). */
export interface SimSetpoints {
  /** fixed VFD speed while the pump runs [% of rated] */
  pumpSpeedPct?: number;
  /** lamp power [% of full] */
  uvPowerPct?: number;
}

export function isSimSetpointKey(key: string): key is SimSetpointKey {
  return Object.hasOwn(SIM_SETPOINTS, key);
}

/** Why `cfg` cannot take `key` = `value` `unit`, in one sentence; null when it can. */
export function simSetpointRefusal(cfg: Pick<SystemConfig, "code" | "pump" | "lamps">, key: string, value: number, unit: string): string | null {
  if (!isSimSetpointKey(key)) return `unknown setpoint "${key}": this unit takes ${Object.keys(SIM_SETPOINTS).join(" and ")}`;
  const spec = SIM_SETPOINTS[key];
  if (unit !== spec.unit) return `${key} must be given in ${spec.unit} (${spec.meaning}), not "${unit}"`;
  if (!Number.isFinite(value)) return `${key} must be a finite number, not ${String(value)}`;
  if (value < spec.min || value > spec.max) return `${key} ${value} ${spec.unit} is outside the range this unit accepts (${spec.min}–${spec.max} ${spec.meaning})`;
  if (key === "pump_speed" && !cfg.pump) return `unit ${cfg.code} has no pump to set the speed of`;
  if (key === "uv_power" && cfg.lamps.length === 0) return `unit ${cfg.code} has no UV lamps to dim`;
  return null;
}
