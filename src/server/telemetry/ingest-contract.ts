/**
 * The one ingest contract (contracts.md "HTTP ingest" and "MQTT"), shared by `POST /api/ingest` and
 * the MQTT worker: content type and encoding -> decoded bytes (4 MiB cap) -> raw items -> validated
 * readings, all-or-nothing. Pure and synchronous; no I/O, no framework imports.
 *
 * A reading (JSON, NDJSON line, MQTT):
 *   { "metric": "flow_rate", "value": 9.8, "ts"?: "2026-11-27T10:00:00.000Z" | <epoch ms>, "component"?: "pump-1", "unit"?: "m3/h" }
 * - `ts` numbers are epoch MILLISECONDS (fractions rounded to the ms); strings are ISO-8601 with a
 *   zone (`Z` or an offset); digits past the millisecond are dropped. Absent or null: `now`.
 * - `component` absent or null: the system-level series.
 * - `value` is a finite number; `true`/`false` only for boolean metrics (stored as 1/0), which also
 *   accept only 0 and 1.
 * - `unit` is optional; when given (or sent as SenML `u`/`bu`) it must be the metric's unit.
 * - Any other field is ignored (devices may add metadata), except that `timestamp`/`time` without a
 *   `ts` is refused: silently storing such a reading at the receive time would lose history.
 *
 * Hand-written checks rather than zod on the hot path: one precise message per field, and the full
 * rules (catalogue, range, time window) run faster than a zod schema checks the shape alone.
 *
 * Hostile bodies are bounded by the 4 MiB decoded cap: the worst JSON for V8 to parse at that size
 * (about a million nested arrays) takes on the order of a second of CPU, against ~25 ms for 4 MiB of
 * readings; a nesting pre-scan would cost ~half a parse on every honest request, so there is none.
 */
import { gunzipSync } from "node:zlib";

export const MAX_DECODED_BYTES = 4 * 1024 * 1024;
/** A reading may be at most this far ahead of the server clock (contracts.md). */
export const MAX_FUTURE_MS = 5 * 60 * 1000;
/** At most this many item errors are returned; a final note counts the rest. */
export const MAX_ITEM_ERRORS = 100;
/** Gzip bodies larger than this cannot decode to 4 MiB or less (stored blocks add < 0.1 %). */
export const MAX_ENCODED_BYTES = MAX_DECODED_BYTES + 64 * 1024;

const DAY_MS = 86_400_000;
// the range of a JavaScript Date
const MAX_EPOCH_MS = 8.64e15;
const ACCEPTED_TYPES = "application/json, application/x-ndjson or application/senml+json";
const TOO_LARGE = `body over ${MAX_DECODED_BYTES / 1024 / 1024} MiB decoded`;

export type IngestRequestStatus = 400 | 413 | 415;

/** A problem with the request as a whole (the items were never looked at). */
export class IngestRequestError extends Error {
  constructor(
    readonly status: IngestRequestStatus,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "IngestRequestError";
  }
}

export type BodyFormat = "json" | "ndjson" | "senml";

export type ItemErrorField = "metric" | "value" | "ts" | "component" | "unit" | "body";

/** One rejected item. `index` is its position in the request (0-based; -1: not one item). */
export interface ItemError {
  index: number;
  field: ItemErrorField;
  message: string;
}

export interface IngestMetric {
  id: number;
  min: number;
  max: number;
  rawRetentionDays: number;
  /** "gauge" | "counter" | "boolean"; only "boolean" changes validation. */
  kind?: string;
  /** For messages and the optional unit check; without it units are not checked. */
  unit?: string;
}

export interface IngestCatalogue {
  metric(key: string): IngestMetric | undefined;
  /** The component id for a code within the device's system. */
  component(code: string): string | undefined;
}

export interface ValidReading {
  metricId: number;
  componentId: string | null;
  /** epoch milliseconds, integer */
  ts: number;
  value: number;
}

export type ValidationResult = { ok: true; readings: ValidReading[] } | { ok: false; errors: ItemError[] };

export type IngestResult =
  | { ok: true; readings: ValidReading[] }
  | { ok: false; status: IngestRequestStatus; error?: { code: string; message: string }; errors?: ItemError[] };

/** An in-memory catalogue (tests, imports, caches that hold plain lists). */
export function createIngestCatalogue(
  metrics: Iterable<IngestMetric & { key: string }>,
  components: Iterable<{ id: string; code: string }>,
): IngestCatalogue {
  const m = new Map<string, IngestMetric>();
  for (const x of metrics) m.set(x.key, x);
  const c = new Map<string, string>();
  for (const x of components) c.set(x.code, x.id);
  return { metric: (key) => m.get(key), component: (code) => c.get(code) };
}

// ---------------------------------------------------------------------------------------------
// Content type and encoding

export function bodyFormatOf(contentType: string | null): BodyFormat {
  if (contentType === null || contentType.trim() === "") {
    throw new IngestRequestError(415, "unsupported_media_type", `Content-Type is missing; send ${ACCEPTED_TYPES}`);
  }
  const [type = "", ...params] = contentType.split(";");
  const mediaType = type.trim().toLowerCase();
  const format: BodyFormat | undefined =
    mediaType === "application/json" ? "json" : mediaType === "application/x-ndjson" ? "ndjson" : mediaType === "application/senml+json" ? "senml" : undefined;
  if (!format) {
    throw new IngestRequestError(415, "unsupported_media_type", `unsupported Content-Type ${quote(mediaType)}; send ${ACCEPTED_TYPES}`);
  }
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const charset = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    // JSON is UTF-8 (RFC 8259 §8.1); decoding another charset as UTF-8 would corrupt names.
    if (charset !== "utf-8" && charset !== "utf8") {
      throw new IngestRequestError(415, "unsupported_media_type", `unsupported charset ${quote(charset)}; bodies must be UTF-8`);
    }
  }
  return format;
}

/** Undoes Content-Encoding (gzip or none), refusing anything over 4 MiB decoded without inflating it all. */
export function decodeBody(body: Buffer, contentEncoding: string | null): Buffer {
  const codings = (contentEncoding ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0) {
    if (body.length > MAX_DECODED_BYTES) throw new IngestRequestError(413, "too_large", TOO_LARGE);
    return body;
  }
  // RFC 9110 §8.4.1.3: a recipient SHOULD treat x-gzip as gzip.
  if (codings.length > 1 || (codings[0] !== "gzip" && codings[0] !== "x-gzip")) {
    throw new IngestRequestError(415, "unsupported_encoding", `unsupported Content-Encoding ${quote(contentEncoding ?? "")}; send gzip or no encoding`);
  }
  if (body.length > MAX_ENCODED_BYTES) throw new IngestRequestError(413, "too_large", TOO_LARGE);
  try {
    // maxOutputLength stops inflating at the cap, so a gzip bomb costs milliseconds.
    return gunzipSync(body, { maxOutputLength: MAX_DECODED_BYTES });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new IngestRequestError(413, "too_large", TOO_LARGE);
    throw new IngestRequestError(400, "bad_gzip", `body is not valid gzip: ${(err as Error).message}`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes -> text; invalid UTF-8 is refused rather than replaced. A leading BOM is dropped. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new IngestRequestError(400, "bad_json", "body is not valid UTF-8");
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

const NOT_BLANK = /\S/;

/**
 * Text -> raw items, one per reading position in the request. JSON: a reading, an array of readings
 * or {"readings":[...]}; NDJSON: one reading per non-empty line; SenML: a pack resolved per RFC 8428.
 * `errors` holds SenML records that could not be resolved; their `items[index]` is undefined.
 * Whole-body problems throw IngestRequestError (400).
 */
export function parseBody(format: BodyFormat, text: string, now: number): { items: unknown[]; errors: ItemError[] } {
  if (!NOT_BLANK.test(text)) {
    throw new IngestRequestError(400, "bad_body", "body is empty; send a reading, an array of readings or {\"readings\":[...]}");
  }
  if (format === "ndjson") return { items: parseNdjson(text), errors: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new IngestRequestError(400, "bad_json", `body is not valid JSON: ${clip((err as Error).message, 200)}`);
  }
  if (format === "senml") return resolveSenml(doc, Math.floor(now));
  if (Array.isArray(doc)) return { items: doc, errors: [] };
  if (isObject(doc)) {
    if (!("readings" in doc)) return { items: [doc], errors: [] };
    if (Array.isArray(doc.readings)) return { items: doc.readings, errors: [] };
    throw new IngestRequestError(400, "bad_body", `"readings" must be an array of readings, got ${typeName(doc.readings)}`);
  }
  throw new IngestRequestError(400, "bad_body", `expected a reading, an array of readings or {"readings":[...]}, got ${typeName(doc)}`);
}

function parseNdjson(text: string): unknown[] {
  const items: unknown[] = [];
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line += 1;
    const raw = text.slice(start, end);
    start = end + 1;
    if (!NOT_BLANK.test(raw)) continue;
    try {
      items.push(JSON.parse(raw));
    } catch (err) {
      throw new IngestRequestError(400, "bad_json", `line ${line} (reading ${items.length}) is not valid JSON: ${clip((err as Error).message, 200)}`);
    }
  }
  return items;
}

// RFC 8428 §4.5.1: resolved names use A-Z a-z 0-9 - : . / _ and start with a letter or digit.
const SENML_NAME = /^[A-Za-z0-9][A-Za-z0-9\-:./_]*$/;
// §4.5.3: resolved times below 2^28 s are relative to now; larger ones are seconds since the epoch.
const SENML_RELATIVE_LIMIT_S = 2 ** 28;
// §4.4: the version this server implements; a pack with a higher bver must not be used.
const SENML_VERSION = 10;

/**
 * Resolves a SenML pack (RFC 8428 §4.6): base fields apply to their record and every later one until
 * replaced; name = bn + n, time = bt + t, value = bv + v, unit = u or else bu. Each resolved record
 * becomes { metric, component?, ts (epoch ms), value (number, or the boolean of vb), unit? }.
 */
function resolveSenml(doc: unknown, now: number): { items: unknown[]; errors: ItemError[] } {
  if (!Array.isArray(doc)) {
    throw new IngestRequestError(400, "bad_body", `a SenML pack is a JSON array of records (RFC 8428 §4), got ${typeName(doc)}`);
  }
  const items: unknown[] = new Array(doc.length);
  const errors: ItemError[] = [];
  let bn = "";
  let bt = 0;
  let bv = 0;
  let bu: string | undefined;
  let bver = SENML_VERSION;

  const fail = (index: number, field: ItemErrorField, message: string) => errors.push({ index, field, message });

  for (let i = 0; i < doc.length; i++) {
    const rec: unknown = doc[i];
    if (!isObject(rec)) {
      fail(i, "body", `SenML record must be an object, got ${typeName(rec)}`);
      continue;
    }
    const problem = checkSenmlLabels(rec);
    if (problem) {
      fail(i, problem.field, problem.message);
      continue;
    }
    const r = rec as SenmlRecord;
    if (r.bver !== undefined) bver = r.bver;
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    if (r.bv !== undefined) bv = r.bv;
    if (r.bu !== undefined) bu = r.bu;

    if (!Number.isInteger(bver) || bver < 1) {
      fail(i, "body", `SenML bver must be a positive integer, got ${bver}`);
      continue;
    }
    if (bver > SENML_VERSION) {
      fail(i, "body", `SenML version ${bver} is not supported (this server implements version ${SENML_VERSION}, RFC 8428)`);
      continue;
    }

    const name = r.n === undefined ? bn : bn + r.n;
    if (!SENML_NAME.test(name)) {
      fail(i, "metric", name === "" ? 'SenML record has no name (bn + n); use "metric" or "component/metric"' : `SenML name ${quote(name)} is not a valid name (RFC 8428 §4.5.1)`);
      continue;
    }
    const slash = name.indexOf("/");
    if (slash >= 0 && (slash === name.length - 1 || name.indexOf("/", slash + 1) >= 0)) {
      fail(i, "metric", `SenML name ${quote(name)} must be "metric" or "component/metric"`);
      continue;
    }

    if (r.s !== undefined) {
      fail(i, "value", "SenML sums (s) are not supported; send the value as v");
      continue;
    }
    const valueCount = (r.v !== undefined ? 1 : 0) + (r.vb !== undefined ? 1 : 0) + (r.vs !== undefined ? 1 : 0) + (r.vd !== undefined ? 1 : 0);
    if (valueCount !== 1) {
      const labels = (["v", "vb", "vs", "vd"] as const).filter((k) => r[k] !== undefined).join(", ");
      fail(i, "value", valueCount === 0 ? "SenML record has no value; send v (number) or vb (boolean)" : `SenML record has several values (${labels}); send exactly one`);
      continue;
    }
    let value: number | boolean;
    if (r.v !== undefined) value = bv + r.v;
    else if (r.vb !== undefined) value = r.vb;
    else {
      fail(i, "value", `SenML ${r.vs !== undefined ? "string (vs)" : "data (vd)"} values are not supported; send v (number) or vb (boolean)`);
      continue;
    }

    const time = r.t === undefined ? bt : bt + r.t;
    const ts = time < SENML_RELATIVE_LIMIT_S ? now + Math.round(time * 1000) : Math.round(time * 1000);
    if (!(Math.abs(ts) <= MAX_EPOCH_MS)) {
      fail(i, "ts", `SenML time ${time} s is out of range`);
      continue;
    }

    const unit = r.u ?? bu;
    const item: Record<string, unknown> = slash >= 0 ? { metric: name.slice(slash + 1), component: name.slice(0, slash), ts, value } : { metric: name, ts, value };
    if (unit !== undefined) item.unit = unit;
    items[i] = item;
  }
  return { items, errors };
}

/** A SenML record whose known labels have their RFC 8428 §4.3 types (checked by checkSenmlLabels). */
interface SenmlRecord {
  bn?: string;
  bt?: number;
  bu?: string;
  bv?: number;
  bs?: number;
  bver?: number;
  n?: string;
  u?: string;
  v?: number;
  vs?: string;
  vb?: boolean;
  vd?: string;
  s?: number;
  t?: number;
  ut?: number;
}

/**
 * One pass over a record's labels: the types of RFC 8428 §4.3 (numbers finite: 1e400 parses to
 * Infinity), and no must-understand label (ending in "_", §4.4) since this server knows none.
 */
function checkSenmlLabels(rec: Record<string, unknown>): { field: ItemErrorField; message: string } | undefined {
  for (const label in rec) {
    const v = rec[label];
    let want: "string" | "number" | "boolean";
    let field: ItemErrorField;
    switch (label) {
      case "bn":
      case "n":
        want = "string";
        field = "metric";
        break;
      case "bu":
      case "u":
        want = "string";
        field = "unit";
        break;
      case "vs":
      case "vd":
        want = "string";
        field = "value";
        break;
      case "bt":
      case "t":
        want = "number";
        field = "ts";
        break;
      case "bv":
      case "bs":
      case "v":
      case "s":
        want = "number";
        field = "value";
        break;
      case "bver":
      case "ut":
        want = "number";
        field = "body";
        break;
      case "vb":
        want = "boolean";
        field = "value";
        break;
      default:
        if (label.endsWith("_")) return { field: "body", message: `SenML field ${quote(label)} must be understood (RFC 8428 §4.4) and is not supported` };
        continue; // other labels are ignored (§4.4)
    }
    if (want === "number" ? typeof v === "number" && Number.isFinite(v) : typeof v === want) continue;
    const expected = want === "number" ? "a finite number" : want === "boolean" ? "true or false" : "a string";
    return { field, message: `SenML ${label} must be ${expected}, got ${typeName(v)}` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation

// SenML unit symbols (RFC 8428 §12.1) that name a catalogue unit differently.
const UNIT_ALIASES = new Map([["Cel", "degC"]]);

/** Two ASCII digits at i as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function notIsoTime(s: string): string {
  return `ts ${quote(s)} is not an ISO-8601 time such as 2026-11-27T10:00:00.000Z, nor epoch milliseconds`;
}

/**
 * `YYYY-MM-DD[T|t| ]hh:mm[:ss[.fraction]]` then `Z` or `±hh[[:]mm]` -> epoch ms (fraction cut to the
 * millisecond), or a message saying what is wrong. Hand-written: a regex and Date.UTC cost several
 * times more per reading, and timestamps are in almost every reading. No closures on this path: tsx
 * (the worker's runtime) wraps each one created in a defineProperty call.
 */
function parseIsoTime(s: string): number | string {
  const n = s.length;
  const sep = s.charCodeAt(10);
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  if (n < 16 || century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0) return notIsoTime(s);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 116 && sep !== 32) || s.charCodeAt(13) !== 58) return notIsoTime(s);
  const year = century * 100 + yy;
  let second = 0;
  let ms = 0;
  let p = 16;
  if (s.charCodeAt(p) === 58 /* : */) {
    second = twoDigits(s, p + 1);
    if (second < 0) return notIsoTime(s);
    p += 3;
    const c = s.charCodeAt(p);
    if (c === 46 || c === 44 /* . or , */) {
      const start = ++p;
      while (p < n && p - start < 9) {
        const d = s.charCodeAt(p) - 48;
        if (d < 0 || d > 9) break;
        if (p - start < 3) ms = ms * 10 + d;
        p++;
      }
      const digits = p - start;
      if (digits === 0) return notIsoTime(s);
      if (digits === 1) ms *= 100;
      else if (digits === 2) ms *= 10;
    }
  }
  let offsetMin = 0;
  const z = s.charCodeAt(p);
  if (p === n) return `ts ${quote(s)} has no time zone; add Z or an offset such as +01:00`;
  if (z === 90 || z === 122 /* Z or z */) {
    if (p + 1 !== n) return notIsoTime(s);
  } else if (z === 43 || z === 45 /* + or - */) {
    const oh = twoDigits(s, p + 1);
    let om = 0;
    p += 3;
    if (p < n) {
      if (s.charCodeAt(p) === 58) p++;
      om = twoDigits(s, p);
      p += 2;
    }
    if (oh < 0 || om < 0 || p !== n) return notIsoTime(s);
    if (oh > 23 || om > 59) return `ts ${quote(s)} has an invalid zone offset`;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return notIsoTime(s);
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (month < 1 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) {
    return `ts ${quote(s)} is not a valid date and time`;
  }
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute - offsetMin) * 60 + second) * 1000 + ms;
}

const iso = (ms: number) => new Date(ms).toISOString();

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "string":
      return `a string (${quote(v)})`;
    case "number":
      return `the number ${String(v)}`;
    case "boolean":
      return `a boolean (${String(v)})`;
    case "object":
      return "an object";
    default:
      return typeof v;
  }
}

/** A user string for a message: JSON-quoted, at most 64 characters. */
function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks every item against the catalogue. All-or-nothing: any error and no reading is returned.
 * Errors come in request order, at most MAX_ITEM_ERRORS plus a final note (index -1) counting the rest.
 */
export function validateReadings(items: unknown[], catalogue: IngestCatalogue, now: number): ValidationResult {
  const r = checkItems(items, catalogue, now);
  return r.errorCount === 0 ? { ok: true, readings: r.readings } : { ok: false, errors: withNote(r.errors, r.errorCount) };
}

function withNote(errors: ItemError[], total: number): ItemError[] {
  if (total <= errors.length) return errors;
  return [...errors, { index: -1, field: "body", message: `${total - errors.length} more errors not listed (${total} in all; the first ${errors.length} are shown)` }];
}

/** Validates items[i] for every i not in `skip`; keeps the first MAX_ITEM_ERRORS errors and counts all. */
function checkItems(
  items: unknown[],
  catalogue: IngestCatalogue,
  now: number,
  skip?: ReadonlySet<number>,
): { readings: ValidReading[]; errors: ItemError[]; errorCount: number } {
  const nowMs = Math.floor(now);
  const latest = nowMs + MAX_FUTURE_MS;
  const readings: ValidReading[] = [];
  const errors: ItemError[] = [];
  let errorCount = 0;
  // Readings of one batch usually share timestamps; remember the last ISO string parsed.
  let lastIso: string | undefined;
  let lastIsoMs = 0;

  const fail = (index: number, field: ItemErrorField, message: string) => {
    errorCount += 1;
    if (errors.length < MAX_ITEM_ERRORS) errors.push({ index, field, message });
  };

  for (let i = 0; i < items.length; i++) {
    if (skip?.has(i)) continue;
    const item = items[i];
    if (!isObject(item)) {
      fail(i, "body", `reading must be an object such as {"metric":"flow_rate","value":9.8}, got ${typeName(item)}`);
      continue;
    }

    const key = item.metric;
    if (typeof key !== "string") {
      fail(i, "metric", key === undefined ? "metric is required" : `metric must be a string, got ${typeName(key)}`);
      continue;
    }
    const metric = catalogue.metric(key);
    if (!metric) {
      fail(i, "metric", `unknown metric ${quote(key)}`);
      continue;
    }

    const raw = item.value;
    let value: number;
    if (typeof raw === "number") {
      if (!Number.isFinite(raw)) {
        fail(i, "value", `value must be a finite number, got ${String(raw)}`);
        continue;
      }
      value = raw;
    } else if (typeof raw === "boolean" && metric.kind === "boolean") {
      value = raw ? 1 : 0;
    } else {
      const hint = typeof raw === "boolean" ? " (true/false only for boolean metrics)" : "";
      fail(i, "value", raw === undefined ? "value is required" : `value must be a number${hint}, got ${typeName(raw)}`);
      continue;
    }
    if (!(value >= metric.min && value <= metric.max)) {
      const unit = metric.unit && metric.unit !== "bool" ? ` ${metric.unit}` : "";
      fail(i, "value", `value ${value} is outside the valid range of ${key}: ${metric.min} to ${metric.max}${unit}`);
      continue;
    }
    if (metric.kind === "boolean" && value !== 0 && value !== 1) {
      fail(i, "value", `${key} is boolean: send true/false or 0/1, got ${value}`);
      continue;
    }

    const unit = item.unit;
    if (unit !== undefined && unit !== null && metric.unit !== undefined) {
      if (typeof unit !== "string") {
        fail(i, "unit", `unit must be a string, got ${typeName(unit)}`);
        continue;
      }
      if (unit !== metric.unit && UNIT_ALIASES.get(unit) !== metric.unit) {
        fail(i, "unit", `unit ${quote(unit)} is not the unit of ${key} (${metric.unit}); values are not converted`);
        continue;
      }
    }

    const rawTs = item.ts;
    let ts: number;
    if (rawTs === undefined || rawTs === null) {
      if (item.timestamp !== undefined || item.time !== undefined) {
        fail(i, "ts", `send the reading time as "ts" (got "${item.timestamp !== undefined ? "timestamp" : "time"}")`);
        continue;
      }
      ts = nowMs;
    } else if (typeof rawTs === "number") {
      if (!Number.isFinite(rawTs) || Math.abs(rawTs) > MAX_EPOCH_MS) {
        fail(i, "ts", `ts must be epoch milliseconds, got ${String(rawTs)}`);
        continue;
      }
      ts = Math.round(rawTs);
    } else if (typeof rawTs === "string") {
      if (rawTs === lastIso) ts = lastIsoMs;
      else {
        const parsed = parseIsoTime(rawTs);
        if (typeof parsed === "string") {
          fail(i, "ts", parsed);
          continue;
        }
        lastIso = rawTs;
        lastIsoMs = ts = parsed;
      }
    } else {
      fail(i, "ts", `ts must be an ISO-8601 string with a zone or epoch milliseconds, got ${typeName(rawTs)}`);
      continue;
    }
    if (ts > latest) {
      fail(i, "ts", `ts ${iso(ts)} is more than 5 minutes ahead of the server clock (${iso(nowMs)})`);
      continue;
    }
    const oldest = Math.max(nowMs - metric.rawRetentionDays * DAY_MS, -MAX_EPOCH_MS);
    if (ts < oldest) {
      // Epoch seconds sent as a number land in 1970: say so.
      const hint = typeof rawTs === "number" && rawTs > 0 && rawTs < 1e11 ? "; ts numbers are epoch milliseconds, this looks like seconds" : "";
      fail(i, "ts", `ts ${iso(ts)} is older than the ${metric.rawRetentionDays}-day raw retention of ${key} (oldest accepted ${iso(oldest)})${hint}`);
      continue;
    }

    const code = item.component;
    let componentId: string | null = null;
    if (code !== undefined && code !== null) {
      if (typeof code !== "string") {
        fail(i, "component", `component must be a component code such as "pump-1", got ${typeName(code)}`);
        continue;
      }
      const id = catalogue.component(code);
      if (id === undefined) {
        fail(i, "component", `unknown component ${quote(code)} in this system`);
        continue;
      }
      componentId = id;
    }

    if (errorCount === 0) readings.push({ metricId: metric.id, componentId, ts, value });
  }

  return { readings, errors, errorCount };
}

// ---------------------------------------------------------------------------------------------
// Both transports

/**
 * Content type -> decoded body -> items -> readings. Never throws for bad input: whole-request
 * problems come back as `error`, item problems as `errors` (status 400, nothing to store).
 * MQTT passes contentType "application/json" and contentEncoding null.
 */
export function parseIngestRequest(input: {
  body: Buffer;
  contentType: string | null;
  contentEncoding: string | null;
  now: number;
  catalogue: IngestCatalogue;
}): IngestResult {
  let parsed: { items: unknown[]; errors: ItemError[] };
  try {
    const format = bodyFormatOf(input.contentType);
    const bytes = decodeBody(input.body, input.contentEncoding);
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      throw new IngestRequestError(400, "bad_json", "body is gzip data; send it with Content-Encoding: gzip");
    }
    parsed = parseBody(format, decodeText(bytes), input.now);
  } catch (err) {
    if (err instanceof IngestRequestError) return { ok: false, status: err.status, error: { code: err.code, message: err.message } };
    throw err;
  }

  // SenML records that did not resolve have no item: skip them and merge their errors in request order.
  const skip = parsed.errors.length > 0 ? new Set(parsed.errors.map((e) => e.index)) : undefined;
  const r = checkItems(parsed.items, input.catalogue, input.now, skip);
  const total = r.errorCount + parsed.errors.length;
  if (total === 0) return { ok: true, readings: r.readings };
  const errors = skip ? [...parsed.errors, ...r.errors].sort((a, b) => a.index - b.index).slice(0, MAX_ITEM_ERRORS) : r.errors;
  return { ok: false, status: 400, errors: withNote(errors, total) };
}
