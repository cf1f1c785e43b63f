import { describe, expect, it } from "vitest";
import { DEVICE_ID_PATTERN, deviceIdFor, generateDeviceToken, hashDeviceToken, tokenMatches, tokenPrefix } from "./device-token";

describe("device tokens", () => {
  it("are random, prefixed and verified only by their hash", () => {
    const a = generateDeviceToken();
    const b = generateDeviceToken();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^ecm_[A-Za-z0-9_-]{43}$/);
    const hash = hashDeviceToken(a);
    expect(hash).toHaveLength(64);
    expect(hash).not.toContain(a.slice(4));
    expect(tokenMatches(a, hash)).toBe(true);
    expect(tokenMatches(b, hash)).toBe(false);
    expect(tokenPrefix(a)).toBe(a.slice(0, 10));
  });
  it("makes MQTT-safe device ids from system codes", () => {
    const id = deviceIdFor("NBG-01");
    expect(id).toMatch(/^nbg-01-[0-9a-f]{6}$/);
    expect(DEVICE_ID_PATTERN.test(id)).toBe(true);
    expect(deviceIdFor("Süd/Plant #3")).toMatch(/^s-d-plant-3-[0-9a-f]{6}$/);
    expect(DEVICE_ID_PATTERN.test(deviceIdFor("+/#"))).toBe(true);
  });
});
