import { describe, expect, it } from "vitest";
import { formErrorsFrom } from "./field-errors";

const zodError = (fieldErrors: { path: string; message: string }[]) =>
  Object.assign(new Error("[zod issues as JSON]"), { data: { code: "BAD_REQUEST", httpStatus: 400, fieldErrors } });

describe("formErrorsFrom", () => {
  it("puts zod issues next to their fields, renaming server paths and keeping checklist indexes", () => {
    const err = zodError([
      { path: "title", message: "Too small: expected string to have >=1 characters" },
      { path: "title", message: "a second issue" },
      { path: "systemCode", message: "Pick a system" },
      { path: "checklist.2", message: "A checklist line cannot be empty" },
      { path: "", message: "Something about the whole input" },
    ]);
    expect(formErrorsFrom(err, { aliases: { systemCode: "system" } })).toEqual({
      fields: {
        title: "Too small: expected string to have >=1 characters",
        system: "Pick a system",
        "checklist.2": "A checklist line cannot be empty",
      },
      form: "Something about the whole input",
    });
  });

  it("puts a domain message next to the field it names", () => {
    const err = Object.assign(new Error('Component "pump-9" was not found in NBG-01'), { data: { code: "NOT_FOUND", httpStatus: 404, fieldErrors: null } });
    expect(formErrorsFrom(err, { mentions: { system: /\bsystem\b/i, component: /\bcomponent\b/i } })).toEqual({
      fields: { component: 'Component "pump-9" was not found in NBG-01' },
      form: null,
    });
  });

  it("keeps a message that names no field above the form", () => {
    const err = Object.assign(new Error("This needs the technician role; you are signed in as viewer."), { data: { fieldErrors: null } });
    expect(formErrorsFrom(err, { mentions: { system: /\bsystem\b/i } })).toEqual({ fields: {}, form: "This needs the technician role; you are signed in as viewer." });
    expect(formErrorsFrom(null)).toEqual({ fields: {}, form: null });
  });
});
