import { describe, expect, it } from "vitest";
import { parseTelemetryTopic } from "./telemetry-handler";

describe("parseTelemetryTopic", () => {
  it("takes the device id from the telemetry topic", () => {
    expect(parseTelemetryTopic("ecomate/v1/dev-42/telemetry")).toEqual({ deviceId: "dev-42" });
  });

  it.each(["ecomate/v1//telemetry", "ecomate/v1/dev-42/errors", "ecomate/v2/dev-42/telemetry", "ecomate/v1/a/b/telemetry"])(
    "rejects %s",
    (topic) => expect(parseTelemetryTopic(topic)).toBeNull(),
  );
});
