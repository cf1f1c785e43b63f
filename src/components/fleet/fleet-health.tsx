"use client";

import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useLiveEvent, useLiveFeed, type LiveStatus } from "@/components/live/use-live-feed";
import { useTRPC } from "@/components/trpc";
import { LiveIndicator } from "@/components/telemetry/live-indicator";
import { useNow } from "@/components/telemetry/use-now";
import { applyAlert, applyReadings, HEALTH_COLOR, HEALTH_LABEL, systemStatus, type HealthStatus, type SystemHealthState } from "./health";

export type FleetHealthInput = inferRouterOutputs<AppRouter>["telemetry"]["fleetHealth"];

interface FleetHealthValue {
  statuses: Record<string, HealthStatus>;
  lastReadingAt: Record<string, number | null>;
  feedStatus: LiveStatus;
}

const FleetHealthContext = createContext<FleetHealthValue | null>(null);

function toStates(input: FleetHealthInput): Record<string, SystemHealthState> {
  const states: Record<string, SystemHealthState> = {};
  for (const s of input.systems) {
    states[s.systemId] = {
      lastReadingAt: s.lastReadingAt ? s.lastReadingAt.getTime() : null,
      limits: Object.fromEntries(s.limits.map((l) => [l.metricKey, { min: l.min, max: l.max }])),
      latest: Object.fromEntries(s.latest.map((l) => [l.seriesId, { metricKey: l.metricKey, value: l.value, ts: l.ts.getTime() }])),
      openAlerts: Object.fromEntries(s.openAlerts.map((a) => [a.id, a.severity])),
    };
  }
  return states;
}

const REFRESH_MS = 60_000;

/**
 * Live health of every system of the fleet page, shared by the map and the system list: the server's
 * answer, moved on by the live feed's readings and alert events, and read again every minute and after
 * a reconnect (so a dropped feed, or systems beyond what one feed carries, are never wrong for long).
 */
export function FleetHealthProvider({ initial, children }: { initial: FleetHealthInput; children: ReactNode }) {
  const trpc = useTRPC();
  const feed = useLiveFeed(initial.systems.map((s) => s.systemId));
  const health = useQuery(trpc.telemetry.fleetHealth.queryOptions(undefined, { initialData: initial, refetchInterval: REFRESH_MS, staleTime: REFRESH_MS / 2 }));
  const [answer, setAnswer] = useState(health.data);
  const [states, setStates] = useState(() => toStates(health.data));
  if (health.data !== answer) {
    // a fresh answer replaces what the events built on the previous one
    setAnswer(health.data);
    setStates(toStates(health.data));
  }
  const [alertEventSeen, setAlertEventSeen] = useState(false);
  // until mounted, the server's clock of the answer, so server HTML and hydration agree
  const now = useNow(10_000) ?? answer.at.getTime();

  useLiveEvent(feed, "ready", ({ generation }) => {
    if (generation > 1) void health.refetch();
  });
  useLiveEvent(feed, "readings", (event) => {
    setStates((prev) => {
      const s = prev[event.systemId];
      const next = s ? applyReadings(s, event) : s;
      return next === s || !next ? prev : { ...prev, [event.systemId]: next };
    });
  });
  useLiveEvent(feed, "alert", (event) => {
    setAlertEventSeen(true);
    setStates((prev) => {
      const s = prev[event.systemId];
      return s ? { ...prev, [event.systemId]: applyAlert(s, event) } : prev;
    });
  });

  const value = useMemo<FleetHealthValue>(() => {
    const statuses: Record<string, HealthStatus> = {};
    const lastReadingAt: Record<string, number | null> = {};
    for (const [id, s] of Object.entries(states)) {
      statuses[id] = systemStatus(s, now, alertEventSeen);
      lastReadingAt[id] = s.lastReadingAt;
    }
    return { statuses, lastReadingAt, feedStatus: feed.status };
  }, [states, now, alertEventSeen, feed.status]);

  return <FleetHealthContext.Provider value={value}>{children}</FleetHealthContext.Provider>;
}

export function useFleetHealth(): FleetHealthValue {
  const value = useContext(FleetHealthContext);
  if (!value) throw new Error("useFleetHealth: wrap the page in <FleetHealthProvider>");
  return value;
}

/** A system's status dot, with its name for screen readers and as a tooltip. */
export function HealthDot({ systemId, code }: { systemId: string; code: string }) {
  const { statuses } = useFleetHealth();
  const status = statuses[systemId] ?? "offline";
  return (
    <span
      className="inline-flex h-3 w-3 shrink-0 rounded-full ring-2 ring-white"
      style={{ backgroundColor: HEALTH_COLOR[status] }}
      title={`${code}: ${HEALTH_LABEL[status]}`}
      data-testid={`system-health-${code}`}
      data-status={status}
    >
      <span className="sr-only">{HEALTH_LABEL[status]}</span>
    </span>
  );
}

export function FleetLiveStatus() {
  return <LiveIndicator status={useFleetHealth().feedStatus} />;
}
