// Water and demand: seasonal and daily temperature, UVT random walk with seasonal and rain-event
// dips, raw turbidity with rain spikes, and the daily demand pattern (domain.md §7 "Water quality").
import type { SiteClimate } from "./config";
import { between, normal, uniform, type RngStream } from "./random";
import type { EnvRuntime } from "./state";

const DAY_MS = 86_400_000;
const YEAR_DAYS = 365.2425;

/** Day of year [0, 365) from epoch ms (good to a day for any year). */
export function dayOfYear(ts: number): number {
  const d = (ts / DAY_MS) % YEAR_DAYS;
  return d < 0 ? d + YEAR_DAYS : d;
}

/** Local hour of day [0, 24). */
export function localHour(ts: number, utcOffsetHours: number): number {
  const h = (ts / 3_600_000 + utcOffsetHours) % 24;
  return h < 0 ? h + 24 : h;
}

/** 0 = Sunday … 6 = Saturday, in local time. */
export function localWeekday(ts: number, utcOffsetHours: number): number {
  const days = Math.floor((ts + utcOffsetHours * 3_600_000) / DAY_MS);
  return (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

function bump(hour: number, centre: number, width: number): number {
  let d = Math.abs(hour - centre);
  if (d > 12) d = 24 - d;
  return Math.exp(-0.5 * (d / width) ** 2);
}

function rawProfile(hour: number): number {
  return 0.25 + 1.0 * bump(hour, 7.5, 1.3) + 0.45 * bump(hour, 13, 2.5) + 0.8 * bump(hour, 19.5, 1.8);
}

const PROFILE_MEAN = (() => {
  let sum = 0;
  for (let m = 0; m < 1440; m++) sum += rawProfile(m / 60);
  return sum / 1440;
})();

/**
 * Daily demand shape (mean 1 over a day): morning and evening peaks, a midday shoulder and a
 * night base of about a fifth of the mean (estimate for small residential/clinic systems).
 */
export function demandProfile(hour: number): number {
  return rawProfile(hour) / PROFILE_MEAN;
}

/** Ornstein–Uhlenbeck step: mean-reverting noise with stationary σ and time constant τ. */
function ou(x: number, sigma: number, tauH: number, dtH: number, rng: RngStream): number {
  const a = Math.exp(-dtH / tauH);
  return x * a + sigma * Math.sqrt(1 - a * a) * normal(rng);
}

export function initialEnv(rng: RngStream): EnvRuntime {
  return {
    tempOu: 0.3 * normal(rng),
    uvtOu: 1.0 * normal(rng),
    turbOu: 0.3 * normal(rng),
    demandOu: 0.12 * normal(rng),
    rainTurb: 0,
    rainUvt: 0,
    ripening: 0,
    tssMultiplier: 1,
    tssUntilMs: 0,
  };
}

/** Advances the random parts of the environment by dt (rain events arrive as a Poisson process). */
export function stepEnv(env: EnvRuntime, climate: SiteClimate, ts: number, dtMs: number, rng: RngStream): void {
  const dtH = dtMs / 3_600_000;
  env.tempOu = ou(env.tempOu, 0.3, 48, dtH, rng);
  env.uvtOu = ou(env.uvtOu, 1.0, 72, dtH, rng);
  env.turbOu = ou(env.turbOu, 0.3, 24, dtH, rng);
  env.demandOu = ou(env.demandOu, 0.12, 2, dtH, rng);
  env.rainTurb *= Math.exp(-dtH / 8);
  env.rainUvt *= Math.exp(-dtH / 36);
  env.ripening *= Math.exp(-dtH / 0.33);
  const season = Math.cos((2 * Math.PI * (dayOfYear(ts) - climate.wetSeasonPeakDoy)) / YEAR_DAYS);
  const ratePerHour = (climate.rainEventsPerWeek / 168) * Math.max(0, 1 + 0.6 * season);
  if (uniform(rng) < ratePerHour * dtH) {
    env.rainTurb += between(rng, 2, 12);
    env.rainUvt += between(rng, 1, 6);
  }
  if (env.tssUntilMs > 0 && ts >= env.tssUntilMs) env.tssMultiplier = 1;
}

export function waterTemperature(env: EnvRuntime, climate: SiteClimate, ts: number): number {
  const seasonal = climate.waterTempSeasonalAmpC * Math.cos((2 * Math.PI * (dayOfYear(ts) - climate.waterTempPeakDoy)) / YEAR_DAYS);
  const daily = climate.waterTempDailyAmpC * Math.cos((2 * Math.PI * (localHour(ts, climate.utcOffsetHours) - 16)) / 24);
  return climate.waterTempMeanC + seasonal + daily + env.tempOu;
}

/** UVT [%] of the water reaching the reactor. */
export function waterUvt(env: EnvRuntime, climate: SiteClimate, ts: number): number {
  const seasonal = -climate.uvtSeasonalAmpPct * Math.cos((2 * Math.PI * (dayOfYear(ts) - climate.wetSeasonPeakDoy)) / YEAR_DAYS);
  const solids = env.tssMultiplier > 1 ? 1.5 * Math.log(env.tssMultiplier) : 0;
  return Math.min(99.5, Math.max(45, climate.uvtMeanPct + seasonal + env.uvtOu - env.rainUvt - solids));
}

/** Raw (pre-filter) turbidity [NTU]. */
export function rawTurbidity(env: EnvRuntime, climate: SiteClimate): number {
  return climate.rawTurbidityNtu * Math.exp(env.turbOu) * (1 + env.rainTurb) * env.tssMultiplier;
}

/** Suspended solids from turbidity: TSS [mg/L = g/m³] ≈ 1.5 × NTU (estimate). */
export function tssFromTurbidity(ntu: number): number {
  return 1.5 * ntu;
}

/** Water demand drawn from the treated-water tank [m³/h]. */
export function demand(env: EnvRuntime, climate: SiteClimate, ts: number, meanM3h: number): number {
  const weekend = localWeekday(ts, climate.utcOffsetHours);
  const dayFactor = weekend === 0 || weekend === 6 ? 0.85 : 1.04;
  return Math.max(0, meanM3h * demandProfile(localHour(ts, climate.utcOffsetHours)) * dayFactor * Math.exp(env.demandOu));
}
