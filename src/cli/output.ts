// stdout carries only the command's result; everything else goes to stderr (contracts.md).
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
}

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cell = (v: unknown) => (v === null || v === undefined ? "" : v instanceof Date ? v.toISOString() : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  process.stdout.write(line(columns) + "\n");
  for (const r of rows) process.stdout.write(line(columns.map((c) => cell(r[c]))) + "\n");
}

export function info(message: string): void {
  process.stderr.write(message + "\n");
}
