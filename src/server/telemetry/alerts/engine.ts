/**
 * The alert engine: one leader among the worker processes (a PostgreSQL advisory lock) evaluates
 * every enabled rule against each batch as it is stored, announced by the ingest processes on
 * `ecomate_readings` (live-publisher.ts), and against the clock (on/off delays, stale data).
 * Transitions become alert rows (lifecycle.ts), announced on `ecomate_alerts` for the live feed and
 * handed to the notifier. Condition states live in memory; after a restart they are rebuilt from the
 * open alerts, and series_latest is polled every few seconds so a lost announcement only delays an
 * evaluation.
 */
import pg from "pg";
import type { Logger } from "pino";
import type { Severity } from "@/generated/prisma/enums";
import type { Db } from "@/server/db";
import { moduleLogger } from "@/server/logger";
import { decodeSummaries, READINGS_CHANNEL, type SeriesSummary } from "@/server/telemetry/live-publisher";
import {
  describeCondition,
  initialState,
  isActive,
  isGateOpen,
  onSample,
  onTick,
  parseRuleParams,
  restoreActiveState,
  ruleSpecFromRow,
  type Baseline,
  type ConditionState,
  type RuleGate,
  type RuleKind,
  type RuleSpec,
  type Transition,
} from "@/server/telemetry/alerts/rules";
import { clearAlert, raiseAlert, RULES_CHANGED_CHANNEL, unshelveExpired, type AlertEvent } from "@/server/telemetry/alerts/lifecycle";

/** Any fixed number: the advisory lock that makes one worker the alert engine. */
const LEADER_LOCK = 726_001_843;

export interface AlertEngineOptions {
  db: Db;
  pool: pg.Pool;
  databaseUrl: string;
  log?: Logger;
  /** Called for every alert change the engine makes (notifications). */
  onEvent?: (event: AlertEvent) => void;
  /** Called every housekeeping round (about every 30 s) — escalation lives there. */
  housekeeping?: () => Promise<AlertEvent[]>;
  tickMs?: number;
  reconcileMs?: number;
  housekeepingMs?: number;
  /** How long a non-leader waits before trying the lock again. */
  retryMs?: number;
  /** The advisory lock that elects the leader (tests use their own). */
  lockKey?: number;
}

export interface AlertEngine {
  isLeader(): boolean;
  /** Resolves when this process is the leader with rules loaded (tests). */
  ready(): Promise<void>;
  /** Reloads rules and series now (tests; otherwise on notification and every minute). */
  reload(): Promise<void>;
  readonly stats: { samples: number; raised: number; cleared: number; errors: number };
  stop(): Promise<void>;
}

interface Binding {
  key: string;
  ruleId: string;
  organizationId: string;
  systemId: string;
  componentId: string | null;
  seriesId: number;
  severity: Severity;
  isCompliance: boolean;
  spec: RuleSpec;
  /** the rule only applies while another series of the system is in range (rules.ts RuleGate) */
  gate: { spec: RuleGate; seriesId: number | null } | null;
  metric: { name: string; unit: string };
  state: ConditionState;
}

interface BindingRow {
  rule_id: string;
  organization_id: string;
  kind: RuleKind;
  threshold: number | null;
  deadband: number;
  on_delay_sec: number;
  off_delay_sec: number;
  severity: Severity;
  is_compliance: boolean;
  params: unknown;
  gate_series_id: number | null;
  series_id: number;
  system_id: string;
  component_id: string | null;
  metric_name: string;
  unit: string;
  last_ts: string | null;
}

const BINDINGS_SQL = `
SELECT r.id AS rule_id, r.organization_id, r.kind, r.threshold, r.deadband, r.on_delay_sec, r.off_delay_sec, r.severity,
       r.is_compliance, r.params, g.id AS gate_series_id, s.id AS series_id, s.system_id, s.component_id, m.name AS metric_name, m.unit,
       (extract(epoch FROM sl.ts) * 1000)::int8 AS last_ts
  FROM alert_rule r
  JOIN metric m ON m.id = r.metric_id
  JOIN series s ON s.metric_id = r.metric_id
  JOIN "system" y ON y.id = s.system_id AND y.organization_id = r.organization_id
  LEFT JOIN component c ON c.id = s.component_id
  LEFT JOIN series_latest sl ON sl.series_id = s.id
  LEFT JOIN LATERAL (
    SELECT gs.id FROM series gs JOIN metric gm ON gm.id = gs.metric_id
     WHERE gs.system_id = s.system_id AND gm.key = r.params -> 'when' ->> 'metricKey'
     ORDER BY gs.component_id NULLS FIRST, gs.id LIMIT 1) g ON r.params ? 'when'
 WHERE r.enabled
   AND (r.system_id IS NULL OR r.system_id = s.system_id)
   AND (r.system_model_id IS NULL OR r.system_model_id = y.model_id)
   AND (r.component_type IS NULL OR r.component_type = c.type)`;

export function startAlertEngine(opts: AlertEngineOptions): AlertEngine {
  const log = opts.log ?? moduleLogger("alert-engine");
  const stats = { samples: 0, raised: 0, cleared: 0, errors: 0 };
  let client: pg.Client | null = null;
  let leader = false;
  let stopped = false;
  let bindings = new Map<number, Binding[]>();
  let knownSeries = new Set<number>();
  let baselines = new Map<number, Baseline>();
  const lastSeen = new Map<number, number>();
  /** latest value (and its ts) of each series some rule is gated on */
  let gates = new Map<number, { ts: number; value: number }>();
  const timers: NodeJS.Timeout[] = [];
  let retryTimer: NodeJS.Timeout | null = null;
  let reloadTimer: NodeJS.Timeout | null = null;
  let lastReloadAt = 0;
  let readyResolve: (() => void) | null = null;
  let readyPromise = new Promise<void>((r) => (readyResolve = r));
  // transitions are written one after another, in the order they happened
  let queue: Promise<void> = Promise.resolve();

  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((err: unknown) => {
      stats.errors++;
      log.error({ err: (err as Error).message }, "alert change could not be written");
    });
  };

  function apply(b: Binding, transition: Transition | null): void {
    if (!transition) return;
    const at = new Date(transition.at);
    if (transition.kind === "raise") {
      const message = describeCondition(b.spec, transition.value, b.metric);
      enqueue(async () => {
        const event = await raiseAlert(opts.db, {
          organizationId: b.organizationId,
          ruleId: b.ruleId,
          systemId: b.systemId,
          componentId: b.componentId,
          seriesId: b.seriesId,
          severity: b.severity,
          isCompliance: b.isCompliance,
          message,
          value: transition.value,
          at,
        });
        stats.raised++;
        opts.onEvent?.(event);
      });
    } else {
      enqueue(async () => {
        const event = await clearAlert(opts.db, { ruleId: b.ruleId, seriesId: b.seriesId, at, value: transition.value });
        if (!event) return;
        stats.cleared++;
        opts.onEvent?.(event);
      });
    }
  }

  const gateOpen = (b: Binding) => !b.gate || isGateOpen(b.gate.spec, b.gate.seriesId === null ? null : gates.get(b.gate.seriesId)?.value);

  /** A closed gate: the rule does not apply; a raised condition ends (the reason for it went away). */
  function closeGate(b: Binding, at: number): void {
    const wasActive = isActive(b.state);
    b.state = initialState(at);
    if (wasActive) apply(b, { kind: "clear", at, value: null });
  }

  function feedAll(summaries: SeriesSummary[]): void {
    // gating values first: a batch may hold both the flow and the UV intensity of a system
    for (const s of summaries) {
      const g = gates.get(s.seriesId);
      if (g && s.ts >= g.ts) gates.set(s.seriesId, { ts: s.ts, value: s.last });
    }
    for (const s of summaries) feed(s);
  }

  function feed(summary: SeriesSummary): void {
    stats.samples++;
    const list = bindings.get(summary.seriesId);
    if (!list) {
      // a series created since the rules were loaded may have rules: load them (its newest value is
      // then picked up from series_latest)
      if (!knownSeries.has(summary.seriesId)) scheduleReload();
      return;
    }
    const prev = lastSeen.get(summary.seriesId) ?? -Infinity;
    if (summary.ts > prev) lastSeen.set(summary.seriesId, summary.ts);
    const sample = { ts: summary.ts, last: summary.last, min: summary.min, max: summary.max };
    for (const b of list) {
      if (!gateOpen(b)) {
        closeGate(b, summary.ts);
        continue;
      }
      const r = onSample(b.spec, b.state, sample, baselines.get(b.seriesId) ?? null);
      b.state = r.state;
      apply(b, r.transition);
    }
  }

  function tick(): void {
    const now = Date.now();
    for (const list of bindings.values()) {
      for (const b of list) {
        if (!gateOpen(b)) continue;
        const r = onTick(b.spec, b.state, now);
        b.state = r.state;
        apply(b, r.transition);
      }
    }
  }

  async function reconcile(): Promise<void> {
    const ids = [...new Set([...bindings.keys(), ...gates.keys()])];
    if (!ids.length) return;
    const { rows } = await opts.pool.query<{ series_id: number; t: string; value: number }>(
      `SELECT series_id, (extract(epoch FROM ts) * 1000)::int8 AS t, value FROM series_latest WHERE series_id = ANY($1::int[])`,
      [ids],
    );
    const fresh: SeriesSummary[] = [];
    for (const r of rows) {
      const t = Number(r.t);
      const gate = gates.get(r.series_id);
      const newForGate = gate !== undefined && t > gate.ts;
      const newForRules = bindings.has(r.series_id) && t > (lastSeen.get(r.series_id) ?? -Infinity);
      if (newForGate || newForRules) fresh.push({ seriesId: r.series_id, ts: t, last: r.value, min: r.value, max: r.value, count: 1 });
    }
    feedAll(fresh);
  }

  async function loadBaselines(seriesIds: number[]): Promise<void> {
    if (!seriesIds.length) {
      baselines = new Map();
      return;
    }
    const { rows } = await opts.pool.query<{ series_id: number; median: number; mad: number }>(
      `SELECT series_id, median, mad FROM series_baseline WHERE series_id = ANY($1::int[])`,
      [seriesIds],
    );
    baselines = new Map(rows.map((r) => [r.series_id, { median: r.median, mad: r.mad }]));
  }

  /** Loads rules x series; keeps the condition state of bindings that still exist. */
  async function reload(): Promise<void> {
    lastReloadAt = Date.now();
    const [{ rows }, series, open] = await Promise.all([
      opts.pool.query<BindingRow>(BINDINGS_SQL),
      opts.pool.query<{ id: number }>("SELECT id FROM series"),
      opts.db.alert.findMany({
        where: { state: { in: ["active_unacknowledged", "active_acknowledged"] }, ruleId: { not: null }, seriesId: { not: null } },
        select: { ruleId: true, seriesId: true, value: true, raisedAt: true, lastRepeatAt: true },
      }),
    ]);
    const previous = new Map<string, ConditionState>();
    for (const list of bindings.values()) for (const b of list) previous.set(b.key, b.state);
    const openByKey = new Map(open.map((a) => [`${a.ruleId}:${a.seriesId}`, a]));
    const next = new Map<number, Binding[]>();
    for (const row of rows) {
      if (row.threshold === null) continue; // every kind needs its limit
      const key = `${row.rule_id}:${row.series_id}`;
      const spec: RuleSpec = ruleSpecFromRow({ kind: row.kind, threshold: row.threshold, deadband: row.deadband, onDelaySec: row.on_delay_sec, offDelaySec: row.off_delay_sec, params: row.params });
      const gateSpec = parseRuleParams(row.params).when;
      let state = previous.get(key);
      if (!state) {
        const lastTs = row.last_ts === null ? undefined : Number(row.last_ts);
        const active = openByKey.get(key);
        // a condition raised before a restart stays raised until the data says otherwise
        state = active ? restoreActiveState((active.lastRepeatAt ?? active.raisedAt).getTime(), active.value, lastTs) : initialState(lastTs);
      }
      const binding: Binding = {
        key,
        ruleId: row.rule_id,
        organizationId: row.organization_id,
        systemId: row.system_id,
        componentId: row.component_id,
        seriesId: row.series_id,
        severity: row.severity,
        isCompliance: row.is_compliance,
        spec,
        gate: gateSpec ? { spec: gateSpec, seriesId: row.gate_series_id } : null,
        metric: { name: row.metric_name, unit: row.unit },
        state,
      };
      const list = next.get(row.series_id);
      if (list) list.push(binding);
      else next.set(row.series_id, [binding]);
    }
    for (const id of lastSeen.keys()) if (!next.has(id)) lastSeen.delete(id);
    const nextGates = new Map<number, { ts: number; value: number }>();
    for (const row of rows) if (row.gate_series_id !== null) nextGates.set(row.gate_series_id, gates.get(row.gate_series_id) ?? { ts: -Infinity, value: NaN });
    gates = nextGates;
    bindings = next;
    knownSeries = new Set(series.rows.map((r) => r.id));
    const baselineSeries = rows.filter((r) => r.kind === "baseline_deviation").map((r) => r.series_id);
    await loadBaselines(baselineSeries);
    log.info({ rules: new Set(rows.map((r) => r.rule_id)).size, bindings: rows.length }, "alert rules loaded");
    // series bound since the last load start from their newest stored value
    await reconcile();
  }

  function scheduleReload(): void {
    if (reloadTimer || !leader) return;
    const wait = Math.max(0, 2_000 - (Date.now() - lastReloadAt));
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      reload().catch((err: unknown) => log.warn({ err: (err as Error).message }, "reloading alert rules failed"));
    }, wait);
  }

  function loseLeadership(reason: string): void {
    if (!client) return;
    const c = client;
    client = null;
    if (leader) log.warn({ reason }, "alert engine stops leading");
    leader = false;
    for (const t of timers.splice(0)) clearInterval(t);
    if (reloadTimer) clearTimeout(reloadTimer);
    reloadTimer = null;
    bindings = new Map();
    c.removeAllListeners();
    c.on("error", () => undefined);
    c.end().catch(() => undefined);
    readyPromise = new Promise<void>((r) => (readyResolve = r));
    if (!stopped) retryTimer = setTimeout(() => void tryLead(), opts.retryMs ?? 5_000);
  }

  async function tryLead(): Promise<void> {
    retryTimer = null;
    if (stopped) return;
    const c = new pg.Client({ connectionString: opts.databaseUrl, application_name: "ecomate-alert-engine" });
    client = c;
    c.on("error", (err) => loseLeadership(err.message));
    c.on("end", () => loseLeadership("connection closed"));
    try {
      await c.connect();
      const { rows } = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [opts.lockKey ?? LEADER_LOCK]);
      if (!rows[0]?.ok) {
        loseLeadership("another process leads");
        return;
      }
      c.on("notification", (n) => {
        if (n.channel === READINGS_CHANNEL && n.payload) {
          feedAll(decodeSummaries(n.payload));
        } else if (n.channel === RULES_CHANGED_CHANNEL) {
          lastReloadAt = 0;
          scheduleReload();
        }
      });
      await c.query(`LISTEN ${READINGS_CHANNEL}; LISTEN ${RULES_CHANGED_CHANNEL}`);
      leader = true;
      await reload();
      log.info("alert engine leads");
      const every = (ms: number, fn: () => Promise<void> | void, what: string) =>
        timers.push(
          setInterval(() => {
            Promise.resolve()
              .then(fn)
              .catch((err: unknown) => log.warn({ err: (err as Error).message }, `${what} failed`));
          }, ms),
        );
      every(opts.tickMs ?? 1_000, tick, "alert tick");
      every(opts.reconcileMs ?? 5_000, reconcile, "reconciling latest values");
      every(60_000, () => reload(), "reloading alert rules");
      every(opts.housekeepingMs ?? 30_000, async () => {
        const events = [...(await unshelveExpired(opts.db)), ...((await opts.housekeeping?.()) ?? [])];
        for (const e of events) opts.onEvent?.(e);
      }, "alert housekeeping");
      readyResolve?.();
    } catch (err) {
      loseLeadership((err as Error).message);
    }
  }

  void tryLead();

  return {
    isLeader: () => leader,
    ready: () => readyPromise,
    reload,
    stats,
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      loseLeadership("stopping");
      await queue;
    },
  };
}
