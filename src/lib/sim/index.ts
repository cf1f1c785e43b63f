/**
 * Fleet telemetry simulator (domain.md §7). Pure and deterministic: the same seed, start time and
 * systems give the same readings and labels; the process runs in fixed 10 s steps aligned to
 * absolute time, so the trajectory and the labels do not depend on the sampling rate.
 *
 * Per system and step: water temperature (seasonal + daily + noise), UVT (random walk, seasonal
 * dip, rain events), raw turbidity (rain spikes, solids disturbances) -> events (failures,
 * maintenance) -> control (tank level hysteresis; VFD speed for a flow target, or the platform's
 * pump_speed setpoint; lamp strikes 2 min before the pump and goes off 8 min after it, at full
 * power or the platform's uv_power setpoint; see setpoints.ts) -> physics (src/lib/physics:
 * operating point, filter ΔP, power, UV output per lamp with ageing, temperature, warm-up, sleeve
 * fouling, spread; sensor reading) -> integration (tank, filter mass from TSS × flow, lamp hours,
 * energy).
 *
 * Series (metric @ component; sampling class, see DEFAULT_SAMPLING):
 *   flow_rate@ft-1, pump_pressure@pt-1, power@pump-1, pump_speed@pump-1, uv_intensity@uvsensor-1 (10 s);
 *   filter_dp@filter-N, vibration@motor-1, power@uv-1 (lamps + ballasts), water_temperature@tt-1,
 *   turbidity@turb-1 (UV feed, after the filters), uvt@uvt-1, lamp_on@lamp-N (also on change),
 *   energy (system level, whole unit) (60 s); lamp_hours@lamp-N (5 min).
 *
 * Failures (natural from the §2.5 Weibull hazards, plus Poisson-injected ones), each labelled:
 *   seal_leak (pump-1, ELP), bearing_wear (motor-1, VIB), impeller_wear (pump-1, LOO),
 *   lamp_burnout (lamp-N, LAF), ballast_failure (ballast-N, BRD), filter_clog (filter-1, PLU),
 *   sleeve_water_ingress (sleeve-N, FOU), sensor_drift / _stuck / _spikes / _dropout (sensors).
 * Maintenance, also labelled: lamp_replacement, filter_replacement, sleeve_cleaning, sensor_recalibration.
 */
export * from "./types";
export * from "./config";
export * from "./series";
export * from "./fleet";
export * from "./setpoints";
export { dayOfYear, demandProfile, localHour } from "./environment";
export { INJECTION_WEIGHTS, NEVER, type SimulationOptions } from "./system";
export { seedFrom } from "./random";
export type { InjectionMode, InjectionRequest, ProcessOutputs, SensorFaultMode, SystemState } from "./state";
