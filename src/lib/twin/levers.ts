// The digital twin's what-if levers (domain.md §6.1): what the sliders move, their ranges, how they
// map onto the steady-state unit model (src/lib/physics), and how the current state is estimated
// from the latest telemetry. Browser-safe and pure: the 3D view's sliders and the twin API both use
// it, so "the physics the sliders show is the physics the API simulates" (design.md).
import { z } from "zod";
import {
  barToHead,
  pumpCurveCoefficient,
  solveHydraulics,
  solveUv,
  speedForFlow,
  viscosityRatio,
  type Levers,
  type OffSpecReason,
  type UnitOutcome,
  type UnitParams,
} from "@/lib/physics";

export interface TwinLevers {
  /** Pump speed ratio n/n0, 0..1.2 (0 = stopped). */
  speed: number;
  /** UV transmittance at 254 nm, 1 cm [%], 50..100. */
  uvtPct: number;
  /** Water temperature [°C], 1..40. */
  waterTempC: number;
  /** R_f/R_f0 per filter (1 = clean), 1..12, one entry per filter of the system, upstream first. */
  filterLoad: number[];
  /** Lamp operating hours [h], 0..20000. */
  lampHours: number;
  /** Sleeve fouling factor f_foul, 0.3..1 (1 = clean). */
  fouling: number;
  /** Lamp power level, 0.3..1. */
  dimming: number;
  lampOn: boolean;
  /** Static head including the outlet pressure setpoint [m], 0..50. */
  hStaticM: number;
  /** Seal leak at the pump discharge [m³/h], 0..3. */
  leakM3h: number;
}

export type ScalarLeverKey = Exclude<keyof TwinLevers, "filterLoad" | "lampOn">;

export interface LeverSpec {
  key: ScalarLeverKey;
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  digits: number;
  help: string;
}

/** Slider order for the UI, with plain-language labels and help. The schema uses the same ranges. */
export const LEVER_SPECS: readonly LeverSpec[] = [
  {
    key: "speed",
    label: "Pump speed",
    unit: "× rated",
    min: 0,
    max: 1.2,
    step: 0.01,
    digits: 2,
    help: "Drive speed as a fraction of the pump's rated speed (VFD Hz / 50). More speed gives more flow, but less UV dose per litre and more energy.",
  },
  {
    key: "uvtPct",
    label: "Water UV transmittance",
    unit: "%",
    min: 50,
    max: 100,
    step: 0.5,
    digits: 1,
    help: "How clear the water is to UV light (254 nm, 1 cm). Tap water is 85–95 %; lower UVT means less dose at the same flow.",
  },
  {
    key: "waterTempC",
    label: "Water temperature",
    unit: "°C",
    min: 1,
    max: 40,
    step: 0.5,
    digits: 1,
    help: "Cold water is more viscous (higher filter pressure drop) and changes the lamp's UV output.",
  },
  {
    key: "lampHours",
    label: "Lamp hours",
    unit: "h",
    min: 0,
    max: 20_000,
    step: 100,
    digits: 0,
    help: "Hours the lamps have run. Output falls with age; lamps are changed at end of life (about 9,000–12,000 h).",
  },
  {
    key: "fouling",
    label: "Sleeve cleanliness",
    unit: "× clean",
    min: 0.3,
    max: 1,
    step: 0.01,
    digits: 2,
    help: "Share of UV that gets through deposits on the quartz sleeve (1 = just cleaned). Iron and hardness foul it over weeks.",
  },
  {
    key: "dimming",
    label: "Lamp power",
    unit: "× full",
    min: 0.3,
    max: 1,
    step: 0.05,
    digits: 2,
    help: "Ballast power level. Dimming saves energy at low flow but lowers the dose.",
  },
  {
    key: "hStaticM",
    label: "Static head / outlet setpoint",
    unit: "m",
    min: 0,
    max: 50,
    step: 0.5,
    digits: 1,
    help: "Head the pump must overcome before any water flows: tank elevation plus the outlet pressure setpoint (10 m ≈ 1 bar).",
  },
  {
    key: "leakM3h",
    label: "Seal leak",
    unit: "m³/h",
    min: 0,
    max: 3,
    step: 0.05,
    digits: 2,
    help: "Water lost at the pump's mechanical seal. It costs pumping energy and lowers the flow delivered.",
  },
];

/** R_f/R_f0 range of each filter's load. */
export const FILTER_LOAD_RANGE = { min: 1, max: 12 } as const;

const SPEC_BY_KEY = new Map<ScalarLeverKey, LeverSpec>(LEVER_SPECS.map((s) => [s.key, s]));

/** The spec of one scalar lever (throws for an unknown key: a programming error). */
export function leverSpec(key: ScalarLeverKey): LeverSpec {
  const spec = SPEC_BY_KEY.get(key);
  if (!spec) throw new Error(`unknown lever ${String(key)}`);
  return spec;
}

function rangeMessage(label: string, key: string, min: number, max: number, unit: string): string {
  return `${label} (${key}) must be a number from ${min} to ${max} ${unit}.`;
}

function scalar(key: ScalarLeverKey) {
  const s = leverSpec(key);
  const message = rangeMessage(s.label, s.key, s.min, s.max, s.unit);
  return z.number({ error: message }).min(s.min, { error: message }).max(s.max, { error: message });
}

const filterLoadMessage = rangeMessage("Filter load", "filterLoad", FILTER_LOAD_RANGE.min, FILTER_LOAD_RANGE.max, "× clean resistance");

/**
 * The levers as the API and the stored scenarios accept them; each message names the lever and its
 * range. Typed on input as well as output, so tRPC clients are checked against TwinLevers too.
 */
export const twinLeversSchema: z.ZodType<TwinLevers, TwinLevers> = z.object(
  {
    speed: scalar("speed"),
    uvtPct: scalar("uvtPct"),
    waterTempC: scalar("waterTempC"),
    filterLoad: z
      .array(z.number({ error: filterLoadMessage }).min(FILTER_LOAD_RANGE.min, { error: filterLoadMessage }).max(FILTER_LOAD_RANGE.max, { error: filterLoadMessage }), {
        error: "Filter load (filterLoad) must be a list with one number per filter.",
      })
      .max(20, { error: "Filter load (filterLoad) has at most 20 entries (one per filter)." }),
    lampHours: scalar("lampHours"),
    fouling: scalar("fouling"),
    dimming: scalar("dimming"),
    lampOn: z.boolean({ error: "Lamp on (lampOn) must be true or false." }),
    hStaticM: scalar("hStaticM"),
    leakM3h: scalar("leakM3h"),
  },
  { error: "Levers must be an object with speed, uvtPct, waterTempC, filterLoad, lampHours, fouling, dimming, lampOn, hStaticM and leakM3h." },
);

/** The levers as inputs of the unit model (the sliders and the API call this same mapping). */
export function toPhysicsLevers(levers: TwinLevers): Levers {
  return {
    speed: levers.speed,
    waterTempC: levers.waterTempC,
    uvtPct: levers.uvtPct,
    hStaticM: levers.hStaticM,
    leakM3h: levers.leakM3h,
    filters: levers.filterLoad.map((resistanceFactor) => ({ resistanceFactor })),
    // Lamps fully warm: the twin shows steady states (warm-up is a transient, domain.md §6.2 eq. 9).
    lamp: { on: levers.lampOn, dimming: levers.dimming, hours: levers.lampHours, fouling: levers.fouling },
  };
}

const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));
const clampTo = (key: ScalarLeverKey, x: number) => {
  const s = leverSpec(key);
  return clamp(x, s.min, s.max);
};

/** Design-point UVT and water temperature (domain.md §6.3: UVT design 95 %, T_w 15 °C). */
export const DESIGN_UVT_PCT = 95;
export const DESIGN_WATER_TEMP_C = 15;

/**
 * The design point: the speed that delivers the pump's BEP flow (the unit's rated flow) with clean
 * filters, UVT 95 %, 15 °C, a new lamp at full power and a clean sleeve; speed 1 when that flow is
 * out of reach.
 */
export function defaultLevers(params: UnitParams): TwinLevers {
  const base: TwinLevers = {
    speed: 1,
    uvtPct: DESIGN_UVT_PCT,
    waterTempC: DESIGN_WATER_TEMP_C,
    filterLoad: params.filters.map(() => 1),
    lampHours: 0,
    fouling: 1,
    dimming: 1,
    lampOn: true,
    hStaticM: clampTo("hStaticM", params.hydraulics.hStaticM),
    leakM3h: 0,
  };
  const { speed: _speed, ...rest } = toPhysicsLevers(base);
  const s = speedForFlow(params, rest, params.pump.qBepM3h);
  return { ...base, speed: Number.isFinite(s) && s > 0 && s <= leverSpec("speed").max ? s : 1 };
}

export type LeverSource = "measured" | "estimated" | "default";

export interface LiveReading {
  component: string | null;
  metric: string;
  value: number;
  ts: string | Date;
}

export interface LiveLevers {
  levers: TwinLevers;
  sources: Record<keyof TwinLevers, LeverSource>;
  notes: string[];
}

/** Readings older than this are ignored by leversFromLive (a stopped gateway must not pose as "now"). */
export const LIVE_MAX_AGE_MS = 15 * 60_000;

// Below this share of the BEP flow a clean filter's ΔP is a few hundredths of a bar, the size of a
// transmitter's noise and offset: its loading cannot be told.
const MIN_FLOW_FRACTION_FOR_FILTERS = 0.1;
// Model and flow meter may disagree by this share before it is worth a note (meter ±0.5 %, wear, noise).
const FLOW_MISMATCH_FRACTION = 0.1;
// A load this far below "clean" is not a cleaner element but a ΔP transmitter to check.
const LOW_LOAD_NOTE = 0.8;
// The sensor may read a little above the clean-sleeve model (noise, calibration) before it is worth a note.
const HIGH_FOULING_NOTE = 1.05;

const fmt = (x: number, digits: number) => x.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function tsMs(ts: string | Date): number {
  return ts instanceof Date ? ts.getTime() : Date.parse(ts);
}

/**
 * The current state of the unit as levers, from the latest telemetry (metric keys of contracts.md):
 * speed from pump_speed (or, without it, the speed that gives the measured flow_rate), UVT and water
 * temperature as measured, each filter's load from its ΔP at the measured flow
 * (R = head(ΔP)/(Q·μ/μ20), load = R/R_f0), lamp hours and status per lamp, and the sleeve fouling
 * from the UV sensor against the model's reading with a clean sleeve at the other levers. Readings
 * older than `maxAgeMs` (default 15 min) are ignored; whatever cannot be told keeps the design value,
 * and `notes` says so in plain words. `filterCodes` names the filters' components, upstream first
 * (default filter-1, filter-2, ...).
 */
export function leversFromLive(
  params: UnitParams,
  readings: readonly LiveReading[],
  options: { maxAgeMs?: number; now?: number; filterCodes?: readonly string[] } = {},
): LiveLevers {
  const now = options.now ?? Date.now();
  const maxAgeMs = options.maxAgeMs ?? LIVE_MAX_AGE_MS;
  const filterCodes = options.filterCodes ?? params.filters.map((_, i) => `filter-${i + 1}`);
  const design = defaultLevers(params);
  const levers: TwinLevers = { ...design, filterLoad: [...design.filterLoad] };
  const sources: Record<keyof TwinLevers, LeverSource> = {
    speed: "default",
    uvtPct: "default",
    waterTempC: "default",
    filterLoad: "default",
    lampHours: "default",
    fouling: "default",
    dimming: "default",
    lampOn: "default",
    hStaticM: "default",
    leakM3h: "default",
  };
  const notes: string[] = [];

  // The newest fresh reading per (metric, component).
  const latest = new Map<string, { component: string | null; metric: string; value: number; ms: number }>();
  let stale = 0;
  for (const r of readings) {
    const ms = tsMs(r.ts);
    if (!Number.isFinite(r.value) || !Number.isFinite(ms)) continue;
    if (now - ms > maxAgeMs) {
      stale++;
      continue;
    }
    const key = `${r.metric}\u0000${r.component ?? ""}`;
    const prev = latest.get(key);
    if (!prev || ms > prev.ms) latest.set(key, { component: r.component, metric: r.metric, value: r.value, ms });
  }
  if (stale > 0) notes.push(`${stale} reading${stale === 1 ? " is" : "s are"} older than ${Math.round(maxAgeMs / 60_000)} min and ${stale === 1 ? "was" : "were"} ignored.`);
  const all = [...latest.values()];
  /** The newest reading of a metric on any component (the unit has one of each instrument). */
  const newest = (metric: string) => all.filter((r) => r.metric === metric).reduce<(typeof all)[number] | undefined>((a, b) => (a && a.ms >= b.ms ? a : b), undefined);
  const at = (metric: string, component: string) => latest.get(`${metric}\u0000${component}`);

  const temp = newest("water_temperature");
  if (temp) {
    levers.waterTempC = clampTo("waterTempC", temp.value);
    sources.waterTempC = "measured";
    if (levers.waterTempC !== temp.value) notes.push(`Water temperature ${fmt(temp.value, 1)} °C is outside the twin's range; shown as ${fmt(levers.waterTempC, 1)} °C.`);
  } else notes.push(`No water temperature reading: the twin assumes ${DESIGN_WATER_TEMP_C} °C.`);

  const uvt = newest("uvt");
  if (uvt) {
    levers.uvtPct = clampTo("uvtPct", uvt.value);
    sources.uvtPct = "measured";
    if (levers.uvtPct !== uvt.value) notes.push(`UVT ${fmt(uvt.value, 1)} % is outside the twin's range; shown as ${fmt(levers.uvtPct, 1)} %.`);
  } else notes.push(`No UVT analyser reading: the twin assumes the design UVT of ${DESIGN_UVT_PCT} %.`);

  const speedReading = newest("pump_speed");
  const flowReading = newest("flow_rate");
  const pressureReading = newest("pump_pressure");
  if (speedReading) {
    levers.speed = clampTo("speed", speedReading.value / 100);
    sources.speed = "measured";
  }

  // Flow through the filters: the flow meter, else the pump curve at the measured speed and
  // discharge pressure (H = s²H0 − a_p·Q², domain.md §6.2 eq. 1); the leak lever stays at its default.
  let flow: number | null = null;
  if (flowReading) flow = Math.max(0, flowReading.value);
  else if (speedReading && pressureReading && levers.speed > 0) {
    const head = barToHead(pressureReading.value - params.pump.suctionPressureBar);
    const pumpFlow = Math.sqrt(Math.max(0, levers.speed * levers.speed * params.pump.h0M - head) / pumpCurveCoefficient(params.pump));
    flow = Math.max(0, pumpFlow - levers.leakM3h);
    notes.push(`No flow reading: flow estimated at ${fmt(flow, 1)} m³/h from the pump speed and discharge pressure.`);
  }

  const minFlow = MIN_FLOW_FRACTION_FOR_FILTERS * params.pump.qBepM3h;
  const ratio = viscosityRatio(levers.waterTempC);
  let estimatedFilters = 0;
  if (params.filters.length > 0 && flow === null) {
    notes.push("No flow reading: the filters' loading cannot be told from their pressure drop; they are shown clean.");
  } else if (params.filters.length > 0 && flow !== null && flow < minFlow) {
    notes.push(`Flow ${fmt(flow, 1)} m³/h is too low to tell the filters' loading from their pressure drop: they are shown clean.`);
  } else if (flow !== null) {
    params.filters.forEach((filter, i) => {
      const code = filterCodes[i] ?? `filter-${i + 1}`;
      const dp = at("filter_dp", code);
      if (!dp) {
        notes.push(`No pressure-drop reading for ${code}: it is shown clean.`);
        return;
      }
      const load = barToHead(Math.max(0, dp.value)) / (flow * ratio) / filter.rf0;
      levers.filterLoad[i] = clamp(load, FILTER_LOAD_RANGE.min, FILTER_LOAD_RANGE.max);
      estimatedFilters++;
      if (load > FILTER_LOAD_RANGE.max) notes.push(`${code} reads ${fmt(load, 1)}× its clean resistance, past the twin's range: shown as ${FILTER_LOAD_RANGE.max}×.`);
      else if (load < LOW_LOAD_NOTE) notes.push(`${code} reads ${fmt(load, 2)}× its clean resistance, less than a clean element: check its ΔP transmitter.`);
    });
  }
  if (estimatedFilters > 0) sources.filterLoad = "estimated";

  if (!speedReading) {
    if (flowReading) {
      // The inverse of the operating point with the filters, temperature and head just estimated.
      const { speed: _speed, ...rest } = toPhysicsLevers(levers);
      const s = flowReading.value > 0 ? speedForFlow(params, rest, flowReading.value) : 0;
      levers.speed = clampTo("speed", s);
      sources.speed = "estimated";
      notes.push(
        flowReading.value > 0
          ? `No pump speed reading: speed estimated from the measured flow of ${fmt(flowReading.value, 1)} m³/h.`
          : "No pump speed reading and no flow: the pump is taken as stopped.",
      );
      if (s > leverSpec("speed").max) notes.push(`The measured flow would need ${fmt(s * 100, 0)} % speed in the model: the model's pump or head may not match this unit.`);
    } else notes.push(`No pump speed or flow reading: the twin shows the design speed (${fmt(levers.speed * 100, 0)} %).`);
  }

  if (speedReading && flowReading && levers.speed > 0) {
    // Both measured: where the model's operating point disagrees with the flow meter, say so (a worn
    // impeller, another static head or a leak moves the real point; the levers keep the measured speed).
    const modelFlow = solveHydraulics(params, toPhysicsLevers(levers)).flowM3h;
    const measured = Math.max(0, flowReading.value);
    if (Math.abs(modelFlow - measured) > Math.max(FLOW_MISMATCH_FRACTION * measured, FLOW_MISMATCH_FRACTION * 0.5 * params.pump.qBepM3h)) {
      notes.push(
        `At the measured speed the model gives ${fmt(modelFlow, 1)} m³/h but the flow meter reads ${fmt(measured, 1)} m³/h: the pump may be worn, or the static head or a leak differ from the twin's.`,
      );
    }
  }

  const hours = all.filter((r) => r.metric === "lamp_hours");
  if (hours.length > 0) {
    // The model's lamps are identical: the mean age stands for all of them.
    const mean = hours.reduce((s, r) => s + r.value, 0) / hours.length;
    levers.lampHours = clampTo("lampHours", mean);
    sources.lampHours = "measured";
    if (levers.lampHours !== mean) notes.push(`Lamp hours ${fmt(mean, 0)} h are outside the twin's range; shown as ${fmt(levers.lampHours, 0)} h.`);
  } else notes.push("No lamp hours reading: the twin shows a new lamp.");

  const status = all.filter((r) => r.metric === "lamp_on");
  if (status.length > 0) {
    const lampCount = Math.max(1, params.uv.lampCount);
    const off = status.filter((r) => r.value < 0.5).length;
    // Lamps without a status reading are taken as on.
    const on = Math.max(0, lampCount - off);
    levers.lampOn = on > 0;
    sources.lampOn = "measured";
    if (on > 0 && on < lampCount) {
      // The model's lamps switch together: some lamps off is the reactor at a lower power level.
      levers.dimming = clampTo("dimming", on / lampCount);
      sources.dimming = "estimated";
      notes.push(`${off} of ${lampCount} lamps ${off === 1 ? "is" : "are"} off: the twin shows the reactor at ${fmt(levers.dimming * 100, 0)} % UV power.`);
    }
  } else notes.push("No lamp status reading: the twin assumes the lamps are on.");

  const intensity = newest("uv_intensity");
  if (levers.lampOn && intensity) {
    // The sensor sees lamp, sleeve, window and water at once (domain.md §1.3 A): with lamp age,
    // temperature and UVT known, what is missing from the clean-sleeve reading is fouling. Window
    // fouling is lumped in, which errs on the safe side for the dose.
    const clean = solveUv(params, toPhysicsLevers({ ...levers, fouling: 1 }), 0).sensorIntensityWm2;
    if (clean > 0) {
      const f = Math.max(0, intensity.value) / clean;
      levers.fouling = clampTo("fouling", f);
      sources.fouling = "estimated";
      if (f < leverSpec("fouling").min) notes.push(`The UV sensor reads ${fmt(f * 100, 0)} % of what a clean sleeve would give: a failed lamp, a dirty sensor window or a very fouled sleeve.`);
      else if (f > HIGH_FOULING_NOTE) notes.push(`The UV sensor reads ${fmt(f * 100, 0)} % of the clean-sleeve model: check the UVT reading and the sensor calibration.`);
      if (sources.uvtPct !== "measured") notes.push("Sleeve fouling is estimated with the design UVT: a lower real UVT would show as fouling.");
    }
  } else if (levers.lampOn) notes.push("No UV intensity reading: the sleeve is shown clean.");

  return { levers, sources, notes };
}

/** A validated operating limit of the system (OperatingLimit). */
export interface TwinLimit {
  metric: string;
  min: number | null;
  max: number | null;
}

/**
 * Plain-language warnings for a simulated state: outside the validated limits, dead head, below the
 * pump's minimum flow, filters at terminal ΔP, lamps on without flow, and every off-spec reason of
 * domain.md §5.2 (each condition once).
 */
export function outcomeWarnings(
  params: UnitParams,
  levers: TwinLevers,
  outcome: UnitOutcome,
  limits: readonly TwinLimit[],
  filterCodes: readonly string[] = [],
): string[] {
  const out = new Map<string, string>();
  const add = (key: string, message: string) => {
    if (!out.has(key)) out.set(key, message);
  };
  const running = outcome.speed > 0;
  const flowing = outcome.flowM3h > 0;

  if (!running) add("pump", "The pump is stopped: no water is delivered.");
  else if (outcome.deadHead) {
    add("pump", `At ${fmt(outcome.speed * 100, 0)} % speed the pump cannot overcome the static head of ${fmt(levers.hStaticM, 1)} m: no flow (dead head). Running like this overheats the pump.`);
  } else if (outcome.belowMinFlow) {
    const min = params.pump.minFlowFraction * params.pump.qBepM3h * outcome.speed;
    add("pump", `Flow ${fmt(outcome.flowM3h, 2)} m³/h is below the pump's minimum continuous flow (${fmt(min, 2)} m³/h at this speed).`);
  }
  outcome.filters.forEach((f, i) => {
    if (!f.atTerminal) return;
    const code = filterCodes[i] ?? `Filter ${i + 1}`;
    const terminal = params.filters[i]?.dpTerminalBar ?? NaN;
    add(`filter:${i}`, `${code} is at its terminal pressure drop (${fmt(f.dpBar, 2)} bar, limit ${fmt(terminal, 2)} bar): change or backwash it.`);
  });
  if (outcome.uv.lampsOn && !flowing) add("no-flow", "The lamps are on without flow: the water in the reactor heats up and the sleeve can scale.");

  for (const limit of limits) {
    const check = (value: number, what: string, unit: string, digits: number) => {
      if (limit.max !== null && value > limit.max) add(`${limit.metric}:max`, `${what} ${fmt(value, digits)} ${unit} is above the validated maximum of ${fmt(limit.max, digits)} ${unit}.`);
      if (limit.min !== null && value < limit.min) add(`${limit.metric}:min`, `${what} ${fmt(value, digits)} ${unit} is below the validated minimum of ${fmt(limit.min, digits)} ${unit}.`);
    };
    switch (limit.metric) {
      case "flow_rate":
        if (flowing) check(outcome.flowM3h, "Flow", "m³/h", 2);
        break;
      case "uvt":
        check(levers.uvtPct, "UVT", "%", 1);
        break;
      case "water_temperature":
        check(levers.waterTempC, "Water temperature", "°C", 1);
        break;
      case "pump_pressure":
        if (running) check(outcome.dischargePressureBar, "Discharge pressure", "bar", 2);
        break;
      case "uv_intensity":
        if (outcome.uv.lampsOn) check(outcome.uv.sensorIntensityWm2, "UV intensity", "W/m²", 1);
        break;
      case "filter_dp":
        outcome.filters.forEach((f, i) => {
          if (limit.max !== null && f.dpBar > limit.max) add(`filter_dp:max:${i}`, `${filterCodes[i] ?? `Filter ${i + 1}`} pressure drop ${fmt(f.dpBar, 2)} bar is above the validated maximum of ${fmt(limit.max, 2)} bar.`);
        });
        break;
      default:
        // turbidity, vibration, ...: not a lever of the twin
        break;
    }
  }

  const c = params.compliance;
  const reasonText: Record<OffSpecReason, () => [string, string]> = {
    lamp_off: () => ["lamp_off", "The UV lamps are off: the water is not disinfected (off-spec)."],
    warming_up: () => ["warming_up", "The lamps are warming up: the water is off-spec until the UV intensity reaches its setpoint."],
    sensor_below_setpoint: () => [
      "uv_intensity:min",
      `UV intensity ${fmt(outcome.uv.sensorIntensityWm2, 1)} W/m² is below the validated setpoint of ${fmt(c.sensorSetpointWm2 ?? NaN, 1)} W/m² (off-spec).`,
    ],
    dose_below_required: () => [
      "dose",
      `Validated dose ${fmt(outcome.uv.validatedDoseMjCm2 ?? 0, 1)} mJ/cm² is below the required ${fmt(c.requiredDoseMjCm2, 1)} mJ/cm² (off-spec).`,
    ],
    flow_above_max: () => ["flow_rate:max", `Flow ${fmt(outcome.flowM3h, 2)} m³/h is above the validated maximum of ${fmt(c.maxFlowM3h ?? NaN, 2)} m³/h (off-spec).`],
    uvt_below_min: () => ["uvt:min", `UVT ${fmt(levers.uvtPct, 1)} % is below the validated minimum of ${fmt(c.minUvtPct ?? NaN, 1)} % (off-spec).`],
  };
  for (const reason of outcome.compliance.reasons) {
    const [key, message] = reasonText[reason]();
    add(key, message);
  }
  return [...out.values()];
}
