/**
 * Setpoint commands in the worker process (design.md "control"; contracts.md "MQTT"):
 *
 * - sends approved commands at once: LISTEN on `ecomate_commands` (the control lifecycle NOTIFYs a
 *   command's id when it becomes approved), and a pass every 5 s besides, since a notification sent
 *   while no worker listened (a restart) is gone;
 * - records the devices' acks from `ecomate/v1/+/commands/ack` (the worker subscribes on its MQTT
 *   connection next to telemetry: src/worker/index.ts), before the MQTT acknowledgement; refused acks
 *   go to the dead letters and onto the device's errors topic, like refused telemetry;
 * - expires sent commands nobody answered, every 30 s;
 * - runs the optimiser (`runAutonomy`) every 15 min for the systems in autonomous mode.
 *
 * Every worker records the acks it receives (the broker gives each ack to one worker of the shared
 * subscription). The scheduled jobs run where `jobs` is on (by default the workers that run
 * maintenance); with several such workers each command is still sent once (dispatch.ts).
 */
import type pg from "pg";
import { listenPersistently, type PersistentListen } from "@/server/db/listen";
import type { Db } from "@/server/db";
import type { Logger } from "@/server/logger";
import type { Scope } from "@/server/scope";
import { recordCommandAck, type CommandAckResult } from "@/server/control/acks";
import { runAutonomy } from "@/server/control/autonomy";
import { COMMANDS_CHANNEL } from "@/server/control/commands";
import { dispatchApprovedCommands, expireUnacknowledged, type PublishCommand } from "@/server/control/dispatch";
import { recordDeadLetter } from "@/server/telemetry/dead-letter";
import { errorsTopic } from "@/server/telemetry/mqtt-ingest";

export const COMMAND_ACK_FILTER = "ecomate/v1/+/commands/ack";
/** Several workers share the acks through the MQTT v5 shared subscription, like telemetry. */
export const SHARED_COMMAND_ACK_FILTER = `$share/ecomate-workers/${COMMAND_ACK_FILTER}`;

/** `runAutonomy(db, now)` of src/server/control/autonomy.ts, or a stand-in (tests). */
export type RunAutonomy = (db: Db, now: Date) => Promise<unknown>;

export interface ControlServiceOptions {
  db: Db;
  pool: pg.Pool;
  log: Logger;
  /** QoS 1 publish on the worker's MQTT connection, resolving on PUBACK; rejects at once when not connected. */
  publish: PublishCommand;
  /** Send, expire and optimise here (default true); false: only record the acks this worker receives. */
  jobs?: boolean;
  /** Only this organisation's commands (tests on a shared database; default all). */
  scope?: Scope;
  /** Dispatch pass besides notifications (default 5 s). */
  dispatchEveryMs?: number;
  /** Expiry of unanswered commands (default 30 s). */
  expireEveryMs?: number;
  /** Optimiser runs (default 15 min); the first one `autonomyFirstRunDelayMs` after start (default 1 min). */
  autonomyEveryMs?: number;
  autonomyFirstRunDelayMs?: number;
  /** The optimiser (default `runAutonomy` of src/server/control/autonomy.ts; null: none). */
  runAutonomy?: RunAutonomy | null;
  publishTimeoutMs?: number;
  /** Wait before listening again after the connection was lost (default 2 s). */
  listenRetryMs?: number;
}

export interface ControlStats {
  /** commands published and marked sent by this process */
  sent: number;
  publishFailures: number;
  expired: number;
  /** ack messages handled (recorded, or refused and reported) */
  acks: number;
  refusedAcks: number;
  duplicateAcks: number;
  lateAcks: number;
  passes: number;
}

export interface ControlService {
  readonly stats: ControlStats;
  /** Records one ack message; resolves once it is committed (or refused and reported). */
  handleAck(message: { topic: string; deviceId: string; payload: Buffer }): Promise<void>;
  /** One dispatch pass now (after the one running, if any). */
  dispatchNow(): Promise<void>;
  expireNow(): Promise<void>;
  /** Resolves once LISTEN is in place (at once when the jobs are off). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export function startControlService(opts: ControlServiceOptions): ControlService {
  const { db, log } = opts;
  const jobs = opts.jobs ?? true;
  const stats: ControlStats = { sent: 0, publishFailures: 0, expired: 0, acks: 0, refusedAcks: 0, duplicateAcks: 0, lateAcks: 0, passes: 0 };
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  // ---- dispatch: one pass at a time; a request during a pass runs one more pass after it ----------
  let dispatching: Promise<void> | null = null;
  let again = false;

  const pass = async () => {
    stats.passes += 1;
    const result = await dispatchApprovedCommands(db, opts.publish, new Date(), {
      scope: opts.scope,
      publishTimeoutMs: opts.publishTimeoutMs,
      onPublishError: ({ commandId, deviceId, error }) =>
        log.warn({ commandId, deviceId, err: error.message }, "could not publish a setpoint command; it stays approved and is sent at the next pass"),
    });
    stats.sent += result.sent.length;
    stats.publishFailures += result.failed.length;
    stats.expired += result.expired.length;
    for (const s of result.sent) log.info({ commandId: s.id, deviceId: s.deviceId, setpoint: s.message.setpoint, expiresAt: s.message.expiresAt }, "setpoint command sent");
    for (const e of result.expired) log.warn({ commandId: e.id, deviceId: e.deviceId, message: e.ackMessage }, "setpoint command expired before it was sent");
  };

  const dispatchNow = (): Promise<void> => {
    if (stopped) return dispatching ?? Promise.resolve();
    if (dispatching) {
      again = true;
      return dispatching;
    }
    dispatching = (async () => {
      try {
        do {
          again = false;
          try {
            await pass();
          } catch (err) {
            log.warn({ err: (err as Error).message }, "setpoint command dispatch failed; retrying at the next pass");
          }
        } while (again && !stopped);
      } finally {
        dispatching = null;
      }
    })();
    return dispatching;
  };

  let expiring: Promise<void> | null = null;
  const expireNow = (): Promise<void> => {
    if (expiring || stopped) return expiring ?? Promise.resolve();
    expiring = (async () => {
      try {
        const expired = await expireUnacknowledged(db, new Date(), { scope: opts.scope });
        stats.expired += expired.length;
        for (const e of expired) log.warn({ commandId: e.id, deviceId: e.deviceId, message: e.ackMessage }, "setpoint command expired without an acknowledgement from the device");
      } catch (err) {
        log.warn({ err: (err as Error).message }, "expiring unanswered setpoint commands failed; retrying at the next run");
      } finally {
        expiring = null;
      }
    })();
    return expiring;
  };

  // ---- the optimiser ----------------------------------------------------------------------------
  let optimising: Promise<void> | null = null;
  const autonomy: RunAutonomy | null = opts.runAutonomy === undefined ? runAutonomy : opts.runAutonomy;
  const optimise = (): Promise<void> => {
    if (optimising || stopped || !autonomy) return optimising ?? Promise.resolve();
    optimising = (async () => {
      try {
        const run = autonomy;
        const started = Date.now();
        const result = await run(db, new Date());
        log.info({ tookMs: Date.now() - started, result }, "autonomy run done");
        // approvals NOTIFY on their own; this pass only saves waiting for the timer if one was missed
        void dispatchNow();
      } catch (err) {
        log.warn({ err: (err as Error).message }, "autonomy run failed; retrying at the next run");
      } finally {
        optimising = null;
      }
    })();
    return optimising;
  };

  // ---- LISTEN on a pooled connection, held while listening ----------------------------------------
  let listening: PersistentListen | null = null;

  if (jobs) {
    listening = listenPersistently({
      pool: opts.pool,
      channel: COMMANDS_CHANNEL,
      log,
      what: "approved commands",
      retryMs: opts.listenRetryMs,
      onNotification: (id) => {
        log.debug({ commandId: id }, "command approved; dispatching");
        void dispatchNow();
      },
      // approvals notified while nobody listened (the 5 s pass would find them too)
      onListening: () => void dispatchNow(),
    });
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn(), ms);
      t.unref();
      timers.push(t);
    };
    every(opts.dispatchEveryMs ?? 5_000, dispatchNow);
    every(opts.expireEveryMs ?? 30_000, expireNow);
    every(opts.autonomyEveryMs ?? 15 * 60_000, optimise);
    const first = setTimeout(() => void optimise(), opts.autonomyFirstRunDelayMs ?? 60_000);
    first.unref();
    timers.push(first);
  }
  const ready = listening?.ready ?? Promise.resolve();

  // ---- acks ---------------------------------------------------------------------------------------
  const reportRefusal = async (message: { topic: string; deviceId: string; payload: Buffer }, r: Extract<CommandAckResult, { outcome: "refused" }>) => {
    stats.refusedAcks += 1;
    if (r.ownerDeviceId) log.warn({ deviceId: message.deviceId, commandId: r.commandId, owner: r.ownerDeviceId }, "a device answered another device's command; refused");
    else log.info({ deviceId: message.deviceId, code: r.code, reason: r.reason }, "command acknowledgement refused");
    const stored = await recordDeadLetter(opts.pool, { deviceId: message.deviceId, transport: "mqtt", topic: message.topic, code: r.code, reason: r.reason, payload: message.payload });
    if (!stored) log.error({ deviceId: message.deviceId, code: r.code }, "could not record a dead letter");
    const body = JSON.stringify({ ts: new Date().toISOString(), error: { code: r.code, message: r.reason }, payload: message.payload.subarray(0, 1024).toString("utf8") });
    // Not awaited: this runs inside the MQTT message handler, and the PUBACK of this publish is an
    // incoming packet that would queue behind the message being handled (mqtt-ingest does the same).
    void opts.publish(errorsTopic(message.deviceId), body).catch((err: unknown) =>
      log.warn({ err: (err as Error).message, deviceId: message.deviceId }, "could not publish to the errors topic"),
    );
  };

  /** Retries while the database fails; never settles once stopped (the ack stays unacknowledged). */
  const retrying = async <T>(fn: () => Promise<T>): Promise<T> => {
    let delay = 500;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (stopped) return new Promise<T>(() => undefined);
        log.warn({ err: (err as Error).message, retryInMs: delay }, "could not record a command acknowledgement; holding it unacknowledged");
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  };

  const handleAck = async (message: { topic: string; deviceId: string; payload: Buffer }): Promise<void> => {
    const r = await retrying(() => recordCommandAck(db, message.deviceId, message.payload));
    stats.acks += 1;
    switch (r.outcome) {
      case "refused":
        return reportRefusal(message, r);
      case "duplicate":
        stats.duplicateAcks += 1;
        if (r.conflicting) log.warn({ deviceId: message.deviceId, commandId: r.commandId, status: r.status }, "a device answered a command again, differently; the first answer stands");
        else log.debug({ deviceId: message.deviceId, commandId: r.commandId }, "duplicate command acknowledgement ignored");
        return;
      case "late":
        stats.lateAcks += 1;
        if (r.answered === "applied") {
          log.warn({ deviceId: message.deviceId, commandId: r.commandId, status: r.status, setpoint: r.setpoint }, "a device applied a setpoint command after it had expired or was cancelled");
        } else log.info({ deviceId: message.deviceId, commandId: r.commandId, status: r.status }, "late answer to an expired or cancelled command recorded");
        return;
      case "applied":
      case "rejected":
        log.info({ deviceId: message.deviceId, commandId: r.commandId, setpoint: r.setpoint, message: r.message }, `setpoint command ${r.outcome} by the device`);
        return;
    }
  };

  return {
    stats,
    handleAck,
    dispatchNow,
    expireNow,
    ready: () => ready,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await listening?.stop();
      await Promise.allSettled([dispatching, expiring, optimising].filter((p): p is Promise<void> => p !== null));
    },
  };
}
