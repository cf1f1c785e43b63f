import net from "node:net";
import { afterAll, describe, expect, it, vi } from "vitest";
import { checkBroker, checkHealth, closeHealthChecks } from "@/server/health";
import { startEmbeddedBroker } from "@/server/infra/embedded-broker";
import { parseCoreEnv } from "@/server/env/core";

// The integration database (DATABASE_URL from the global setup), else the machine's PostgreSQL.
const databaseUrl = parseCoreEnv().DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

afterAll(closeHealthChecks);

describe("checkHealth", () => {
  it("reports ok when the database and the broker answer, and names the broker when it goes away", async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    try {
      expect(await checkHealth({ databaseUrl, mqttUrl: broker.url })).toEqual({ status: "ok", db: "ok", broker: "ok" });
    } finally {
      await broker.stop();
    }
    // The probe client notices the lost connection.
    await expect.poll(() => checkBroker(broker.url), { timeout: 15_000 }).toBe("error");
    expect(await checkHealth({ databaseUrl, mqttUrl: broker.url })).toEqual({ status: "error", db: "ok", broker: "error" });
  });

  it("names the database when it cannot be reached or is not configured", async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    try {
      const deadDb = `postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`;
      expect(await checkHealth({ databaseUrl: deadDb, mqttUrl: broker.url })).toEqual({
        status: "error",
        db: "error",
        broker: "ok",
      });
      expect(await checkHealth({ databaseUrl: null, mqttUrl: null })).toEqual({ status: "error", db: "error", broker: "error" });
    } finally {
      await broker.stop();
    }
  });

  it("reports a broker that never answers within the first-connect window", async () => {
    const url = `mqtt://127.0.0.1:${await closedPort()}`;
    // Refused: no need to wait for the first-connect timeout. With the timers stopped that timeout
    // cannot fire, so the answer can only come from the refused connection.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      expect(await checkBroker(url)).toBe("error");
    } finally {
      vi.useRealTimers();
    }
  });
});
