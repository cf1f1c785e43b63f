import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BUILT_IN_METRICS } from "@/lib/metric-catalogue";
import {
  MAX_DECODED_BYTES,
  MAX_ITEM_ERRORS,
  IngestRequestError,
  bodyFormatOf,
  createIngestCatalogue,
  decodeBody,
  parseBody,
  parseIngestRequest,
  validateReadings,
  type IngestResult,
  type ItemError,
  type ValidReading,
} from "@/server/telemetry/ingest-contract";

const NOW = Date.parse("2026-11-27T10:00:00.000Z");
const NOW_S = NOW / 1000;
const DAY = 86_400_000;
const metricIds = new Map(BUILT_IN_METRICS.map((m, i) => [m.key, i + 1]));
const idOf = (key: string) => metricIds.get(key) ?? -1;
const COMPONENTS = [
  { id: "c-pump", code: "pump-1" },
  { id: "c-uv", code: "uv-1" },
  { id: "c-filter", code: "filter-1" },
];
const catalogue = createIngestCatalogue(
  BUILT_IN_METRICS.map((m) => ({ id: idOf(m.key), key: m.key, min: m.min, max: m.max, unit: m.unit, kind: m.kind, rawRetentionDays: 400 })),
  COMPONENTS,
);

const JSON_TYPE = "application/json";
const NDJSON_TYPE = "application/x-ndjson";
const SENML_TYPE = "application/senml+json";

function ingest(body: string | Buffer, contentType: string | null = JSON_TYPE, contentEncoding: string | null = null): IngestResult {
  return parseIngestRequest({ body: typeof body === "string" ? Buffer.from(body) : body, contentType, contentEncoding, now: NOW, catalogue });
}

function readingsOf(result: IngestResult): ValidReading[] {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.readings;
}

function errorsOf(result: IngestResult): ItemError[] {
  if (result.ok || !result.errors) throw new Error(`expected item errors, got ${JSON.stringify(result)}`);
  expect(result.status).toBe(400);
  return result.errors;
}

function requestErrorOf(result: IngestResult): { status: number; code: string; message: string } {
  if (result.ok || !result.error) throw new Error(`expected a request error, got ${JSON.stringify(result)}`);
  return { status: result.status, ...result.error };
}

/** The one error of a one-reading JSON array; a string is sent as the raw body. */
function oneError(reading: unknown): ItemError {
  const errors = errorsOf(ingest(typeof reading === "string" ? reading : JSON.stringify([reading])));
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

function thrown(fn: () => unknown): IngestRequestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IngestRequestError) return err;
    throw err;
  }
  throw new Error("expected an IngestRequestError");
}

describe("bodyFormatOf", () => {
  it("maps the three accepted media types, with parameters and any case", () => {
    expect(bodyFormatOf("application/json")).toBe("json");
    expect(bodyFormatOf("Application/JSON; charset=utf-8")).toBe("json");
    expect(bodyFormatOf('application/json;charset="UTF-8"')).toBe("json");
    expect(bodyFormatOf("application/x-ndjson")).toBe("ndjson");
    expect(bodyFormatOf("application/senml+json; charset=utf8")).toBe("senml");
  });

  it.each([null, "", "text/plain", "application/xml", "application/jsonx", "application/senml+cbor", "multipart/form-data; boundary=x"])(
    "refuses %j with 415 listing the accepted types",
    (type) => {
      const err = thrown(() => bodyFormatOf(type));
      expect(err.status).toBe(415);
      expect(err.code).toBe("unsupported_media_type");
      expect(err.message).toContain("application/json, application/x-ndjson or application/senml+json");
    },
  );

  it("refuses a charset other than UTF-8", () => {
    const err = thrown(() => bodyFormatOf("application/json; charset=iso-8859-1"));
    expect([err.status, err.message]).toEqual([415, 'unsupported charset "iso-8859-1"; bodies must be UTF-8']);
  });
});

describe("decodeBody", () => {
  const text = '{"metric":"flow_rate","value":1}';

  it("passes identity bodies through and inflates gzip", () => {
    expect(decodeBody(Buffer.from(text), null).toString()).toBe(text);
    expect(decodeBody(Buffer.from(text), "identity").toString()).toBe(text);
    expect(decodeBody(gzipSync(text), "gzip").toString()).toBe(text);
    expect(decodeBody(gzipSync(text), " GZIP ").toString()).toBe(text);
    expect(decodeBody(gzipSync(text), "x-gzip").toString()).toBe(text);
    expect(decodeBody(Buffer.concat([gzipSync("[1,"), gzipSync("2]")]), "gzip").toString()).toBe("[1,2]");
  });

  it.each(["br", "deflate", "gzip, br", "compress"])("refuses Content-Encoding %j with 415", (enc) => {
    const err = thrown(() => decodeBody(gzipSync(text), enc));
    expect([err.status, err.code]).toEqual([415, "unsupported_encoding"]);
    expect(err.message).toContain("send gzip or no encoding");
  });

  it("refuses broken gzip with 400 bad_gzip", () => {
    const gz = gzipSync(text);
    for (const broken of [Buffer.from("not gzip at all"), gz.subarray(0, gz.length - 6), Buffer.alloc(0), Buffer.concat([gz, Buffer.from("trailing")])]) {
      const err = thrown(() => decodeBody(broken, "gzip"));
      expect([err.status, err.code]).toEqual([400, "bad_gzip"]);
    }
  });

  it("accepts exactly 4 MiB decoded and refuses one byte more with 413", () => {
    expect(decodeBody(Buffer.alloc(MAX_DECODED_BYTES, 32), null)).toHaveLength(MAX_DECODED_BYTES);
    expect(decodeBody(gzipSync(Buffer.alloc(MAX_DECODED_BYTES, 32)), "gzip")).toHaveLength(MAX_DECODED_BYTES);
    for (const [body, enc] of [
      [Buffer.alloc(MAX_DECODED_BYTES + 1, 32), null],
      [gzipSync(Buffer.alloc(MAX_DECODED_BYTES + 1, 32)), "gzip"],
    ] as const) {
      const err = thrown(() => decodeBody(body, enc));
      expect([err.status, err.code, err.message]).toEqual([413, "too_large", "body over 4 MiB decoded"]);
    }
  });

  it("refuses a gzip bomb at the cap (64 MiB of zeros in ~64 KiB)", () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(80 * 1024);
    const result = ingest(bomb, JSON_TYPE, "gzip");
    expect(requestErrorOf(result)).toEqual({ status: 413, code: "too_large", message: "body over 4 MiB decoded" });
  });
});

describe("JSON bodies", () => {
  const r1 = { metric: "flow_rate", value: 9.8, ts: "2026-11-27T09:59:00.000Z", component: "pump-1" };
  const r2 = { metric: "power", value: 1.5 };
  const expected: ValidReading[] = [
    { metricId: idOf("flow_rate"), componentId: "c-pump", ts: NOW - 60_000, value: 9.8 },
    { metricId: idOf("power"), componentId: null, ts: NOW, value: 1.5 },
  ];

  it("accepts a reading, an array of readings and {readings:[...]}", () => {
    expect(readingsOf(ingest(JSON.stringify(r1)))).toEqual([expected[0]]);
    expect(readingsOf(ingest(JSON.stringify([r1, r2])))).toEqual(expected);
    expect(readingsOf(ingest(JSON.stringify({ readings: [r1, r2] })))).toEqual(expected);
    expect(readingsOf(ingest("[]"))).toEqual([]);
  });

  it("accepts gzip, a BOM and an MQTT payload (JSON, no encoding)", () => {
    expect(readingsOf(ingest(gzipSync(JSON.stringify([r1, r2])), "application/json; charset=utf-8", "gzip"))).toEqual(expected);
    expect(readingsOf(ingest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(r2))])))).toEqual([expected[1]]);
    const mqtt = parseIngestRequest({ body: Buffer.from(JSON.stringify({ readings: [r1] })), contentType: JSON_TYPE, contentEncoding: null, now: NOW, catalogue });
    expect(readingsOf(mqtt)).toEqual([expected[0]]);
  });

  it("ignores unknown fields", () => {
    expect(readingsOf(ingest(JSON.stringify({ ...r2, quality: "good", seq: 12, meta: { a: [1, 2] } })))).toEqual([expected[1]]);
  });

  it("refuses whole-body problems with one error and a code", () => {
    const cases: [string, string, RegExp][] = [
      ["", "bad_body", /body is empty/],
      ["  \n ", "bad_body", /body is empty/],
      ['{"metric":"flow_rate","value":1', "bad_json", /^body is not valid JSON: .*position/],
      ['{"metric":"flow_rate","value":NaN}', "bad_json", /^body is not valid JSON: /],
      ["[1,2,]", "bad_json", /^body is not valid JSON: /],
      ["42", "bad_body", /got the number 42/],
      ['"flow_rate"', "bad_body", /got a string \("flow_rate"\)/],
      ["null", "bad_body", /got null/],
      ['{"readings":{"metric":"flow_rate"}}', "bad_body", /"readings" must be an array of readings, got an object/],
    ];
    for (const [body, code, message] of cases) {
      const e = requestErrorOf(ingest(body));
      expect([e.status, e.code]).toEqual([400, code]);
      expect(e.message).toMatch(message);
    }
  });

  it("refuses invalid UTF-8 and gzip data sent without Content-Encoding", () => {
    expect(requestErrorOf(ingest(Buffer.from([0x5b, 0xff, 0xfe, 0x5d])))).toMatchObject({ status: 400, code: "bad_json", message: "body is not valid UTF-8" });
    expect(requestErrorOf(ingest(gzipSync("[]")))).toMatchObject({ status: 400, code: "bad_json", message: "body is gzip data; send it with Content-Encoding: gzip" });
  });

  it("survives deep nesting: refused, bounded by the 4 MiB cap", () => {
    const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    expect(errorsOf(ingest(deep))).toEqual([{ index: 0, field: "body", message: 'reading must be an object such as {"metric":"flow_rate","value":9.8}, got an array' }]);
    expect(requestErrorOf(ingest("[".repeat(MAX_DECODED_BYTES)))).toMatchObject({ status: 400, code: "bad_json" });
    expect(requestErrorOf(ingest('{"a":'.repeat(500_000), SENML_TYPE))).toMatchObject({ status: 400, code: "bad_json" });
  });
});

describe("NDJSON bodies", () => {
  it("takes one reading per non-empty line (LF or CRLF)", () => {
    const body = '{"metric":"flow_rate","value":1}\r\n\n  \n{"metric":"power","value":2,"component":"pump-1"}\n';
    expect(readingsOf(ingest(body, NDJSON_TYPE))).toEqual([
      { metricId: idOf("flow_rate"), componentId: null, ts: NOW, value: 1 },
      { metricId: idOf("power"), componentId: "c-pump", ts: NOW, value: 2 },
    ]);
  });

  it("names the line of malformed JSON", () => {
    const body = '{"metric":"flow_rate","value":1}\n\n{"metric":"power","value":}\n';
    const e = requestErrorOf(ingest(body, NDJSON_TYPE));
    expect([e.status, e.code]).toEqual([400, "bad_json"]);
    expect(e.message).toMatch(/^line 3 \(reading 1\) is not valid JSON: /);
  });

  it("indexes item errors by reading position and refuses non-object lines", () => {
    const body = '{"metric":"flow_rate","value":1}\n\n[{"metric":"power","value":2}]\n{"metric":"nope","value":1}';
    expect(errorsOf(ingest(body, NDJSON_TYPE))).toEqual([
      { index: 1, field: "body", message: 'reading must be an object such as {"metric":"flow_rate","value":9.8}, got an array' },
      { index: 2, field: "metric", message: 'unknown metric "nope"' },
    ]);
  });
});

describe("SenML bodies (RFC 8428)", () => {
  const senml = (pack: unknown) => ingest(JSON.stringify(pack), SENML_TYPE);

  it("resolves a single datapoint without time to now (§5.1.1 shape) and maps Cel to degC", () => {
    expect(readingsOf(senml([{ n: "water_temperature", u: "Cel", v: 23.1 }]))).toEqual([
      { metricId: idOf("water_temperature"), componentId: null, ts: NOW, value: 23.1 },
    ]);
  });

  it("concatenates base name and name into component/metric (§4.5.1)", () => {
    const pack = [
      { bn: "pump-1/", n: "pump_pressure", u: "bar", v: 3.2 },
      { n: "pump_speed", v: 80 },
      { bn: "", n: "uv-1/uvt", v: 91.5 },
      { bn: "filter-1/filter_", n: "dp", v: 0.4 },
    ];
    expect(readingsOf(senml(pack))).toEqual([
      { metricId: idOf("pump_pressure"), componentId: "c-pump", ts: NOW, value: 3.2 },
      { metricId: idOf("pump_speed"), componentId: "c-pump", ts: NOW, value: 80 },
      { metricId: idOf("uvt"), componentId: "c-uv", ts: NOW, value: 91.5 },
      { metricId: idOf("filter_dp"), componentId: "c-filter", ts: NOW, value: 0.4 },
    ]);
  });

  it("adds base time to time: absolute seconds at or above 2^28, relative to now below (§4.5.3)", () => {
    // the §5.1.3 shape: bn, absolute bt, bu on the first record, then records with t offsets
    const pack = [
      { bn: "uv-1/", bt: NOW_S - 120, bu: "W/m2", n: "uv_intensity", v: 20 },
      { n: "uv_intensity", t: 60, v: 20.3 },
      { n: "uv_intensity", t: 120.0015, v: 20.7 },
    ];
    expect(readingsOf(senml(pack)).map((r) => r.ts)).toEqual([NOW - 120_000, NOW - 60_000, NOW + 2]);
    const relative = [
      { n: "flow_rate", t: -5, v: 1 },
      { n: "flow_rate", t: 0, v: 1 },
      { bt: -120, n: "flow_rate", t: 60, v: 1 },
      { bt: 0, n: "flow_rate", t: 240, v: 1 },
    ];
    expect(readingsOf(senml(relative)).map((r) => r.ts)).toEqual([NOW - 5000, NOW, NOW - 60_000, NOW + 240_000]);
    const { items } = parseBody("senml", JSON.stringify([{ n: "flow_rate", t: 2 ** 28 - 1, v: 1 }, { n: "flow_rate", t: 2 ** 28, v: 1 }]), NOW);
    expect(items).toEqual([
      { metric: "flow_rate", ts: NOW + (2 ** 28 - 1) * 1000, value: 1 },
      { metric: "flow_rate", ts: 2 ** 28 * 1000, value: 1 },
    ]);
  });

  it("adds base value to value and applies bu unless u is given", () => {
    expect(readingsOf(senml([{ bv: 10, n: "flow_rate", v: 0.5 }, { n: "flow_rate", v: -2 }])).map((r) => r.value)).toEqual([10.5, 8]);
    const { items } = parseBody("senml", JSON.stringify([{ bu: "bar", n: "filter_dp", v: 1 }, { n: "pump_pressure", u: "%", v: 1 }]), NOW);
    expect(items).toEqual([
      { metric: "filter_dp", ts: NOW, value: 1, unit: "bar" },
      { metric: "pump_pressure", ts: NOW, value: 1, unit: "%" },
    ]);
    expect(errorsOf(senml([{ bu: "bar", n: "filter_dp", v: 1 }, { n: "pump_pressure", u: "%", v: 1 }]))).toEqual([
      { index: 1, field: "unit", message: 'unit "%" is not the unit of pump_pressure (bar); values are not converted' },
    ]);
  });

  it("takes vb for boolean metrics as 1/0 and refuses it for others", () => {
    expect(readingsOf(senml([{ bn: "uv-1/", n: "lamp_on", vb: true }, { n: "lamp_on", vb: false, t: -1 }]))).toEqual([
      { metricId: idOf("lamp_on"), componentId: "c-uv", ts: NOW, value: 1 },
      { metricId: idOf("lamp_on"), componentId: "c-uv", ts: NOW - 1000, value: 0 },
    ]);
    expect(errorsOf(senml([{ n: "flow_rate", vb: true }]))).toEqual([
      { index: 0, field: "value", message: "value must be a number (true/false only for boolean metrics), got a boolean (true)" },
    ]);
  });

  it("accepts bver 10 and refuses higher versions for that record and the following ones (§4.4)", () => {
    expect(readingsOf(senml([{ bver: 10, n: "flow_rate", v: 1 }]))).toHaveLength(1);
    expect(errorsOf(senml([{ n: "flow_rate", v: 1 }, { bver: 11, n: "flow_rate", v: 1 }, { n: "power", v: 1 }]))).toEqual([
      { index: 1, field: "body", message: "SenML version 11 is not supported (this server implements version 10, RFC 8428)" },
      { index: 2, field: "body", message: "SenML version 11 is not supported (this server implements version 10, RFC 8428)" },
    ]);
    expect(errorsOf(senml([{ bver: 1.5, n: "flow_rate", v: 1 }]))[0]?.message).toBe("SenML bver must be a positive integer, got 1.5");
  });

  it("refuses records it cannot resolve, each with its index", () => {
    const pack = [
      { n: "flow_rate", v: 1 },
      { n: "flow_rate", vs: "high" },
      { n: "flow_rate", vd: "aGkgCg" },
      { n: "energy", s: 12 },
      { n: "flow_rate" },
      { n: "flow_rate", v: 1, vb: true },
      { n: "flow rate", v: 1 },
      { v: 1 },
      { bn: "a/b/", n: "flow_rate", v: 1 },
      { bn: "", n: "pump-1/", v: 1 },
      { n: 5, v: 1 },
      { n: "flow_rate", v: "1" },
      { n: "flow_rate", t: "now", v: 1 },
      { n: "flow_rate", v: 1, foo_: 1 },
      "record",
      { n: "flow_rate", vb: "yes" },
      { n: "flow_rate", bt: 1e300, v: 1 },
      { n: "flow_rate", v: null },
    ];
    expect(errorsOf(senml(pack))).toEqual([
      { index: 1, field: "value", message: "SenML string (vs) values are not supported; send v (number) or vb (boolean)" },
      { index: 2, field: "value", message: "SenML data (vd) values are not supported; send v (number) or vb (boolean)" },
      { index: 3, field: "value", message: "SenML sums (s) are not supported; send the value as v" },
      { index: 4, field: "value", message: "SenML record has no value; send v (number) or vb (boolean)" },
      { index: 5, field: "value", message: "SenML record has several values (v, vb); send exactly one" },
      { index: 6, field: "metric", message: 'SenML name "flow rate" is not a valid name (RFC 8428 §4.5.1)' },
      { index: 7, field: "metric", message: 'SenML record has no name (bn + n); use "metric" or "component/metric"' },
      { index: 8, field: "metric", message: 'SenML name "a/b/flow_rate" must be "metric" or "component/metric"' },
      { index: 9, field: "metric", message: 'SenML name "pump-1/" must be "metric" or "component/metric"' },
      { index: 10, field: "metric", message: "SenML n must be a string, got the number 5" },
      { index: 11, field: "value", message: 'SenML v must be a finite number, got a string ("1")' },
      { index: 12, field: "ts", message: 'SenML t must be a finite number, got a string ("now")' },
      { index: 13, field: "body", message: 'SenML field "foo_" must be understood (RFC 8428 §4.4) and is not supported' },
      { index: 14, field: "body", message: 'SenML record must be an object, got a string ("record")' },
      { index: 15, field: "value", message: 'SenML vb must be true or false, got a string ("yes")' },
      { index: 16, field: "ts", message: "SenML time 1e+300 s is out of range" },
      { index: 17, field: "value", message: "SenML v must be a finite number, got null" },
    ]);
  });

  it("merges resolution errors and validation errors in request order", () => {
    const pack = [{ n: "nope", v: 1 }, { n: "flow_rate", vs: "x" }, { n: "pump-9/flow_rate", v: 1 }, { n: "flow_rate", v: 101 }];
    expect(errorsOf(senml(pack)).map((e) => [e.index, e.field])).toEqual([
      [0, "metric"],
      [1, "value"],
      [2, "component"],
      [3, "value"],
    ]);
  });

  it("refuses a pack that is not an array, and ignores unknown labels", () => {
    expect(requestErrorOf(senml({ n: "flow_rate", v: 1 }))).toMatchObject({ status: 400, code: "bad_body", message: "a SenML pack is a JSON array of records (RFC 8428 §4), got an object" });
    expect(readingsOf(senml([{ n: "flow_rate", v: 1, ut: 60, extra: "x" }]))).toHaveLength(1);
  });
});

describe("validateReadings", () => {
  it.each<[string, unknown, ItemError]>([
    ["a non-object", 5, { index: 0, field: "body", message: 'reading must be an object such as {"metric":"flow_rate","value":9.8}, got the number 5' }],
    ["a missing metric", { value: 1 }, { index: 0, field: "metric", message: "metric is required" }],
    ["a non-string metric", { metric: 3, value: 1 }, { index: 0, field: "metric", message: "metric must be a string, got the number 3" }],
    ["an unknown metric", { metric: "flowrate", value: 1 }, { index: 0, field: "metric", message: 'unknown metric "flowrate"' }],
    ["a missing value", { metric: "flow_rate" }, { index: 0, field: "value", message: "value is required" }],
    ["a string value", { metric: "flow_rate", value: "9.8" }, { index: 0, field: "value", message: 'value must be a number, got a string ("9.8")' }],
    ["a null value", { metric: "flow_rate", value: null }, { index: 0, field: "value", message: "value must be a number, got null" }],
    ["1e400", '[{"metric":"flow_rate","value":1e400}]', { index: 0, field: "value", message: "value must be a finite number, got Infinity" }],
    ["a boolean for a gauge", { metric: "flow_rate", value: true }, { index: 0, field: "value", message: "value must be a number (true/false only for boolean metrics), got a boolean (true)" }],
    ["a value above the range", { metric: "flow_rate", value: 100.5 }, { index: 0, field: "value", message: "value 100.5 is outside the valid range of flow_rate: 0 to 100 m3/h" }],
    ["a value below the range", { metric: "water_temperature", value: -5.1 }, { index: 0, field: "value", message: "value -5.1 is outside the valid range of water_temperature: -5 to 60 degC" }],
    ["a fractional boolean", { metric: "lamp_on", value: 0.5 }, { index: 0, field: "value", message: "lamp_on is boolean: send true/false or 0/1, got 0.5" }],
    ["a wrong unit", { metric: "power", value: 1, unit: "W" }, { index: 0, field: "unit", message: 'unit "W" is not the unit of power (kW); values are not converted' }],
    ["a ts without zone", { metric: "power", value: 1, ts: "2026-11-27T10:00:00" }, { index: 0, field: "ts", message: 'ts "2026-11-27T10:00:00" has no time zone; add Z or an offset such as +01:00' }],
    ["a date-only ts", { metric: "power", value: 1, ts: "2026-11-27" }, { index: 0, field: "ts", message: 'ts "2026-11-27" is not an ISO-8601 time such as 2026-11-27T10:00:00.000Z, nor epoch milliseconds' }],
    ["an impossible date", { metric: "power", value: 1, ts: "2026-02-29T10:00:00Z" }, { index: 0, field: "ts", message: 'ts "2026-02-29T10:00:00Z" is not a valid date and time' }],
    ["a boolean ts", { metric: "power", value: 1, ts: true }, { index: 0, field: "ts", message: "ts must be an ISO-8601 string with a zone or epoch milliseconds, got a boolean (true)" }],
    ["a huge ts", { metric: "power", value: 1, ts: 1e300 }, { index: 0, field: "ts", message: "ts must be epoch milliseconds, got 1e+300" }],
    ["a ts in the future", { metric: "power", value: 1, ts: NOW + 300_001 }, { index: 0, field: "ts", message: "ts 2026-11-27T10:05:00.001Z is more than 5 minutes ahead of the server clock (2026-11-27T10:00:00.000Z)" }],
    ["a ts past retention", { metric: "power", value: 1, ts: "2025-10-22T09:59:59.999Z" }, { index: 0, field: "ts", message: "ts 2025-10-22T09:59:59.999Z is older than the 400-day raw retention of power (oldest accepted 2025-10-23T10:00:00.000Z)" }],
    ["epoch seconds", { metric: "power", value: 1, ts: NOW_S }, { index: 0, field: "ts", message: "ts 1970-01-21T18:49:33.600Z is older than the 400-day raw retention of power (oldest accepted 2025-10-23T10:00:00.000Z); ts numbers are epoch milliseconds, this looks like seconds" }],
    ["a timestamp field", { metric: "power", value: 1, timestamp: NOW }, { index: 0, field: "ts", message: 'send the reading time as "ts" (got "timestamp")' }],
    ["an unknown component", { metric: "power", value: 1, component: "pump-9" }, { index: 0, field: "component", message: 'unknown component "pump-9" in this system' }],
    ["a numeric component", { metric: "power", value: 1, component: 1 }, { index: 0, field: "component", message: 'component must be a component code such as "pump-1", got the number 1' }],
  ])("refuses %s", (_name, reading, error) => {
    expect(oneError(reading)).toEqual(error);
  });

  it("accepts range and time boundaries", () => {
    const items = [
      { metric: "flow_rate", value: 0 },
      { metric: "flow_rate", value: 100 },
      { metric: "water_temperature", value: -5 },
      { metric: "power", value: 1, ts: NOW + 300_000 },
      { metric: "power", value: 1, ts: NOW - 400 * DAY },
      { metric: "lamp_on", value: true },
      { metric: "lamp_on", value: false },
      { metric: "lamp_on", value: 1 },
      { metric: "power", value: 1, unit: "kW", component: null, ts: null },
    ];
    const result = validateReadings(items, catalogue, NOW);
    expect(result.ok && result.readings.map((r) => [r.ts - NOW, r.value])).toEqual([
      [0, 0],
      [0, 100],
      [0, -5],
      [300_000, 1],
      [-400 * DAY, 1],
      [0, 1],
      [0, 0],
      [0, 1],
      [0, 1],
    ]);
  });

  it("reads ISO-8601 with zones and offsets to the millisecond, and epoch ms numbers", () => {
    const ts = (t: unknown) => {
      const result = validateReadings([{ metric: "power", value: 1, ts: t }], catalogue, NOW);
      return result.ok ? result.readings[0]?.ts : result.errors[0]?.message;
    };
    expect(ts("2026-11-27T10:00:00Z")).toBe(NOW);
    expect(ts("2026-11-27t09:59:30.5z")).toBe(NOW - 29_500);
    expect(ts("2026-11-27T11:00:00.000+01:00")).toBe(NOW);
    expect(ts("2026-11-27T05:30+0000")).toBe(NOW - 4.5 * 3_600_000);
    expect(ts("2026-11-27T04:30:00-05:30")).toBe(NOW);
    expect(ts("2026-11-27T09:59:59.123999999Z")).toBe(NOW - 877);
    expect(ts("2026-11-27 10:00:00Z")).toBe(NOW);
    expect(ts(NOW - 1.6)).toBe(NOW - 2);
    expect(ts("2026-11-27T10:00:00+24:00")).toBe('ts "2026-11-27T10:00:00+24:00" has an invalid zone offset');
    const leapNow = Date.parse("2024-03-01T00:00:00Z");
    expect(validateReadings([{ metric: "power", value: 1, ts: "2024-02-29T10:00:00Z" }], catalogue, leapNow)).toMatchObject({ ok: true, readings: [{ ts: leapNow - 14 * 3_600_000 }] });
    expect(ts("2026-11-27T24:00:00Z")).toBe('ts "2026-11-27T24:00:00Z" is not a valid date and time');
  });

  it("reads 5,000 random ISO-8601 times from year 1 to 9999 in any offset exactly as Date does", () => {
    const rand = mulberry32(8428);
    const forever = createIngestCatalogue([{ id: 1, key: "power", min: 0, max: 100, rawRetentionDays: 5_000_000 }], []);
    const future = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const pad = (n: number, w: number) => String(Math.abs(n)).padStart(w, "0");
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(-62_135_596_800_000 + rand() * (future - 14 * 3_600_000 + 62_135_596_800_000));
      const offsetMin = (Math.floor(rand() * 113) - 56) * 15; // -14:00 .. +14:00
      const local = new Date(t + offsetMin * 60_000).toISOString().slice(0, 23);
      const fraction = rand() < 0.5 ? local.slice(19) : `${local.slice(19)}${String(Math.floor(rand() * 1e6))}`;
      const zone = offsetMin === 0 && rand() < 0.5 ? "Z" : `${offsetMin < 0 ? "-" : "+"}${pad(Math.trunc(offsetMin / 60), 2)}:${pad(offsetMin % 60, 2)}`;
      const text = `${local.slice(0, 19)}${fraction}${zone}`;
      const result = validateReadings([{ metric: "power", value: 1, ts: text }], forever, future);
      if (!result.ok || result.readings[0]?.ts !== t) throw new Error(`${text}: expected ${t}, got ${JSON.stringify(result)}`);
    }
  });

  it("is all-or-nothing and reports every bad item with its index", () => {
    const items = [
      { metric: "flow_rate", value: 1 },
      { metric: "flow_rate", value: -1 },
      { metric: "power", value: 2 },
      { metric: "power", value: 2, component: "x" },
    ];
    const result = validateReadings(items, catalogue, NOW);
    expect(result).toEqual({
      ok: false,
      errors: [
        { index: 1, field: "value", message: "value -1 is outside the valid range of flow_rate: 0 to 100 m3/h" },
        { index: 3, field: "component", message: 'unknown component "x" in this system' },
      ],
    });
  });

  it(`returns at most ${MAX_ITEM_ERRORS} errors and a note counting the rest`, () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ metric: "flow_rate", value: i % 2 === 0 ? 1 : 1000 }));
    const result = validateReadings(items, catalogue, NOW);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toHaveLength(MAX_ITEM_ERRORS + 1);
    expect(result.errors[0]?.index).toBe(1);
    expect(result.errors[MAX_ITEM_ERRORS - 1]?.index).toBe(199);
    expect(result.errors[MAX_ITEM_ERRORS]).toEqual({ index: -1, field: "body", message: "25 more errors not listed (125 in all; the first 100 are shown)" });
  });

  it("keeps messages short for huge strings", () => {
    const error = oneError({ metric: "m".repeat(1_000_000), value: 1 });
    expect(error.message).toBe(`unknown metric "${"m".repeat(64)}…"`);
  });
});

describe("parseIngestRequest", () => {
  it("reports content-type, encoding and size problems as request errors", () => {
    expect(requestErrorOf(ingest("[]", "text/csv"))).toMatchObject({ status: 415, code: "unsupported_media_type" });
    expect(requestErrorOf(ingest("[]", null))).toMatchObject({ status: 415, code: "unsupported_media_type" });
    expect(requestErrorOf(ingest("[]", JSON_TYPE, "br"))).toMatchObject({ status: 415, code: "unsupported_encoding" });
    expect(requestErrorOf(ingest("[]", JSON_TYPE, "gzip"))).toMatchObject({ status: 400, code: "bad_gzip" });
    expect(requestErrorOf(ingest(Buffer.alloc(MAX_DECODED_BYTES + 1, 32)))).toMatchObject({ status: 413, code: "too_large" });
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz: generated malformed bodies must each be refused with a 4xx and a reason; mutated bodies must
// never throw, and anything accepted must satisfy every rule.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("fuzz", () => {
  const rand = mulberry32(0xec0_2026);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const metricKeys = BUILT_IN_METRICS.map((m) => m.key);
  const bounds = new Map(BUILT_IN_METRICS.map((m) => [idOf(m.key), m]));
  const componentIds = new Set(COMPONENTS.map((c) => c.id));

  const validReading = () => {
    const key = pick(metricKeys.filter((k) => k !== "lamp_on"));
    const m = BUILT_IN_METRICS.find((x) => x.key === key)!;
    const r: Record<string, unknown> = { metric: key, value: m.min + rand() * Math.min(m.max - m.min, 1000) };
    if (rand() < 0.5) r.ts = rand() < 0.5 ? NOW - int(DAY) : new Date(NOW - int(DAY)).toISOString();
    if (rand() < 0.5) r.component = pick(COMPONENTS).code;
    return r;
  };
  const validBody = (n = 1 + int(5)) => Array.from({ length: n }, validReading);

  const wrongTypes: [string, unknown[]][] = [
    ["metric", [null, 1, true, [], {}, ["flow_rate"]]],
    ["value", [null, "1", [], {}, [1], true, false, "NaN"]],
    ["ts", [true, {}, [], "yesterday", "2026-11-27T10:00:00", "1764237600000", -1e20]],
    ["component", [1, true, [], {}, "pump-99", ""]],
  ];

  /** Bodies that are wrong; the string names the generator for failure messages. */
  const malformed: (() => [string, Buffer, string, string | null])[] = [
    () => {
      const text = JSON.stringify(validBody());
      return ["truncated JSON", Buffer.from(text.slice(0, 1 + int(text.length - 1))), JSON_TYPE, null];
    },
    () => {
      const body = validBody();
      const [field, values] = pick(wrongTypes);
      if (field === "value") body[int(body.length)]!.metric = "flow_rate";
      body[int(body.length)]![field] = pick(values);
      return [`wrong type for ${field}`, Buffer.from(JSON.stringify(body)), JSON_TYPE, null];
    },
    () => {
      const token = pick(["NaN", "Infinity", "-Infinity", "undefined", "0x10", "+1", ".5", "1.", "01"]);
      return [`token ${token}`, Buffer.from(`[{"metric":"flow_rate","value":${token}}]`), pick([JSON_TYPE, NDJSON_TYPE]), null];
    },
    () => {
      const where = pick(["value", "ts"]);
      return [`1e400 in ${where}`, Buffer.from(`{"metric":"power","value":${where === "value" ? "1e400" : "1"},"ts":${where === "ts" ? "-1e400" : NOW}}`), JSON_TYPE, null];
    },
    () => {
      const depth = 65 + int(50_000);
      const open = pick(["[", '{"a":', '{"readings":[']);
      return [`nesting ${depth}`, Buffer.from(open.repeat(depth)), pick([JSON_TYPE, NDJSON_TYPE, SENML_TYPE]), null];
    },
    () => {
      const bytes = Buffer.alloc(16 + int(2000));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
      bytes[0] = 0x21 + int(0x5e); // never starts with whitespace
      return ["random bytes", bytes, pick([JSON_TYPE, NDJSON_TYPE, SENML_TYPE]), pick([null, "gzip"])];
    },
    () => {
      // an invalid body inside, so that accepting it would also be a failure
      const gz = gzipSync(JSON.stringify([{ metric: "nope", value: 1 }, ...validBody()]));
      const broken = Buffer.from(gz);
      const how = int(3);
      if (how === 0) return ["truncated gzip", broken.subarray(0, 1 + int(gz.length - 2)), JSON_TYPE, "gzip"];
      if (how === 1) {
        broken[10 + int(broken.length - 10)]! ^= 1 << int(8);
        return ["bit-flipped gzip", broken, JSON_TYPE, "gzip"];
      }
      return ["gzip without header", broken.subarray(10), JSON_TYPE, "gzip"];
    },
    () => {
      const huge = pick(["metric", "component", "ts"]);
      const r: Record<string, unknown> = { metric: "flow_rate", value: 1 };
      r[huge] = "x".repeat(1_000 + int(rand() < 0.1 ? 3_000_000 : 100_000));
      return [`huge ${huge}`, Buffer.from(JSON.stringify(r)), JSON_TYPE, null];
    },
    () => {
      const body = validBody(2 + int(20));
      const bad = pick<Record<string, unknown>>([
        { metric: "flow_rate", value: 100 + 1e-9 + rand() * 1e6 },
        { metric: "flow_rate", value: -rand() - 1e-9 },
        { metric: pick(metricKeys) + "_x", value: 1 },
        { metric: "power", value: 1, ts: NOW + 300_001 + int(1e9) },
        { metric: "power", value: 1, ts: NOW - 401 * DAY - int(1e9) },
        { metric: "lamp_on", value: 2 },
        { metric: "power", value: 1, unit: "W" },
      ]);
      body.splice(int(body.length + 1), 0, bad);
      return ["one bad reading among good ones", Buffer.from(JSON.stringify({ readings: body })), JSON_TYPE, pick([null, "gzip"])];
    },
    () => {
      const recs = [
        { n: 1, v: 1 },
        { n: "flow_rate", v: "x" },
        { n: "flow_rate", bt: "now", v: 1 },
        { n: "flow_rate", vs: "a" },
        { n: "flow_rate", s: 1 },
        { n: "flow_rate", v: 1, bver: 99 },
        { bn: "x/y/", n: "flow_rate", v: 1 },
        { n: "flow_rate", t: -1e12, v: 1 },
        { n: "flow_rate", t: 1e12, v: 1 },
        null,
      ];
      const pack = [...validBody().map((r) => ({ n: r.metric, v: r.value })), pick(recs)];
      return ["bad SenML record", Buffer.from(JSON.stringify(pack)), SENML_TYPE, null];
    },
    () => [pick(["not an array SenML", "empty", "blank NDJSON"]), Buffer.from(pick(['{"n":"flow_rate","v":1}', "", "\n\n  \n"])), pick([SENML_TYPE, JSON_TYPE, NDJSON_TYPE]), null],
    () => [
      "wrong content type or encoding",
      Buffer.from(JSON.stringify(validBody())),
      pick(["text/plain", "application/cbor", "application/senml+cbor", "", "application/json; charset=latin1"]),
      pick([null, "br"]),
    ],
  ];

  const assertSound = (readings: ValidReading[], label: string) => {
    for (const r of readings) {
      const m = bounds.get(r.metricId);
      const sound =
        m !== undefined &&
        Number.isFinite(r.value) &&
        r.value >= m.min &&
        r.value <= m.max &&
        (m.kind !== "boolean" || r.value === 0 || r.value === 1) &&
        Number.isInteger(r.ts) &&
        r.ts <= NOW + 300_000 &&
        r.ts >= NOW - 400 * DAY &&
        (r.componentId === null || componentIds.has(r.componentId));
      if (!sound) throw new Error(`${label}: accepted an unsound reading ${JSON.stringify(r)}`);
    }
  };

  it("refuses 3,000 generated malformed bodies with a 4xx and a reason, never throwing", () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const [label, body, contentType, encoding] = pick(malformed)();
      seen.set(label.split(" ")[0]!, (seen.get(label.split(" ")[0]!) ?? 0) + 1);
      let result: IngestResult;
      try {
        result = ingest(encoding === "gzip" && !label.includes("gzip") ? gzipSync(body) : body, contentType, encoding);
      } catch (err) {
        throw new Error(`case ${i} (${label}) threw: ${(err as Error).message}`);
      }
      if (result.ok) throw new Error(`case ${i} (${label}) was accepted: ${body.subarray(0, 200).toString()}`);
      expect([400, 413, 415]).toContain(result.status);
      const reasons = result.error ? [result.error.message] : (result.errors ?? []).map((e) => e.message);
      if (reasons.length === 0 || reasons.some((m) => m.length === 0 || m.length > 400)) throw new Error(`case ${i} (${label}) has no usable reason`);
    }
    expect(seen.size).toBeGreaterThan(10);
  }, 60_000);

  it("never throws on 3,000 byte-mutated bodies and accepts only sound readings", () => {
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const format = pick(["json", "ndjson", "senml"] as const);
      const body = validBody();
      const text =
        format === "json"
          ? JSON.stringify(rand() < 0.5 ? body : { readings: body })
          : format === "ndjson"
            ? body.map((r) => JSON.stringify(r)).join("\n")
            : JSON.stringify(body.map((r) => ({ bn: r.component ? `${String(r.component)}/` : "", n: r.metric, v: r.value, t: typeof r.ts === "number" ? r.ts / 1000 : -int(1000) })));
      const bytes = Buffer.from(text);
      for (let k = 1 + int(4); k > 0; k--) {
        const at = int(bytes.length);
        const op = int(3);
        if (op === 0) bytes[at] = int(256);
        else if (op === 1) bytes[at] = pick([0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x30, 0x2d, 0x65, 0x2e, 0x5c]);
        else bytes[at] = 0x30 + int(10);
      }
      const type = format === "json" ? JSON_TYPE : format === "ndjson" ? NDJSON_TYPE : SENML_TYPE;
      const result = ingest(bytes, type);
      if (result.ok) {
        accepted += 1;
        assertSound(result.readings, `mutation ${i} of ${text}`);
      } else {
        expect([400, 413, 415]).toContain(result.status);
      }
    }
    // the mutations are small, so some bodies stay valid: both paths are exercised
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(2900);
  }, 60_000);
});
