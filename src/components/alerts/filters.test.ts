import { describe, expect, it } from "vitest";
import { DEFAULT_FILTERS, filtersToQuery, isDefaultFilters, listInput, parseFilters } from "./filters";

describe("inbox filters in the URL", () => {
  it("reads every filter and writes it back the same way", () => {
    const params = new URLSearchParams("status=all&severity=major,critical&system=NBG-01&mine=1&shelved=only");
    const filters = parseFilters(params);
    expect(filters).toEqual({ status: "all", severities: ["critical", "major"], system: "NBG-01", mine: true, shelved: "only" });
    expect(filtersToQuery(filters)).toBe("status=all&severity=critical,major&system=NBG-01&mine=1&shelved=only");
    expect(parseFilters(new URLSearchParams(filtersToQuery(filters)))).toEqual(filters);
  });

  it("leaves the defaults out, so the plain inbox has a plain URL", () => {
    expect(filtersToQuery(DEFAULT_FILTERS)).toBe("");
    expect(isDefaultFilters(parseFilters({}))).toBe(true);
    // every severity selected is the same view as none selected
    expect(filtersToQuery({ ...DEFAULT_FILTERS, severities: ["critical", "major", "minor", "warning"] })).toBe("");
  });

  it("falls back to the defaults for values it does not know", () => {
    expect(parseFilters({ status: "closed", severity: "fatal,,minor", shelved: "maybe", mine: "yes", system: "  " })).toEqual({
      ...DEFAULT_FILTERS,
      severities: ["minor"],
    });
  });

  it("takes the first of repeated parameters (Next.js gives arrays)", () => {
    expect(parseFilters({ status: ["active", "all"] }).status).toBe("active");
  });

  it("maps to the alerts.list input", () => {
    expect(listInput(DEFAULT_FILTERS)).toEqual({ status: "open", shelved: "hide" });
    expect(listInput({ status: "unacknowledged", severities: ["critical"], system: "NBG-01", mine: true, shelved: "include" })).toEqual({
      status: "unacknowledged",
      severities: ["critical"],
      systemCode: "NBG-01",
      assignedToMe: true,
      shelved: "include",
    });
  });
});
