import { describe, expect, it } from "vitest";
import { readSensorCsv } from "./read-sensor-csv";

describe("readSensorCsv", () => {
  it("reads a SKAB-style `;` file with BOM, CRLF, quoted fields and empty cells", () => {
    const text = '\uFEFFdatetime;Current;"Pressure";anomaly\r\n2020-03-09 10:14:33;1.5;0.05;0\r\n"09.03.2020 10:14:34";;-2.5e-1;0\r\n2020-03-09 10:14:35; 1.25 ;NaN;1\r\n\r\n';
    const t = readSensorCsv(text, { timeColumn: "datetime", exclude: ["anomaly"] });
    expect(t.delimiter).toBe(";");
    expect(t.times).toEqual(["2020-03-09 10:14:33", "09.03.2020 10:14:34", "2020-03-09 10:14:35"]);
    expect(t.columns).toEqual(["Current", "Pressure"]);
    expect(t.rows).toEqual([
      [1.5, 0.05],
      [null, -0.25],
      [1.25, null],
    ]);
    expect(t.missingCells).toBe(2);
    expect(t.skipped).toEqual([{ column: "anomaly", reason: "excluded (--exclude)" }]);
  });

  it("reads a `,` file whose time column holds commas and quotes, verbatim", () => {
    const text = 'id,ts,flow\n,"Mon, 9 Mar 2020 10:14:33 ""local""",3\n,"Mon, 9 Mar 2020 10:14:34",4\n';
    const t = readSensorCsv(text, { timeColumn: "ts" });
    expect(t.delimiter).toBe(",");
    expect(t.times).toEqual(['Mon, 9 Mar 2020 10:14:33 "local"', "Mon, 9 Mar 2020 10:14:34"]);
    expect(t.columns).toEqual(["id", "flow"]);
    expect(t.rows).toEqual([
      [null, 3],
      [null, 4],
    ]);
  });

  it("leaves out a column without a name (a row index) and says why", () => {
    const t = readSensorCsv(",time,a\n0,t0,1\n1,t1,2\n", { timeColumn: "time" });
    expect(t.columns).toEqual(["a"]);
    expect(t.skipped).toEqual([{ column: "#1", reason: "no name in the header (a row index?)" }]);
  });

  it("refuses a decimal comma, naming the line, the column and the fix", () => {
    expect(() => readSensorCsv("datetime;Pressure\nt0;0.5\nt1;1,5\n", { timeColumn: "datetime", source: "x.csv" })).toThrow(
      'x.csv line 3, column "Pressure": "1,5" uses a decimal comma; write decimals with a point (1.5).',
    );
    // in a comma-separated file an unquoted decimal comma splits the row
    expect(() => readSensorCsv("datetime,Pressure\nt0,0.5\nt1,1,5\n", { timeColumn: "datetime", source: "y.csv" })).toThrow(/y\.csv line 3: .*decimal comma/);
  });

  it("refuses a non-numeric sensor column, naming it", () => {
    expect(() => readSensorCsv("datetime;state;a\nt0;open;1\n", { timeColumn: "datetime", source: "z.csv" })).toThrow(
      'z.csv line 2, column "state": "open" is not a number; sensor columns must be numeric (leave it out with --exclude "state").',
    );
  });

  it("refuses a missing time column, an unknown --exclude, a duplicate name and an empty file", () => {
    expect(() => readSensorCsv("ts;a\n1;2\n", { timeColumn: "datetime", source: "f.csv" })).toThrow('f.csv has no time column "datetime" (its columns: ts, a)');
    expect(() => readSensorCsv("ts;a\n1;2\n", { timeColumn: "ts", exclude: ["label"], source: "f.csv" })).toThrow('--exclude names column "label", which f.csv does not have');
    expect(() => readSensorCsv("ts;a;a\n1;2;3\n", { timeColumn: "ts" })).toThrow('the header names column "a" twice');
    expect(() => readSensorCsv("\uFEFF\n", { timeColumn: "ts", source: "e.csv" })).toThrow("e.csv is empty");
    expect(() => readSensorCsv("ts;label\n1;2\n", { timeColumn: "ts", exclude: ["label"] })).toThrow("no sensor column left");
  });
});
