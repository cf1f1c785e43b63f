"use client";

import { Section } from "./ui";
import { WaitingMarker } from "./badges";
import type { OrderView } from "./optimistic";

/** The checklist: one tap ticks or unticks a line (saved on the phone first, like every entry). */
export function ChecklistSection({ items, canWork, onToggle }: { items: OrderView["checklist"]; canWork: boolean; onToggle: (index: number, done: boolean) => void }) {
  if (items.length === 0) return null;
  const done = items.filter((i) => i.done).length;
  return (
    <Section title="Checklist" aside={`${done} of ${items.length} done`} testId="wo-checklist">
      <ul className="space-y-1.5">
        {items.map((item, index) => (
          <li key={`${index}-${item.label}`}>
            <button
              type="button"
              role="checkbox"
              aria-checked={item.done}
              disabled={!canWork}
              onClick={() => onToggle(index, !item.done)}
              data-testid={`wo-checklist-${index}`}
              className={`flex min-h-12 w-full items-center gap-3 rounded-xl border px-3 py-2 text-left text-sm disabled:cursor-default ${
                item.done ? "border-emerald-300 bg-emerald-50" : "border-slate-200 bg-white hover:bg-slate-50"
              }`}
            >
              <span
                aria-hidden="true"
                className={`flex h-6 w-6 shrink-0 items-center justify-center rounded-md border-2 ${item.done ? "border-emerald-600 bg-emerald-600 text-white" : "border-slate-400"}`}
              >
                {item.done ? "✓" : ""}
              </span>
              <span className={`min-w-0 flex-1 break-words ${item.done ? "text-slate-600 line-through" : ""}`}>{item.label}</span>
              {item.pending ? <WaitingMarker /> : null}
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}
