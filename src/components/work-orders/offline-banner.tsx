"use client";

import Link from "next/link";
import { ENTRY_NOUN, isCreate, type WorkOrderEntry } from "./entries";
import { bannerText } from "./optimistic";
import { usePhotoOutbox, useOnline, useWorkOrderQueue } from "./offline";

/**
 * The state of what was recorded on this phone: offline (and how many entries wait, photos
 * included), sending, and every entry or photo the server refused, each with its reason and a way
 * to dismiss it. Renders nothing when everything has been sent.
 */
export function OfflineBanner({ userId }: { userId: string }) {
  const online = useOnline();
  const queue = useWorkOrderQueue(userId);
  const photos = usePhotoOutbox(userId);
  const waitingEntries = queue.entries.filter((e) => !e.failed).length;
  const waitingPhotos = photos.entries.filter((e) => !e.failed).length;
  const waiting = waitingEntries + waitingPhotos;
  const failed = [
    ...queue.entries.filter((e) => e.failed).map((e) => ({ entry: e, ...placeOf(e), dismiss: queue.dismiss })),
    ...photos.entries
      .filter((e) => e.failed)
      .map((e) => ({ entry: e, what: `photo “${e.input.fileName}”`, orderHref: `/work-orders/${encodeURIComponent(e.input.id)}`, orderLabel: e.meta?.orderLabel ?? "a work order", againHref: null, dismiss: photos.dismiss })),
  ];
  const persistent = queue.persistent && photos.persistent;
  const retryNow = () => {
    queue.retryNow();
    photos.retryNow();
  };
  const text = bannerText(online, waitingEntries, waitingPhotos);

  if (!text && failed.length === 0) return null;
  return (
    <div className="sticky top-14 z-10 -mx-4 mb-4 space-y-2 px-4">
      {text ? (
        <div
          role="status"
          data-testid="offline-banner"
          data-online={online ? "true" : "false"}
          data-waiting={waiting}
          className={`flex flex-wrap items-center gap-x-3 gap-y-1 rounded-xl px-3 py-2 text-sm font-medium shadow-sm ${
            online ? "bg-sky-50 text-sky-900 ring-1 ring-sky-300" : "bg-amber-100 text-amber-950 ring-1 ring-amber-400"
          }`}
        >
          <svg viewBox="0 0 24 24" className="h-5 w-5 shrink-0" aria-hidden="true">
            {online ? (
              <path d="M12 4v10m0 0-4-4m4 4 4-4M5 19h14" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
            ) : (
              <path d="M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 12.5a10 10 0 0 1 4.2-2.4M19 12.5a10 10 0 0 0-3-1.9M2 8.8a15 15 0 0 1 4.4-2.7M22 8.8A15 15 0 0 0 11 5M12 20h.01" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            )}
          </svg>
          <span className="min-w-0 flex-1">{text}</span>
          {!persistent ? <span className="text-xs font-normal">This browser cannot store them: keep this page open.</span> : null}
          {online && waiting > 0 ? (
            <button type="button" onClick={retryNow} className="min-h-11 rounded-lg px-3 text-sm font-semibold underline underline-offset-2">
              Send now
            </button>
          ) : null}
        </div>
      ) : null}
      {failed.length ? (
        <div role="alert" className="rounded-xl bg-red-50 px-3 py-2 text-sm text-red-900 shadow-sm ring-1 ring-red-300" data-testid="offline-failed">
          <p className="font-semibold">
            {failed.length === 1
              ? "1 entry was refused by the server and is not saved there:"
              : `${failed.length} entries were refused by the server and are not saved there:`}
          </p>
          <ul className="mt-1 space-y-1">
            {failed.map(({ entry: e, what, orderHref, orderLabel, againHref, dismiss }) => (
              <li key={e.clientKey} className="flex flex-wrap items-center gap-x-2 gap-y-1" data-testid={`offline-failed-${e.clientKey}`}>
                <span className="min-w-0 flex-1 break-words">
                  {what} on{" "}
                  {orderHref ? (
                    <Link href={orderHref} className="font-mono font-semibold underline">
                      {orderLabel}
                    </Link>
                  ) : (
                    <span className="font-mono font-semibold">{orderLabel}</span>
                  )}
                  : {e.failed?.message}
                </span>
                {againHref ? (
                  <Link href={againHref} className="inline-flex min-h-11 items-center rounded-lg px-2 text-sm font-semibold underline">
                    Write it again
                  </Link>
                ) : null}
                <button
                  type="button"
                  onClick={() => void dismiss(e.clientKey)}
                  className="min-h-11 rounded-lg border border-red-300 bg-white px-3 text-sm font-semibold text-red-900 hover:bg-red-100"
                >
                  Dismiss
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

/**
 * What a refused entry was and where: the order it was typed on, or for a new work order (which
 * the server never stored, so it has no page) its system, with a way to write it again.
 */
function placeOf(e: WorkOrderEntry): { what: string; orderHref: string | null; orderLabel: string; againHref: string | null } {
  if (isCreate(e)) {
    const again = new URLSearchParams({ system: e.input.systemCode, ...(e.input.componentCode ? { component: e.input.componentCode } : {}), type: e.input.type });
    return {
      what: `${ENTRY_NOUN[e.kind]} “${e.input.title}”`,
      orderHref: null,
      orderLabel: e.input.componentCode ? `${e.input.systemCode} / ${e.input.componentCode}` : e.input.systemCode,
      againHref: `/work-orders/new?${again}`,
    };
  }
  return { what: ENTRY_NOUN[e.kind], orderHref: `/work-orders/${encodeURIComponent(e.input.id)}`, orderLabel: e.meta?.orderLabel ?? "a work order", againHref: null };
}
