import { describe, expect, it } from "vitest";
import { activeFilterCount, boardColumns, DEFAULT_FILTERS, defaultQueryFor, filtersToQuery, listInput, parseFilters } from "./filters";

describe("work-order filters in the URL", () => {
  it("reads the defaults from an empty query and writes them back as an empty query", () => {
    const f = parseFilters(new URLSearchParams(""));
    expect(f).toEqual(DEFAULT_FILTERS);
    expect(f.statuses).toEqual(["requested", "open", "in_progress", "on_hold"]);
    expect(filtersToQuery(f)).toBe("");
    expect(activeFilterCount(f)).toBe(0);
  });

  it("reads every filter and writes it back in one canonical order", () => {
    const f = parseFilters(
      new URLSearchParams("priority=low,urgent&status=on_hold,in_progress&system=NBG-01&assignee=u42&overdue=1&mine=1&type=corrective&view=board"),
    );
    expect(f).toEqual({
      view: "board",
      statuses: ["in_progress", "on_hold"],
      type: "corrective",
      priorities: ["urgent", "low"],
      system: "NBG-01",
      assignee: "u42",
      mine: true,
      overdue: true,
    });
    expect(filtersToQuery(f)).toBe("view=board&mine=1&overdue=1&status=in_progress,on_hold&type=corrective&priority=urgent,low&system=NBG-01&assignee=u42");
    expect(activeFilterCount(f)).toBe(7);
  });

  it("reads a Next.js searchParams object (arrays take their first value)", () => {
    const f = parseFilters({ mine: "1", status: ["done", "open"], system: "  LIS-02 " });
    expect(f.mine).toBe(true);
    expect(f.statuses).toEqual(["done"]);
    expect(f.system).toBe("LIS-02");
  });

  it("falls back to the defaults for unknown values", () => {
    const f = parseFilters(new URLSearchParams("view=grid&status=nonsense&type=magic&priority=whenever&mine=yes&overdue=true&system="));
    expect(f).toEqual(DEFAULT_FILTERS);
  });

  it("keeps 'every status' as status=all, and every status named is the same view", () => {
    expect(parseFilters(new URLSearchParams("status=all")).statuses).toEqual([]);
    expect(filtersToQuery({ ...DEFAULT_FILTERS, statuses: [] })).toBe("status=all");
    expect(filtersToQuery({ ...DEFAULT_FILTERS, statuses: ["cancelled", "done", "on_hold", "in_progress", "open", "requested"] })).toBe("status=all");
    // the open statuses in another order are still the default
    expect(filtersToQuery({ ...DEFAULT_FILTERS, statuses: ["on_hold", "requested", "in_progress", "open"] })).toBe("");
  });

  it("turns filters into the list procedure's input", () => {
    expect(listInput(DEFAULT_FILTERS)).toEqual({ status: ["requested", "open", "in_progress", "on_hold"], limit: 200 });
    expect(listInput(parseFilters(new URLSearchParams("status=all&mine=1&overdue=1&priority=high&system=NAI-01&assignee=u1&type=preventive")), 50)).toEqual({
      type: "preventive",
      priority: ["high"],
      systemCode: "NAI-01",
      assigneeId: "u1",
      mine: true,
      overdue: true,
      limit: 50,
    });
  });

  it("makes one board column per status shown", () => {
    expect(boardColumns(DEFAULT_FILTERS)).toEqual(["requested", "open", "in_progress", "on_hold"]);
    expect(boardColumns({ ...DEFAULT_FILTERS, statuses: [] })).toHaveLength(6);
    expect(boardColumns({ ...DEFAULT_FILTERS, statuses: ["on_hold", "open"] })).toEqual(["open", "on_hold"]);
  });

  it("sends a technician without a query to their own orders", () => {
    expect(defaultQueryFor("technician", false)).toBe("mine=1");
    expect(defaultQueryFor("technician", true)).toBeNull();
    expect(defaultQueryFor("manager", false)).toBeNull();
    expect(defaultQueryFor("viewer", false)).toBeNull();
  });
});
