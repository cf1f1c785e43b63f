// The built-in metric catalogue (contracts.md). Units are SI; ranges are the valid ranges used to
// reject input. Shared by the server (validation, seeding) and the browser (labels, units).
export interface MetricDefinition {
  key: string;
  name: string;
  unit: string;
  min: number;
  max: number;
  kind: "gauge" | "counter" | "boolean";
}

export const BUILT_IN_METRICS: readonly MetricDefinition[] = [
  { key: "flow_rate", name: "Flow rate", unit: "m3/h", min: 0, max: 100, kind: "gauge" },
  { key: "water_temperature", name: "Water temperature", unit: "degC", min: -5, max: 60, kind: "gauge" },
  { key: "power", name: "Electrical power", unit: "kW", min: 0, max: 100, kind: "gauge" },
  { key: "energy", name: "Energy", unit: "kWh", min: 0, max: 1e9, kind: "counter" },
  { key: "uv_intensity", name: "UV intensity", unit: "W/m2", min: 0, max: 2000, kind: "gauge" },
  { key: "uvt", name: "UV transmittance (254 nm, 1 cm)", unit: "%", min: 0, max: 100, kind: "gauge" },
  { key: "pump_pressure", name: "Pump discharge pressure", unit: "bar", min: 0, max: 25, kind: "gauge" },
  { key: "filter_dp", name: "Filter differential pressure", unit: "bar", min: 0, max: 10, kind: "gauge" },
  { key: "pump_speed", name: "Pump speed", unit: "%", min: 0, max: 120, kind: "gauge" },
  { key: "vibration", name: "Vibration (RMS velocity)", unit: "mm/s", min: 0, max: 100, kind: "gauge" },
  { key: "turbidity", name: "Turbidity", unit: "NTU", min: 0, max: 4000, kind: "gauge" },
  { key: "lamp_on", name: "Lamp on", unit: "bool", min: 0, max: 1, kind: "boolean" },
  { key: "lamp_hours", name: "Lamp hours", unit: "h", min: 0, max: 200000, kind: "counter" },
];

export const BUILT_IN_METRIC_KEYS = new Set(BUILT_IN_METRICS.map((m) => m.key));
