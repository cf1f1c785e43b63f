// How a prediction reads on the order page: risk as a percentage, remaining life in days with its
// range, the inputs in words. Pure, so the wording is tested without a browser.

const HOURS_PER_DAY = 24;

/** 0.834 → "83 %"; tiny and near-certain risks are not rounded to a flat 0 % or 100 %. */
export function formatRisk(score: number): string {
  if (!Number.isFinite(score)) return "unknown";
  const pct = score * 100;
  if (pct > 0 && pct < 1) return "< 1 %";
  if (pct > 99 && pct < 100) return "> 99 %";
  return `${Math.round(Math.min(100, Math.max(0, pct)))} %`;
}

/** Hours as days: "18 h" under a day, "3.5 days" under ten, "12 days" beyond. */
export function formatDays(hours: number): string {
  if (hours <= 0) return "0 days";
  if (hours < HOURS_PER_DAY) return `${Math.max(1, Math.round(hours))} h`;
  const days = hours / HOURS_PER_DAY;
  const shown = days < 10 ? (Math.round(days * 10) / 10).toString() : Math.round(days).toString();
  return `${shown} ${shown === "1" ? "day" : "days"}`;
}

/**
 * Remaining life with its range: "≈ 5 days (3.1 to 9.8 days)". A null bound means the limit is never
 * reached at that end of the slope's interval.
 */
export function formatRemainingLife(rulHours: number | null, lowHours: number | null, highHours: number | null): string {
  if (rulHours === null) return "not heading towards the limit at the current trend";
  if (rulHours <= 0) return "at or past the limit now";
  const main = `≈ ${formatDays(rulHours)}`;
  if (lowHours !== null && highHours !== null) return `${main} (${formatDays(lowHours)} to ${formatDays(highHours)})`;
  if (lowHours !== null) return `${main} (${formatDays(lowHours)} or more)`;
  if (highHours !== null) return `${main} (up to ${formatDays(highHours)})`;
  return main;
}

/** "83 % within 14 days" (the horizon is what the risk is about). */
export function formatRiskWithin(score: number, horizonHours: number | null): string {
  return horizonHours && horizonHours > 0 ? `${formatRisk(score)} within ${formatDays(horizonHours)}` : formatRisk(score);
}

/** A limit in the metric's unit as people write it: "1 bar", "40 mW/cm²", "40" without a unit. */
export function formatLimit(limit: number, unit: string | null): string {
  const value = limit.toLocaleString("en-GB", { maximumFractionDigits: 3 });
  // the catalogue writes units in ASCII (m3/h, mW/cm2, degC)
  return unit ? `${value} ${unit.replace(/m3/g, "m³").replace(/m2/g, "m²").replace(/^degC$/, "°C")}` : value;
}

/** One stored input as text: numbers to four significant digits, booleans as yes/no. */
export function formatInputValue(value: string | number | boolean | null): string {
  if (value === null) return "–";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-GB") : Number(value.toPrecision(4)).toLocaleString("en-GB", { maximumFractionDigits: 6 });
  return value;
}
