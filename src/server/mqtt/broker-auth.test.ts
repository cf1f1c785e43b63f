import { describe, expect, it } from "vitest";
import { BrokerAuth, devicePublishAllowed, deviceSubscribeAllowed, type DeviceVerifier } from "./broker-auth";

describe("device topic rules", () => {
  it("allow a device only its own telemetry and acks out, errors and commands in", () => {
    expect(devicePublishAllowed("d-1", "ecomate/v1/d-1/telemetry")).toBe(true);
    expect(devicePublishAllowed("d-1", "ecomate/v1/d-1/commands/ack")).toBe(true);
    for (const topic of ["ecomate/v1/d-2/telemetry", "ecomate/v1/d-1/errors", "ecomate/v1/d-1/commands", "ecomate/v1/d-1/telemetry/x", "ecomate/platform/worker/status"]) {
      expect(devicePublishAllowed("d-1", topic), topic).toBe(false);
    }
    expect(deviceSubscribeAllowed("d-1", "ecomate/v1/d-1/errors")).toBe(true);
    expect(deviceSubscribeAllowed("d-1", "ecomate/v1/d-1/commands")).toBe(true);
    for (const topic of ["ecomate/v1/d-1/#", "ecomate/v1/+/commands", "ecomate/v1/d-2/commands", "#", "$SYS/#"]) {
      expect(deviceSubscribeAllowed("d-1", topic), topic).toBe(false);
    }
  });
});

/** A directory whose valid credentials the test controls. */
function fakeDirectory(valid: Map<string, string>): DeviceVerifier & { forgets: number } {
  const directory = {
    forgets: 0,
    verifyDevice: async (id: string, token: string) =>
      valid.get(id) === token ? { deviceId: id, systemId: "s", organizationId: "o" } : null,
    forgetDevices: () => void directory.forgets++,
  };
  return directory;
}

describe("BrokerAuth", () => {
  const password = (s: string) => Buffer.from(s);

  it("authenticates devices by token and the platform by the service password", async () => {
    const auth = new BrokerAuth({ directory: fakeDirectory(new Map([["d-1", "tok-1"]])), servicePassword: "service-secret" });
    expect(await auth.authenticate({ clientId: "c1", username: "d-1", password: password("tok-1") })).toBe(true);
    expect(await auth.authenticate({ clientId: "c2", username: "d-1", password: password("tok-2") })).toBe(false);
    expect(await auth.authenticate({ clientId: "c3", username: undefined, password: undefined })).toBe(false);
    expect(await auth.authenticate({ clientId: "c4", username: "Not A Device", password: password("tok-1") })).toBe(false);
    expect(await auth.authenticate({ clientId: "ecomate-worker-1-0", username: "d-1", password: password("tok-1") })).toBe(false);
    expect(await auth.authenticate({ clientId: "ecomate-worker-1-0", username: "ecomate-platform", password: password("service-secret") })).toBe(true);
    expect(await auth.authenticate({ clientId: "w", username: "ecomate-platform", password: password("service-secreT") })).toBe(false);
  });

  it("closes exactly the connections whose credentials stopped being valid", async () => {
    const valid = new Map([["d-1", "tok-1"], ["d-2", "tok-2"]]);
    const directory = fakeDirectory(valid);
    const closed: string[] = [];
    const auth = new BrokerAuth({ directory, servicePassword: "service-secret", disconnect: async (id) => void closed.push(id) });
    await auth.authenticate({ clientId: "a", username: "d-1", password: password("tok-1") });
    await auth.authenticate({ clientId: "b", username: "d-1", password: password("tok-1") });
    await auth.authenticate({ clientId: "c", username: "d-2", password: password("tok-2") });

    valid.set("d-1", "tok-1-rotated");
    expect((await auth.recheckDevice("d-1")).sort()).toEqual(["a", "b"]);
    expect(closed.sort()).toEqual(["a", "b"]);
    expect(directory.forgets).toBe(1);
    // A reconnect with the new token is watched again; d-2 was never touched.
    await auth.authenticate({ clientId: "a", username: "d-1", password: password("tok-1-rotated") });
    expect(await auth.recheckAll()).toEqual([]);
    valid.delete("d-2");
    expect(await auth.recheckAll()).toEqual(["c"]);
    expect(auth.watchedConnections).toBe(1);
  });
});
