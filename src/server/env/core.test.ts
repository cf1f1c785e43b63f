import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvValidationError, parseCoreEnv, resolveServiceUrls, ServiceUnavailableError } from "./core";
import { parseCliEnv } from "./cli";
import { authSecretPath, parseWebEnv, resolveAuthSecret } from "./web";
import { parseWorkerEnv } from "./worker";
import { writeRuntimeFile } from "@/server/infra/runtime-file";

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-env-"));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function captureError(fn: () => unknown): EnvValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EnvValidationError) return error;
    throw error;
  }
  throw new Error("expected an EnvValidationError");
}

describe("env parsing", () => {
  it("applies the documented defaults", () => {
    const env = parseWebEnv({});
    expect(env.EMBEDDED_PG_PORT).toBe(54329);
    expect(env.EMBEDDED_MQTT_PORT).toBe(1884);
    expect(env.PORT).toBe(3000);
    expect(env.LOG_LEVEL).toBe("info");
    expect(env.NODE_ENV).toBe("development");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MQTT_URL).toBeUndefined();
    expect(env.NEXTAUTH_SECRET).toBeUndefined();
    expect(path.isAbsolute(env.ECOMATE_DATA_DIR)).toBe(true);
    expect(path.basename(env.ECOMATE_DATA_DIR)).toBe(".data");
    // The default data dir is in the project (the folder with EcoMate's package.json).
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(env.ECOMATE_DATA_DIR), "package.json"), "utf8"));
    expect(pkg.name).toBe("ecomate");
  });

  it("parses good values and freezes the result", () => {
    const env = parseWebEnv({
      DATABASE_URL: "postgresql://u:p@db.example:5433/eco",
      MQTT_URL: "mqtt://127.0.0.1:1883",
      EMBEDDED_PG_PORT: "55000",
      EMBEDDED_MQTT_PORT: "18840",
      PORT: "3100",
      LOG_LEVEL: "DEBUG",
      NODE_ENV: "production",
      NEXTAUTH_SECRET: "s3cret",
      ECOMATE_DATA_DIR: "relative/data",
    });
    expect(env).toMatchObject({
      DATABASE_URL: "postgresql://u:p@db.example:5433/eco",
      MQTT_URL: "mqtt://127.0.0.1:1883",
      EMBEDDED_PG_PORT: 55000,
      EMBEDDED_MQTT_PORT: 18840,
      PORT: 3100,
      LOG_LEVEL: "debug",
      NODE_ENV: "production",
      NEXTAUTH_SECRET: "s3cret",
    });
    expect(env.ECOMATE_DATA_DIR).toBe(path.resolve("relative/data"));
    expect(Object.isFrozen(env)).toBe(true);
  });

  it("treats empty strings as unset", () => {
    const env = parseCoreEnv({ DATABASE_URL: "", EMBEDDED_PG_PORT: " ", LOG_LEVEL: "" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.EMBEDDED_PG_PORT).toBe(54329);
    expect(env.LOG_LEVEL).toBe("info");
  });

  it("names every bad variable in one error", () => {
    const error = captureError(() =>
      parseWebEnv({
        DATABASE_URL: "mysql://localhost/eco",
        MQTT_URL: "not a url",
        EMBEDDED_PG_PORT: "70000",
        EMBEDDED_MQTT_PORT: "18.5",
        PORT: "abc",
        LOG_LEVEL: "loud",
        NODE_ENV: "staging",
      }),
    );
    const bad = ["DATABASE_URL", "MQTT_URL", "EMBEDDED_PG_PORT", "EMBEDDED_MQTT_PORT", "PORT", "LOG_LEVEL", "NODE_ENV"];
    expect(error.variables.sort()).toEqual([...bad].sort());
    for (const variable of bad) expect(error.message).toContain(`${variable}:`);
    expect(error.message).toMatch(/^Invalid web configuration/);
    // Values may be secrets: the message must not echo them.
    expect(error.message).not.toContain("mysql://localhost/eco");
  });

  it("only reports the bad variables", () => {
    const error = captureError(() => parseWorkerEnv({ EMBEDDED_MQTT_PORT: "0", DATABASE_URL: "postgres://h/db" }));
    expect(error.variables).toEqual(["EMBEDDED_MQTT_PORT"]);
  });

  it("gives the CLI the web settings the demo needs", () => {
    expect(parseCliEnv({ PORT: "4000" }).PORT).toBe(4000);
    expect(captureError(() => parseCliEnv({ PORT: "-1" })).variables).toEqual(["PORT"]);
  });
});

describe("service URL resolution", () => {
  it("prefers the environment", () => {
    const env = parseWorkerEnv({ DATABASE_URL: "postgres://a/b", MQTT_URL: "mqtt://c:1", ECOMATE_DATA_DIR: dataDir });
    writeRuntimeFile(dataDir, { databaseUrl: "postgres://x/y", mqttUrl: "mqtt://z:2", appUrl: "http://a", pid: process.pid });
    expect(resolveServiceUrls(env)).toEqual({
      databaseUrl: "postgres://a/b",
      mqttUrl: "mqtt://c:1",
      source: { database: "env", mqtt: "env" },
    });
  });

  it("falls back to a live demo's runtime.json", () => {
    const env = parseWorkerEnv({ MQTT_URL: "mqtt://c:1", ECOMATE_DATA_DIR: dataDir });
    writeRuntimeFile(dataDir, { databaseUrl: "postgres://x/y", mqttUrl: "mqtt://z:2", appUrl: "http://a", pid: process.pid });
    expect(resolveServiceUrls(env)).toEqual({
      databaseUrl: "postgres://x/y",
      mqttUrl: "mqtt://c:1",
      source: { database: "runtime", mqtt: "env" },
    });
  });

  it("tells the user to run the demo or set DATABASE_URL when nothing is found", () => {
    const env = parseWorkerEnv({ ECOMATE_DATA_DIR: dataDir });
    expect(() => resolveServiceUrls(env)).toThrow(ServiceUnavailableError);
    expect(() => resolveServiceUrls(env)).toThrow(/DATABASE_URL.*npm run demo/);
  });
});

describe("auth secret", () => {
  it("uses NEXTAUTH_SECRET when set and writes nothing", () => {
    expect(resolveAuthSecret({ NEXTAUTH_SECRET: "from-env", ECOMATE_DATA_DIR: dataDir })).toBe("from-env");
    expect(fs.existsSync(authSecretPath(dataDir))).toBe(false);
  });

  it("creates a random secret once, mode 600, and reuses it", () => {
    const first = resolveAuthSecret({ NEXTAUTH_SECRET: undefined, ECOMATE_DATA_DIR: dataDir });
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(authSecretPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(resolveAuthSecret({ NEXTAUTH_SECRET: undefined, ECOMATE_DATA_DIR: dataDir })).toBe(first);
    expect(fs.readdirSync(dataDir)).toEqual(["auth-secret"]);

    const other = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-env-"));
    try {
      expect(resolveAuthSecret({ NEXTAUTH_SECRET: undefined, ECOMATE_DATA_DIR: other })).not.toBe(first);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
