// Horizontal bars in plain HTML: labels above the bars, so long group names fit a 375 px screen.

export interface BarItem {
  key: string;
  label: string;
  value: number | null;
  /** the value as written next to the bar */
  display: string;
}

export function HorizontalBars({ items, color, label, empty = "No data yet." }: { items: BarItem[]; color: string; label: string; empty?: string }) {
  const max = Math.max(0, ...items.map((i) => i.value ?? 0));
  if (items.length === 0 || max === 0) return <p className="text-sm text-slate-500">{empty}</p>;
  return (
    <ul className="space-y-2" aria-label={label}>
      {items.map((item) => (
        <li key={item.key}>
          <div className="flex items-baseline justify-between gap-2 text-sm">
            <span className="truncate text-slate-700">{item.label}</span>
            <span className="shrink-0 tabular-nums text-slate-900">{item.display}</span>
          </div>
          <div className="mt-0.5 h-2.5 w-full rounded-full bg-slate-100" aria-hidden>
            <div className={`h-2.5 rounded-full ${color}`} style={{ width: `${item.value ? Math.max(1, (item.value / max) * 100) : 0}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}
