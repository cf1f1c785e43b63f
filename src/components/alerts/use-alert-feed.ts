"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { useLiveEvent, useLiveFeed, type LiveFeed } from "@/components/live/use-live-feed";

// Alert events come for the whole organisation whatever systems a connection asks for, and the
// inbox needs no readings. useLiveFeed([]) does not connect at all, so the alert views ask for an
// explicitly empty list: `?systems=,` has no ids once the server drops the empty entries
// (src/server/telemetry/live-stream.ts), i.e. alerts only. Every alert view (the shell's badge and
// banner, the inbox, the detail page) passes this same list, so a page shares one connection.
// TODO: switch to useLiveFeed([]) if the hook learns that [] means "alerts only".
const ALERTS_ONLY: readonly string[] = [","];

/** The live feed's alert events (no readings), one connection shared by every alert view of the page. */
export function useAlertFeed(): LiveFeed {
  return useLiveFeed(ALERTS_ONLY);
}

const REFETCH_DEBOUNCE_MS = 250;

// One pending refetch for the page, however many alert views listen (the badge, the inbox...).
let pendingRefetch: ReturnType<typeof setTimeout> | null = null;

/**
 * Keeps the alert queries fresh from the live feed: every `alert` event (and a reconnect, after
 * which events may have been missed) refetches the `alerts.*` queries in use. Debounced and shared,
 * so an alarm flood costs one refetch rather than one per event and listener.
 */
export function useAlertQueriesLive(feed: LiveFeed): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  const refresh = () => {
    if (pendingRefetch) return;
    pendingRefetch = setTimeout(() => {
      pendingRefetch = null;
      // rules do not change with alert events; everything else under alerts.* may have
      void queryClient.invalidateQueries({
        ...trpc.alerts.pathFilter(),
        predicate: (q) => {
          const path = q.queryKey[0];
          return !(Array.isArray(path) && path[1] === "rules");
        },
      });
    }, REFETCH_DEBOUNCE_MS);
  };

  useLiveEvent(feed, "alert", refresh);
  useLiveEvent(feed, "ready", ({ generation }) => {
    if (generation > 1) refresh();
  });
}
