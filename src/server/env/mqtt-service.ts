/**
 * The platform's own MQTT identity. The worker, the web server's health check and the CLI connect
 * as `ecomate-platform`, which the broker allows everything (devices only their own topics).
 * Its password is MQTT_SERVICE_PASSWORD, else a random secret kept in `<data dir>/mqtt-service-secret`.
 */
import path from "node:path";
import type { CoreEnv } from "./core";
import { readOrCreateSecretFile } from "./secret-file";

export const MQTT_SERVICE_USERNAME = "ecomate-platform";

export function mqttServiceSecretPath(dataDir: string): string {
  return path.join(dataDir, "mqtt-service-secret");
}

/** MQTT_SERVICE_PASSWORD, else the data folder's secret (created once, mode 600). */
export function resolveMqttServicePassword(env: Pick<CoreEnv, "MQTT_SERVICE_PASSWORD" | "ECOMATE_DATA_DIR">): string {
  return env.MQTT_SERVICE_PASSWORD ?? readOrCreateSecretFile(mqttServiceSecretPath(env.ECOMATE_DATA_DIR));
}

/** `url` with the given credentials in it (mqtt.js reads user:password from the URL). */
export function withMqttCredentials(url: string, username: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(username);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The URL without credentials, for logs and messages. */
export function redactMqttUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}
