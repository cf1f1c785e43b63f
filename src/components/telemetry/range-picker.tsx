"use client";

import { RANGES, type RangeKey } from "./ranges";

export function RangePicker({ value, onChange }: { value: RangeKey | null; onChange: (key: RangeKey) => void }) {
  return (
    <div role="group" aria-label="Time range" className="flex w-full max-w-full overflow-x-auto rounded-lg border border-slate-300 bg-white sm:w-auto">
      {RANGES.map((r) => (
        <button
          key={r.key}
          type="button"
          aria-pressed={value === r.key}
          data-testid={`range-${r.key}`}
          onClick={() => onChange(r.key)}
          className={`flex-1 shrink-0 border-r border-slate-200 px-2 py-1.5 text-sm whitespace-nowrap last:border-r-0 sm:flex-none sm:px-3 ${
            value === r.key ? "bg-brand-600 font-semibold text-white" : "text-slate-700 hover:bg-slate-50"
          }`}
        >
          {r.label}
        </button>
      ))}
    </div>
  );
}
