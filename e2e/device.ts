import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

// The device e2e/server.ts created for NBG-01, and the broker the worker listens on.
interface Runtime {
  mqtt: { host: string; port: number };
  device: { id: string; token: string; systemCode: string };
}

export function e2eRuntime(): Runtime {
  return JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "..", ".test-results", "e2e-runtime.json"), "utf8")) as Runtime;
}

/** Publishes readings as the device does: mosquitto_pub, QoS 1, on its own telemetry topic. */
export function publishReadings(readings: { metric: string; value: number; component?: string; ts?: number }[]): void {
  const { mqtt, device } = e2eRuntime();
  execFileSync("mosquitto_pub", [
    "-h", mqtt.host, "-p", String(mqtt.port),
    "-i", `e2e-device-${process.pid}-${Date.now()}`,
    "-u", device.id, "-P", device.token,
    "-q", "1",
    "-t", `ecomate/v1/${device.id}/telemetry`,
    "-m", JSON.stringify(readings.map((r) => ({ ts: Date.now(), ...r }))),
  ]);
}
