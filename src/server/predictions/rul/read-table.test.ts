import { describe, expect, it } from "vitest";
import { columnIndex, numericColumn, readTable } from "./read-table";

describe("readTable", () => {
  it("reads a header-less C-MAPSS style file: whitespace, trailing spaces, columns c1..cN", () => {
    const t = readTable("1 1 -0.0007 100.0 518.67  \n1 2 0.0019 100.0 518.67  \n\n2 1 0.5 100.0 520  \n", "train_FD001.txt");
    expect(t.hasHeader).toBe(false);
    expect(t.columns).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    expect(t.rows).toEqual([
      ["1", "1", "-0.0007", "100.0", "518.67"],
      ["1", "2", "0.0019", "100.0", "518.67"],
      ["2", "1", "0.5", "100.0", "520"],
    ]);
    expect(t.lines).toEqual([1, 2, 4]);
    expect(Array.from(numericColumn(t, 2, false))).toEqual([-0.0007, 0.0019, 0.5]);
  });

  it("reads a header with , or ; and keeps unit names verbatim", () => {
    const comma = readTable('engine,hours,"sensor 1"\npump-A,0.5,3\n', "a.csv");
    expect(comma.hasHeader).toBe(true);
    expect(comma.columns).toEqual(["engine", "hours", "sensor 1"]);
    expect(comma.rows).toEqual([["pump-A", "0.5", "3"]]);
    expect(comma.lines).toEqual([2]);
    const semi = readTable("engine;hours;s1\r\nB 7;2;4\r\n", "b.csv");
    expect(semi.columns).toEqual(["engine", "hours", "s1"]);
    expect(semi.rows).toEqual([["B 7", "2", "4"]]);
  });

  it("treats empty cells as missing only where allowed", () => {
    const t = readTable("u,t,a\nx,1,\nx,2,2.5\n", "m.csv");
    const a = numericColumn(t, 2, true);
    expect(Number.isNaN(a[0]!)).toBe(true);
    expect(a[1]).toBe(2.5);
    expect(() => numericColumn(t, 2, false)).toThrow("m.csv line 2, column a: the cell is empty");
  });

  it("rejects an empty file, a short row and a non-number, naming line and column", () => {
    expect(() => readTable("  \n\n", "e.txt")).toThrow("e.txt is empty");
    expect(() => readTable("1 2 3\n1 2\n", "s.txt")).toThrow("s.txt line 2 has 2 columns, but the first line has 3.");
    expect(() => readTable("u,t,a\nx,1,2,9\n", "h.csv")).toThrow("h.csv line 2 has 4 columns, but the header has 3.");
    expect(() => readTable("u,t,u\n", "d.csv")).toThrow('names column "u" twice');
    const t = readTable("u;t;a\nx;1;2\nx;2;abc\nx;3;1,5\n", "n.csv");
    expect(() => numericColumn(t, 2, true)).toThrow('n.csv line 3, column a: "abc" is not a number.');
    const decimalComma = readTable("u;t;a\nx;3;1,5\n", "n.csv");
    expect(() => numericColumn(decimalComma, 2, true)).toThrow('n.csv line 2, column a: "1,5" is not a number (use a decimal point, not a comma).');
  });

  it("names an unknown column and the columns there are", () => {
    const t = readTable("u,t,a\nx,1,2\n", "k.csv");
    expect(columnIndex(t, "a", "--exclude")).toBe(2);
    expect(() => columnIndex(t, "cycle", "--time-column")).toThrow('--time-column "cycle" is not a column of k.csv (columns: u, t, a).');
  });
});
