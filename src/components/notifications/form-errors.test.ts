import { describe, expect, it } from "vitest";
import { formErrors } from "./form-errors";

function trpcError(message: string, fieldErrors: { path: string; message: string }[] | null) {
  return Object.assign(new Error(message), { data: { code: "BAD_REQUEST", fieldErrors } });
}

describe("formErrors", () => {
  it("puts zod problems on their fields, the first message per field", () => {
    const e = trpcError('[{"code":"custom"}]', [
      { path: "target", message: "Enter the webhook URL." },
      { path: "target", message: "second" },
      { path: "name", message: "Give the channel a name." },
    ]);
    expect(formErrors(e)).toEqual({ fields: { target: "Enter the webhook URL.", name: "Give the channel a name." }, message: "Check the highlighted fields." });
  });

  it("shows a whole-input issue as the form's message", () => {
    expect(formErrors(trpcError("x", [{ path: "", message: "Send the browser or the e-mail settings (or both)." }]))).toEqual({
      fields: {},
      message: "Send the browser or the e-mail settings (or both).",
    });
  });

  it("shows a domain error's own message", () => {
    expect(formErrors(trpcError("A limit of 250 is outside the valid range of Flow rate (0 to 100 m3/h): no reading can cross it.", null))).toEqual({
      fields: {},
      message: "A limit of 250 is outside the valid range of Flow rate (0 to 100 m3/h): no reading can cross it.",
    });
    expect(formErrors(null)).toEqual({ fields: {}, message: null });
  });
});
