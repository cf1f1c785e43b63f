// Form errors from a tRPC error: the server's zod issues (`data.fieldErrors`, see
// src/server/api/trpc.ts) go next to their fields; a domain error (AppError) has only a message,
// which goes next to the field it names when it clearly names one, else above the form.

export interface FormErrors {
  /** field name -> message */
  fields: Record<string, string>;
  /** what belongs to no field */
  form: string | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : null;
}

/**
 * `aliases` maps a server path (its first segment, or the whole path) to the form's field name,
 * e.g. { systemCode: "system" }; checklist lines keep their index ("checklist.2").
 * `mentions` maps a field to words that, in a message without fieldErrors, point at it.
 */
export function formErrorsFrom(
  err: unknown,
  options: { aliases?: Record<string, string>; mentions?: Record<string, RegExp> } = {},
): FormErrors {
  const e = record(err);
  const message = e && typeof e.message === "string" ? e.message : err ? String(err) : "";
  const data = record(e?.data);
  const issues = Array.isArray(data?.fieldErrors) ? data.fieldErrors : [];
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const i = record(issue);
    if (!i || typeof i.path !== "string" || typeof i.message !== "string") continue;
    const [head, ...rest] = i.path.split(".");
    const field = options.aliases?.[i.path] ?? (head !== undefined && options.aliases?.[head] ? [options.aliases[head], ...rest].join(".") : i.path);
    // the first issue of a field is the one to fix first
    fields[field || "form"] ??= i.message;
  }
  if (Object.keys(fields).length) {
    const form = fields.form ?? null;
    delete fields.form;
    return { fields, form };
  }
  if (!message) return { fields: {}, form: null };
  for (const [field, pattern] of Object.entries(options.mentions ?? {})) {
    if (pattern.test(message)) return { fields: { [field]: message }, form: null };
  }
  return { fields: {}, form: message };
}
