/**
 * Handles one MQTT message from `ecomate/v1/{deviceId}/telemetry` with the shared ingest contract.
 * The worker awaits it before the PUBACK: it resolves once the readings are committed, or once a
 * rejected message is kept as a dead letter and reported on `ecomate/v1/{deviceId}/errors`.
 */
import type { Logger } from "@/server/logger";
import type { MqttIngest } from "@/server/telemetry/mqtt-ingest";

export const TELEMETRY_TOPIC_FILTER = "ecomate/v1/+/telemetry";
/** Several workers share the telemetry through an MQTT v5 shared subscription (brokers that support it). */
export const SHARED_TELEMETRY_FILTER = `$share/ecomate-workers/${TELEMETRY_TOPIC_FILTER}`;

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
  ingest: MqttIngest;
}

/** `ecomate/v1/{deviceId}/telemetry` -> `{ deviceId }`, or null for any other topic. */
export function parseTelemetryTopic(topic: string): { deviceId: string } | null {
  const parts = topic.split("/");
  if (parts.length !== 4 || parts[0] !== "ecomate" || parts[1] !== "v1" || parts[3] !== "telemetry") return null;
  const deviceId = parts[2];
  return deviceId ? { deviceId } : null;
}

export async function handleTelemetryMessage(message: TelemetryMessage, context: TelemetryContext): Promise<void> {
  await context.ingest.handle({ deviceId: message.deviceId, topic: message.topic, payload: message.payload });
}
