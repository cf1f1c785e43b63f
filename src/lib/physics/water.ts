// Water properties and unit conversions shared by the pump, filter and UV models (domain.md §1.1, §3.1).

/** Density of water [kg/m³] (domain.md §2.2 uses 1000). */
export const WATER_DENSITY = 1000;
/** Standard gravity [m/s²]. */
export const GRAVITY = 9.81;

/** Dynamic viscosity of water [Pa·s] at `tempC` (Vogel form, domain.md §3.1 [P10]). */
export function waterViscosityPaS(tempC: number): number {
  return 2.414e-5 * 10 ** (247.8 / (tempC + 273.15 - 140));
}

const VISCOSITY_20C = waterViscosityPaS(20);
// One-entry memo: the simulator and the sliders ask for the same temperature many times in a row.
let memoTempC = NaN;
let memoRatio = NaN;

/** μ(T)/μ(20 °C) [-]: scales laminar losses such as cartridge ΔP (≈ 1.30 at 10 °C). */
export function viscosityRatio(tempC: number): number {
  if (tempC !== memoTempC) {
    memoRatio = waterViscosityPaS(tempC) / VISCOSITY_20C;
    memoTempC = tempC;
  }
  return memoRatio;
}

/** Head of water [m] -> pressure [bar]. */
export function headToBar(headM: number): number {
  return (WATER_DENSITY * GRAVITY * headM) / 1e5;
}

/** Pressure [bar] -> head of water [m]. */
export function barToHead(bar: number): number {
  return (bar * 1e5) / (WATER_DENSITY * GRAVITY);
}

/** m³/h -> cm³/s (the dose formulas work in cm and s). */
export function m3hToCm3s(flowM3h: number): number {
  return (flowM3h * 1e6) / 3600;
}

// UVT below this is treated as this: it keeps α finite (UVT 0.1 % is opaque for any reactor).
const MIN_UVT_PCT = 0.1;

/** Decadic absorbance per cm at 254 nm from UVT [%] (1 cm path): A = 2 − log10(UVT%) [S37]. */
export function absorbanceFromUvt(uvtPct: number): number {
  const uvt = Math.min(100, Math.max(MIN_UVT_PCT, uvtPct));
  return 2 - Math.log10(uvt);
}

/** Natural-log absorption coefficient α [1/cm] = ln(10)·A (Beer–Lambert). */
export function absorptionCoefficient(uvtPct: number): number {
  return Math.LN10 * absorbanceFromUvt(uvtPct);
}

/** UVT [%] from decadic absorbance per cm: UVT = 100·10^(−A) [S29]. */
export function uvtFromAbsorbance(absorbance: number): number {
  return 100 * 10 ** -absorbance;
}
