/**
 * Handles one MQTT message from `ecomate/v1/{deviceId}/telemetry`.
 *
 * >>> This is where telemetry ingest plugs in. <<<
 * For now it only logs the topic and the payload size. The ingest issue replaces the body of
 * `handleTelemetryMessage` (parse the body like HTTP ingest, store the readings, publish rejections
 * to `ecomate/v1/{deviceId}/errors`) and may extend `TelemetryContext`.
 *
 * The worker awaits this function before it sends the PUBACK, so a message counts as delivered
 * only once the handler has returned: keep it awaiting the database commit.
 */
import type pg from "pg";
import type { Logger } from "@/server/logger";

export const TELEMETRY_TOPIC_FILTER = "ecomate/v1/+/telemetry";

export interface TelemetryMessage {
  topic: string;
  /** The device id taken from the topic (the MQTT username of the device). */
  deviceId: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  receivedAt: Date;
}

export interface TelemetryContext {
  log: Logger;
  /** The worker's pg pool. */
  pool: pg.Pool;
  /** Publishes through the worker's MQTT connection (e.g. to the device's errors topic). */
  publish(topic: string, payload: string | Buffer, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
}

/** `ecomate/v1/{deviceId}/telemetry` -> `{ deviceId }`, or null for any other topic. */
export function parseTelemetryTopic(topic: string): { deviceId: string } | null {
  const parts = topic.split("/");
  if (parts.length !== 4 || parts[0] !== "ecomate" || parts[1] !== "v1" || parts[3] !== "telemetry") return null;
  const deviceId = parts[2];
  return deviceId ? { deviceId } : null;
}

export async function handleTelemetryMessage(message: TelemetryMessage, context: TelemetryContext): Promise<void> {
  // Placeholder until ingest: log only.
  context.log.info(
    { topic: message.topic, deviceId: message.deviceId, bytes: message.payload.length, qos: message.qos },
    "telemetry message received",
  );
}
