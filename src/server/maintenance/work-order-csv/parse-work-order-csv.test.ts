import { describe, expect, it } from "vitest";
import { formatCsvProblem, parseWorkOrderCsv, WORK_ORDER_CSV_COLUMNS } from "./parse-work-order-csv";

const HEADER = WORK_ORDER_CSV_COLUMNS.join(",");

describe("parseWorkOrderCsv", () => {
  it("reads every column, fills defaults and keeps the description verbatim", () => {
    const text = [
      HEADER,
      'NBG-01,pump-1,corrective,done,high,Seal leaks,2026-03-01T08:00:00Z,2026-03-01T14:30:00+01:00,elp,wea,RPL,2026-03-01T08:00:00Z,2026-03-01T13:00:00Z,90,Tech@Example.org,"  Seal replaced, ""as new""\nline two"',
      "",
      "NBG-02,,Inspection,,,Look at it,2026-03-02T09:00:00.123Z,,,,,,,,,",
    ].join("\n");
    const { rows, problems } = parseWorkOrderCsv(text);
    expect(problems).toEqual([]);
    expect(rows[0]).toEqual({
      row: 1,
      line: 2,
      system: "NBG-01",
      component: "pump-1",
      type: "corrective",
      status: "done",
      priority: "high",
      title: "Seal leaks",
      opened: new Date("2026-03-01T08:00:00Z"),
      closed: new Date("2026-03-01T13:30:00Z"),
      failureMode: "ELP",
      failureCause: "WEA",
      remedy: "RPL",
      downtimeStart: new Date("2026-03-01T08:00:00Z"),
      downtimeEnd: new Date("2026-03-01T13:00:00Z"),
      labourMinutes: 90,
      assigneeEmail: "Tech@Example.org",
      description: '  Seal replaced, "as new"\nline two',
    });
    // the description spans lines 2-3, line 4 is empty
    expect(rows[1]).toMatchObject({ row: 2, line: 5, component: null, type: "inspection", status: "open", priority: "medium", closed: null, labourMinutes: null, description: null });
  });

  it("takes columns in any order, `;` as separator and status words with spaces", () => {
    const { rows, problems } = parseWorkOrderCsv("title;opened;system;type;status\r\nX;2026-01-01T00:00:00Z;A-1;preventive;In progress\r\n");
    expect(problems).toEqual([]);
    expect(rows[0]).toMatchObject({ title: "X", system: "A-1", status: "in_progress" });
    // closed without a status means done
    expect(parseWorkOrderCsv("system,type,title,opened,closed\nA,corrective,T,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z\n").rows[0]!.status).toBe("done");
  });

  it("names the row and column of every problem and returns no rows", () => {
    const text = [
      HEADER,
      "NBG-01,pump-1,fixit,done,high,Seal,2026-03-01 08:00,,,,,,,,,",
      "NBG-01,pump-1,corrective,open,urgent,,2026-03-01T08:00:00Z,2026-02-01T00:00:00Z,,,,,2026-03-01T09:00:00Z,12.5,,",
      "NBG-01,pump-1,corrective,open,low,Fine,2026-03-01T08:00:00Z,,,,,2026-03-01T09:00:00Z,2026-03-01T08:00:00Z,30,,",
    ].join("\n");
    const { rows, problems } = parseWorkOrderCsv(text);
    expect(rows).toEqual([]);
    expect(problems.map(formatCsvProblem)).toEqual([
      'row 1 (line 2), column "type": "fixit" is not one of corrective, preventive, predictive or inspection',
      'row 1 (line 2), column "opened": "2026-03-01 08:00" is not an ISO-8601 time with a zone (e.g. 2026-03-14T09:30:00Z or 2026-03-14T10:30:00+01:00)',
      'row 2 (line 3), column "title": is required',
      'row 2 (line 3), column "closed": is before "opened" (2026-03-01T08:00:00.000Z)',
      'row 2 (line 3), column "downtime_end": is set without downtime_start',
      'row 2 (line 3), column "labour_minutes": "12.5" is not a whole number of minutes from 0 to 100000',
      'row 3 (line 4), column "downtime_end": is before downtime_start (2026-03-01T09:00:00.000Z)',
      'row 3 (line 4), column "labour_minutes": needs assignee_email: labour is logged against the person who did it',
    ]);
  });

  it("checks the header: unknown, doubled and missing columns", () => {
    const { problems } = parseWorkOrderCsv("system,type,titel,type\n");
    expect(problems.map(formatCsvProblem)).toEqual([
      `line 1, column "titel": unknown column; the columns are ${WORK_ORDER_CSV_COLUMNS.join(", ")}`,
      'line 1, column "type": the column appears twice',
      'line 1, column "title": required column is missing from the header',
      'line 1, column "opened": required column is missing from the header',
    ]);
    expect(parseWorkOrderCsv("").problems[0]!.message).toMatch(/empty/);
    // a header alone is a valid, empty file
    expect(parseWorkOrderCsv(HEADER + "\n")).toEqual({ rows: [], problems: [] });
  });
});
