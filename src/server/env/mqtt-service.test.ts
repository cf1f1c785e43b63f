import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mqttServiceSecretPath, redactMqttUrl, resolveMqttServicePassword, withMqttCredentials } from "./mqtt-service";
import { parseCoreEnv } from "./core";

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-mqtt-env-"));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("MQTT service password", () => {
  it("uses MQTT_SERVICE_PASSWORD when set and writes nothing", () => {
    expect(resolveMqttServicePassword({ MQTT_SERVICE_PASSWORD: "from-the-environment", ECOMATE_DATA_DIR: dataDir })).toBe("from-the-environment");
    expect(fs.existsSync(mqttServiceSecretPath(dataDir))).toBe(false);
  });

  it("creates a random secret once, mode 600, and reuses it", () => {
    const first = resolveMqttServicePassword({ MQTT_SERVICE_PASSWORD: undefined, ECOMATE_DATA_DIR: dataDir });
    expect(first).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(fs.statSync(mqttServiceSecretPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(resolveMqttServicePassword({ MQTT_SERVICE_PASSWORD: undefined, ECOMATE_DATA_DIR: dataDir })).toBe(first);
    expect(fs.readdirSync(dataDir)).toEqual(["mqtt-service-secret"]);
  });

  it("refuses short passwords and colons (mqtt.js splits user:password at the last colon)", () => {
    expect(() => parseCoreEnv({ MQTT_SERVICE_PASSWORD: "short" })).toThrow(/MQTT_SERVICE_PASSWORD/);
    expect(() => parseCoreEnv({ MQTT_SERVICE_PASSWORD: "long-enough:but-colon" })).toThrow(/must not contain ':'/);
    expect(parseCoreEnv({ MOSQUITTO_DYNSEC_URL: "mqtt://admin:pw@127.0.0.1:1883" }).MOSQUITTO_DYNSEC_URL).toBe("mqtt://admin:pw@127.0.0.1:1883");
    expect(() => parseCoreEnv({ MOSQUITTO_DYNSEC_URL: "http://admin:pw@127.0.0.1" })).toThrow(/MOSQUITTO_DYNSEC_URL/);
  });
});

describe("MQTT URLs with credentials", () => {
  it("puts the user into the URL and hides the password in logs", () => {
    const url = withMqttCredentials("mqtt://127.0.0.1:1884", "ecomate-platform", "s3cr3t_-x");
    expect(url).toBe("mqtt://ecomate-platform:s3cr3t_-x@127.0.0.1:1884");
    expect(redactMqttUrl(url)).toBe("mqtt://ecomate-platform:***@127.0.0.1:1884");
    expect(redactMqttUrl("mqtt://127.0.0.1:1884")).toBe("mqtt://127.0.0.1:1884");
  });
});
