// Display helpers for telemetry: units as people write them, numbers at a readable precision,
// times in the site's time zone.

const UNIT_LABELS: Record<string, string> = {
  m3: "m³",
  "m3/h": "m³/h",
  degC: "°C",
  "W/m2": "W/m²",
  bool: "",
};

export function unitLabel(unit: string): string {
  return UNIT_LABELS[unit] ?? unit;
}

/** Metric kinds as stored in the catalogue. */
export type MetricKind = "gauge" | "counter" | "boolean";

/** A value with about 3–4 significant digits (counters keep every whole unit). */
export function formatValue(value: number, kind: MetricKind = "gauge"): string {
  if (!Number.isFinite(value)) return "—";
  if (kind === "boolean") return value >= 0.5 ? "On" : "Off";
  const abs = Math.abs(value);
  const digits = kind === "counter" ? (abs >= 100 ? 0 : 1) : abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Axis tick labels: as short as the spread of the ticks allows. */
export function formatTick(value: number, step: number): string {
  const decimals = step >= 1 || step === 0 ? 0 : Math.min(6, Math.ceil(-Math.log10(step)));
  return value.toLocaleString("en-GB", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withDate}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      ...(withDate ? { day: "2-digit", month: "short" } : {}),
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(key, f);
  }
  return f;
}

/** "14:03:07" today, "27 Nov, 14:03:07" otherwise, in the site's time zone. */
export function formatTimestamp(ts: number, timeZone: string, now: number): string {
  const sameDay = Math.abs(now - ts) < 12 * 3_600_000;
  return formatter(timeZone, !sameDay).format(ts);
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

const axisFormatters = new Map<string, Intl.DateTimeFormat>();

function axisFormatter(timeZone: string, style: "seconds" | "minutes" | "day" | "month"): Intl.DateTimeFormat {
  const key = `${timeZone}|${style}`;
  let f = axisFormatters.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      style === "seconds"
        ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }
        : style === "minutes"
          ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
          : style === "day"
            ? { day: "numeric", month: "short" }
            : { month: "short", year: "numeric" };
    f = new Intl.DateTimeFormat("en-GB", { timeZone, ...opts });
    axisFormatters.set(key, f);
  }
  return f;
}

/** A time-axis tick in the site's zone, 24-hour clock: seconds, minutes (the date at midnight), days or months by tick spacing. */
export function formatAxisTime(ts: number, stepMs: number, timeZone: string): string {
  if (stepMs < 60_000) return axisFormatter(timeZone, "seconds").format(ts);
  if (stepMs < 86_400_000) {
    const hm = axisFormatter(timeZone, "minutes").format(ts);
    return hm === "00:00" ? axisFormatter(timeZone, "day").format(ts) : hm;
  }
  if (stepMs < 28 * 86_400_000) return axisFormatter(timeZone, "day").format(ts);
  return axisFormatter(timeZone, "month").format(ts);
}
