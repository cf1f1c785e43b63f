/**
 * A failed mutation's errors, split for a form: zod problems by field (the tRPC error formatter sends
 * them as `data.fieldErrors`), and one message for the form (the server's own for domain errors, which
 * name what was wrong).
 */
export interface FormErrors {
  /** field path (e.g. "target", "email.minSeverity") -> first message */
  fields: Record<string, string>;
  message: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, message: null };

export function formErrors(error: unknown): FormErrors {
  if (!error) return NO_ERRORS;
  const data = (error as { data?: { fieldErrors?: unknown } }).data;
  const list = Array.isArray(data?.fieldErrors) ? (data.fieldErrors as { path?: unknown; message?: unknown }[]) : [];
  const fields: Record<string, string> = {};
  for (const e of list) {
    if (typeof e.path === "string" && typeof e.message === "string" && !(e.path in fields)) fields[e.path] = e.message;
  }
  if (Object.keys(fields).length > 0) {
    // an issue on the whole input has an empty path: it is the form's message
    const whole = fields[""];
    delete fields[""];
    return { fields, message: whole ?? (Object.keys(fields).length ? "Check the highlighted fields." : null) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { fields, message: message || "Something went wrong: try again." };
}
