"use client";

import { useState, type ReactNode } from "react";
import { Card } from "@/components/ui/page-header";

/**
 * The filters of a list: always shown on wide screens; on a phone folded behind one "Filters (n)"
 * button so the list starts on the first screen.
 */
export function FiltersCard({ id, activeCount, testId, children }: { id: string; activeCount: number; testId?: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <Card className="mb-4 p-3 sm:p-4">
      <button
        type="button"
        className="flex min-h-11 w-full items-center justify-between rounded-lg px-1 text-sm font-semibold md:hidden"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        <span>Filters{activeCount ? ` (${activeCount})` : ""}</span>
        <span aria-hidden="true">{open ? "▴" : "▾"}</span>
      </button>
      <div id={id} className={`${open ? "mt-3" : "hidden"} space-y-3 md:mt-0 md:block`} data-testid={testId}>
        {children}
      </div>
    </Card>
  );
}
