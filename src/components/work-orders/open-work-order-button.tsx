"use client";

import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { secondary } from "./ui";

/**
 * On an alert: opens the corrective work order for it (title, system, component and priority come
 * from the alert) or, when an open one already links this alert, goes to that one.
 */
export function OpenWorkOrderButton({ alertId }: { alertId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const open = useMutation(
    trpc.maintenance.workOrder.createFromAlert.mutationOptions({
      onSuccess: (wo) => router.push(`/work-orders/${encodeURIComponent(wo.id)}`),
    }),
  );
  return (
    <div className="mt-2">
      <button
        type="button"
        className={secondary}
        disabled={open.isPending || open.isSuccess}
        onClick={() => open.mutate({ alertId })}
        data-testid="alert-open-work-order"
      >
        <svg viewBox="0 0 24 24" className="h-4 w-4" aria-hidden="true">
          <path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4 2.5-2.5Z" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
        </svg>
        {open.isPending ? "Opening…" : open.isSuccess ? "Going to the work order…" : "Open work order"}
      </button>
      {open.error ? (
        <p role="alert" className="mt-1 text-sm text-red-700">
          {open.error.message}
        </p>
      ) : null}
    </div>
  );
}
