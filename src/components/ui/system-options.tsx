/**
 * The options of a "system" filter: all systems, then each by code and name. A code in the URL that
 * is not in the list (another organisation's, a removed system) stays selectable, so the select shows
 * what the page filters by rather than silently "All systems".
 */
export function SystemOptions({ systems, selected }: { systems: readonly { code: string; name: string }[]; selected: string | null }) {
  return (
    <>
      <option value="">All systems</option>
      {selected && !systems.some((s) => s.code === selected) ? <option value={selected}>{selected}</option> : null}
      {systems.map((s) => (
        <option key={s.code} value={s.code}>
          {s.code} · {s.name}
        </option>
      ))}
    </>
  );
}
