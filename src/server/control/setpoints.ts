// A system's control setpoints (pump speed, UV lamp power) with their validated safe ranges, and the
// live state the optimiser starts from (phase 4). Commands outside a safe range are refused, here
// and again at approval.
import type { Prisma } from "@/generated/prisma/client";
import { SETPOINT_KEYS, SETPOINT_UNITS, setpointOf, type OptimiseInput, type SafeRange, type SetpointKey } from "@/lib/control/optimise";
import type { TwinLevers } from "@/lib/twin/levers";
import type { Db } from "@/server/db";
import type { Scope } from "@/server/scope";
import { getTwinState, type TwinState } from "@/server/twin/get-twin-state";

type Tx = Prisma.TransactionClient;

/**
 * Safe ranges [%] used while a system has no validated ones stored (Setpoint.minSafe/maxSafe):
 * conservative defaults until validated ones are entered. The pump never runs above its rated
 * speed, and the lamp is not dimmed below half power (below that, lamp life and the UV sensor's
 * reading are outside what most validation reports cover).
 */
export const DEFAULT_SAFE_RANGES: Readonly<Record<SetpointKey, SafeRange>> = {
  pump_speed: { min: 30, max: 100 },
  uv_power: { min: 50, max: 100 },
};

export const isSetpointKey = (key: string): key is SetpointKey => (SETPOINT_KEYS as readonly string[]).includes(key);

export interface SetpointView {
  key: SetpointKey;
  unit: "%";
  /** The stored setpoint; without one, the live value (pump speed or lamp power from the live levers). */
  value: number;
  minSafe: number;
  maxSafe: number;
  /** manual | optimiser | device as stored; "default" when nothing is stored (default safe range). */
  source: string;
  updatedAt: Date | null;
}

/** A system's setpoints, one per key, stored or defaulted. */
export async function loadSetpoints(db: Db | Tx, systemId: string, live: TwinLevers): Promise<SetpointView[]> {
  const rows = await db.setpoint.findMany({
    where: { systemId, key: { in: [...SETPOINT_KEYS] } },
    select: { key: true, value: true, minSafe: true, maxSafe: true, source: true, updatedAt: true },
  });
  return SETPOINT_KEYS.map((key) => {
    const row = rows.find((r) => r.key === key);
    if (row) return { key, unit: SETPOINT_UNITS[key], value: row.value, minSafe: row.minSafe, maxSafe: row.maxSafe, source: row.source, updatedAt: row.updatedAt };
    const range = DEFAULT_SAFE_RANGES[key];
    return { key, unit: SETPOINT_UNITS[key], value: setpointOf(live, key), minSafe: range.min, maxSafe: range.max, source: "default", updatedAt: null };
  });
}

export function safeRangesOf(setpoints: readonly SetpointView[]): Record<SetpointKey, SafeRange> {
  const out = { ...DEFAULT_SAFE_RANGES };
  for (const s of setpoints) out[s.key] = { min: s.minSafe, max: s.maxSafe };
  return out;
}

const fmt = (x: number) => x.toLocaleString("en-GB", { maximumFractionDigits: 3, useGrouping: false });

/** Why a value is refused for a key (null when it is inside its safe range). */
export function safeRangeRefusal(systemCode: string, key: SetpointKey, value: number, range: SafeRange): string | null {
  if (Number.isFinite(value) && value >= range.min && value <= range.max) return null;
  return `${key} ${fmt(value)} % is outside its safe range of ${fmt(range.min)}–${fmt(range.max)} % on ${systemCode}`;
}

/**
 * Where the optimiser starts for one system: the twin's live state and the setpoints' safe ranges.
 * The demand is the day's mean flow with a margin (`DEMAND_MARGIN`) when a day of flow history is
 * there, else the live flow (the flow the model gives at the live levers, `outcomeNow`). "Live" needs the pump speed
 * measured or estimated from a fresh flow reading (leversFromLive, 15 min) and water flowing; on
 * design defaults there is nothing to optimise.
 */
export interface LiveControl {
  twin: TwinState;
  setpoints: SetpointView[];
  safe: Record<SetpointKey, SafeRange>;
  liveFlow: boolean;
  demandM3h: number | null;
  /** The optimiser's input; null without live flow. */
  input: OptimiseInput | null;
}

/** The demand the tank asks for: the day's average flow with this margin for peaks (estimate). */
export const DEMAND_MARGIN = 1.25;
/** Hours of flow history needed before the average is trusted over the live flow. */
const DEMAND_MIN_HOURS = 6;

/**
 * The mean delivered flow over the last 24 h from the hourly rollups (pump stops count as zero flow,
 * as the readings say), with the hours it rests on; null without flow readings.
 */
export async function averageFlow(db: Db, systemId: string, now: Date): Promise<{ meanM3h: number; hours: number } | null> {
  const rows = await db.$queryRaw<{ total: number | null; n: bigint | null; hours: bigint }[]>`
    SELECT sum(y.sum)::float8 AS total, sum(y.count)::bigint AS n, count(DISTINCT y.bucket)::bigint AS hours
      FROM telemetry_rollup_1h y
      JOIN series s ON s.id = y.series_id
      JOIN metric m ON m.id = s.metric_id
     WHERE s.system_id = ${systemId} AND m.key = 'flow_rate'
       AND y.bucket >= ${new Date(now.getTime() - 24 * 3_600_000)} AND y.bucket < ${now}`;
  const r = rows[0];
  if (!r || r.total === null || !r.n || Number(r.n) === 0) return null;
  return { meanM3h: r.total / Number(r.n), hours: Number(r.hours) };
}

export async function loadLiveControl(db: Db, scope: Scope, systemCode: string, options: { now?: Date } = {}): Promise<LiveControl> {
  const twin = await getTwinState(db, scope, systemCode, { now: options.now?.getTime() });
  const liveFlow = twin.live.sources.speed !== "default" && twin.outcomeNow.flowM3h > 0;
  const setpoints = await loadSetpoints(db, twin.system.id, twin.live.levers);
  const safe = safeRangesOf(setpoints);
  // The unit fills a tank: it must keep up with the consumption, not with its own current flow. With
  // a day of flow history the demand is the day's mean flow plus a margin for peaks (never more than
  // it delivers now: running faster would be the controller's call); without it, the live flow.
  const average = liveFlow ? await averageFlow(db, twin.system.id, options.now ?? new Date()) : null;
  const demandM3h = !liveFlow
    ? null
    : average && average.hours >= DEMAND_MIN_HOURS
      ? Math.min(twin.outcomeNow.flowM3h, Math.max(average.meanM3h * DEMAND_MARGIN, 0.05 * twin.outcomeNow.flowM3h))
      : twin.outcomeNow.flowM3h;
  return {
    twin,
    setpoints,
    safe,
    liveFlow,
    demandM3h,
    input: demandM3h === null ? null : { params: twin.params, levers: twin.live.levers, demandM3h, safe, limits: twin.limits.map(({ metric, min, max }) => ({ metric, min, max })) },
  };
}

/** The system's newest device that is not revoked: where its commands go. */
export async function commandDevice(db: Db | Tx, systemId: string): Promise<{ id: string; name: string } | null> {
  // (one client type: TypeScript gives up comparing the Db | Tx union's generic find methods)
  const client: Tx = db;
  return client.device.findFirst({ where: { systemId, revokedAt: null }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true, name: true } });
}

/** The safe range of one key: the stored one, else the default. */
export async function safeRangeFor(db: Db | Tx, systemId: string, key: SetpointKey): Promise<SafeRange> {
  const row = await db.setpoint.findUnique({ where: { systemId_key: { systemId, key } }, select: { minSafe: true, maxSafe: true } });
  return row ? { min: row.minSafe, max: row.maxSafe } : DEFAULT_SAFE_RANGES[key];
}
