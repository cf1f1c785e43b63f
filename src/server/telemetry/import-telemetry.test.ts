import { describe, expect, it } from "vitest";
import { BUILT_IN_METRICS } from "@/lib/metric-catalogue";
import { createIngestCatalogue } from "@/server/telemetry/ingest-contract";
import {
  ImportRejectedError,
  convertRow,
  detectDelimiter,
  parseValueCell,
  planImport,
  tsCellValue,
  valueCellProblem,
  type ImportLayout,
  type RowSink,
} from "@/server/telemetry/import-telemetry";

const catalogue = createIngestCatalogue(
  BUILT_IN_METRICS.map((m, i) => ({ id: i + 1, key: m.key, min: m.min, max: m.max, unit: m.unit, kind: m.kind, rawRetentionDays: 400 })),
  [
    { id: "c-pump", code: "pump-1" },
    { id: "c-uv", code: "uv-1" },
  ],
);
const plan = (header: string[], timeColumn?: string) => planImport(header, catalogue, { systemCode: "NBG-01", timeColumn });

function headerProblems(header: string[], timeColumn?: string): string[] {
  try {
    plan(header, timeColumn);
  } catch (err) {
    if (err instanceof ImportRejectedError) return err.problems.map((p) => `${p.column ?? "-"}: ${p.message}`);
    throw err;
  }
  throw new Error("expected the header to be refused");
}

function convert(layout: ImportLayout, fields: string[], delimiter: "," | ";" = ",") {
  const items: unknown[] = [];
  const problems: string[] = [];
  const sink: RowSink = {
    item: (item, line, column) => items.push({ ...item, line, column }),
    problem: (line, column, message) => problems.push(`${line}:${column ?? "-"} ${message}`),
  };
  const isRow = convertRow(layout, fields, 7, delimiter, sink);
  return { isRow, items, problems };
}

describe("detectDelimiter", () => {
  it("takes ; when the header has more of them than commas, ignoring quoted text", () => {
    expect(detectDelimiter("ts,metric,value")).toBe(",");
    expect(detectDelimiter("ts;metric;value")).toBe(";");
    expect(detectDelimiter('"a;b;c",flow_rate')).toBe(",");
    expect(detectDelimiter('time;"x,y";flow_rate')).toBe(";");
    expect(detectDelimiter("single")).toBe(",");
  });
});

describe("planImport", () => {
  it("detects the long format by its metric and value columns, in any order", () => {
    expect(plan(["ts", "metric", "value"])).toMatchObject({ format: "long", time: 0, metric: 1, value: 2, component: -1, unit: -1 });
    expect(plan(["ts", "component", "metric", "value"])).toMatchObject({ format: "long", time: 0, component: 1, metric: 2, value: 3 });
    expect(plan([" value ", "metric", "time"], "time")).toMatchObject({ format: "long", time: 2, metric: 1, value: 0 });
  });

  it("reads a wide header: the first column is the time (any name), then metric or component/metric", () => {
    expect(plan(["Zeit", "flow_rate", "pump-1/pump_pressure", "uv-1/uv_intensity"])).toEqual({
      format: "wide",
      header: ["Zeit", "flow_rate", "pump-1/pump_pressure", "uv-1/uv_intensity"],
      time: 0,
      columns: [
        { index: 1, metric: "flow_rate", component: null },
        { index: 2, metric: "pump_pressure", component: "pump-1" },
        { index: 3, metric: "uv_intensity", component: "uv-1" },
      ],
    });
    expect(plan(["flow_rate", "when"], "when")).toMatchObject({ format: "wide", time: 1, columns: [{ index: 0, metric: "flow_rate" }] });
  });

  it("names every bad column of a header", () => {
    expect(headerProblems(["time", "flow_rte", "pump-9/flow_rate", "a/b/c", "flow_rate", " flow_rate"])).toEqual([
      'flow_rate: column 6 repeats column 5',
      'flow_rte: unknown metric "flow_rte"',
      'pump-9/flow_rate: unknown component "pump-9" in system NBG-01',
      'a/b/c: a metric column is named "metric" or "component/metric"',
    ]);
    expect(headerProblems(["ts", "metric", "value", "device"])).toEqual(["device: unexpected column in the long format ts,metric,value[,component]"]);
    expect(headerProblems(["time", "metric", "value"])).toEqual([
      '-: the long format (metric and value columns) needs a "ts" column: ts,metric,value[,component] (or name the time column: --time-column)',
      "time: unexpected column in the long format ts,metric,value[,component]",
    ]);
    expect(headerProblems(["ts;metric;value"])[0]).toMatch(/^-: the header has 1 column/);
    expect(headerProblems(["time", "flow_rate", ""])).toEqual(["-: column 3 has no name"]);
    expect(headerProblems(["flow_rate", "power"], "time")).toEqual(['-: there is no time column "time"']);
  });
});

describe("cells", () => {
  it("parses plain decimal numbers exactly, true/false, and nothing else", () => {
    for (const text of ["0.30000000000000004", "1e-7", "12.345678901234567", "-0.5", "+3", "5.", ".5", "1E+3", "-0"]) {
      expect(Object.is(parseValueCell(text), Number(text))).toBe(true);
    }
    expect(String(parseValueCell("12.345678901234567"))).toBe("12.345678901234567");
    expect(parseValueCell("TRUE")).toBe(true);
    expect(parseValueCell("false")).toBe(false);
    for (const text of ["12,5", "0x1A", "1 000", "NaN", "Infinity", "abc", "1.2.3", "e5"]) expect(parseValueCell(text)).toBeUndefined();
  });

  it("explains a refused value; a decimal comma is named as such", () => {
    expect(valueCellProblem("12,5")).toBe('value "12,5" has a decimal comma; write numbers with a point (12.5)');
    expect(valueCellProblem("-0,25")).toContain("decimal comma");
    expect(valueCellProblem("NaN")).toBe('value "NaN" is not a finite number');
    expect(valueCellProblem("abc")).toBe('value "abc" is not a number (write numbers with a point, e.g. 12.5 or 1e-7)');
  });

  it("reads digits as epoch milliseconds and leaves anything else to the ISO parser", () => {
    expect(tsCellValue("1795780426340")).toBe(1795780426340);
    expect(tsCellValue("2026-11-27T10:00:00Z")).toBe("2026-11-27T10:00:00Z");
  });
});

describe("convertRow", () => {
  const wide = plan(["time", "flow_rate", "pump-1/pump_pressure"]);
  const long = plan(["ts", "metric", "value", "component", "unit"]);

  it("turns a wide row into one item per non-empty cell", () => {
    expect(convert(wide, ["2026-11-27T10:00:00Z", " 9.8 ", ""])).toEqual({
      isRow: true,
      items: [{ metric: "flow_rate", value: 9.8, ts: "2026-11-27T10:00:00Z", component: null, line: 7, column: 1 }],
      problems: [],
    });
    expect(convert(wide, ["1795780426340", "", "2"]).items).toEqual([{ metric: "pump_pressure", value: 2, ts: 1795780426340, component: "pump-1", line: 7, column: 2 }]);
  });

  it("reports a wide row's problems by column, an empty time once", () => {
    expect(convert(wide, ["", "1", "2"]).problems).toEqual(["7:0 the time is empty"]);
    expect(convert(wide, ["", "", ""]).problems).toEqual([]);
    expect(convert(wide, ["2026-11-27T10:00:00Z", "1;5", "x"]).problems).toEqual([
      '7:1 value "1;5" is not a number (write numbers with a point, e.g. 12.5 or 1e-7)',
      '7:2 value "x" is not a number (write numbers with a point, e.g. 12.5 or 1e-7)',
    ]);
    expect(convert(wide, ["2026-11-27T10:00:00Z", "12", "5", "3"]).problems).toEqual([
      "7:- the row has 4 fields, the header has 3; a decimal comma such as 12,5 splits a value in two: write 12.5",
    ]);
    expect(convert(wide, ["2026-11-27T10:00:00Z", "12"], ";").problems).toEqual(["7:- the row has 2 fields, the header has 3"]);
  });

  it("turns a long row into one item; an empty value is a missing reading", () => {
    expect(convert(long, ["2026-11-27T10:00:00Z", "flow_rate", "0.1", "pump-1", "m3/h"]).items).toEqual([
      { metric: "flow_rate", value: 0.1, ts: "2026-11-27T10:00:00Z", component: "pump-1", unit: "m3/h", line: 7, column: 2 },
    ]);
    expect(convert(long, ["2026-11-27T10:00:00Z", "flow_rate", "0.1", "", ""]).items).toEqual([
      { metric: "flow_rate", value: 0.1, ts: "2026-11-27T10:00:00Z", component: null, line: 7, column: 2 },
    ]);
    expect(convert(long, ["2026-11-27T10:00:00Z", "flow_rate", "", "", ""])).toEqual({ isRow: true, items: [], problems: [] });
    expect(convert(long, ["", "flow_rate", "1", "", ""]).problems).toEqual(["7:0 the time is empty"]);
    expect(convert(long, ["2026-11-27T10:00:00Z", "", "1", "", ""]).problems).toEqual(["7:1 the metric is empty"]);
    expect(convert(long, ["2026-11-27T10:00:00Z", "flow_rate", "9,8", "", ""], ";").problems).toEqual([
      '7:2 value "9,8" has a decimal comma; write numbers with a point (9.8)',
    ]);
  });

  it("skips blank lines", () => {
    expect(convert(wide, [""]).isRow).toBe(false);
    expect(convert(long, ["   "]).isRow).toBe(false);
  });
});
