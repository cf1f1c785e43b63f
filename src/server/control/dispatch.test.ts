import { describe, expect, it } from "vitest";
import { deviceTopics } from "@/server/mqtt/broker-auth";
import { commandMessage, commandTopic } from "./dispatch";

describe("the command message", () => {
  it("is exactly the contract's JSON, keys in its order, expiresAt in ISO-8601 UTC with milliseconds", () => {
    const message = commandMessage({ id: "cmf0abc", setpointKey: "pump_speed", value: 82.5, unit: "%", expiresAt: new Date(Date.UTC(2026, 10, 27, 10, 30, 0, 7)) });
    expect(JSON.stringify(message)).toBe('{"id":"cmf0abc","setpoint":{"key":"pump_speed","value":82.5,"unit":"%"},"expiresAt":"2026-11-27T10:30:00.007Z"}');
  });

  it("goes to the device's commands topic, the one the broker lets only that device subscribe to", () => {
    expect(commandTopic("nai-01-gw")).toBe("ecomate/v1/nai-01-gw/commands");
    expect(commandTopic("nai-01-gw")).toBe(deviceTopics("nai-01-gw").commands);
  });
});
