/** `<input type="datetime-local">` values ("2026-11-27T14:05", the browser's local time) to and from Date. */

const pad = (n: number) => String(n).padStart(2, "0");

export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** null when empty or not a date-time. */
export function fromLocalInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  // new Date rolls 31 Feb over into March: refuse instead
  return date.getDate() === Number(d) && date.getMonth() === Number(mo) - 1 ? date : null;
}
