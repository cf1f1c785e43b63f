"use client";

import { useEffect, useRef, useState, type RefObject } from "react";
import { useFleetHealth } from "./fleet-health";
import { HEALTH_COLOR, HEALTH_LABEL, worstStatus, type HealthStatus } from "./health";
import { fitProjection, formatLatitude, formatLongitude } from "./map-projection";

export interface MapSite {
  id: string;
  code: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  systems: { id: string; code: string }[];
}

type PlacedSite = MapSite & { latitude: number; longitude: number };

const STATUSES: HealthStatus[] = ["ok", "warning", "alarm", "offline"];

/** The width of an element in CSS px, 0 until measured (so the server renders no guessed layout). */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? 0)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** Beside the dot, on whichever side the name fits (about 7 px a character at 12 px), else under it. */
function placeLabel(x: number, y: number, text: string, width: number): { x: number; y: number; anchor: "start" | "end" } {
  const w = text.length * 7;
  if (x + 13 + w <= width - 4) return { x: x + 13, y: y + 4, anchor: "start" };
  if (x - 13 - w >= 4) return { x: x - 13, y: y + 4, anchor: "end" };
  return { x: Math.min(width - 4, Math.max(4 + w, x + w / 2)), y: y + 24, anchor: "end" };
}

/**
 * The fleet's sites on a plain SVG map (equirectangular, fitted to the sites), each a dot coloured by
 * the worst status of its systems, labelled, with a tooltip listing the systems; a dot links to the
 * site's card below.
 */
export function SiteMap({ sites }: { sites: MapSite[] }) {
  const { statuses } = useFleetHealth();
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const placed = sites.filter((s): s is PlacedSite => s.latitude != null && s.longitude != null);
  const unplaced = sites.length - placed.length;
  const siteStatus = (s: MapSite) => worstStatus(s.systems.map((sys) => statuses[sys.id] ?? "offline"));
  const counts = Object.fromEntries(STATUSES.map((st) => [st, 0])) as Record<HealthStatus, number>;
  for (const s of sites) for (const sys of s.systems) counts[statuses[sys.id] ?? "offline"]++;

  const frame = width > 0 && placed.length > 0 ? fitProjection(placed, width) : null;
  return (
    <div>
      <div ref={box} className="w-full overflow-hidden rounded-xl bg-slate-50" style={frame ? undefined : { minHeight: 200 }}>
        {placed.length === 0 ? (
          <p className="p-6 text-sm text-slate-500">No site has coordinates yet. Add latitude and longitude to a site to see it on the map.</p>
        ) : frame ? (
          <svg width={frame.width} height={frame.height} viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label={`Map of ${placed.length} sites`} data-testid="site-map">
            <g stroke="#e2e8f0" strokeWidth={1}>
              {frame.latitudes.map((lat) => {
                const y = frame.project(lat, 0).y;
                return <line key={`lat${lat}`} x1={0} x2={frame.width} y1={y} y2={y} />;
              })}
              {frame.longitudes.map((lon) => {
                const x = frame.project(0, lon).x;
                return <line key={`lon${lon}`} x1={x} x2={x} y1={0} y2={frame.height} />;
              })}
            </g>
            <g fill="#94a3b8" fontSize={10}>
              {frame.latitudes.map((lat) => (
                <text key={`latl${lat}`} x={4} y={frame.project(lat, 0).y - 3}>{formatLatitude(lat)}</text>
              ))}
              {frame.longitudes.map((lon) => (
                <text key={`lonl${lon}`} x={frame.project(0, lon).x + 3} y={frame.height - 4}>{formatLongitude(lon)}</text>
              ))}
            </g>
            {placed.map((s) => {
              const { x, y } = frame.project(s.latitude, s.longitude);
              const status = siteStatus(s);
              const label = placeLabel(x, y, s.name, frame.width);
              const systems = s.systems.map((sys) => `${sys.code}: ${HEALTH_LABEL[statuses[sys.id] ?? "offline"]}`).join("\n");
              return (
                <a key={s.id} href={`#site-${s.code}`} data-testid={`site-marker-${s.code}`} data-status={status} aria-label={`${s.name}: ${HEALTH_LABEL[status]}`}>
                  <title>{`${s.name} (${s.code}) — ${HEALTH_LABEL[status]}\n${systems}`}</title>
                  <circle cx={x} cy={y} r={8} fill={HEALTH_COLOR[status]} stroke="#fff" strokeWidth={2.5} />
                  {status === "alarm" ? <circle cx={x} cy={y} r={13} fill="none" stroke={HEALTH_COLOR.alarm} strokeWidth={1.5} opacity={0.6} /> : null}
                  <text
                    x={label.x}
                    y={label.y}
                    textAnchor={label.anchor}
                    fontSize={12}
                    fontWeight={600}
                    fill="#0f172a"
                    stroke="#f8fafc"
                    strokeWidth={3}
                    paintOrder="stroke"
                  >
                    {s.name}
                  </text>
                </a>
              );
            })}
          </svg>
        ) : null}
      </div>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-label="Systems by status">
        {STATUSES.map((st) => (
          <li key={st} className="inline-flex items-center gap-1.5">
            <span aria-hidden="true" className="h-2.5 w-2.5 rounded-full" style={{ backgroundColor: HEALTH_COLOR[st] }} />
            {HEALTH_LABEL[st]} <span className="tabular-nums font-semibold" data-testid={`health-count-${st}`}>{counts[st]}</span>
          </li>
        ))}
        {unplaced ? <li className="text-slate-500">{unplaced} site{unplaced === 1 ? "" : "s"} without coordinates</li> : null}
      </ul>
    </div>
  );
}
