"use client";

import { useMemo, useSyncExternalStore } from "react";

function createClock(intervalMs: number) {
  let now = 0;
  return {
    subscribe(onTick: () => void) {
      const id = setInterval(() => {
        now = Date.now();
        onTick();
      }, intervalMs);
      return () => clearInterval(id);
    },
    get(): number {
      if (now === 0) now = Date.now();
      return now;
    },
  };
}

/**
 * Wall-clock time in ms, ticking every `intervalMs`. null on the server and during hydration, so
 * nothing rendered from it can differ between the server's HTML and the browser's first render.
 */
export function useNow(intervalMs: number): number | null {
  const clock = useMemo(() => createClock(intervalMs), [intervalMs]);
  return useSyncExternalStore(clock.subscribe, clock.get, () => null);
}
